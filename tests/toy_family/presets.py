"""The toy family's preset, as a config (pure data)."""

from mmzoo.config import TrainConfig

PRESETS = {
    "toy_red_spotter": TrainConfig(model="toy_word_spotter", task="toy_red_words", model_args={"width": 16},
                                   epochs=3, batch_size=16, learning_rate=1e-2, monitor="val_loss"),
}
