"""Shared fixtures: a private MMZOO_HOME with tiny builds of the embedded data sets."""

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

FSDD_RECORDINGS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fsdd" / "recordings"


@pytest.fixture(scope="session")
def mmzoo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("mmzoo_home")
    previous = os.environ.get("MMZOO_HOME")
    os.environ["MMZOO_HOME"] = str(home)
    yield home
    if previous is None:
        os.environ.pop("MMZOO_HOME", None)
    else:
        os.environ["MMZOO_HOME"] = previous


@pytest.fixture(scope="session")
def tiny_shapes(mmzoo_home):
    from mmzoo.data import build

    return build.build_shapes_world("tiny", seed=0, progress=False)


@pytest.fixture(scope="session")
def fsdd_recordings():
    if not FSDD_RECORDINGS.is_dir():
        pytest.fail(f"{FSDD_RECORDINGS}: the shared FSDD recordings are missing (../shared beside the repo)")
    return FSDD_RECORDINGS


def records_of(split, kind="scenes", size="tiny"):
    from mmzoo.data import views

    return list(views.shapes_world_records(split, kind, size).as_numpy_iterator())


def decoded(record):
    """A scene record with its strings as str, as `scene_reader.check_scene` takes them."""
    return {key: (value.decode() if isinstance(value, bytes) else
                  [v.decode() for v in value] if getattr(value, "dtype", None) == object else value)
            for key, value in record.items()}
