"""The fusion classifiers' layers: how one modality weighs, modulates or looks into another."""

from __future__ import annotations

import keras
import tensorflow as tf


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
