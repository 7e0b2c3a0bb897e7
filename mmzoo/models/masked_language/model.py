"""BERT's recipe, small (Devlin et al., 2019): a Transformer text encoder pretrained as a masked
language model on captions, then the start of a classifier's or a dual encoder's text side.

    trainer: TrainConfig(model="masked_language_model", task="shapes_masked_captions",
                         data_args={"language": "both"}, model_args={"width": 128})

Pretraining: a caption's WordPiece pieces (`WordPieceVectorization`: English subwords,
Chinese characters), 15% of them masked (`TokenMasking`), the encoder reads them and a head
predicts each masked piece from the whole vocabulary; the loss is their cross-entropy. No labels:
the captions teach which pieces go together ("大" with "小"'s place, "left" after "is to the").

The encoder (`text_transformer`) takes what a TF Hub BERT encoder takes (`input_word_ids`,
`input_mask`, `input_type_ids`) and returns `sequence_output` (a vector per piece) and
`pooled_output` (their masked mean: the pieces' average, as sentence encoders pool, since
these captions carry no [CLS] piece); `mmzoo.export.hub` ships it as a preprocessor and an
encoder SavedModel. Its layers are named as `encoders.transformer_text` names them, so
`fusion_classifier(initial_text_encoder=...)` and `dual_encoder(initial_text_encoder=...)`
start their Transformer text side from it (`start_text_side`).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from mmzoo.data import wordpiece
from mmzoo.errors import InvalidInputError
from mmzoo.models import encoders
from mmzoo.models.masked_language.layers import HUB_INPUTS, EncoderInputs, OneSegment, TokenMasking

ENCODER_NAME = "text"  # the layer prefix that the zoo's text encoders use


def text_transformer(vocabulary_size, sequence_length, width=128, embedding_dim=64, layers=2, heads=4):
    """The pretrained encoder, as a TF Hub BERT encoder is called: {`input_word_ids`,
    `input_mask`, `input_type_ids`: int32 [batch, sequence_length]} -> {`sequence_output`
    [batch, sequence_length, width], `pooled_output` [batch, width]}."""
    inputs = {name: keras.Input((sequence_length,), dtype="int32", name=name) for name in HUB_INPUTS}
    ids = OneSegment(name="one_segment")([inputs[name] for name in HUB_INPUTS])
    encoded = encoders.transformer_text(ids, vocabulary_size, width, embedding_dim, layers, heads, ENCODER_NAME)
    return keras.Model(inputs, {"sequence_output": encoded.sequence, "pooled_output": encoded.vector},
                       name="text_transformer")


def piece_predictor(width, vocabulary_size):
    """BERT's masked-LM head: a GELU layer, layer norm, then logits over the vocabulary."""
    sequence = keras.Input((None, width), name="sequence_output")
    x = keras.layers.Dense(width, activation="gelu", name="mlm_transform")(sequence)
    x = keras.layers.LayerNormalization(name="mlm_norm")(x)
    logits = keras.layers.Dense(vocabulary_size, dtype="float32", name="mlm_logits")(x)
    return keras.Model(sequence, logits, name="piece_predictor")


@keras.saving.register_keras_serializable(package="mmzoo")
class MaskedLanguageModel(keras.Model):
    """Captions -> {`logits` over the vocabulary per piece, `word_ids`, `chosen` (the masked
    pieces, in training)}: the vectorizer, `TokenMasking`, the encoder and the head in one
    functional model, trained by its own loss (module docstring); the task's target is unused."""

    def __init__(self, vectorizer, encoder, predictor, mask_rate=0.15, seed=0, **kwargs):
        vocabulary = vectorizer.get_vocabulary()
        masking = TokenMasking(len(vocabulary), vocabulary.index("[MASK]"), len(wordpiece.RESERVED_TOKENS),
                               mask_rate, seed, name="token_masking")
        text = encoders.text_inputs()
        ids = vectorizer(text)
        read, chosen = masking(ids)
        encoder_inputs = EncoderInputs(name="encoder_inputs")
        logits = predictor(encoder(encoder_inputs(read))["sequence_output"])
        super().__init__(inputs={"text": text}, outputs={"logits": logits, "word_ids": ids, "chosen": chosen}, **kwargs)
        self.vectorizer, self.encoder, self.predictor, self.masking = vectorizer, encoder, predictor, masking
        self.encoder_inputs, self.mask_rate, self.seed = encoder_inputs, mask_rate, seed

    def masked_predictions(self, text, seed):
        """(word ids, chosen, logits) of captions masked as in training but drawn from `seed` (an
        int), read without dropout: what validation and evaluation score."""
        ids = self.vectorizer(text)
        read, chosen = self.masking.choose(ids, seed)
        logits = self.predictor(self.encoder(self.encoder_inputs(read), training=False)["sequence_output"],
                                training=False)
        return ids, chosen, logits

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if training:
            ids, chosen, logits = y_pred["word_ids"], y_pred["chosen"], y_pred["logits"]
        else:  # outside training nothing is masked: mask the same pieces every validation
            ids, chosen, logits = self.masked_predictions(x["text"] if isinstance(x, dict) else x, self.seed)
        losses = keras.losses.sparse_categorical_crossentropy(ids, logits, from_logits=True)
        loss = ops.sum(losses * chosen) / ops.maximum(ops.sum(chosen), 1.0)
        # MirroredStrategy sums the replicas' gradients: each replica's share of the global mean.
        return loss / tf.distribute.get_strategy().num_replicas_in_sync

    def get_config(self):
        return {"name": self.name, "mask_rate": self.mask_rate, "seed": self.seed,
                **{part: keras.saving.serialize_keras_object(getattr(self, part))
                   for part in ("vectorizer", "encoder", "predictor")}}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        parts = {part: keras.saving.deserialize_keras_object(config.pop(part))
                 for part in ("vectorizer", "encoder", "predictor")}
        return cls(**parts, **config)


def masked_language_model(vectorizer, width=128, embedding_dim=64, layers=2, heads=4, mask_rate=0.15, seed=0,
                          name="masked_language_model"):
    """The trainer's builder: a `MaskedLanguageModel` of a `text_transformer` encoder.

    Args:
        vectorizer: a `WordPieceVectorization` learned from the training captions.
        width: the encoder's; embedding_dim: its piece embeddings'.
        layers, heads: the encoder's Transformer blocks and attention heads.
        mask_rate: the fraction of pieces masked per caption (BERT's 0.15).
        seed: of the masking.
        name: the model's name.
    """
    if not isinstance(vectorizer, wordpiece.WordPieceVectorization):
        raise ValueError(f"vectorizer: a WordPieceVectorization (the [MASK] piece is in its vocabulary), got a "
                         f"{type(vectorizer).__name__}")
    encoder = text_transformer(vectorizer.vocabulary_size(), vectorizer.output_sequence_length, width,
                               embedding_dim, layers, heads)
    return MaskedLanguageModel(vectorizer, encoder, piece_predictor(width, vectorizer.vocabulary_size()),
                               mask_rate, seed, name=name)


def pretrained_vectorizer(pretrained, text_architecture):
    """The vectorizer a model started from `pretrained` reads with: a copy of the pretrained
    one (its piece ids are what the encoder learned). Refuses anything but a masked language
    model, and a text side that is not a Transformer."""
    if not isinstance(pretrained, MaskedLanguageModel):
        raise InvalidInputError("initial_text_encoder", f"a {type(pretrained).__name__}, not a masked language model")
    if text_architecture != "transformer":
        raise InvalidInputError("initial_text_encoder", f"starts a Transformer text encoder; text_architecture is "
                                                        f"{text_architecture!r}")
    return wordpiece.WordPieceVectorization.from_config(pretrained.vectorizer.get_config())


def start_text_side(pretrained, model) -> list[str]:
    """Copy the pretrained encoder's layers into `model`'s same-named text layers (returns their names)."""
    return encoders.copy_weights_by_name({layer.name: layer for layer in pretrained.encoder.layers}, model,
                                         "initial_text_encoder", "masked language model")
