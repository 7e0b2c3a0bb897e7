"""Preprocessing that lives inside the models and their SavedModels.

Only core TensorFlow ops (and TF Text ops), so that TF Serving runs the graph as it is.
Every check raises InvalidArgumentError with a message that starts with the input's name:
`image: ...`, `audio: ...`, `text: ...`.
"""

from __future__ import annotations

import keras
import tensorflow as tf

SAMPLE_RATE = 16000
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 8000, 48000
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def _starts_with(data, prefix: bytes):
    return tf.equal(tf.strings.substr(data, 0, len(prefix)), prefix)


def _first(failing):
    """The index of the first true item of a [batch] boolean (0 when none is)."""
    return tf.argmax(tf.cast(failing, tf.int32), output_type=tf.int32)


def _checked(value, checks):
    with tf.control_dependencies(checks):
        return tf.identity(value)


# Images -------------------------------------------------------------------------------------

MAX_IMAGE_PIXELS = 4096 * 4096  # checked from the header, before anything is decoded
MIN_IMAGE_SIDE = 8
MAX_JPEG_SEGMENTS = 64
_JPEG_FRAME_MARKERS = [code for code in range(0xC0, 0xD0) if code not in (0xC4, 0xC8, 0xCC)]


def _jpeg_size(image_bytes):
    """(width, height) from a JPEG's frame header (SOFn), walking its segments; -1 if none."""
    size = _length(image_bytes)

    def step(position, width, height, count):
        code = _unsigned(image_bytes, position + 1, 1)
        is_frame = tf.reduce_any(tf.equal(code, _JPEG_FRAME_MARKERS))
        standalone = ((code >= 0xD0) & (code <= 0xD9)) | tf.equal(code, 0x01) | tf.equal(code, 0xFF)
        step_by = tf.where(standalone, tf.constant(1, tf.int64) + tf.cast(~tf.equal(code, 0xFF), tf.int64),
                           2 + _unsigned(image_bytes, position + 2, 2, big_endian=True))
        return (position + step_by, tf.where(is_frame, _unsigned(image_bytes, position + 7, 2, big_endian=True), width),
                tf.where(is_frame, _unsigned(image_bytes, position + 5, 2, big_endian=True), height), count + 1)

    def more(position, width, height, count):
        marker = tf.equal(_unsigned(image_bytes, position, 1), 0xFF)
        return (position + 4 <= size) & (width < 0) & marker & (count < MAX_JPEG_SEGMENTS)

    minus_one = tf.constant(-1, tf.int64)
    _, width, height, _ = tf.while_loop(more, step, (tf.constant(2, tf.int64), minus_one, minus_one, tf.constant(0)))
    return width, height


def image_size_from_header(image_bytes):
    """(width, height) of an encoded PNG, JPEG, GIF or BMP read from its header (-1 where the
    header does not say), without decoding it."""
    def png():
        return _unsigned(image_bytes, 16, 4, big_endian=True), _unsigned(image_bytes, 20, 4, big_endian=True)

    def gif():
        return _unsigned(image_bytes, 6, 2), _unsigned(image_bytes, 8, 2)

    def bmp():
        height = _unsigned(image_bytes, 22, 4)
        return _unsigned(image_bytes, 18, 4), tf.where(height >= 1 << 31, (1 << 32) - height, height)  # top-down

    def jpeg():
        return _jpeg_size(image_bytes)

    kind = tf.argmax(tf.cast(tf.stack([_starts_with(image_bytes, magic) for magic in IMAGE_MAGIC]), tf.int32))
    return tf.switch_case(tf.cast(kind, tf.int32), [png, jpeg, gif, gif, bmp])


def decode_image(image_bytes, image_size=(64, 64), input_name="image", index=0, max_pixels=MAX_IMAGE_PIXELS,
                 min_side=MIN_IMAGE_SIDE):
    """One encoded PNG/JPEG/GIF/BMP image to float32 [height, width, 3] in [0, 1]. Its size is
    read from its header first: an image of more than `max_pixels` or a side below `min_side`
    is refused before it is decoded. A refusal names the input, the item `index` of its batch
    and the fault."""
    image_bytes = tf.convert_to_tensor(image_bytes, tf.string)
    is_image = tf.reduce_any(tf.stack([_starts_with(image_bytes, magic) for magic in IMAGE_MAGIC]))
    format_checks = [
        refuse_unless(tf.strings.length(image_bytes) > 0, input_name, index,
                      "empty input; expected encoded PNG, JPEG, GIF or BMP bytes"),
        refuse_unless(is_image, input_name, index, "not an encoded image (PNG, JPEG, GIF or BMP expected); "
                      "first bytes ", hex_bytes(image_bytes)),
    ]
    with tf.control_dependencies(format_checks):
        width, height = image_size_from_header(image_bytes)
        length = _length(image_bytes)
        png_whole = ~_starts_with(image_bytes, IMAGE_MAGIC[0]) | tf.equal(
            tf.strings.substr(image_bytes, tf.maximum(length - 8, 0), 8), b"IEND\xaeB`\x82")
        bmp_declared = tf.where(_starts_with(image_bytes, b"BM"), _unsigned(image_bytes, 2, 4), length)
    size_checks = [
        refuse_unless(png_whole, input_name, index, "truncated PNG file: it does not end with an IEND chunk"),
        refuse_unless(bmp_declared <= length, input_name, index, "truncated BMP file: its header declares ",
                      bmp_declared, " bytes, ", length, " are present"),
        refuse_unless((width >= 0) & (height >= 0), input_name, index, "no image size in its header (damaged?)"),
        refuse_unless(width * height <= max_pixels, input_name, index, "an image of ", width, " x ", height,
                      f" pixels; at most {max_pixels} pixels are read"),
        refuse_unless(tf.minimum(width, height) >= min_side, input_name, index, "an image of ", width, " x ",
                      height, f" pixels; at least {min_side} x {min_side} expected"),
    ]
    image = tf.io.decode_image(_checked(image_bytes, format_checks + size_checks), channels=3,
                               expand_animations=False)
    # Resized before it is scaled: a 4096 x 4096 image is never held as floats twice.
    image = tf.image.resize(image, image_size, antialias=True) / 255.0
    image = tf.clip_by_value(image, 0.0, 1.0)
    image.set_shape([*image_size, 3])
    return image


def decode_images(batch_of_image_bytes, image_size=(64, 64), input_name="image", **limits):
    """A batch of encoded images to float32 [batch, height, width, 3]; `limits`: see `decode_image`."""
    indices = tf.range(tf.shape(batch_of_image_bytes)[0])
    return tf.map_fn(lambda item: decode_image(item[0], image_size, input_name, item[1], **limits),
                     (batch_of_image_bytes, indices), fn_output_signature=tf.TensorSpec([*image_size, 3], tf.float32))


# Audio --------------------------------------------------------------------------------------

def resample(waveform, rate_in, rate_out=SAMPLE_RATE):
    """Resample a 1-D waveform from `rate_in` to `rate_out` by band-limited FFT interpolation.

    Dropping (or zero-filling) the spectrum above the lower Nyquist frequency is an ideal
    low-pass filter, so downsampling does not alias.
    """
    waveform = tf.convert_to_tensor(waveform, tf.float32)
    rate_in = tf.cast(rate_in, tf.float64)

    def fft_resample():
        n = tf.shape(waveform)[0]
        m = tf.maximum(1, tf.cast(tf.math.round(tf.cast(n, tf.float64) * rate_out / rate_in), tf.int32))
        spectrum = tf.signal.rfft(waveform)
        bins = m // 2 + 1
        spectrum = tf.pad(spectrum[:bins], [[0, tf.maximum(0, bins - tf.shape(spectrum)[0])]])
        return tf.signal.irfft(spectrum, fft_length=[m]) * tf.cast(m, tf.float32) / tf.cast(n, tf.float32)

    return tf.cond(tf.equal(rate_in, float(rate_out)), lambda: waveform, fft_resample)


WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_EXTENSIBLE = 1, 3, 0xFFFE
MIN_AUDIO_SECONDS, MAX_AUDIO_SECONDS = 0.1, 60.0
MAX_WAV_CHUNKS = 64  # chunks read before `data`: fmt, LIST, fact, bext, ... (a header that loops is refused)


def _length(data):
    return tf.cast(tf.strings.length(data), tf.int64)


def _unsigned(data, position, width, big_endian=False):
    """The unsigned integer of `width` (1 to 4) bytes at `position` of a scalar string, little-
    or big-endian, as int64 (bytes past the end read as zero)."""
    start = tf.minimum(tf.cast(position, tf.int64), _length(data))
    padded = tf.strings.join([tf.strings.substr(data, start, tf.constant(width, tf.int64)), b"\0" * width])
    raw = tf.cast(tf.io.decode_raw(tf.strings.substr(padded, 0, width), tf.uint8), tf.int64)
    weights = [256 ** i for i in range(width)]
    return tf.reduce_sum(raw * tf.constant(weights[::-1] if big_endian else weights, tf.int64))


def hex_bytes(data, count=8):
    """The first `count` bytes of a scalar string as hex ("52 49 46 46"): always valid UTF-8,
    so an error that quotes them can be read."""
    table = tf.constant([f"{value:02x}" for value in range(256)])
    first = tf.io.decode_raw(tf.strings.substr(data, 0, count), tf.uint8)
    return tf.strings.reduce_join(tf.gather(table, tf.cast(first, tf.int32)), separator=" ")


def refuse_unless(condition, input_name, index, *problem):
    """An in-graph check that fails with `{input_name}: {problem} (item {index} of the batch)`;
    the problem's parts are strings or numbers (shown in decimal)."""
    parts = [tf.strings.as_string(p) if isinstance(p, tf.Tensor) and p.dtype != tf.string else p for p in problem]
    message = tf.strings.join([f"{input_name}: ", *parts, " (item ", tf.strings.as_string(index), " of the batch)"])
    return tf.debugging.Assert(condition, [message])


def _wav_chunks(wav_bytes):
    """Walk a RIFF file's chunks: (fmt position, fmt size, data position, data size declared),
    -1 for a chunk not found."""
    size = _length(wav_bytes)

    def step(position, fmt_at, fmt_size, data_at, data_size, count):
        chunk_id = tf.strings.substr(wav_bytes, position, tf.constant(4, tf.int64))
        chunk_size = _unsigned(wav_bytes, position + 4, 4)
        is_fmt, is_data = tf.equal(chunk_id, b"fmt "), tf.equal(chunk_id, b"data")
        return (position + 8 + chunk_size + chunk_size % 2,
                tf.where(is_fmt, position + 8, fmt_at), tf.where(is_fmt, chunk_size, fmt_size),
                tf.where(is_data, position + 8, data_at), tf.where(is_data, chunk_size, data_size), count + 1)

    def more(position, fmt_at, fmt_size, data_at, data_size, count):
        return (position + 8 <= size) & (data_at < 0) & (count < MAX_WAV_CHUNKS)

    minus_one = tf.constant(-1, tf.int64)
    _, fmt_at, fmt_size, data_at, data_size, _ = tf.while_loop(
        more, step, (tf.constant(12, tf.int64), minus_one, minus_one, minus_one, minus_one, tf.constant(0)))
    return fmt_at, fmt_size, data_at, data_size


def _samples(data, code):
    """Little-endian samples of one format `code` (0: 8-bit unsigned, 1: 16, 2: 24, 3: 32-bit
    PCM, 4: 32-bit float) to float32 in [-1, 1]."""
    def pcm8():
        return (tf.cast(tf.io.decode_raw(data, tf.uint8), tf.float32) - 128.0) / 128.0

    def pcm16():
        return tf.cast(tf.io.decode_raw(data, tf.int16, little_endian=True), tf.float32) / 32768.0

    def pcm24():
        triples = tf.reshape(tf.cast(tf.io.decode_raw(data, tf.uint8), tf.int32), [-1, 3])
        value = triples[:, 0] + triples[:, 1] * 256 + triples[:, 2] * 65536
        return tf.cast(tf.where(value >= 1 << 23, value - (1 << 24), value), tf.float32) / float(1 << 23)

    def pcm32():
        return tf.cast(tf.io.decode_raw(data, tf.int32, little_endian=True), tf.float32) / float(1 << 31)

    def float32():
        return tf.io.decode_raw(data, tf.float32, little_endian=True)

    return tf.switch_case(code, [pcm8, pcm16, pcm24, pcm32, float32])


def decode_wav(wav_bytes, input_name="audio", index=0, min_seconds=MIN_AUDIO_SECONDS, max_seconds=MAX_AUDIO_SECONDS):
    """WAV bytes to a float32 waveform at 16 kHz in [-1, 1]: PCM of 8 (unsigned), 16, 24 or 32
    bits, or 32-bit float, plain or WAVE_FORMAT_EXTENSIBLE, any chunks before or after `data`,
    mono, 8-48 kHz, `min_seconds` to `max_seconds` long. A refusal names the input, the item
    `index` of its batch and the fault."""
    wav_bytes = tf.convert_to_tensor(wav_bytes, tf.string)
    size = _length(wav_bytes)
    is_wav = _starts_with(wav_bytes, b"RIFF") & tf.equal(
        tf.strings.substr(tf.strings.join([wav_bytes, b"\0" * 12]), 8, 4), b"WAVE")
    header_checks = [
        refuse_unless(size > 0, input_name, index, "empty input; expected WAV bytes"),
        refuse_unless(is_wav, input_name, index, "not a WAV file (no RIFF/WAVE header); first bytes ",
                      hex_bytes(wav_bytes)),
    ]
    with tf.control_dependencies(header_checks):
        fmt_at, fmt_size, data_at, declared = _wav_chunks(wav_bytes)
    chunk_checks = [
        refuse_unless(fmt_at >= 0, input_name, index, "truncated WAV file: no fmt chunk before the end"),
        refuse_unless(fmt_size >= 16, input_name, index, "a fmt chunk of ", fmt_size, " bytes; at least 16 expected"),
        refuse_unless(fmt_at + 16 <= size, input_name, index, "truncated WAV file: its fmt chunk is cut short"),
        refuse_unless(data_at >= 0, input_name, index, "truncated WAV file: no data chunk before the end"),
    ]
    with tf.control_dependencies(chunk_checks):
        audio_format = _unsigned(wav_bytes, fmt_at, 2)
        channels = _unsigned(wav_bytes, fmt_at + 2, 2)
        rate = _unsigned(wav_bytes, fmt_at + 4, 4)
        bits = _unsigned(wav_bytes, fmt_at + 14, 2)
        extensible = tf.equal(audio_format, WAVE_FORMAT_EXTENSIBLE) & (fmt_size >= 40)
        audio_format = tf.where(extensible, _unsigned(wav_bytes, fmt_at + 24, 2), audio_format)
        # Streaming writers that did not know the length put 0 or 0xFFFFFFFF: the rest of the file.
        streamed = tf.equal(declared, 0) | tf.equal(declared, 0xFFFFFFFF)
        present = size - data_at
        length = tf.where(streamed, present, declared)
        is_pcm, is_float = tf.equal(audio_format, WAVE_FORMAT_PCM), tf.equal(audio_format, WAVE_FORMAT_IEEE_FLOAT)
        known = (is_pcm & ((bits == 8) | (bits == 16) | (bits == 24) | (bits == 32))) | (is_float & (bits == 32))
    format_checks = [
        refuse_unless(length <= present, input_name, index, "truncated WAV file: its data chunk declares ", length,
                      " bytes, ", present, " are present"),
        refuse_unless(known, input_name, index, "a WAV encoding that is not read: format ", audio_format, ", ",
                      bits, " bits (PCM of 8, 16, 24 or 32 bits or 32-bit float expected)"),
        refuse_unless(tf.equal(channels, 1), input_name, index, "mono audio expected; channels: ", channels),
        refuse_unless((rate >= MIN_SAMPLE_RATE) & (rate <= MAX_SAMPLE_RATE), input_name, index,
                      f"sample rate must be {MIN_SAMPLE_RATE}-{MAX_SAMPLE_RATE} Hz; got ", rate),
    ]
    with tf.control_dependencies(format_checks):
        sample_bytes = tf.maximum(bits // 8, 1)
        data = tf.strings.substr(wav_bytes, data_at, length - length % sample_bytes)
        code = tf.cast(tf.where(is_float, tf.constant(4, tf.int64), bits // 8 - 1), tf.int32)
        waveform = _samples(data, code)
    content_checks = [
        refuse_unless(tf.size(waveform) > 0, input_name, index, "the WAV file holds no samples"),
        refuse_unless(tf.reduce_all(tf.math.is_finite(waveform)), input_name, index,
                      "NaN or infinite samples in a float WAV file"),
    ]
    seconds = tf.cast(tf.size(waveform), tf.float32) / tf.cast(tf.maximum(rate, 1), tf.float32)
    content_checks += [
        refuse_unless(seconds >= min_seconds, input_name, index, "a recording of ",
                      tf.strings.as_string(seconds, precision=3), f" s; at least {min_seconds} s expected"),
        refuse_unless(seconds <= max_seconds, input_name, index, "a recording of ",
                      tf.strings.as_string(seconds, precision=1), f" s; at most {max_seconds} s are read"),
    ]
    waveform = _checked(waveform, content_checks)
    return tf.clip_by_value(resample(waveform, rate), -1.0, 1.0)


def decode_wavs(batch_of_wav_bytes, input_name="audio", **limits):
    """A batch of WAV bytes to (waveforms [batch, samples] zero-padded, lengths [batch]);
    `limits`: see `decode_wav`."""
    indices = tf.range(tf.shape(batch_of_wav_bytes)[0])
    ragged = tf.map_fn(lambda item: decode_wav(item[0], input_name, item[1], **limits), (batch_of_wav_bytes, indices),
                       fn_output_signature=tf.RaggedTensorSpec([None], tf.float32, ragged_rank=0))
    return ragged.to_tensor(), tf.cast(ragged.row_lengths(), tf.int32)


def encode_wav(waveform, sample_rate=SAMPLE_RATE):
    """A float waveform [samples] in [-1, 1] to 16-bit PCM WAV bytes."""
    waveform = tf.convert_to_tensor(waveform, tf.float32)
    return tf.audio.encode_wav(waveform[:, None], sample_rate)


def encode_pngs(images):
    """[batch, height, width, channels] floats in [0, 1] -> [batch] PNG bytes (in a graph too)."""
    pixels = tf.cast(tf.round(tf.clip_by_value(images, 0.0, 1.0) * 255.0), tf.uint8)
    return tf.map_fn(tf.io.encode_png, pixels, fn_output_signature=tf.TensorSpec([], tf.string))


@keras.saving.register_keras_serializable(package="mmzoo")
class LogMelSpectrogram(keras.layers.Layer):
    """Waveforms [batch, samples] at 16 kHz to log-mel spectrograms [batch, frames, mel_bins].

    25 ms windows every 10 ms by default; `frame_lengths` maps waveform lengths to frame counts.
    """

    def __init__(self, num_mel_bins=64, frame_length=400, frame_step=160, fft_length=512,
                 lower_edge_hertz=20.0, upper_edge_hertz=7600.0, sample_rate=SAMPLE_RATE, **kwargs):
        kwargs.setdefault("dtype", "float32")  # waveforms lose a fifth of their bits in float16
        super().__init__(**kwargs)
        self.num_mel_bins = num_mel_bins
        self.frame_length = frame_length
        self.frame_step = frame_step
        self.fft_length = fft_length
        self.lower_edge_hertz = lower_edge_hertz
        self.upper_edge_hertz = upper_edge_hertz
        self.sample_rate = sample_rate

    def call(self, waveforms):
        stft = tf.signal.stft(tf.cast(waveforms, tf.float32), self.frame_length, self.frame_step,
                              self.fft_length, pad_end=True)
        mel_weights = tf.signal.linear_to_mel_weight_matrix(
            self.num_mel_bins, self.fft_length // 2 + 1, self.sample_rate,
            self.lower_edge_hertz, self.upper_edge_hertz)
        mel = tf.tensordot(tf.square(tf.abs(stft)), mel_weights, 1)
        return tf.math.log(mel + 1e-6)

    def frame_lengths(self, lengths):
        return -(-tf.cast(lengths, tf.int32) // self.frame_step)

    def compute_output_shape(self, input_shape):
        frames = None if input_shape[1] is None else -(-input_shape[1] // self.frame_step)
        return (input_shape[0], frames, self.num_mel_bins)

    def get_config(self):
        return {**super().get_config(), "num_mel_bins": self.num_mel_bins,
                "frame_length": self.frame_length, "frame_step": self.frame_step,
                "fft_length": self.fft_length, "lower_edge_hertz": self.lower_edge_hertz,
                "upper_edge_hertz": self.upper_edge_hertz, "sample_rate": self.sample_rate}


# Text ---------------------------------------------------------------------------------------

@keras.saving.register_keras_serializable(package="mmzoo")
class StrictTextVectorization(keras.layers.TextVectorization):
    """TextVectorization that refuses, naming the item of the batch: text that is not UTF-8, a
    caption without words, a caption longer than `output_sequence_length` words (it would be
    cut), and by default unknown words.

    `on_unknown="error"`: a caption with a word outside the vocabulary is an error quoting the
    first unknown words. `on_unknown="unk"`: such words map to the [UNK] token, as in plain
    TextVectorization.
    """

    def __init__(self, on_unknown="error", input_name="text", **kwargs):
        if on_unknown not in ("error", "unk"):
            raise ValueError(f"on_unknown: must be 'error' or 'unk', got {on_unknown!r}")
        super().__init__(**kwargs)
        self.on_unknown = on_unknown
        self.input_name = input_name

    def call(self, inputs):
        inputs = tf.convert_to_tensor(inputs, tf.string)
        captions = tf.reshape(inputs, [-1])
        readable = tf.strings.unicode_transcode(captions, "UTF-8", "UTF-8", errors="replace")
        utf8 = tf.equal(readable, captions)
        words = self._preprocess(readable)  # the layer's own standardisation and split: [batch, (words)]
        counts = words.row_lengths()
        checks = [refuse_unless(tf.reduce_all(utf8), self.input_name, _first(~utf8), "not UTF-8 text"),
                  refuse_unless(tf.reduce_all(counts > 0), self.input_name, _first(counts == 0),
                                "empty caption: no words")]
        most = self._output_sequence_length
        if most:
            longest = _first(counts > most)
            checks.append(refuse_unless(tf.reduce_all(counts <= most), self.input_name, longest, "a caption of ",
                                        counts[longest], f" words; this model reads at most {most}"))
        # Keep a static batch size static (TextVectorization loses it): an LSTM reading the words
        # of a fixed-size batch then traces (inference_flops traces batches of one).
        tokens = tf.ensure_shape(super().call(inputs), [inputs.shape[0], None])
        if self.on_unknown == "error":
            unknown = tf.equal(tokens, 1)  # TextVectorization: 0 is padding, 1 is [UNK]
            row = _first(tf.reduce_any(unknown, axis=-1))
            aligned = words.to_tensor(default_value="", shape=tf.shape(tokens, out_type=tf.int64))
            quoted = tf.strings.substr(tf.boolean_mask(aligned[row], unknown[row])[:3], 0, 30, unit="UTF8_CHAR")
            checks.append(refuse_unless(tf.logical_not(tf.reduce_any(unknown)), self.input_name, row,
                                        "word(s) outside the vocabulary: ",
                                        tf.strings.reduce_join(quoted, separator=", ")))
        return _checked(tokens, checks)

    def get_config(self):
        return {**super().get_config(), "on_unknown": self.on_unknown, "input_name": self.input_name}


@keras.saving.register_keras_serializable(package="mmzoo")
class WordsAsText(keras.layers.Layer):
    """A vectorizer's word ids back to their words, joined by single spaces: the caption as the
    vectorizer read it (lowercased, punctuation gone), every refusal of the vectorizer made
    first. What a speech recogniser's transcript of the caption would say."""

    def __init__(self, vocabulary, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary = list(vocabulary)
        self.supports_jit = False  # string ops

    def call(self, word_ids):
        words = tf.gather(tf.constant(self.vocabulary), word_ids)
        words = tf.RaggedTensor.from_tensor(words, padding="")  # id 0 is padding: ""
        return tf.strings.reduce_join(words, axis=-1, separator=" ")

    def compute_output_shape(self, input_shape):
        return (input_shape[0],)

    def get_config(self):
        return {**super().get_config(), "vocabulary": self.vocabulary}


def text_vectorizer(texts, sequence_length=None, on_unknown="error", max_tokens=None, name="text_vectorizer"):
    """A StrictTextVectorization adapted on `texts` (a list or a dataset of strings)."""
    vectorizer = StrictTextVectorization(
        on_unknown=on_unknown, max_tokens=max_tokens, output_sequence_length=sequence_length,
        standardize="lower_and_strip_punctuation", name=name)
    vectorizer.adapt(texts)
    return vectorizer


def copy_of_vectorizer(vectorizer, name):
    """An independent vectorizer with the same vocabulary and settings: two nested models of one
    model cannot share one (Keras saves a vectorizer's vocabulary with the model that holds it)."""
    config = {**vectorizer.get_config(), "name": name, "vocabulary": None}
    copy = type(vectorizer).from_config(config)
    copy.set_vocabulary(vectorizer.get_vocabulary())
    return copy
