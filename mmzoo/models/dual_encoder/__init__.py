"""The CLIP-style dual encoder (model.py) and image-text retrieval (task.py)."""

from mmzoo.models.dual_encoder.presets import PRESETS
from mmzoo.models.family import Family

FAMILY = Family(
    name="dual_encoder", model="dual_encoder", builder="mmzoo.models.dual_encoder.model:dual_encoder",
    tasks="mmzoo.models.dual_encoder.task", presets=PRESETS, trained_model_args=("initial_text_encoder",),
    defaults={"task": "shapes_image_text_retrieval", "monitor": "val_loss"},
    small_configs=(("shapes_image_text_retrieval", {"projection_dim": 8, "image_filters": 8, "width": 32}),))
