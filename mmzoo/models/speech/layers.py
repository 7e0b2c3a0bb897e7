"""The speech recogniser's layers: the CTC head, and transcripts to character tokens."""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="mmzoo")
class CTCOutput(keras.layers.Layer):
    """Per-frame logits over `characters` + blank (last); frames past the mask are a certain
    blank. Carries the character vocabulary in its config, so a saved model can decode."""

    def __init__(self, characters, **kwargs):
        kwargs.setdefault("dtype", "float32")  # the CTC loss reads these logits
        super().__init__(**kwargs)
        self.characters = list(characters)
        self.supports_masking = True

    def call(self, logits, mask=None):
        if mask is None:
            return logits
        certain_blank = tf.one_hot(tf.shape(logits)[-1] - 1, tf.shape(logits)[-1], on_value=0.0, off_value=-1e4,
                                   dtype=logits.dtype)
        return tf.where(mask[..., None], logits, certain_blank)

    def compute_mask(self, inputs, mask=None):
        return None  # consumed here: the loss reads every frame

    def get_config(self):
        return {**super().get_config(), "characters": self.characters}


@keras.saving.register_keras_serializable(package="mmzoo")
class CharacterTokens(keras.layers.Layer):
    """Transcripts (strings) to character tokens for the attention decoder: 1 + the character's
    index in `characters`, 0-padded, with one column to spare for the end token. A character
    outside the alphabet is an error that names it."""

    def __init__(self, characters, **kwargs):
        super().__init__(**kwargs)
        self.characters = list(characters)
        self.supports_jit = False  # string ops: XLA cannot compile a step that reads transcripts

    def call(self, transcripts):
        table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
            tf.constant(self.characters), tf.range(1, len(self.characters) + 1)), default_value=-1)
        tokens = table.lookup(tf.strings.unicode_split(tf.reshape(transcripts, [-1]), "UTF-8"))
        check = tf.debugging.assert_none_equal(tokens.flat_values, -1, message="transcript: a character "
                                               "outside the recogniser's alphabet")
        with tf.control_dependencies([check]):
            return tf.pad(tokens.to_tensor(default_value=0), [[0, 0], [0, 1]])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None)

    def get_config(self):
        return {**super().get_config(), "characters": self.characters}
