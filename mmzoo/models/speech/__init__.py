"""The LSTM speech recogniser (model.py) and its transcription tasks (task.py)."""

from mmzoo.models.family import Family, Option
from mmzoo.models.speech.presets import PRESETS

DECODERS = ("ctc", "attention")

FAMILY = Family(
    name="speech", model="speech_lstm", builder="mmzoo.models.speech.model:speech_lstm",
    tasks="mmzoo.models.speech.task", presets=PRESETS,
    defaults={"task": "shapes_speech_recognition", "monitor": "val_loss"},
    options=(Option("--decoder", "decoder", "CTC or an attention decoder", choices=DECODERS),),
    small_configs=(("shapes_speech_recognition", {"layers": 1, "width": 32}),
                   ("shapes_speech_recognition", {"layers": 1, "decoder": "attention", "width": 32})))
