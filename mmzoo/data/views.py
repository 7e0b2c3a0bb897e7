"""Task views: `tf.data.Dataset`s of (named features, target) for every task of the zoo.

| view                       | features                              | target                    |
|----------------------------|---------------------------------------|---------------------------|
| `image_text_matching`      | image [64,64,3] float, text string    | label int32 (1: matches)   |
| `text_audio_matching`      | text, audio [samples] float, audio_length | label int32           |
| `captioning`               | image (+ references [4] string)       | caption string            |
| `image_caption_pairs`      | image, text (+ references [4] string) | caption id int64          |
| `speech_recognition`       | audio, audio_length                   | transcript string         |
| `text_to_image`            | text, layout [5] float                | image [64,64,3] float     |
| `avdigits_classification`  | image [32,32,1] float, audio, audio_length | label int32 (0-9)    |

Images are float32 in [0, 1]; audio is float32 mono at 16 kHz, zero-padded to the longest in
its batch. Matching views hold one positive and one hard negative (one attribute of the true
caption changed) per scene; in `train` the negative is drawn afresh every epoch. The Shapes
views that read captions take `language`: "en" (default), "zh" (the spec's Chinese captions)
or "both" (each scene once in each).
"""

from __future__ import annotations

import functools

import numpy as np
import tensorflow as tf

from mmzoo.data import build, preprocessing, shapes_world, speech_synthesis, wordpiece

AUTOTUNE = tf.data.AUTOTUNE
SHUFFLE_BUFFER = 10_000
_IMAGE_SHAPE = (shapes_world.CANVAS_SIZE, shapes_world.CANVAS_SIZE, 3)
_AVDIGITS_IMAGE_SHAPE = (build.AVDIGITS_IMAGE_SIZE, build.AVDIGITS_IMAGE_SIZE, 1)
_MAX_REFERENCES = 4
LANGUAGES = ("en", "zh", "both")

_SCENE_FEATURES = {
    "scene_id": tf.io.FixedLenFeature([], tf.string),
    "image": tf.io.FixedLenFeature([], tf.string),
    "caption": tf.io.FixedLenFeature([], tf.string),
    "references": tf.io.VarLenFeature(tf.string),
    "negatives": tf.io.VarLenFeature(tf.string),
    "negative_kinds": tf.io.VarLenFeature(tf.string),
    "shapes": tf.io.VarLenFeature(tf.string),
    "colours": tf.io.VarLenFeature(tf.string),
    "sizes": tf.io.VarLenFeature(tf.string),
    "boxes": tf.io.VarLenFeature(tf.int64),
    "rgbs": tf.io.VarLenFeature(tf.int64),
    "relation": tf.io.FixedLenFeature([], tf.string),
    "caption_zh": tf.io.FixedLenFeature([], tf.string),
    "references_zh": tf.io.VarLenFeature(tf.string),
    "negatives_zh": tf.io.VarLenFeature(tf.string),
}
_SPEECH_FEATURES = {
    "scene_id": tf.io.FixedLenFeature([], tf.string),
    "caption": tf.io.FixedLenFeature([], tf.string),
    "negatives": tf.io.VarLenFeature(tf.string),
    "negative_kinds": tf.io.VarLenFeature(tf.string),
    "voice": tf.io.FixedLenFeature([], tf.string),
    "audio": tf.io.FixedLenFeature([], tf.string),
}
_AVDIGITS_FEATURES = {
    "pair_id": tf.io.FixedLenFeature([], tf.string),
    "image_index": tf.io.FixedLenFeature([], tf.int64),
    "utterance_id": tf.io.FixedLenFeature([], tf.string),
    "image": tf.io.FixedLenFeature([], tf.string),
    "label": tf.io.FixedLenFeature([], tf.int64),
    "word": tf.io.FixedLenFeature([], tf.string),
    "speaker": tf.io.FixedLenFeature([], tf.string),
    "audio": tf.io.FixedLenFeature([], tf.string),
}


def _check_split(split, splits):
    if split not in splits:
        raise ValueError(f"split: {split!r} is not one of {tuple(splits)}")


def _parse(serialized, features):
    example = tf.io.parse_single_example(serialized, features)
    return {key: tf.sparse.to_dense(value) if isinstance(value, tf.sparse.SparseTensor) else value
            for key, value in example.items()}


def _decode_audio(raw):
    return tf.cast(tf.io.decode_raw(raw, tf.int16), tf.float32) / 32768.0


def shapes_world_records(split, kind="scenes", size="default", seed=0, home=None):
    """The parsed records of one split: `kind` "scenes" (images) or "speech" (spoken captions).

    Builds and caches Shapes World first if it is not cached yet.
    """
    _check_split(split, shapes_world.SPLITS)
    directory = build.build_shapes_world(size, seed, home)
    features = {"scenes": _SCENE_FEATURES, "speech": _SPEECH_FEATURES}[kind]
    records = tf.data.TFRecordDataset(str(directory / f"{split}.{kind}.tfrecord"))
    parsed = records.map(lambda s: _parse(s, features), num_parallel_calls=AUTOTUNE)
    if kind == "scenes":
        return parsed.map(lambda r: {**r, "image": tf.reshape(tf.io.decode_raw(r["image"], tf.uint8), _IMAGE_SHAPE)})
    return parsed.map(lambda r: {**r, "audio": _decode_audio(r["audio"])})


def avdigits_records(split, fsdd_dir=None, seed=0, home=None):
    _check_split(split, build.AVDIGITS_IMAGE_SPLITS)
    directory = build.build_avdigits(fsdd_dir, seed, home)
    records = tf.data.TFRecordDataset(str(directory / f"{split}.tfrecord"))
    return records.map(lambda s: _parse(s, _AVDIGITS_FEATURES), num_parallel_calls=AUTOTUNE).map(
        lambda r: {**r, "image": tf.reshape(tf.io.decode_raw(r["image"], tf.uint8), _AVDIGITS_IMAGE_SHAPE),
                   "audio": _decode_audio(r["audio"])})


def batched(dataset, batch_size, shuffle, seed, drop_remainder=False, padded=False):
    """The shared tail of every view: (shuffle,) batch, scale images to float, prefetch.

    `dataset` yields (features, target) pairs with uint8 images; `padded` zero-pads audio.
    """
    if shuffle:
        dataset = dataset.shuffle(SHUFFLE_BUFFER, seed=seed, reshuffle_each_iteration=True)
    if padded:
        dataset = dataset.padded_batch(batch_size, drop_remainder=drop_remainder)
    else:
        dataset = dataset.batch(batch_size, drop_remainder=drop_remainder, num_parallel_calls=AUTOTUNE)
    return dataset.map(_images_to_float, num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)


def _images_to_float(features, target):
    def to_float(value):
        return tf.cast(value, tf.float32) / 255.0 if value.dtype == tf.uint8 else value

    return tf.nest.map_structure(to_float, features), tf.nest.map_structure(to_float, target)


def _with_negative(records, split, seed):
    """Pair each record with one of its hard negatives: fixed per scene, fresh each epoch in train."""
    draws = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=(split == "train"))

    def pick(record, draw):
        count = tf.cast(tf.shape(record["negatives"])[0], tf.int64)
        return {**record, "negative": record["negatives"][draw % count]}

    return tf.data.Dataset.zip(records, draws).map(pick, num_parallel_calls=AUTOTUNE)


def _positive_and_negative(record, features):
    """Two examples from one record: with its caption (label 1) and with its negative (0)."""
    positive = {**features, "text": record["caption"]}
    negative = {**features, "text": record["negative"]}
    return tf.data.Dataset.from_tensors((positive, tf.constant(1, tf.int32))).concatenate(
        tf.data.Dataset.from_tensors((negative, tf.constant(0, tf.int32))))


def default_shuffle(split, shuffle):
    return split == "train" if shuffle is None else shuffle


def _matching_view(records, split, batch_size, seed, shuffle, drop_remainder, features_of, padded=False):
    """Scenes shuffled, then each scene's positive and negative side by side in one batch: the
    gradient then compares a true caption with its one-attribute change on the same input."""
    if default_shuffle(split, shuffle):
        records = records.shuffle(SHUFFLE_BUFFER, seed=seed, reshuffle_each_iteration=True)
    pairs = _with_negative(records, split, seed).flat_map(lambda r: _positive_and_negative(r, features_of(r)))
    return batched(pairs, batch_size, False, seed, drop_remainder, padded=padded)


def labelled_scenes(split, label_fraction=1.0, size="default"):
    """Scenes of `split` a view reads: with `label_fraction` < 1, the first such fraction of
    `train` (at least one; for learning from few labels), all of the other splits."""
    if not 0.0 < label_fraction <= 1.0:
        raise ValueError(f"label_fraction: in (0, 1], got {label_fraction!r}")
    scenes = build.shapes_world_sizes(size)[split]
    return max(1, round(scenes * label_fraction)) if split == "train" else scenes


def in_language(records, language):
    """Scene records whose `caption`, `references` and `negatives` are in `language`: "en",
    "zh" (Chinese, as the spec writes it), or "both" (each scene twice, English then Chinese)."""
    if language not in LANGUAGES:
        raise ValueError(f"language: one of {LANGUAGES}, got {language!r}")
    if language == "en":
        return records

    def chinese(record):
        return {**record, "caption": record["caption_zh"], "references": record["references_zh"],
                "negatives": record["negatives_zh"]}

    if language == "zh":
        return records.map(chinese, num_parallel_calls=AUTOTUNE)
    return records.flat_map(lambda record: tf.data.Dataset.from_tensors(record).concatenate(
        tf.data.Dataset.from_tensors(chinese(record))))


def _captions_per_scene(language):
    return 2 if language == "both" else 1


def image_text_matching(split, batch_size=64, size="default", seed=0, shuffle=None, home=None,
                        drop_remainder=False, label_fraction=1.0, language="en"):
    records = in_language(shapes_world_records(split, "scenes", size, seed, home).take(
        labelled_scenes(split, label_fraction, size)), language).map(
        lambda r: {"image": r["image"], "caption": r["caption"], "negatives": r["negatives"]}).cache()
    return _matching_view(records, split, batch_size, seed, shuffle, drop_remainder,
                          lambda r: {"image": r["image"]})


def spoken_captions(split, size="default", seed=0, home=None, engine_shares=None):
    """The spoken captions of `split` ({audio, caption, negatives}), in eSpeak NG's voices.

    `engine_shares` ({engine: share}, shares summing to at most 1): in train, each scene is heard
    in another engine's recording (`build.build_spoken_captions`) with that engine's share, drawn
    afresh each epoch, so every caption is heard in every engine over the epochs. Other splits
    keep their held-out eSpeak voices.
    """
    records = shapes_world_records(split, "speech", size, seed, home).map(
        lambda r: {"scene_id": r["scene_id"], "audio": r["audio"], "caption": r["caption"],
                   "negatives": r["negatives"]})
    if split != "train" or not engine_shares:
        return records.map(lambda r: _without_key(r, "scene_id")).cache()
    _check_engine_shares(engine_shares)
    others = [_recordings_by(engine, size, seed, home) for engine in engine_shares]
    bounds = [float(bound) for bound in np.cumsum(list(engine_shares.values()))]
    # Its own seed: the hard negative's draw (`_with_negative`) must not decide the engine too.
    draws = tf.data.Dataset.random(seed=seed + 1, rerandomize_each_iteration=True).map(
        lambda draw: tf.cast(draw % 1_000_000, tf.float32) / 1_000_000)

    def heard(record, *rest):
        *recordings, draw = rest
        audio = record["audio"]
        for recording, low, high in zip(recordings, [0.0] + bounds[:-1], bounds):
            tf.debugging.assert_equal(recording["scene_id"], record["scene_id"], message="engine_shares: another "
                                      "engine's recordings are not of the same scenes (rebuild them)")
            audio = tf.cond((draw >= low) & (draw < high), lambda r=recording: r["audio"], lambda a=audio: a)
        return {**_without_key(record, "scene_id"), "audio": audio}

    return tf.data.Dataset.zip(records, *others, draws).map(heard, num_parallel_calls=AUTOTUNE)


def _recordings_by(engine, size, seed, home):
    """{scene_id, audio} of the train captions spoken by `engine`, in scene order."""
    directory = build.build_spoken_captions(engine, size, seed, home)
    features = {key: _SPEECH_FEATURES[key] for key in ("scene_id", "audio")}
    return tf.data.TFRecordDataset(str(directory / "train.speech.tfrecord")).map(
        lambda s: _parse(s, features), num_parallel_calls=AUTOTUNE).map(
        lambda r: {**r, "audio": _decode_audio(r["audio"])})


def _check_engine_shares(engine_shares):
    if (not isinstance(engine_shares, dict) or not set(engine_shares) <= set(speech_synthesis.ENGINES)
            or not all(0 < share <= 1 for share in engine_shares.values()) or sum(engine_shares.values()) > 1):
        raise ValueError(f"engine_shares: {{engine: share}} of {sorted(speech_synthesis.ENGINES)}, shares in (0, 1] "
                         f"summing to at most 1, got {engine_shares!r}")


def _without_key(record, key):
    return {name: value for name, value in record.items() if name != key}


def text_audio_matching(split, batch_size=64, size="default", seed=0, shuffle=None, home=None,
                        drop_remainder=False, engine_shares=None):
    """(text, spoken caption) pairs: the true caption (1) and a one-attribute change (0).
    `engine_shares`: `spoken_captions`."""
    records = spoken_captions(split, size, seed, home, engine_shares)
    return _matching_view(records, split, batch_size, seed, shuffle, drop_remainder,
                          lambda r: {"audio": r["audio"], "audio_length": tf.shape(r["audio"])[0]}, padded=True)


def captioning(split, batch_size=64, size="default", seed=0, shuffle=None, home=None,
               with_references=False, drop_remainder=False, language="en"):
    def example(r):
        features = {"image": r["image"]}
        if with_references:
            features["references"] = _padded_references(r["references"])
        return features, r["caption"]

    dataset = in_language(shapes_world_records(split, "scenes", size, seed, home), language).map(example).cache()
    return batched(dataset, batch_size, default_shuffle(split, shuffle), seed, drop_remainder)


def caption_ids(captions):
    """A caption's id: a 63-bit hash of its text, equal for equal captions."""
    return tf.strings.to_hash_bucket_fast(captions, 2 ** 63 - 1)


def image_caption_pairs(split, batch_size=64, size="default", seed=0, shuffle=None, home=None,
                        with_references=False, drop_remainder=False, language="en", label_fraction=1.0):
    """Scenes as (image, caption) pairs for a contrastive model; the target is the caption's id
    (`caption_ids`). `with_references`: also the scene's reference captions, padded with ""
    (every caption that describes it: the mirrored relation and the "is to the left of" forms).
    `label_fraction`: `labelled_scenes`. A Chinese caption takes its English twin's id: the two
    say the same, and a contrastive loss must not push them apart."""
    def example(r):
        features = {"image": r["image"], "text": r["caption"]}
        if with_references:
            features["references"] = _padded_references(r["references"])
        return features, caption_ids(r["english_caption"])

    records = shapes_world_records(split, "scenes", size, seed, home).take(
        labelled_scenes(split, label_fraction, size)).map(lambda r: {**r, "english_caption": r["caption"]})
    dataset = in_language(records, language).map(example).cache()
    return batched(dataset, batch_size, default_shuffle(split, shuffle), seed, drop_remainder)


def captions(split, batch_size=64, size="default", seed=0, shuffle=None, home=None, drop_remainder=False,
             language="en"):
    """Each scene's caption alone, as ({"text": caption}, 0): text without labels, for a masked
    language model (in both languages with `language="both"`)."""
    dataset = in_language(shapes_world_records(split, "scenes", size, seed, home), language).map(
        lambda r: ({"text": r["caption"]}, tf.constant(0, tf.int32))).cache()
    return batched(dataset, batch_size, default_shuffle(split, shuffle), seed, drop_remainder)


def _padded_references(references):
    padded = tf.pad(references, [[0, _MAX_REFERENCES - tf.shape(references)[0]]])
    padded.set_shape([_MAX_REFERENCES])
    return padded


def speech_recognition(split, batch_size=32, size="default", seed=0, shuffle=None, home=None,
                       drop_remainder=False, engine_shares=None):
    """(waveform, its length) -> the spoken caption. `engine_shares`: `spoken_captions`."""
    dataset = spoken_captions(split, size, seed, home, engine_shares).map(
        lambda r: ({"audio": r["audio"], "audio_length": tf.shape(r["audio"])[0]}, r["caption"]))
    return batched(dataset, batch_size, default_shuffle(split, shuffle), seed, drop_remainder, padded=True)


def scene_layout(record):
    """Where a scene's objects are: the first centre x, y and the second's offset from it dx, dy
    (fractions of the canvas; 0 without a second object), and 1 if there is a second object."""
    boxes = tf.reshape(tf.cast(record["boxes"], tf.float32), [-1, 4]) / float(shapes_world.CANVAS_SIZE)
    centres = (boxes[:, :2] + boxes[:, 2:]) / 2.0
    two_objects = tf.shape(centres)[0] == 2
    offset = tf.cond(two_objects, lambda: centres[-1] - centres[0], lambda: tf.zeros([2]))
    return tf.concat([centres[0], offset, [tf.cast(two_objects, tf.float32)]], axis=0)


def text_to_image(split, batch_size=64, size="default", seed=0, shuffle=None, home=None,
                  drop_remainder=False, language="en"):
    dataset = in_language(shapes_world_records(split, "scenes", size, seed, home), language).map(
        lambda r: ({"text": r["caption"], "layout": scene_layout(r)}, r["image"])).cache()
    return batched(dataset, batch_size, default_shuffle(split, shuffle), seed, drop_remainder)



def avdigits_classification(split, batch_size=64, fsdd_dir=None, seed=0, shuffle=None, home=None,
                            drop_remainder=False):
    dataset = avdigits_records(split, fsdd_dir, seed, home).map(
        lambda r: ({"image": r["image"], "audio": r["audio"], "audio_length": tf.shape(r["audio"])[0]},
                   tf.cast(r["label"], tf.int32))).cache()
    return batched(dataset, batch_size, default_shuffle(split, shuffle), seed, drop_remainder, padded=True)


CAPTION_READERS = {"flickr8k": "Flickr8kReader", "coco": "CocoCaptionsReader"}


def caption_files_reader(split, format, splits, image_size=(64, 64)):
    """The reader of one split of a captioned-image data set in Flickr8k or COCO layout.

    `splits`: per split, the reader's arguments: Flickr8k `captions_file`, `image_folder` and
    `split_file`; COCO `annotations_file` and `image_folder`.
    """
    from mmzoo.data import readers

    if format not in CAPTION_READERS:
        raise ValueError(f"format: must be one of {sorted(CAPTION_READERS)}, got {format!r}")
    if split not in splits:
        raise ValueError(f"split: {split!r} has no files in data_args['splits'] (it has {sorted(splits)})")
    return getattr(readers, CAPTION_READERS[format])(image_size=tuple(image_size), **splits[split])


def caption_files(split, batch_size=64, format="flickr8k", splits=None, image_size=(64, 64), seed=0,
                  shuffle=None, with_references=False, drop_remainder=False):
    """Captioning from image files and their captions: like `captioning`, in `train` one example
    per (image, reference caption) pair, elsewhere one per image with its first caption."""
    reader = caption_files_reader(split, format, splits or {}, image_size)
    height, width = image_size
    signature = {"image": tf.TensorSpec((height, width, 3), tf.float32), "references": tf.TensorSpec((None,), tf.string)}
    examples = tf.data.Dataset.from_generator(
        lambda: ({"image": e["image"], "references": e["references"]} for e in reader), output_signature=signature)
    if split == "train":
        examples = examples.flat_map(lambda e: tf.data.Dataset.from_tensor_slices(e["references"]).map(
            lambda caption: ({"image": e["image"]}, caption)))
    else:
        examples = examples.map(lambda e: ({"image": e["image"], **({"references": e["references"]}
                                                                     if with_references else {})},
                                           e["references"][0]))
    examples = examples.cache()
    if default_shuffle(split, shuffle):
        examples = examples.shuffle(SHUFFLE_BUFFER, seed=seed, reshuffle_each_iteration=True)
    return examples.padded_batch(batch_size, drop_remainder=drop_remainder).prefetch(AUTOTUNE)


def caption_files_count(split, format="flickr8k", splits=None, image_size=(64, 64), seed=0):
    reader = caption_files_reader(split, format, splits or {}, image_size)
    return sum(len(e["references"]) for e in reader.entries) if split == "train" else len(reader.entries)


def caption_files_training_captions(format="flickr8k", splits=None, image_size=(64, 64), seed=0):
    reader = caption_files_reader("train", format, splits or {}, image_size)
    return [caption for entry in reader.entries for caption in entry["references"]]


FSDD_SPLIT_INDICES = {"test": range(0, 5), "validation": range(5, 10), "train": range(10, 50)}


def fsdd_reader(split, fsdd_dir, held_out_speaker=None):
    """FSDD recordings of one split. By the dataset's convention: test = recordings 0-4 of every
    speaker, validation 5-9, train 10-49. With `held_out_speaker`: test = all of that speaker,
    validation = recordings 0-4 of the others, train = their 5-49. Without `fsdd_dir`, the
    recordings `mmzoo.data.fsdd.recordings_dir()` finds."""
    from mmzoo.data import fsdd, readers

    fsdd_dir = fsdd_dir or fsdd.recordings_dir()

    if split not in FSDD_SPLIT_INDICES:
        raise ValueError(f"split: {split!r} is not one of {tuple(FSDD_SPLIT_INDICES)}")
    if held_out_speaker is None:
        return readers.FsddReader(fsdd_dir, indices=FSDD_SPLIT_INDICES[split])
    speakers = sorted({e["speaker"] for e in readers.FsddReader(fsdd_dir).entries})
    if held_out_speaker not in speakers:
        raise ValueError(f"held_out_speaker: {held_out_speaker!r} is not one of {speakers}")
    if split == "test":
        return readers.FsddReader(fsdd_dir, speakers=[held_out_speaker])
    others = [s for s in speakers if s != held_out_speaker]
    return readers.FsddReader(fsdd_dir, speakers=others, indices=range(0, 5) if split == "validation" else range(5, 50))


def fsdd_speech_recognition(split, batch_size=32, fsdd_dir=None, held_out_speaker=None, synthetic_per_word=0, seed=0,
                            shuffle=None, drop_remainder=False, synthetic_voices="shapes",
                            synthetic_engines=("espeak",)):
    """Spoken digits of FSDD (16 kHz) with their words as transcripts; `train` adds
    `synthetic_per_word` synthetic utterances of each digit word (`synthetic_digit_words`, its
    `voices` and `engines`)."""
    reader = fsdd_reader(split, fsdd_dir, held_out_speaker)

    def utterances():
        yield from ((entry["audio"], entry["transcript"]) for entry in reader)
        if split == "train":
            yield from synthetic_digit_words(synthetic_per_word, seed, synthetic_voices, synthetic_engines)

    return batched(_spoken(utterances), batch_size, default_shuffle(split, shuffle), seed, drop_remainder,
                   padded=True)


def _spoken(utterances):
    """A cached dataset of ({audio, audio_length}, transcript) from a function that yields
    (waveform at 16 kHz, transcript) pairs."""
    return tf.data.Dataset.from_generator(
        lambda: (({"audio": audio, "audio_length": len(audio)}, transcript) for audio, transcript in utterances()),
        output_signature=({"audio": tf.TensorSpec((None,), tf.float32), "audio_length": tf.TensorSpec((), tf.int32)},
                          tf.TensorSpec((), tf.string))).cache()


def speech_files_reader(split, splits):
    """The LJSpeech-style folder (`metadata.csv` + `wavs/`) of one split; `splits`: {split: folder}."""
    from mmzoo.data import readers

    if split not in splits:
        raise ValueError(f"split: {split!r} has no folder in data_args['splits'] (it has {sorted(splits)})")
    return readers.LJSpeechReader(splits[split])


def speech_files(split, batch_size=32, splits=None, seed=0, shuffle=None, drop_remainder=False):
    """Your own recordings and their transcripts, one LJSpeech-style folder per split (WAV files
    at 8-48 kHz, resampled to 16 kHz)."""
    reader = speech_files_reader(split, splits or {})

    def utterances():
        return ((entry["audio"], entry["transcript"]) for entry in reader)

    return batched(_spoken(utterances), batch_size, default_shuffle(split, shuffle), seed, drop_remainder,
                   padded=True)


def speech_files_count(split, splits=None, seed=0):
    return len(speech_files_reader(split, splits or {}))


def speech_files_training_transcripts(splits=None, seed=0):
    from mmzoo.data.readers import check_caption

    reader = speech_files_reader("train", splits or {})
    return [check_caption(entry["text"], entry["input"]) for entry in reader.entries]


SYNTHETIC_VOICES = ("shapes", "wide")
SYNTHETIC_ENGINES = ("espeak", *speech_synthesis.ENGINES)


def synthetic_digit_words(per_word, seed=0, voices="shapes", engines=("espeak",)):
    """`per_word` synthetic utterances of each digit word ("zero" ... "nine"), with mild noise,
    and band-limited to 4 kHz as FSDD's 8 kHz recordings are: a list of (waveform at 16 kHz,
    word). The voices follow the seed; eSpeak's timing varies by a few milliseconds from call
    to call.

    Args:
        voices: "shapes": eSpeak NG in the voices of Shapes World's train split at random rates
            and pitches; "wide": every training accent and variant of eSpeak NG with a random
            rate, pitch, pitch range, word gap and volume (`speech_synthesis.sample_wide_voice`).
        engines: "espeak", and for an equal share of the words each, "festival", "mbrola", "pico"
            (`speech_synthesis.ENGINES`, their own voices); refused where one is not installed.
    """
    engines = tuple(engines)
    if voices not in SYNTHETIC_VOICES or not engines or not set(engines) <= set(SYNTHETIC_ENGINES):
        raise ValueError(f"voices, engines: one of {SYNTHETIC_VOICES} and some of {SYNTHETIC_ENGINES}, got "
                         f"{voices!r}, {engines!r}")
    return _synthetic_digit_words(per_word, seed, voices, engines)


@functools.lru_cache(maxsize=4)
def _synthetic_digit_words(per_word, seed, voices, engines):
    from scipy.signal import resample_poly

    from mmzoo.data.readers import DIGIT_WORDS

    others = {name: speech_synthesis.ENGINES[name] for name in engines if name != "espeak"}
    for name, engine in others.items():
        if engine.missing():
            raise RuntimeError(f"engines: {name}: {engine.missing()}")
    rng = np.random.default_rng([seed, 8000])
    words = [word for word in DIGIT_WORDS for _ in range(per_word)]
    speakers = [engines[index % len(engines)] for index in range(len(words))]
    sample = (lambda: speech_synthesis.sample_voice(rng, "train")) if voices == "shapes" else (
        lambda: speech_synthesis.sample_wide_voice(rng))
    espeak_voices = [sample() if engine == "espeak" else None for engine in speakers]
    other_voices = [others[engine].sample_voice(rng) if engine in others else None for engine in speakers]
    espeak_words = [word for word, voice in zip(words, espeak_voices) if voice]
    by_espeak = iter(speech_synthesis.synthesise(espeak_words, [voice for voice in espeak_voices if voice]))
    spoken = []
    for word, engine, voice in zip(words, speakers, other_voices):
        waveform = others[engine].speak(word, voice) if voice else next(by_espeak)
        noisy = speech_synthesis.add_mild_noise(waveform, rng)
        spoken.append((resample_poly(resample_poly(noisy, 1, 2), 2, 1).astype("float32"), word))
    return spoken


def fsdd_count(split, fsdd_dir=None, held_out_speaker=None, synthetic_per_word=0, seed=0, synthetic_voices="shapes",
               synthetic_engines=("espeak",)):
    synthetic = 10 * synthetic_per_word if split == "train" else 0
    return len(fsdd_reader(split, fsdd_dir, held_out_speaker)) + synthetic


def fsdd_training_transcripts(fsdd_dir=None, held_out_speaker=None, synthetic_per_word=0, seed=0,
                              synthetic_voices="shapes", synthetic_engines=("espeak",)):
    from mmzoo.data.readers import DIGIT_WORDS

    return [DIGIT_WORDS[e["label"]] for e in fsdd_reader("train", fsdd_dir, held_out_speaker).entries]


TEXT_SEQUENCE_LENGTH = 16
WORDPIECE_SEQUENCE_LENGTH = 32  # a Chinese caption is up to 23 characters, a long English reference 13 words


def shapes_training_transcripts(size="default", seed=0, home=None, engine_shares=None) -> list[str]:
    """The spoken captions of Shapes `train`: what a recogniser's alphabet is read from."""
    return [r["caption"].decode() for r in shapes_world_records("train", "speech", size, seed, home).map(
        lambda r: {"caption": r["caption"]}).as_numpy_iterator()]


def shapes_training_captions(size="default", seed=0, home=None, language="en") -> list[str]:
    """Captions and reference captions of Shapes `train`, in `language`: what a text vectorizer
    adapts on."""
    texts = []
    for record in in_language(shapes_world_records("train", "scenes", size, seed, home), language).as_numpy_iterator():
        texts += [t.decode() for t in record["references"]]
    return texts


def shapes_text_vectorizer(data_args, tokenizer="words"):
    """The text vectorizer of the Shapes text models, from every training caption (in the
    data's `language`; `label_fraction` limits the labelled pairs, not the vocabulary):
    `tokenizer="words"`, a `StrictTextVectorization` of the caption words, which refuses others;
    `"wordpiece"`, a `WordPieceVectorization` with a vocabulary learned from them (open
    vocabulary, Chinese read character by character)."""
    if tokenizer not in wordpiece.TOKENIZERS:
        raise ValueError(f"tokenizer: one of {tuple(wordpiece.TOKENIZERS)}, got {tokenizer!r}")
    data_args = {name: value for name, value in data_args.items() if name not in ("label_fraction", "engine_shares")}
    captions = shapes_training_captions(**data_args)
    if tokenizer == "wordpiece":
        return wordpiece.WordPieceVectorization(wordpiece.learn_vocabulary(captions), WORDPIECE_SEQUENCE_LENGTH)
    if data_args.get("language", "en") != "en":
        raise ValueError("tokenizer: 'words' splits captions on spaces, and Chinese is written without them; "
                         "use tokenizer='wordpiece'")
    return preprocessing.text_vectorizer(captions, sequence_length=TEXT_SEQUENCE_LENGTH)


def shapes_matching_count(split, size="default", seed=0, home=None, label_fraction=1.0, language="en",
                          engine_shares=None):
    # A positive and a negative per scene and caption.
    return 2 * labelled_scenes(split, label_fraction, size) * _captions_per_scene(language)


def shapes_scene_count(split, size="default", seed=0, home=None, language="en", label_fraction=1.0,
                       engine_shares=None):
    return labelled_scenes(split, label_fraction, size) * _captions_per_scene(language)


def avdigits_count(split, fsdd_dir=None, seed=0, home=None):
    first, last = build.AVDIGITS_IMAGE_SPLITS[split]
    return (last - first) * build.AVDIGITS_PAIRS_PER_IMAGE[split]
