"""BERT's recipe, small: a Transformer text encoder pretrained as a masked language model on
captions (model.py, layers.py), the captions task (task.py)."""

from mmzoo.models.family import Family
from mmzoo.models.masked_language.presets import PRESETS

FAMILY = Family(
    name="masked_language", model="masked_language_model",
    builder="mmzoo.models.masked_language.model:masked_language_model", tasks="mmzoo.models.masked_language.task",
    presets=PRESETS, defaults={"task": "shapes_masked_captions", "monitor": "val_loss",
                               "data_args": {"language": "both"}},
    small_configs=(("shapes_masked_captions", {"width": 32, "layers": 1, "heads": 2}),))
