"""The models shipped in `saved_models/`: intact, their cards agree with their metrics, and each
answers correctly in a fresh process that imports only TensorFlow and TF Text. Models that
read Shapes World images are asked about scenes drawn by `independent_renderer`, which
shares no code with the renderer they were trained on."""

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import mmzoo
from mmzoo import presets, registry, saving
from mmzoo.evaluation import independent_renderer
from mmzoo.export import serving
from tests.fresh_process import reuse_encoders_in_fresh_process, serve_in_fresh_process

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"

SHIPPED = mmzoo.list_presets()
INDEPENDENT_SCENES = 150
# Below the models' own test figures: another renderer's anti-aliasing and colour jitter.
INDEPENDENT_SCENE_ACCURACY = 0.9
# The same Shapes utterance at 8 kHz (nothing above 4 kHz left) and at 44.1 kHz: 40 of 40 alike
# here, 1,993 of 2,000 test utterances in benchmarks/results/speech_savedmodel.json; eSpeak's
# timing differs a little from one build of the data to the next, hence the margin.
SAME_TRANSCRIPT_8K_44K = 0.95


@pytest.mark.parametrize("name", SHIPPED)
def test_card_agrees_with_metrics_and_files_are_intact(name):
    directory = presets.serving_dir(name)
    saving.verify_checksums(directory)
    card = presets.model_card(name)
    metrics = json.loads((presets.preset_dir(name) / "metrics.json").read_text())
    for split, figures in card["metrics"].items():
        assert figures == {k: v for k, v in metrics["splits"][split].items() if k in figures}
    assert card["config"] == json.loads((presets.preset_dir(name) / "config.json").read_text())


def _held_out_requests(name, model_inputs):
    """Raw requests and labels: independent-renderer scenes for image-text models, else the
    first examples of the task's test split (unseen voices or speakers)."""
    config = registry.PRESETS[name]
    task = registry.get_task(config.task)
    if "image" in model_inputs and "text" in model_inputs:
        images, captions, labels = independent_renderer.matching_examples(INDEPENDENT_SCENES, seed=7)
        return {"image": [tf.io.encode_png(image).numpy() for image in images],
                "text": [caption.encode() for caption in captions]}, labels
    data_args = dict(config.data_args)
    if task.name.startswith("shapes"):  # the test split's scenes and voices: a build of 150, not 24,000
        data_args["size"] = {"train": 16, "validation": 16, "test": INDEPENDENT_SCENES, "compositional": 16}
    features, labels = next(iter(task.dataset("test", 2 * INDEPENDENT_SCENES, shuffle=False, **data_args)))
    return serving.encode_raw_inputs(features, model_inputs), labels.numpy()


CLASSIFIERS = [name for name in SHIPPED if "class_names" in presets.model_card(name)["task"]]
RECOGNISERS = [name for name in SHIPPED if registry.PRESETS[name].model == "speech_lstm"]
CAPTIONERS = [name for name in SHIPPED if registry.PRESETS[name].task == "shapes_captioning"]


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_answers_held_out_examples_in_a_fresh_process(name, tmp_path, mmzoo_home):
    card = presets.model_card(name)
    raw, labels = _held_out_requests(name, list(card["inputs"]))
    served = serve_in_fresh_process(presets.serving_dir(name), raw, tmp_path)
    assert "mmzoo" not in served["modules"]  # (TensorFlow itself imports keras for tf.keras)
    accuracy = float(np.mean(np.argmax(served["probabilities"], axis=-1) == labels))
    names = card["task"]["class_names"]
    assert served["class_name"] == [names[i] for i in np.argmax(served["probabilities"], axis=-1)]
    bar = INDEPENDENT_SCENE_ACCURACY if "text" in card["inputs"] and "image" in card["inputs"] \
        else card["metrics"]["test"]["accuracy"] - 0.03
    assert accuracy >= bar, f"{name}: {accuracy:.3f} on held-out examples, expected >= {bar:.3f}"


@pytest.mark.parametrize("name", CAPTIONERS)
def test_captions_another_renderers_scenes_in_a_fresh_process(name, tmp_path):
    from mmzoo.evaluation.captioning import caption_metrics

    rng = np.random.default_rng(7)
    scenes = [independent_renderer.random_scene(rng) for _ in range(INDEPENDENT_SCENES)]
    raw = {"image": [tf.io.encode_png(image).numpy() for image, _ in scenes]}
    served = serve_in_fresh_process(presets.serving_dir(name), raw, tmp_path)
    assert "mmzoo" not in served["modules"]
    metrics = caption_metrics(served["caption"], [independent_renderer.reference_captions(a) for _, a in scenes])
    test = presets.model_card(name)["metrics"]["test"]["beam"]
    assert metrics["bleu_4"] >= test["bleu_4"] - 0.03 and metrics["exact_match"] >= test["exact_match"] - 0.08, metrics


@pytest.mark.parametrize("name", CAPTIONERS)
def test_cli_captions_an_image_file_and_refuses_a_non_image(name, tmp_path):
    import subprocess
    import sys

    image, annotation = independent_renderer.random_scene(np.random.default_rng(3), objects=1)
    (tmp_path / "scene.png").write_bytes(tf.io.encode_png(image).numpy())
    (tmp_path / "notes.png").write_text("not a picture at all")
    answers = {}
    for signature in ("serving_default", "greedy"):
        result = subprocess.run([sys.executable, "-m", "mmzoo.cli", "predict", name, "--image",
                                 str(tmp_path / "scene.png"), "--signature", signature],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        answers[signature] = json.loads(result.stdout)
    assert answers["serving_default"]["caption"] == annotation["caption"]
    assert set(answers["greedy"]) == {"caption", "score", "log_probability"}
    for arguments, message in ((["--image", str(tmp_path / "notes.png")], "image: not an encoded image"),
                               (["--image", str(tmp_path / "scene.png"), "--signature", "nope"],
                                "--signature: 'nope' is not one of ['greedy', 'serving_default']")):
        result = subprocess.run([sys.executable, "-m", "mmzoo.cli", "predict", name, *arguments],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr, result.stderr


def _wav_bytes(waveform, rate):
    pcm = np.clip(np.round(np.asarray(waveform) * 32767), -32768, 32767).astype(np.int16)
    return tf.audio.encode_wav(tf.constant(pcm[:, None], tf.float32) / 32768.0, rate).numpy()


@pytest.mark.parametrize("name", [n for n in RECOGNISERS if registry.PRESETS[n].task == "fsdd_speech_recognition"])
def test_fsdd_recordings_at_8_and_44_1_khz_give_the_same_transcripts_in_a_fresh_process(name, tmp_path,
                                                                                         fsdd_recordings):
    """FSDD's own 8 kHz files, and the same recordings at 44.1 kHz: the SavedModel resamples
    both to 16 kHz in the graph and must hear the same words but for a near tie or two (`speech_fsdd` v4:
    a "nine" heard as "fivenn" at one rate and "siven" at the other, and a "two" as "twot" at 8 kHz), and
    neither rate may be right more often than the other by more than one such tie. The 44.1 kHz files are made by
    band-limited (FFT) interpolation, so they hold the same sound; a polyphase FIR that rolls off
    below 4 kHz changes it enough to flip a few of the model's least certain answers."""
    import soundfile
    from scipy.signal import resample

    from mmzoo.data import views
    from mmzoo.data.readers import DIGIT_WORDS

    entries = views.fsdd_reader("test", fsdd_recordings).entries
    native, resampled = [], []
    for entry in entries:
        waveform, rate = soundfile.read(entry["path"], dtype="float32")
        assert rate == 8000
        native.append(entry["path"].read_bytes())
        resampled.append(_wav_bytes(resample(waveform, round(len(waveform) * 44100 / 8000)), 44100))
    # Each recording next to its 44.1 kHz twin, in the same batch: padded alike.
    twins = [wav for pair in zip(native, resampled) for wav in pair]
    served = serve_in_fresh_process(presets.serving_dir(name), {"audio": twins}, tmp_path)
    at_8k, at_44k = served["transcript"][0::2], served["transcript"][1::2]
    words = [DIGIT_WORDS[e["label"]] for e in entries]
    differing = [(a, b, word) for a, b, word in zip(at_8k, at_44k, words) if a != b]
    assert len(differing) <= 0.01 * len(entries), differing
    assert abs(sum(a == word for a, _, word in differing) - sum(b == word for _, b, word in differing)) <= 1, \
        differing
    accuracy = np.mean([said == word for said, word in zip(at_8k, words)])
    assert accuracy >= presets.model_card(name)["metrics"]["test"]["beam"]["exact_match"] - 0.01


SHAPES_RECOGNISERS = [n for n in RECOGNISERS if registry.PRESETS[n].task == "shapes_speech_recognition"]


@pytest.mark.parametrize("name", SHAPES_RECOGNISERS)
def test_spoken_captions_of_unseen_voices_at_8_and_44_1_khz_in_a_fresh_process(name, tmp_path, tiny_shapes):
    """Shapes captions spoken by the test voices (never heard in training), each sent as an
    8 kHz and as a 44.1 kHz WAV (band-limited interpolation from the 16 kHz original): both
    within the issue's bars (CER <= 3%, WER <= 8%), and transcribed alike."""
    from scipy.signal import resample

    from mmzoo.data import views
    from mmzoo.evaluation.speech import transcription_metrics

    twins, references = [], []
    for split in ("test", "compositional"):
        for features, transcripts in views.speech_recognition(split, 64, size="tiny", shuffle=False):
            for waveform, length in zip(features["audio"].numpy(), features["audio_length"].numpy()):
                twins += [_wav_bytes(resample(waveform[:length], round(int(length) * rate / 16000)), rate)
                          for rate in (8000, 44100)]
            references += [t.decode() for t in transcripts.numpy()]
    served = serve_in_fresh_process(presets.serving_dir(name), {"audio": twins}, tmp_path)
    at_8k, at_44k = served["transcript"][0::2], served["transcript"][1::2]
    for transcripts in (at_8k, at_44k):
        metrics = transcription_metrics(transcripts, references)
        assert metrics["cer"] <= 0.03 and metrics["wer"] <= 0.08, metrics
    assert sum(a == b for a, b in zip(at_8k, at_44k)) >= SAME_TRANSCRIPT_8K_44K * len(references)


@pytest.mark.parametrize("name", [n for n in RECOGNISERS if registry.PRESETS[n].task == "fsdd_speech_recognition"])
def test_cli_transcribes_a_wav_file_and_refuses_bad_audio(name, tmp_path, fsdd_recordings):
    import subprocess
    import sys

    from mmzoo.data import views

    entry = next(e for e in views.fsdd_reader("test", fsdd_recordings).entries if e["label"] == 7)
    whole = entry["path"].read_bytes()
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "truncated.wav").write_bytes(whole[:30])
    (tmp_path / "stereo.wav").write_bytes(tf.audio.encode_wav(tf.zeros([800, 2]), 8000).numpy())
    (tmp_path / "notes.wav").write_text("not a sound")

    def predict(path):
        return subprocess.run([sys.executable, "-m", "mmzoo.cli", "predict", name, "--audio", str(path)],
                              capture_output=True, text=True, timeout=300)

    answer = predict(entry["path"])
    assert answer.returncode == 0, answer.stderr[-2000:]
    assert json.loads(answer.stdout)["transcript"] == "seven"
    for file, message in (("empty.wav", "audio: empty input"), ("truncated.wav", "audio: truncated WAV file"),
                          ("stereo.wav", "audio: mono audio expected"), ("notes.wav", "audio: not a WAV file")):
        result = predict(tmp_path / file)
        assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr, \
            (file, result.stderr[-1500:])


JUDGES = [name for name in SHIPPED if registry.PRESETS[name].task == "shapes_scene_attributes"]
GENERATORS = [name for name in SHIPPED if registry.PRESETS[name].task == "shapes_text_to_image"]
# Below the generators' own test figures: 150 captions at one seed, not 2,000 at four.
GENERATOR_MARGIN = 0.05


def _judge_in_fresh_process(images, tmp_path):
    from mmzoo.models.judge import model as judge

    served = serve_in_fresh_process(presets.serving_dir(JUDGES[0]), {"image": images}, tmp_path)
    assert "mmzoo" not in served["modules"]
    return [{name: served[name][i] for name in judge.ATTRIBUTES} for i in range(len(images))], served["caption"]


@pytest.mark.parametrize("name", JUDGES)
def test_the_judge_reads_another_renderers_scenes_in_a_fresh_process(name, tmp_path):
    from mmzoo.models.judge import model as judge

    rng = np.random.default_rng(11)
    scenes = [independent_renderer.random_scene(rng) for _ in range(INDEPENDENT_SCENES)]
    read, captions = _judge_in_fresh_process([tf.io.encode_png(image).numpy() for image, _ in scenes], tmp_path)
    tally = judge.AttributeTally()
    tally.add([judge.caption_attributes(annotation["caption"]) for _, annotation in scenes], read)
    bar = presets.model_card(name)["metrics"]["test"]["attribute_accuracy"] - 0.03
    assert tally.metrics()["attribute_accuracy"] >= bar, tally.metrics()
    assert all(caption == judge.describe(attributes) for caption, attributes in zip(captions, read))


@pytest.mark.parametrize("name", GENERATORS)
def test_drawings_served_in_a_fresh_process_are_read_right_by_the_judge(name, tmp_path):
    import base64

    from mmzoo.models.judge import model as judge

    rng = np.random.default_rng(13)  # captions of another renderer's scenes: test captions, not of mmzoo's data
    captions = [independent_renderer.random_scene(rng)[1]["caption"] for _ in range(INDEPENDENT_SCENES)]
    drawn = serve_in_fresh_process(presets.serving_dir(name), {"text": [c.encode() for c in captions]}, tmp_path)
    assert "mmzoo" not in drawn["modules"]
    pngs = [base64.b64decode(png["b64"]) for png in drawn["png_bytes"]]
    read, _ = _judge_in_fresh_process(pngs, tmp_path)
    tally = judge.AttributeTally()
    tally.add([judge.caption_attributes(caption) for caption in captions], read)
    bar = presets.model_card(name)["metrics"]["test"]["attribute_accuracy"] - GENERATOR_MARGIN
    assert tally.metrics()["attribute_accuracy"] >= bar, tally.metrics()


@pytest.mark.parametrize("name", GENERATORS)
def test_cli_draws_a_caption_to_a_png_and_refuses_unknown_words(name, tmp_path):
    import subprocess
    import sys

    def predict(*arguments):
        return subprocess.run([sys.executable, "-m", "mmzoo.cli", "predict", name, *arguments], cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)

    result = predict("--text", "a large red circle")
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["png"] == "a_large_red_circle.png"
    default = tf.io.decode_png((tmp_path / "a_large_red_circle.png").read_bytes()).numpy()
    assert default.shape == (64, 64, 3)
    for seed in ("0", "1"):
        result = predict("--text", "a large red circle", "--seed", seed, "--output", f"seed{seed}.png")
        assert result.returncode == 0, result.stderr[-2000:]
    np.testing.assert_array_equal(tf.io.decode_png((tmp_path / "seed0.png").read_bytes()).numpy(), default)
    assert not np.array_equal(tf.io.decode_png((tmp_path / "seed1.png").read_bytes()).numpy(), default)
    for arguments, message in ((["--text", "a large pink circle"], "text: word(s) outside the vocabulary"),
                               (["--text", "a large red circle", "--output", "missing/circle.png"],
                                "missing: no such folder")):
        result = predict(*arguments)
        assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_large_red_circle.png", "seed0.png", "seed1.png"]


DISTILLED = [name for name in SHIPPED if registry.PRESETS[name].model == "distiller"]


@pytest.mark.parametrize("name", DISTILLED)
def test_the_distilled_student_keeps_the_teachers_accuracy_at_a_fraction_of_its_size_and_latency(name):
    """On the table `scripts/distillation_experiments.py` wrote from its runs (means over 3 seeds):
    within a point of the teacher, not below the student trained from scratch, with at most a
    tenth of the teacher's parameters and a fifth of its SavedModel latency at batch 1."""
    table = json.loads((presets.preset_dir(name) / "distillation.json").read_text())
    test = {kind: table[kind]["accuracy"]["test"] for kind in ("teacher", "scratch_student", "distilled_student")}
    assert all(len(accuracy["per_seed"]) == 3 for accuracy in test.values())
    assert test["distilled_student"]["mean"] >= test["teacher"]["mean"] - 0.01
    assert test["distilled_student"]["mean"] >= test["scratch_student"]["mean"]
    ratio = table["distilled_over_teacher"]
    assert ratio["parameters"] <= 0.1 and ratio["latency_p50_batch_1"] <= 0.2
    # What ships is seed 0's distilled student of the table.
    metrics = json.loads((presets.preset_dir(name) / "metrics.json").read_text())
    assert round(metrics["splits"]["test"]["accuracy"], 4) == test["distilled_student"]["per_seed"][0]
    assert metrics["parameters"] == table["distilled_student"]["parameters"] == presets.load_preset(name).count_params()


DUAL_ENCODERS = [name for name in SHIPPED if registry.PRESETS[name].model == "dual_encoder"]


@pytest.mark.parametrize("name", DUAL_ENCODERS)
def test_the_dual_encoder_finds_another_renderers_scenes_by_caption_in_a_fresh_process(name, tmp_path):
    from mmzoo.evaluation import retrieval

    rng = np.random.default_rng(11)
    scenes = [independent_renderer.random_scene(rng) for _ in range(INDEPENDENT_SCENES)]
    references = [set(independent_renderer.reference_captions(annotation)) for _, annotation in scenes]
    captions = [independent_renderer.reference_captions(annotation)[0] for _, annotation in scenes]
    raw = {"image": [tf.io.encode_png(image).numpy() for image, _ in scenes], "text": [c.encode() for c in captions]}
    served = serve_in_fresh_process(presets.serving_dir(name), raw, tmp_path)
    assert "mmzoo" not in served["modules"]
    images, texts = np.array(served["image_embedding"]), np.array(served["text_embedding"])
    np.testing.assert_allclose(served["similarity"], np.sum(images * texts, axis=1), atol=1e-5)
    found = retrieval.retrieval_metrics(images, texts, captions, references)["text_to_image"]["recall_at_1"]
    test = presets.model_card(name)["metrics"]["test"]
    test = test["languages"]["en"] if "languages" in test else test  # the renderer writes English
    # Among 150 scenes rather than the card's 1,000: no harder, whatever the renderer.
    assert found >= test["text_to_image"]["recall_at_1"] - 0.05, found


@pytest.mark.parametrize("name", [n for n in DUAL_ENCODERS if (presets.preset_dir(n) / "experiments.json").exists()])
def test_the_dual_encoder_retrieves_and_its_pretraining_pays_off_with_few_labels(name):
    """On what `scripts/dual_encoder_experiments.py` measured from its runs: text-to-image
    recall@1 of at least 0.9 among 1,000 test scenes, compositional scenes reported, and the
    matching classifier from the pretrained encoders 10 points above one from scratch at 1% of
    the labels."""
    experiments = json.loads((presets.preset_dir(name) / "experiments.json").read_text())
    splits = experiments["dual_encoder"]["splits"]
    assert splits["test"]["examples"] == 1000 and splits["test"]["text_to_image"]["recall_at_1"] >= 0.9
    assert "recall_at_1" in splits["compositional"]["text_to_image"]
    one_percent = next(point for point in experiments["fine_tuning"] if point["label_fraction"] == 0.01)
    assert one_percent["pretrained_minus_scratch_test"] >= 0.10
    metrics = json.loads((presets.preset_dir(name) / "metrics.json").read_text())
    assert metrics["splits"] == splits


@pytest.mark.parametrize("name", DUAL_ENCODERS)
def test_the_dual_encoders_modules_give_the_keras_models_embeddings_in_a_fresh_process(name, tmp_path):
    """`tensorflow_hub.load` and a `TFSMLayer` in a new Keras model, with no mmzoo, give what the
    prebuilt Keras model gives, for another renderer's scenes and their captions."""
    rng = np.random.default_rng(5)
    scenes = [independent_renderer.random_scene(rng) for _ in range(8)]
    pngs = [tf.io.encode_png(image).numpy() for image, _ in scenes]
    texts = [independent_renderer.reference_captions(annotation)[-1] for _, annotation in scenes]
    fresh = reuse_encoders_in_fresh_process(presets.serving_dir(name), texts, pngs, tmp_path)
    assert "mmzoo" not in fresh["modules"]
    model = presets.load_preset(name)
    images = tf.stack([tf.io.decode_png(png) for png in pngs])
    np.testing.assert_allclose(fresh["hub"]["image"], model.image_encoder(tf.cast(images, "float32") / 255.0),
                               atol=1e-5)
    expected_texts = model.text_encoder(tf.constant(texts)).numpy()
    np.testing.assert_allclose(fresh["hub"]["text"], expected_texts, atol=1e-5)
    np.testing.assert_allclose(fresh["layer"], expected_texts, atol=1e-5)


BILINGUAL = RESULTS / "bilingual.json"


BILINGUAL_RECALL_AT_1 = 0.90  # text-to-image among 1,000 test scenes, in each language


def test_the_bilingual_models_meet_their_bars_through_their_savedmodels():
    """On what `scripts/bilingual_savedmodel_metrics.py` measured through the shipped SavedModels:
    matching against one-attribute changes >= 0.95 in Chinese, >= 0.97 (test) and 0.85
    (compositional) in English; text-to-image recall@1 among 1,000 test scenes in both languages
    (`BILINGUAL_RECALL_AT_1`); typos and an unseen word answered, their figures reported; the
    versions measured are shipped."""
    results = json.loads(BILINGUAL.read_text())
    matching, retrieval = results["matching"], results["retrieval"]
    for measured in (matching, retrieval):
        assert measured["version"] == presets.serving_dir(measured["preset"]).name
    assert matching["test_zh"]["accuracy"] >= 0.95 and matching["test_en"]["accuracy"] >= 0.97
    assert matching["compositional_en"]["accuracy"] >= 0.85 and "accuracy" in matching["compositional_zh"]
    assert retrieval["pool"] == 1000
    for language in ("en", "zh"):
        assert retrieval[f"test_{language}"]["text_to_image"]["recall_at_1"] >= BILINGUAL_RECALL_AT_1
        assert "recall_at_1" in retrieval[f"compositional_{language}"]["text_to_image"]
    for change in ("typo_swapped", "typo_dropped", "typo_doubled", "unseen_word"):
        assert 0.0 <= matching["test_en"][change] <= 1.0 and "recall_at_1" in retrieval["test_en"][change]


@pytest.mark.parametrize("name", [n for n in CLASSIFIERS if registry.PRESETS[n].data_args.get("language") == "both"])
def test_a_bilingual_classifier_answers_chinese_typos_and_unknown_words_in_a_fresh_process(name, tmp_path):
    from mmzoo.data import shapes_world

    images, captions, labels = independent_renderer.matching_examples(20, seed=9)  # 40 pairs
    texts = [shapes_world.chinese_caption(c) for c in captions] + [c.replace("large", "lareg").replace(
        "small", "smal") for c in captions[:8]] + ["a shiny " + c[2:] for c in captions[:8]] + ["一个大的红色圆形 🙂"]
    pngs = [tf.io.encode_png(image).numpy() for image in images]
    raw = {"image": pngs + pngs[:8] + pngs[:8] + pngs[:1], "text": [t.encode() for t in texts]}
    served = serve_in_fresh_process(presets.serving_dir(name), raw, tmp_path)
    assert "mmzoo" not in served["modules"] and len(served["class_id"]) == len(texts)  # every caption answered
    chinese = float(np.mean(np.array(served["class_id"][:40]) == labels))
    assert chinese >= INDEPENDENT_SCENE_ACCURACY, chinese


def test_the_pretrained_text_encoders_hub_pair_gives_its_keras_encoders_outputs():
    import tensorflow_hub as hub

    name = "text_transformer_shapes"
    pair = presets.preset_dir(name) / "hub"
    model = presets.load_preset(name)
    texts = tf.constant(["a large red circle left of a small blue square", "一个小的绿色三角形", "a lareg circel"])
    inputs = hub.load(str(pair / "preprocessor"))(texts)
    expected = model.encoder_inputs(model.vectorizer(texts))
    for key, value in expected.items():
        np.testing.assert_array_equal(inputs[key], value)
    outputs, wanted = hub.load(str(pair / "encoder"))(inputs), model.encoder(expected)
    for key in ("pooled_output", "sequence_output"):
        np.testing.assert_allclose(outputs[key], wanted[key], atol=1e-5)


WORDPIECE_READERS = [name for name in SHIPPED if registry.PRESETS[name].model_args.get("tokenizer") == "wordpiece"
                     or registry.PRESETS[name].model == "masked_language_model"]


def test_at_least_two_shipped_savedmodels_tokenize_with_tf_text_ops():
    from tensorflow.core.protobuf import saved_model_pb2

    def ops(name):
        graph = saved_model_pb2.SavedModel.FromString(
            (presets.serving_dir(name) / "saved_model.pb").read_bytes()).meta_graphs[0].graph_def
        return {node.op for node in graph.node} | {n.op for f in graph.library.function for n in f.node_def}

    tokenizing = [name for name in WORDPIECE_READERS if "FastWordpieceTokenizeWithOffsets" in ops(name)]
    assert tokenizing == WORDPIECE_READERS and len(tokenizing) >= 2, tokenizing
