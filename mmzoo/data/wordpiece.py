"""WordPiece text vectorization with TensorFlow Text, inside the model (and so inside the
SavedModel, as TF Text ops that TF Serving with TF Text loads).

BERT's recipe: lower-case (TF Text's `case_fold_utf8`), split on whitespace and punctuation and
around every CJK character (Chinese is written without spaces), then split each word into the
longest pieces of a vocabulary learned from the training captions (`learn_vocabulary`, TF
Text's `bert_vocab_from_dataset`), a piece inside a word marked `##`. TF Text's
`FastWordpieceTokenizer` does the splitting: it gives `BertTokenizer`'s pieces on every caption
compared and runs faster (`benchmarks/tokenizers.py`).

The open-vocabulary rule: every lower-case ASCII letter is in the vocabulary, alone and as
`##` suffix, so every English word, known or not, misspelt or not, becomes known pieces (at
worst one per letter); a word with any other character outside the vocabulary (a Chinese
character the captions never used, an emoji) becomes the one token `[UNK]`. No word is
refused. What is refused, naming the item, as everywhere in the zoo: text that is not UTF-8, a
caption without words, and a caption of more pieces than the model reads.
"""

from __future__ import annotations

import string

import keras
import tensorflow as tf

from mmzoo.data.preprocessing import StrictTextVectorization, _checked, _first, refuse_unless

PAD, UNK = "[PAD]", "[UNK]"
RESERVED_TOKENS = (PAD, UNK, "[CLS]", "[SEP]", "[MASK]")  # ids 0 and 1 as TextVectorization's
SUFFIX = "##"
LETTERS = tuple(string.ascii_lowercase)


def learn_vocabulary(texts, vocab_size: int = 400) -> list[str]:
    """A WordPiece vocabulary learned from `texts` (strings), the reserved tokens first, then
    every lower-case letter alone and as a suffix (the open-vocabulary rule)."""
    from tensorflow_text.tools.wordpiece_vocab import bert_vocab_from_dataset

    dataset = tf.data.Dataset.from_tensor_slices(tf.constant(list(texts), tf.string)).batch(1024)
    learned = bert_vocab_from_dataset.bert_vocab_from_dataset(
        dataset, vocab_size=vocab_size, reserved_tokens=list(RESERVED_TOKENS),
        bert_tokenizer_params={"lower_case": True}, learn_params={})
    letters = [*LETTERS, *(SUFFIX + letter for letter in LETTERS)]
    return [*RESERVED_TOKENS, *letters, *(token for token in learned if token not in {*RESERVED_TOKENS, *letters})]


@keras.saving.register_keras_serializable(package="mmzoo")
class WordPieceVectorization(keras.layers.Layer):
    """Strings to WordPiece ids [batch, output_sequence_length], 0-padded, with TF Text's
    `FastWordpieceTokenizer` (module docstring). The interface of `StrictTextVectorization` where the
    zoo's builders use it: `vocabulary_size()`, `get_vocabulary()`, `set_vocabulary()` and
    `output_sequence_length` in the config.

    Args:
        vocabulary: the tokens by id (`learn_vocabulary`): `[PAD]` first, `[UNK]` second.
        output_sequence_length: the pieces a caption may have (padded to this many).
        input_name: the input a refusal names.
    """

    def __init__(self, vocabulary=None, output_sequence_length=16, input_name="text", **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        self.output_sequence_length = int(output_sequence_length)
        self.input_name = input_name
        self._vocabulary = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary)

    def set_vocabulary(self, vocabulary):
        import tensorflow_text as tf_text  # here: a process that never reads WordPiece need not load TF Text

        vocabulary = [str(token) for token in vocabulary]
        if vocabulary[:2] != [PAD, UNK] or len(set(vocabulary)) != len(vocabulary):
            raise ValueError(f"vocabulary: distinct tokens, {PAD} then {UNK} first (learn_vocabulary makes one)")
        self._vocabulary = vocabulary
        self._case_fold = tf_text.case_fold_utf8
        self._tokenizer = tf_text.FastWordpieceTokenizer(vocabulary, suffix_indicator=SUFFIX, token_out_type=tf.int64,
                                                         unknown_token=UNK, no_pretokenization=False)

    def get_vocabulary(self):
        return list(self._vocabulary)

    def vocabulary_size(self):
        return len(self._vocabulary)

    def call(self, inputs):
        inputs = tf.convert_to_tensor(inputs, tf.string)
        captions = tf.reshape(inputs, [-1])
        readable = tf.strings.unicode_transcode(captions, "UTF-8", "UTF-8", errors="replace")
        utf8 = tf.equal(readable, captions)
        pieces = self._tokenizer.tokenize(self._case_fold(readable))
        counts = pieces.row_lengths()
        most = self.output_sequence_length
        checks = [refuse_unless(tf.reduce_all(utf8), self.input_name, _first(~utf8), "not UTF-8 text"),
                  refuse_unless(tf.reduce_all(counts > 0), self.input_name, _first(counts == 0),
                                "empty caption: no words"),
                  refuse_unless(tf.reduce_all(counts <= most), self.input_name, _first(counts > most),
                                "a caption of ", counts[_first(counts > most)], f" word pieces; this model reads "
                                f"at most {most}")]
        ids = pieces.to_tensor(default_value=0, shape=[None, most])
        return _checked(tf.ensure_shape(ids, [inputs.shape[0] if inputs.shape.rank else None, most]), checks)

    def compute_output_shape(self, input_shape):
        return (input_shape[0] if input_shape else None, self.output_sequence_length)

    def compute_output_spec(self, inputs):
        return keras.KerasTensor((inputs.shape[0] if inputs.shape else None, self.output_sequence_length),
                                 dtype="int64")

    def get_config(self):
        return {**super().get_config(), "vocabulary": self.get_vocabulary(),
                "output_sequence_length": self.output_sequence_length, "input_name": self.input_name}


# The text vectorizers a model can read with, by the name a config gives (`tokenizer`).
TOKENIZERS = {"words": StrictTextVectorization, "wordpiece": WordPieceVectorization}


def pieces_of(vectorizer: WordPieceVectorization, caption: str) -> list[str]:
    """The pieces a caption becomes, as strings (for reading what the tokenizer did)."""
    vocabulary = vectorizer.get_vocabulary()
    return [vocabulary[i] for i in vectorizer(tf.constant([caption]))[0].numpy() if i]
