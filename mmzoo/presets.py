"""Prebuilt models by name: how each was trained (configs as data) and where it lives."""

from __future__ import annotations

from mmzoo.training.config import TrainConfig

FUSION_PRESETS = {
    "fusion_shapes_image_text": TrainConfig(
        model="fusion_classifier", task="shapes_image_text_matching",
        model_args={"fusion": "attention"}, epochs=12, batch_size=64, learning_rate=2e-3,
        evaluate_splits=("test", "compositional")),
    "fusion_shapes_text_audio": TrainConfig(
        model="fusion_classifier", task="shapes_text_audio_matching",
        model_args={"fusion": "attention"}, epochs=10, batch_size=64, learning_rate=2e-3,
        evaluate_splits=("test", "compositional")),
    "fusion_avdigits": TrainConfig(
        model="fusion_classifier", task="avdigits",
        model_args={"fusion": "attention"}, epochs=30, batch_size=64, learning_rate=2e-3),
}
PRESET_CONFIGS = {**FUSION_PRESETS}
