"""One export path for every model: a SavedModel for TF Serving that takes raw inputs.

    export_dir/<name>/<version>/
        saved_model.pb, variables/          serving_default: raw inputs -> named outputs
        assets.extra/tf_serving_warmup_requests
        mmzoo.json                          model card: task, config, metrics, sha256 of files

Raw inputs, by the Keras model's input names: `image` -> encoded image bytes (PNG, JPEG,
GIF, BMP), `text` -> strings, `audio` (+ `audio_length`) -> WAV bytes (PCM of 8-32 bits or
32-bit float, mono, 8-48 kHz), within `input_limits`. Every request tensor is a batch: shape
[batch], a batch of 0 included.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import keras
import tensorflow as tf

from mmzoo.data import preprocessing, records
from mmzoo.models.task import Endpoint
from mmzoo.saving import CARD, sha256_tree
from mmzoo.training import keras_fixes

WARMUP = Path("assets.extra") / "tf_serving_warmup_requests"
RAW_INPUTS = {"image": "encoded image bytes", "text": "text", "audio": "WAV bytes"}


def raw_input_names(model: keras.Model) -> list[str]:
    names = [tensor.name.split(":")[0] for tensor in model.inputs]
    return [name for name in RAW_INPUTS if name in names]


DEFAULT_INPUT_LIMITS = {"max_image_pixels": preprocessing.MAX_IMAGE_PIXELS,
                        "min_image_side": preprocessing.MIN_IMAGE_SIDE,
                        "min_audio_seconds": preprocessing.MIN_AUDIO_SECONDS,
                        "max_audio_seconds": preprocessing.MAX_AUDIO_SECONDS}


def input_limits(changes=None) -> dict:
    """The SavedModel's input limits: `DEFAULT_INPUT_LIMITS` with `changes`."""
    unknown = set(changes or {}) - set(DEFAULT_INPUT_LIMITS)
    if unknown:
        raise ValueError(f"input_limits: {sorted(unknown)} are not among {sorted(DEFAULT_INPUT_LIMITS)}")
    return {**DEFAULT_INPUT_LIMITS, **(changes or {})}


def same_batch_sizes(named: dict) -> list:
    """In-graph checks that the tensors of `named` ({input name: tensor}) have one batch size;
    a refusal lists every input's."""
    sizes = [tf.shape(value)[0] for value in named.values()]
    listed = [part for index, (name, size) in enumerate(zip(named, sizes))
              for part in ((", " if index else "") + f"{name} ", tf.strings.as_string(size))]
    same = tf.reduce_all([tf.equal(size, sizes[0]) for size in sizes])
    return [tf.debugging.Assert(same, [tf.strings.join(["inputs: every input needs the same batch size; got ",
                                                        *listed])])]


def model_features_from_raw(raw: dict, model: keras.Model, limits: dict | None = None) -> dict:
    """Decode raw request tensors into the Keras model's inputs, inside the graph, within
    `limits` (`input_limits`). The caller checks that the batch sizes agree (`same_batch_sizes`)."""
    limits = input_limits(limits)
    features = {}
    if "image" in raw:
        height, width, channels = model.get_layer("image").output.shape[1:]
        images = preprocessing.decode_images(raw["image"], (height, width), max_pixels=limits["max_image_pixels"],
                                             min_side=limits["min_image_side"])
        features["image"] = tf.image.rgb_to_grayscale(images) if channels == 1 else images
    if "text" in raw:
        features["text"] = tf.identity(raw["text"])
    if "audio" in raw:
        features["audio"], features["audio_length"] = preprocessing.decode_wavs(
            raw["audio"], min_seconds=limits["min_audio_seconds"], max_seconds=limits["max_audio_seconds"])
    return features


def encode_raw_inputs(features: dict, names=None) -> dict:
    """The inverse of `model_features_from_raw`: a batch of model features (float images in
    [0, 1], waveforms with lengths, text) as raw request lists: PNG bytes, WAV bytes, text."""
    names = names or [name for name in RAW_INPUTS if name in features]
    raw = {}
    if "image" in names:
        raw["image"] = list(preprocessing.encode_pngs(features["image"]).numpy())
    if "text" in names:
        raw["text"] = [bytes(text) for text in features["text"].numpy()]
    if "audio" in names:
        raw["audio"] = [tf.audio.encode_wav(audio[:length, None], preprocessing.SAMPLE_RATE).numpy()
                        for audio, length in zip(features["audio"], features["audio_length"].numpy())]
    return raw


def serving_function(model, predict, extra_inputs=None, raw_inputs=None, limits=None):
    """A function of raw request tensors (by the model's raw input names, or `raw_inputs`,
    then `extra_inputs`: {name: TensorSpec}, passed through as they come) for `predict`, which
    maps the decoded features to named outputs; `limits`: see `input_limits`."""
    names = raw_input_names(model)
    if raw_inputs is not None:
        unknown = set(raw_inputs) - set(names)
        if unknown:
            raise ValueError(f"raw_inputs: {sorted(unknown)} are not raw inputs of the model ({names})")
        names = [name for name in names if name in raw_inputs]
    extra_inputs = extra_inputs or {}
    signature = [tf.TensorSpec([None], tf.string, name=name) for name in names] + list(extra_inputs.values())

    def answer(tensors):
        # Sizes first: decoding a batch whose inputs disagree would blame the wrong input.
        with tf.control_dependencies(same_batch_sizes(dict(zip([*names, *extra_inputs], tensors)))):
            features = model_features_from_raw(dict(zip(names, tensors[:len(names)])), model, limits)
            extras = {name: tf.identity(value) for name, value in zip(extra_inputs, tensors[len(names):])}
            return predict({**features, **extras})

    def serve(*tensors):
        # A batch of 0 gets empty outputs of the answer's types and shapes (unknown sizes 0),
        # without running the model, which cannot take it.
        traced = tf.function(lambda: answer(tensors)).get_concrete_function().structured_outputs
        empty = lambda: tf.nest.map_structure(  # noqa: E731
            lambda spec: tf.zeros([0] + [size or 0 for size in spec.shape[1:]], spec.dtype), traced)
        return tf.cond(tf.shape(tensors[0])[0] > 0, lambda: answer(tensors), empty)

    return serve, signature


def write_warmup_requests(path: Path, name: str, examples: list[dict]):
    """TF Serving warmup: PredictionLog records of `examples` (dicts of raw input lists)."""
    from tensorflow_serving.apis import model_pb2, predict_pb2, prediction_log_pb2

    path.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as writer:
        for example in examples:
            request = predict_pb2.PredictRequest(
                model_spec=model_pb2.ModelSpec(name=name, signature_name="serving_default"))
            for key, values in example.items():
                request.inputs[key].CopyFrom(tf.make_tensor_proto(values, dtype=tf.string))
            log = prediction_log_pb2.PredictionLog(predict_log=prediction_log_pb2.PredictLog(request=request))
            writer.write(log.SerializeToString())


def export_saved_model(model: keras.Model, export_dir, name: str, version: int = 1, postprocess=None,
                       warmup_examples=(), card: dict | None = None, signatures: dict | None = None,
                       limits: dict | None = None) -> Path:
    """Write `export_dir/name/version/` all at once; returns that folder.

    `signatures`: {signature name: predict(features) -> outputs, or an `Endpoint` (or a tuple of
    its fields) where a signature takes other inputs}, `serving_default` among them; without
    it, one `serving_default`: `postprocess` (default: none) of the model's outputs. `limits`:
    changes to the inputs' limits (`input_limits`: image pixels and sides, audio seconds),
    recorded in the model card.
    """
    limits = input_limits(limits)
    final = Path(export_dir) / name / str(version)
    if final.exists():
        raise FileExistsError(f"{final}: version {version} of {name} exists; export a new version")
    if signatures is None:
        postprocess = postprocess or (lambda outputs: {"outputs": outputs})
        signatures = {"serving_default": lambda features: postprocess(model(features, training=False))}
    if "serving_default" not in signatures:
        raise ValueError(f"signatures: a serving_default is needed, got {sorted(signatures)}")
    with records.atomic_directory(final) as scratch:
        archive = keras.export.ExportArchive()
        archive.track(model)
        keras_fixes.track_variables_once(archive)
        for signature_name, endpoint in signatures.items():
            endpoint = Endpoint(*endpoint) if isinstance(endpoint, tuple) else Endpoint(endpoint)
            serve, signature = serving_function(model, *endpoint, limits=limits)
            archive.add_endpoint(signature_name, serve, input_signature=signature)
        archive.write_out(str(scratch), verbose=False)
        if warmup_examples:
            write_warmup_requests(scratch / WARMUP, name, list(warmup_examples))
        card = {
            "name": name,
            "version": version,
            "inputs": {n: RAW_INPUTS[n] for n in raw_input_names(model)},
            "parameters": int(model.count_params()),
            "input_limits": {key: value for key, value in limits.items()
                             if key.split("_")[-2] in raw_input_names(model)},
            **(card or {}),
            "sha256": sha256_tree(scratch),
        }
        (scratch / CARD).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    return final


MAX_PROBLEM_CHARACTERS = 300


def input_error(message: str, input_names) -> tuple[str, str]:
    """(input name, problem) from the message of a failed call of a serving signature. The
    zoo's in-graph checks say `assertion failed: [audio: not a WAV file ...]` among graph
    details; TensorFlow's own decoders (an image damaged past its header) say what failed on
    the line before the node that failed, which names the decoder."""
    names = "|".join(map(re.escape, input_names))
    found = re.search(rf"\[({names}): ([^\]]*)\](?: \[([^\]]*)\])?", message) or \
        re.search(rf"^\s*({names}): (.*)()$", message, re.MULTILINE)
    if found:
        name, problem = found.group(1), " ".join(part for part in found.group(2, 3) if part)
    else:
        lines = [line.strip() for line in message.splitlines() if line.strip()]
        nodes = [index for index, line in enumerate(lines) if line.startswith("[[")]
        said = lines[nodes[0] - 1] if nodes and nodes[0] > 0 else (lines[-1] if lines else message)
        said = re.sub(r"\{\{[^}]*\}\}\s*|\s*\[Op:[^\]]*\].*$", "", said).strip()
        decoder = next((n for n, op in (("image", "DecodeImage"), ("audio", "DecodeRaw")) if op in message
                        and n in input_names), None)
        name, problem = (decoder, f"damaged data ({said})") if decoder else ("inputs", said)
    if len(problem) > MAX_PROBLEM_CHARACTERS:
        problem = problem[:MAX_PROBLEM_CHARACTERS] + "..."
    return name, problem
