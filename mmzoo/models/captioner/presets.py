"""The captioner's prebuilt model, as a config (pure data)."""

from __future__ import annotations

from mmzoo.config import TrainConfig

PRESETS = {
    "captioner_shapes": TrainConfig(
        model="vgg_lstm_captioner", task="shapes_captioning",
        model_args={"attention": True, "width": 128, "embedding_dim": 64, "image_blocks": 3},
        epochs=12, batch_size=64, learning_rate=1e-3, evaluate_splits=("test", "compositional")),
}
