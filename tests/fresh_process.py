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
