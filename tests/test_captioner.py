"""The captioner's pieces: teacher forcing lines up with the targets, the loss ignores padding
and weighs each caption the same, and VGG16 takes its weights from a local file."""

import keras
import numpy as np
import tensorflow as tf

from mmzoo.data import preprocessing
from mmzoo.models import teacher_forcing
from mmzoo.models.captioner import model as captioner

CAPTIONS = ["a small red circle", "a large blue square left of a small red circle"]


def _vectorizer():
    return preprocessing.text_vectorizer(CAPTIONS, sequence_length=12, on_unknown="unk", name="caption_vectorizer")


def test_the_model_reads_the_words_before_each_target():
    vectorizer = _vectorizer()
    special = captioner.special_token_ids(vectorizer)
    tokens = vectorizer(tf.constant(CAPTIONS)).numpy()
    previous = teacher_forcing.ShiftRight(special["start"])(tokens).numpy()
    targets = captioner.caption_targets(vectorizer)(tf.constant(CAPTIONS)).numpy()
    for row, caption in enumerate(CAPTIONS):
        length = len(caption.split())
        assert previous[row, 0] == special["start"]
        np.testing.assert_array_equal(previous[row, 1:length + 1], tokens[row, :length])
        np.testing.assert_array_equal(targets[row, :length], tokens[row, :length])
        assert targets[row, length] == special["end"]
        assert not previous[row, length + 1:].any() and not targets[row, length + 1:].any()


def test_caption_loss_ignores_padding_and_averages_per_caption():
    targets = tf.constant([[3, 4, 9, 0, 0], [5, 9, 0, 0, 0]])
    logits = tf.random.stateless_normal((2, 5, 10), seed=(0, 1))
    per_token = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits).numpy()
    expected = [per_token[0, :3].mean(), per_token[1, :2].mean()]
    np.testing.assert_allclose(teacher_forcing.sequence_loss(targets, logits), expected, rtol=1e-6)
    changed_padding = tf.concat([logits[:, :3], logits[:, 3:] + 5.0], axis=1)
    np.testing.assert_allclose(teacher_forcing.sequence_loss(targets, changed_padding)[0], expected[0], rtol=1e-6)


def test_vgg16_encoder_loads_weights_from_a_local_file(tmp_path):
    reference = keras.applications.VGG16(include_top=False, weights=None, input_shape=(64, 64, 3))
    reference.save_weights(tmp_path / "vgg16_notop.weights.h5")
    model = captioner.vgg_lstm_captioner(_vectorizer(), encoder="vgg16", width=16, embedding_dim=8,
                                         vgg16_weights=str(tmp_path / "vgg16_notop.weights.h5"))
    backbone = model.get_layer("vgg16_backbone")
    for loaded, saved in zip(backbone.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(loaded, saved)
    decoded = captioner.CaptionDecoder(model)(tf.zeros((2, 64, 64, 3)), beam_width=2)
    assert decoded["caption"].shape == (2,)


def test_independent_references_agree_with_the_data_set(mmzoo_home):
    from mmzoo.data import views
    from mmzoo.evaluation import independent_renderer

    records = views.shapes_world_records("validation", "scenes", "tiny").take(20)
    for record in records.as_numpy_iterator():
        annotation = {key: [v.decode() for v in record[key]] for key in ("shapes", "colours", "sizes")}
        annotation["relation"] = record["relation"].decode()
        expected = sorted(r.decode() for r in record["references"])
        assert sorted(independent_renderer.reference_captions(annotation)) == expected


def _weights_after_training(logical_cpus, *flags):
    from tests.replica_worker import run_worker

    weights = run_worker("caption_loss_worker.py", None, logical_cpus, *flags, timeout=300)["weights"]
    return np.concatenate([np.ravel(w) for w in weights])


def test_caption_loss_trains_alike_on_one_and_two_replicas_where_a_token_mean_does_not():
    one, two = _weights_after_training(1), _weights_after_training(2)
    np.testing.assert_allclose(two, one, atol=1e-5)
    token_one, token_two = _weights_after_training(1, "--token-mean"), _weights_after_training(2, "--token-mean")
    assert np.abs(token_two - token_one).max() > 1e-3


def test_attention_maps_are_distributions_over_the_grid_and_need_attention():
    import pytest

    captions = tf.constant(["a small red circle"])
    for encoder, grid in (("compact", 8), ("vgg16", 2)):
        model = captioner.vgg_lstm_captioner(_vectorizer(), encoder=encoder, width=16, embedding_dim=8, attention=True)
        maps = captioner.attention_maps(model, tf.zeros((1, 64, 64, 3)), captions).numpy()
        assert maps.shape == (1, 5, grid, grid)  # four words and the end token
        np.testing.assert_allclose(maps.sum(axis=(2, 3)), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="built without attention"):
        captioner.attention_maps(captioner.vgg_lstm_captioner(_vectorizer(), width=16), tf.zeros((1, 64, 64, 3)),
                                 captions)
