"""The training-only layers: what they change in training, and that inference is untouched."""

import numpy as np
import pytest
import tensorflow as tf

from mmzoo.models.fusion import fusion_classifier
from mmzoo.models.layers import ModalityDropout, SpecAugment


def test_spec_augment_masks_bands_and_spans_in_training_only():
    features = tf.random.stateless_normal((8, 100, 64), seed=(1, 2)) + 5.0  # no zeros of its own
    layer = SpecAugment(frequency_masks=1, max_frequency_width=8, time_masks=1, max_time_width=10,
                        max_mel_shift=0, seed=3)
    np.testing.assert_array_equal(layer(features).numpy(), features.numpy())
    augmented = layer(features, training=True).numpy()
    zeroed = augmented == 0
    assert zeroed.any()
    for example in zeroed:
        bins = example.all(axis=0).sum()  # a masked band is zero in every frame
        frames = example.all(axis=1).sum()
        assert bins <= 8 and frames <= 10
        assert (example == (example.all(axis=0)[None, :] | example.all(axis=1)[:, None])).all()
    kept = ~zeroed
    np.testing.assert_array_equal(augmented[kept], features.numpy()[kept])


def test_spec_augment_mel_shift_moves_the_mel_axis():
    ramp = tf.tile(tf.range(64, dtype=tf.float32)[None, None, :], (16, 5, 1))
    layer = SpecAugment(frequency_masks=0, time_masks=0, max_mel_shift=3, seed=0)
    shifted = layer(ramp, training=True).numpy()
    shifts = shifted[:, 0, 32] - 32.0  # away from the edges, each example is the ramp moved by its shift
    assert set(np.unique(-shifts)) <= set(range(-3, 4)) and len(np.unique(shifts)) > 1
    for example, shift in zip(shifted, shifts):
        np.testing.assert_array_equal(example[:, 3:61], ramp.numpy()[0, :, 3:61] + shift)


def test_modality_dropout_zeroes_one_modality_never_all_and_only_in_training():
    vectors = [tf.ones((4000, 3)), 2 * tf.ones((4000, 5))]
    layer = ModalityDropout(0.3, seed=0)
    for kept, given in zip(layer(vectors), vectors):
        np.testing.assert_array_equal(kept.numpy(), given.numpy())
    image, audio = (v.numpy() for v in layer(vectors, training=True))
    image_dropped, audio_dropped = (image == 0).all(axis=1), (audio == 0).all(axis=1)
    assert not (image_dropped & audio_dropped).any()
    assert abs((image_dropped | audio_dropped).mean() - 0.3) < 0.03
    assert abs(image_dropped.mean() - audio_dropped.mean()) < 0.04
    assert ((image == 0) == image_dropped[:, None]).all()  # a whole vector or nothing


def test_modality_dropout_is_refused_where_it_would_do_nothing():
    with pytest.raises(ValueError, match="modality_dropout: .* late fusion does not combine"):
        fusion_classifier(("image", "audio"), 10, fusion="late", image_shape=(32, 32, 1), modality_dropout=0.3)
    model = fusion_classifier(("image",), 10, fusion="late", image_shape=(32, 32, 1), modality_dropout=0.3)
    assert "modality_dropout" not in [layer.name for layer in model.layers]
