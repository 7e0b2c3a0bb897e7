"""One contract, every model (as KerasHub does): build, fit a step, save and load the .keras
with safe_mode=True, export the SavedModel, serve it in a fresh process that imports only
TensorFlow, and refuse bad input inside the graph."""

import base64
import json
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from mmzoo import registry, saving
from mmzoo.config import TrainConfig
from mmzoo.data.wordpiece import WordPieceVectorization
from mmzoo.export import rest, serving
from mmzoo.models import encoders
from mmzoo.models.task import shipped_model
from mmzoo.training.trainer import build_model
from tests import bad_inputs
from tests.fresh_process import serve_in_fresh_process

# Every family's small configurations, from the registry.
CASES = [(family.model, task, model_args) for family in registry.FAMILIES.values()
         for task, model_args in family.small_configs]


def _data_args(task_name):
    return {"size": "tiny"} if task_name.startswith("shapes") else {}


def examples_from_test_split(task_name, inputs, count=3):
    task = registry.get_task(task_name)
    features, _ = next(iter(task.dataset("test", count, shuffle=False, inputs=inputs, **_data_args(task_name))))
    return {name: value for name, value in features.items() if name in inputs}


def _outputs(outputs):
    return {k: v.numpy() for k, v in outputs.items()}


def _png_pixels(value):
    encoded = base64.b64decode(value["b64"]) if isinstance(value, dict) else value
    return tf.io.decode_png(encoded).numpy().astype(int)


def _assert_same_outputs(served, expected):
    """The same outputs; a decoded text may differ only where its score ties with the expected
    one's (an untrained decoder's near-tied paths can fall either way with float rounding), a
    PNG's pixels by one level of rounding."""
    for name, value in expected.items():
        if name == "png_bytes":
            for got, wanted in zip(served[name], value, strict=True):
                assert np.abs(_png_pixels(got) - _png_pixels(wanted)).max() <= 1
        elif value.dtype == object:
            said = [v if isinstance(v, str) else v.decode() for v in served[name]]
            for index, (text, expected_text) in enumerate(zip(said, [v.decode() for v in value])):
                if text != expected_text:
                    assert "score" in expected, (name, text, expected_text)
                    np.testing.assert_allclose(served["score"][index], expected["score"][index], atol=2e-3)
            assert len(said) == len(value)
        else:
            np.testing.assert_allclose(served[name], value, atol=2e-3)


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[1]}-{'-'.join(map(str, c[2].values()))}")
def trained(request, mmzoo_home, tmp_path_factory):
    model_name, task_name, model_args = request.param
    keras.utils.set_random_seed(0)  # the same weights whichever cases run before
    config = TrainConfig(model=model_name, task=task_name, model_args=model_args, data_args=_data_args(task_name))
    task = registry.get_task(task_name)
    trained_model = build_model(config, task)
    trained_model.compile(optimizer="adam", **task.compile_arguments(trained_model))
    model = shipped_model(trained_model)  # a distiller ships its student
    inputs = [tensor.name for tensor in model.inputs]  # an ablation reads fewer inputs than its task has
    history = trained_model.fit(task.dataset("train", 8, inputs=inputs, **config.data_args).take(2), epochs=1,
                                verbose=0)
    assert np.isfinite(history.history["loss"][0])
    directory = tmp_path_factory.mktemp("export")
    features = examples_from_test_split(task_name, inputs)
    raw = serving.encode_raw_inputs(features, serving.raw_input_names(model))
    signatures = task.serving_signatures(model)
    exported = serving.export_saved_model(
        model, directory, "model", signatures=signatures,
        warmup_examples=[{k: v[:1] for k, v in raw.items()}], card={"task": task_name})
    # What the Keras model answers through the same serving function, outside the SavedModel.
    expected = _outputs(signatures["serving_default"](features))
    return {"model": model, "task": task, "features": features, "raw": raw, "exported": exported,
            "directory": directory, "expected": expected}


def test_keras_round_trip_with_safe_mode(trained, tmp_path):
    model, features = trained["model"], trained["features"]
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    for got, wanted in zip(tf.nest.flatten(loaded(features)), tf.nest.flatten(model(features)), strict=True):
        np.testing.assert_allclose(got, wanted, atol=1e-5)


def test_served_in_a_fresh_process_like_the_keras_model(trained, tmp_path):
    served = serve_in_fresh_process(trained["exported"], trained["raw"], tmp_path)
    assert "mmzoo" not in served["modules"]  # (TensorFlow itself imports keras for tf.keras)
    _assert_same_outputs(served, trained["expected"])
    binary = {name for name, values in served.items() if name != "modules" and any(isinstance(v, dict) for v in values)}
    # TF Serving's REST API sends an output as base64 only when its name ends in _bytes.
    assert all(name.endswith("_bytes") for name in binary), binary
    if "probabilities" in trained["expected"]:
        np.testing.assert_allclose(trained["expected"]["probabilities"], trained["model"](trained["features"]),
                                   atol=1e-5)


def test_saved_model_cli_lists_the_signature(trained):
    cli = subprocess.run([sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", "show", "--dir",
                          str(trained["exported"]), "--tag_set", "serve", "--signature_def", "serving_default"],
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr[-2000:]
    for name in [*trained["raw"], *trained["expected"]]:
        assert f"['{name}']" in cli.stdout


def test_warmup_requests_and_model_card(trained):
    from tensorflow_serving.apis import prediction_log_pb2

    path = trained["exported"] / serving.WARMUP
    logs = [prediction_log_pb2.PredictionLog.FromString(r.numpy()) for r in tf.data.TFRecordDataset(str(path))]
    assert len(logs) == 1
    request = logs[0].predict_log.request
    assert request.model_spec.signature_name == "serving_default"
    assert set(request.inputs) == set(trained["raw"])
    served = tf.saved_model.load(str(trained["exported"])).signatures["serving_default"]
    served(**{k: tf.make_ndarray(v) for k, v in request.inputs.items()})
    card = json.loads((trained["exported"] / saving.CARD).read_text())
    assert card["task"] == trained["task"].name and "saved_model.pb" in card["sha256"]
    saving.verify_checksums(trained["exported"])


def test_tf_serving_rest_api_over_http_answers_like_the_signature(trained):
    """`mmzoo serve`'s REST API (TF Serving's): the request as JSON over HTTP, b64 in, and the
    same outputs as the signature in-process, *_bytes as b64."""
    import threading
    import urllib.request

    raw = trained["raw"]
    body = {"instances": [{k: ({"b64": base64.b64encode(v[i]).decode()} if k != "text" else v[i].decode())
                           for k, v in raw.items()} for i in range(len(next(iter(raw.values()))))]}
    server = rest.ModelServer(trained["directory"], port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{server.server_address[1]}/v1/models/model:predict",
                                         data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=120) as response:
            rows = json.loads(response.read())["predictions"]
    finally:
        server.shutdown()
        server.server_close()
    served = {name: [row[name] for row in rows] for name in rows[0]}
    _assert_same_outputs(served, trained["expected"])


def test_each_weight_is_stored_once(trained):
    """(keras-team/keras#23553: an ExportArchive stores every weight twice unless worked around.)"""
    reader = tf.train.load_checkpoint(str(trained["exported"] / "variables" / "variables"))
    stored = sum(int(np.prod(shape)) for key, shape in reader.get_variable_to_shape_map().items()
                 if key.endswith("VARIABLE_VALUE"))
    parameters = trained["model"].count_params()
    assert parameters <= stored < parameters + 100  # + the random generators' states


def test_only_core_tensorflow_ops_in_the_graph(trained):
    from tensorflow.core.protobuf import saved_model_pb2
    from tensorflow.python.framework import op_def_registry

    saved_model = saved_model_pb2.SavedModel.FromString((trained["exported"] / "saved_model.pb").read_bytes())
    graph = saved_model.meta_graphs[0].graph_def
    functions = {f.signature.name for f in graph.library.function}
    used = {node.op for node in graph.node} | {n.op for f in graph.library.function for n in f.node_def}
    outside_core = {op for op in used - functions if op_def_registry.get(op) is None}
    assert outside_core == set()


@pytest.fixture(scope="module")
def bad_input_corpus():
    return {tokenizer: bad_inputs.corpus(tokenizer) for tokenizer in ("words", "wordpiece")}


def test_the_bad_input_corpus_is_answered_or_refused_in_words(trained, bad_input_corpus):
    """Each case of the corpus as item 1 of a batch of 2 (item 0 the model's own example):
    a common file is answered; anything else is refused with a short message of valid UTF-8
    that names the input, the item and the fault."""
    served = tf.saved_model.load(str(trained["exported"])).signatures["serving_default"]
    raw = {k: list(v[:2]) for k, v in trained["raw"].items()}
    own_caption = raw.get("text", [b""])[0].decode()
    wordpiece = any(isinstance(layer, WordPieceVectorization) for layer in encoders.layers_within(trained["model"]))
    for input_name, name, data, expected in bad_input_corpus["wordpiece" if wordpiece else "words"]:
        if input_name not in raw:
            continue
        if name in ("caption", "caption_shouted"):  # the model's words, in other forms
            data = (own_caption.upper() + "!" if name == "caption_shouted" else own_caption).encode()
        request = {k: tf.constant([v[0], data if k == input_name else v[1]]) for k, v in raw.items()}
        try:
            outputs = served(**request)
        except tf.errors.InvalidArgumentError as error:
            refused_input, problem = serving.input_error(error.message, sorted(raw))
            assert expected != bad_inputs.ANSWER, f"{input_name}/{name} refused: {problem}"
            assert refused_input == input_name and re.search(expected, problem), (name, refused_input, problem)
            assert "(item 1 of the batch)" in problem and len(problem) < 300, (name, problem)
        else:
            assert expected == bad_inputs.ANSWER, f"{input_name}/{name} answered, expected a refusal: {expected}"
            assert all(value.shape[0] == 2 for value in outputs.values())


def test_a_batch_of_zero_gets_empty_outputs_of_the_right_types(trained):
    loaded = tf.saved_model.load(str(trained["exported"]))
    for function in loaded.signatures.values():
        specs = function.structured_input_signature[1]
        outputs = function(**{key: tf.zeros([0], spec.dtype) for key, spec in specs.items()})
        for key, spec in function.structured_outputs.items():
            assert outputs[key].shape[0] == 0 and outputs[key].dtype == spec.dtype, key
            assert outputs[key].shape.rank == spec.shape.rank, key


def test_mismatched_batch_sizes_are_refused(trained):
    served = tf.saved_model.load(str(trained["exported"])).signatures["serving_default"]
    raw = {k: tf.constant(v[:1]) for k, v in trained["raw"].items()}
    if len(raw) > 1:
        doubled = {**raw, next(iter(raw)): tf.concat([raw[next(iter(raw))]] * 2, 0)}
        with pytest.raises(tf.errors.InvalidArgumentError, match="inputs: every input needs the same batch size; "
                           f"got .*{next(iter(raw))} 2"):
            served(**doubled)
