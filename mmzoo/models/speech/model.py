"""LSTM speech recogniser: a waveform in, its transcript out, character by character.

The front end runs in the graph: log-mel frames, per-frame normalisation, SpecAugment in
training, convolutional subsampling (`mmzoo.models.encoders.audio_frames`); then stacked
bidirectional LSTMs. Two decoders read the encoder's frames:

- `ctc` (default): a softmax per frame over the characters and the CTC blank, the last class.
  Frames past a waveform's end are set to a certain blank (`CTCOutput`), so the loss and the
  decoders can read every frame of a padded batch: a blank costs nothing and writes nothing.
- `attention` (Listen, Attend and Spell; the source's LSTM encoder-decoder): an LSTM, started
  from the mean of the encoder's frames, reads the transcript so far (teacher forcing: the
  model takes the `transcript` string in training) and, with additive attention over the
  frames, predicts the next character or the end.

Decoding in the graph (`Transcriber`): CTC greedy or beam search (TF's own decoders, core
ops), or for attention the zoo's beam search (`mmzoo.models.decoding`); width 1 is greedy.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from mmzoo.errors import InvalidInputError
from mmzoo.models import decoding, encoders, teacher_forcing
from mmzoo.models.speech import DECODERS
from mmzoo.models.speech.layers import CharacterTokens, CTCOutput
from mmzoo.models.teacher_forcing import ShiftRight

ATTENTION_LENGTH_PENALTY = 0.6


def attention_token_ids(characters):
    """The attention decoder's end and start tokens, after the characters' 1..len(characters)."""
    return {"end": len(characters) + 1, "start": len(characters) + 2}


def speech_lstm(characters, decoder="ctc", width=256, layers=3, num_mel_bins=80, subsampling=2, augment=True,
                telephone_band=0.5, dropout=0.1, embedding_dim=64, waveform_augment=False, front_end="log_mel",
                normalization="frame", vocal_tract_warp=False, convolution="1d", trim_silence=False, name=None):
    """A Keras functional model of a float waveform at 16 kHz, `audio` [batch, samples] and
    `audio_length` [batch]; for `decoder="ctc"`, to CTC logits [batch, frames, len(characters) + 1];
    for `decoder="attention"`, also of the `transcript` [batch] string (teacher forcing), to
    next-character logits [batch, longest transcript + 1, len(characters) + 2] (class 0 unused,
    the last the end token).

    Args:
        characters: the output alphabet (the characters of the training transcripts).
        decoder: "ctc" or "attention" (module docstring).
        width: of the BiLSTMs (each direction half) and the decoder.
        layers: stacked BiLSTMs.
        num_mel_bins: of the log-mel frames.
        subsampling: 2 or 4 times fewer frames than the 10 ms log-mel frames (CTC needs at
            least as many frames as characters, and more where a letter repeats).
        augment: SpecAugment in training.
        telephone_band: the fraction of training waveforms low-passed at 4 kHz, so that an
            8 kHz WAV is heard like its 16 kHz original.
        dropout: after each BiLSTM, and on the attention decoder's characters.
        embedding_dim: of the attention decoder's characters.
        waveform_augment, front_end, normalization, vocal_tract_warp, convolution, trim_silence:
            see `encoders.audio_frames`.
        name: the model's name.
    """
    if decoder not in DECODERS:
        raise ValueError(f"decoder: must be one of {DECODERS}, got {decoder!r}")
    characters = list(characters)
    if not characters or len(set(characters)) != len(characters) or any(len(c) != 1 for c in characters):
        raise ValueError(f"characters: distinct single characters expected, got {characters!r}")
    audio, audio_length = encoders.audio_inputs()
    frames = encoders.audio_frames(audio, audio_length, width, num_mel_bins, augment, subsampling,
                                   telephone_band if augment else 0.0, waveform_augment, front_end, normalization,
                                   vocal_tract_warp, convolution, trim_silence)
    for number in range(layers):
        frames = keras.layers.Bidirectional(keras.layers.LSTM(width // 2, return_sequences=True),
                                            name=f"encoder_bilstm{number}")(frames)
        frames = keras.layers.Dropout(dropout, name=f"encoder_dropout{number}")(frames)
    if decoder == "ctc":
        logits = keras.layers.Dense(len(characters) + 1, name="character_logits", dtype="float32")(frames)
        logits = CTCOutput(characters, name="ctc_output")(logits)
        return keras.Model({"audio": audio, "audio_length": audio_length}, logits, name=name or "speech_lstm_ctc")

    special = attention_token_ids(characters)
    transcript = encoders.text_inputs("transcript")
    previous_characters = ShiftRight(special["start"], name="previous_characters")(
        CharacterTokens(characters, name="transcript_tokens")(transcript))
    summary = keras.layers.GlobalAveragePooling1D(name="encoder_mean")(frames)
    initial_h = keras.layers.Dense(width, activation="tanh", name="initial_h")(summary)
    initial_c = keras.layers.Dense(width, name="initial_c")(summary)
    # No mask on the decoder: it is causal, and the loss ignores what follows the end token.
    embedded = keras.layers.Embedding(special["start"] + 1, embedding_dim, name="character_embedding")(
        previous_characters)
    embedded = keras.layers.Dropout(dropout, name="embedding_dropout")(embedded)
    outputs, _, _ = keras.layers.LSTM(width, return_sequences=True, return_state=True, name="decoder_lstm")(
        embedded, initial_state=[initial_h, initial_c])
    context = keras.layers.AdditiveAttention(name="audio_attention")([outputs, frames])  # the frames' mask
    outputs = keras.layers.Concatenate(name="output_and_context")([outputs, context])
    outputs = keras.layers.Dropout(dropout, name="output_dropout")(outputs)
    logits = keras.layers.Dense(special["end"] + 1, name="next_character", dtype="float32")(outputs)
    return keras.Model({"audio": audio, "audio_length": audio_length, "transcript": transcript}, logits,
                       name=name or "speech_lstm_attention")


@keras.saving.register_keras_serializable(package="mmzoo")
def ctc_loss(targets, logits):
    """CTC negative log-likelihood per utterance; `targets` character ids padded with -1."""
    targets = tf.cast(targets, tf.int32)
    target_lengths = tf.reduce_sum(tf.cast(targets >= 0, tf.int32), axis=-1)
    frames = tf.fill([tf.shape(logits)[0]], tf.shape(logits)[1])
    return tf.nn.ctc_loss(labels=tf.maximum(targets, 0), logits=tf.cast(logits, tf.float32),
                          label_length=target_lengths, logit_length=frames, logits_time_major=False,
                          blank_index=int(logits.shape[-1]) - 1)


@keras.saving.register_keras_serializable(package="mmzoo")
def attention_loss(targets, logits):
    """Cross-entropy per utterance over its characters and the end token (`targets` character
    ids padded with -1, as for CTC)."""
    tokens = tf.cast(targets, tf.int32) + 1  # the attention decoder's ids; padding 0
    tokens = tf.pad(tokens, [[0, 0], [0, tf.shape(logits)[1] - tf.shape(tokens)[1]]])
    return teacher_forcing.sequence_loss(teacher_forcing.with_end_token(tokens, logits.shape[-1] - 1), logits)


def decoder_of(model) -> str:
    return "ctc" if any(layer.name == "ctc_output" for layer in model.layers) else "attention"


def characters_of(model) -> list[str]:
    return model.get_layer("ctc_output" if decoder_of(model) == "ctc" else "transcript_tokens").characters


def loss_for(model):
    return ctc_loss if decoder_of(model) == "ctc" else attention_loss


class Transcriber:
    """A recogniser's transcripts of a batch, decoded in the graph:

        Transcriber(model)(audio, audio_length, beam_width) -> {"transcript": [batch] string,
                                                                 "score": its log-probability}

    `beam_width` 1 is greedy. CTC: the decoded path's log-probability. Attention: the
    transcript's (the beam ranks by it over a GNMT length penalty).
    """

    def __init__(self, model: keras.Model):
        self.model = model
        self.decoder = decoder_of(model)
        self.characters = characters_of(model)
        if self.decoder == "attention":
            audio_inputs = {name: model.get_layer(name).output for name in ("audio", "audio_length")}
            frames = model.get_layer("audio_attention").input[1]
            self.encode = keras.Model(audio_inputs, [model.get_layer("initial_h").output,
                                                     model.get_layer("initial_c").output, frames])
            self.frames_mask = model.get_layer("audio_mask")
            self.step = teacher_forcing.OneTokenStep(
                model.get_layer("character_embedding"), model.get_layer("decoder_lstm"),
                model.get_layer("next_character"), model.get_layer("audio_attention"))

    def __call__(self, audio, audio_length, beam_width=1):
        if self.decoder == "ctc":
            logits = self.model({"audio": audio, "audio_length": audio_length}, training=False)
            return decode_logits(logits, self.characters, beam_width)
        return self._attend_and_spell(audio, audio_length, beam_width)

    def _attend_and_spell(self, audio, audio_length, beam_width):
        initial_h, initial_c, frames = self.encode({"audio": audio, "audio_length": audio_length}, training=False)
        frames_mask = self.frames_mask.compute_mask([frames, audio_length])
        special = attention_token_ids(self.characters)
        # A transcript has no more characters than its audio has encoder frames (as for CTC).
        most_characters = tf.reduce_sum(tf.cast(frames_mask, tf.int32), axis=1)
        decoded = decoding.beam_search(self.step, (initial_h, initial_c, frames, frames_mask), tf.shape(audio)[0],
                                       special["start"], special["end"], most_characters, beam_width=beam_width,
                                       alpha=ATTENTION_LENGTH_PENALTY if beam_width > 1 else 0.0)
        best = {key: value[:, 0] for key, value in decoded.items()}
        alphabet = [""] + self.characters + ["", ""]
        return {"transcript": decoding.tokens_to_text(best["tokens"], alphabet, best["lengths"], separator=""),
                "score": best["log_probabilities"]}


def attention_alignment(model, audio, audio_length, transcripts):
    """Where an attention recogniser listened while it spelled `transcripts` (its own, say):
    weights [batch, characters + 1, frames] over the encoder's frames, the last step being the
    one that predicted the end."""
    if decoder_of(model) != "attention":
        raise ValueError("model: a CTC recogniser has no attention; its alignment is its per-frame logits")
    attention = model.get_layer("audio_attention")
    outputs_and_frames = keras.Model(model.inputs, [model.get_layer("decoder_lstm").output[0], attention.input[1]])
    features = {"audio": audio, "audio_length": audio_length, "transcript": transcripts}
    outputs, frames = outputs_and_frames(features, training=False)
    frames_mask = model.get_layer("audio_mask").compute_mask([frames, audio_length])
    _, weights = attention([outputs, frames], mask=[None, frames_mask], return_attention_scores=True)
    return weights


def start_audio_side(recogniser, model, trainable=False) -> list[str]:
    """Start `model`'s audio encoder (`encoders.audio_encoder`, named "audio") from a trained
    recogniser: its front end's layers by name, its BiLSTMs `encoder_bilstm{n}` as
    `audio_bilstm{n or ''}`; returns their names. With `trainable=False` they stay as they
    were: a recogniser that hears voices it never heard keeps hearing them, and the model
    learns what to do with the characters it hears. Refuses anything but a speech_lstm, and a
    front end whose strides or mel bins differ (their weights would fit, their meaning not)."""
    if not isinstance(recogniser, keras.Model) or not any(layer.name == "encoder_bilstm0"
                                                          for layer in recogniser.layers):
        raise InvalidInputError("initial_audio_encoder", f"a {type(recogniser).__name__} "
                                                         f"{getattr(recogniser, 'name', '')}, not a speech recogniser")
    sources = {}
    for layer in recogniser.layers:
        if layer.name.startswith("encoder_bilstm"):
            number = int(layer.name.removeprefix("encoder_bilstm"))
            sources[f"audio_bilstm{number or ''}"] = layer
        elif layer.name.startswith("audio_"):
            sources[layer.name] = layer
    for layer in model.layers:
        source = sources.get(layer.name)
        for attribute in ("strides", "num_mel_bins"):
            if source is not None and getattr(layer, attribute, None) != getattr(source, attribute, None):
                raise InvalidInputError("initial_audio_encoder", f"layer {layer.name}: {attribute} "
                                                                 f"{getattr(layer, attribute, None)} here, "
                                                                 f"{getattr(source, attribute, None)} in the "
                                                                 "recogniser (build both with the same front end)")
    copied = encoders.copy_weights_by_name(sources, model, "initial_audio_encoder", "speech recogniser")
    for name in copied:
        model.get_layer(name).trainable = trainable
    return copied


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
