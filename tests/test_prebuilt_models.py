"""The models shipped in `saved_models/`: intact, their cards agree with their metrics, and each
answers correctly in a fresh process that imports only TensorFlow and TF Text. Models that
read Shapes World images are asked about scenes drawn by `independent_renderer`, which
shares no code with the renderer they were trained on."""

import json

import numpy as np
import pytest
import tensorflow as tf

import mmzoo
from mmzoo import presets
from mmzoo.evaluation import independent_renderer
from mmzoo.export import serving
from mmzoo.training import tasks
from tests.fresh_process import serve_in_fresh_process

SHIPPED = mmzoo.list_presets()
INDEPENDENT_SCENES = 150
# Below the models' own test figures: another renderer's anti-aliasing and colour jitter.
INDEPENDENT_SCENE_ACCURACY = 0.9


@pytest.mark.parametrize("name", SHIPPED)
def test_card_agrees_with_metrics_and_files_are_intact(name):
    directory = presets.serving_dir(name)
    serving.verify_checksums(directory)
    card = presets.model_card(name)
    metrics = json.loads((presets.preset_dir(name) / "metrics.json").read_text())
    assert card["metrics"]["test"]["accuracy"] == metrics["splits"]["test"]["accuracy"]
    assert card["config"] == json.loads((presets.preset_dir(name) / "config.json").read_text())


def _held_out_requests(name, model_inputs):
    """Raw requests and labels: independent-renderer scenes for image-text models, else the
    first examples of the task's test split (unseen voices or speakers)."""
    config = presets.PRESET_CONFIGS[name]
    task = tasks.get_task(config.task)
    if "image" in model_inputs and "text" in model_inputs:
        images, captions, labels = independent_renderer.matching_examples(INDEPENDENT_SCENES, seed=7)
        return {"image": [tf.io.encode_png(image).numpy() for image in images],
                "text": [caption.encode() for caption in captions]}, labels
    features, labels = next(iter(task.dataset("test", 2 * INDEPENDENT_SCENES, shuffle=False, **config.data_args)))
    return serving.encode_raw_inputs(features, model_inputs), labels.numpy()


@pytest.mark.parametrize("name", SHIPPED)
def test_answers_held_out_examples_in_a_fresh_process(name, tmp_path, mmzoo_home):
    card = presets.model_card(name)
    raw, labels = _held_out_requests(name, list(card["inputs"]))
    served = serve_in_fresh_process(presets.serving_dir(name), raw, tmp_path)
    assert "mmzoo" not in served["modules"]  # (TensorFlow itself imports keras for tf.keras)
    accuracy = float(np.mean(np.argmax(served["probabilities"], axis=-1) == labels))
    names = card["task"]["class_names"]
    assert served["class_name"] == [names[i] for i in np.argmax(served["probabilities"], axis=-1)]
    bar = INDEPENDENT_SCENE_ACCURACY if "text" in card["inputs"] and "image" in card["inputs"] \
        else card["metrics"]["test"]["accuracy"] - 0.03
    assert accuracy >= bar, f"{name}: {accuracy:.3f} on held-out examples, expected >= {bar:.3f}"
