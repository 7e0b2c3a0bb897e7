"""Building the embedded data: byte-identical for a seed, disjoint splits, all-or-nothing."""

import hashlib
import json

import numpy as np
import pytest

from mmzoo.data import build, records, shapes_world, speech_synthesis
from tests.conftest import records_of

TINY = {"train": 12, "validation": 4, "test": 6, "compositional": 4}


def test_same_seed_gives_byte_identical_files_whatever_the_worker_count(tmp_path):
    one = build.build_shapes_world(TINY, seed=3, home=tmp_path / "a", workers=1, progress=False)
    two = build.build_shapes_world(TINY, seed=3, home=tmp_path / "b", workers=2, progress=False)
    other = build.build_shapes_world(TINY, seed=4, home=tmp_path / "c", workers=2, progress=False)
    digests = [json.loads((d / "manifest.json").read_text())["sha256"] for d in (one, two, other)]
    assert digests[0] == digests[1]
    assert all(digests[0][name] != digests[2][name] for name in digests[0])
    for name, digest in digests[0].items():
        assert hashlib.sha256((one / name).read_bytes()).hexdigest() == digest


def test_manifest_and_split_sizes(tiny_shapes):
    manifest = records.read_manifest(tiny_shapes)
    assert manifest["sizes"] == build.SHAPES_WORLD_SIZES["tiny"]
    for split, count in manifest["sizes"].items():
        assert len(records_of(split)) == count
        assert len(records_of(split, "speech")) == count


def test_a_second_build_reads_the_cache(tiny_shapes):
    assert build.build_shapes_world("tiny", seed=0, progress=False) == tiny_shapes


def test_splits_hold_disjoint_scenes(tiny_shapes):
    seen = {}
    for split in shapes_world.SPLITS:
        for record in records_of(split):
            digest = hashlib.sha256(record["image"].tobytes()).hexdigest()
            assert digest not in seen, f"{record['scene_id']} repeats {seen.get(digest)}"
            seen[digest] = record["scene_id"]


def test_spoken_captions(tiny_shapes):
    voices_by_split = {}
    for split in shapes_world.SPLITS:
        scenes = {r["scene_id"]: r for r in records_of(split)}
        for record in records_of(split, "speech"):
            audio = record["audio"]
            assert record["caption"] == scenes[record["scene_id"]]["caption"]
            assert 0.5 * speech_synthesis.SAMPLE_RATE < audio.size <= speech_synthesis.MAX_SECONDS * speech_synthesis.SAMPLE_RATE
            assert np.abs(audio).max() <= 1.0 and np.abs(audio).max() > 0.2
            voices_by_split.setdefault(split, set()).add(record["voice"].decode().split("/")[0])
    assert voices_by_split["test"].isdisjoint(voices_by_split["train"])
    assert voices_by_split["validation"].isdisjoint(voices_by_split["train"])
    assert voices_by_split["train"] <= set(speech_synthesis.TRAIN_SPEAKERS)
    assert len(voices_by_split["train"]) > 5


def test_a_failed_build_leaves_nothing_behind(tmp_path, monkeypatch):
    calls = {"count": 0}
    real = records.encode_example

    def failing(example):
        calls["count"] += 1
        if calls["count"] > 10:
            raise KeyboardInterrupt("interrupted mid-build")
        return real(example)

    monkeypatch.setattr(records, "encode_example", failing)
    with pytest.raises(KeyboardInterrupt):
        build.build_shapes_world(TINY, seed=9, home=tmp_path, workers=1, progress=False)
    leftovers = [p for p in (tmp_path / "shapes_world").rglob("*") if p.is_file() or "partial" in p.name]
    assert leftovers == []
    monkeypatch.setattr(records, "encode_example", real)
    directory = build.build_shapes_world(TINY, seed=9, home=tmp_path, workers=1, progress=False)
    assert records.read_manifest(directory)["sizes"] == TINY


def test_sizes_are_validated():
    assert build.shapes_world_sizes("default")["train"] == 20000
    assert build.shapes_world_sizes(500)["test"] == 50
    for bad in ("huge", 0, -3):
        with pytest.raises(ValueError, match="size"):
            build.shapes_world_sizes(bad)


def test_voices_that_espeak_lacks_are_an_error():
    engine = speech_synthesis.Espeak.get()
    with pytest.raises(ValueError, match="voice"):
        engine.speak("a red circle", speech_synthesis.Voice("xx-nonexistent+zz"))
    with pytest.raises(ValueError, match="empty"):
        engine.speak("  ", speech_synthesis.Voice("en-us"))
