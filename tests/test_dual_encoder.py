"""The CLIP-style dual encoder: its contrastive loss, its training on several replicas, retrieval
metrics, fine-tuning a fusion classifier from its towers, and its encoders reused as modules."""

import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from mmzoo import registry
from mmzoo.config import TrainConfig
from mmzoo.data import preprocessing, views
from mmzoo.errors import InvalidInputError
from mmzoo.evaluation import retrieval
from mmzoo.export import serving
from mmzoo.models.dual_encoder import model as dual_encoder
from mmzoo.training.trainer import build_model
from tests.fresh_process import reuse_encoders_in_fresh_process
from tests.replica_worker import ROOT, run_worker

TINY = {"size": "tiny"}


def _toy_dual_encoder(temperature=0.5):
    def tower(name, seed):
        keras.utils.set_random_seed(seed)
        inputs = keras.Input((4,), name=name)
        return keras.Model(inputs, keras.layers.UnitNormalization()(keras.layers.Dense(3)(inputs)), name=f"{name}_encoder")

    return dual_encoder.DualEncoder(tower("image", 1), tower("text", 2), initial_temperature=temperature)


def test_the_loss_is_the_symmetric_cross_entropy_with_every_same_caption_a_positive():
    model = _toy_dual_encoder()
    rng = np.random.default_rng(0)
    x = {"image": rng.normal(size=(5, 4)).astype("float32"), "text": rng.normal(size=(5, 4)).astype("float32")}
    ids = np.array([7, 3, 7, 9, 1])  # examples 0 and 2 share a caption
    outputs = model(x)
    loss = float(model.compute_loss(x, ids, outputs))

    images, texts = outputs["image_embedding"].numpy(), outputs["text_embedding"].numpy()
    targets = (ids[:, None] == ids[None, :]).astype("float64")
    targets /= targets.sum(axis=1, keepdims=True)

    def cross_entropy(logits):
        log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return -(targets * log_softmax).sum(axis=1).mean()

    scale = 1 / 0.5
    expected = (cross_entropy(scale * images @ texts.T) + cross_entropy(scale * texts @ images.T)) / 2
    assert loss == pytest.approx(expected, rel=1e-5)
    assert targets[0, 2] == 0.5  # not a negative


def test_the_learned_temperature_starts_where_asked_and_is_capped():
    scale = dual_encoder.LogitScale(initial_temperature=0.07, maximum=100.0)
    batch = np.zeros((2, 3), "float32")
    np.testing.assert_allclose(scale(batch), np.full((2, 1), 1 / 0.07), rtol=1e-5)
    scale.log_scale.assign(10.0)
    np.testing.assert_allclose(scale(batch), np.full((2, 1), 100.0), rtol=1e-5)


def _worker_run(run_dir, logical_cpus, *flags):
    return run_worker("dual_encoder_worker.py", run_dir, logical_cpus, *flags)


def test_negatives_gathered_across_replicas_train_alike_on_one_and_two(tmp_path):
    one, two = _worker_run(tmp_path / "one", 1), _worker_run(tmp_path / "two", 2)
    assert (one["replicas"], two["replicas"]) == (1, 2)
    assert np.abs(np.subtract(one["weights"], two["weights"])).max() < 1e-4
    # The check can fail: each replica with only its own batch as negatives trains otherwise.
    local = _worker_run(tmp_path / "local", 2, "--local-negatives")
    assert np.abs(np.subtract(one["weights"], local["weights"])).max() > 1e-2


def test_recall_counts_a_scene_with_the_same_or_the_mirrored_caption_as_right():
    captions = ["a small red circle left of a large blue square", "a large blue square right of a small red circle",
                "a large red circle"]
    references = [{captions[0], captions[1]}, {captions[1], captions[0]}, {captions[2]}]
    images = np.eye(3, dtype="float32")
    texts = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 1]], "float32")  # caption 0 finds scene 1, its mirror
    metrics = retrieval.retrieval_metrics(images, texts, captions, references)
    assert metrics["text_to_image"]["recall_at_1"] == 0.6667  # caption 1 found scene 2: wrong
    # Image 2 is as near captions 1 and 2; a tie goes to the first, which does not describe it.
    assert metrics["image_to_text"] == {"recall_at_1": 0.6667, "recall_at_5": 1.0, "recall_at_10": 1.0}
    assert retrieval.recall_at_k(np.array([[0.9, 0.1, 0.5]]), np.array([[False, False, True]]), (1, 2)) == {
        "recall_at_1": 0.0, "recall_at_2": 1.0}


def test_zero_shot_prompts_cover_the_other_attributes():
    prompts = retrieval.attribute_prompts("colour")
    assert list(prompts) == list(retrieval.COLOURS)
    assert len(prompts["red"]) == 2 * 3 and "a small red triangle" in prompts["red"]


@pytest.fixture(scope="module")
def tiny_dual_encoder(tiny_shapes, tmp_path_factory):
    config = TrainConfig(model="dual_encoder", task="shapes_image_text_retrieval", data_args=TINY,
                         model_args={"width": 16, "projection_dim": 8, "image_filters": 8})
    task = registry.get_task(config.task)
    keras.utils.set_random_seed(0)
    model = build_model(config, task)
    model.compile(optimizer="adam")
    model.fit(task.dataset("train", 8, **TINY).take(2), verbose=0)
    path = tmp_path_factory.mktemp("dual_encoder") / "model.keras"
    model.save(path)
    return {"model": model, "path": path, "task": task}


def test_evaluation_reports_recall_both_ways_and_zero_shot_accuracy(tiny_dual_encoder):
    metrics = tiny_dual_encoder["task"].evaluate(tiny_dual_encoder["model"], "test", 8, **TINY)
    scenes = views.labelled_scenes("test", size="tiny")
    assert metrics["examples"] == min(scenes, retrieval.RETRIEVAL_POOL)
    for direction in ("text_to_image", "image_to_text"):
        recalls = [metrics[direction][f"recall_at_{k}"] for k in retrieval.RECALL_AT]
        assert recalls == sorted(recalls) and 0 <= recalls[0] <= 1
    assert set(metrics["zero_shot"]) == {"examples", "size", "colour", "shape"}


def _fusion(width=16, image_filters=8, initial_encoders=None, data_args=TINY):
    config = TrainConfig(model="fusion_classifier", task="shapes_image_text_matching", data_args=data_args,
                         model_args={"fusion": "concat", "interaction": True, "width": width,
                                     "image_filters": image_filters, "initial_encoders": initial_encoders})
    return build_model(config, registry.get_task(config.task))


def test_a_fusion_classifier_starts_from_the_dual_encoders_towers(tiny_dual_encoder):
    pretrained = tiny_dual_encoder["model"]
    model = _fusion(initial_encoders=str(tiny_dual_encoder["path"]))
    scratch = _fusion()
    copied = dual_encoder.copy_encoder_weights(pretrained, scratch)
    assert {"image_stem", "image_block1_conv", "image_vector", "text_embedding", "text_summary"} <= set(copied)
    for name in copied:
        layer = model.get_layer(name)
        source = (pretrained.image_encoder if name.startswith("image") else pretrained.text_encoder).get_layer(name)
        for got, wanted in zip(layer.get_weights(), source.get_weights(), strict=True):
            np.testing.assert_array_equal(got, wanted)
    assert not any(name.startswith("fusion") for name in copied)  # the head is new
    with pytest.raises(InvalidInputError, match="image_stem: weights of shapes"):
        _fusion(image_filters=4, initial_encoders=tiny_dual_encoder["path"])
    with pytest.raises(InvalidInputError, match="initial_encoders.*not a dual encoder|no such .keras"):
        _fusion(initial_encoders=str(tiny_dual_encoder["path"]) + ".missing.keras")


def test_a_label_fraction_keeps_the_first_scenes_of_train_only(tiny_shapes):
    task = registry.get_task("shapes_image_text_matching")
    scenes = views.labelled_scenes("train", size="tiny")
    assert task.count("train", label_fraction=0.25, **TINY) == 2 * round(scenes / 4)
    assert task.count("test", label_fraction=0.25, **TINY) == task.count("test", **TINY)
    batches = list(task.dataset("train", 4, shuffle=False, label_fraction=0.25, **TINY))
    assert sum(len(labels) for _, labels in batches) == 2 * round(scenes / 4)
    with pytest.raises(ValueError, match="label_fraction"):
        task.count("train", label_fraction=0.0, **TINY)


def test_the_exported_encoders_load_with_hub_and_as_a_keras_layer_in_a_fresh_process(tiny_dual_encoder, tmp_path):
    model, task = tiny_dual_encoder["model"], tiny_dual_encoder["task"]
    exported = serving.export_saved_model(model, tmp_path, "dual_encoder", signatures=task.serving_signatures(model))
    features, _ = next(iter(task.dataset("test", 3, shuffle=False, **TINY)))
    texts = [t.decode() for t in features["text"].numpy()]
    pngs = preprocessing.encode_pngs(features["image"]).numpy()
    fresh = reuse_encoders_in_fresh_process(exported, texts, pngs, tmp_path)
    assert "mmzoo" not in fresh["modules"]
    decoded = tf.stack([tf.io.decode_png(p) for p in pngs])
    expected_images = model.image_encoder(tf.cast(decoded, "float32") / 255.0).numpy()
    expected_texts = model.text_encoder(tf.constant(texts)).numpy()
    np.testing.assert_allclose(fresh["hub"]["text"], expected_texts, atol=1e-5)
    np.testing.assert_allclose(fresh["layer"], expected_texts, atol=1e-5)
    np.testing.assert_allclose(fresh["hub"]["image"], expected_images, atol=1e-5)
    served = tf.saved_model.load(str(exported)).signatures
    with pytest.raises(tf.errors.InvalidArgumentError, match="image: not an encoded image"):
        served["embed_image"](image=tf.constant([b"not a picture"]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="outside the vocabulary"):
        served["embed_text"](text=tf.constant(["a large pink circle"]))


def _mmzoo(*args):
    return subprocess.run([sys.executable, "-m", "mmzoo.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)


def test_search_ranks_a_folder_of_images_and_names_what_is_wrong(tiny_dual_encoder, tmp_path):
    model, task = tiny_dual_encoder["model"], tiny_dual_encoder["task"]
    exported = serving.export_saved_model(model, tmp_path / "export", "dual_encoder",
                                          signatures=task.serving_signatures(model))
    features, _ = next(iter(task.dataset("test", 4, shuffle=False, **TINY)))
    folder = tmp_path / "images"
    folder.mkdir()
    for number, png in enumerate(preprocessing.encode_pngs(features["image"]).numpy()):
        (folder / f"scene{number}.png").write_bytes(png)
    (folder / "notes.txt").write_text("not an image: skipped by its suffix")
    query = features["text"].numpy()[0].decode()
    found = _mmzoo("search", "--text", query, "--images", str(folder), "--model", str(exported), "--top", "3")
    assert found.returncode == 0, found.stderr[-2000:]
    answer = json.loads(found.stdout)
    expected = model.image_encoder(features["image"]).numpy() @ model.text_encoder(tf.constant([query])).numpy()[0]
    assert answer["images"] == 4
    assert [Path(r["image"]).name for r in answer["ranking"]] == [f"scene{i}.png" for i in np.argsort(-expected)[:3]]
    np.testing.assert_allclose([r["similarity"] for r in answer["ranking"]], np.sort(expected)[::-1][:3], atol=1e-3)

    unknown_word = _mmzoo("search", "--text", "a large pink circle", "--images", str(folder), "--model", str(exported))
    assert unknown_word.returncode == 2 and "--text" in unknown_word.stderr and "vocabulary" in unknown_word.stderr
    (folder / "broken.png").write_bytes(b"not a picture")
    broken = _mmzoo("search", "--text", query, "--images", str(folder), "--model", str(exported))
    assert broken.returncode == 2 and "broken.png" in broken.stderr and "not an encoded image" in broken.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = _mmzoo("search", "--text", query, "--images", str(empty), "--model", str(exported))
    assert nothing.returncode == 2 and "no images" in nothing.stderr
    not_a_dual_encoder = _mmzoo("search", "--text", query, "--images", str(folder), "--model", str(tmp_path))
    assert not_a_dual_encoder.returncode == 2 and "neither a preset name nor a SavedModel" in not_a_dual_encoder.stderr
