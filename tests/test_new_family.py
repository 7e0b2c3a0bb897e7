"""A new model family is one folder and one registration line: the toy family of
tests/toy_family (builder, custom layer, task, preset) joins the zoo by `register_family` alone,
and then trains through the shared trainer and the command line, exports, serves and loads."""

import dataclasses
import json

import numpy as np
import pytest

from mmzoo import cli, registry, saving
from mmzoo.export.runs import export_run
from mmzoo.training.trainer import train
from tests.fresh_process import serve_in_fresh_process


@pytest.fixture
def toy_family(monkeypatch):
    """The toy family registered for one test, the registry as it was afterwards."""
    monkeypatch.setattr(registry, "FAMILIES", dict(registry.FAMILIES))
    monkeypatch.setattr(registry, "PRESETS", dict(registry.PRESETS))
    from tests import toy_family

    registry.register_family(toy_family.FAMILY)  # the one line a new family needs
    return toy_family


def test_a_new_family_trains_exports_and_serves_by_its_registration_alone(toy_family, tmp_path):
    config = dataclasses.replace(registry.preset_config("toy_red_spotter"), epochs=1, steps_per_epoch=2)
    metrics = train(config, tmp_path / "run", verbose=0)
    assert metrics["epochs_run_this_session"] == 1 and metrics["splits"]["test"]["examples"] == 96

    exported = export_run(tmp_path / "run", tmp_path / "export", "toy")
    card = json.loads((exported / saving.CARD).read_text())
    assert card["architecture"] == "toy_word_spotter" and card["task"]["class_names"] == ["no", "yes"]
    loaded = saving.load_keras_model(exported.parent / "model.keras")  # safe_mode: its layer is registered
    assert loaded.get_layer("pooled").__class__ is toy_family.model.MaskedPooling

    texts = ["red blue", "green yellow", "purple red green"]
    served = serve_in_fresh_process(exported, {"text": [t.encode() for t in texts]}, tmp_path)
    assert "mmzoo" not in served["modules"]
    np.testing.assert_allclose(served["probabilities"], loaded({"text": np.array(texts)}), atol=1e-5)
    assert served["class_name"] == [["no", "yes"][i] for i in np.argmax(served["probabilities"], -1)]


def test_the_command_line_trains_a_new_family_with_its_own_option(toy_family, tmp_path, capsys):
    code = cli.main(["train", "toy", "--pooling", "max", "--epochs", "1", "--run-dir", str(tmp_path / "run")])
    assert code == 0
    assert "test: accuracy " in capsys.readouterr().out
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["model"] == "toy_word_spotter" and config["model_args"]["pooling"] == "max"
    assert cli.main(["train", "toy", "--fusion", "film", "--run-dir", str(tmp_path / "other")]) == 2
    assert "--fusion: toy_word_spotter has no --fusion" in capsys.readouterr().err
