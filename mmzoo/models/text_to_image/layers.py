"""The text-to-image generator's layers: seeded noise, placing and compositing painted
objects, and pooling a caption's words into one vector per object."""

from __future__ import annotations

import keras
import tensorflow as tf


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
