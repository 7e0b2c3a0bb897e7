"""Loading what the zoo saves: `.keras` files (with `safe_mode`, every custom object registered
first) and the sha256 checksums that guard shipped models. Importing it needs no TensorFlow.
"""

from __future__ import annotations

import json
from pathlib import Path

from mmzoo import registry

CARD = "mmzoo.json"


def sha256_tree(directory: Path, exclude=(CARD,)) -> dict[str, str]:
    from mmzoo.data.records import sha256_file

    return {str(path.relative_to(directory)): sha256_file(path)
            for path in sorted(Path(directory).rglob("*")) if path.is_file() and path.name not in exclude}


def verify_checksums(directory: Path):
    """Raise if any file of an exported model differs from the sha256 its model card lists."""
    directory = Path(directory)
    card_path = directory / CARD
    if not card_path.exists():
        raise FileNotFoundError(f"{card_path}: no model card")
    expected = json.loads(card_path.read_text())["sha256"]
    actual = sha256_tree(directory)
    if actual != expected:
        changed = sorted(set(k for k in set(actual) | set(expected) if actual.get(k) != expected.get(k)))
        raise ValueError(f"{directory}: checksum mismatch for {changed}; the model files were changed or damaged")


def verify_file(path: Path, expected_sha256: str):
    from mmzoo.data.records import sha256_file

    actual = sha256_file(Path(path))
    if actual != expected_sha256:
        raise ValueError(f"{path}: checksum mismatch (sha256 {actual}, model card says {expected_sha256}); "
                         "the file was changed or damaged")


def load_keras_model(path, compile=False):
    """Load a zoo `.keras` file with `safe_mode=True`, after every registered family has
    registered its custom layers and models."""
    import keras

    registry.import_builders()
    return keras.saving.load_model(str(path), compile=compile, safe_mode=True)


def load_saved_model(path):
    """`tf.saved_model.load`, with TF Text's ops registered first: the graphs of models that
    read WordPiece pieces hold them, as TF Serving built with TF Text does."""
    import importlib

    import tensorflow as tf

    importlib.import_module("tensorflow_text")
    return tf.saved_model.load(str(path))
