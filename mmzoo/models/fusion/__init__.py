"""Fusion classifiers: one encoder per modality, fused by concatenation, attention, FiLM,
phrase grounding or voting (model.py); matching and classification tasks (task.py)."""

from mmzoo.models.family import Family, Option
from mmzoo.models.fusion.presets import PRESETS

FUSIONS = ("concat", "attention", "film", "grounding", "late", "transcript")

FAMILY = Family(
    name="fusion", model="fusion_classifier", builder="mmzoo.models.fusion.model:fusion_classifier",
    tasks="mmzoo.models.fusion.task", presets=PRESETS, defaults={"model_args": {"fusion": "attention"}},
    options=(Option("--fusion", "fusion", "how the modalities meet", choices=FUSIONS),
             Option("--modalities", "modalities", "an ablation: e.g. --modalities image", nargs="+"),
             Option("--tokenizer", "tokenizer", "how text is split: caption words, or TF Text WordPiece (Chinese too)",
                    choices=("words", "wordpiece")),
             Option("--text-architecture", "text_architecture", "what reads the words",
                    choices=("lstm", "transformer"))),
    trained_model_args=("initial_encoders", "initial_text_encoder", "initial_audio_encoder"),
    small_configs=(("shapes_image_text_matching", {"fusion": "film", "width": 32}),
                   ("shapes_image_text_matching", {"fusion": "concat", "interaction": True, "width": 32}),
                   ("shapes_image_text_matching", {"fusion": "grounding", "width": 32}),
                   ("shapes_text_audio_matching", {"fusion": "attention", "width": 32}),
                   ("shapes_text_audio_matching", {"fusion": "film", "width": 32}),
                   ("shapes_text_audio_matching", {"fusion": "transcript", "initial_audio_encoder": "speech_shapes"}),
                   ("avdigits", {"fusion": "late", "width": 32}),
                   ("avdigits", {"fusion": "attention", "augment": True, "modality_dropout": 0.3, "width": 32}),
                   ("shapes_image_text_matching", {"modalities": ["image"], "width": 32})))
