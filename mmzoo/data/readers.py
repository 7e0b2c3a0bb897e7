"""Readers for real data in standard layouts, yielding the zoo's feature names.

| reader            | layout                                             | features                                   |
|-------------------|----------------------------------------------------|--------------------------------------------|
| `read_fsdd`       | `{digit}_{speaker}_{index}.wav`                     | audio, label, transcript, speaker, path     |
| `LJSpeechReader`  | `metadata.csv` (`id|text|normalized`) + `wavs/`     | audio, transcript, utterance_id, path       |
| `Flickr8kReader`  | `Flickr8k.token.txt` (`img.jpg#n<TAB>caption`) + images | image, caption, references, image_id, path |
| `CocoCaptionsReader` | `captions_*.json` + image folder                 | image, caption, references, image_id, path  |

Audio is float32 mono at 16 kHz; images are float32 in [0, 1] resized to `image_size`.
A broken input raises `InvalidInputError` naming the file, or with `on_error="skip"` is
skipped, counted in `reader.skipped` and reported in one warning at the end of a pass.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from pathlib import Path

import numpy as np

from mmzoo.data.speech_synthesis import SAMPLE_RATE
from mmzoo.errors import InvalidInputError

logger = logging.getLogger(__name__)

MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 8000, 48000
FSDD_FILENAME = re.compile(r"^(?P<label>\d)_(?P<speaker>[A-Za-z]+)_(?P<index>\d+)\.wav$")
FSDD_TEST_INDICES = range(0, 5)  # the dataset's own test convention
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def read_wav(path, target_rate: int = SAMPLE_RATE) -> np.ndarray:
    """A mono WAV file as float32 in [-1, 1] at `target_rate`, or InvalidInputError."""
    import soundfile
    from scipy.signal import resample_poly

    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(path, "no such file")
    try:
        waveform, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except Exception as error:  # soundfile raises its own LibsndfileError, RuntimeError, ...
        raise InvalidInputError(path, f"not a readable WAV file ({error})") from None
    if waveform.shape[1] != 1:
        raise InvalidInputError(path, f"has {waveform.shape[1]} channels; mono audio expected")
    if waveform.shape[0] == 0:
        raise InvalidInputError(path, "holds no samples")
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise InvalidInputError(path, f"sample rate {rate} Hz is outside {MIN_SAMPLE_RATE}-{MAX_SAMPLE_RATE} Hz")
    waveform = waveform[:, 0]
    if rate != target_rate:
        divisor = np.gcd(int(rate), int(target_rate))
        waveform = resample_poly(waveform, target_rate // divisor, rate // divisor)
    return np.clip(waveform, -1.0, 1.0).astype(np.float32)


def read_image(path, image_size=(64, 64)) -> np.ndarray:
    """An RGB image file as float32 in [0, 1], resized to `image_size` (height, width)."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(path, "no such file")
    try:
        with Image.open(path) as image:
            image = image.convert("RGB").resize((image_size[1], image_size[0]), Image.BILINEAR)
            return np.asarray(image, dtype=np.float32) / 255.0
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise InvalidInputError(path, f"not a readable image ({error})") from None


def check_caption(caption: str, input_name) -> str:
    caption = " ".join(str(caption).split())
    if not caption:
        raise InvalidInputError(input_name, "empty caption")
    return caption


class Reader:
    """A lazily loaded list of examples: the index is read and checked up front."""

    def __init__(self, entries, on_error="raise"):
        if on_error not in ("raise", "skip"):
            raise InvalidInputError("on_error", f"must be 'raise' or 'skip', got {on_error!r}")
        self.entries = list(entries)
        self.on_error = on_error
        self.skipped: list[tuple[str, str]] = []  # (input, what was wrong)

    def load(self, entry) -> dict:
        raise NotImplementedError

    def __len__(self):
        return len(self.entries)

    def __iter__(self):
        self.skipped = []
        for entry in self.entries:
            try:
                yield self.load(entry)
            except InvalidInputError as error:
                if self.on_error == "raise":
                    raise
                self.skipped.append((error.input_name, error.problem))
        if self.skipped:
            logger.warning("%s skipped %d of %d inputs, first: %s: %s", type(self).__name__,
                           len(self.skipped), len(self.entries), *self.skipped[0])

    def as_dataset(self):
        """The examples as a tf.data.Dataset (element spec taken from the first example)."""
        import tensorflow as tf

        first = next(iter(self), None)
        if first is None:
            raise InvalidInputError(type(self).__name__, "no examples to read")
        signature = {
            key: tf.TensorSpec(shape=(None,) * np.ndim(value),
                               dtype=tf.string if isinstance(value, str) or (
                                   isinstance(value, list) and value and isinstance(value[0], str))
                               else tf.as_dtype(np.asarray(value).dtype))
            for key, value in first.items()
        }
        return tf.data.Dataset.from_generator(lambda: iter(self), output_signature=signature)


class FsddReader(Reader):
    """Free Spoken Digit Dataset recordings in one folder, `{digit}_{speaker}_{index}.wav`."""

    def __init__(self, folder, speakers=None, indices=None, on_error="raise"):
        folder = Path(folder)
        if not folder.is_dir():
            raise InvalidInputError(folder, "no such folder of FSDD recordings")
        entries = []
        for path in sorted(folder.glob("*.wav")):
            match = FSDD_FILENAME.match(path.name)
            if match is None:
                raise InvalidInputError(path, "name does not follow FSDD's {digit}_{speaker}_{index}.wav")
            if speakers is not None and match["speaker"] not in speakers:
                continue
            if indices is not None and int(match["index"]) not in indices:
                continue
            entries.append({"path": path, "label": int(match["label"]), "speaker": match["speaker"],
                            "index": int(match["index"])})
        super().__init__(entries, on_error)

    def load(self, entry):
        return {
            "audio": read_wav(entry["path"]),
            "label": np.int64(entry["label"]),
            "transcript": DIGIT_WORDS[entry["label"]],
            "speaker": entry["speaker"],
            "path": str(entry["path"]),
        }


def read_fsdd(folder, speakers=None, indices=None, on_error="raise") -> list[dict]:
    return list(FsddReader(folder, speakers, indices, on_error))


class LJSpeechReader(Reader):
    """LJSpeech-style: `metadata.csv` rows `id|text[|normalized text]`, audio in `wavs/{id}.wav`."""

    def __init__(self, folder, on_error="raise"):
        folder = Path(folder)
        metadata = folder / "metadata.csv"
        if not metadata.is_file():
            raise InvalidInputError(metadata, "no such file (an LJSpeech-style folder has metadata.csv)")
        entries = []
        with open(metadata, encoding="utf-8", newline="") as stream:
            for line_number, row in enumerate(csv.reader(stream, delimiter="|", quoting=csv.QUOTE_NONE), 1):
                if len(row) < 2:
                    raise InvalidInputError(f"{metadata}:{line_number}", "expected id|text[|normalized text]")
                entries.append({"utterance_id": row[0], "text": row[-1] or row[1],
                                 "path": folder / "wavs" / f"{row[0]}.wav",
                                 "input": f"{metadata}:{line_number}"})
        super().__init__(entries, on_error)

    def load(self, entry):
        return {
            "audio": read_wav(entry["path"]),
            "transcript": check_caption(entry["text"], entry["input"]),
            "utterance_id": entry["utterance_id"],
            "path": str(entry["path"]),
        }


class _CaptionedImagesReader(Reader):
    def __init__(self, captions_by_image: dict, image_folder, image_size, on_error):
        self.image_size = tuple(image_size)
        entries = [{"image_id": image_id, "path": Path(image_folder) / image_id, "references": refs}
                   for image_id, refs in captions_by_image.items()]
        super().__init__(entries, on_error)

    def load(self, entry):
        return {
            "image": read_image(entry["path"], self.image_size),
            "caption": entry["references"][0],
            "references": entry["references"],
            "image_id": entry["image_id"],
            "path": str(entry["path"]),
        }


class Flickr8kReader(_CaptionedImagesReader):
    """Flickr8k: `Flickr8k.token.txt` lines `image.jpg#n<TAB>caption`, images in one folder.

    `split_file` (e.g. `Flickr_8k.trainImages.txt`) keeps only the images it lists.
    """

    def __init__(self, captions_file, image_folder, image_size=(64, 64), split_file=None, on_error="raise"):
        captions_file = Path(captions_file)
        if not captions_file.is_file():
            raise InvalidInputError(captions_file, "no such captions file")
        keep = None
        if split_file is not None:
            keep = set(Path(split_file).read_text().split())
        captions = {}
        for line_number, line in enumerate(captions_file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            key, _, caption = line.partition("\t")
            image_id = key.split("#")[0]
            if not caption:
                raise InvalidInputError(f"{captions_file}:{line_number}", "expected image.jpg#n<TAB>caption")
            if keep is None or image_id in keep:
                captions.setdefault(image_id, []).append(
                    check_caption(caption, f"{captions_file}:{line_number}"))
        super().__init__(captions, image_folder, image_size, on_error)


class CocoCaptionsReader(_CaptionedImagesReader):
    """COCO captions: `captions_*.json` (`images` with file names, `annotations` with captions)."""

    def __init__(self, annotations_file, image_folder, image_size=(64, 64), on_error="raise"):
        annotations_file = Path(annotations_file)
        if not annotations_file.is_file():
            raise InvalidInputError(annotations_file, "no such annotations file")
        try:
            data = json.loads(annotations_file.read_text(encoding="utf-8"))
            file_names = {image["id"]: image["file_name"] for image in data["images"]}
            annotations = data["annotations"]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise InvalidInputError(annotations_file, f"not a COCO captions file ({error})") from None
        captions = {}
        for number, annotation in enumerate(annotations):
            image_id = annotation.get("image_id")
            if image_id not in file_names:
                raise InvalidInputError(f"{annotations_file}: annotation {number}",
                                        f"image_id {image_id!r} is not among the images")
            captions.setdefault(file_names[image_id], []).append(
                check_caption(annotation.get("caption", ""), f"{annotations_file}: annotation {number}"))
        super().__init__(captions, image_folder, image_size, on_error)
