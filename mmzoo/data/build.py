"""Build the embedded data sets once and cache them under MMZOO_HOME."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from mmzoo.data import generation, readers, records, shapes_world, speech_synthesis
from mmzoo.data.readers import DIGIT_WORDS
from mmzoo.errors import InvalidInputError
from mmzoo.paths import mmzoo_home

# 2: train and validation negatives never name a held-out pair; 3: Chinese captions beside the English
SHAPES_WORLD_FORMAT_VERSION = 3
AVDIGITS_FORMAT_VERSION = 1
SHAPES_WORLD_SIZES = {
    "tiny": {"train": 64, "validation": 16, "test": 24, "compositional": 16},
    "small": {"train": 2000, "validation": 200, "test": 400, "compositional": 200},
    "default": {"train": 20000, "validation": 1000, "test": 2000, "compositional": 1000},
}
AVDIGITS_IMAGE_SIZE = 32
AVDIGITS_IMAGE_SPLITS = {"train": (0, 1200), "validation": (1200, 1500), "test": (1500, 1797)}
AVDIGITS_PAIRS_PER_IMAGE = {"train": 4, "validation": 2, "test": 2}
AVDIGITS_SYNTHETIC_UTTERANCES = {"train": 600, "validation": 200, "test": 200}
FSDD_SPEAKERS = {"train": ("george", "jackson", "nicolas"), "validation": ("theo",), "test": ("yweweler",)}


def shapes_world_sizes(size) -> dict[str, int]:
    """Scenes per split for a size name ("tiny", "small", "default") or a train size N."""
    if isinstance(size, dict):
        return {split: int(size[split]) for split in shapes_world.SPLITS}
    if isinstance(size, str) and size in SHAPES_WORLD_SIZES:
        return dict(SHAPES_WORLD_SIZES[size])
    try:
        train = int(size)
    except (TypeError, ValueError):
        raise InvalidInputError("size", f"{size!r} is neither one of {list(SHAPES_WORLD_SIZES)} nor a number")
    if train < 1:
        raise InvalidInputError("size", f"needs at least one training scene, got {train}")
    return {"train": train, "validation": max(16, train // 20), "test": max(16, train // 10),
            "compositional": max(16, train // 20)}


def shapes_world_dir(size="default", seed=0, home=None) -> Path:
    sizes = shapes_world_sizes(size)
    name = f"seed{seed}-" + "-".join(str(sizes[s]) for s in shapes_world.SPLITS)
    return Path(home or mmzoo_home()) / "shapes_world" / f"v{SHAPES_WORLD_FORMAT_VERSION}" / name


def build_shapes_world(size="default", seed=0, home=None, workers=None, progress=True) -> Path:
    """Build Shapes World (images, captions, spoken captions) unless it is cached; its folder.

    Per split: `{split}.scenes.tfrecord` (image, caption, references, hard negatives, objects)
    and `{split}.speech.tfrecord` (the caption spoken at 16 kHz, its voice and negatives).
    """
    directory = shapes_world_dir(size, seed, home)
    if records.read_manifest(directory) is not None:
        return directory
    sizes = shapes_world_sizes(size)
    started = time.perf_counter()
    tasks = [(seed, split, start, stop) for split in shapes_world.SPLITS
             for start, stop in generation.chunk_ranges(sizes[split])]
    with records.atomic_directory(directory) as scratch, \
            tqdm(total=sum(sizes.values()), desc="Shapes World", unit="scene", disable=not progress) as bar:
        writers = {}
        try:
            for (_, split, start, stop), chunk in zip(
                    tasks, generation.run_in_fresh_processes(generation.shapes_world_chunk, tasks, workers)):
                if split not in writers:
                    writers[split] = (tf.io.TFRecordWriter(str(scratch / f"{split}.scenes.tfrecord")),
                                      tf.io.TFRecordWriter(str(scratch / f"{split}.speech.tfrecord")))
                scenes_writer, speech_writer = writers[split]
                for example in chunk:
                    scenes_writer.write(records.encode_example(_without(example, "audio", "voice")))
                    speech_writer.write(records.encode_example({
                        key: example[key] for key in
                        ("scene_id", "caption", "negative_kinds", "negatives", "voice", "audio")}))
                bar.update(stop - start)
        finally:
            for scenes_writer, speech_writer in writers.values():
                scenes_writer.close()
                speech_writer.close()
        records.finish_manifest(scratch, {
            "dataset": "shapes_world",
            "format_version": SHAPES_WORLD_FORMAT_VERSION,
            "seed": seed,
            "sizes": sizes,
            "sample_rate": speech_synthesis.SAMPLE_RATE,
            "image_shape": [shapes_world.CANVAS_SIZE, shapes_world.CANVAS_SIZE, 3],
            "speakers": {split: list(v) for split, v in speech_synthesis.SPEAKERS_BY_SPLIT.items()},
            "build_seconds": round(time.perf_counter() - started, 2),
        })
    return directory


def spoken_captions_dir(engine, size="default", seed=0, home=None) -> Path:
    """Where `build_spoken_captions` caches: named by the engine's installed voices too, since
    the voices drawn depend on which are installed."""
    world = shapes_world_dir(size, seed, home)
    voices = hashlib.sha256(" ".join(speech_synthesis.ENGINES[engine].voices()).encode()).hexdigest()[:8]
    return world.parent / f"{world.name}-spoken-by-{engine}-{voices}"


def build_spoken_captions(engine, size="default", seed=0, home=None, workers=None, progress=True) -> Path:
    """Shapes World's train captions spoken again by another engine of
    `speech_synthesis.ENGINES` ("mbrola", "festival", "pico"), one recording per scene in scene order,
    unless cached; its folder, holding `train.speech.tfrecord` (scene_id, voice, audio).

    Only the train split: validation and test stay with eSpeak's held-out voices, and the other
    engines are for training or for held-out-engine evaluation, never both in one experiment.
    """
    if engine not in speech_synthesis.ENGINES:
        raise InvalidInputError("engine", f"{engine!r} is not one of {sorted(speech_synthesis.ENGINES)}")
    missing = speech_synthesis.ENGINES[engine].missing()
    if missing:
        raise InvalidInputError("engine", f"{engine}: {missing}")
    directory = spoken_captions_dir(engine, size, seed, home)
    if records.read_manifest(directory) is not None:
        return directory
    world = build_shapes_world(size, seed, home, workers, progress)
    captions = [record.features.feature["caption"].bytes_list.value[0].decode() for record in
                map(tf.train.Example.FromString, tf.data.TFRecordDataset(str(world / "train.speech.tfrecord"))
                    .as_numpy_iterator())]
    started = time.perf_counter()
    tasks = [(engine, seed, start, captions[start:stop]) for start, stop in generation.chunk_ranges(len(captions))]
    with records.atomic_directory(directory) as scratch, \
            tqdm(total=len(captions), desc=f"Shapes World spoken by {engine}", unit="caption",
                 disable=not progress) as bar:
        with tf.io.TFRecordWriter(str(scratch / "train.speech.tfrecord")) as writer:
            for chunk in generation.run_in_fresh_processes(generation.spoken_captions_chunk, tasks, workers):
                for example in chunk:
                    writer.write(records.encode_example(example))
                bar.update(len(chunk))
        records.finish_manifest(scratch, {
            "dataset": "shapes_world_spoken_captions", "engine": engine,
            "format_version": SHAPES_WORLD_FORMAT_VERSION, "seed": seed, "captions": len(captions),
            "voices": speech_synthesis.ENGINES[engine].voices(),
            "sample_rate": speech_synthesis.SAMPLE_RATE, "build_seconds": round(time.perf_counter() - started, 2)})
    return directory


def _without(example, *keys):
    return {k: v for k, v in example.items() if k not in keys}


def avdigits_dir(fsdd_dir=None, seed=0, home=None) -> Path:
    source = "espeak" if fsdd_dir is None else "fsdd-" + _folder_fingerprint(fsdd_dir)
    return Path(home or mmzoo_home()) / "avdigits" / f"v{AVDIGITS_FORMAT_VERSION}" / f"{source}-seed{seed}"


def _folder_fingerprint(folder) -> str:
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInputError(folder, "no such folder of FSDD recordings")
    listing = "\n".join(f"{p.name}:{p.stat().st_size}" for p in sorted(folder.glob("*.wav")))
    return hashlib.sha256(listing.encode()).hexdigest()[:12]


def avdigit_images() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8 x 8 digits upsampled to 32 x 32 uint8 images, and their labels."""
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = []
    for small in digits.images:
        pixels = Image.fromarray(np.round(small / 16.0 * 255).astype(np.uint8))
        images.append(np.asarray(pixels.resize((AVDIGITS_IMAGE_SIZE,) * 2, Image.BICUBIC)))
    return np.stack(images)[..., None], digits.target.astype(np.int64)


def _synthetic_digit_utterances(seed, workers):
    utterances = {}
    for split, count in AVDIGITS_SYNTHETIC_UTTERANCES.items():
        tasks = [(seed, split, list(DIGIT_WORDS), start, stop)
                 for start, stop in generation.chunk_ranges(count)]
        utterances[split] = [u for chunk in generation.run_in_fresh_processes(
            generation.spoken_words_chunk, tasks, workers) for u in chunk]
    return utterances


def _fsdd_digit_utterances(fsdd_dir, speakers_by_split):
    utterances = {}
    for split, speakers in speakers_by_split.items():
        found = readers.read_fsdd(fsdd_dir, speakers=speakers)
        if not found:
            raise InvalidInputError(fsdd_dir, f"no recordings of speakers {list(speakers)} for {split}")
        utterances[split] = [{
            "word": DIGIT_WORDS[r["label"]],
            "speaker": r["speaker"],
            "utterance_id": f"fsdd/{Path(r['path']).name}",
            "audio": generation.to_int16(r["audio"]),
        } for r in found]
    return utterances


def build_avdigits(fsdd_dir=None, seed=0, home=None, workers=None, progress=True,
                   fsdd_speakers=None) -> Path:
    """Build AV-Digits: digit images paired by label with spoken digit words; its folder.

    Images are split by index; speech by voice (eSpeak) or by speaker (FSDD), so the speakers
    of `test` are never heard in `train`.
    """
    directory = avdigits_dir(fsdd_dir, seed, home)
    if records.read_manifest(directory) is not None:
        return directory
    started = time.perf_counter()
    images, labels = avdigit_images()
    speakers = dict(fsdd_speakers or FSDD_SPEAKERS)
    utterances = (_synthetic_digit_utterances(seed, workers) if fsdd_dir is None
                  else _fsdd_digit_utterances(fsdd_dir, speakers))
    sizes = {}
    with records.atomic_directory(directory) as scratch:
        for split, (first, last) in tqdm(AVDIGITS_IMAGE_SPLITS.items(), desc="AV-Digits", disable=not progress):
            by_word = {}
            for utterance in utterances[split]:
                by_word.setdefault(utterance["word"], []).append(utterance)
            rng = shapes_world.scene_rng(seed, split, 0, stream="avdigits-pairing")
            examples = []
            for index in range(first, last):
                pool = by_word[DIGIT_WORDS[labels[index]]]
                for pair in range(AVDIGITS_PAIRS_PER_IMAGE[split]):
                    utterance = pool[int(rng.integers(len(pool)))]
                    examples.append({
                        "pair_id": f"{split}/{index}/{pair}",
                        "image_index": index,
                        "image": images[index],
                        "label": int(labels[index]),
                        **utterance,
                    })
            sizes[split] = records.write_tfrecord(scratch / f"{split}.tfrecord", examples)
        records.finish_manifest(scratch, {
            "dataset": "avdigits",
            "format_version": AVDIGITS_FORMAT_VERSION,
            "seed": seed,
            "source": "espeak" if fsdd_dir is None else f"fsdd:{Path(fsdd_dir).resolve()}",
            "sizes": sizes,
            "image_splits": AVDIGITS_IMAGE_SPLITS,
            "speakers": ({s: sorted({u["speaker"] for u in us}) for s, us in utterances.items()}),
            "sample_rate": speech_synthesis.SAMPLE_RATE,
            "image_shape": [AVDIGITS_IMAGE_SIZE, AVDIGITS_IMAGE_SIZE, 1],
            "build_seconds": round(time.perf_counter() - started, 2),
        })
    return directory

