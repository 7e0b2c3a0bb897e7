"""AV-Digits: digit images paired by label with spoken digit words, unseen speakers in test."""

import numpy as np
import pytest
import tensorflow as tf

from mmzoo.data import build, records, views
from mmzoo.data.readers import DIGIT_WORDS


def _records(split, fsdd_dir=None):
    return list(views.avdigits_records(split, fsdd_dir).as_numpy_iterator())


@pytest.fixture(scope="module")
def espeak_avdigits(mmzoo_home):
    return build.build_avdigits(progress=False)


@pytest.fixture(scope="module")
def fsdd_avdigits(mmzoo_home, fsdd_recordings):
    return build.build_avdigits(fsdd_recordings, progress=False)


@pytest.mark.parametrize("source", ["espeak", "fsdd"])
def test_pairs_agree_on_label_and_speakers_are_unseen(request, source):
    request.getfixturevalue(f"{source}_avdigits")
    fsdd_dir = request.getfixturevalue("fsdd_recordings") if source == "fsdd" else None
    speakers, image_indices = {}, {}
    for split, (first, last) in build.AVDIGITS_IMAGE_SPLITS.items():
        pairs = _records(split, fsdd_dir)
        assert len(pairs) == (last - first) * build.AVDIGITS_PAIRS_PER_IMAGE[split]
        for pair in pairs:
            assert pair["word"].decode() == DIGIT_WORDS[pair["label"]]
            assert pair["image"].shape == (32, 32, 1) and pair["audio"].dtype == np.float32
            assert first <= pair["image_index"] < last
        speakers[split] = {p["speaker"] for p in pairs}
        image_indices[split] = {p["image_index"] for p in pairs}
    assert speakers["test"].isdisjoint(speakers["train"]) and speakers["validation"].isdisjoint(speakers["train"])
    assert image_indices["test"].isdisjoint(image_indices["train"])
    if source == "fsdd":
        assert speakers == {split: {s.encode() for s in names} for split, names in build.FSDD_SPEAKERS.items()}


def test_images_are_the_upsampled_digits():
    images, labels = build.avdigit_images()
    assert images.shape == (1797, 32, 32, 1) and images.dtype == np.uint8
    assert labels.min() == 0 and labels.max() == 9
    from sklearn.datasets import load_digits
    small = load_digits().images[0]
    shrunk = images[0, ::4, ::4, 0].astype(float)
    assert np.corrcoef(shrunk.ravel(), small.ravel())[0, 1] > 0.8


def test_classification_view(espeak_avdigits):
    features, labels = next(iter(views.avdigits_classification("test", batch_size=16)))
    assert features["image"].shape == (16, 32, 32, 1) and features["image"].dtype == tf.float32
    assert features["audio"].shape[0] == 16 and labels.dtype == tf.int32
    assert records.read_manifest(espeak_avdigits)["source"] == "espeak"
