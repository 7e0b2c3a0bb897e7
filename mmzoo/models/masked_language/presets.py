"""The masked language model's prebuilt encoder, and the models started from it
(scripts/text_pretraining_experiments.py), as configs (pure data)."""

from __future__ import annotations

from mmzoo.config import TrainConfig

PRESETS = {
    "text_transformer_shapes": TrainConfig(
        model="masked_language_model", task="shapes_masked_captions", data_args={"language": "both"},
        model_args={"width": 128, "layers": 2, "heads": 4}, epochs=12, batch_size=128, learning_rate=1e-3,
        monitor="val_loss"),
}
# What the pretrained encoder is measured in: the matching classifier and the dual encoder with
# a Transformer text side on captions of both languages, from scratch or from the encoder.
STARTED_MODELS = {
    "matching": TrainConfig(
        model="fusion_classifier", task="shapes_image_text_matching", data_args={"language": "both"},
        model_args={"fusion": "concat", "interaction": True, "width": 128, "image_filters": 32,
                    "tokenizer": "wordpiece", "text_architecture": "transformer"},
        batch_size=64, learning_rate=1e-3, evaluate_splits=("test", "compositional")),
    "dual_encoder": TrainConfig(
        model="dual_encoder", task="shapes_image_text_retrieval", data_args={"language": "both"},
        model_args={"width": 128, "projection_dim": 64, "image_filters": 32, "tokenizer": "wordpiece",
                    "text_architecture": "transformer"},
        batch_size=128, learning_rate=1e-3, monitor="val_loss", evaluate_splits=("test", "compositional")),
}
# Fewer labels, more epochs (matching: 1%, 10% of 20,000 scenes x 2 languages x 2 pairs in
# batches of 64: 13 and 125 steps an epoch).
STARTED_EPOCHS = {0.01: 60, 0.1: 12}
