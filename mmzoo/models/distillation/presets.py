"""The distilled prebuilt models and the experiments that make them
(scripts/distillation_experiments.py), as configs (pure data)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from mmzoo.config import TrainConfig

# Knowledge distillation (scripts/distillation_experiments.py), per task: a large fusion teacher
# (stacked BiLSTMs: accurate, slow at batch 1; trained by the script and not shipped, at 5-20
# MB), and a student with 1-D convs where the teacher loops (`recurrent_layers` 0) and under a
# tenth of its parameters, trained from scratch or distilled (same epochs, same seeds).
DISTILLATION_EXPERIMENTS = {
    "avdigits": {
        "teacher": TrainConfig(
            model="fusion_classifier", task="avdigits",
            model_args={"fusion": "attention", "modality_dropout": 0.3, "width": 256, "image_filters": 128,
                        "image_blocks": 3, "recurrent_layers": 5},
            epochs=15, batch_size=64, learning_rate=1e-3),
        "student": TrainConfig(
            model="fusion_classifier", task="avdigits",
            model_args={"fusion": "attention", "modality_dropout": 0.3, "width": 32, "image_filters": 8,
                        "recurrent_layers": 0},
            epochs=20, batch_size=64, learning_rate=2e-3),
        "temperature": 4.0, "alpha": 0.5, "preset": "distilled_avdigits",
    },
    "shapes_image_text_matching": {
        # The teacher starts from the prebuilt dual encoder's towers (as FINE_TUNED_CLASSIFIER
        # does) and reads the caption with 12 residual BiLSTMs: accurate, and slow at batch 1,
        # where each LSTM layer is a loop over the words. From scratch, so deep a teacher does
        # not learn this task better than its student (docs/distillation.md).
        "teacher": TrainConfig(
            model="fusion_classifier", task="shapes_image_text_matching",
            model_args={"fusion": "concat", "interaction": True, "width": 128, "image_filters": 32,
                        "recurrent_layers": 12, "residual": True, "initial_encoders": "dual_encoder_shapes"},
            epochs=6, batch_size=64, learning_rate=1e-3, evaluate_splits=("test", "compositional")),
        "student": TrainConfig(
            model="fusion_classifier", task="shapes_image_text_matching",
            model_args={"fusion": "grounding", "width": 64, "image_filters": 16, "recurrent_layers": 0},
            epochs=8, batch_size=64, learning_rate=2e-3, evaluate_splits=("test", "compositional")),
        # Two classes leave little in the soft targets beyond the label: AV-Digits' T 4 and
        # alpha 0.5 make worse students than scratch here (docs/distillation.md).
        "temperature": 2.0, "alpha": 0.9, "preset": "distilled_shapes_image_text",
    },
}
DISTILLATION_RUNS = Path("runs") / "distillation"


def distilled_config(task: str, teacher, seed: int = 0, temperature=None, alpha=None) -> TrainConfig:
    """The student of `DISTILLATION_EXPERIMENTS[task]`, distilled from `teacher` (a `.keras`)."""
    experiment = DISTILLATION_EXPERIMENTS[task]
    student = experiment["student"]
    return dataclasses.replace(student, model="distiller", seed=seed, model_args={
        "teacher": str(teacher), "student_model": student.model, "student_args": student.model_args,
        "temperature": experiment["temperature"] if temperature is None else temperature,
        "alpha": experiment["alpha"] if alpha is None else alpha})


PRESETS = {
    experiment["preset"]: distilled_config(task, DISTILLATION_RUNS / task / "teacher_seed0" / "model.keras")
    for task, experiment in DISTILLATION_EXPERIMENTS.items()}
