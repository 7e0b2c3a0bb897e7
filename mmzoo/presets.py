"""Prebuilt models by name: how each was trained (configs as data) and where it lives.

    saved_models/<name>/
        model.keras, config.json, metrics.json     the trained Keras model, preprocessing included
        1/                                         its SavedModel for TF Serving (base path: <name>)
            saved_model.pb, variables/, assets.extra/, mmzoo.json (model card, sha256 of every file)

    mmzoo.list_presets()                 names of the prebuilt models
    mmzoo.load_preset("fusion_avdigits") the Keras model
    mmzoo.load_serving("fusion_avdigits")  the SavedModel (tf.saved_model.load)

Every file is checked against the sha256 in the model card before it is loaded.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from mmzoo.training.config import TrainConfig

SAVED_MODELS = Path(os.environ.get("MMZOO_SAVED_MODELS", Path(__file__).resolve().parents[1] / "saved_models"))
KERAS_FILE = "model.keras"

FUSION_PRESETS = {
    "fusion_shapes_image_text": TrainConfig(
        model="fusion_classifier", task="shapes_image_text_matching",
        model_args={"fusion": "grounding"}, epochs=20, batch_size=64, learning_rate=1e-3,
        evaluate_splits=("test", "compositional")),
    "fusion_shapes_text_audio": TrainConfig(
        model="fusion_classifier", task="shapes_text_audio_matching",
        model_args={"fusion": "film", "augment": True}, epochs=8, batch_size=64, learning_rate=5e-4,
        evaluate_splits=("test", "compositional")),
    "fusion_avdigits": TrainConfig(
        model="fusion_classifier", task="avdigits",
        model_args={"fusion": "attention", "modality_dropout": 0.3}, epochs=30, batch_size=64, learning_rate=1e-3),
}
CAPTIONER_PRESETS = {
    "captioner_shapes": TrainConfig(
        model="vgg_lstm_captioner", task="shapes_captioning",
        model_args={"attention": True, "width": 128, "embedding_dim": 64, "image_blocks": 3},
        epochs=12, batch_size=64, learning_rate=1e-3, evaluate_splits=("test", "compositional")),
}
SPEECH_PRESETS = {
    "speech_fsdd": TrainConfig(
        model="speech_lstm", task="fsdd_speech_recognition", model_args={"width": 192, "layers": 2},
        data_args={"fsdd_dir": "../shared/data/fsdd/recordings", "synthetic_per_word": 200}, epochs=60, batch_size=32,
        learning_rate=2e-3,
        monitor="val_loss"),
    "speech_shapes": TrainConfig(
        model="speech_lstm", task="shapes_speech_recognition", model_args={"width": 192, "layers": 2}, epochs=8,
        batch_size=32,
        learning_rate=1e-3, monitor="val_loss", evaluate_splits=("test", "compositional")),
}
TEXT_TO_IMAGE_PRESETS = {
    "shapes_judge": TrainConfig(
        model="shapes_judge", task="shapes_scene_attributes", model_args={"filters": 16}, epochs=12, batch_size=64,
        learning_rate=1e-3, monitor="val_loss", evaluate_splits=("test", "compositional")),
    "text_to_image_shapes": TrainConfig(
        model="text_to_image_generator", task="shapes_text_to_image",
        model_args={"mode": "gan", "adversarial_weight": 0.003,
                    "initial_generator": "text_to_image_shapes_reconstruction"},
        epochs=3, batch_size=64, learning_rate=5e-4, warmup_epochs=0.0, monitor=None,
        evaluate_splits=("test", "compositional")),
    "text_to_image_shapes_reconstruction": TrainConfig(
        model="text_to_image_generator", task="shapes_text_to_image", model_args={"mode": "reconstruction"},
        epochs=12, batch_size=64, learning_rate=2e-3, monitor="val_loss", evaluate_splits=("test", "compositional")),
}
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
        # where each LSTM layer is a loop over the words. Trained from scratch, such a deep
        # teacher stayed below its conv student (0.894 after 8 epochs).
        "teacher": TrainConfig(
            model="fusion_classifier", task="shapes_image_text_matching",
            model_args={"fusion": "concat", "interaction": True, "width": 128, "image_filters": 32,
                        "recurrent_layers": 12, "residual": True, "initial_encoders": "dual_encoder_shapes"},
            epochs=6, batch_size=64, learning_rate=1e-3, evaluate_splits=("test", "compositional")),
        "student": TrainConfig(
            model="fusion_classifier", task="shapes_image_text_matching",
            model_args={"fusion": "grounding", "width": 64, "image_filters": 16, "recurrent_layers": 0},
            epochs=8, batch_size=64, learning_rate=2e-3, evaluate_splits=("test", "compositional")),
        # Two classes: at T 4 and alpha 0.5 (AV-Digits' setting) the distilled students fell
        # below scratch (0.928 against 0.950 over 3 seeds); at T 2, alpha 0.9 they reach 0.987.
        "temperature": 2.0, "alpha": 0.9, "preset": "distilled_shapes_image_text",
    },
}
DISTILLATION_RUNS = Path("runs") / "distillation"
# The CLIP-style dual encoder (scripts/dual_encoder_experiments.py), and the fusion classifier
# that starts from its towers (the same encoders, sizes and layer names) or from scratch.
DUAL_ENCODER_PRESETS = {
    "dual_encoder_shapes": TrainConfig(
        model="dual_encoder", task="shapes_image_text_retrieval",
        model_args={"width": 128, "projection_dim": 64, "image_filters": 32}, epochs=50, batch_size=128,
        learning_rate=1e-3, monitor="val_loss", evaluate_splits=("test", "compositional")),
}
FINE_TUNED_CLASSIFIER = TrainConfig(
    model="fusion_classifier", task="shapes_image_text_matching",
    model_args={"fusion": "concat", "interaction": True, "width": 128, "image_filters": 32}, batch_size=64,
    learning_rate=1e-3, evaluate_splits=("test", "compositional"))
# Fewer labels, more epochs: 600, 1,250 and 5,000 steps of 64 pairs.
FINE_TUNING_EPOCHS = {0.01: 100, 0.1: 20, 1.0: 8}


def distilled_config(task: str, teacher, seed: int = 0, temperature=None, alpha=None) -> TrainConfig:
    """The student of `DISTILLATION_EXPERIMENTS[task]`, distilled from `teacher` (a `.keras`)."""
    experiment = DISTILLATION_EXPERIMENTS[task]
    student = experiment["student"]
    return dataclasses.replace(student, model="distiller", seed=seed, model_args={
        "teacher": str(teacher), "student_model": student.model, "student_args": student.model_args,
        "temperature": experiment["temperature"] if temperature is None else temperature,
        "alpha": experiment["alpha"] if alpha is None else alpha})


DISTILLED_PRESETS = {
    experiment["preset"]: distilled_config(task, DISTILLATION_RUNS / task / "teacher_seed0" / "model.keras")
    for task, experiment in DISTILLATION_EXPERIMENTS.items()}
PRESET_CONFIGS = {**FUSION_PRESETS, **CAPTIONER_PRESETS, **SPEECH_PRESETS, **TEXT_TO_IMAGE_PRESETS, **DISTILLED_PRESETS,
                  **DUAL_ENCODER_PRESETS}


def list_presets() -> list[str]:
    """The prebuilt models shipped in `saved_models/`."""
    return sorted(name for name in PRESET_CONFIGS if (SAVED_MODELS / name / KERAS_FILE).exists())


def preset_dir(name: str) -> Path:
    if name not in PRESET_CONFIGS:
        raise ValueError(f"preset: {name!r} is not one of {sorted(PRESET_CONFIGS)}")
    directory = SAVED_MODELS / name
    if not (directory / KERAS_FILE).exists():
        raise FileNotFoundError(f"{directory}: preset {name!r} has no prebuilt model; train it with "
                                f"`python scripts/train_prebuilt.py {name}`")
    return directory


def serving_dir(name: str) -> Path:
    """The newest version folder of a preset's SavedModel."""
    directory = preset_dir(name)
    versions = sorted((int(p.name) for p in directory.iterdir() if p.name.isdigit()), reverse=True)
    if not versions:
        raise FileNotFoundError(f"{directory}: no SavedModel version folder")
    return directory / str(versions[0])


def model_card(name: str) -> dict:
    from mmzoo.export import serving

    return json.loads((serving_dir(name) / serving.CARD).read_text())


def load_preset(name: str, compile: bool = False):
    """The prebuilt Keras model (preprocessing included), after checking its sha256."""
    from mmzoo.export import serving

    path = preset_dir(name) / KERAS_FILE
    serving.verify_file(path, model_card(name)["keras_model_sha256"])
    return serving.load_keras_model(path, compile=compile)


def load_serving(name: str):
    """The prebuilt SavedModel (`.signatures["serving_default"]`), after checking its files."""
    import tensorflow as tf

    from mmzoo.export import serving

    directory = serving_dir(name)
    serving.verify_checksums(directory)
    return tf.saved_model.load(str(directory))
