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
    """Transcripts (strings) to character tokens, for the attention decoder and for
    `TranscriptGap`: 1 + the character's index in `characters`, 0-padded, with one column to
    spare for the end token. A character outside the alphabet is an error."""

    def __init__(self, characters, **kwargs):
        super().__init__(**kwargs)
        self.characters = list(characters)
        self.supports_jit = False  # string ops: XLA cannot compile a step that reads transcripts

    def call(self, transcripts):
        # Code points against the alphabet's, not a hash table: a table made in call() is a
        # resource no SavedModel tracks.
        alphabet = tf.constant([ord(c) for c in self.characters], tf.int32)
        code_points = tf.strings.unicode_decode(tf.reshape(transcripts, [-1]), "UTF-8")
        found = tf.equal(code_points.flat_values[:, None], alphabet[None, :])
        ids = tf.where(tf.reduce_any(found, axis=-1),
                       tf.argmax(tf.cast(found, tf.int32), axis=-1, output_type=tf.int32) + 1, -1)
        tokens = code_points.with_flat_values(ids)
        check = tf.debugging.assert_none_equal(tokens.flat_values, -1, message="transcript: a character "
                                               "outside the recogniser's alphabet")
        with tf.control_dependencies([check]):
            return tf.pad(tokens.to_tensor(default_value=0), [[0, 0], [0, 1]])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None)

    def get_config(self):
        return {**super().get_config(), "characters": self.characters}


@keras.saving.register_keras_serializable(package="mmzoo")
class TranscriptGap(keras.layers.Layer):
    """How much less likely a transcript is than the recogniser's own best: the CTC negative
    log-likelihood of `tokens` (`CharacterTokens`) under per-frame CTC `logits` (blank last),
    less that of the best path (greedy); [batch, 2]: the gap, and the gap per character. About
    zero when the audio says the transcript; a changed word costs tens of nats, however the
    voice sounds, so long as the recogniser hears it."""

    LARGEST = 1e4  # a transcript with no CTC path in the frames (too long for them) costs this

    def call(self, inputs):
        tokens, logits = inputs
        logits = tf.cast(logits, tf.float32)
        lengths = tf.reduce_sum(tf.cast(tokens > 0, tf.int32), axis=-1)
        frames = tf.fill([tf.shape(logits)[0]], tf.shape(logits)[1])
        # A path needs a frame per character and a blank between two same characters.
        repeats = tf.reduce_sum(tf.cast((tokens[:, 1:] == tokens[:, :-1]) & (tokens[:, 1:] > 0), tf.int32), axis=-1)
        fits = lengths + repeats <= frames
        # Sparse labels run TF's CTC kernel: the dense labels' forward-backward in graph ops is
        # an order of magnitude slower on a CPU.
        labels = tf.sparse.from_dense(tokens)
        labels = tf.SparseTensor(labels.indices, labels.values - 1, labels.dense_shape)
        transcript = tf.compat.v1.nn.ctc_loss(labels, logits, frames, time_major=False,
                                              ignore_longer_outputs_than_inputs=True)
        _, best = tf.nn.ctc_greedy_decoder(tf.transpose(tf.nn.log_softmax(logits), [1, 0, 2]), frames)
        gap = tf.where(fits, tf.minimum(transcript - best[:, 0], self.LARGEST), self.LARGEST)
        return tf.stack([gap, gap / tf.cast(tf.maximum(lengths, 1), tf.float32)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], 2)
