"""Audio layers the zoo's encoders share: masks from waveform lengths, and the augmentations
that run in training only. Registered and serializable (`safe_mode` loads, no Lambda layers)."""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="mmzoo")
class LengthMask(keras.layers.Layer):
    """Marks the frames of zero-padded audio as masked, from the waveform lengths.

    Inputs: features [batch, frames, channels] computed from waveforms, and the waveforms'
    lengths [batch] in samples; `samples_per_frame` is the hop of the features.
    """

    def __init__(self, samples_per_frame, **kwargs):
        super().__init__(**kwargs)
        self.samples_per_frame = samples_per_frame
        self.supports_masking = True

    def call(self, inputs):
        return inputs[0]

    def compute_mask(self, inputs, mask=None):
        features, lengths = inputs
        ops = keras.ops  # called on symbolic tensors too, while the functional model is built
        frames = -(-ops.cast(ops.reshape(lengths, (-1,)), "int32") // self.samples_per_frame)
        positions = ops.cumsum(ops.ones_like(features[:, :, 0], dtype="int32"), axis=1) - 1
        return positions < ops.maximum(frames, 1)[:, None]

    def compute_output_shape(self, input_shapes):
        return input_shapes[0]

    def get_config(self):
        return {**super().get_config(), "samples_per_frame": self.samples_per_frame}


@keras.saving.register_keras_serializable(package="mmzoo")
class ZeroPastLength(keras.layers.Layer):
    """Sets the frames of zero-padded audio to zero, from the waveforms' lengths, so that a
    convolution over the frames sees past a waveform's end what its own zero padding would
    give: a waveform's features do not depend on how long the others in its batch are.

    Inputs: frames [batch, frames, channels] computed from waveforms (`samples_per_frame` is
    their hop), and the waveforms' lengths [batch] in samples.
    """

    def __init__(self, samples_per_frame, **kwargs):
        super().__init__(**kwargs)
        self.samples_per_frame = samples_per_frame

    def call(self, inputs):
        frames, lengths = inputs
        count = -(-tf.cast(tf.reshape(lengths, [-1]), tf.int32) // self.samples_per_frame)
        inside = tf.sequence_mask(tf.maximum(count, 1), tf.shape(frames)[1], dtype=frames.dtype)
        return frames * inside[..., None]

    def compute_output_shape(self, input_shapes):
        return input_shapes[0]

    def get_config(self):
        return {**super().get_config(), "samples_per_frame": self.samples_per_frame}


@keras.saving.register_keras_serializable(package="mmzoo")
class SpecAugment(keras.layers.Layer):
    """SpecAugment (Park et al., 2019) on [batch, frames, mel_bins] features, in training only.

    Per example: `frequency_masks` bands of up to `max_frequency_width` mel bins and `time_masks`
    spans of up to `max_time_width` frames are set to zero (the mean of per-frame normalised
    features), and the mel axis is shifted by up to `max_mel_shift` bins, edges repeated: a new
    voice's formants sit a little higher or lower (vocal tract length perturbation, crudely).
    At inference it is the identity.
    """

    def __init__(self, frequency_masks=2, max_frequency_width=8, time_masks=2, max_time_width=10,
                 max_mel_shift=3, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.frequency_masks = frequency_masks
        self.max_frequency_width = max_frequency_width
        self.time_masks = time_masks
        self.max_time_width = max_time_width
        self.max_mel_shift = max_mel_shift
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, features, training=False):
        if not training:
            return features
        batch, frames, bins = tf.shape(features)[0], tf.shape(features)[1], tf.shape(features)[2]
        if self.max_mel_shift:
            shift = self._random_integers((batch, 1), -self.max_mel_shift, self.max_mel_shift + 1)
            source_bins = tf.clip_by_value(tf.range(bins)[None, :] - shift, 0, bins - 1)
            features = tf.gather(features, source_bins, axis=2, batch_dims=1)
        keep = tf.ones_like(features, dtype=tf.bool)
        for axis, masks, max_width, extent in ((2, self.frequency_masks, self.max_frequency_width, bins),
                                               (1, self.time_masks, self.max_time_width, frames)):
            positions = tf.range(extent)
            for _ in range(masks):
                width = self._random_integers((batch, 1), 0, max_width + 1)
                start = self._random_integers((batch, 1), 0, tf.maximum(extent - width + 1, 1))
                inside = (positions[None, :] >= start) & (positions[None, :] < start + width)
                keep &= ~(inside[:, None, :] if axis == 2 else inside[:, :, None])
        return tf.where(keep, features, tf.zeros_like(features))

    def _random_integers(self, shape, low, high):
        high = tf.cast(high, tf.float32)
        draws = keras.random.uniform(shape, 0.0, 1.0, seed=self.seed_generator)
        return tf.cast(tf.floor(float(low) + draws * (high - float(low))), tf.int32)

    def compute_mask(self, inputs, mask=None):
        return mask

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "frequency_masks": self.frequency_masks,
                "max_frequency_width": self.max_frequency_width, "time_masks": self.time_masks,
                "max_time_width": self.max_time_width, "max_mel_shift": self.max_mel_shift, "seed": self.seed}


@keras.saving.register_keras_serializable(package="mmzoo")
class TelephoneBand(keras.layers.Layer):
    """In training, low-passes a `rate` fraction of the waveforms [batch, samples] at
    `cutoff_hz` with an ideal filter, as the serving graph's band-limited resampling of an 8 kHz
    WAV does: a model trained on wide-band speech only has never heard speech without its
    upper band, and fails on 8 kHz recordings. At inference it is the identity."""

    def __init__(self, rate=0.5, cutoff_hz=4000.0, sample_rate=16000, seed=None, **kwargs):
        kwargs.setdefault("dtype", "float32")  # the FFT takes float32 only, under any policy
        super().__init__(**kwargs)
        self.rate = rate
        self.cutoff_hz = cutoff_hz
        self.sample_rate = sample_rate
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, waveforms, training=False):
        if not training or not self.rate:
            return waveforms
        samples = tf.shape(waveforms)[-1]
        spectrum = tf.signal.rfft(waveforms, fft_length=[samples])
        hertz_per_bin = self.sample_rate / tf.cast(samples, tf.float32)
        frequencies = tf.cast(tf.range(tf.shape(spectrum)[-1]), tf.float32) * hertz_per_bin
        chosen = keras.random.uniform((tf.shape(waveforms)[0], 1), seed=self.seed_generator) < self.rate
        keep = ~chosen | (frequencies[None, :] < self.cutoff_hz)
        return tf.signal.irfft(spectrum * tf.cast(keep, spectrum.dtype), fft_length=[samples])

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "cutoff_hz": self.cutoff_hz,
                "sample_rate": self.sample_rate, "seed": self.seed}
