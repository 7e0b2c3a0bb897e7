"""WordPiece vectorization with TF Text: a vocabulary learned from the captions of both
languages, the open-vocabulary rule, refusals by name, and a model that reads English and
Chinese trained, exported and served in a process with only TensorFlow and TF Text."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from mmzoo import registry
from mmzoo.config import TrainConfig
from mmzoo.data import views, wordpiece
from mmzoo.export.runs import export_run
from mmzoo.training.trainer import build_model, train
from tests.fresh_process import serve_in_fresh_process


@pytest.fixture(scope="module")
def vectorizer(tiny_shapes):
    return views.shapes_text_vectorizer({"size": "tiny", "language": "both"}, tokenizer="wordpiece")


def test_the_vocabulary_is_learned_from_both_languages(vectorizer):
    vocabulary = vectorizer.get_vocabulary()
    assert vocabulary[:2] == ["[PAD]", "[UNK]"] and len(set(vocabulary)) == len(vocabulary)
    assert {"circle", "triangle", "圆", "形", "三", "角"} <= set(vocabulary)  # whole words, and characters
    assert wordpiece.pieces_of(vectorizer, "a large red circle") == ["a", "large", "red", "circle"]
    assert wordpiece.pieces_of(vectorizer, "一个大的红色圆形") == list("一个大的红色圆形")


def test_an_unknown_word_is_answered_by_the_stated_rule(vectorizer):
    pieces = wordpiece.pieces_of(vectorizer, "a large pink circle")
    assert "[UNK]" not in pieces and pieces[:2] == ["a", "large"] and pieces[-1] == "circle"
    assert "".join(piece.removeprefix("##") for piece in pieces[2:-1]) == "pink"
    assert wordpiece.pieces_of(vectorizer, "一个大的粉色圆形")[4] == "[UNK]"  # 粉 is in no caption
    for typo in ("a larg red circle", "a lagre red circle", "a large redd circle"):
        assert "[UNK]" not in wordpiece.pieces_of(vectorizer, typo)


@pytest.mark.parametrize("caption, problem", [
    (b"   ", "text: empty caption: no words (item 1 of the batch)"),
    (b"\xff\xfe", "text: not UTF-8 text (item 1 of the batch)"),
    (b"a " * 40, "text: a caption of 40 word pieces; this model reads at most 32 (item 1 of the batch)"),
])
def test_refusals_name_the_item(vectorizer, caption, problem):
    with pytest.raises(tf.errors.InvalidArgumentError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        tf.function(vectorizer)(tf.constant([b"a red circle", caption]))


def test_a_fusion_classifier_reads_both_languages_and_serves_with_tf_text_only(tiny_shapes, tmp_path):
    """With a Transformer text encoder too: trained, saved, loaded with safe_mode and exported."""
    config = TrainConfig(model="fusion_classifier", task="shapes_image_text_matching",
                         model_args={"fusion": "concat", "tokenizer": "wordpiece", "text_architecture": "transformer",
                                     "width": 16},
                         data_args={"size": "tiny", "language": "both"}, epochs=1, batch_size=16,
                         evaluate_splits=("test",))
    metrics = train(config, tmp_path / "run", verbose=0)
    assert metrics["splits"]["test"]["examples"] == views.shapes_matching_count("test", size="tiny", language="both")
    exported = export_run(tmp_path / "run", tmp_path / "serving", "bilingual")
    image = views.image_text_matching("test", batch_size=1, size="tiny", shuffle=False)
    png = tf.io.encode_png(tf.cast(next(iter(image))[0]["image"][0] * 255, tf.uint8)).numpy()
    captions = ["a large red circle", "一个大的红色圆形", "a large pink circle", "一个大的粉色圆形"]
    answer = serve_in_fresh_process(exported, {"image": [png] * 4, "text": [c.encode() for c in captions]},
                                    tmp_path)
    assert "mmzoo" not in answer["modules"]  # (TensorFlow itself imports keras for tf.keras)
    probabilities = np.array(answer["probabilities"])
    assert probabilities.shape == (4, 2) and np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)
    with pytest.raises(ValueError, match="tokenizer: 'words' splits captions on spaces"):
        views.shapes_text_vectorizer({"size": "tiny", "language": "zh"})


@pytest.mark.parametrize("model, task, model_args", [
    ("dual_encoder", "shapes_image_text_retrieval",
     {"width": 16, "projection_dim": 8, "text_architecture": "transformer"}),
    ("text_to_image_generator", "shapes_text_to_image",
     {"width": 16, "filters": 8, "layout_width": 8, "text_architecture": "transformer"}),
])
def test_the_other_text_models_read_chinese_with_wordpiece(tiny_shapes, model, task, model_args):
    config = TrainConfig(model=model, task=task, model_args={**model_args, "tokenizer": "wordpiece"},
                         data_args={"size": "tiny", "language": "both"})
    built = build_model(config, registry.get_task(task))
    layers = list(built._flatten_layers())
    vectorizers = [layer for layer in layers if isinstance(layer, wordpiece.WordPieceVectorization)]
    assert vectorizers and all("圆" in v.get_vocabulary() for v in vectorizers)
    assert any(isinstance(layer, keras.layers.MultiHeadAttention) for layer in layers)
    with pytest.raises(ValueError, match="vectorizer: a StrictTextVectorization expected for tokenizer='words'"):
        registry.family_of_model(model).build_function()(vectorizer=vectorizers[0], **model_args)
