"""Prebuilt models away from a checkout: the package's index, archives downloaded from
MMZOO_PRESETS_URL (a local server here), checked, unpacked once; a damaged one refused."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mmzoo import presets
from tests.local_http import serve_folder

ROOT = Path(__file__).resolve().parents[1]
PACKAGED = ("fusion_avdigits", "speech_fsdd")


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    out = tmp_path_factory.mktemp("presets")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "package_presets.py"), str(out), "--names", *PACKAGED,
                    "--no-package-index"], check=True, capture_output=True, timeout=300)
    return out


def test_the_package_index_is_in_step_with_saved_models(packaged):
    index, built = presets.preset_index(), json.loads((packaged / "preset_index.json").read_text())["presets"]
    assert sorted(index) == [name for name in presets.list_presets()]
    for name in PACKAGED:  # byte-stable archives: the same sha256 as when the index was written
        assert index[name] == built[name], f"run `python scripts/package_presets.py OUT` after changing {name}"
    for name, entry in index.items():
        assert entry["version"] == int(presets.serving_dir(name).name), name


def _run_installed(arguments, home, url, cwd):
    """`mmzoo` as from a wheel: no saved_models beside the package, presets from `url`."""
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(home), "MMZOO_HOME": str(home), "MMZOO_PRESETS_URL": url,
                   "MMZOO_SAVED_MODELS": str(cwd / "no_saved_models"), "TF_CPP_MIN_LOG_LEVEL": "3",
                   "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "mmzoo.cli", *arguments], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=600)


def test_list_and_predict_download_a_preset_once_and_refuse_a_damaged_one(packaged, tmp_path, fsdd_recordings):
    index = json.loads((packaged / "preset_index.json").read_text())["presets"]
    seven = fsdd_recordings / "7_theo_0.wav"
    with serve_folder(packaged) as (url, handler):
        listed = _run_installed(["list"], tmp_path / "home", url, tmp_path)
        assert listed.returncode == 0, listed.stderr[-2000:]
        assert all(f"{name}: " in listed.stdout for name in presets.preset_index())
        assert "not built" not in listed.stdout and not handler.requests  # the list downloads nothing
        for _ in range(2):
            answer = _run_installed(["predict", "speech_fsdd", "--audio", str(seven)], tmp_path / "home", url, tmp_path)
            assert answer.returncode == 0, answer.stderr[-2000:]
            assert json.loads(answer.stdout)["transcript"] == "seven"
        assert [path for path, _ in handler.requests] == [f"/{index['speech_fsdd']['archive']}"]  # once
    assert (tmp_path / "home" / "presets" / f"speech_fsdd-{index['speech_fsdd']['version']}").is_dir()

    damaged = tmp_path / "damaged"
    damaged.mkdir()
    data = bytearray((packaged / index["fusion_avdigits"]["archive"]).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (damaged / index["fusion_avdigits"]["archive"]).write_bytes(bytes(data))
    refused = _run_installed(["predict", "fusion_avdigits", "--audio", str(seven), "--image", str(seven)],
                             tmp_path / "home2", str(damaged), tmp_path)
    assert refused.returncode == 2
    ours = [line for line in refused.stderr.splitlines() if line.startswith("mmzoo")]  # (not TensorFlow's)
    assert len(ours) == 1 and "damaged archive: sha256" in ours[0], refused.stderr
    assert not list((tmp_path / "home2").rglob("*.tar.gz*")) and not list((tmp_path / "home2").rglob("model.keras"))
