"""TF Serving's REST API over a model base folder, for trying models with `curl` and testing
clients without Docker (`mmzoo serve DIR`). TF Serving stays the production path: this
speaks its protocol, not its performance.

    DIR/<name>/<version>/saved_model.pb          the newest version answers; /versions/N any
    GET  /v1/models/NAME[/versions/N]            model_version_status (AVAILABLE)
    GET  /v1/models/NAME[/versions/N]/metadata   the signature defs
    POST /v1/models/NAME[/versions/N]:predict    {"signature_name"?, "instances": [...]} (rows)
                                                 or {"inputs": {...}} (columns)

Binary values travel as {"b64": "..."}: inputs of type string may come so, and outputs whose
names end in `_bytes` go so, as TF Serving's REST API does. Errors are {"error": "..."}, with
HTTP 400 for a bad request and 404 for an unknown model or version.
"""

from __future__ import annotations

import base64
import http.server
import json
import re
import threading
from pathlib import Path

MAX_REQUEST_BYTES = 32 << 20
DRAIN_BYTES = 256 << 20  # of a refused request's body, read and dropped before the 413 answer
_PATH = re.compile(r"^/v1/models/(?P<name>[^/:]+)(?:/versions/(?P<version>\d+))?(?P<rest>/metadata|:predict)?/?$")


class RequestError(Exception):
    """A request the server refuses: `status` (400, 404, 413) and the message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def rest_request_to_inputs(body: dict, input_names=None) -> dict:
    """TF Serving's REST predict body (`instances` row form or `inputs` column form, bytes as
    {"b64": ...}) to the signature's input lists, as TF Serving maps it. `input_names`: the
    signature's, for rows that are bare values of a signature with one input."""
    def decode(value):
        if isinstance(value, dict):
            if set(value) != {"b64"}:
                raise ValueError(f"a binary value must be {{'b64': ...}}, got keys {sorted(value)}")
            return base64.b64decode(value["b64"], validate=True)
        return value.encode() if isinstance(value, str) else value

    if not isinstance(body, dict):
        raise ValueError("request: a JSON object expected")
    if "instances" in body:
        instances = body["instances"]
        if not isinstance(instances, list) or not instances:
            raise ValueError("instances: a non-empty list expected")
        if not all(isinstance(row, dict) and set(row) != {"b64"} for row in instances):
            if input_names is None or len(input_names) != 1:
                raise ValueError("instances: objects with named inputs expected (the signature has several inputs)")
            instances = [{input_names[0]: row} for row in instances]
        keys = set(instances[0])
        if any(set(row) != keys for row in instances):
            raise ValueError("instances: every instance needs the same named inputs")
        return {key: [decode(row[key]) for row in instances] for key in sorted(keys)}
    if "inputs" in body:
        inputs = body["inputs"]
        if not isinstance(inputs, dict):
            if input_names is None or len(input_names) != 1:
                raise ValueError("inputs: an object of named inputs expected")
            inputs = {input_names[0]: inputs}
        return {key: [decode(v) for v in (values if isinstance(values, list) else [values])]
                for key, values in inputs.items()}
    raise ValueError("request: expected 'instances' or 'inputs'")


def _output_json(name: str, values: list):
    def convert(value):
        if isinstance(value, bytes):
            if name.endswith("_bytes"):
                return {"b64": base64.b64encode(value).decode()}
            try:
                return value.decode()
            except UnicodeDecodeError:
                raise RequestError(400, f"output {name}: bytes that are not UTF-8 (TF Serving base64s only "
                                        "outputs named *_bytes)") from None
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    return [convert(value) for value in values]


class ServedModel:
    """One model's versions under `base/<name>/`, each loaded on its first request."""

    def __init__(self, folder: Path):
        self.name = folder.name
        self.folder = folder
        self.versions = sorted(int(p.name) for p in folder.iterdir()
                               if p.name.isdigit() and (p / "saved_model.pb").is_file())
        self._loaded = {}
        self._lock = threading.Lock()

    def version(self, requested) -> int:
        if requested is None:
            return self.versions[-1]
        if int(requested) not in self.versions:
            raise RequestError(404, f"Servable not found for request: Specific({self.name}, {requested})")
        return int(requested)

    def load(self, version: int):
        with self._lock:
            if version not in self._loaded:
                from mmzoo import saving

                directory = self.folder / str(version)
                if (directory / saving.CARD).is_file():
                    saving.verify_checksums(directory)
                self._loaded[version] = saving.load_saved_model(directory)
            return self._loaded[version]

    def status(self, version: int) -> dict:
        return {"model_version_status": [{"version": str(version), "state": "AVAILABLE",
                                          "status": {"error_code": "OK", "error_message": ""}}]}

    def metadata(self, version: int) -> dict:
        from tensorflow.core.framework import types_pb2

        def tensor_info(spec, key):
            shape = {"dim": [{"size": str(-1 if d is None else d), "name": ""} for d in spec.shape],
                     "unknown_rank": spec.shape.rank is None}
            return {"dtype": types_pb2.DataType.Name(spec.dtype.as_datatype_enum), "tensor_shape": shape,
                    "name": f"{key}:0"}

        signatures = {}
        for signature_name, function in self.load(version).signatures.items():
            outputs = function.structured_outputs
            signatures[signature_name] = {
                "inputs": {key: tensor_info(spec, f"{signature_name}_{key}")
                           for key, spec in function.structured_input_signature[1].items()},
                "outputs": {key: tensor_info(spec, f"StatefulPartitionedCall:{index}")
                            for index, (key, spec) in enumerate(sorted(outputs.items()))},
                "method_name": "tensorflow/serving/predict"}
        return {"model_spec": {"name": self.name, "signature_name": "", "version": str(version)},
                "metadata": {"signature_def": {"signature_def": signatures}}}

    def predict(self, version: int, body) -> dict:
        import tensorflow as tf

        from mmzoo.export.serving import input_error

        if not isinstance(body, dict):
            raise RequestError(400, "request: a JSON object expected")
        loaded = self.load(version)
        signature_name = body.get("signature_name", "serving_default")
        if signature_name not in loaded.signatures:
            raise RequestError(400, f"signature_name: {signature_name!r} is not one of {sorted(loaded.signatures)}")
        function = loaded.signatures[signature_name]
        specs = function.structured_input_signature[1]
        try:
            inputs = rest_request_to_inputs(body, sorted(specs))
        except (ValueError, TypeError) as error:
            raise RequestError(400, str(error)) from None
        if sorted(inputs) != sorted(specs):
            raise RequestError(400, f"inputs: the signature {signature_name} takes {sorted(specs)}, got "
                                    f"{sorted(inputs)}")
        try:
            tensors = {key: tf.constant(values, specs[key].dtype) for key, values in inputs.items()}
        except (TypeError, ValueError) as error:
            raise RequestError(400, f"inputs: {error}") from None
        try:
            outputs = function(**tensors)
        except tf.errors.InvalidArgumentError as error:
            name, problem = input_error(error.message, sorted(specs))
            raise RequestError(400, f"{name}: {problem}") from None
        columns = {key: _output_json(key, value.numpy().tolist()) for key, value in sorted(outputs.items())}
        if "instances" in body:
            count = len(next(iter(columns.values())))
            rows = [{key: values[index] for key, values in columns.items()} for index in range(count)]
            return {"predictions": [next(iter(row.values())) for row in rows] if len(columns) == 1 else rows}
        return {"outputs": next(iter(columns.values())) if len(columns) == 1 else columns}


class ModelServer(http.server.ThreadingHTTPServer):
    """`base`'s models on (`host`, `port`); `serve_forever()` answers until shut down."""

    daemon_threads = True

    def __init__(self, base, host="127.0.0.1", port=8501, max_request_bytes=MAX_REQUEST_BYTES):
        base = Path(base)
        if not base.is_dir():
            raise FileNotFoundError(f"{base}: no such model base folder")
        self.models = {folder.name: ServedModel(folder) for folder in sorted(base.iterdir()) if folder.is_dir()}
        self.models = {name: model for name, model in self.models.items() if model.versions}
        if not self.models:
            raise FileNotFoundError(f"{base}: no <name>/<version>/saved_model.pb inside")
        self.max_request_bytes = max_request_bytes
        super().__init__((host, port), _Handler)

    def answer(self, method: str, path: str, read_body) -> tuple[int, dict]:
        found = _PATH.match(path.split("?")[0])
        if not found:
            raise RequestError(404, f"unknown path {path!r}: /v1/models/NAME[/versions/N][/metadata|:predict]")
        if found["name"] not in self.models:
            raise RequestError(404, f"Servable not found for request: Latest({found['name']})")
        model = self.models[found["name"]]
        version = model.version(found["version"])
        rest = found["rest"] or ""
        if method == "GET" and rest == "":
            return 200, model.status(version)
        if method == "GET" and rest == "/metadata":
            return 200, model.metadata(version)
        if method == "POST" and rest == ":predict":
            try:
                body = json.loads(read_body())
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                raise RequestError(400, f"request: not JSON ({error})") from None
            return 200, model.predict(version, body)
        raise RequestError(405 if rest else 404, f"{method} is not answered at {path}")


class _Handler(http.server.BaseHTTPRequestHandler):
    server: ModelServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _respond(self, method):
        unread = [int(self.headers.get("Content-Length") or 0)]

        def read_body():
            length, unread[0] = unread[0], 0
            if length > self.server.max_request_bytes:
                # Read and dropped, up to a bound, so that the client can read the answer.
                left = min(length, DRAIN_BYTES)
                while left > 0:
                    chunk = self.rfile.read(min(left, 1 << 20))
                    if not chunk:
                        break
                    left -= len(chunk)
                unread[0] = length - min(length, DRAIN_BYTES) + left
                raise RequestError(413, f"request: {length} bytes, more than the limit of "
                                        f"{self.server.max_request_bytes}")
            return self.rfile.read(length)

        try:
            status, answer = self.server.answer(method, self.path, read_body)
        except RequestError as error:
            status, answer = error.status, {"error": str(error)}
        except Exception as error:  # noqa: BLE001 - a client gets an answer, whatever went wrong
            status, answer = 500, {"error": f"{type(error).__name__}: {error}"[:2000]}
        if unread[0]:
            self.close_connection = True  # a body left unread would be read as the next request
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._respond("GET")

    def do_POST(self):
        self._respond("POST")
