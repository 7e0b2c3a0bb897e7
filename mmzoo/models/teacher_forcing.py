"""What every LSTM decoder of the zoo trained with teacher forcing shares (the captioner's, the
speech recogniser's attention decoder): the tokens it reads (the sequence shifted behind a
start token), the tokens it predicts (the sequence, then an end token), the loss per sequence,
and its trained layers rewired to read one token at a time for `mmzoo.models.decoding`.

Token ids: 0 is padding, the sequence's own ids are positive, and the end and start tokens come
after them.
"""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="mmzoo")
class ShiftRight(keras.layers.Layer):
    """Teacher forcing: the tokens before each position, a start token first, the same length;
    masked after the sequence's end token position (padding stays 0)."""

    def __init__(self, start_id, **kwargs):
        super().__init__(**kwargs)
        self.start_id = start_id

    def call(self, tokens):
        tokens = tf.cast(tokens, tf.int32)
        lengths = tf.reduce_sum(tf.cast(tokens > 0, tf.int32), axis=-1)
        shifted = tf.concat([tf.fill([tf.shape(tokens)[0], 1], self.start_id), tokens[:, :-1]], axis=1)
        keep = tf.sequence_mask(lengths + 1, tf.shape(tokens)[1])
        return tf.where(keep, shifted, tf.zeros_like(shifted))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "start_id": self.start_id}


def with_end_token(tokens, end_id):
    """Tokens [batch, length] (0-padded, with room after the longest) followed by the end token:
    what the decoder predicts."""
    tokens = tf.cast(tokens, tf.int32)
    lengths = tf.reduce_sum(tf.cast(tokens > 0, tf.int32), axis=-1)
    return tokens + end_id * tf.one_hot(lengths, tf.shape(tokens)[-1], dtype=tf.int32)


@keras.saving.register_keras_serializable(package="mmzoo")
def sequence_loss(targets, logits):
    """Cross-entropy per sequence, averaged over its tokens and end token (padding ignored): each
    sequence weighs the same, so the mean over the global batch is the same on any number of
    replicas (Keras divides the per-example losses by the global batch)."""
    targets = tf.cast(targets, tf.int32)
    per_token = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits)
    return _mean_over_tokens(per_token, targets)


@keras.saving.register_keras_serializable(package="mmzoo")
def next_token_accuracy(targets, logits):
    targets = tf.cast(targets, tf.int32)
    right = tf.cast(tf.equal(tf.argmax(logits, axis=-1, output_type=tf.int32), targets), tf.float32)
    return _mean_over_tokens(right, targets)


def _mean_over_tokens(per_token, targets):
    mask = tf.cast(targets > 0, per_token.dtype)
    return tf.reduce_sum(per_token * mask, axis=-1) / tf.maximum(tf.reduce_sum(mask, axis=-1), 1.0)


class OneTokenStep:
    """A trained decoder's layers (shared weights) reading one token at a time, for
    `decoding.beam_search`: the previous token's embedding, the LSTM, optionally attention over a
    memory (the image's cells, the audio's frames), the output layer.

    state: (h, c) or (h, c, memory) or (h, c, memory, memory_mask).
    """

    def __init__(self, embedding, lstm, next_token, attention=None):
        self.embedding, self.lstm, self.next_token, self.attention = embedding, lstm, next_token, attention

    def __call__(self, previous, state):
        h, c, *memory = state
        output, h, c = self.lstm(self.embedding(previous[:, None]), initial_state=[h, c], training=False)
        if self.attention is not None:
            values, *values_mask = memory
            context = self.attention([output, values], mask=[None, values_mask[0]] if values_mask else None)
            output = tf.concat([output, context], axis=-1)
        logits = self.next_token(output)[:, 0]
        return tf.nn.log_softmax(tf.cast(logits, tf.float32)), (h, c, *memory)
