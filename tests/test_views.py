"""Every task view yields the documented named features, shapes and dtypes."""

import numpy as np
import pytest
import tensorflow as tf

from mmzoo.data import shapes_world, views

BATCH = 8


def _spec(dataset):
    features, target = dataset.element_spec
    return {k: (tuple(v.shape.as_list()), v.dtype) for k, v in features.items()}, (tuple(target.shape.as_list()), target.dtype)


@pytest.mark.parametrize("view, features, target", [
    (views.image_text_matching, {"image": ((None, 64, 64, 3), tf.float32), "text": ((None,), tf.string)},
     ((None,), tf.int32)),
    (views.text_audio_matching, {"text": ((None,), tf.string), "audio": ((None, None), tf.float32),
                                 "audio_length": ((None,), tf.int32)}, ((None,), tf.int32)),
    (views.captioning, {"image": ((None, 64, 64, 3), tf.float32)}, ((None,), tf.string)),
    (views.speech_recognition, {"audio": ((None, None), tf.float32), "audio_length": ((None,), tf.int32)},
     ((None,), tf.string)),
    (views.text_to_image, {"text": ((None,), tf.string), "layout": ((None, 5), tf.float32)},
     ((None, 64, 64, 3), tf.float32)),
])
def test_shapes_world_views(tiny_shapes, view, features, target):
    dataset = view("train", batch_size=BATCH, size="tiny")
    assert _spec(dataset) == (features, target)
    batch_features, batch_target = next(iter(dataset))
    assert batch_target.shape[0] == BATCH
    for name, value in batch_features.items():
        if value.dtype == tf.float32 and name == "image":
            assert 0.0 <= float(tf.reduce_min(value)) and float(tf.reduce_max(value)) <= 1.0
    if "audio" in batch_features:
        lengths = batch_features["audio_length"].numpy()
        audio = batch_features["audio"].numpy()
        assert audio.shape[1] == lengths.max()
        for row, length in zip(audio, lengths):
            assert np.all(row[length:] == 0) and np.any(row[:length] != 0)


def test_captioning_with_references(tiny_shapes):
    features, captions = next(iter(views.captioning("test", batch_size=BATCH, size="tiny", with_references=True)))
    assert features["references"].shape == (BATCH, 4)
    for references, caption in zip(features["references"].numpy(), captions.numpy()):
        assert references[0] == caption


def _matching_texts(split):
    texts, labels = [], []
    for features, label in views.image_text_matching(split, batch_size=16, size="tiny"):
        texts += list(features["text"].numpy())
        labels += list(label.numpy())
    return texts, labels


def test_matching_holds_one_positive_and_one_hard_negative_per_scene(tiny_shapes):
    from tests.conftest import records_of

    scenes = records_of("test")
    texts, labels = _matching_texts("test")
    assert len(texts) == 2 * len(scenes) and sum(labels) == len(scenes)
    for scene, positive, negative, label_pair in zip(scenes, texts[::2], texts[1::2], zip(labels[::2], labels[1::2])):
        assert label_pair == (1, 0)
        assert positive == scene["caption"] and negative in list(scene["negatives"])
    assert _matching_texts("test") == (texts, labels), "evaluation negatives must be fixed"


def test_train_negatives_are_drawn_afresh_each_epoch(tiny_shapes):
    dataset = views.image_text_matching("train", batch_size=1000, size="tiny", shuffle=False)
    epochs = [set(t for t, l in zip(f["text"].numpy(), y.numpy()) if l == 0) for f, y in (next(iter(dataset)) for _ in range(2))]
    assert epochs[0] != epochs[1]


def test_text_audio_matching_pairs_speech_with_its_caption_or_a_negative(tiny_shapes):
    from tests.conftest import records_of

    speech = records_of("validation", "speech")
    features, labels = next(iter(views.text_audio_matching("validation", batch_size=4, size="tiny")))
    for number in range(4):
        record = speech[number // 2]
        length = int(features["audio_length"][number])
        np.testing.assert_allclose(features["audio"][number, :length].numpy(), record["audio"], atol=1e-6)
        expected = record["caption"] if labels[number] == 1 else None
        if expected is not None:
            assert features["text"][number].numpy() == expected
        else:
            assert features["text"][number].numpy() in list(record["negatives"])


def test_views_reject_unknown_splits(tiny_shapes):
    with pytest.raises(ValueError, match="split"):
        views.image_text_matching("dev", size="tiny")


def test_captions_in_either_language_or_both(tiny_shapes):
    """`language="zh"` swaps every caption, reference and negative for the spec's Chinese one;
    "both" gives each scene twice, English then Chinese, and the counts say so."""
    english = views.image_caption_pairs("test", batch_size=4, size="tiny", with_references=True, shuffle=False)
    chinese = views.image_caption_pairs("test", batch_size=4, size="tiny", with_references=True, shuffle=False,
                                        language="zh")
    (en_features, en_ids), (zh_features, zh_ids) = next(iter(english)), next(iter(chinese))
    assert np.array_equal(en_features["image"], zh_features["image"])
    np.testing.assert_array_equal(zh_ids, en_ids)  # a Chinese caption takes its English twin's caption id
    for en, zh, references in zip(en_features["text"].numpy(), zh_features["text"].numpy(),
                                  zh_features["references"].numpy()):
        assert zh.decode() == shapes_world.chinese_caption(en.decode()) == references[0].decode()
    both = views.image_text_matching("test", batch_size=4, size="tiny", shuffle=False, language="both")
    texts = [t.decode() for features, _ in both for t in features["text"].numpy()]
    assert len(texts) == views.shapes_matching_count("test", size="tiny", language="both")
    assert texts[2] == shapes_world.chinese_caption(texts[0])  # a scene's English pair, then its Chinese pair
    with pytest.raises(ValueError, match="language"):
        views.captioning("test", size="tiny", language="fr")


def test_label_fraction_keeps_the_first_training_scenes_of_a_contrastive_view(tiny_shapes):
    tenth = views.image_caption_pairs("train", batch_size=64, size="tiny", shuffle=False, label_fraction=0.1,
                                      language="both")
    texts = [t.decode() for features, _ in tenth for t in features["text"].numpy()]
    scenes = views.labelled_scenes("train", 0.1, "tiny")
    counted = views.shapes_scene_count("train", size="tiny", language="both", label_fraction=0.1)
    assert len(texts) == counted == 2 * scenes
    everything = views.image_caption_pairs("train", batch_size=64, size="tiny", shuffle=False)
    assert texts[::2] == [t.decode() for features, _ in everything for t in features["text"].numpy()][:scenes]
    captions = views.captions("test", batch_size=8, size="tiny", shuffle=False, language="zh")
    assert sum(len(f["text"]) for f, _ in captions) == views.shapes_scene_count("test", size="tiny", language="zh")
