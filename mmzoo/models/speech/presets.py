"""The speech recognisers' prebuilt models, as configs (pure data)."""

from __future__ import annotations

from mmzoo.config import TrainConfig

PRESETS = {
    # FSDD's four or five speakers are too few to generalise from: 2,000 synthetic digit words
    # from eSpeak NG's and MBROLA's many voices beside them, and a new speaker and room for every
    # waveform (docs/speech.md, leave-one-speaker-out).
    "speech_fsdd": TrainConfig(
        model="speech_lstm", task="fsdd_speech_recognition",
        model_args={"width": 192, "layers": 2, "waveform_augment": True, "normalization": "utterance",
                    "convolution": "2d"},
        data_args={"synthetic_per_word": 200, "synthetic_voices": "wide", "synthetic_engines": ["espeak", "mbrola"]},
        epochs=60, batch_size=32,
        learning_rate=2e-3,
        monitor="val_loss"),
    # Half the train captions heard in MBROLA's voices each epoch, and a new speaker and room for
    # every waveform: a model of speech, not of eSpeak NG's formants (Festival stays held out).
    "speech_shapes": TrainConfig(
        model="speech_lstm", task="shapes_speech_recognition",
        model_args={"width": 192, "layers": 2, "waveform_augment": True, "normalization": "utterance",
                    "convolution": "2d"},
        data_args={"engine_shares": {"mbrola": 0.5}}, epochs=8, batch_size=32,
        learning_rate=1e-3, monitor="val_loss", evaluate_splits=("test", "compositional")),
}
