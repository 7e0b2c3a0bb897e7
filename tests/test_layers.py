"""The zoo's own layers: what the training-only ones change in training (and that inference is
untouched), and what the grounding layer finds."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from mmzoo.layers.audio import (AdditiveNoise, RandomEqualiser, Reverberation, SpecAugment, SpeedPerturbation,
                                UtteranceNormalization)
from mmzoo.models import encoders
from mmzoo.models.fusion.layers import ModalityDropout, PhraseGrounding
from mmzoo.models.fusion.model import fusion_classifier


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


def _grounding_that_looks_for_the_word_itself(span):
    layer = PhraseGrounding(heads=1, key_dim=4, grid_shape=(4, 4), span=span)
    layer.build(((None, None, 4), (None, 16, 4)))
    kernel = np.zeros((span, 4, 4), "float32")
    kernel[-1] = 10 * np.eye(4)  # the causal kernel's last tap is the word itself
    layer.phrase_queries.set_weights([kernel])
    layer.cell_keys.set_weights([10 * np.eye(4, dtype="float32"), np.zeros(4, "float32")])
    return layer


def test_phrase_grounding_finds_where_the_word_is_and_how_well_it_matches():
    cells = np.zeros((1, 16, 4), "float32")
    cells[0, 1 * 4 + 3, 0] = 1.0  # row 1, column 3 of a 4 x 4 grid
    words = np.array([[[1, 0, 0, 0], [0, 1, 0, 0]]], "float32")  # in the image; nowhere in it
    grounded = _grounding_that_looks_for_the_word_itself(span=1)([words, cells]).numpy()[0]
    match, row, column = grounded[:, 0], grounded[:, 1], grounded[:, 2]
    np.testing.assert_allclose([row[0], column[0]], [-1 / 3, 1.0], atol=1e-3)
    np.testing.assert_allclose([row[1], column[1]], [0.0, 0.0], atol=1e-6)  # nowhere: the grid's centre
    assert match[0] > match[1] + 40


def test_phrase_grounding_reads_only_earlier_words_and_masks_padding():
    layer = _grounding_that_looks_for_the_word_itself(span=3)
    layer.phrase_queries.set_weights([np.random.default_rng(0).normal(size=(3, 4, 4)).astype("float32")])
    cells = np.random.default_rng(1).normal(size=(1, 16, 4)).astype("float32")
    words = np.random.default_rng(2).normal(size=(1, 5, 4)).astype("float32")
    changed_last = words.copy()
    changed_last[0, 4] += 1.0
    mask = np.array([[True, True, True, True, False]])
    grounded = layer([words, cells], mask=[mask, None]).numpy()
    np.testing.assert_allclose(layer([changed_last, cells], mask=[mask, None]).numpy(), grounded, atol=1e-6)
    np.testing.assert_allclose(layer([words[:, :3], cells]).numpy(), grounded[:, :3], atol=1e-6)
    assert layer.compute_mask([words, cells], [mask, None]) is mask


def test_grounding_fusion_is_refused_without_an_image_and_a_text():
    with pytest.raises(ValueError, match="fusion: grounding .* needs modalities image and text"):
        fusion_classifier(("text", "audio"), 2, fusion="grounding", vectorizer=object())


def test_a_residual_bilstm_stack_adds_each_width_wide_input_to_its_output():
    words = np.random.default_rng(0).normal(size=(2, 5, 8)).astype("float32")
    for residual in (False, True):
        inputs = keras.Input((None, 8))
        model = keras.Model(inputs, encoders.bilstm_stack(inputs, 8, 3, "reader", residual=residual))
        for weight in model.weights:  # a zero LSTM outputs zeros: what is left is the residual path
            weight.assign(np.zeros(weight.shape, "float32"))
        expected = words if residual else np.zeros_like(words)
        np.testing.assert_allclose(model(words), expected, atol=1e-6)
        assert sum(isinstance(layer, keras.layers.Add) for layer in model.layers) == (3 if residual else 0)


def _sine(hertz, samples, rate=16000):
    return np.sin(2 * np.pi * hertz * np.arange(samples) / rate).astype("float32")


def _peak_hertz(waveform, rate=16000):
    return np.argmax(np.abs(np.fft.rfft(waveform))) * rate / len(waveform)


def test_speed_perturbation_plays_faster_or_slower_in_training_only():
    waveforms = np.stack([_sine(500, 8000), np.pad(_sine(500, 4000), (0, 4000))])
    lengths = np.array([8000, 4000], "int32")
    for factor in (0.9, 1.1):
        layer = SpeedPerturbation(low=factor, high=factor, seed=0)
        faster, new_lengths = layer([waveforms, lengths], training=True)
        np.testing.assert_array_equal(new_lengths, np.round(lengths / factor).astype(int))
        first = faster.numpy()[0, :new_lengths[0]]
        assert abs(_peak_hertz(first) - 500 * factor) < 5
        assert not faster.numpy()[1, new_lengths[1]:].any()  # past the new end: zeros
    same, same_lengths = SpeedPerturbation(seed=0)([waveforms, lengths])
    np.testing.assert_array_equal(same, waveforms)
    np.testing.assert_array_equal(same_lengths, lengths)


def test_reverberation_adds_a_decaying_tail_at_the_same_level():
    click = np.zeros((1, 16000), "float32")
    click[0, 100] = 1.0
    reverberant = Reverberation(min_rt60=0.3, max_rt60=0.3, rate=1.0, seed=0)(click, training=True).numpy()[0]
    rms = lambda x: np.sqrt(np.mean(np.square(x)))
    np.testing.assert_allclose(rms(reverberant), rms(click), rtol=1e-4)
    tail = np.abs(reverberant[101:101 + 4800])
    assert tail[:800].mean() > 10 * tail[-800:].mean() > 0  # energy that dies away
    np.testing.assert_array_equal(Reverberation(seed=0)(click), click)


def test_additive_noise_meets_its_snr_over_the_utterance_and_leaves_the_padding_silent():
    waveforms = np.stack([_sine(300, 16000), np.pad(0.1 * _sine(300, 8000), (0, 8000))])
    lengths = np.array([16000, 8000], "int32")
    noisy = AdditiveNoise(min_snr_db=10.0, max_snr_db=10.0, rate=1.0, seed=0)([waveforms, lengths],
                                                                             training=True).numpy()
    for row, length in enumerate(lengths):
        noise = noisy[row, :length] - waveforms[row, :length]
        snr = 10 * np.log10(np.mean(waveforms[row, :length] ** 2) / np.mean(noise ** 2))
        assert abs(snr - 10.0) < 0.01
    assert not noisy[1, 8000:].any()
    np.testing.assert_array_equal(AdditiveNoise(seed=0)([waveforms, lengths]), waveforms)


def test_random_equaliser_colours_the_spectrum_within_its_gains():
    rng = np.random.default_rng(0)
    waveform = rng.normal(size=(1, 16000)).astype("float32")
    equalised = RandomEqualiser(max_gain_db=6.0, rate=1.0, seed=0)(waveform, training=True).numpy()
    ratio_db = 20 * np.log10(np.abs(np.fft.rfft(equalised[0])) / np.abs(np.fft.rfft(waveform[0])))
    assert np.abs(ratio_db).max() <= 6.0 + 1e-3 and np.ptp(ratio_db) > 1.0
    np.testing.assert_array_equal(RandomEqualiser(seed=0)(waveform), waveform)


def test_vocal_tract_warp_moves_a_formant_by_its_factor_in_training_only():
    from mmzoo.data.preprocessing import LogMelSpectrogram
    from mmzoo.layers.audio import VocalTractWarp

    log_mel = LogMelSpectrogram(num_mel_bins=80)
    tones = np.stack([np.sin(2 * np.pi * hertz * np.arange(8000) / 16000) for hertz in (1000, 1100, 909)])
    features = log_mel(tones.astype("float32")).numpy()
    peak = features.mean(axis=1).argmax(axis=-1)  # the bins of 1000, 1100 and 909 Hz
    for factor, expected in ((1.1, peak[1]), (1 / 1.1, peak[2])):
        warped = VocalTractWarp(low=factor, high=factor, seed=0)(features[:1], training=True).numpy()
        assert abs(int(warped.mean(axis=1).argmax()) - int(expected)) <= 1
    assert features[0].mean(axis=0).argmax() not in (peak[1], peak[2])
    np.testing.assert_array_equal(VocalTractWarp(seed=0)(features), features)
    edges = VocalTractWarp(low=0.5, high=0.5, seed=0)(features, training=True).numpy()
    np.testing.assert_allclose(edges[..., -1], edges[..., -2])  # past the top, the top bin repeated


def test_utterance_normalization_removes_gain_and_channel_colouring_and_ignores_padding():
    from mmzoo.data.preprocessing import LogMelSpectrogram

    rng = np.random.default_rng(0)
    speech_like = (rng.normal(size=8000) * np.abs(np.sin(np.arange(8000) / 700))).astype("float32")
    coloured = RandomEqualiser(max_gain_db=12.0, bands=2, rate=1.0, seed=3)(speech_like[None] * 4.0,
                                                                             training=True).numpy()[0]
    log_mel = LogMelSpectrogram(num_mel_bins=20)
    normalize = UtteranceNormalization(samples_per_frame=160)
    batch = np.zeros((3, 12000), "float32")
    batch[0, :8000], batch[1, :8000], batch[2] = speech_like, coloured, rng.normal(size=12000)
    lengths = np.array([8000, 8000, 12000], "int32")
    features = normalize([log_mel(batch), lengths]).numpy()
    alone = normalize([log_mel(speech_like[None]), lengths[:1]]).numpy()[0]
    np.testing.assert_allclose(features[0, :50], alone[:50], atol=1e-3)  # the padding does not count
    assert not features[0, 50:].any()
    # A gain and a two-band tilt are close to constant offsets of the log-mel: most of them go.
    assert np.abs(features[1, :50] - features[0, :50]).mean() < 0.25 * np.abs(features[0, :50]).mean()


def test_trim_silence_cuts_each_waveform_to_its_speech_and_alone_as_in_a_batch():
    from mmzoo.layers.audio import TrimSilence

    rng = np.random.default_rng(0)
    burst = (0.3 * np.sin(2 * np.pi * 220 * np.arange(4800) / 16000)).astype("float32")  # 300 ms
    quiet = rng.normal(0, 1e-4, 3200).astype("float32")  # 200 ms, 70 dB under the burst
    padded = np.concatenate([quiet, burst, quiet])
    audio = np.zeros((2, len(padded) + 800), "float32")
    audio[0, :len(padded)] = padded
    audio[1, :len(burst)] = burst
    lengths = np.array([len(padded), len(burst)], "int32")
    trim = TrimSilence(margin_ms=30.0)
    trimmed, new_lengths = (t.numpy() for t in trim([audio, lengths]))
    assert trimmed.shape == audio.shape
    assert abs(new_lengths[0] - (4800 + 2 * 480)) <= 160  # the burst and a margin each side, to a frame
    assert new_lengths[1] == len(burst)  # speech from the first sample to the last: nothing to cut
    np.testing.assert_array_equal(trimmed[1, :len(burst)], burst)
    start = 3200 - 480
    np.testing.assert_array_equal(trimmed[0, :new_lengths[0]], padded[start:start + new_lengths[0]])
    assert not trimmed[0, new_lengths[0]:].any() and not trimmed[1, new_lengths[1]:].any()
    alone, alone_length = trim([audio[:1, :len(padded)], lengths[:1]])
    assert alone_length.numpy()[0] == new_lengths[0]
    np.testing.assert_array_equal(alone.numpy()[0], trimmed[0, :len(padded)])
    _, silent_length = trim([np.zeros((1, 1600), "float32"), np.array([1600], "int32")])
    assert 0 < silent_length.numpy()[0] <= 1600  # all silence: kept, nothing to find
