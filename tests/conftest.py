"""Shared fixtures: a private MMZOO_HOME with tiny builds of the embedded data sets."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402



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
    """FSDD's recordings where `mmzoo.data.fsdd.recordings_dir` finds them. Absent, the test is
    skipped with the command that fetches them; where MMZOO_REQUIRE_FSDD=1 (CI), it fails."""
    from mmzoo.data import fsdd

    folder = fsdd.recordings_dir(required=False)
    if folder is None:
        reason = f"FSDD recordings absent: run `{fsdd.FETCH_COMMAND}` (or set MMZOO_FSDD)"
        if os.environ.get("MMZOO_REQUIRE_FSDD") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return folder


def records_of(split, kind="scenes", size="tiny"):
    from mmzoo.data import views

    return list(views.shapes_world_records(split, kind, size).as_numpy_iterator())


def decoded(record):
    """A scene record with its strings as str, as `scene_reader.check_scene` takes them."""
    return {key: (value.decode() if isinstance(value, bytes) else
                  [v.decode() for v in value] if getattr(value, "dtype", None) == object else value)
            for key, value in record.items()}
