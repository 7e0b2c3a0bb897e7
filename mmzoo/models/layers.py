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
        self.projection = keras.layers.Dense(units, activation="tanh")
        self.score = keras.layers.Dense(1, use_bias=False)

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
