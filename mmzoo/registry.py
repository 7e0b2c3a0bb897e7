"""The one registry: every model family, and through them every builder, task and preset.

The trainer, the exporter, the command line and the tests read it; a new family is one folder
under `mmzoo/models/` and one line in `_BUILT_IN` (or a call to `register_family` for one
outside the package). Importing it needs no TensorFlow: families are data until a builder or
task is asked for.
"""

from __future__ import annotations

from mmzoo.config import TrainConfig
from mmzoo.models import captioner, distillation, dual_encoder, fusion, judge, masked_language, speech, text_to_image
from mmzoo.models.family import Family

_BUILT_IN = (
    fusion.FAMILY,
    captioner.FAMILY,
    speech.FAMILY,
    text_to_image.FAMILY,
    judge.FAMILY,
    dual_encoder.FAMILY,
    distillation.FAMILY,
    masked_language.FAMILY,
)
FAMILIES: dict[str, Family] = {}
PRESETS: dict[str, TrainConfig] = {}


def register_family(family: Family):
    """Make a family's builder, tasks and presets known by name everywhere."""
    clashes = ({family.name} & set(FAMILIES)) | ({family.model} & {f.model for f in FAMILIES.values()}) | (
        set(family.presets) & set(PRESETS))
    if clashes:
        raise ValueError(f"family {family.name}: {sorted(clashes)} already registered")
    for name, config in family.presets.items():
        if config.model != family.model:
            raise ValueError(f"preset {name}: builds {config.model!r}, not its family's {family.model!r}")
    FAMILIES[family.name] = family
    PRESETS.update(family.presets)


def family_of_model(model: str) -> Family:
    """The family whose builder a config's `model` names."""
    for family in FAMILIES.values():
        if family.model == model:
            return family
    raise ValueError(f"model: {model!r} is not one of {sorted(f.model for f in FAMILIES.values())}")


def builder(model: str):
    return family_of_model(model).build_function()


def tasks() -> dict:
    """{name: Task} of every family (imports TensorFlow)."""
    found = {}
    for family in FAMILIES.values():
        for name, task in family.task_objects().items():
            if name in found:
                raise ValueError(f"task {name}: defined by two families")
            found[name] = task
    return found


def get_task(name: str):
    every = tasks()
    if name not in every:
        raise ValueError(f"task: {name!r} is not one of {sorted(every)}")
    return every[name]


def preset_config(name: str) -> TrainConfig:
    if name not in PRESETS:
        raise ValueError(f"preset: {name!r} is not one of {sorted(PRESETS)}")
    return PRESETS[name]


def import_builders():
    """Import every family's builder module, which registers its custom Keras objects (before a
    `safe_mode` load)."""
    for family in FAMILIES.values():
        family.build_function()


for _family in _BUILT_IN:
    register_family(_family)
