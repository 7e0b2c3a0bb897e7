"""Train, export, list, load and ask a model through the CLI and `mmzoo.load_preset`, as a
user does: a tiny AV-Digits run (seconds), exported into a private `saved_models/`."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import mmzoo
from mmzoo import presets, registry, saving
from mmzoo.config import TrainConfig
from mmzoo.data import views
from mmzoo.export import serving


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "mmzoo.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


@pytest.fixture(scope="module")
def exported(mmzoo_home, tmp_path_factory):
    """A 1-epoch `fusion_avdigits` run, trained and exported by the CLI into a private saved_models."""
    root = tmp_path_factory.mktemp("zoo")
    config = TrainConfig.from_dict({**registry.PRESETS["fusion_avdigits"].to_dict(), "epochs": 1,
                                    "steps_per_epoch": 6, "model_args": {"fusion": "late", "width": 32}})
    config.save(root / "fusion_avdigits.json")
    trained = run("train", "--config", str(root / "fusion_avdigits.json"), "--run-dir", str(root / "run"))
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert "test: accuracy" in trained.stdout
    done = run("export", str(root / "run"), "--name", "fusion_avdigits", "--out", str(root / "saved_models"))
    assert done.returncode == 0, done.stderr[-3000:]
    return root / "saved_models"


@pytest.fixture
def zoo(exported, tmp_path, monkeypatch):
    """A private copy of the exported zoo that a test may damage."""
    copy = tmp_path / "saved_models"
    shutil.copytree(exported, copy)
    monkeypatch.setattr(presets, "SAVED_MODELS", copy)
    monkeypatch.setattr(presets, "INDEX", tmp_path / "no_preset_index.json")  # nothing to download
    return copy


def test_export_layout_and_model_card(zoo):
    model_dir = zoo / "fusion_avdigits"
    assert sorted(p.name for p in model_dir.iterdir()) == ["1", "config.json", "metrics.json", "model.keras"]
    card = json.loads((model_dir / "1" / saving.CARD).read_text())
    metrics = json.loads((model_dir / "metrics.json").read_text())
    assert card["metrics"]["test"]["accuracy"] == metrics["splits"]["test"]["accuracy"]
    assert card["task"]["name"] == "avdigits" and card["inputs"] == {"image": "encoded image bytes",
                                                                     "audio": "WAV bytes"}
    assert card["config"]["epochs"] == 1


def test_list_load_preset_and_load_serving_agree(zoo):
    assert mmzoo.list_presets() == ["fusion_avdigits"]
    model = mmzoo.load_preset("fusion_avdigits")
    signature = mmzoo.load_serving("fusion_avdigits").signatures["serving_default"]
    features, _ = next(iter(views.avdigits_classification("test", 4, shuffle=False)))
    raw = serving.encode_raw_inputs(features)
    served = signature(image=tf.constant(raw["image"]), audio=tf.constant(raw["audio"]))
    np.testing.assert_allclose(served["probabilities"], model(features), atol=2e-3)


def test_a_damaged_file_is_a_checksum_error(zoo):
    keras_file = zoo / "fusion_avdigits" / "model.keras"
    damaged = bytearray(keras_file.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    keras_file.write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match="model.keras: checksum mismatch"):
        mmzoo.load_preset("fusion_avdigits")
    variables = next((zoo / "fusion_avdigits" / "1" / "variables").glob("*.data-*"))
    variables.write_bytes(variables.read_bytes() + b"\0")
    with pytest.raises(ValueError, match="checksum mismatch for .*variables"):
        mmzoo.load_serving("fusion_avdigits")


def test_an_unknown_preset_names_the_choices(zoo):
    with pytest.raises(ValueError, match="preset: 'nope' is not one of"):
        mmzoo.load_preset("nope")


def test_cli_predict_list_and_evaluate(zoo, tmp_path):
    env = {"MMZOO_SAVED_MODELS": str(zoo)}
    features, labels = next(iter(views.avdigits_classification("test", 1, shuffle=False)))
    raw = serving.encode_raw_inputs(features)
    (tmp_path / "digit.png").write_bytes(raw["image"][0])
    (tmp_path / "digit.wav").write_bytes(raw["audio"][0])
    answer = run("predict", "fusion_avdigits", "--image", str(tmp_path / "digit.png"),
                 "--audio", str(tmp_path / "digit.wav"), env=env)
    assert answer.returncode == 0, answer.stderr[-2000:]
    outputs = json.loads(answer.stdout)
    assert set(outputs) == {"probabilities", "class_id", "class_name", "score"}
    assert len(outputs["probabilities"]) == 10 and abs(sum(outputs["probabilities"]) - 1) < 1e-4

    listed = run("list", env=env)
    assert listed.returncode == 0 and "fusion_avdigits: avdigits, test accuracy" in listed.stdout

    evaluated = run("evaluate", "fusion_avdigits", "--split", "validation", env=env)
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    assert json.loads(evaluated.stdout)["validation"]["examples"] == 600


def test_cli_bad_inputs_are_clear_errors(zoo, exported, tmp_path):
    env = {"MMZOO_SAVED_MODELS": str(zoo)}
    (tmp_path / "bad.wav").write_bytes(b"RIFF-but-not-really")
    (tmp_path / "digit.png").write_bytes(tf.io.encode_png(tf.zeros([32, 32, 1], tf.uint8)).numpy())
    cases = [
        (["--image", str(tmp_path / "digit.png")], "this model takes --audio, --image; got --image"),
        (["--image", str(tmp_path / "missing.png"), "--audio", str(tmp_path / "bad.wav")], "missing.png: no such file"),
        (["--image", str(tmp_path / "digit.png"), "--audio", str(tmp_path / "bad.wav")], "audio: not a WAV file"),
    ]
    for arguments, message in cases:
        result = run("predict", "fusion_avdigits", *arguments, env=env)
        assert result.returncode == 2, result.stderr[-2000:]
        assert message in result.stderr and "Traceback" not in result.stderr
    result = run("export", str(tmp_path / "no-run"), "--name", "x", "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "no-run: no such run directory" in result.stderr
    result = run("export", str(exported.parent / "run"), "--name", "x", "--out", str(tmp_path / "out"),
                 "--beam-width", "3")
    assert result.returncode == 2 and "--beam-width: only a captioner decodes with a beam" in result.stderr
    assert not (tmp_path / "out").exists()


def test_cli_trains_a_family_on_a_task_and_an_ablation_sees_only_its_modality(mmzoo_home, tmp_path):
    trained = run("train", "fusion", "--task", "avdigits", "--modalities", "audio", "--epochs", "1",
                  "--batch-size", "128", "--mixed-precision", "--steps-per-execution", "4",
                  "--run-dir", str(tmp_path / "run"))
    assert trained.returncode == 0, trained.stderr[-3000:]
    config = TrainConfig.load(tmp_path / "run" / "config.json")
    assert config.task == "avdigits" and config.model_args["modalities"] == ["audio"]
    assert config.mixed_precision and config.steps_per_execution == 4 and not config.jit_compile
    assert not json.loads((tmp_path / "run" / "metrics.json").read_text())["mixed_precision"]  # a CPU: float32
    model = saving.load_keras_model(tmp_path / "run" / "model.keras")
    assert sorted(t.name for t in model.inputs) == ["audio", "audio_length"]
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["splits"]["test"]["examples"] == 594


def test_cli_trains_a_speech_recogniser_with_the_attention_decoder(mmzoo_home, tiny_shapes, tmp_path):
    trained = run("train", "speech", "--decoder", "attention", "--size", "tiny", "--epochs", "1",
                  "--batch-size", "16", "--run-dir", str(tmp_path / "run"))
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert "test: WER " in trained.stdout and "(beam) on 24 examples" in trained.stdout, trained.stdout
    config = TrainConfig.load(tmp_path / "run" / "config.json")
    assert config.task == "shapes_speech_recognition" and config.model_args["decoder"] == "attention"


def test_cli_trains_the_gan_and_the_prebuilt_judge_scores_it(mmzoo_home, tiny_shapes, tmp_path):
    trained = run("train", "generator", "--mode", "gan", "--size", "tiny", "--epochs", "1", "--batch-size", "16",
                  "--run-dir", str(tmp_path / "run"))
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert "test: attribute accuracy " in trained.stdout and ", pixel std across seeds " in trained.stdout
    assert "on 24 examples" in trained.stdout, trained.stdout
    config = TrainConfig.load(tmp_path / "run" / "config.json")
    assert config.task == "shapes_text_to_image" and config.model_args["mode"] == "gan"


def test_cli_train_refuses_unclear_requests(tmp_path):
    cases = [
        (["fusion"], "--task: fusion trains on avdigits, shapes_image_text_matching"),
        (["captioner", "--fusion", "film"], "--fusion: vgg_lstm_captioner has no --fusion (an option of fusion)"),
        (["fusion", "--task", "avdigits", "--attention"], "--attention: fusion_classifier has no --attention"),
        (["captioner", "--decoder", "attention"], "--decoder: vgg_lstm_captioner has no --decoder"),
        (["captioner", "--mode", "gan"], "--mode: vgg_lstm_captioner has no --mode (an option of generator)"),
        (["speech", "--task", "speech_files"], "--task: data_args: speech_files needs splits"),
        (["fusion", "--task", "nope"], "got 'nope'"),
        (["fusion_avdigits", "--task", "avdigits"], "--task: a preset or a config file names its own task"),
        ([], "give a preset, a model family with --task, or --config"),
    ]
    for arguments, message in cases:
        result = run("train", *arguments, "--run-dir", str(tmp_path / "run"))
        assert result.returncode == 2 and message in result.stderr, result.stderr[-2000:]
    assert not (tmp_path / "run").exists()


def test_cli_flags_come_from_the_registry():
    from mmzoo import cli

    parser = cli.build_parser()
    train = parser._subparsers._group_actions[0].choices["train"]
    flags = {flag for action in train._actions for flag in action.option_strings}
    for family in registry.FAMILIES.values():
        assert {option.flag for option in family.options} <= flags
    whats = next(action for action in train._actions if action.dest == "what").choices
    assert set(registry.PRESETS) | {name for name, family in registry.FAMILIES.items() if family.tasks} == set(whats)


def test_cli_distils_a_prebuilt_teacher_into_a_small_student(mmzoo_home, tmp_path):
    student = json.dumps({"fusion": "attention", "width": 16, "image_filters": 8, "recurrent_layers": 0})
    trained = run("distill", "--teacher", "fusion_avdigits", "--student", student, "--epochs", "2",
                  "--temperature", "2", "--run-dir", str(tmp_path / "run"))
    assert trained.returncode == 0, trained.stderr[-3000:]
    config = TrainConfig.load(tmp_path / "run" / "config.json")
    assert config.task == "avdigits" and config.model == "distiller"
    assert (config.model_args["temperature"], config.model_args["alpha"]) == (2.0, 0.5)
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["parameters"] < presets.load_preset("fusion_avdigits").count_params() / 10
    assert metrics["splits"]["test"]["accuracy"] > 0.3, metrics["splits"]["test"]  # chance is 0.1
    assert f"student parameters: {metrics['parameters']:,}" in trained.stdout


def test_cli_distill_refuses_unclear_requests(tmp_path):
    cases = [
        (["--teacher", "nope", "--student", "{}"], "--teacher: 'nope' is neither a prebuilt model nor a .keras"),
        (["--teacher", "fusion_avdigits", "--student", "[1]"], "--student: neither a distilled preset"),
        (["--teacher", "fusion_avdigits", "--student", "distilled_shapes_image_text"],
         "--student: distilled_shapes_image_text learns shapes_image_text_matching; the teacher's task is avdigits"),
    ]
    for arguments, message in cases:
        result = run("distill", *arguments, "--run-dir", str(tmp_path / "run"))
        assert result.returncode == 2 and message in result.stderr, result.stderr[-2000:]
    assert not (tmp_path / "run").exists()
