"""Readers of real data layouts, on small fixtures the tests write, and bad inputs."""

import json
import logging

import numpy as np
import pytest
import soundfile
from PIL import Image

from mmzoo.data import readers
from mmzoo.errors import InvalidInputError


def write_wav(path, seconds=0.5, rate=8000, channels=1, frequency=440.0):
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.5 * np.sin(2 * np.pi * frequency * t)
    soundfile.write(str(path), np.stack([tone] * channels, axis=-1) if channels > 1 else tone, rate, subtype="PCM_16")
    return path


def write_image(path, colour=(200, 30, 30), size=(40, 30), format=None):
    Image.new("RGB", size, colour).save(path, format=format)
    return path


def test_read_wav_resamples_to_16k(tmp_path):
    for rate in (8000, 22050, 44100, 48000):
        audio = readers.read_wav(write_wav(tmp_path / f"tone{rate}.wav", seconds=0.5, rate=rate))
        assert audio.dtype == np.float32 and abs(audio.size - 8000) <= 1
        spectrum = np.abs(np.fft.rfft(audio))
        assert abs(np.argmax(spectrum) * 16000 / audio.size - 440) < 5


@pytest.mark.parametrize("make, problem", [
    (lambda p: p, "no such file"),
    (lambda p: p.write_bytes(b"this is not audio") and p, "not a readable WAV"),
    (lambda p: write_wav(p, channels=2), "2 channels"),
    (lambda p: write_wav(p, rate=96000), "96000 Hz"),
    (lambda p: write_wav(p, seconds=0), "no samples"),
])
def test_bad_wavs_name_the_file_and_the_problem(tmp_path, make, problem):
    path = make(tmp_path / "bad.wav")
    with pytest.raises(InvalidInputError, match=problem) as error:
        readers.read_wav(path)
    assert str(path) in str(error.value)


def test_truncated_wav_is_an_error(tmp_path):
    data = write_wav(tmp_path / "whole.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[:30])
    with pytest.raises(InvalidInputError, match="cut.wav"):
        readers.read_wav(tmp_path / "cut.wav")


def test_fsdd_reader_on_the_shared_recordings(fsdd_recordings):
    test_part = readers.read_fsdd(fsdd_recordings, speakers=["theo"], indices=readers.FSDD_TEST_INDICES)
    assert len(test_part) == 50
    assert {r["speaker"] for r in test_part} == {"theo"}
    first = test_part[0]
    assert first["transcript"] == readers.DIGIT_WORDS[first["label"]]
    assert first["audio"].dtype == np.float32 and 3000 < first["audio"].size < 40000


def test_fsdd_reader_skips_and_counts_broken_files(tmp_path, caplog):
    write_wav(tmp_path / "3_alice_0.wav")
    (tmp_path / "4_alice_1.wav").write_bytes(b"RIFF junk")
    with pytest.raises(InvalidInputError, match="4_alice_1.wav"):
        readers.read_fsdd(tmp_path)
    reader = readers.FsddReader(tmp_path, on_error="skip")
    with caplog.at_level(logging.WARNING):
        examples = list(reader)
    assert [e["label"] for e in examples] == [3]
    assert len(reader.skipped) == 1 and "4_alice_1.wav" in reader.skipped[0][0]
    assert "skipped 1 of 2" in caplog.text
    (tmp_path / "notes.wav").write_bytes(b"")
    with pytest.raises(InvalidInputError, match="notes.wav"):
        readers.FsddReader(tmp_path)


def test_ljspeech_reader(tmp_path):
    (tmp_path / "wavs").mkdir()
    write_wav(tmp_path / "wavs" / "LJ001-0001.wav", rate=22050)
    write_wav(tmp_path / "wavs" / "LJ001-0002.wav", rate=22050)
    (tmp_path / "metadata.csv").write_text("LJ001-0001|Printing, 1st.|Printing, first.\nLJ001-0002|in the arts|in the arts\n")
    examples = list(readers.LJSpeechReader(tmp_path))
    assert [e["transcript"] for e in examples] == ["Printing, first.", "in the arts"]
    dataset = readers.LJSpeechReader(tmp_path).as_dataset()
    assert dataset.element_spec["audio"].shape.as_list() == [None]
    assert len(list(dataset)) == 2
    (tmp_path / "metadata.csv").write_text("LJ001-0001|  |  \n")
    with pytest.raises(InvalidInputError, match="metadata.csv:1: empty caption"):
        list(readers.LJSpeechReader(tmp_path))


def test_flickr8k_reader(tmp_path):
    images = tmp_path / "Flicker8k_Dataset"
    images.mkdir()
    write_image(images / "1000.jpg", format="JPEG")
    write_image(images / "2000.jpg", colour=(10, 200, 10), format="JPEG")
    tokens = tmp_path / "Flickr8k.token.txt"
    tokens.write_text("1000.jpg#0\tA red card .\n1000.jpg#1\tSomething red\n2000.jpg#0\tA green card\n")
    (tmp_path / "train.txt").write_text("1000.jpg\n")
    examples = list(readers.Flickr8kReader(tokens, images, image_size=(16, 16)))
    assert [e["image_id"] for e in examples] == ["1000.jpg", "2000.jpg"]
    assert examples[0]["references"] == ["A red card .", "Something red"]
    assert examples[0]["image"].shape == (16, 16, 3) and examples[0]["image"][0, 0, 0] > 0.7
    only_train = list(readers.Flickr8kReader(tokens, images, (16, 16), split_file=tmp_path / "train.txt"))
    assert len(only_train) == 1
    (images / "2000.jpg").write_bytes(b"\xff\xd8\xff broken jpeg")
    with pytest.raises(InvalidInputError, match="2000.jpg: not a readable image"):
        list(readers.Flickr8kReader(tokens, images, (16, 16)))
    reader = readers.Flickr8kReader(tokens, images, (16, 16), on_error="skip")
    assert len(list(reader)) == 1 and reader.skipped[0][0].endswith("2000.jpg")


def test_coco_reader(tmp_path):
    write_image(tmp_path / "000001.jpg", format="JPEG")
    annotations = {"images": [{"id": 1, "file_name": "000001.jpg"}, {"id": 2, "file_name": "missing.jpg"}],
                   "annotations": [{"image_id": 1, "caption": "a red square"},
                                   {"image_id": 1, "caption": "red"},
                                   {"image_id": 2, "caption": "nothing here"}]}
    path = tmp_path / "captions_val2017.json"
    path.write_text(json.dumps(annotations))
    reader = readers.CocoCaptionsReader(path, tmp_path, image_size=(8, 8), on_error="skip")
    examples = list(reader)
    assert len(examples) == 1 and examples[0]["references"] == ["a red square", "red"]
    assert reader.skipped == [(str(tmp_path / "missing.jpg"), "no such file")]
    annotations["annotations"].append({"image_id": 7, "caption": "x"})
    path.write_text(json.dumps(annotations))
    with pytest.raises(InvalidInputError, match="image_id 7"):
        readers.CocoCaptionsReader(path, tmp_path)
    path.write_text("{not json")
    with pytest.raises(InvalidInputError, match="not a COCO captions file"):
        readers.CocoCaptionsReader(path, tmp_path)
