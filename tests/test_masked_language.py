"""The masked language model: BERT's masking, pretraining on captions, the TF Hub-style pair in a
fresh process, and the classifier and dual encoder started from the pretrained encoder."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from mmzoo.config import TrainConfig
from mmzoo.data.wordpiece import WordPieceVectorization
from mmzoo.errors import InvalidInputError
from mmzoo.export.hub import export_hub_pair
from mmzoo.models import encoders
from mmzoo.models.masked_language.layers import OneSegment, TokenMasking
from mmzoo.training.trainer import build_model, train
from mmzoo import registry
from tests.fresh_process import load_hub_pair_in_fresh_process

TINY_BOTH = {"size": "tiny", "language": "both"}
STARTED = {"image_filters": 8, "tokenizer": "wordpiece", "text_architecture": "transformer"}


def test_masking_chooses_pieces_never_padding_at_least_one_each_and_replaces_as_bert_does():
    masking = TokenMasking(1000, mask_id=4, first_regular_id=5, rate=0.15)
    ids = np.zeros((4000, 12), "int64")
    ids[:, :8] = np.random.default_rng(0).integers(5, 1000, (4000, 8))
    ids[:, 1] = 7
    read, chosen = (np.asarray(x) for x in masking.choose(tf.constant(ids), 3))
    assert chosen[:, 8:].sum() == 0 and (chosen.sum(axis=1) >= 1).all()
    assert 0.15 <= chosen[:, :8].mean() <= 0.2  # 15% and the one each caption is given
    picked = chosen.astype(bool)
    masked, kept = (read[picked] == 4).mean(), (read[picked] == ids[picked]).mean()
    assert 0.77 < masked < 0.83 and 0.08 < kept < 0.13  # 80% [MASK]; 10% kept (and a random one may be itself)
    assert (read[~picked] == ids[~picked]).all()
    again, _ = masking.choose(tf.constant(ids), 3)
    np.testing.assert_array_equal(again, read)
    untouched, nothing = masking(tf.constant(ids), training=False)
    np.testing.assert_array_equal(untouched, ids)
    assert not np.asarray(nothing).any()


def test_the_encoder_refuses_a_second_segment_naming_the_input_and_item():
    ids = tf.constant([[7, 8, 0], [6, 5, 0]])
    mask = tf.cast(ids > 0, tf.int32)
    np.testing.assert_array_equal(OneSegment()([ids, mask, tf.zeros_like(ids)]), ids)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"input_type_ids: one segment only .*item 1 of the"):
        OneSegment()([ids, mask, tf.constant([[0, 0, 0], [0, 1, 0]])])


@pytest.fixture(scope="module")
def pretrained(tiny_shapes, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("masked_language")
    config = TrainConfig(model="masked_language_model", task="shapes_masked_captions", data_args=TINY_BOTH,
                         model_args={"width": 32}, epochs=3, batch_size=16, monitor="val_loss")
    metrics = train(config, run_dir, verbose=0)
    registry.import_builders()
    return {"dir": run_dir, "metrics": metrics, "model": keras.saving.load_model(run_dir / "model.keras")}


def test_pretraining_lowers_the_masked_loss_and_is_scored_on_fixed_masks(pretrained):
    losses = [float(row.split(",")[1]) for row in (pretrained["dir"] / "history.csv").read_text().splitlines()[1:]]
    assert len(losses) == 3 and losses[-1] < losses[0]
    test = pretrained["metrics"]["splits"]["test"]  # each language apart
    for language in ("en", "zh"):
        figures = test["languages"][language]
        assert figures["masked_pieces"] > 0 and 0.0 <= figures["masked_piece_accuracy"] <= 1.0


def test_the_tf_hub_pair_loads_in_a_fresh_process_with_hub_load_and_as_tfsm_layers(pretrained, tmp_path):
    export_hub_pair(pretrained["model"], tmp_path / "hub")
    texts = ["a large red circle", "一个大的红色圆形", "a purplish hexagon"]
    loaded = load_hub_pair_in_fresh_process(tmp_path / "hub", texts, tmp_path)
    assert "mmzoo" not in loaded["modules"]
    model = pretrained["model"]
    inputs = model.encoder_inputs(model.vectorizer(tf.constant(texts)))
    for name, value in inputs.items():
        np.testing.assert_array_equal(loaded["inputs"][name], value)
    assert (np.asarray(loaded["inputs"]["input_mask"]).sum(axis=1) > 0).all()  # unknown words answered
    expected = model.encoder(inputs)
    for outputs in (loaded["hub"], loaded["layers"]):
        for name in ("pooled_output", "sequence_output"):
            np.testing.assert_allclose(outputs[name], expected[name], rtol=1e-4, atol=1e-5)


def test_a_classifier_and_a_dual_encoder_start_their_text_side_from_the_encoder(pretrained):
    encoder = pretrained["model"].encoder
    for model_name, task, extra in (("fusion_classifier", "shapes_image_text_matching", {"fusion": "concat"}),
                                    ("dual_encoder", "shapes_image_text_retrieval", {"projection_dim": 8})):
        config = TrainConfig(model=model_name, task=task, data_args=TINY_BOTH, model_args={
            **STARTED, **extra, "width": 16, "initial_text_encoder": str(pretrained["dir"] / "model.keras")})
        with pytest.raises(InvalidInputError, match="layer text_input_projection: weights of shapes"):
            build_model(config, registry.get_task(task))  # 16 wide here, 32 pretrained
        config.model_args["width"] = 32
        started = build_model(config, registry.get_task(task))
        layers = {layer.name: layer for layer in encoders.layers_within(started)}
        for name in ("text_embedding", "text_block0_attention", "text_positions"):
            for got, wanted in zip(layers[name].get_weights(), encoder.get_layer(name).get_weights(), strict=True):
                np.testing.assert_array_equal(got, wanted)
        vectorizers = [layer for layer in layers.values() if isinstance(layer, WordPieceVectorization)]
        assert vectorizers and all(v.get_vocabulary() == pretrained["model"].vectorizer.get_vocabulary()
                                   for v in vectorizers)
    with pytest.raises(InvalidInputError, match="initial_text_encoder: starts a Transformer text encoder"):
        build_model(TrainConfig(model="dual_encoder", task="shapes_image_text_retrieval", data_args=TINY_BOTH,
                                model_args={**STARTED, "text_architecture": "lstm",
                                            "initial_text_encoder": str(pretrained["dir"] / "model.keras")}),
                    registry.get_task("shapes_image_text_retrieval"))
