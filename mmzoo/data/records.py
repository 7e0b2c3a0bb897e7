"""TFRecord files and the build directory that holds them, written all-or-nothing."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

import numpy as np
import tensorflow as tf

MANIFEST = "manifest.json"


def _bytes_list(values):
    return tf.train.Feature(bytes_list=tf.train.BytesList(
        value=[v.encode() if isinstance(v, str) else bytes(v) for v in values]))


def _int64_list(values):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=[int(v) for v in values]))


def encode_example(example: dict) -> bytes:
    """A tf.train.Example from a dict: str/bytes/arrays become bytes, ints and int lists int64."""
    features = {}
    for key, value in example.items():
        if isinstance(value, np.ndarray):
            features[key] = _bytes_list([value.tobytes()])
        elif isinstance(value, (str, bytes)):
            features[key] = _bytes_list([value])
        elif isinstance(value, (int, np.integer)):
            features[key] = _int64_list([value])
        elif isinstance(value, (list, tuple)) and all(isinstance(v, (str, bytes)) for v in value):
            features[key] = _bytes_list(value)
        elif isinstance(value, (list, tuple)):
            features[key] = _int64_list(value)
        else:
            raise TypeError(f"{key}: cannot store a {type(value).__name__} in a TFRecord")
    return tf.train.Example(features=tf.train.Features(feature=features)).SerializeToString()


def write_tfrecord(path: Path, examples) -> int:
    count = 0
    with tf.io.TFRecordWriter(str(path)) as writer:
        for example in examples:
            writer.write(encode_example(example))
            count += 1
    return count


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(directory: Path) -> dict | None:
    """The manifest of a finished build, or None: a directory without one is not a build."""
    path = Path(directory) / MANIFEST
    if not path.exists():
        return None
    return json.loads(path.read_text())


@contextlib.contextmanager
def atomic_directory(final: Path):
    """Yield a scratch directory that becomes `final` only if the block finishes.

    A crash or Ctrl-C leaves no half-written cache behind: the scratch directory is removed,
    and `final` appears in one rename, manifest included.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    scratch = final.parent / f".{final.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    scratch.mkdir()
    try:
        yield scratch
        if final.exists():  # another process finished the same build first: keep theirs
            shutil.rmtree(scratch)
        else:
            os.rename(scratch, final)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def finish_manifest(directory: Path, manifest: dict) -> dict:
    """Add the sha256 of every file and write the manifest, the last file of a build."""
    directory = Path(directory)
    manifest = dict(manifest)
    manifest["sha256"] = {
        path.name: sha256_file(path) for path in sorted(directory.iterdir()) if path.name != MANIFEST
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest
