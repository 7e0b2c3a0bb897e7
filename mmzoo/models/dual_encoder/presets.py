"""The dual encoder's prebuilt model, and the fusion classifier that starts from its towers
(scripts/dual_encoder_experiments.py), as configs (pure data)."""

from __future__ import annotations

from mmzoo.config import TrainConfig

PRESETS = {
    "dual_encoder_shapes": TrainConfig(
        model="dual_encoder", task="shapes_image_text_retrieval",
        model_args={"width": 128, "projection_dim": 64, "image_filters": 32}, epochs=50, batch_size=128,
        learning_rate=1e-3, monitor="val_loss", evaluate_splits=("test", "compositional")),
    # English and Chinese queries for the same scenes, a BiLSTM over WordPiece pieces of either.
    "dual_encoder_shapes_bilingual": TrainConfig(
        model="dual_encoder", task="shapes_image_text_retrieval", data_args={"language": "both"},
        model_args={"width": 128, "projection_dim": 64, "image_filters": 32, "tokenizer": "wordpiece",
                    "text_architecture": "lstm"},
        epochs=40, batch_size=128, learning_rate=1e-3, monitor="val_loss", evaluate_splits=("test", "compositional")),
}
FINE_TUNED_CLASSIFIER = TrainConfig(
    model="fusion_classifier", task="shapes_image_text_matching",
    model_args={"fusion": "concat", "interaction": True, "width": 128, "image_filters": 32}, batch_size=64,
    learning_rate=1e-3, evaluate_splits=("test", "compositional"))
# Fewer labels, more epochs: 600, 1,250 and 5,000 steps of 64 pairs.
FINE_TUNING_EPOCHS = {0.01: 100, 0.1: 20, 1.0: 8}
