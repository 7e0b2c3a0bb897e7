"""The VGG + LSTM image captioner (model.py) and its captioning tasks (task.py)."""

from mmzoo.models.captioner.presets import PRESETS
from mmzoo.models.family import Family, Option

FAMILY = Family(
    name="captioner", model="vgg_lstm_captioner", builder="mmzoo.models.captioner.model:vgg_lstm_captioner",
    tasks="mmzoo.models.captioner.task", presets=PRESETS, defaults={"task": "shapes_captioning"},
    options=(Option("--attention", "attention", "soft attention over the image", const=True),),
    small_configs=(("shapes_captioning", {"attention": True, "width": 32}),
                   ("shapes_captioning", {"attention": False, "width": 32})))
