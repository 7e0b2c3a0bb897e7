"""Prebuilt models by name: where each lives, and loading it checked. How each was trained is
its family's `presets.py` (configs as data), all of them in `mmzoo.registry.PRESETS`.

    saved_models/<name>/
        model.keras, config.json, metrics.json     the trained Keras model, preprocessing included
        1/                                         its SavedModel for TF Serving (base path: <name>)
            saved_model.pb, variables/, assets.extra/, mmzoo.json (model card, sha256 of every file)

    mmzoo.list_presets()                 names of the prebuilt models
    mmzoo.load_preset("fusion_avdigits") the Keras model
    mmzoo.load_serving("fusion_avdigits")  the SavedModel (tf.saved_model.load)

Every file is checked against the sha256 in the model card before it is loaded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from mmzoo import registry, saving
from mmzoo.errors import InvalidInputError

SAVED_MODELS = Path(os.environ.get("MMZOO_SAVED_MODELS", Path(__file__).resolve().parents[1] / "saved_models"))
KERAS_FILE = "model.keras"


def list_presets() -> list[str]:
    """The prebuilt models shipped in `saved_models/`."""
    return sorted(name for name in registry.PRESETS if (SAVED_MODELS / name / KERAS_FILE).exists())


def preset_dir(name: str) -> Path:
    registry.preset_config(name)  # a known name
    directory = SAVED_MODELS / name
    if not (directory / KERAS_FILE).exists():
        raise FileNotFoundError(f"{directory}: preset {name!r} has no prebuilt model; train it with "
                                f"`python scripts/train_prebuilt.py {name}`")
    return directory


def serving_dir(name: str) -> Path:
    """The newest version folder of a preset's SavedModel."""
    directory = preset_dir(name)
    versions = sorted((int(p.name) for p in directory.iterdir() if p.name.isdigit()), reverse=True)
    if not versions:
        raise FileNotFoundError(f"{directory}: no SavedModel version folder")
    return directory / str(versions[0])


def model_card(name: str) -> dict:
    return json.loads((serving_dir(name) / saving.CARD).read_text())


def load_preset(name: str, compile: bool = False):
    """The prebuilt Keras model (preprocessing included), after checking its sha256."""
    path = preset_dir(name) / KERAS_FILE
    saving.verify_file(path, model_card(name)["keras_model_sha256"])
    return saving.load_keras_model(path, compile=compile)


def load_serving(name: str):
    """The prebuilt SavedModel (`.signatures["serving_default"]`), after checking its files."""
    import tensorflow as tf

    directory = serving_dir(name)
    saving.verify_checksums(directory)
    return tf.saved_model.load(str(directory))


def load_trained(reference, argument: str):
    """A trained Keras model from a reference in a config: a Keras model (itself), a `.keras`
    file, or a prebuilt model's name. `argument` names where the reference came from, for the
    error."""
    import keras

    if isinstance(reference, keras.Model):
        return reference
    if str(reference).endswith(".keras"):
        if not Path(reference).is_file():
            raise InvalidInputError(argument, f"{reference}: no such .keras file")
        return saving.load_keras_model(reference)
    if reference in registry.PRESETS:
        return load_preset(reference)
    raise InvalidInputError(argument, f"{reference!r} is neither a .keras file nor one of the prebuilt models "
                                      f"{sorted(registry.PRESETS)}")
