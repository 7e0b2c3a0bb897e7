"""Fusion classifiers: one encoder per modality, fused by concatenation, attention or voting.

- `concat`: the source material's feature-level fusion: the modalities' vectors
  concatenated, then Dense layers. `interaction=True` adds batch norm and the elementwise
  product of the two vectors, which a plain concat cannot learn to compute on its own.
- `attention`: learned attention weights over the modalities' vectors (which modality to
  trust, per example) and, with text, cross-modal attention: the words attend over the other
  modality's cells or frames and each word is compared with what it found.
- `film`: feature-wise modulation (FiLM): the text (or, without text, the first modality's
  vector) scales and shifts every channel of the other modality's cells or frames in
  residual blocks, which are then pooled: the text chooses what the image encoder looks for.
- `grounding`: image and text, built to generalise to unseen combinations of words: each
  word, with the two before it, is looked for in the image's cells as a sum of its words'
  queries ("purple triangle" is "purple" plus "triangle"); a BiLSTM reads per word how well
  and where it was found, next to a narrow projection of the word saying what it is.
- `late`: decision-level fusion: a classifier per modality, their probabilities averaged.
- `transcript`: text and audio, through a trained CTC recogniser (`initial_audio_encoder`,
  frozen): how much less likely the written text is than the recogniser's own best transcript
  (`TranscriptGap`), into a logistic head. It matches speech as well as the recogniser hears
  it, whatever the voice; it cannot be better.

With one modality it is the unimodal model of an ablation.
"""

from __future__ import annotations

import keras

from mmzoo.data.preprocessing import StrictTextVectorization, WordsAsText
from mmzoo.errors import InvalidInputError
from mmzoo.models import encoders
from mmzoo.models.dual_encoder.model import copy_encoder_weights
from mmzoo.models.fusion import FUSIONS
from mmzoo.models.fusion.layers import FeatureModulation, ModalityAttention, ModalityDropout, PhraseGrounding
from mmzoo.models.masked_language import model as masked_language_model
from mmzoo.models.speech import model as speech_model
from mmzoo.models.speech.layers import CharacterTokens, TranscriptGap

MODALITIES = ("image", "text", "audio")


def fusion_classifier(modalities, num_classes, fusion="attention", vectorizer=None, image_shape=(64, 64, 3),
                      width=64, image_blocks=2, image_filters=32, recurrent_layers=1, residual=False,
                      interaction=False, dropout=0.1, augment=False, waveform_augment=False, front_end="log_mel",
                      normalization="frame", vocal_tract_warp=False, convolution="1d", num_mel_bins=64,
                      audio_subsampling=4, modality_dropout=0.0, initial_encoders=None, initial_audio_encoder=None,
                      fine_tune_audio=False, trim_silence=False,
                      tokenizer="words", text_architecture="lstm", initial_text_encoder=None, name=None):
    """A Keras functional model from raw modality inputs to class probabilities.

    Inputs by name: `image` float [H, W, C] in [0, 1]; `text` string; `audio` float waveform at
    16 kHz with `audio_length` (samples). Output: `probabilities`.

    Args:
        modalities: the inputs read, from `image`, `text`, `audio`; one for an ablation.
        num_classes: the classes of the softmax.
        fusion: `concat`, `attention`, `film`, `grounding`, `late` or `transcript` (module
            docstring); `transcript` reads only `initial_audio_encoder` and `vectorizer`.
        vectorizer: the text vectorizer of `tokenizer`'s kind, from the training captions (with text).
        image_shape: [H, W, C] of the images.
        width: the encoders' and head's width; with `image_filters` (the image encoder's first
            conv) and `image_blocks` it sizes a teacher or a student.
        recurrent_layers: the BiLSTMs reading words and audio frames; 0 reads them, and compares
            them across the modalities, with 1-D convs (`encoders.sequence_summary`), for a
            student that is fast at batch 1.
        residual: stacked BiLSTMs add their input to their output, for a deep teacher.
        interaction: concat fusion adds batch norm and the product of the two vectors.
        dropout: in the classification head.
        augment: SpecAugment on audio, in training only.
        waveform_augment, front_end, normalization, vocal_tract_warp, convolution, num_mel_bins,
            trim_silence: the audio's; see `encoders.audio_frames`.
        audio_subsampling: 4 or 2 times fewer audio frames than 10 ms (`audio_frames`' subsampling).
        modality_dropout: the fraction of training examples in which one modality's vector is
            zeroed, for concat and attention fusion (an ablation has nothing to drop).
        initial_encoders: a trained `DualEncoder` whose towers' layers start the same-named
            layers here (`copy_encoder_weights`): image convs and vector, word embeddings, BiLSTM.
        initial_audio_encoder: a trained speech recogniser (`speech_lstm`) whose front end and
            BiLSTMs start the audio encoder (`speech.model.start_audio_side`; build with its
            width, layers, mel bins, subsampling and front end); with `transcript` fusion, a CTC
            recogniser that hears for the matcher, whole and frozen.
        fine_tune_audio: train the audio layers started from `initial_audio_encoder`; by default
            they are frozen.
        tokenizer: `words` (a `StrictTextVectorization`) or `wordpiece` (a `WordPieceVectorization`:
            open vocabulary, Chinese); the task builds the vectorizer, the builder checks its kind.
        text_architecture: `lstm` (`recurrent_layers` BiLSTMs) or `transformer` (a Transformer
            encoder of Keras core layers, `encoders.transformer_encoder`) reading the words.
        initial_text_encoder: a trained `MaskedLanguageModel` whose encoder starts the Transformer
            text side (its vectorizer replaces `vectorizer`: its piece ids are what it learned).
        name: the model's name; default from the fusion and modalities.
    """
    modalities = tuple(modalities)
    if fusion not in FUSIONS:
        raise ValueError(f"fusion: must be one of {FUSIONS}, got {fusion!r}")
    if not modalities or set(modalities) - set(MODALITIES) or len(set(modalities)) != len(modalities):
        raise ValueError(f"modalities: distinct names from {MODALITIES} expected, got {modalities}")
    if modality_dropout and len(modalities) > 1 and fusion not in ("concat", "attention"):
        raise ValueError(f"modality_dropout: zeroes the modality vectors that concat and attention fusion "
                         f"combine; {fusion} fusion does not combine such vectors")
    if fusion == "grounding" and len(modalities) > 1 and set(modalities) != {"image", "text"}:
        raise ValueError(f"fusion: grounding looks up text in an image's cells; it needs modalities "
                         f"image and text, got {modalities}")
    if fusion == "transcript":
        return _transcript_matcher(modalities, num_classes, initial_audio_encoder, vectorizer, name)
    encoders.check_tokenizer(vectorizer, tokenizer)
    if initial_text_encoder is not None:
        vectorizer = masked_language_model.pretrained_vectorizer(initial_text_encoder, text_architecture)
    if "text" in modalities and vectorizer is None:
        raise ValueError("vectorizer: a text model needs a StrictTextVectorization adapted on its captions")

    inputs, encoded = {}, {}
    for modality in modalities:
        if modality == "image":
            inputs["image"] = encoders.image_inputs(image_shape)
            encoded["image"] = encoders.image_encoder(inputs["image"], width, image_blocks, image_filters)
        elif modality == "text":
            inputs["text"] = encoders.text_inputs()
            encoded["text"] = encoders.text_encoder(inputs["text"], vectorizer, width,
                                                    recurrent_layers=recurrent_layers, residual=residual,
                                                    architecture=text_architecture)
        else:
            inputs["audio"], inputs["audio_length"] = encoders.audio_inputs()
            encoded["audio"] = encoders.audio_encoder(
                inputs["audio"], inputs["audio_length"], width, augment=augment, recurrent_layers=recurrent_layers,
                residual=residual, num_mel_bins=num_mel_bins, subsampling=audio_subsampling,
                waveform_augment=waveform_augment, front_end=front_end, normalization=normalization,
                vocal_tract_warp=vocal_tract_warp, convolution=convolution, trim_silence=trim_silence)

    def head(features, prefix):
        x = keras.layers.Dense(2 * width, activation="relu", name=f"{prefix}_hidden")(features)
        x = keras.layers.Dropout(dropout, name=f"{prefix}_dropout")(x)
        # float32 under mixed precision: a float16 softmax rounds small probabilities to 0 in the loss.
        return keras.layers.Dense(num_classes, activation="softmax", dtype="float32", name=f"{prefix}_probabilities")(x)

    vectors = [encoded[m].vector for m in modalities]
    if modality_dropout and len(modalities) > 1:
        vectors = ModalityDropout(modality_dropout, name="modality_dropout")(vectors)
    if len(modalities) == 1:
        probabilities = head(vectors[0], modalities[0])
    elif fusion == "late":
        probabilities = keras.layers.Average(name="late_fusion")([head(v, m) for v, m in zip(vectors, modalities)])
    elif fusion == "film":
        conditioning = "text" if "text" in modalities else modalities[0]
        modulated = next(m for m in modalities if m != conditioning)
        probabilities = head(_film_vector(encoded[modulated], encoded[conditioning].vector, width), "fusion")
    elif fusion == "grounding":
        grounded = _grounded_vector(encoded["text"].embedded, encoded["image"], width, recurrent_layers, residual)
        probabilities = head(grounded, "fusion")
    elif fusion == "concat":
        fused = keras.layers.Concatenate(name="concat_fusion")(vectors)
        if interaction:
            product = keras.layers.Multiply(name="interaction")(vectors[:2])
            fused = keras.layers.Concatenate(name="concat_with_interaction")([fused, product])
            fused = keras.layers.BatchNormalization(name="fusion_bn")(fused)
        probabilities = head(fused, "fusion")
    else:
        fused = ModalityAttention(width, name="modality_attention")(vectors)
        if "text" in modalities:
            other = next(m for m in modalities if m != "text")
            cross_modal = _cross_modal_vector(encoded["text"].sequence, encoded[other].sequence, width,
                                              recurrent_layers, residual)
            fused = keras.layers.Concatenate(name="attention_fusion")([fused, cross_modal])
        probabilities = head(fused, "fusion")
    probabilities = keras.layers.Activation("linear", dtype="float32", name="probabilities")(probabilities)
    model = keras.Model(inputs, probabilities, name=name or f"{fusion}_fusion_{'_'.join(modalities)}")
    if initial_encoders is not None:
        copy_encoder_weights(initial_encoders, model)
    if initial_text_encoder is not None:
        masked_language_model.start_text_side(initial_text_encoder, model)
    if initial_audio_encoder is not None:
        speech_model.start_audio_side(initial_audio_encoder, model, trainable=fine_tune_audio)
    return model


def _transcript_matcher(modalities, num_classes, recogniser, vectorizer, name):
    """Does the audio say the text? Scored by how much less likely the recogniser finds the
    text than its own best transcript (`transcript` fusion)."""
    if set(modalities) != {"text", "audio"} or num_classes != 2:
        raise ValueError(f"fusion: transcript matches text with audio, two classes; got {modalities}, "
                         f"{num_classes} classes")
    if recogniser is None or speech_model.decoder_of(recogniser) != "ctc":
        raise InvalidInputError("initial_audio_encoder", "transcript fusion needs a trained CTC speech recogniser")
    if not isinstance(vectorizer, StrictTextVectorization):
        raise ValueError("vectorizer: transcript fusion reads captions of known words (tokenizer 'words')")
    characters, vocabulary = speech_model.characters_of(recogniser), vectorizer.get_vocabulary()
    unheard = sorted(set("".join(vocabulary[2:]) + " ") - set(characters))
    if unheard:
        raise InvalidInputError("initial_audio_encoder", f"its alphabet lacks {''.join(unheard)!r}, which the "
                                "vocabulary's words are written with")
    recogniser.trainable = False
    text = encoders.text_inputs()
    audio, audio_length = encoders.audio_inputs()
    logits = recogniser({"audio": audio, "audio_length": audio_length})
    # The vectorizer refuses what every text model refuses (unknown words, empty captions, ...);
    # the recogniser reads the words it kept, as it would have written them.
    words = WordsAsText(vocabulary, name="caption_words")(vectorizer(text))
    tokens = CharacterTokens(characters, name="caption_characters")(words)
    gap = TranscriptGap(name="transcript_gap")([tokens, logits])
    probabilities = keras.layers.Dense(2, activation="softmax", dtype="float32", name="probabilities")(gap)
    return keras.Model({"text": text, "audio": audio, "audio_length": audio_length}, probabilities,
                       name=name or "transcript_fusion_text_audio")


def _cross_modal_vector(words, cells, width, recurrent_layers, residual, heads=4):
    """Each word attends over the other modality; the word, what it found and their product are
    read in order (`recurrent_layers` BiLSTMs, or a dilated conv), so that "left of" can compare
    where the two objects were found."""
    attended = keras.layers.MultiHeadAttention(heads, width // heads, name="cross_attention")(words, cells)
    product = keras.layers.Multiply(name="word_evidence")([words, attended])
    compared = keras.layers.Concatenate(name="word_comparison")([words, attended, product])
    compared = encoders.bilstm_stack(compared, width, recurrent_layers - 1, name="comparison_reader",
                                     residual=residual)
    return encoders.sequence_summary(compared, width, recurrent_layers > 0, name="comparison_bilstm")


def _grounded_vector(word_embeddings, image, width, recurrent_layers, residual, heads=4, role_width=8):
    """Per word, how well and where its phrase was found (`PhraseGrounding`) and what the word
    is, through a projection too narrow to remember which attributes go together; a BiLSTM
    stack (`recurrent_layers`) reads them in order, to check each object and the relation
    between where the two were found. With no BiLSTMs, a conv and then a dilated conv read
    them: each position sees three words on either side, enough for the second "a" of "a
    small red circle right of a large blue square" to see both objects' last words, where their
    phrases were found."""
    grid_shape = tuple(image.grid.shape[1:3])
    grounded = PhraseGrounding(heads, width // heads, grid_shape, name="phrase_grounding")(
        [word_embeddings, image.sequence])
    role = keras.layers.Dense(role_width, name="word_role")(word_embeddings)
    read = keras.layers.Concatenate(name="grounded_words")([grounded, role])
    if recurrent_layers:
        read = encoders.bilstm_stack(read, width, recurrent_layers - 1, name="grounding_reader", residual=residual)
    else:
        read = keras.layers.Conv1D(width, 3, padding="same", activation="relu", name="grounding_reader_conv")(read)
    return encoders.sequence_summary(read, width, recurrent_layers > 0, name="grounding_bilstm")


def _film_vector(modulated, condition, width, blocks=2):
    """Residual FiLM blocks over an image grid (3x3 convs) or a sequence of frames (per-frame
    Dense), each modulated by `condition`; then max- and average-pooled (a grid) or averaged
    over unmasked frames (a sequence)."""
    is_grid = modulated.grid is not None
    x = modulated.grid if is_grid else modulated.sequence
    for block in range(blocks):
        if is_grid:
            h = keras.layers.Conv2D(width, 3, padding="same", name=f"film{block}_conv")(x)
        else:
            h = keras.layers.Dense(width, name=f"film{block}_dense")(x)
        h = keras.layers.BatchNormalization(center=False, scale=False, name=f"film{block}_norm")(h)
        gamma = keras.layers.Dense(width, name=f"film{block}_gamma")(condition)
        beta = keras.layers.Dense(width, name=f"film{block}_beta")(condition)
        h = FeatureModulation(name=f"film{block}_modulation")([h, gamma, beta])
        h = keras.layers.ReLU(name=f"film{block}_relu")(h)
        x = keras.layers.Add(name=f"film{block}_residual")([x, h])
    if is_grid:
        return keras.layers.Concatenate(name="film_pool")([keras.layers.GlobalMaxPooling2D(name="film_max")(x),
                                                           keras.layers.GlobalAveragePooling2D(name="film_mean")(x)])
    return keras.layers.GlobalAveragePooling1D(name="film_mean")(x)
