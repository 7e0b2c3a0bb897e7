"""`mmzoo serve` (TF Serving's REST API) measured from outside, in one run on one machine.

    python benchmarks/serve.py [--clients 16] [--requests 500] [--out benchmarks/results/serve.json]

1. Every prebuilt model through plain HTTP: status, metadata, and a predict of two test inputs
   (b64) per signature, compared with the same signature called in-process.
2. Load: `--clients` threads, each sending `--requests` predicts (one AV-Digits example, b64
   image and WAV) to `fusion_avdigits`, over keep-alive connections: errors, requests/s,
   latency p50/p99, and the server process's resident memory before and after the load.
The server runs as `mmzoo serve saved_models` in its own process.
"""

import argparse
import base64
import http.client
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LOAD_MODEL = "fusion_avdigits"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def resident_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def call(connection, method, path, body=None):
    connection.request(method, path, body=None if body is None else json.dumps(body),
                       headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def test_inputs(name, signature, count=2):
    """Raw inputs of a preset's test split, as the SavedModel takes them."""
    from mmzoo import registry
    from mmzoo.export import serving

    config = registry.PRESETS[name]
    task = registry.get_task(config.task)
    specs = signature.structured_input_signature[1]
    raw_names = [key for key in specs if key in serving.RAW_INPUTS]
    features, _ = next(iter(task.view("test", batch_size=count, shuffle=False, **config.data_args)))
    raw = serving.encode_raw_inputs(features, raw_names)
    return {**{key: values[:count] for key, values in raw.items()},
            **{key: list(range(count)) for key in specs if key not in raw_names}}


def same(served, expected):
    if isinstance(expected, bytes):
        return served == ({"b64": base64.b64encode(expected).decode()} if not _utf8(expected) else expected.decode())
    return bool(np.allclose(np.asarray(served, float), np.asarray(expected, float), atol=1e-4))


def _utf8(value):
    try:
        value.decode()
        return True
    except UnicodeDecodeError:
        return False


def every_model(port):
    import tensorflow as tf

    from mmzoo import presets

    results = {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    for name in presets.list_presets():
        version = presets.serving_dir(name).name
        status, answer = call(connection, "GET", f"/v1/models/{name}")
        figures = {"status": answer["model_version_status"][0]["state"] if status == 200 else answer,
                   "version": version}
        status, metadata = call(connection, "GET", f"/v1/models/{name}/metadata")
        signatures = metadata["metadata"]["signature_def"]["signature_def"] if status == 200 else {}
        loaded = presets.load_serving(name)
        figures["signatures"] = {}
        for signature_name, function in loaded.signatures.items():
            inputs = test_inputs(name, function)
            body = {"signature_name": signature_name, "inputs": {
                key: [{"b64": base64.b64encode(v).decode()} if isinstance(v, bytes) else v for v in values]
                for key, values in inputs.items()}}
            status, answer = call(connection, "POST", f"/v1/models/{name}:predict", body)
            specs = function.structured_input_signature[1]
            expected = function(**{key: tf.constant(values, specs[key].dtype) for key, values in inputs.items()})
            outputs = answer.get("outputs", {})
            outputs = outputs if isinstance(outputs, dict) else {next(iter(expected)): outputs}
            figures["signatures"][signature_name] = {
                "in_metadata": signature_name in signatures, "http_status": status,
                "matches_in_process": status == 200 and all(
                    all(same(s, e) for s, e in zip(outputs[key], value.numpy().tolist(), strict=True))
                    for key, value in expected.items())}
        results[name] = figures
        print(name, json.dumps(figures), flush=True)
    return results


def load(port, clients, requests):
    from mmzoo import presets

    inputs = test_inputs(LOAD_MODEL, presets.load_serving(LOAD_MODEL).signatures["serving_default"], count=1)
    body = {"instances": [{key: {"b64": base64.b64encode(values[0]).decode()} for key, values in inputs.items()}]}
    latencies, errors = [], []

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for _ in range(requests):
            started = time.perf_counter()
            try:
                status, answer = call(connection, "POST", f"/v1/models/{LOAD_MODEL}:predict", body)
                if status != 200:
                    errors.append(answer)
            except (OSError, http.client.HTTPException) as error:
                errors.append(str(error))
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    milliseconds = np.array(latencies) * 1000
    return {"model": LOAD_MODEL, "clients": clients, "requests_per_client": requests, "errors": len(errors),
            "first_errors": [str(e)[:200] for e in errors[:3]],
            "requests_per_second": round(len(latencies) / elapsed, 1),
            "latency_ms": {"p50": round(float(np.percentile(milliseconds, 50)), 2),
                           "p99": round(float(np.percentile(milliseconds, 99)), 2)}}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "serve.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "mmzoo.cli", "serve", str(ROOT / "saved_models"), "--port",
                               str(port)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        server.stdout.readline()  # its first line: it is listening
        models = every_model(port)
        warm = load(port, 2, 20)  # the load model loaded and warm before memory is read
        before = resident_mb(server.pid)
        under_load = load(port, args.clients, args.requests)
        after = resident_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    results = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
               "models": models, "warm_up": warm, "load": {**under_load, "server_resident_mb": {
                   "before": round(before, 1), "after": round(after, 1), "growth": round(after - before, 1)}}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["load"], indent=2))


if __name__ == "__main__":
    main()
