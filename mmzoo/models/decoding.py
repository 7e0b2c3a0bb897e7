"""Decoding of sequence models inside the graph, shared by every decoder of the zoo (the
captioner's LSTM, the speech recogniser's attention decoder): beam search with length
normalisation, of which greedy decoding is the width-1 case. One call, a `tf.while_loop`, no
Python loop outside the graph, so it lives in a SavedModel.

    step(tokens [batch], state) -> (log_probabilities [batch, vocabulary], state)

`state` is any nest of tensors whose first dimension is the batch.
"""

from __future__ import annotations

import tensorflow as tf


def length_penalty(lengths, alpha):
    """GNMT's ((5 + length) / 6) ** alpha: alpha 0 ranks by total log-probability (which favours
    short outputs), alpha 1 by about the mean log-probability per token."""
    return tf.pow((5.0 + tf.cast(lengths, tf.float32)) / 6.0, alpha)


def beam_search(step, initial_state, batch_size, start_id, end_id, max_length, beam_width=4, alpha=0.6):
    """The `beam_width` best sequences by length-normalised log-probability.

    `max_length`: the most tokens a sequence may have (it ends there, without an end token): a
    number, or one per example [batch] (an utterance's frames, say).

    Returns `tokens` int32 [batch, beam_width, max_length] (the longest of `max_length`; zero
    after the end token, which is not included), `lengths` [batch, beam_width],
    `log_probabilities` (summed over the tokens and the end token) and `scores`
    (log-probability / length penalty), best beam first.
    """
    width = beam_width
    limits = tf.broadcast_to(tf.cast(max_length, tf.int32), [batch_size])  # per example
    longest = max_length if isinstance(max_length, int) else tf.reduce_max(limits)
    flat = batch_size * width

    def tile(tensor):  # [batch, ...] -> [batch * width, ...], each example's beams side by side
        return tf.repeat(tensor, width, axis=0)

    state = tf.nest.map_structure(tile, initial_state)
    # Every beam starts as the same empty sequence: only the first may be extended at step one.
    first_only = tf.concat([tf.zeros([batch_size, 1]), tf.fill([batch_size, width - 1], -1e9)], axis=1)
    log_probabilities = first_only
    finished = tf.zeros([batch_size, width], tf.bool)
    lengths = tf.zeros([batch_size, width], tf.int32)
    tokens = tf.zeros([batch_size, width, longest], tf.int32)
    previous = tf.fill([flat], tf.cast(start_id, tf.int32))

    def not_done(t, tokens, previous, log_probabilities, finished, lengths, state):
        return tf.logical_and(t < longest, tf.logical_not(tf.reduce_all(finished | (t >= limits)[:, None])))

    def extend(t, tokens, previous, log_probabilities, finished, lengths, state):
        finished = finished | (t >= limits)[:, None]  # at its most tokens: ended as it is
        step_log_probabilities, new_state = step(previous, state)
        vocabulary = tf.shape(step_log_probabilities)[-1]
        step_log_probabilities = tf.reshape(tf.cast(step_log_probabilities, tf.float32), [batch_size, width, -1])
        # A finished beam continues only as itself: its end token again, at no cost.
        end_only = tf.one_hot(end_id, vocabulary, on_value=0.0, off_value=-1e9)
        step_log_probabilities = tf.where(finished[..., None], end_only[None, None], step_log_probabilities)
        candidates = log_probabilities[..., None] + step_log_probabilities  # [batch, width, vocabulary]
        is_end = tf.equal(tf.range(vocabulary), end_id)[None, None]
        candidate_lengths = tf.where(finished[..., None] | is_end, lengths[..., None], lengths[..., None] + 1)
        normalised = candidates / length_penalty(candidate_lengths, alpha)
        _, best = tf.math.top_k(tf.reshape(normalised, [batch_size, -1]), k=width)
        beam, token = best // vocabulary, best % vocabulary

        def pick(tensor):
            return tf.gather(tensor, beam, batch_dims=1)

        log_probabilities = tf.gather(tf.reshape(candidates, [batch_size, -1]), best, batch_dims=1)
        was_finished = pick(finished)
        lengths = tf.gather(tf.reshape(candidate_lengths, [batch_size, -1]), best, batch_dims=1)
        finished = was_finished | tf.equal(token, end_id)
        written = tf.where(finished, tf.zeros_like(token), token)
        tokens = pick(tokens) + written[..., None] * tf.one_hot(t, longest, dtype=tf.int32)[None, None]
        flat_beams = tf.reshape(beam + tf.range(batch_size)[:, None] * width, [flat])
        state = tf.nest.map_structure(lambda s: tf.gather(s, flat_beams), new_state)
        return t + 1, tokens, tf.reshape(token, [flat]), log_probabilities, finished, lengths, state

    _, tokens, _, log_probabilities, finished, lengths, _ = tf.while_loop(
        not_done, extend, (tf.constant(0), tokens, previous, log_probabilities, finished, lengths, state),
        shape_invariants=(tf.TensorShape([]), tf.TensorShape([None, width, tf.get_static_value(longest)]),
                          tf.TensorShape([None]), tf.TensorShape([None, width]), tf.TensorShape([None, width]),
                          tf.TensorShape([None, width]),
                          tf.nest.map_structure(lambda s: tf.TensorShape([None]).concatenate(s.shape[1:]), state)))
    scores = log_probabilities / length_penalty(lengths, alpha)
    order = tf.argsort(scores, axis=-1, direction="DESCENDING", stable=True)
    return {"tokens": tf.gather(tokens, order, batch_dims=1), "lengths": tf.gather(lengths, order, batch_dims=1),
            "log_probabilities": tf.gather(log_probabilities, order, batch_dims=1),
            "scores": tf.gather(scores, order, batch_dims=1)}


def greedy_decode(step, initial_state, batch_size, start_id, end_id, max_length):
    """The most probable token at each step: beam search of width 1 (same result, one code path)."""
    decoded = beam_search(step, initial_state, batch_size, start_id, end_id, max_length, beam_width=1, alpha=0.0)
    return {key: value[:, 0] for key, value in decoded.items()}


def tokens_to_text(tokens, vocabulary, lengths, separator=" "):
    """Token ids [..., max_length] to their `vocabulary` entries, each sequence cut at its
    length, joined by `separator`: a space (words) or nothing (characters)."""
    pieces = tf.gather(tf.constant(vocabulary), tokens)
    keep = tf.sequence_mask(lengths, tf.shape(tokens)[-1])
    if not separator:
        return tf.strings.reduce_join(tf.where(keep, pieces, ""), axis=-1)
    joined = tf.strings.reduce_join(tf.where(keep, tf.strings.join([pieces, separator]), ""), axis=-1)
    return tf.strings.strip(joined)
