"""In-graph decoding against exhaustive search on a small Markov chain."""

import itertools

import numpy as np
import tensorflow as tf

from mmzoo.models import decoding

START, END, VOCABULARY, MAX_LENGTH = 1, 2, 5, 4


def _markov_chain(seed):
    """log P(next | previous) for each previous token, one table per example: [batch, V, V]."""
    logits = np.random.default_rng(seed).normal(size=(3, VOCABULARY, VOCABULARY)) * 2.0
    logits[..., 0] = logits[..., START] = -1e4  # never padding or start again
    return tf.nn.log_softmax(tf.constant(logits, tf.float32)).numpy()


def _step(tables):
    def step(previous, example):
        return tf.gather_nd(tf.constant(tables), tf.stack([example, previous], axis=1)), example
    return step


def _exhaustive_best(table, alpha):
    best = None
    for length in range(MAX_LENGTH + 1):
        for words in itertools.product(range(3, VOCABULARY), repeat=length):
            path = (START,) + words + ((END,) if length < MAX_LENGTH else ())
            log_probability = sum(table[a, b] for a, b in zip(path, path[1:]))
            score = log_probability / ((5 + length) / 6) ** alpha
            if best is None or score > best[0]:
                best = (score, words, log_probability)
    return best


def _decode(tables, width, alpha):
    batch = tables.shape[0]
    return decoding.beam_search(_step(tables), tf.range(batch), batch, START, END, MAX_LENGTH,
                                beam_width=width, alpha=alpha)


def test_a_wide_beam_finds_the_best_sequence_and_its_score():
    tables = _markov_chain(0)
    for alpha in (0.0, 1.0):
        decoded = _decode(tables, width=VOCABULARY ** MAX_LENGTH, alpha=alpha)
        for example, table in enumerate(tables):
            score, words, log_probability = _exhaustive_best(table, alpha)
            length = int(decoded["lengths"][example, 0])
            assert tuple(decoded["tokens"][example, 0, :length].numpy()) == words
            assert not decoded["tokens"][example, 0, length:].numpy().any()
            np.testing.assert_allclose(decoded["scores"][example, 0], score, rtol=1e-5)
            np.testing.assert_allclose(decoded["log_probabilities"][example, 0], log_probability, rtol=1e-5)


def test_greedy_follows_the_most_probable_token_and_a_beam_scores_no_worse():
    tables = _markov_chain(1)
    greedy = decoding.greedy_decode(_step(tables), tf.range(3), 3, START, END, MAX_LENGTH)
    for example, table in enumerate(tables):
        previous, expected = START, []
        while len(expected) < MAX_LENGTH:
            previous = int(np.argmax(table[previous]))
            if previous == END:
                break
            expected.append(previous)
        assert list(greedy["tokens"][example, :len(expected)].numpy()) == expected
        assert int(greedy["lengths"][example]) == len(expected)
    beam = _decode(tables, width=3, alpha=0.0)
    assert (beam["log_probabilities"][:, 0].numpy() >= greedy["log_probabilities"].numpy() - 1e-6).all()
    assert (np.diff(beam["scores"].numpy(), axis=1) <= 1e-6).all()  # best beam first


def test_tokens_to_text_joins_words_up_to_each_length():
    vocabulary = ["", "[start]", "[end]", "a", "red", "circle"]
    text = decoding.tokens_to_text(tf.constant([[3, 4, 5, 0], [3, 5, 0, 0]]), vocabulary, tf.constant([3, 1]))
    assert [t.decode() for t in text.numpy()] == ["a red circle", "a"]


def test_a_limit_per_example_decodes_each_as_its_own_limit_would():
    tables = _markov_chain(2)
    limits = [1, 4, 2]
    together = decoding.beam_search(_step(tables), tf.range(3), 3, START, END, tf.constant(limits), beam_width=3)
    for example, limit in enumerate(limits):
        alone = decoding.beam_search(_step(tables[example:example + 1]), tf.range(1), 1, START, END, limit,
                                     beam_width=3)
        assert int(together["lengths"][example, 0]) <= limit
        for key in ("lengths", "log_probabilities", "scores"):
            np.testing.assert_allclose(together[key][example], alone[key][0], rtol=1e-6)
        np.testing.assert_array_equal(together["tokens"][example, :, :limit], alone["tokens"][0])
