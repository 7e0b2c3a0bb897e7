"""Every custom layer of the zoo through the shared layer harness (tests/layer_harness.py)."""

import numpy as np
import pytest
import tensorflow as tf

from mmzoo.data.preprocessing import LogMelSpectrogram, StrictTextVectorization, WordsAsText
from mmzoo.data.wordpiece import WordPieceVectorization
from mmzoo.layers import audio, image
from mmzoo.models.dual_encoder.layers import LogitScale
from mmzoo.models.fusion import layers as fusion
from mmzoo.models.masked_language import layers as masked_language
from mmzoo.models.speech.layers import CharacterTokens, CTCOutput, TranscriptGap
from mmzoo.models.teacher_forcing import ShiftRight
from mmzoo.models.text_to_image import layers as text_to_image
from tests.layer_harness import run_layer_test

RANDOM = np.random.default_rng(0)


def floats(*shape, low=-1.0, high=1.0):
    return RANDOM.uniform(low, high, shape).astype("float32")


LAYERS = {
    "PositionEmbedding": (image.PositionEmbedding, {}, floats(2, 5, 4), True),
    "VGG16Preprocess": (image.VGG16Preprocess, {}, floats(2, 8, 8, 3, low=0.0), False),
    "LengthMask": (audio.LengthMask, {"samples_per_frame": 160}, [floats(2, 6, 4), np.array([800, 300], "int32")],
                   False),
    "ZeroPastLength": (audio.ZeroPastLength, {"samples_per_frame": 160},
                       [floats(2, 6, 4), np.array([800, 300], "int32")], False),
    "ModalityAttention": (fusion.ModalityAttention, {"units": 8}, [floats(2, 6), floats(2, 6)], True),
    "FeatureModulation": (fusion.FeatureModulation, {}, [floats(2, 5, 6), floats(2, 6), floats(2, 6)], False),
    "SpecAugment": (audio.SpecAugment, {"seed": 1}, floats(2, 30, 64), False),
    "TelephoneBand": (audio.TelephoneBand, {"seed": 1}, floats(2, 1600), False),
    "SpeedPerturbation": (audio.SpeedPerturbation, {"seed": 1}, [floats(2, 1600), np.array([1600, 900], "int32")],
                          False),
    "Reverberation": (audio.Reverberation, {"seed": 1}, floats(2, 1600), False),
    "AdditiveNoise": (audio.AdditiveNoise, {"seed": 1}, [floats(2, 1600), np.array([1600, 900], "int32")], False),
    "RandomEqualiser": (audio.RandomEqualiser, {"seed": 1}, floats(2, 1600), False),
    "TrimSilence": (audio.TrimSilence, {}, [floats(2, 1600), np.array([1600, 900], "int32")], False),
    "UtteranceNormalization": (audio.UtteranceNormalization, {"samples_per_frame": 160},
                               [floats(2, 6, 4), np.array([800, 300], "int32")], False),
    "VocalTractWarp": (audio.VocalTractWarp, {"seed": 1}, floats(2, 30, 64), False),
    "MelCepstrum": (audio.MelCepstrum, {"coefficients": 5}, floats(2, 6, 16), False),
    "ModalityDropout": (fusion.ModalityDropout, {"rate": 0.3, "seed": 1}, [floats(2, 4), floats(2, 4)], False),
    "PhraseGrounding": (fusion.PhraseGrounding, {"heads": 2, "key_dim": 4, "grid_shape": (2, 2)},
                        [floats(2, 5, 6), floats(2, 4, 6)], True),
    "SeededNoise": (text_to_image.SeededNoise, {"dim": 3}, np.array([7, 8], "int64"), False),
    "PlaceAtCentre": (text_to_image.PlaceAtCentre, {"slot": 1},
                      [floats(2, 8, 8, 4, low=0.0), np.array([[0.4, 0.5, 0.2, -0.1, 1.0]] * 2, "float32")], False),
    "AlphaComposite": (text_to_image.AlphaComposite, {}, [floats(2, 3, low=0.0), floats(2, 8, 8, 4, low=0.0),
                                                   floats(2, 8, 8, 4, low=0.0)], False),
    "SlotAttentionPooling": (text_to_image.SlotAttentionPooling, {"slots": 2}, floats(2, 5, 6), True),
    "LogitScale": (LogitScale, {}, floats(2, 4), True),
    "CTCOutput": (CTCOutput, {"characters": ["a", "b"]}, floats(2, 5, 3), False),
    "CharacterTokens": (CharacterTokens, {"characters": ["a", "b", " "]}, np.array([b"ab", b"ba a"]), False),
    "TranscriptGap": (TranscriptGap, {}, [np.array([[1, 2, 0], [2, 0, 0]], "int32"), floats(2, 6, 3)], False),
    "ShiftRight": (ShiftRight, {"start_id": 5}, np.array([[1, 2, 6, 0], [3, 6, 0, 0]], "int32"), False),
    "LogMelSpectrogram": (LogMelSpectrogram, {"num_mel_bins": 8, "frame_length": 64, "frame_step": 32,
                                              "fft_length": 64}, floats(2, 320), False),
    "StrictTextVectorization": (StrictTextVectorization, {"vocabulary": ["a", "red", "circle"]},
                                np.array([b"a red circle", b"red"]), False),
    "WordsAsText": (WordsAsText, {"vocabulary": ["", "[UNK]", "a", "red", "circle"]},
                    np.array([[2, 3, 4], [3, 0, 0]], "int64"), False),
    "WordPieceVectorization": (WordPieceVectorization, {"vocabulary": ["[PAD]", "[UNK]", "a", "red", "##d", "圆", "形"],
                                                        "output_sequence_length": 6},
                               np.array(["a red 圆形".encode(), b"a redd"]), False),
    "TokenMasking": (masked_language.TokenMasking, {"vocabulary_size": 20, "mask_id": 4, "first_regular_id": 5,
                                                    "seed": 1}, np.array([[7, 8, 9, 0], [6, 0, 0, 0]]), False),
    "EncoderInputs": (masked_language.EncoderInputs, {}, np.array([[7, 8, 9, 0], [6, 0, 0, 0]]), False),
    "OneSegment": (masked_language.OneSegment, {},
                   [np.array([[7, 8, 9, 0]], "int32"), np.array([[1, 1, 0, 0]], "int32"), np.zeros((1, 4), "int32")],
                   False),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer(name, tmp_path):
    layer_class, init_kwargs, inputs, trainable = LAYERS[name]
    run_layer_test(layer_class, init_kwargs, inputs, tmp_path, expect_trainable=trainable)


def test_every_registered_layer_is_in_the_harness():
    import keras

    from mmzoo import registry

    registry.import_builders()  # registers every family's classes

    registered = {name.split(">")[1] for name, obj in keras.saving.get_custom_objects().items()
                  if name.startswith("mmzoo>") and isinstance(obj, type) and issubclass(obj, keras.layers.Layer)
                  and not issubclass(obj, keras.Model)}
    assert registered == set(LAYERS), registered ^ set(LAYERS)


def test_the_harness_catches_a_layer_without_its_config(tmp_path):
    import keras

    class Forgetful(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def call(self, inputs):
            return inputs * self.units

    with pytest.raises(TypeError):
        run_layer_test(Forgetful, {"units": 2}, np.ones((2, 3), "float32"), tmp_path)
    assert tf.reduce_all(Forgetful(2)(np.ones((1, 1), "float32")) == 2.0)
