"""The judge: reads the objects of a Shapes World image (model.py), scores generated images
(task.py)."""

from mmzoo.models.family import Family
from mmzoo.models.judge.presets import PRESETS

FAMILY = Family(
    name="judge", model="shapes_judge", builder="mmzoo.models.judge.model:shapes_judge",
    tasks="mmzoo.models.judge.task", presets=PRESETS,
    defaults={"task": "shapes_scene_attributes", "monitor": "val_loss"},
    small_configs=(("shapes_scene_attributes", {"filters": 8, "width": 32}),))
