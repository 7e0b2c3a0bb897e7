"""The toy builder: text in, is a word there out. Its one custom layer shows that a family's own
layers save and load (`safe_mode`) like the zoo's."""

import keras
from keras import ops

from mmzoo.models import encoders


@keras.saving.register_keras_serializable(package="mmzoo_toy")
class MaskedPooling(keras.layers.Layer):
    """The mean or maximum of a masked sequence [batch, words, channels] over its words."""

    def __init__(self, pooling="mean", **kwargs):
        super().__init__(**kwargs)
        self.pooling = pooling
        self.supports_masking = True

    def call(self, sequence, mask=None):
        present = ops.cast(mask if mask is not None else ops.ones_like(sequence[..., 0]), sequence.dtype)[..., None]
        if self.pooling == "max":
            return ops.max(sequence * present - (1.0 - present) * 1e4, axis=1)
        return ops.sum(sequence * present, axis=1) / ops.maximum(ops.sum(present, axis=1), 1.0)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])

    def get_config(self):
        return {**super().get_config(), "pooling": self.pooling}


def word_spotter(vectorizer, num_classes, width=16, pooling="mean"):
    """Text -> class probabilities: embedded words, pooled, a softmax."""
    text = encoders.text_inputs()
    embedded = keras.layers.Embedding(vectorizer.vocabulary_size(), width, mask_zero=True, name="words")(
        vectorizer(text))
    pooled = MaskedPooling(pooling, name="pooled")(embedded)
    probabilities = keras.layers.Dense(num_classes, activation="softmax", dtype="float32", name="probabilities")(pooled)
    return keras.Model({"text": text}, probabilities, name="toy_word_spotter")
