"""In-graph preprocessing: decoding, resampling, log-mel, text; clear errors; core ops only."""

import io
import re

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from mmzoo.data import preprocessing, shapes_world

def png_bytes(array, format="PNG"):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=format)
    return buffer.getvalue()


def wav_bytes(waveform, rate):
    return preprocessing.encode_wav(waveform, rate).numpy()


def tone(rate, seconds=0.5, frequency=440.0):
    return (0.5 * np.sin(2 * np.pi * frequency * np.arange(int(rate * seconds)) / rate)).astype(np.float32)


def test_decode_image_png_and_jpeg():
    image = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    decoded = preprocessing.decode_image(png_bytes(image)).numpy()
    np.testing.assert_allclose(decoded, image / 255.0, atol=1e-6)
    smooth = np.full((100, 80, 3), (200, 40, 40), np.uint8)
    resized = preprocessing.decode_image(png_bytes(smooth, "JPEG"), (64, 64)).numpy()
    assert resized.shape == (64, 64, 3)
    np.testing.assert_allclose(resized.mean(axis=(0, 1)), np.array([200, 40, 40]) / 255, atol=0.03)
    batch = preprocessing.decode_images(tf.constant([png_bytes(image), png_bytes(smooth)]))
    assert batch.shape == (2, 64, 64, 3)


@pytest.mark.parametrize("data, message", [
    (b"", "image: empty input"),
    (b"GIF-not-really, just text", "image: not an encoded image"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 20 + b"IEND\xaeB`\x82", "image: an image of 0 x 0 pixels"),
])
def test_bad_images_are_clear_errors(data, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        preprocessing.decode_image(data)


@pytest.mark.parametrize("format, options", [("PNG", {}), ("JPEG", {}), ("JPEG", {"progressive": True}),
                                             ("JPEG", {"exif": b"Exif\0\0" + b"x" * 500}), ("GIF", {}), ("BMP", {})])
def test_image_size_is_read_from_the_header(format, options):
    image = np.random.default_rng(0).integers(0, 256, (37, 53, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format=format, **options)
    assert [int(v) for v in preprocessing.image_size_from_header(buffer.getvalue())] == [53, 37]


@pytest.mark.parametrize("make, message", [
    (lambda: png_bytes(np.zeros((4100, 4100, 3), np.uint8)), "an image of 4100 x 4100 pixels; at most 16777216"),
    (lambda: png_bytes(np.zeros((1, 1, 3), np.uint8)), "an image of 1 x 1 pixels; at least 8 x 8 expected"),
    (lambda: b"\xff\xd8\xff" + b"\0" * 20, "no image size in its header"),
    (lambda: bytes(range(250, 256)), "not an encoded image .*; first bytes fa fb fc fd fe ff"),
    (lambda: png_bytes(np.zeros((16, 16, 3), np.uint8))[:-20], "truncated PNG file"),
    (lambda: png_bytes(np.zeros((16, 16, 3), np.uint8), "BMP")[:-20], "truncated BMP file: its header declares 822"),
])
def test_images_past_the_limits_are_refused_before_decoding(make, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=f"image: {message}.*item 2 of the batch"):
        preprocessing.decode_image(make(), index=2)


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
def test_decode_wav_resamples_to_16k(rate):
    waveform = preprocessing.decode_wav(wav_bytes(tone(rate), rate)).numpy()
    expected = tone(16000)
    assert abs(waveform.size - expected.size) <= 1
    middle = slice(800, 7200)  # FFT resampling rings a little at the ends
    np.testing.assert_allclose(waveform[middle], expected[middle], atol=0.01)


def test_decode_wav_batch_pads_and_reports_lengths():
    audio, lengths = preprocessing.decode_wavs(tf.constant([wav_bytes(tone(8000, 0.25), 8000),
                                                            wav_bytes(tone(44100, 0.5), 44100)]))
    assert lengths.numpy().tolist() == [4000, 8000] and audio.shape == (2, 8000)
    assert np.all(audio.numpy()[0, 4000:] == 0)


@pytest.mark.parametrize("make, message", [
    (lambda: b"", "audio: empty input"),
    (lambda: png_bytes(np.zeros((4, 4, 3), np.uint8)), "audio: not a WAV file"),
    (lambda: b"hello", "audio: not a WAV file"),  # shorter than a header (its checks once failed on it)
    (lambda: b"RIFF", "audio: not a WAV file"),
    (lambda: tf.audio.encode_wav(tf.zeros([800, 2]), 16000).numpy(), "audio: mono audio expected"),
    (lambda: tf.audio.encode_wav(tf.zeros([800, 1]), 96000).numpy(), "audio: sample rate must be 8000-48000"),
    (lambda: tf.audio.encode_wav(tf.zeros([0, 1]), 16000).numpy(), "audio: the WAV file holds no samples"),
])
def test_bad_wavs_are_clear_errors(make, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        preprocessing.decode_wav(make())


def _soundfile_wav(waveform, subtype, format="WAV"):
    import soundfile

    buffer = io.BytesIO()
    soundfile.write(buffer, waveform, 16000, subtype=subtype, format=format)
    return buffer.getvalue()


def _scipy_wav(waveform, dtype):
    from scipy.io import wavfile

    scale = {"uint8": (127, 128), "int16": (32767, 0), "int32": (2147483647, 0), "float32": (1, 0)}[dtype]
    buffer = io.BytesIO()
    wavfile.write(buffer, 16000, (np.round(waveform * scale[0]) + scale[1] if dtype != "float32" else waveform)
                  .astype(dtype))
    return buffer.getvalue()


COMMON_WAVS = {
    **{f"soundfile {subtype}": (lambda w, s=subtype: _soundfile_wav(w, s)) for subtype in
       ("PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT")},
    **{f"soundfile WAVEX {subtype}": (lambda w, s=subtype: _soundfile_wav(w, s, "WAVEX")) for subtype in
       ("PCM_16", "PCM_24", "PCM_32", "FLOAT")},  # WAVE_FORMAT_EXTENSIBLE: a 40-byte fmt chunk
    **{f"scipy {dtype}": (lambda w, d=dtype: _scipy_wav(w, d)) for dtype in ("uint8", "int16", "int32", "float32")},
}
PRECISION = {"PCM_U8": 0.008, "uint8": 0.008}  # 8 bits; the others within 16 bits' rounding


@pytest.mark.parametrize("name", sorted(COMMON_WAVS))
def test_common_wav_formats_read_like_their_16_bit_twin(name):
    waveform = tone(16000)
    data = COMMON_WAVS[name](waveform)
    twin = preprocessing.decode_wav(wav_bytes(waveform, 16000)).numpy()
    decoded = preprocessing.decode_wav(data).numpy()
    assert decoded.shape == twin.shape
    np.testing.assert_allclose(decoded, twin, atol=PRECISION.get(name.split()[-1], 1e-4))


def test_wav_chunks_before_and_after_the_data_are_skipped():
    plain = wav_bytes(tone(16000), 16000)
    fmt, data = plain[12:36], plain[36:]
    listing = b"LIST" + (5).to_bytes(4, "little") + b"INFOx\0"  # odd size: a pad byte follows
    trailer = b"id3 " + (4).to_bytes(4, "little") + b"TAG!"
    body = b"WAVE" + listing + fmt + data + trailer
    decoded = preprocessing.decode_wav(b"RIFF" + len(body).to_bytes(4, "little") + body).numpy()
    np.testing.assert_array_equal(decoded, preprocessing.decode_wav(plain).numpy())


@pytest.mark.parametrize("make, message", [
    (lambda: _scipy_wav(np.stack([tone(16000)] * 2, axis=1), "int16"), "mono audio expected; channels: 2"),
    (lambda: _soundfile_wav(tone(16000), "ULAW"), "a WAV encoding that is not read: format 7, 8 bits"),
    (lambda: _scipy_wav(np.full(100, np.nan, np.float32), "float32"), "NaN or infinite samples"),
    (lambda: b"RIFF" + bytes(range(200, 240)), "not a WAV file .*first bytes 52 49 46 46 c8 c9 ca cb"),
])
def test_unread_wavs_are_refused_in_words_and_in_utf8(make, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message) as error:
        preprocessing.decode_wav(make(), index=3)
    assert "(item 3 of the batch)" in error.value.message


def test_truncated_wav_is_an_error():
    for cut in (30, 60, 10000):  # of 16,044 bytes
        with pytest.raises(tf.errors.InvalidArgumentError, match="audio: truncated WAV file"):
            preprocessing.decode_wav(wav_bytes(tone(16000), 16000)[:cut])


def test_log_mel_spectrogram_layer_shapes_and_round_trip(tmp_path):
    layer = preprocessing.LogMelSpectrogram(num_mel_bins=40)
    waveforms = tf.constant(np.stack([tone(16000, 1.0), tone(16000, 1.0, 1000.0)]))
    spectrogram = layer(waveforms).numpy()
    assert spectrogram.shape == (2, 100, 40)
    assert spectrogram[0].mean(axis=0).argmax() < spectrogram[1].mean(axis=0).argmax()
    assert layer.frame_lengths(tf.constant([16000, 160, 161])).numpy().tolist() == [100, 1, 2]
    inputs = keras.Input((None,))
    model = keras.Model(inputs, keras.layers.GlobalAveragePooling1D()(preprocessing.LogMelSpectrogram(num_mel_bins=40)(inputs)))
    model.save(tmp_path / "logmel.keras")
    loaded = keras.saving.load_model(tmp_path / "logmel.keras", safe_mode=True)
    np.testing.assert_allclose(loaded(waveforms), model(waveforms), atol=1e-5)


@pytest.fixture(scope="module")
def vectorizer():
    captions = ["a large red circle", "a small blue square left of a large green triangle",
                "a small blue square is to the left of a large green triangle"]
    return preprocessing.text_vectorizer(captions, sequence_length=12)


def test_text_vectorizer_rejects_unknown_words_and_empty_captions(vectorizer):
    tokens = vectorizer(tf.constant(["A large red circle", "a small green square"])).numpy()
    assert tokens.shape == (2, 12) and (tokens > 1).sum(axis=1).tolist() == [4, 4]
    with pytest.raises(tf.errors.InvalidArgumentError, match="(?s)text: word\\(s\\) outside the vocabulary.*pink"):
        vectorizer(tf.constant(["a large red circle", "a large pink circle"]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="text: empty caption"):
        vectorizer(tf.constant(["a red circle", "   "]))


@pytest.mark.parametrize("captions, message", [
    (["a red circle", "a large pink circle"], "text: word\\(s\\) outside the vocabulary: pink \\(item 1 of"),
    (["a large red circle", "a tiny mauve circle"], "outside the vocabulary: tiny, mauve \\(item 1 of"),
    (["!!! ???", "a red circle"], "text: empty caption: no words \\(item 0 of"),
    (["a red circle", "red " * 10000], "text: a caption of 10000 words; this model reads at most 12 \\(item 1 of"),
    ([b"a red \xff\xfe circle"], "text: not UTF-8 text \\(item 0 of"),
])
def test_text_refusals_name_the_item_quote_only_the_unknown_words_and_stay_short(vectorizer, captions, message):
    @tf.function  # as inside a SavedModel
    def vectorize(texts):
        return vectorizer(texts)

    with pytest.raises(tf.errors.InvalidArgumentError, match=message) as error:
        vectorize(tf.constant(captions))
    refusal = re.search(r"\[(text: [^\]]*)\]", error.value.message).group(1)
    assert len(refusal) < 200, refusal


def test_text_vectorizer_unk_mode_and_keras_round_trip(tmp_path, vectorizer):
    lenient = preprocessing.StrictTextVectorization(on_unknown="unk", output_sequence_length=6,
                                                    vocabulary=vectorizer.get_vocabulary()[2:])
    assert lenient(tf.constant(["a pink circle"])).numpy()[0, 1] == 1
    inputs = keras.Input((), dtype="string")
    model = keras.Model(inputs, vectorizer(inputs))
    model.save(tmp_path / "text.keras")
    loaded = keras.saving.load_model(tmp_path / "text.keras", safe_mode=True)
    np.testing.assert_array_equal(loaded(tf.constant(["a large red circle"])), model(tf.constant(["a large red circle"])))
    with pytest.raises(tf.errors.InvalidArgumentError, match="pink"):
        loaded(tf.constant(["a large pink circle"]))


def _op_types(function, *specs):
    graph = tf.function(function).get_concrete_function(*specs).graph
    types = set()
    for op in graph.get_operations():
        types.add(op.type)
        for name in op.node_def.attr:
            attr = op.node_def.attr[name]
            if attr.HasField("func"):
                types |= _function_op_types(graph, attr.func.name)
    return types


def _function_op_types(graph, name):
    function = graph._get_function(name)
    if function is None:
        return set()
    types = set()
    for node in function.definition.node_def:
        types.add(node.op)
        for attr in node.attr.values():
            if attr.HasField("func"):
                types |= _function_op_types(graph, attr.func.name)
    return types


def test_serving_preprocessing_uses_only_core_tensorflow_ops(vectorizer):
    from tensorflow.python.framework import op_def_registry

    string = tf.TensorSpec([None], tf.string)
    used = (_op_types(preprocessing.decode_images, string)
            | _op_types(preprocessing.decode_wavs, string)
            | _op_types(lambda t: vectorizer(t), string)
            | _op_types(preprocessing.LogMelSpectrogram(), tf.TensorSpec([None, None], tf.float32)))
    unknown = {n for n in used if op_def_registry.get(n) is None and not n.startswith("__inference")}
    assert {"DecodeRaw", "RFFT", "IRFFT", "Assert"} <= used and "DecodeImage" in used
    assert unknown == set(), f"ops outside core TensorFlow: {unknown}"


def test_shapes_world_vocabulary_is_complete():
    assert len(shapes_world.VOCABULARY) == 20
