"""The layers of BERT's pretraining that the zoo's other layers do not have: the masking of
word pieces, and the TF Hub encoder inputs made from (and checked against) word ids."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from mmzoo.data.preprocessing import _checked, _first, refuse_unless

# The inputs of a TF Hub BERT encoder, as its preprocessor names them.
HUB_INPUTS = ("input_word_ids", "input_mask", "input_type_ids")


@keras.saving.register_keras_serializable(package="mmzoo")
class TokenMasking(keras.layers.Layer):
    """BERT's masking (Devlin et al., 2019), in training only: of each caption's word pieces
    (ids > 0), `rate` are chosen, at least one; a chosen piece becomes `mask_id` 80% of the time,
    a random piece of the vocabulary (from `first_regular_id`) 10%, and stays itself 10%.

    Input: word ids [batch, length], 0-padded. Outputs: the ids as the model reads them and
    which were chosen (float32 1/0): the pieces the loss asks to be recovered. Outside training
    nothing is chosen; `choose(ids, seed)` masks as in training, deterministically (validation).
    """

    def __init__(self, vocabulary_size, mask_id, first_regular_id, rate=0.15, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 < rate < 1.0:
            raise ValueError(f"rate: in (0, 1), got {rate!r}")
        if not 0 < mask_id < vocabulary_size or not 0 < first_regular_id < vocabulary_size:
            raise ValueError(f"mask_id and first_regular_id: ids of a vocabulary of {vocabulary_size}, got "
                             f"{mask_id} and {first_regular_id}")
        self.vocabulary_size, self.mask_id, self.first_regular_id = vocabulary_size, mask_id, first_regular_id
        self.rate, self.seed = rate, seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, ids, training=False):
        if training:
            return self.choose(ids, self.seed_generator)
        return ids, ops.zeros(ops.shape(ids), "float32")

    def choose(self, ids, seed):
        """(ids with the chosen pieces replaced, chosen as float32), drawn from `seed` (an int:
        the same every call; a SeedGenerator: new each call)."""
        pieces = ops.not_equal(ids, 0)
        shape = ops.shape(ids)
        seeds = (seed, seed + 1, seed + 2) if isinstance(seed, int) else (seed,) * 3
        draw, replacement = (keras.random.uniform(shape, seed=s) for s in seeds[:2])
        random_ids = keras.random.randint(shape, self.first_regular_id, self.vocabulary_size, seed=seeds[2],
                                          dtype=ids.dtype)
        draw = ops.where(pieces, draw, 2.0)  # padding is never chosen
        # At least one piece per caption: its lowest draw.
        lowest = ops.equal(draw, ops.min(draw, axis=-1, keepdims=True))
        chosen = ops.logical_and(pieces, ops.logical_or(draw < self.rate, lowest))
        read = ops.where(replacement < 0.8, ops.full_like(ids, self.mask_id),
                         ops.where(replacement < 0.9, random_ids, ids))
        return ops.where(chosen, read, ids), ops.cast(chosen, "float32")

    def compute_output_spec(self, ids, training=False):
        return (keras.KerasTensor(ids.shape, dtype=ids.dtype), keras.KerasTensor(ids.shape, dtype="float32"))

    def get_config(self):
        return {**super().get_config(), "vocabulary_size": self.vocabulary_size, "mask_id": self.mask_id,
                "first_regular_id": self.first_regular_id, "rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="mmzoo")
class EncoderInputs(keras.layers.Layer):
    """Word ids [batch, length] (0: padding) as a TF Hub BERT preprocessor returns them:
    `input_word_ids`, `input_mask` (1 on a piece, 0 on padding) and `input_type_ids` (0: every
    caption is one segment), int32."""

    def call(self, ids):
        ids = ops.cast(ids, "int32")
        return {"input_word_ids": ids, "input_mask": ops.cast(ops.not_equal(ids, 0), "int32"),
                "input_type_ids": ops.zeros_like(ids)}

    def compute_output_spec(self, ids):
        return {name: keras.KerasTensor(ids.shape, dtype="int32") for name in HUB_INPUTS}


@keras.saving.register_keras_serializable(package="mmzoo")
class OneSegment(keras.layers.Layer):
    """The encoder's side of the TF Hub contract: [input_word_ids, input_mask, input_type_ids]
    -> the word ids where the mask is 1 and 0 (padding) elsewhere. The encoder was pretrained on
    single captions: a second segment (an input_type_id other than 0) or a mask other than 0/1
    is refused, naming the input and the item, rather than read as something it never saw."""

    def call(self, inputs):
        ids, mask, types = (tf.cast(x, tf.int32) for x in inputs)
        one_segment = tf.reduce_all(tf.equal(types, 0), axis=-1)
        binary = tf.reduce_all(tf.logical_or(tf.equal(mask, 0), tf.equal(mask, 1)), axis=-1)
        checks = [refuse_unless(tf.reduce_all(one_segment), "input_type_ids", _first(~one_segment),
                                "one segment only (all 0): this encoder was pretrained on single captions"),
                  refuse_unless(tf.reduce_all(binary), "input_mask", _first(~binary), "values other than 0 and 1")]
        return _checked(ids * mask, checks)

    def compute_output_spec(self, inputs):
        return keras.KerasTensor(inputs[0].shape, dtype="int32")
