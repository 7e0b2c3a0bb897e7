"""Prebuilt models by name: where each lives, and loading it checked. How each was trained is
its family's `presets.py` (configs as data), all of them in `mmzoo.registry.PRESETS`.

    saved_models/<name>/
        model.keras, config.json, metrics.json     the trained Keras model, preprocessing included
        <version>/                                 its SavedModel for TF Serving (base path: <name>)
            saved_model.pb, variables/, assets.extra/, mmzoo.json (model card, sha256 of every file)

    mmzoo.list_presets()                 names of the prebuilt models
    mmzoo.load_preset("fusion_avdigits") the Keras model
    mmzoo.load_serving("fusion_avdigits")  the SavedModel (tf.saved_model.load)

From a checkout, the models are its `saved_models/`. Installed from a wheel, the package
carries only their index (`preset_index.json`: version, archive sha256 and size, task, headline
figures); a model is downloaded on first use from `$MMZOO_PRESETS_URL` (a URL or a folder;
default `DEFAULT_PRESETS_URL`) as `<name>-<version>.tar.gz`, checked against the index, and
unpacked into `$MMZOO_HOME/presets/`. `python scripts/package_presets.py OUT` writes the archives
and the index. Every file is checked against the sha256 in the model card before it is loaded.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import tarfile
from pathlib import Path

from mmzoo import registry, saving
from mmzoo.errors import InvalidInputError
from mmzoo.paths import mmzoo_home

SAVED_MODELS = Path(os.environ.get("MMZOO_SAVED_MODELS", Path(__file__).resolve().parents[1] / "saved_models"))
KERAS_FILE = "model.keras"
RUN_FILES = (KERAS_FILE, "config.json", "metrics.json")
MODEL_CARD = "README.md"  # written by scripts/model_cards.py (mmzoo.export.cards)
RESULT_FILES = ("experiments.json", "distillation.json")  # what a model's experiments measured, for its card
HUB_PAIR = "hub"  # a pretrained text encoder's TF Hub-style preprocessor and encoder (mmzoo.export.hub)
INDEX = Path(__file__).with_name("preset_index.json")
DEFAULT_PRESETS_URL = "https://github.com/mmzoo/mmzoo/releases/download/presets"


def preset_index() -> dict:
    """{name: {version, archive, sha256, size, task, headline}} of the packaged prebuilt models."""
    return json.loads(INDEX.read_text())["presets"] if INDEX.is_file() else {}


def in_checkout(name: str) -> bool:
    return (SAVED_MODELS / name / KERAS_FILE).exists()


def list_presets() -> list[str]:
    """The prebuilt models: those in `saved_models/`, or, away from a checkout, those indexed."""
    index = preset_index()
    return sorted(name for name in registry.PRESETS if in_checkout(name) or name in index)


def preset_dir(name: str) -> Path:
    """The folder of a prebuilt model: in the checkout, or downloaded (once) from its index entry."""
    registry.preset_config(name)  # a known name
    if in_checkout(name):
        return SAVED_MODELS / name
    entry = preset_index().get(name)
    if entry is None:
        raise FileNotFoundError(f"{SAVED_MODELS / name}: preset {name!r} has no prebuilt model; train it with "
                                f"`python scripts/train_prebuilt.py {name}`")
    return _downloaded(name, entry)


def _downloaded(name: str, entry: dict) -> Path:
    from mmzoo.data import download
    from mmzoo.data.records import sha256_file

    final = mmzoo_home() / "presets" / f"{name}-{entry['version']}"
    if (final / KERAS_FILE).exists():
        return final
    source = os.environ.get("MMZOO_PRESETS_URL", DEFAULT_PRESETS_URL)
    url = f"{source.rstrip('/')}/{entry['archive']}" if download.is_url(source) else \
        (Path(source).expanduser().resolve() / entry["archive"]).as_uri()
    archive = final.parent / entry["archive"]
    try:
        download.download(url, archive, progress=sys.stderr.isatty(), description=entry["archive"])
        digest, size = sha256_file(archive), archive.stat().st_size
        if (digest, size) != (entry["sha256"], entry["size"]):
            raise InvalidInputError(url, f"damaged archive: sha256 {digest} of {size} bytes, the index says "
                                         f"{entry['sha256']} of {entry['size']}")
        download.unpack_tar(archive, final)
    finally:
        archive.unlink(missing_ok=True)
    return final


def serving_dir(name: str) -> Path:
    """The newest version folder of a preset's SavedModel."""
    directory = preset_dir(name)
    versions = sorted((int(p.name) for p in directory.iterdir() if p.name.isdigit()), reverse=True)
    if not versions:
        raise FileNotFoundError(f"{directory}: no SavedModel version folder")
    return directory / str(versions[0])


def package_preset(name: str, out_dir) -> dict:
    """`out_dir/<name>-<version>.tar.gz` of a checkout's prebuilt model (its run files, its
    model card, its experiments' results, its newest SavedModel and any TF Hub-style pair), byte
    for byte the same on every run; returns its index entry."""
    from mmzoo.data.records import sha256_file

    directory, version = SAVED_MODELS / name, serving_dir(name).name
    files = [directory / file for file in (*RUN_FILES, MODEL_CARD, *RESULT_FILES) if (directory / file).exists()]
    for folder in (version, HUB_PAIR):
        files += sorted(p for p in (directory / folder).rglob("*") if p.is_file())
    archive = Path(out_dir) / f"{name}-{version}.tar.gz"
    with open(archive, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped, \
            tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in files:
            info = tarfile.TarInfo(str(path.relative_to(directory)))
            info.size, info.mode = path.stat().st_size, 0o644
            with open(path, "rb") as file:
                tar.addfile(info, file)
    config = registry.PRESETS[name]
    headline = registry.get_task(config.task).headline_of
    return {"version": int(version), "archive": archive.name, "sha256": sha256_file(archive),
            "size": archive.stat().st_size, "task": config.task,
            "headline": {split: headline(values) for split, values in model_card(name)["metrics"].items()}}


def model_card(name: str) -> dict:
    return json.loads((serving_dir(name) / saving.CARD).read_text())


def load_preset(name: str, compile: bool = False):
    """The prebuilt Keras model (preprocessing included), after checking its sha256."""
    path = preset_dir(name) / KERAS_FILE
    saving.verify_file(path, model_card(name)["keras_model_sha256"])
    return saving.load_keras_model(path, compile=compile)


def load_serving(name: str):
    """The prebuilt SavedModel (`.signatures["serving_default"]`), after checking its files."""
    directory = serving_dir(name)
    saving.verify_checksums(directory)
    return saving.load_saved_model(directory)


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
