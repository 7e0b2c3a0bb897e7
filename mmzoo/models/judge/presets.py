"""The judge's prebuilt model, as a config (pure data)."""

from __future__ import annotations

from mmzoo.config import TrainConfig

PRESETS = {
    "shapes_judge": TrainConfig(
        model="shapes_judge", task="shapes_scene_attributes", model_args={"filters": 16}, epochs=12, batch_size=64,
        learning_rate=1e-3, monitor="val_loss", evaluate_splits=("test", "compositional")),
}
