"""The speech recognisers' prebuilt models, as configs (pure data)."""

from __future__ import annotations

from mmzoo.config import TrainConfig

PRESETS = {
    "speech_fsdd": TrainConfig(
        model="speech_lstm", task="fsdd_speech_recognition", model_args={"width": 192, "layers": 2},
        data_args={"synthetic_per_word": 200}, epochs=60, batch_size=32,
        learning_rate=2e-3,
        monitor="val_loss"),
    "speech_shapes": TrainConfig(
        model="speech_lstm", task="shapes_speech_recognition", model_args={"width": 192, "layers": 2}, epochs=8,
        batch_size=32,
        learning_rate=1e-3, monitor="val_loss", evaluate_splits=("test", "compositional")),
}
