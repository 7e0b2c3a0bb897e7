"""The work of one data-build chunk, run in a fresh worker process (no TensorFlow here).

A chunk is a fixed range of examples of one split. Chunk boundaries depend only on the
split's size, never on the number of workers, and each chunk runs in a process of its own,
so eSpeak NG's utterance-to-utterance state is the same in every build: same seed, same bytes.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os

import numpy as np

from mmzoo.data import shapes_world, speech_synthesis

CHUNK_SIZE = 500


def chunk_ranges(count: int, chunk_size: int = CHUNK_SIZE) -> list[tuple[int, int]]:
    return [(start, min(start + chunk_size, count)) for start in range(0, count, chunk_size)]


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def run_in_fresh_processes(function, tasks, workers=None):
    """Yield `function(*task)` for each task in order, each run in a newly spawned process."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers or default_workers(), mp_context=context, max_tasks_per_child=1
    ) as pool:
        futures = [pool.submit(function, *task) for task in tasks]
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def to_int16(waveform: np.ndarray) -> np.ndarray:
    return np.round(np.clip(waveform, -1.0, 1.0) * 32767).astype(np.int16)


def shapes_world_chunk(seed: int, split: str, start: int, stop: int, with_speech: bool = True) -> list[dict]:
    """Scenes start..stop-1 of `split`, with their spoken captions."""
    examples = []
    for index in range(start, stop):
        scene, image, references, negatives = shapes_world.generate_scene(seed, split, index)
        examples.append({
            "scene_id": f"{split}/{index}",
            "image": image,
            "caption": scene.caption,
            "references": references,
            "negative_kinds": list(negatives),
            "negatives": list(negatives.values()),
            "shapes": [o.shape for o in scene.objects],
            "colours": [o.colour for o in scene.objects],
            "sizes": [o.size for o in scene.objects],
            "boxes": [c for o in scene.objects for c in o.box],
            "rgbs": [c for o in scene.objects for c in o.rgb],
            "relation": scene.relation or "",
        })
    if with_speech:
        rngs = [shapes_world.scene_rng(seed, split, i, stream="speech") for i in range(start, stop)]
        voices = [speech_synthesis.sample_voice(rng, split) for rng in rngs]
        waveforms = speech_synthesis.synthesise([e["caption"] for e in examples], voices)
        for example, rng, voice, waveform in zip(examples, rngs, voices, waveforms):
            example["voice"] = str(voice)
            example["audio"] = to_int16(speech_synthesis.add_mild_noise(waveform, rng))
    return examples


def spoken_words_chunk(seed: int, split: str, words: list[str], start: int, stop: int) -> list[dict]:
    """Utterances start..stop-1 of `split`'s synthetic word list, cycled over the words."""
    utterances = []
    for index in range(start, stop):
        rng = shapes_world.scene_rng(seed, split, index, stream="spoken-word")
        word = words[index % len(words)]
        voice = speech_synthesis.sample_voice(rng, split)
        waveform = speech_synthesis.synthesise([word], [voice])[0]
        utterances.append({
            "word": word,
            "speaker": voice.name,
            "utterance_id": f"espeak/{split}/{index}/{voice}",
            "audio": to_int16(speech_synthesis.add_mild_noise(waveform, rng)),
        })
    return utterances
