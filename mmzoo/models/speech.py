"""LSTM speech recogniser: a waveform in, its transcript out (characters, CTC).

The front end runs in the graph: log-mel frames, per-frame normalisation, SpecAugment in
training, convolutional subsampling (`mmzoo.models.encoders.audio_frames`); then stacked
bidirectional LSTMs and a softmax over the characters and the CTC blank, the last class.
Frames past a waveform's end are set to a certain blank (`CTCOutput`), so the loss and the
decoders can read every frame of a padded batch: a blank costs nothing and writes nothing.

Decoding in the graph (`transcribe`): CTC greedy or beam search (TF's own decoders, core ops).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from mmzoo.models import encoders

DECODERS = ("ctc",)


@keras.saving.register_keras_serializable(package="mmzoo")
class CTCOutput(keras.layers.Layer):
    """Per-frame logits over `characters` + blank (last); frames past the mask are a certain
    blank. Carries the character vocabulary in its config, so a saved model can decode."""

    def __init__(self, characters, **kwargs):
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


def speech_lstm(characters, decoder="ctc", width=256, layers=3, num_mel_bins=80, subsampling=2, augment=True,
                dropout=0.1, name=None):
    """A Keras functional model: `audio` float waveform at 16 kHz [batch, samples] and
    `audio_length` [batch] to CTC logits [batch, frames, len(characters) + 1].

    `characters`: the output alphabet (e.g. the characters of the training transcripts).
    `decoder`: "ctc". `subsampling`: 2 or 4 fewer frames than the 10 ms log-mel frames (CTC
    needs at least as many frames as characters, and more where a letter repeats).
    """
    if decoder not in DECODERS:
        raise ValueError(f"decoder: must be one of {DECODERS}, got {decoder!r}")
    characters = list(characters)
    if not characters or len(set(characters)) != len(characters) or any(len(c) != 1 for c in characters):
        raise ValueError(f"characters: distinct single characters expected, got {characters!r}")
    audio, audio_length = encoders.audio_inputs()
    x = encoders.audio_frames(audio, audio_length, width, num_mel_bins, augment, subsampling)
    for number in range(layers):
        x = keras.layers.Bidirectional(keras.layers.LSTM(width // 2, return_sequences=True),
                                       name=f"encoder_bilstm{number}")(x)
        x = keras.layers.Dropout(dropout, name=f"encoder_dropout{number}")(x)
    logits = keras.layers.Dense(len(characters) + 1, name="character_logits", dtype="float32")(x)
    logits = CTCOutput(characters, name="ctc_output")(logits)
    return keras.Model({"audio": audio, "audio_length": audio_length}, logits, name=name or "speech_lstm_ctc")


@keras.saving.register_keras_serializable(package="mmzoo")
def ctc_loss(targets, logits):
    """CTC negative log-likelihood per utterance; `targets` character ids padded with -1."""
    targets = tf.cast(targets, tf.int32)
    target_lengths = tf.reduce_sum(tf.cast(targets >= 0, tf.int32), axis=-1)
    frames = tf.fill([tf.shape(logits)[0]], tf.shape(logits)[1])
    return tf.nn.ctc_loss(labels=tf.maximum(targets, 0), logits=tf.cast(logits, tf.float32),
                          label_length=target_lengths, logit_length=frames, logits_time_major=False,
                          blank_index=int(logits.shape[-1]) - 1)


def characters_of(model) -> list[str]:
    return model.get_layer("ctc_output").characters


def transcribe(model, audio, audio_length, beam_width=1):
    """Transcripts of a batch, decoded in the graph: `transcript` [batch] string and `score`
    (the decoded path's log-probability). `beam_width` 1: greedy."""
    logits = model({"audio": audio, "audio_length": audio_length}, training=False)
    return decode_logits(logits, characters_of(model), beam_width)


def decode_logits(logits, characters, beam_width=1):
    """CTC logits [batch, frames, len(characters) + 1] (blank last) to `transcript` and `score`."""
    log_probabilities = tf.transpose(tf.nn.log_softmax(logits), [1, 0, 2])  # time-major, as the decoders read
    frames = tf.fill([tf.shape(logits)[0]], tf.shape(logits)[1])
    if beam_width == 1:
        decoded, negative_sum = tf.nn.ctc_greedy_decoder(log_probabilities, frames, merge_repeated=True)
        score = -negative_sum[:, 0]
    else:
        decoded, scores = tf.nn.ctc_beam_search_decoder(log_probabilities, frames, beam_width=beam_width,
                                                        top_paths=1)
        score = scores[:, 0]
    ids = tf.sparse.to_dense(decoded[0], default_value=len(characters))  # past the end: "", below
    alphabet = tf.constant(list(characters) + [""])
    return {"transcript": tf.strings.reduce_join(tf.gather(alphabet, ids), axis=-1), "score": score}
