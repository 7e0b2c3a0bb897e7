"""VGG + LSTM image captioner (Show and Tell; with `attention=True`, Show, Attend and Tell).

A VGG-style image encoder (the zoo's compact one for 64 x 64 Shapes scenes, or
`keras.applications.VGG16`) initialises an LSTM decoder that reads the caption so far and
predicts the next word; with attention, each step also looks over the image's cells and reads
what it found with the LSTM's output. Trained with teacher forcing: the model reads the
caption (a string: the vectorizer is inside) shifted behind a start token and predicts it,
followed by an end token, with a loss masked to the caption's length.

Decoding (`caption_images`) runs inside the graph with `mmzoo.models.decoding`: greedy, or
beam search with length normalisation; the exported SavedModel maps image bytes to captions.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from mmzoo.models import decoding, encoders, teacher_forcing
from mmzoo.models.teacher_forcing import ShiftRight


def special_token_ids(vectorizer):
    """The end and start token ids, after the vectorizer's own (0 padding, 1 [UNK], words)."""
    size = int(vectorizer.vocabulary_size())
    return {"end": size, "start": size + 1}


def output_vocabulary(vectorizer):
    """Words by output id: the vectorizer's vocabulary, then the end token."""
    return list(vectorizer.get_vocabulary()) + ["[end]"]


def vgg_lstm_captioner(vectorizer, image_shape=(64, 64, 3), encoder="compact", vgg16_weights=None,
                       width=256, embedding_dim=128, image_blocks=2, attention=False, dropout=0.1, name=None):
    """A Keras functional model: `image` float [H, W, 3] in [0, 1] and `caption` string to
    next-word logits [batch, max_length, vocabulary + 1] (the last id is the end token).

    Args:
        vectorizer: a `StrictTextVectorization` with `output_sequence_length` (the longest
            caption plus one), adapted on the training captions.
        image_shape: [H, W, 3] of the images.
        encoder: "compact" (VGG-style 3x3 conv blocks) or "vgg16" (`keras.applications.VGG16`).
        vgg16_weights: for "vgg16": a local weights file, "imagenet" (downloads them), or None
            (random).
        width: of the LSTM and the image vector.
        embedding_dim: of the words.
        image_blocks: the compact encoder's conv blocks.
        attention: Show, Attend and Tell soft attention over the encoder's cells at every step.
        dropout: on the words and the LSTM's output.
        name: the model's name.
    """
    if encoder not in ("compact", "vgg16"):
        raise ValueError(f"encoder: must be 'compact' or 'vgg16', got {encoder!r}")
    if vectorizer is None or not vectorizer.get_config().get("output_sequence_length"):
        raise ValueError("vectorizer: the captioner needs a StrictTextVectorization with output_sequence_length")
    special = special_token_ids(vectorizer)

    image = encoders.image_inputs(image_shape)
    caption = encoders.text_inputs("caption")
    if encoder == "compact":
        encoded = encoders.image_encoder(image, width, image_blocks)
    else:
        encoded = encoders.vgg16_image_encoder(image, width, vgg16_weights)
    initial_h = keras.layers.Dense(width, activation="tanh", name="initial_h")(encoded.vector)
    initial_c = keras.layers.Dense(width, name="initial_c")(encoded.vector)

    tokens = vectorizer(caption)
    previous_words = ShiftRight(special["start"], name="previous_words")(tokens)
    # No mask: the decoder is causal, so the padding after a caption cannot change the predictions
    # within it, and the loss ignores the padding's targets (a mask would reach the loss as
    # per-word weights and undo its per-caption average).
    embedded = keras.layers.Embedding(special["start"] + 1, embedding_dim, name="caption_embedding")(previous_words)
    embedded = keras.layers.Dropout(dropout, name="embedding_dropout")(embedded)
    outputs, _, _ = keras.layers.LSTM(width, return_sequences=True, return_state=True, name="decoder_lstm")(
        embedded, initial_state=[initial_h, initial_c])
    if attention:
        outputs = _attend(outputs, encoded.sequence)
    outputs = keras.layers.Dropout(dropout, name="output_dropout")(outputs)
    logits = keras.layers.Dense(special["end"] + 1, name="next_word", dtype="float32")(outputs)
    model = keras.Model({"image": image, "caption": caption}, logits, name=name or "vgg_lstm_captioner")
    return model


def _attend(outputs, cells):
    """Each step's LSTM output looks over the image cells (additive attention); the output and
    what it found are read together."""
    context = keras.layers.AdditiveAttention(name="image_attention")([outputs, cells])
    return keras.layers.Concatenate(name="output_and_context")([outputs, context])


def caption_targets(vectorizer):
    """A function from captions to what the model predicts for them: their word ids, then the
    end token."""
    end = special_token_ids(vectorizer)["end"]
    return lambda captions: teacher_forcing.with_end_token(vectorizer(captions), end)


class CaptionDecoder:
    """The trained captioner's layers, rewired for one step at a time (shared weights)."""

    def __init__(self, model: keras.Model):
        vectorizer = next(layer for layer in model.layers if hasattr(layer, "get_vocabulary"))
        self.special = special_token_ids(vectorizer)
        self.vocabulary = output_vocabulary(vectorizer)
        self.max_length = int(vectorizer.get_config()["output_sequence_length"])
        self.attention = any(layer.name == "image_attention" for layer in model.layers)
        state_outputs = [model.get_layer("initial_h").output, model.get_layer("initial_c").output]
        if self.attention:  # the cells the attention looks over are part of the state
            state_outputs.append(model.get_layer("image_attention").input[1])
        self.image_to_state = keras.Model(model.get_layer("image").output, state_outputs)
        self.step = teacher_forcing.OneTokenStep(
            model.get_layer("caption_embedding"), model.get_layer("decoder_lstm"), model.get_layer("next_word"),
            model.get_layer("image_attention") if self.attention else None)

    def initial_state(self, images):
        return tuple(self.image_to_state(images, training=False))

    def __call__(self, images, beam_width=1, alpha=0.6):
        """Captions of a batch of images: `caption` [batch] string, `score` (length-normalised
        log-probability), `log_probability`, `tokens` and `length`; beam_width 1 is greedy."""
        batch = tf.shape(images)[0]
        decoded = decoding.beam_search(self.step, self.initial_state(images), batch, self.special["start"],
                                       self.special["end"], self.max_length, beam_width=beam_width,
                                       alpha=alpha if beam_width > 1 else 0.0)
        best = {key: value[:, 0] for key, value in decoded.items()}
        return {"caption": decoding.tokens_to_text(best["tokens"], self.vocabulary, best["lengths"]),
                "score": best["scores"], "log_probability": best["log_probabilities"],
                "tokens": best["tokens"], "length": best["lengths"]}


def attention_maps(model, images, captions):
    """Where a captioner with attention looked while it read each word of `captions` (its own
    captions, say): [batch, caption words + 1, rows, columns] weights over the image's cells,
    the last step being the one that predicted the end token."""
    if not any(layer.name == "image_attention" for layer in model.layers):
        raise ValueError("model: built without attention (attention=True); it has no attention maps")
    attention = model.get_layer("image_attention")
    outputs_and_cells = keras.Model(model.inputs, [model.get_layer("decoder_lstm").output[0], attention.input[1]])
    outputs, cells = outputs_and_cells({"image": images, "caption": captions}, training=False)
    _, scores = attention([outputs, cells], return_attention_scores=True)
    feature_map = next(layer for layer in model.layers if layer.name in ("image_cells", "vgg16_cells"))
    rows, columns = feature_map.input.shape[1:3]
    lengths = [len(c.split()) + 1 for c in (captions.numpy() if hasattr(captions, "numpy") else captions)]
    maps = tf.reshape(scores, [tf.shape(scores)[0], tf.shape(scores)[1], rows, columns])
    return maps[:, :max(lengths)]
