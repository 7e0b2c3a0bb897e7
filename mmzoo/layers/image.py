"""Image layers the zoo's encoders share: registered and serializable, so that every model
saves as `.keras` and loads with `safe_mode=True` (no Lambda layers)."""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="mmzoo")
class PositionEmbedding(keras.layers.Layer):
    """Adds a learned embedding to each position of a [batch, positions, channels] sequence
    (a mask, as the words' padding, passes through)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

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
