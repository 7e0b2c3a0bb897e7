"""One encoder per modality, shared by every model of the zoo.

Each takes the model's raw Keras inputs and returns an `Encoded`: a sequence of feature
vectors (image cells, words, audio frames; masked where padded) and one summary vector.
"""

from __future__ import annotations

import dataclasses

import keras

from mmzoo.data import preprocessing, wordpiece
from mmzoo.errors import InvalidInputError
from mmzoo.layers.audio import (AdditiveNoise, LengthMask, MelCepstrum, RandomEqualiser, Reverberation, SpecAugment,
                                SpeedPerturbation, TelephoneBand, TrimSilence, UtteranceNormalization,
                                VocalTractWarp, ZeroPastLength)
from mmzoo.layers.image import PositionEmbedding, VGG16Preprocess


@dataclasses.dataclass
class Encoded:
    sequence: object  # [batch, positions, width]
    vector: object  # [batch, width]
    grid: object = None  # images: the cells as a map [batch, height, width, channels]
    embedded: object = None  # text: the word embeddings before any context, to compose phrases from


def image_inputs(image_shape):
    return keras.Input(shape=tuple(image_shape), dtype="float32", name="image")


def text_inputs(name="text"):
    return keras.Input(shape=(), dtype="string", name=name)


def audio_inputs():
    return [keras.Input(shape=(None,), dtype="float32", name="audio"),
            keras.Input(shape=(), dtype="int32", name="audio_length")]


def image_encoder(image, width=64, blocks=2, filters=32, name="image"):
    """A strided 3x3 stem, then VGG-style blocks (3x3 conv, batch norm, ReLU, 2x2 max-pool);
    the last feature map's cells, with learned positions, as a sequence.

    Positions matter: relations such as "left of" are read from where the objects are.
    """
    x = keras.layers.Conv2D(filters, 3, strides=2, padding="same", use_bias=False, name=f"{name}_stem")(image)
    x = keras.layers.BatchNormalization(name=f"{name}_stem_bn")(x)
    x = keras.layers.ReLU(name=f"{name}_stem_relu")(x)
    for block in range(blocks):
        x = keras.layers.Conv2D(filters * 2 ** min(block, 1), 3, padding="same", use_bias=False,
                                name=f"{name}_block{block}_conv")(x)
        x = keras.layers.BatchNormalization(name=f"{name}_block{block}_bn")(x)
        x = keras.layers.ReLU(name=f"{name}_block{block}_relu")(x)
        x = keras.layers.MaxPooling2D(name=f"{name}_block{block}_pool")(x)
    cells, grid = _cells_with_positions(x, width, name)
    vector = keras.layers.Flatten(name=f"{name}_flatten")(x)
    vector = keras.layers.Dense(width, activation="relu", name=f"{name}_vector")(vector)
    return Encoded(cells, vector, grid)


def _cells_with_positions(feature_map, width, name):
    """A feature map's cells, row by row, projected to `width` with learned positions; and the
    same as a grid."""
    grid_shape = tuple(feature_map.shape[1:3])
    cells = keras.layers.Reshape((-1, feature_map.shape[-1]), name=f"{name}_cells")(feature_map)
    cells = keras.layers.Dense(width, name=f"{name}_cell_projection")(cells)
    cells = PositionEmbedding(name=f"{name}_positions")(cells)
    grid = keras.layers.Reshape(grid_shape + (width,), name=f"{name}_grid")(cells)
    return cells, grid


def vgg16_image_encoder(image, width=64, weights=None, name="vgg16"):
    """`keras.applications.VGG16` without its classifier (its caffe-style preprocessing inside
    the model), its last feature map's cells projected to `width`, with learned positions.

    `weights`: None (random), a local weights file of VGG16 without top (offline), or
    "imagenet", which downloads them from the internet on first use.
    """
    backbone = keras.applications.VGG16(include_top=False, weights=weights, input_shape=tuple(image.shape[1:]))
    backbone.name = f"{name}_backbone"
    x = backbone(VGG16Preprocess(name=f"{name}_preprocess")(image))
    cells, grid = _cells_with_positions(x, width, name)
    vector = keras.layers.GlobalAveragePooling2D(name=f"{name}_pool")(x)
    vector = keras.layers.Dense(width, activation="relu", name=f"{name}_vector")(vector)
    return Encoded(cells, vector, grid)


def check_tokenizer(vectorizer, tokenizer: str):
    """A builder's `tokenizer` names the kind of vectorizer its task builds
    (`wordpiece.TOKENIZERS`); a vectorizer of another kind is a mistake in the config."""
    if tokenizer not in wordpiece.TOKENIZERS:
        raise ValueError(f"tokenizer: one of {tuple(wordpiece.TOKENIZERS)}, got {tokenizer!r}")
    expected = wordpiece.TOKENIZERS[tokenizer]
    if vectorizer is not None and not isinstance(vectorizer, expected):
        raise ValueError(f"vectorizer: a {expected.__name__} expected for tokenizer={tokenizer!r}, "
                         f"got a {type(vectorizer).__name__}")


TEXT_ARCHITECTURES = ("lstm", "transformer")


def text_encoder(text, vectorizer, width=64, embedding_dim=64, recurrent_layers=1, residual=False, name="text",
                 architecture="lstm", transformer_layers=2, heads=4):
    """A text vectorizer (`wordpiece.TOKENIZERS`, from the training captions), Embedding, then
    `architecture`: "lstm", `recurrent_layers` BiLSTMs (0: a 1-D conv instead; `residual`: see
    `bilstm_stack`) summarised by `sequence_summary`; or "transformer", `transformer_encoder`."""
    if architecture not in TEXT_ARCHITECTURES:
        raise ValueError(f"text architecture: one of {TEXT_ARCHITECTURES}, got {architecture!r}")
    tokens = vectorizer(text)
    if architecture == "transformer":
        return transformer_text(tokens, vectorizer.vocabulary_size(), width, embedding_dim, transformer_layers, heads,
                                name)
    # A conv does not carry a mask; the vectorizer pads every caption to the same length, so
    # what a conv reads in the padding does not depend on the batch.
    embedded = keras.layers.Embedding(vectorizer.vocabulary_size(), embedding_dim, mask_zero=recurrent_layers > 0,
                                      name=f"{name}_embedding")(tokens)
    if recurrent_layers > 0:
        words = bilstm_stack(embedded, width, recurrent_layers, name, residual)
    else:
        words = keras.layers.Conv1D(width, 3, padding="same", activation="relu", name=f"{name}_conv")(embedded)
    vector = sequence_summary(words, width, recurrent_layers > 0, name=f"{name}_summary")
    return Encoded(words, vector, embedded=embedded)


def transformer_text(tokens, vocabulary_size, width, embedding_dim=64, layers=2, heads=4, name="text"):
    """Word ids (0: padding, masked) embedded and read by `transformer_encoder`: the text side
    of the fusion classifier, the dual encoder and the text-to-image reader with
    `text_architecture="transformer"`, and the encoder that `masked_language` pretrains, under
    the same layer names (`copy_weights_by_name` starts one from the other)."""
    embedded = keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True, name=f"{name}_embedding")(tokens)
    words, vector = transformer_encoder(embedded, width, layers, heads, name)
    return Encoded(words, vector, embedded=embedded)


def transformer_encoder(embedded, width, layers=2, heads=4, name="text"):
    """The Transformer encoder (Vaswani et al., 2017; BERT's, post-norm) from Keras core layers:
    learned positions, then `layers` blocks of self-attention over the words (padding masked
    through the Embedding's mask) and a feed-forward layer, each added back and normalised.
    Returns the words [batch, length, width] and their masked mean [batch, width]."""
    x = keras.layers.Dense(width, name=f"{name}_input_projection")(embedded)
    x = PositionEmbedding(name=f"{name}_positions")(x)
    for block in range(layers):
        attended = keras.layers.MultiHeadAttention(heads, max(1, width // heads), dropout=0.1,
                                                   name=f"{name}_block{block}_attention")(x, x)
        x = keras.layers.LayerNormalization(name=f"{name}_block{block}_attention_norm")(
            keras.layers.Add(name=f"{name}_block{block}_attention_residual")([x, attended]))
        feed_forward = keras.layers.Dense(2 * width, activation="gelu", name=f"{name}_block{block}_feed_forward")(x)
        feed_forward = keras.layers.Dense(width, name=f"{name}_block{block}_feed_forward_out")(feed_forward)
        x = keras.layers.LayerNormalization(name=f"{name}_block{block}_feed_forward_norm")(
            keras.layers.Add(name=f"{name}_block{block}_feed_forward_residual")([x, feed_forward]))
    return x, keras.layers.GlobalAveragePooling1D(name=f"{name}_mean")(x)


def bilstm_stack(sequence, width, layers, name, residual=False):
    """`layers` BiLSTMs, each returning its sequence (the first named `{name}_bilstm`).
    `residual`: each BiLSTM whose input is `width` wide adds its input to its output, so that a
    deep stack trains about as fast as a shallow one (as in GNMT)."""
    for number in range(layers):
        read = keras.layers.Bidirectional(keras.layers.LSTM(width // 2, return_sequences=True),
                                          name=f"{name}_bilstm{number or ''}")(sequence)
        if residual and sequence.shape[-1] == width:
            read = keras.layers.Add(name=f"{name}_residual{number}")([sequence, read])
        sequence = read
    return sequence


def sequence_summary(sequence, width, recurrent=True, name="summary"):
    """One vector for a sequence: a BiLSTM's last states, or with `recurrent=False` a dilated
    1-D conv (each position then sees three on either side), max-pooled. The conv has no loop
    over the positions, which at batch 1 costs more time than the arithmetic: a fast student's
    choice."""
    if recurrent:
        return keras.layers.Bidirectional(keras.layers.LSTM(width // 2), name=name)(sequence)
    role = name.removesuffix("_bilstm")  # the shipped models' LSTMs keep their names
    x = keras.layers.Conv1D(width, 3, padding="same", dilation_rate=2, activation="relu", name=f"{role}_conv")(sequence)
    return keras.layers.GlobalMaxPooling1D(name=f"{role}_max")(x)


FRONT_ENDS = ("log_mel", "mfcc")
NORMALIZATIONS = ("frame", "utterance")
CONVOLUTIONS = ("1d", "2d")
CONV2D_FILTERS = 32


def audio_frames(audio, audio_length, width=64, num_mel_bins=64, augment=False, subsampling=4, telephone_band=0.0,
                 waveform_augment=False, front_end="log_mel", normalization="frame", vocal_tract_warp=False,
                 convolution="1d", trim_silence=False, name="audio"):
    """Features of a waveform, two convs over them (`subsampling` 4: both strided, 4x fewer
    frames; 2: the first), masked after each waveform's end. A waveform's frames do not depend
    on the rest of its batch (tested): everything past its end reads as zero.

    Args:
        augment: SpecAugment on the features, in training.
        telephone_band: the fraction of training waveforms low-passed at 4 kHz first
            (`TelephoneBand`), so that 8 kHz recordings sound familiar.
        waveform_augment: in training, a new speaker and channel for the waveforms: speed
            perturbation, a random equaliser, reverberation and coloured noise.
        vocal_tract_warp: in training, the log-mel frequency axis scaled by 0.9-1.1 per
            utterance (`VocalTractWarp`): another vocal tract's formants.
        front_end: "log_mel" (`num_mel_bins` log-mel energies) or "mfcc" (their first 13
            cepstral coefficients).
        normalization: "frame" (each frame over its mel bins, with a learned scale: gain does
            not matter) or "utterance" (each coefficient over the utterance's frames: a
            speaker's and a channel's constant colouring does not matter either).
        convolution: "1d", `width` filters over all the coefficients at once; or "2d",
            `CONV2D_FILTERS` 5x5 filters over time and frequency, each halving the frequency axis,
            then projected to `width` (DeepSpeech 2's front: a pattern is the same a few bins up,
            where another vocal tract puts it).
        trim_silence: each waveform cut to its speech first (`TrimSilence`), in training and at
            inference: silence before and after speech, which recordings have, is not heard.
    """
    if subsampling not in (2, 4):
        raise ValueError(f"subsampling: 2 or 4, got {subsampling!r}")
    if front_end not in FRONT_ENDS or normalization not in NORMALIZATIONS or convolution not in CONVOLUTIONS:
        raise ValueError(f"front_end, normalization, convolution: one of {FRONT_ENDS}, {NORMALIZATIONS} and "
                         f"{CONVOLUTIONS}, got {front_end!r}, {normalization!r}, {convolution!r}")
    if trim_silence:
        audio, audio_length = TrimSilence(name=f"{name}_trim_silence")([audio, audio_length])
    if waveform_augment:
        audio, audio_length = SpeedPerturbation(name=f"{name}_speed")([audio, audio_length])
        audio = RandomEqualiser(name=f"{name}_equaliser")(audio)
        audio = Reverberation(name=f"{name}_reverberation")(audio)
        audio = AdditiveNoise(name=f"{name}_noise")([audio, audio_length])
    if telephone_band:
        audio = TelephoneBand(telephone_band, name=f"{name}_telephone_band")(audio)
    log_mel = preprocessing.LogMelSpectrogram(num_mel_bins=num_mel_bins, name=f"{name}_log_mel")
    x = log_mel(audio)
    samples_per_frame = log_mel.frame_step
    if vocal_tract_warp:
        x = VocalTractWarp(lower_edge_hertz=log_mel.lower_edge_hertz, upper_edge_hertz=log_mel.upper_edge_hertz,
                           name=f"{name}_vocal_tract_warp")(x)
    if normalization == "frame":
        x = keras.layers.LayerNormalization(name=f"{name}_frame_norm")(x)
    else:
        x = UtteranceNormalization(samples_per_frame, name=f"{name}_utterance_norm")([x, audio_length])
    if augment:
        x = SpecAugment(name=f"{name}_spec_augment")(x)
    if front_end == "mfcc":
        x = MelCepstrum(name=f"{name}_mfcc")(x)
    if convolution == "2d":
        x = keras.layers.Reshape((-1, x.shape[-1], 1), name=f"{name}_time_frequency")(x)
    for number in range(2):
        # What a conv reads past a waveform's end is zero, whatever its batch-mates; and the
        # padding is fixed, not "same": TF's "same" pads a strided conv by an amount that depends
        # on the batch's length, which would shift a waveform's frames with its batch-mates.
        x = ZeroPastLength(samples_per_frame, name=f"{name}_zero_past_end{number}")([x, audio_length])
        stride = 2 if number == 0 or subsampling == 4 else 1
        if convolution == "1d":
            x = keras.layers.ZeroPadding1D(2, name=f"{name}_pad{number}")(x)
            x = keras.layers.Conv1D(width, 5, strides=stride, padding="valid", activation="relu",
                                    name=f"{name}_conv{number}")(x)
        else:
            x = keras.layers.ZeroPadding2D(2, name=f"{name}_pad{number}")(x)
            x = keras.layers.Conv2D(CONV2D_FILTERS, 5, strides=(stride, 2), padding="valid", activation="relu",
                                    name=f"{name}_conv{number}")(x)
        samples_per_frame *= stride
    if convolution == "2d":
        x = keras.layers.Reshape((-1, x.shape[2] * x.shape[3]), name=f"{name}_frames")(x)
        x = keras.layers.Dense(width, activation="relu", name=f"{name}_conv_projection")(x)
    return LengthMask(samples_per_frame=samples_per_frame, name=f"{name}_mask")([x, audio_length])


def audio_encoder(audio, audio_length, width=64, num_mel_bins=64, augment=False, recurrent_layers=1,
                  residual=False, name="audio", **front_end):
    """`audio_frames` (`front_end`: its `subsampling`, `waveform_augment`, `front_end`,
    `normalization`, `vocal_tract_warp` and `convolution`), then `recurrent_layers` BiLSTMs over
    the unpadded frames (0: none, the convs only; `residual`: see `bilstm_stack`), averaged over
    them."""
    frames = bilstm_stack(audio_frames(audio, audio_length, width, num_mel_bins, augment, name=name, **front_end),
                          width, recurrent_layers, name, residual)
    vector = keras.layers.GlobalAveragePooling1D(name=f"{name}_pool")(frames)
    return Encoded(frames, vector)


def layers_within(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from layers_within(layer)


def copy_weights_by_name(sources: dict, model, argument: str, source_name: str) -> list[str]:
    """Start `model` from trained layers: every layer of `model` (nested models included) that
    `sources` ({name: layer}) has takes its weights; returns their names. A text vectorizer is
    not copied but must have the same vocabulary (word ids would mean other words). Raises,
    naming `argument`, when weights differ in shape (built with other sizes) or nothing matches."""
    copied = []
    for layer in layers_within(model):
        source = sources.get(layer.name)
        if source is None:
            continue
        if isinstance(layer, (keras.layers.TextVectorization, wordpiece.WordPieceVectorization)):
            if layer.get_vocabulary() != source.get_vocabulary():
                raise InvalidInputError(argument, f"layer {layer.name}: its vocabulary differs from the "
                                                  f"{source_name}'s (adapt both on the same captions)")
            continue
        shapes, pretrained_shapes = ([tuple(w.shape) for w in l.weights] for l in (layer, source))
        if shapes != pretrained_shapes:
            raise InvalidInputError(argument, f"layer {layer.name}: weights of shapes {shapes} here, "
                                              f"{pretrained_shapes} in the {source_name} (build both with the same "
                                              "sizes)")
        if layer.weights:
            layer.set_weights(source.get_weights())
            copied.append(layer.name)
    if not copied:
        raise InvalidInputError(argument, f"no layer of {model.name} is in the {source_name}")
    return copied
