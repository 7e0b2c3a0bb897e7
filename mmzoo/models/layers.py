"""Small custom layers the zoo's models share. Each is registered and serializable, so that
every model saves as `.keras` and loads with `safe_mode=True` (no Lambda layers)."""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="mmzoo")
class PositionEmbedding(keras.layers.Layer):
    """Adds a learned embedding to each position of a [batch, positions, channels] sequence."""

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            name="embeddings", shape=(input_shape[1], input_shape[2]),
            initializer=keras.initializers.RandomNormal(stddev=0.02))

    def call(self, inputs):
        return inputs + tf.cast(self.embeddings, inputs.dtype)[None]


@keras.saving.register_keras_serializable(package="mmzoo")
class VGG16Preprocess(keras.layers.Layer):
    """`keras.applications.vgg16.preprocess_input` as a layer, for images in [0, 1]: to 0-255,
    RGB to BGR, minus the ImageNet channel means (what VGG16's weights were trained on)."""

    def call(self, images):
        bgr = tf.reverse(images * 255.0, axis=[-1])
        return bgr - tf.constant([103.939, 116.779, 123.68], images.dtype)


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
class ModalityAttention(keras.layers.Layer):
    """Learned attention weights over modalities, one softmax per example.

    Input: a list of [batch, units] vectors, one per modality. Output: the vectors, each
    scaled by its weight times the number of modalities (equal weights leave them as they
    are), concatenated: weighting, unlike a weighted sum, keeps each modality's features apart.
    With `return_weights=True` the call also returns the weights [batch, modalities].
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        # Sublayers compute as their parent does (a float32 teacher inside a mixed-precision run).
        self.projection = keras.layers.Dense(units, activation="tanh", dtype=self.dtype_policy)
        self.score = keras.layers.Dense(1, use_bias=False, dtype=self.dtype_policy)

    def build(self, input_shapes):
        self.projection.build(input_shapes[0])
        self.score.build((None, self.units))

    def call(self, vectors, return_weights=False):
        stacked = tf.stack(vectors, axis=1)  # [batch, modalities, units]
        weights = tf.nn.softmax(self.score(self.projection(stacked)), axis=1)
        weighted = tf.unstack(weights * float(len(vectors)) * stacked, axis=1)
        fused = tf.concat(weighted, axis=-1)
        return (fused, weights[..., 0]) if return_weights else fused

    def compute_output_shape(self, input_shapes):
        return input_shapes[0][:-1] + (sum(shape[-1] for shape in input_shapes),)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="mmzoo")
class FeatureModulation(keras.layers.Layer):
    """FiLM: `features * (1 + gamma) + beta`, with `gamma` and `beta` [batch, channels] computed
    from another modality and broadcast over every position of `features` [batch, ..., channels]."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        features, gamma, beta = inputs
        shape = tf.concat([tf.shape(gamma)[:1], tf.ones([len(features.shape) - 2], tf.int32),
                           tf.shape(gamma)[1:]], axis=0)
        return features * (1.0 + tf.reshape(gamma, shape)) + tf.reshape(beta, shape)

    def compute_mask(self, inputs, mask=None):
        return mask[0] if isinstance(mask, (list, tuple)) else mask

    def compute_output_shape(self, input_shapes):
        return input_shapes[0]


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
    WAV does: a model trained on wide-band speech then also hears 8 kHz recordings (without it,
    the Shapes recogniser's error rate at 8 kHz was 62% of characters, 0% at 16 kHz).
    At inference it is the identity."""

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


@keras.saving.register_keras_serializable(package="mmzoo")
class ModalityDropout(keras.layers.Layer):
    """In training, zeroes one modality's vector (chosen at random) in a `rate` fraction of the
    examples, never all of them: when one modality alone fits the training set, the others
    still have to learn to decide on their own (ModDrop, Neverova et al., 2015).

    Input and output: a list of [batch, units] vectors, one per modality. Identity at inference.
    """

    def __init__(self, rate=0.3, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, vectors, training=False):
        if not training or not self.rate:
            return list(vectors)
        batch = tf.shape(vectors[0])[0]
        drop = keras.random.uniform((batch, 1), seed=self.seed_generator) < self.rate
        dropped = tf.cast(tf.floor(keras.random.uniform((batch, 1), seed=self.seed_generator) * len(vectors)),
                          tf.int32)
        return [tf.where(drop & (dropped == index), tf.zeros_like(vector), vector)
                for index, vector in enumerate(vectors)]

    def compute_output_shape(self, input_shapes):
        return list(input_shapes)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="mmzoo")
class PhraseGrounding(keras.layers.Layer):
    """Looks up each word's phrase in an image's cells: where it is, and how well it matches.

    The query of word t is a linear sum over it and the `span - 1` words before it, so that the
    query of "purple triangle" is the query of "purple" plus that of "triangle": a pair of
    words never seen together is still looked for as each of its words; a query matches a cell
    where all its words hold at once. Per head, the output gives the soft maximum of the scores
    over cells (log-sum-exp, minus log of the number of cells) and the attention-weighted mean
    row and column of the cells, in [-1, 1].

    Inputs: word embeddings [batch, words, channels] (masked where padded), and the cells of a
    `grid_shape` grid, row by row, [batch, rows * columns, channels]. Output: [batch, words,
    3 * heads], masked like the words.
    """

    def __init__(self, heads, key_dim, grid_shape, span=3, **kwargs):
        super().__init__(**kwargs)
        self.heads, self.key_dim, self.grid_shape, self.span = heads, key_dim, tuple(grid_shape), span
        self.phrase_queries = keras.layers.Conv1D(heads * key_dim, span, padding="causal", use_bias=False,
                                                  dtype=self.dtype_policy)
        self.cell_keys = keras.layers.Dense(heads * key_dim, dtype=self.dtype_policy)
        self.supports_masking = True

    def build(self, input_shapes):
        words_shape, cells_shape = input_shapes
        self.phrase_queries.build(words_shape)
        self.cell_keys.build(cells_shape)

    def call(self, inputs, mask=None):
        words, cells = inputs
        if mask is not None and mask[0] is not None:
            words = words * tf.cast(mask[0], words.dtype)[..., None]
        queries = self._split_heads(self.phrase_queries(words))  # [batch, heads, words, key_dim]
        keys = self._split_heads(self.cell_keys(cells))  # [batch, heads, cells, key_dim]
        scores = tf.matmul(queries, keys, transpose_b=True) / tf.sqrt(tf.cast(self.key_dim, queries.dtype))
        cell_count = tf.cast(tf.shape(scores)[-1], scores.dtype)
        match = tf.reduce_logsumexp(scores, axis=-1) - tf.math.log(cell_count)
        weights = tf.nn.softmax(scores, axis=-1)
        rows, columns = self.grid_shape
        row_of_cell = tf.repeat(tf.linspace(-1.0, 1.0, rows), columns)
        column_of_cell = tf.tile(tf.linspace(-1.0, 1.0, columns), [rows])
        where = [tf.linalg.matvec(weights, tf.cast(c, weights.dtype)) for c in (row_of_cell, column_of_cell)]
        grounded = tf.stack([match] + where, axis=-1)  # [batch, heads, words, 3]
        grounded = tf.transpose(grounded, [0, 2, 1, 3])
        return tf.reshape(grounded, tf.concat([tf.shape(grounded)[:2], [3 * self.heads]], axis=0))

    def _split_heads(self, x):
        x = tf.reshape(x, tf.concat([tf.shape(x)[:2], [self.heads, self.key_dim]], axis=0))
        return tf.transpose(x, [0, 2, 1, 3])

    def compute_mask(self, inputs, mask=None):
        return mask[0] if isinstance(mask, (list, tuple)) else mask

    def compute_output_shape(self, input_shapes):
        return tuple(input_shapes[0][:2]) + (3 * self.heads,)

    def get_config(self):
        return {**super().get_config(), "heads": self.heads, "key_dim": self.key_dim,
                "grid_shape": self.grid_shape, "span": self.span}


@keras.saving.register_keras_serializable(package="mmzoo")
class SeededNoise(keras.layers.Layer):
    """Standard normal noise [batch, dim] drawn from each example's own int64 seed: an
    example's noise depends on its seed alone, not on the batch it is in. `stream` separates
    draws of one seed meant to be independent."""

    def __init__(self, dim, stream=0, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.stream = stream

    def call(self, seeds):
        seeds = tf.cast(tf.reshape(seeds, [-1]), tf.int64)
        return tf.map_fn(lambda seed: tf.random.stateless_normal(
            [self.dim], seed=tf.stack([seed, tf.constant(self.stream, tf.int64)])), seeds,
            fn_output_signature=tf.TensorSpec([self.dim], tf.float32))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.dim)

    def get_config(self):
        return {**super().get_config(), "dim": self.dim, "stream": self.stream}


@keras.saving.register_keras_serializable(package="mmzoo")
class PlaceAtCentre(keras.layers.Layer):
    """Moves a patch drawn around its own middle so that its middle lands on an object's centre.

    Inputs: the patch [batch, size, size, channels] (transparent is 0) and the layout [batch, 5]
    (first centre x, y and the second's offset from it dx, dy, as fractions of the canvas; and
    whether there is a second object). `slot` 0 places at the first centre, 1 at the second
    (or nowhere, where there is no second object). The canvas is the patch's size; what moves
    off it is cut, what is uncovered is 0.
    """

    def __init__(self, slot, **kwargs):
        super().__init__(**kwargs)
        if slot not in (0, 1):
            raise ValueError(f"slot: must be 0 or 1, got {slot!r}")
        self.slot = slot

    def call(self, inputs):
        patch, layout = inputs
        centre = layout[:, 0:2] + (layout[:, 2:4] if self.slot else 0.0)
        size = tf.shape(patch)[1]
        shift = tf.cast(tf.round(centre * tf.cast(size, centre.dtype)), tf.int32) - size // 2
        positions = tf.range(size)[None, :]
        rows, columns = positions - shift[:, 1:2], positions - shift[:, 0:1]
        moved = tf.gather(patch, tf.clip_by_value(rows, 0, size - 1), axis=1, batch_dims=1)
        moved = tf.gather(moved, tf.clip_by_value(columns, 0, size - 1), axis=2, batch_dims=1)
        inside_rows = tf.cast((rows >= 0) & (rows < size), patch.dtype)
        inside_columns = tf.cast((columns >= 0) & (columns < size), patch.dtype)
        present = layout[:, 4, None, None] if self.slot else tf.ones_like(layout[:, 4, None, None])
        return moved * (inside_rows[:, :, None] * inside_columns[:, None, :] * present)[..., None]

    def compute_output_shape(self, input_shapes):
        return input_shapes[0]

    def get_config(self):
        return {**super().get_config(), "slot": self.slot}


@keras.saving.register_keras_serializable(package="mmzoo")
class AlphaComposite(keras.layers.Layer):
    """Paints RGBA layers [batch, height, width, 4] (colour and opacity in [0, 1]) one over the
    other onto a flat background colour [batch, 3]."""

    def call(self, inputs):
        background, *layers = inputs
        image = tf.ones_like(layers[0][..., :3]) * background[:, None, None, :]
        for layer in layers:
            opacity = layer[..., 3:]
            image = layer[..., :3] * opacity + image * (1.0 - opacity)
        return image

    def compute_output_shape(self, input_shapes):
        return tuple(input_shapes[1][:3]) + (3,)


@keras.saving.register_keras_serializable(package="mmzoo")
class SlotAttentionPooling(keras.layers.Layer):
    """One learned query per slot attends over a masked sequence [batch, positions, channels]:
    returns [batch, slots, channels], each slot a weighted mean of the positions it picks
    (the words of the first object, say, and those of the second)."""

    def __init__(self, slots, **kwargs):
        super().__init__(**kwargs)
        self.slots = slots
        self.supports_masking = True

    def build(self, input_shape):
        channels = input_shape[-1]
        self.keys = keras.layers.Dense(channels, activation="tanh", name="keys", dtype=self.dtype_policy)
        self.keys.build(input_shape)
        self.queries = self.add_weight(name="queries", shape=(self.slots, channels),
                                       initializer=keras.initializers.RandomNormal(stddev=0.1))

    def call(self, sequence, mask=None):
        scores = tf.einsum("btc,sc->bst", self.keys(sequence), tf.cast(self.queries, sequence.dtype))
        scores = tf.cast(scores, tf.float32)  # -1e9 is -inf in float16, and 0 x -inf is NaN
        if mask is not None:
            scores += (1.0 - tf.cast(mask, scores.dtype))[:, None, :] * -1e9
        weights = tf.cast(tf.nn.softmax(scores, axis=-1), sequence.dtype)
        return tf.einsum("bst,btc->bsc", weights, sequence)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.slots, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "slots": self.slots}
