"""A pretrained text encoder as TF Hub ships BERT: two SavedModels, a preprocessor and an encoder.

    preprocessor = hub.load(".../preprocessor")   # strings -> input_word_ids, input_mask, input_type_ids
    encoder = hub.load(".../encoder")             # those -> pooled_output, sequence_output
    outputs = encoder(preprocessor(tf.constant(["a large red circle", "一个大的红色圆形"])))

Each is callable (`__call__`, for `hub.load` and `hub.KerasLayer`) and has a `serving_default`
signature (for TF Serving). As a `keras.layers.TFSMLayer`: the preprocessor by `serving_default`,
the encoder by `__call__` (its input is one dict; a signature takes keywords). The preprocessor's
graph holds TF Text ops: a process that loads it imports `tensorflow_text` first, as TF Serving
is built with them.
"""

from __future__ import annotations

import json
from pathlib import Path

import tensorflow as tf

from mmzoo.data import records
from mmzoo.models.masked_language.layers import HUB_INPUTS

PREPROCESSOR, ENCODER = "preprocessor", "encoder"


class HubPreprocessor(tf.Module):
    """Strings [batch] -> {`input_word_ids`, `input_mask`, `input_type_ids`: int32 [batch, length]}."""

    def __init__(self, vectorizer, encoder_inputs):
        super().__init__(name="preprocessor")
        self.vectorizer, self.encoder_inputs = vectorizer, encoder_inputs

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
    def __call__(self, text):
        return self.encoder_inputs(self.vectorizer(text))


class HubEncoder(tf.Module):
    """{`input_word_ids`, `input_mask`, `input_type_ids`} -> {`pooled_output`, `sequence_output`}."""

    def __init__(self, encoder, sequence_length):
        super().__init__(name="encoder")
        self.encoder = encoder
        specs = {name: tf.TensorSpec([None, sequence_length], tf.int32, name=name) for name in HUB_INPUTS}
        self.__call__ = tf.function(self._encode, input_signature=[specs])
        self.serve = tf.function(lambda **inputs: self._encode(inputs), input_signature=None).get_concrete_function(
            **specs)

    def _encode(self, inputs):
        outputs = self.encoder(inputs, training=False)
        return {"pooled_output": outputs["pooled_output"], "sequence_output": outputs["sequence_output"]}


def export_hub_pair(model, directory, card: dict | None = None) -> tuple[Path, Path]:
    """Write a trained `MaskedLanguageModel`'s preprocessor and encoder SavedModels under
    `directory` (`preprocessor/`, `encoder/`, and `mmzoo.json`: what they are), all at once."""
    directory = Path(directory)
    sequence_length = model.vectorizer.output_sequence_length
    with records.atomic_directory(directory) as scratch:
        preprocessor = HubPreprocessor(model.vectorizer, model.encoder_inputs)
        tf.saved_model.save(preprocessor, str(scratch / PREPROCESSOR),
                            signatures={"serving_default": preprocessor.__call__.get_concrete_function()})
        encoder = HubEncoder(model.encoder, sequence_length)
        tf.saved_model.save(encoder, str(scratch / ENCODER), signatures={"serving_default": encoder.serve})
        (scratch / "mmzoo.json").write_text(json.dumps({
            "format": "TF Hub text preprocessor and encoder (BERT's interface)",
            "sequence_length": sequence_length, "width": model.encoder.get_layer("text_input_projection").units,
            "vocabulary_size": model.vectorizer.vocabulary_size(), **(card or {})}, indent=2) + "\n")
    return directory / PREPROCESSOR, directory / ENCODER
