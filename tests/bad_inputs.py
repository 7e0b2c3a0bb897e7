"""The project's bad-input corpus: common files every model must read, and malformed or
unusual ones it must refuse in words. Generated, deterministic and small; the contract test
runs it through every family's SavedModel, `scripts/bad_inputs_on_prebuilt.py` through every
signature of every prebuilt model.

    python tests/bad_inputs.py OUT     # writes OUT/<input>/<case>.bin and OUT/expected.json

Each case: (input, name, bytes, expected), expected "answer" or a regex the refusal's problem
must match. Captions are for the Shapes World models (their words).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np

ANSWER = "answer"
SECONDS = 0.5


def _image(array, format="PNG", **options):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=format, **options)
    return buffer.getvalue()


def _wav(waveform, rate=16000, subtype="PCM_16", format="WAV"):
    import soundfile

    buffer = io.BytesIO()
    soundfile.write(buffer, waveform, rate, subtype=subtype, format=format)
    return buffer.getvalue()


def _tone(rate=16000, seconds=SECONDS, channels=1):
    wave = 0.4 * np.sin(2 * np.pi * 220 * np.arange(int(rate * seconds)) / rate)
    return np.stack([wave] * channels, axis=1).astype("float32") if channels > 1 else wave.astype("float32")


def image_cases():
    rng = np.random.default_rng(0)
    picture = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    png = _image(picture)
    from PIL import Image

    animated = io.BytesIO()
    Image.fromarray(picture).save(animated, format="GIF", save_all=True,
                                  append_images=[Image.fromarray(255 - picture)])
    return [
        ("image", "png", png, ANSWER),
        ("image", "jpeg", _image(picture, "JPEG"), ANSWER),
        ("image", "jpeg_progressive", _image(picture, "JPEG", progressive=True), ANSWER),
        ("image", "gif", _image(picture, "GIF"), ANSWER),
        ("image", "gif_animated", animated.getvalue(), ANSWER),
        ("image", "bmp", _image(picture, "BMP"), ANSWER),
        ("image", "png_grey", _image(picture[..., 0]), ANSWER),
        ("image", "png_rgba", _image(np.dstack([picture, picture[..., :1]])), ANSWER),
        ("image", "png_16_bit", _image((picture[..., 0].astype(np.uint16) * 257)), ANSWER),
        ("image", "empty", b"", r"empty input"),
        ("image", "random_bytes", rng.integers(0, 256, 300, dtype=np.uint8).tobytes(),
         r"not an encoded image .*first bytes [0-9a-f ]+"),
        ("image", "text", "a picture, honestly".encode(), r"not an encoded image"),
        ("image", "wav_bytes", _wav(_tone()), r"not an encoded image .*first bytes 52 49 46 46"),
        ("image", "png_truncated", png[: len(png) // 2], r"truncated PNG file"),
        ("image", "bmp_truncated", _image(picture, "BMP")[:5000], r"truncated BMP file"),
        ("image", "one_pixel", _image(picture[:1, :1]), r"an image of 1 x 1 pixels; at least 8 x 8"),
        ("image", "too_many_pixels", _image(np.zeros((4200, 4200, 3), np.uint8)),
         r"an image of 4200 x 4200 pixels; at most 16777216"),
        ("image", "jpeg_header_only", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", r"no image size in its header"),
    ]


def audio_cases():
    rng = np.random.default_rng(1)
    tone = _tone()
    plain = _wav(tone)
    listed = (plain[:12] + b"LIST" + (5).to_bytes(4, "little") + b"INFOx\0" + plain[12:])
    listed = listed[:4] + (len(listed) - 8).to_bytes(4, "little") + listed[8:]
    return [
        ("audio", "pcm_16", plain, ANSWER),
        ("audio", "pcm_8_unsigned", _wav(tone, subtype="PCM_U8"), ANSWER),
        ("audio", "pcm_24", _wav(tone, subtype="PCM_24"), ANSWER),
        ("audio", "pcm_32", _wav(tone, subtype="PCM_32"), ANSWER),
        ("audio", "float_32", _wav(tone, subtype="FLOAT"), ANSWER),
        ("audio", "extensible_24", _wav(tone, subtype="PCM_24", format="WAVEX"), ANSWER),
        ("audio", "extensible_float", _wav(tone, subtype="FLOAT", format="WAVEX"), ANSWER),
        ("audio", "rate_8k", _wav(_tone(8000), 8000), ANSWER),
        ("audio", "rate_44k", _wav(_tone(44100), 44100), ANSWER),
        ("audio", "list_chunk_first", listed, ANSWER),
        ("audio", "empty", b"", r"empty input"),
        ("audio", "random_bytes", rng.integers(0, 256, 300, dtype=np.uint8).tobytes(),
         r"not a WAV file .*first bytes [0-9a-f ]+"),
        ("audio", "mp3_like", b"ID3\x04\x00\x00" + rng.integers(128, 256, 200, dtype=np.uint8).tobytes(),
         r"not a WAV file .*first bytes 49 44 33 04"),
        ("audio", "png_bytes", _image(np.zeros((8, 8, 3), np.uint8)), r"not a WAV file"),
        ("audio", "riff_garbage", b"RIFF" + rng.integers(128, 256, 60, dtype=np.uint8).tobytes(), r"not a WAV file"),
        ("audio", "truncated", plain[: len(plain) // 2], r"truncated WAV file: its data chunk declares"),
        ("audio", "stereo", _wav(_tone(channels=2)), r"mono audio expected; channels: 2"),
        ("audio", "mu_law", _wav(tone, subtype="ULAW"), r"a WAV encoding that is not read: format 7"),
        ("audio", "rate_96k", _wav(_tone(96000), 96000), r"sample rate must be 8000-48000 Hz; got 96000"),
        ("audio", "ten_milliseconds", _wav(_tone(seconds=0.01)), r"a recording of 0\.010 s; at least 0\.1 s"),
        ("audio", "no_samples", _wav(np.zeros(0, np.float32)), r"holds no samples"),
        ("audio", "float_nan", _wav(np.full(8000, np.nan, np.float32), subtype="FLOAT"), r"NaN or infinite"),
    ]


# What a WordPiece model (`tokenizer="wordpiece"`) does otherwise: every word becomes pieces
# (punctuation and Chinese too) and is answered; the limit counts pieces.
WORDPIECE_TEXT = {"punctuation_only": ANSWER, "unknown_word": ANSWER, "chinese": ANSWER,
                  "ten_thousand_words": r"a caption of 10000 word pieces; this model reads at most"}


def text_cases(tokenizer="words"):
    if tokenizer == "wordpiece":
        return [(input_name, name, data, WORDPIECE_TEXT.get(name, expected))
                for input_name, name, data, expected in text_cases()]
    return [
        ("text", "caption", "a large red circle".encode(), ANSWER),
        ("text", "caption_shouted", "A LARGE RED CIRCLE!".encode(), ANSWER),
        ("text", "empty", b"", r"empty caption: no words"),
        ("text", "spaces", b"   ", r"empty caption: no words"),
        ("text", "punctuation_only", b"!!! ???", r"empty caption: no words"),
        ("text", "unknown_word", "a large zzyzx circle".encode(), r"outside the vocabulary: zzyzx"),
        ("text", "not_utf8", b"a large \xff\xfe circle", r"not UTF-8 text"),
        ("text", "ten_thousand_words", ("red " * 10000).encode(),
         r"a caption of 10000 words; this model reads at most"),
        ("text", "chinese", "一个大的红色圆形".encode(), r"outside the vocabulary"),
    ]


def corpus(tokenizer="words"):
    return image_cases() + audio_cases() + text_cases(tokenizer)


def _png_header_only(width, height):
    """A PNG whose header says `width` x `height` (no pixels): what a decompression bomb shows first."""
    import struct
    import zlib

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
            + b"\0\0\0\0IEND\xaeB`\x82")


def large_cases():
    """Inputs of up to 10 MB, for the memory a single input costs (the script, not the tests)."""
    gradient = np.broadcast_to(np.linspace(0, 255, 4096, dtype=np.uint8)[None, :, None], (4096, 4096, 3))
    rng = np.random.default_rng(2)
    return [
        ("image", "png_at_the_pixel_limit", _image(np.ascontiguousarray(gradient)), ANSWER),
        ("image", "png_header_16000_square", _png_header_only(16000, 16000),
         r"an image of 16000 x 16000 pixels; at most"),
        ("image", "random_10_mb", rng.integers(0, 256, 10_000_000, dtype=np.uint8).tobytes(), r"not an encoded image"),
        ("audio", "sixty_seconds_48k", _wav(_tone(48000, 59.9), 48000), ANSWER),
        ("audio", "two_minutes_16k", _wav(_tone(16000, 120.0)), r"a recording of 120\.0 s; at most 60\.0 s"),
    ]


def main(out):
    out = Path(out)
    expected = {}
    for input_name, name, data, outcome in corpus():
        (out / input_name).mkdir(parents=True, exist_ok=True)
        (out / input_name / f"{name}.bin").write_bytes(data)
        expected[f"{input_name}/{name}"] = outcome
    (out / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
