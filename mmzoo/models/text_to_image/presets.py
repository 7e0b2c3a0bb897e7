"""The text-to-image generators' prebuilt models, as configs (pure data)."""

from __future__ import annotations

from mmzoo.config import TrainConfig

PRESETS = {
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
