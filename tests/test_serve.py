"""`mmzoo serve`: TF Serving's REST API over a model base folder, through a plain HTTP client
(every family's predict over HTTP is in the contract test; every prebuilt model in
`benchmarks/serve.py`)."""

import base64
import json
import shutil
import threading
import urllib.error
import urllib.request

import pytest
import tensorflow as tf

from mmzoo import presets
from mmzoo.export import rest


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("models")
    for name in ("speech_fsdd", "text_to_image_shapes"):  # WAV in; a PNG out as *_bytes
        version = presets.serving_dir(name)
        shutil.copytree(version, base / name / version.name)
        shutil.copytree(version, base / name / "1")  # an older version, served when asked for
    served = rest.ModelServer(base, port=0, max_request_bytes=1 << 20)
    threading.Thread(target=served.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{served.server_address[1]}/v1/models"
    served.shutdown()
    served.server_close()


def call(url, body=None, raw=None):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_status_metadata_and_versions(server):
    url = server
    newest = presets.serving_dir("speech_fsdd").name
    status, answer = call(f"{url}/speech_fsdd")
    assert status == 200 and answer["model_version_status"] == [
        {"version": newest, "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}]
    assert call(f"{url}/speech_fsdd/versions/1")[1]["model_version_status"][0]["version"] == "1"
    status, metadata = call(f"{url}/text_to_image_shapes/metadata")
    signatures = metadata["metadata"]["signature_def"]["signature_def"]
    assert status == 200 and set(signatures) == {"serving_default", "with_seed"}
    assert signatures["with_seed"]["inputs"]["seed"]["dtype"] == "DT_INT64"
    assert signatures["serving_default"]["outputs"]["png_bytes"]["dtype"] == "DT_STRING"


def test_predict_rows_and_columns_b64_in_and_out(server, fsdd_recordings):
    url = server
    wav = (fsdd_recordings / "7_theo_0.wav").read_bytes()
    b64 = {"b64": base64.b64encode(wav).decode()}
    for instances in ([{"audio": b64}, {"audio": b64}], [b64, b64]):  # named, and bare (one input)
        status, rows = call(f"{url}/speech_fsdd:predict", {"instances": instances})
        assert status == 200 and [row["transcript"] for row in rows["predictions"]] == ["seven", "seven"]
    status, columns = call(f"{url}/text_to_image_shapes:predict",
                           {"signature_name": "with_seed", "inputs": {"text": ["a large red circle"], "seed": [3]}})
    assert status == 200 and set(columns["outputs"]) == {"image", "png_bytes", "layout"}
    png = base64.b64decode(columns["outputs"]["png_bytes"][0]["b64"])
    assert tf.io.decode_png(png).shape == (64, 64, 3)


@pytest.mark.parametrize("path, body, status, message", [
    ("/nope:predict", {"instances": [{"audio": ""}]}, 404, "Servable not found for request: Latest\\(nope\\)"),
    ("/speech_fsdd/versions/9", None, 404, "Specific\\(speech_fsdd, 9\\)"),
    ("/speech_fsdd:predict", {"instances": [{"audio": {"b64": base64.b64encode(b"hello").decode()}}]}, 400,
     "audio: not a WAV file .*first bytes 68 65 6c 6c 6f \\(item 0 of the batch\\)"),
    ("/speech_fsdd:predict", {"inputs": {"image": ["x"]}}, 400, "takes \\['audio'\\], got \\['image'\\]"),
    ("/speech_fsdd:predict", {"signature_name": "nope", "instances": ["x"]}, 400, "signature_name: 'nope'"),
    ("/speech_fsdd:predict", {"rows": []}, 400, "expected 'instances' or 'inputs'"),
    ("/speech_fsdd:predict", b"{not json", 400, "request: not JSON"),
    ("/speech_fsdd:predict", b"x" * (2 << 20), 413, "more than the limit of 1048576"),
])
def test_errors_as_tf_serving_writes_them(server, path, body, status, message):
    import re

    url = server
    got, answer = call(f"{url}{path}", raw=body if isinstance(body, bytes) else None,
                       body=body if not isinstance(body, bytes) else None)
    assert got == status and set(answer) == {"error"} and re.search(message, answer["error"]), answer
