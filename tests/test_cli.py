"""The `mmzoo` command line, run as a user runs it."""

import os
import subprocess
import sys

import numpy as np
import soundfile
from PIL import Image


def run(*args, home):
    env = {**os.environ, "MMZOO_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "mmzoo.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_help_lists_the_commands(tmp_path):
    result = run("--help", home=tmp_path)
    assert result.returncode == 0
    assert "data" in result.stdout and "quickstart" in result.stdout


def test_data_build_and_show(tmp_path, mmzoo_home, tiny_shapes):
    built = run("data", "build", "shapes", "--size", "tiny", home=mmzoo_home)
    assert built.returncode == 0, built.stderr
    assert str(tiny_shapes) in built.stdout and "'train': 64" in built.stdout
    shown = run("data", "show", "shapes", "--size", "tiny", "--count", "8", "--out", str(tmp_path), home=mmzoo_home)
    assert shown.returncode == 0, shown.stderr
    grid = np.asarray(Image.open(tmp_path / "shapes_train.png"))
    assert grid.shape[0] > 2 * 64 * 3 and grid.std() > 10
    audio, rate = soundfile.read(tmp_path / "shapes_train_caption.wav")
    assert rate == 16000 and audio.size > 8000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shapes_train.png", "shapes_train_caption.wav"]


def test_bad_arguments_are_clear_errors(tmp_path):
    result = run("data", "build", "shapes", "--size", "enormous", home=tmp_path)
    assert result.returncode == 2
    assert "mmzoo: error: size: 'enormous'" in result.stderr and "Traceback" not in result.stderr
    result = run("data", "build", "avdigits", "--fsdd", str(tmp_path / "nowhere"), home=tmp_path)
    assert result.returncode == 2 and "nowhere: no such folder" in result.stderr
    assert not (tmp_path / "avdigits").exists() or not any((tmp_path / "avdigits").rglob("*.tfrecord"))


def test_an_input_problem_is_one_line_on_stderr_and_a_traceback_only_with_debug(tmp_path):
    (tmp_path / "notes.wav").write_bytes(b"RIFF\xff\xfe not a sound")
    for arguments in (["predict", "speech_fsdd", "--audio", str(tmp_path / "missing.wav")],
                      ["serve", str(tmp_path / "nowhere")]):
        result = run(*arguments, home=tmp_path)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("mmzoo: error: "), result.stderr
    debugged = run("predict", "speech_fsdd", "--audio", str(tmp_path / "missing.wav"), "--debug", home=tmp_path)
    assert debugged.returncode != 0 and "Traceback" in debugged.stderr
    verbose = run("--verbose", "serve", str(tmp_path / "nowhere"), home=tmp_path)
    assert verbose.returncode == 2 and verbose.stderr.splitlines()[-1].startswith("mmzoo: error: ")
