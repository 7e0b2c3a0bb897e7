"""The work of one data-build chunk, run in a fresh worker process (no TensorFlow here).

A chunk is a fixed range of examples of one split. Chunk boundaries depend only on the
split's size, never on the number of workers, and each chunk runs in a process of its own,
so eSpeak NG's utterance-to-utterance state is the same in every build: same seed, same bytes.
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from mmzoo.data import shapes_world, speech_synthesis

CHUNK_SIZE = 500


def chunk_ranges(count: int, chunk_size: int = CHUNK_SIZE) -> list[tuple[int, int]]:
    return [(start, min(start + chunk_size, count)) for start in range(0, count, chunk_size)]


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def run_in_fresh_processes(function, tasks, workers=None):
    """Yield `function(*task)` for each task in order, each run in a new Python process.

    Workers are plain `python -m mmzoo.data.generation` subprocesses rather than
    multiprocessing's spawn, which would re-run a caller's script that has no main guard.
    """
    tasks = list(tasks)
    workers = workers or default_workers()
    with tempfile.TemporaryDirectory(prefix="mmzoo-build-") as scratch:
        running = {}

        def start(number):
            job = Path(scratch) / f"task{number}.pickle"
            job.write_bytes(pickle.dumps((function.__module__, function.__name__, tasks[number])))
            running[number] = subprocess.Popen([sys.executable, "-m", __name__, str(job)])

        try:
            for number in range(min(workers, len(tasks))):
                start(number)
            for number in range(len(tasks)):
                if running.pop(number).wait() != 0:
                    raise RuntimeError(f"data build: worker for task {tasks[number]} failed (see its error above)")
                if number + workers < len(tasks):
                    start(number + workers)
                result = Path(scratch) / f"task{number}.pickle.result"
                yield pickle.loads(result.read_bytes())
                result.unlink()
        finally:
            for process in running.values():
                process.kill()
                process.wait()


def _run_task_file(job: Path):
    module_name, function_name, arguments = pickle.loads(job.read_bytes())
    result = getattr(importlib.import_module(module_name), function_name)(*arguments)
    partial = job.with_name(job.name + ".partial")
    partial.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    os.rename(partial, job.with_name(job.name + ".result"))


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
            "caption_zh": shapes_world.chinese_caption(scene.caption),
            "references_zh": shapes_world.chinese_references(scene.caption),
            "negatives_zh": [shapes_world.chinese_caption(negative) for negative in negatives.values()],
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


def spoken_captions_chunk(engine: str, seed: int, start: int, captions: list[str]) -> list[dict]:
    """Train captions start.. spoken by `engine` of `speech_synthesis.ENGINES` in a voice drawn
    per scene, with the mild noise of the eSpeak recordings."""
    spoken = []
    for index, caption in enumerate(captions, start):
        rng = shapes_world.scene_rng(seed, "train", index, stream=f"speech-{engine}")
        voice = speech_synthesis.ENGINES[engine].sample_voice(rng)
        waveform = speech_synthesis.ENGINES[engine].speak(caption, voice)
        spoken.append({"scene_id": f"train/{index}", "voice": str(voice),
                       "audio": to_int16(speech_synthesis.add_mild_noise(waveform, rng))})
    return spoken


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


if __name__ == "__main__":
    _run_task_file(Path(sys.argv[1]))
