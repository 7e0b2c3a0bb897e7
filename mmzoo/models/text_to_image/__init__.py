"""Text to image: the generator (model.py: caption reader, layout prior, scene painter), its
conditional GAN (gan.py) and the text-to-image task (task.py)."""

from mmzoo.models.family import Family, Option
from mmzoo.models.text_to_image.presets import PRESETS

MODES = ("reconstruction", "gan")

FAMILY = Family(
    name="generator", model="text_to_image_generator",
    builder="mmzoo.models.text_to_image.model:text_to_image_generator",
    tasks="mmzoo.models.text_to_image.task", presets=PRESETS,
    defaults={"task": "shapes_text_to_image", "monitor": "val_loss", "model_args": {"mode": "reconstruction"}},
    options=(Option("--mode", "mode", "train on the pixel loss, or as a GAN", choices=MODES),),
    trained_model_args=("initial_generator",),
    small_configs=(("shapes_text_to_image", {"mode": "reconstruction", "filters": 16, "width": 32}),))
