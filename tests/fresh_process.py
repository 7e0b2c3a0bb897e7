"""Serve a SavedModel in a fresh Python process that imports only TensorFlow and TF Text, as
TF Serving would hold it: no mmzoo, no Keras model code."""

import base64
import json
import subprocess
import sys
import textwrap

SERVE = textwrap.dedent("""
    import base64, json, sys
    import tensorflow as tf
    import tensorflow_text  # noqa: F401  (TF Serving has the TF Text ops)
    request = json.load(open(sys.argv[2]))
    served = tf.saved_model.load(sys.argv[1]).signatures["serving_default"]
    inputs = {k: [base64.b64decode(v) for v in values] for k, values in request.items()}
    count = len(next(iter(inputs.values())))
    def readable(value):  # text as it is, other bytes (a PNG) as base64
        if not isinstance(value, bytes):
            return value
        try:
            return value.decode()
        except UnicodeDecodeError:
            return {"b64": base64.b64encode(value).decode()}

    outputs = {}
    for start in range(0, count, 32):
        batch = served(**{k: tf.constant(v[start:start + 32]) for k, v in inputs.items()})
        for name, value in batch.items():
            values = value.numpy().tolist()
            outputs.setdefault(name, []).extend(readable(v) for v in values)
    outputs["modules"] = sorted(name for name in sys.modules if "." not in name)
    print(json.dumps(outputs))
""")


def serve_in_fresh_process(saved_model_dir, raw: dict, scratch) -> dict:
    """`raw`: input name -> list of bytes. Returns the signature's outputs by name (strings
    decoded, other bytes as {"b64": ...}) and the top-level modules the process imported."""
    script, request = scratch / "serve.py", scratch / "request.json"
    script.write_text(SERVE)
    request.write_text(json.dumps({k: [base64.b64encode(v).decode() for v in values] for k, values in raw.items()}))
    result = subprocess.run([sys.executable, str(script), str(saved_model_dir), str(request)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


REUSE = textwrap.dedent("""
    import json, sys
    import tensorflow as tf
    import tensorflow_hub as hub
    import tensorflow_text  # noqa: F401
    import keras
    path, request = sys.argv[1], json.load(open(sys.argv[2]))
    texts = tf.constant(request["texts"])
    images = tf.constant([bytes.fromhex(h) for h in request["images"]])
    module = hub.load(path)
    by_hub = {"text": module.signatures["embed_text"](text=texts)["embedding"].numpy(),
              "image": module.signatures["embed_image"](image=images)["embedding"].numpy()}
    text = keras.Input(shape=(), dtype="string", name="caption")
    embedding = keras.layers.TFSMLayer(path, call_endpoint="embed_text")(text)["embedding"]
    relevance = keras.layers.Dense(1, activation="sigmoid")(embedding)
    reuse = keras.Model(text, {"embedding": embedding, "relevance": relevance})
    as_layer = reuse(texts)["embedding"].numpy()
    print(json.dumps({"hub": {k: v.tolist() for k, v in by_hub.items()}, "layer": as_layer.tolist(),
                      "modules": sorted(name for name in sys.modules if "." not in name)}))
""")


def reuse_encoders_in_fresh_process(saved_model_dir, texts, pngs, scratch) -> dict:
    """A dual encoder's SavedModel reused in a fresh process with no mmzoo: `embed_text` and
    `embed_image` through `tensorflow_hub.load`, and `embed_text` as a `keras.layers.TFSMLayer`
    in a new Keras model. Returns {"hub": {"text", "image"}, "layer": text embeddings, "modules"}."""
    script, request = scratch / "reuse.py", scratch / "reuse.json"
    script.write_text(REUSE)
    request.write_text(json.dumps({"texts": list(texts), "images": [bytes(p).hex() for p in pngs]}))
    result = subprocess.run([sys.executable, str(script), str(saved_model_dir), str(request)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


HUB_PAIR = textwrap.dedent("""
    import json, sys
    import tensorflow as tf
    import tensorflow_hub as hub
    import tensorflow_text  # noqa: F401
    import keras
    path, texts = sys.argv[1], tf.constant(json.load(open(sys.argv[2])))
    preprocessor, encoder = hub.load(path + "/preprocessor"), hub.load(path + "/encoder")
    inputs = preprocessor(texts)
    by_hub = encoder(inputs)
    text = keras.Input(shape=(), dtype="string")
    pieces = keras.layers.TFSMLayer(path + "/preprocessor", call_endpoint="serving_default")(text)
    encoded = keras.layers.TFSMLayer(path + "/encoder", call_endpoint="__call__")(pieces)
    as_layers = keras.Model(text, encoded)(texts)
    print(json.dumps({"inputs": {k: v.numpy().tolist() for k, v in inputs.items()},
                      "hub": {k: v.numpy().tolist() for k, v in by_hub.items()},
                      "layers": {k: v.numpy().tolist() for k, v in as_layers.items()},
                      "modules": sorted(name for name in sys.modules if "." not in name)}))
""")


def load_hub_pair_in_fresh_process(directory, texts, scratch) -> dict:
    """A TF Hub-style preprocessor and encoder (`mmzoo.export.hub`) loaded in a fresh process
    with no mmzoo: through `tensorflow_hub.load`, and as two `keras.layers.TFSMLayer`s in a new
    Keras model. Returns {"inputs", "hub", "layers": outputs by name, "modules"}."""
    script, request = scratch / "hub_pair.py", scratch / "texts.json"
    script.write_text(HUB_PAIR)
    request.write_text(json.dumps(list(texts)))
    result = subprocess.run([sys.executable, str(script), str(directory), str(request)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
