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


def _frame_counts(lengths, samples_per_frame):
    """Frames [batch] of waveforms of `lengths` samples at a hop of `samples_per_frame`: at least one."""
    return tf.maximum(-(-tf.cast(tf.reshape(lengths, [-1]), tf.int32) // samples_per_frame), 1)


def _frames_inside(frames, lengths, samples_per_frame):
    """[batch, frames, 1]: 1 for a frame within its waveform, 0 past its end."""
    counts = _frame_counts(lengths, samples_per_frame)
    return tf.sequence_mask(counts, tf.shape(frames)[1], dtype=frames.dtype)[..., None]


@keras.saving.register_keras_serializable(package="mmzoo")
class ZeroPastLength(keras.layers.Layer):
    """Sets the frames of zero-padded audio to zero, from the waveforms' lengths, so that a
    convolution over the frames sees past a waveform's end what its own zero padding would
    give: a waveform's features do not depend on how long the others in its batch are.

    Inputs: frames [batch, frames, ...] computed from waveforms (`samples_per_frame` is their
    hop), and the waveforms' lengths [batch] in samples.
    """

    def __init__(self, samples_per_frame, **kwargs):
        super().__init__(**kwargs)
        self.samples_per_frame = samples_per_frame

    def call(self, inputs):
        frames, lengths = inputs
        inside = _frames_inside(frames, lengths, self.samples_per_frame)
        for _ in range(len(frames.shape) - 3):  # [batch, frames, frequency, channels]: the conv 2-D front end's
            inside = inside[..., None]
        return frames * inside

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


def _uniform(seed_generator, shape, low, high):
    return keras.random.uniform(shape, float(low), float(high), seed=seed_generator)


def _chosen(seed_generator, batch, rate):
    """[batch, 1] booleans: which examples an augmentation applied to a `rate` fraction takes."""
    return keras.random.uniform((batch, 1), seed=seed_generator) < rate


def _valid_samples(waveforms, lengths):
    return tf.sequence_mask(tf.reshape(lengths, [-1]), tf.shape(waveforms)[1], dtype=waveforms.dtype)


class _TrainingAugmentation(keras.layers.Layer):
    """What the waveform and feature augmentations share: float32 (the FFT takes nothing
    else), a seed, a `rate` fraction of the examples changed in training, the identity at
    inference."""

    def __init__(self, rate=0.5, seed=None, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.rate = rate
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="mmzoo")
class TelephoneBand(_TrainingAugmentation):
    """In training, low-passes a `rate` fraction of the waveforms [batch, samples] at
    `cutoff_hz` with an ideal filter, as the serving graph's band-limited resampling of an 8 kHz
    WAV does: a model trained on wide-band speech only has never heard speech without its
    upper band, and fails on 8 kHz recordings. At inference it is the identity."""

    def __init__(self, rate=0.5, cutoff_hz=4000.0, sample_rate=16000, seed=None, **kwargs):
        super().__init__(rate, seed, **kwargs)
        self.cutoff_hz = cutoff_hz
        self.sample_rate = sample_rate

    def call(self, waveforms, training=False):
        if not training or not self.rate:
            return waveforms
        samples = tf.shape(waveforms)[-1]
        spectrum = tf.signal.rfft(waveforms, fft_length=[samples])
        hertz_per_bin = self.sample_rate / tf.cast(samples, tf.float32)
        frequencies = tf.cast(tf.range(tf.shape(spectrum)[-1]), tf.float32) * hertz_per_bin
        chosen = _chosen(self.seed_generator, tf.shape(waveforms)[0], self.rate)
        keep = ~chosen | (frequencies[None, :] < self.cutoff_hz)
        return tf.signal.irfft(spectrum * tf.cast(keep, spectrum.dtype), fft_length=[samples])

    def get_config(self):
        return {**super().get_config(), "cutoff_hz": self.cutoff_hz, "sample_rate": self.sample_rate}


@keras.saving.register_keras_serializable(package="mmzoo")
class SpeedPerturbation(_TrainingAugmentation):
    """Speed perturbation (Ko et al., 2015) in training: each chosen waveform is played
    `factor` times as fast, a factor drawn from [`low`, `high`] per example, which moves its
    pitch and formants and changes its tempo, as another speaker would. Linear interpolation
    between samples.

    Inputs: waveforms [batch, samples] zero-padded, and their lengths [batch]. Outputs: the
    waveforms (padded to `samples / low`) and their new lengths. At inference, the inputs.
    """

    def __init__(self, low=0.9, high=1.1, rate=1.0, seed=None, **kwargs):
        if not 0.0 < low <= high:
            raise ValueError(f"low, high: factors with 0 < low <= high expected, got {low!r}, {high!r}")
        super().__init__(rate, seed, **kwargs)
        self.low, self.high = low, high

    def call(self, inputs, training=False):
        waveforms, lengths = inputs
        if not training or not self.rate:
            return [waveforms, lengths]
        batch, samples = tf.shape(waveforms)[0], tf.shape(waveforms)[1]
        factors = tf.where(_chosen(self.seed_generator, batch, self.rate),
                           _uniform(self.seed_generator, (batch, 1), self.low, self.high), 1.0)
        lengths = tf.cast(tf.reshape(lengths, [-1, 1]), tf.float32)
        new_lengths = tf.maximum(tf.round(lengths / factors), 1.0)
        positions = tf.cast(tf.range(tf.cast(tf.math.ceil(tf.cast(samples, tf.float32) / self.low), tf.int32)),
                            tf.float32)[None, :]
        source = tf.minimum(positions * factors, lengths - 1.0)
        before = tf.cast(tf.floor(source), tf.int32)
        after = tf.minimum(before + 1, samples - 1)
        weight = source - tf.floor(source)
        stretched = (tf.gather(waveforms, before, batch_dims=1) * (1.0 - weight)
                     + tf.gather(waveforms, after, batch_dims=1) * weight)
        stretched *= tf.cast(positions < new_lengths, stretched.dtype)
        return [stretched, tf.cast(new_lengths[:, 0], tf.int32)]

    def compute_output_shape(self, input_shapes):
        return [(input_shapes[0][0], None), input_shapes[1]]

    def get_config(self):
        return {**super().get_config(), "low": self.low, "high": self.high}


@keras.saving.register_keras_serializable(package="mmzoo")
class Reverberation(_TrainingAugmentation):
    """Room reverberation in training: a chosen waveform [batch, samples] is convolved (by FFT)
    with a synthetic impulse response, the direct path then exponentially decaying noise whose
    RT60 (the time to fall by 60 dB) is drawn from [`min_rt60`, `max_rt60`] seconds, and brought
    back to its own RMS level. At inference, the identity."""

    def __init__(self, min_rt60=0.1, max_rt60=0.6, rate=0.5, sample_rate=16000, seed=None, **kwargs):
        super().__init__(rate, seed, **kwargs)
        self.min_rt60, self.max_rt60, self.sample_rate = min_rt60, max_rt60, sample_rate

    def call(self, waveforms, training=False):
        if not training or not self.rate:
            return waveforms
        batch, samples = tf.shape(waveforms)[0], tf.shape(waveforms)[1]
        taps = int(self.max_rt60 * self.sample_rate)
        rt60 = _uniform(self.seed_generator, (batch, 1), self.min_rt60, self.max_rt60)
        time = tf.range(taps, dtype=tf.float32)[None, :] / self.sample_rate
        tail = keras.random.normal((batch, taps), seed=self.seed_generator) * tf.exp(-6.91 * time / rt60)
        response = tf.concat([tf.ones((batch, 1)), 0.3 * tail[:, 1:]], axis=1)
        length = samples + taps
        reverberant = tf.signal.irfft(tf.signal.rfft(waveforms, [length]) * tf.signal.rfft(response, [length]),
                                      [length])[:, :samples]
        level = tf.sqrt(tf.reduce_mean(tf.square(waveforms), axis=1, keepdims=True) + 1e-12)
        new_level = tf.sqrt(tf.reduce_mean(tf.square(reverberant), axis=1, keepdims=True) + 1e-12)
        return tf.where(_chosen(self.seed_generator, batch, self.rate), reverberant * level / new_level, waveforms)

    def get_config(self):
        return {**super().get_config(), "min_rt60": self.min_rt60, "max_rt60": self.max_rt60,
                "sample_rate": self.sample_rate}


@keras.saving.register_keras_serializable(package="mmzoo")
class AdditiveNoise(_TrainingAugmentation):
    """Noise in training: coloured Gaussian noise (a spectral slope drawn per example from white
    to brown, 1/f^0 to 1/f^2 in power) added to a chosen waveform's samples at a signal-to-noise
    ratio drawn from [`min_snr_db`, `max_snr_db`], the signal's power measured over its own
    length. Inputs: waveforms [batch, samples] and lengths [batch]; output: the waveforms. At
    inference, the identity."""

    def __init__(self, min_snr_db=5.0, max_snr_db=30.0, rate=0.5, seed=None, **kwargs):
        super().__init__(rate, seed, **kwargs)
        self.min_snr_db, self.max_snr_db = min_snr_db, max_snr_db

    def call(self, inputs, training=False):
        waveforms, lengths = inputs
        if not training or not self.rate:
            return waveforms
        batch, samples = tf.shape(waveforms)[0], tf.shape(waveforms)[1]
        white = keras.random.normal((batch, samples), seed=self.seed_generator)
        bins = tf.cast(tf.range(samples // 2 + 1), tf.float32)
        slope = _uniform(self.seed_generator, (batch, 1), 0.0, 2.0)
        shape = tf.pow(tf.maximum(bins, 1.0)[None, :], -slope / 2.0)
        noise = tf.signal.irfft(tf.signal.rfft(white, [samples]) * tf.cast(shape, tf.complex64), [samples])
        valid = _valid_samples(waveforms, lengths)
        count = tf.maximum(tf.reduce_sum(valid, axis=1, keepdims=True), 1.0)
        signal_power = tf.reduce_sum(tf.square(waveforms) * valid, axis=1, keepdims=True) / count
        noise_power = tf.reduce_sum(tf.square(noise) * valid, axis=1, keepdims=True) / count
        snr_db = _uniform(self.seed_generator, (batch, 1), self.min_snr_db, self.max_snr_db)
        scale = tf.sqrt(signal_power / (noise_power + 1e-12) / tf.pow(10.0, snr_db / 10.0))
        noisy = waveforms + noise * scale * valid
        return tf.where(_chosen(self.seed_generator, batch, self.rate), noisy, waveforms)

    def compute_output_shape(self, input_shapes):
        return input_shapes[0]

    def get_config(self):
        return {**super().get_config(), "min_snr_db": self.min_snr_db, "max_snr_db": self.max_snr_db}


@keras.saving.register_keras_serializable(package="mmzoo")
class RandomEqualiser(_TrainingAugmentation):
    """A microphone's or a room's colouring in training: a chosen waveform's spectrum is
    multiplied by a smooth random gain curve, `bands` gains of up to +-`max_gain_db` dB spread
    evenly over the frequencies and interpolated between. At inference, the identity."""

    def __init__(self, max_gain_db=10.0, bands=6, rate=0.5, seed=None, **kwargs):
        super().__init__(rate, seed, **kwargs)
        self.max_gain_db, self.bands = max_gain_db, bands

    def call(self, waveforms, training=False):
        if not training or not self.rate:
            return waveforms
        batch, samples = tf.shape(waveforms)[0], tf.shape(waveforms)[1]
        gains_db = _uniform(self.seed_generator, (batch, self.bands), -self.max_gain_db, self.max_gain_db)
        bins = samples // 2 + 1
        where = tf.linspace(0.0, float(self.bands - 1), bins)  # each bin's place among the bands
        below = tf.minimum(tf.cast(tf.floor(where), tf.int32), self.bands - 2)
        weight = where - tf.cast(below, tf.float32)
        curve_db = (tf.gather(gains_db, below, axis=1) * (1.0 - weight)
                    + tf.gather(gains_db, below + 1, axis=1) * weight)
        gain = tf.cast(tf.pow(10.0, curve_db / 20.0), tf.complex64)
        equalised = tf.signal.irfft(tf.signal.rfft(waveforms, [samples]) * gain, [samples])
        return tf.where(_chosen(self.seed_generator, batch, self.rate), equalised, waveforms)

    def get_config(self):
        return {**super().get_config(), "max_gain_db": self.max_gain_db, "bands": self.bands}


def _hertz_to_mel(hertz):
    return 1127.0 * tf.math.log1p(hertz / 700.0)  # the scale of tf.signal.linear_to_mel_weight_matrix


def _mel_to_hertz(mel):
    return 700.0 * tf.math.expm1(mel / 1127.0)


@keras.saving.register_keras_serializable(package="mmzoo")
class VocalTractWarp(_TrainingAugmentation):
    """Vocal tract length perturbation (Jaitly and Hinton, 2013) in training, on log-mel
    features [batch, frames, mel_bins] whose bins are spaced evenly in mel from
    `lower_edge_hertz` to `upper_edge_hertz`: a chosen example's frequency axis is scaled by a
    factor drawn from [`low`, `high`] (a shorter vocal tract puts every formant higher), each
    bin reading the (interpolated) bin at its frequency divided by the factor, the edges
    repeated. With `SpeedPerturbation` before it, which moves pitch and formants together,
    pitch and formants change independently. At inference, the identity."""

    def __init__(self, low=0.9, high=1.1, lower_edge_hertz=20.0, upper_edge_hertz=7600.0, rate=1.0, seed=None,
                 **kwargs):
        if not 0.0 < low <= high:
            raise ValueError(f"low, high: factors with 0 < low <= high expected, got {low!r}, {high!r}")
        super().__init__(rate, seed, **kwargs)
        self.low, self.high = low, high
        self.lower_edge_hertz, self.upper_edge_hertz = lower_edge_hertz, upper_edge_hertz
        self.supports_masking = True

    def call(self, features, training=False):
        if not training or not self.rate:
            return features
        batch, bins = tf.shape(features)[0], tf.shape(features)[2]
        factors = tf.where(_chosen(self.seed_generator, batch, self.rate),
                           _uniform(self.seed_generator, (batch, 1), self.low, self.high), 1.0)
        low_mel, high_mel = _hertz_to_mel(self.lower_edge_hertz), _hertz_to_mel(self.upper_edge_hertz)
        mel_per_bin = (high_mel - low_mel) / tf.cast(bins + 1, tf.float32)  # bins' centres: edges excluded
        centres = low_mel + mel_per_bin * tf.cast(tf.range(1, bins + 1), tf.float32)[None, :]
        source = (_hertz_to_mel(_mel_to_hertz(centres) / factors) - low_mel) / mel_per_bin - 1.0
        source = tf.clip_by_value(source, 0.0, tf.cast(bins - 1, tf.float32))
        below = tf.minimum(tf.cast(tf.floor(source), tf.int32), bins - 1)
        above = tf.minimum(below + 1, bins - 1)
        weight = tf.cast(source - tf.floor(source), features.dtype)[:, None, :]
        return (tf.gather(features, below, axis=2, batch_dims=1) * (1.0 - weight)
                + tf.gather(features, above, axis=2, batch_dims=1) * weight)

    def compute_mask(self, inputs, mask=None):
        return mask

    def get_config(self):
        return {**super().get_config(), "low": self.low, "high": self.high,
                "lower_edge_hertz": self.lower_edge_hertz, "upper_edge_hertz": self.upper_edge_hertz}


@keras.saving.register_keras_serializable(package="mmzoo")
class TrimSilence(keras.layers.Layer):
    """Each waveform cut to its speech: from its first to its last frame within `below_db` of
    its loudest, `margin_ms` kept either side, moved to the start; the new lengths. In training
    and at inference alike: a recording's silence before and after speech is heard as speech by
    a recogniser whose training engines speak from the first sample.

    Inputs: waveforms [batch, samples] (zero past each length) and lengths [batch]. Outputs:
    the trimmed waveforms [batch, samples] (zero past each new length) and the new lengths.
    """

    def __init__(self, below_db=40.0, margin_ms=30.0, frame_ms=10.0, sample_rate=16000, **kwargs):
        kwargs.setdefault("dtype", "float32")  # levels in dB of a float16 waveform underflow
        super().__init__(**kwargs)
        self.below_db, self.margin_ms, self.frame_ms, self.sample_rate = below_db, margin_ms, frame_ms, sample_rate

    def call(self, inputs):
        audio, lengths = inputs
        lengths = tf.cast(tf.reshape(lengths, [-1]), tf.int32)
        step = int(self.sample_rate * self.frame_ms / 1000)
        margin = int(self.sample_rate * self.margin_ms / 1000)
        samples = tf.shape(audio)[1]
        frames = -(-samples // step)
        framed = tf.reshape(tf.pad(audio, [[0, 0], [0, frames * step - samples]]), [tf.shape(audio)[0], frames, step])
        level = 10.0 * tf.math.log(tf.reduce_mean(tf.square(framed), axis=-1) + 1e-12) / tf.math.log(10.0)
        inside = tf.sequence_mask(_frame_counts(lengths, step), frames)
        loudest = tf.reduce_max(tf.where(inside, level, -1e9), axis=1, keepdims=True)
        loud = inside & (level > loudest - self.below_db)
        first = tf.argmax(tf.cast(loud, tf.int32), axis=1, output_type=tf.int32)
        last = frames - 1 - tf.argmax(tf.cast(tf.reverse(loud, [1]), tf.int32), axis=1, output_type=tf.int32)
        start = tf.maximum(first * step - margin, 0)
        end = tf.maximum(tf.minimum((last + 1) * step + margin, lengths), start + 1)
        positions = start[:, None] + tf.range(samples)[None, :]
        kept = positions < end[:, None]
        trimmed = tf.gather(audio, tf.minimum(positions, samples - 1), batch_dims=1)
        return tf.where(kept, trimmed, tf.zeros_like(trimmed)), end - start

    def compute_output_shape(self, input_shapes):
        return input_shapes[0], (input_shapes[0][0],)

    def get_config(self):
        return {**super().get_config(), "below_db": self.below_db, "margin_ms": self.margin_ms,
                "frame_ms": self.frame_ms, "sample_rate": self.sample_rate}


@keras.saving.register_keras_serializable(package="mmzoo")
class UtteranceNormalization(keras.layers.Layer):
    """Per-utterance mean and variance normalisation (CMVN) of features [batch, frames,
    channels]: each channel's mean and standard deviation over the utterance's own frames
    (from the waveforms' lengths [batch] in samples and the features' hop `samples_per_frame`)
    are taken out, which removes a speaker's and a channel's constant colouring. Frames past
    the end do not count."""

    def __init__(self, samples_per_frame, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.samples_per_frame = samples_per_frame

    def call(self, inputs):
        features, lengths = inputs
        inside = _frames_inside(features, lengths, self.samples_per_frame)
        frames = tf.cast(_frame_counts(lengths, self.samples_per_frame), features.dtype)[:, None, None]
        mean = tf.reduce_sum(features * inside, axis=1, keepdims=True) / frames
        variance = tf.reduce_sum(tf.square(features - mean) * inside, axis=1, keepdims=True) / frames
        return (features - mean) * tf.math.rsqrt(variance + 1e-5) * inside

    def compute_output_shape(self, input_shapes):
        return input_shapes[0]

    def get_config(self):
        return {**super().get_config(), "samples_per_frame": self.samples_per_frame}


@keras.saving.register_keras_serializable(package="mmzoo")
class MelCepstrum(keras.layers.Layer):
    """MFCCs, the source material's front end: the first `coefficients` of the DCT of log-mel
    features [batch, frames, mel_bins] (`tf.signal.mfccs_from_log_mel_spectrograms`)."""

    def __init__(self, coefficients=13, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.coefficients = coefficients
        self.supports_masking = True

    def call(self, log_mel):
        return tf.signal.mfccs_from_log_mel_spectrograms(log_mel)[..., :self.coefficients]

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.coefficients)

    def get_config(self):
        return {**super().get_config(), "coefficients": self.coefficients}
