"""What a model costs to run: floating-point operations of one forward pass, and the latency of
its SavedModel."""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf


def inference_flops(model: keras.Model, features: dict) -> int:
    """Floating-point operations of `model` on `features` (a batch of one, its own shapes).

    TF's profiler counts the graph's ops (convs, matmuls, elementwise ops); it cannot see into
    an LSTM's loop, so each LSTM adds its matmuls, 8 x units x (inputs + units) per step, for
    the steps it ran on these features.
    """
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    features = {name: tf.convert_to_tensor(value) for name, value in features.items()}
    specs = {name: tf.TensorSpec(value.shape, value.dtype) for name, value in features.items()}
    forward = tf.function(lambda inputs: model(inputs, training=False)).get_concrete_function(specs)
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    graph_flops = tf.compat.v1.profiler.profile(graph=convert_variables_to_constants_v2(forward).graph,
                                                options=options).total_float_ops
    return int(graph_flops + _lstm_flops(model, features))


def _lstm_flops(model, features):
    recurrent = [layer for layer in model.layers if _lstms_of(layer)]
    if not recurrent:
        return 0
    sequences = [layer.input[0] if isinstance(layer.input, (list, tuple)) else layer.input for layer in recurrent]
    reads = keras.Model(model.inputs, sequences)(features)
    reads = reads if isinstance(reads, (list, tuple)) else [reads]
    flops = 0
    for layer, sequence in zip(recurrent, reads):
        steps, inputs = sequence.shape[1], sequence.shape[-1]
        flops += sum(8 * lstm.units * (inputs + lstm.units) * steps for lstm in _lstms_of(layer))
    return flops


def _lstms_of(layer):
    if isinstance(layer, keras.layers.Bidirectional):
        return [layer.forward_layer, layer.backward_layer]
    return [layer] if isinstance(layer, keras.layers.LSTM) else []


def accelerator_report(model: keras.Model) -> dict:
    """What keeps `model` off an accelerator's fast paths: its LSTMs (nested models included)
    and how many meet the conditions of the cuDNN kernel (tanh and sigmoid activations, a bias,
    no recurrent dropout, not unrolled; otherwise Keras runs a loop of small ops, silently), and
    the layers that XLA cannot compile (`compile(jit_compile=True)` then runs without XLA).
    On a GPU Keras marks cuDNN-ready LSTMs as not compilable too: cuDNN is their fast path."""
    from keras.src.backend.tensorflow.rnn import _do_lstm_arguments_support_cudnn

    layers = list(model._flatten_layers())
    lstms = [layer for layer in layers if isinstance(layer, keras.layers.LSTM)]
    eligible = [lstm for lstm in lstms if lstm.use_cudnn in ("auto", True) and not lstm.cell.recurrent_dropout
                and _do_lstm_arguments_support_cudnn(lstm.cell.activation, lstm.cell.recurrent_activation,
                                                     lstm.unroll, lstm.cell.use_bias)]
    return {"lstms": len(lstms), "cudnn_eligible": len(eligible),
            "not_jit_compilable": sorted({type(layer).__name__ for layer in layers
                                          if not getattr(layer, "supports_jit", True)})}


def serving_latency(directories: dict, features: dict, requests=200, batch_sizes=(1, 32),
                    signature_name="serving_default", rounds=5) -> dict:
    """p50 and p99 (ms) of requests of `features` (a batch of model features, sent as raw
    bytes: PNG, WAV, text) to each SavedModel of `directories` ({name: folder}), per batch
    size; a batch larger than 1 gets a quarter of the requests. The models take turns in
    `rounds` blocks of requests, each block after a few warmup requests: what else the machine
    does falls alike on each, and each is measured with its own weights in the caches, as a
    server running one model is (request by request turns made a small model pay for the
    large one's cache misses)."""
    from mmzoo import saving
    from mmzoo.export import serving

    signatures = {name: saving.load_saved_model(folder).signatures[signature_name]
                  for name, folder in directories.items()}
    latency = {name: {} for name in signatures}
    for batch in batch_sizes:
        request_of = {}
        for name, signature in signatures.items():
            raw = serving.encode_raw_inputs(features, sorted(signature.structured_input_signature[1]))
            request_of[name] = {key: tf.constant(values[:batch]) for key, values in raw.items()}
        per_round = max(1, (requests if batch == 1 else max(20, requests // 4)) // rounds)
        times = {name: [] for name in signatures}
        for _ in range(rounds):
            for name, signature in signatures.items():
                for _ in range(5):
                    signature(**request_of[name])
                for _ in range(per_round):
                    started = time.perf_counter()
                    signature(**request_of[name])
                    times[name].append((time.perf_counter() - started) * 1000)
        for name, measured in times.items():
            latency[name][f"batch_{batch}"] = {"p50": round(float(np.percentile(measured, 50)), 2),
                                               "p99": round(float(np.percentile(measured, 99)), 2),
                                               "requests": len(measured)}
    return latency
