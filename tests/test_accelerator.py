"""What training on an accelerator relies on, checked on the CPU: mixed precision that trains
(float32 losses, scaled gradients in the custom train steps, the policy restored after a run),
batches padded to a few lengths for XLA, and LSTMs that meet the cuDNN kernel's conditions."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from mmzoo.evaluation.cost import accelerator_report
from mmzoo import registry
from mmzoo.training import trainer
from mmzoo.config import TrainConfig
from mmzoo.training.trainer import build_model, input_names, make_optimizer, padded_to_buckets

# The custom train steps (GAN, distiller, dual encoder), and models whose losses read softmax or
# sigmoid outputs, at tiny sizes.
CASES = {
    "gan": ("text_to_image_generator", "shapes_text_to_image", {"mode": "gan", "filters": 8, "width": 32}),
    "distiller": ("distiller", "avdigits", {"teacher": "fusion_avdigits", "student_model": "fusion_classifier",
                                            "student_args": {"fusion": "attention", "width": 16,
                                                             "recurrent_layers": 0}}),
    "dual_encoder": ("dual_encoder", "shapes_image_text_retrieval", {"projection_dim": 8, "image_filters": 8}),
    "speech_ctc": ("speech_lstm", "shapes_speech_recognition", {"layers": 1, "width": 32}),
}


@pytest.fixture
def float32_afterwards():
    yield
    keras.mixed_precision.set_global_policy("float32")


def _config(case):
    model, task, model_args = CASES[case]
    return TrainConfig(model=model, task=task, model_args=model_args,
                       data_args={"size": "tiny"} if task.startswith("shapes") else {}, batch_size=8)


def _compiled(config, policy):
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(0)
    task = registry.get_task(config.task)
    model = build_model(config, task)
    model.compile(optimizer=make_optimizer(config, 10), **task.compile_arguments(model))
    data = task.dataset("train", config.batch_size, shuffle=False, drop_remainder=True, inputs=input_names(model),
                        **config.data_args)
    return model, data


@pytest.mark.parametrize("case", sorted(CASES))
def test_mixed_precision_trains_with_scaled_losses(case, tiny_shapes, float32_afterwards, monkeypatch):
    """Under mixed_float16: every optimizer is a LossScaleOptimizer whose `scale_loss` the train
    step calls, the losses of a few steps are finite, and the first batch's loss with the same
    weights is the float32 model's within float16 rounding (the outputs that feed it are float32)."""
    config = _config(case)
    reference, data = _compiled(config, "float32")
    batch = next(iter(data))
    expected = float(reference.test_step(batch)["loss"])  # eager: no tracing

    scaled = []
    original = keras.optimizers.LossScaleOptimizer.scale_loss
    monkeypatch.setattr(keras.optimizers.LossScaleOptimizer, "scale_loss",
                        lambda self, loss: scaled.append(self) or original(self, loss))
    model, data = _compiled(config, "mixed_float16")
    model(batch[0])
    model.set_weights(reference.get_weights())
    optimizers = [model.optimizer] + ([model.discriminator_optimizer] if hasattr(model, "discriminator_optimizer")
                                      else [])
    assert all(isinstance(optimizer, keras.optimizers.LossScaleOptimizer) for optimizer in optimizers)
    mixed = float(model.test_step(batch)["loss"])
    assert mixed == pytest.approx(expected, rel=0.02, abs=0.02)
    for metric in model.metrics:
        metric.reset_state()

    history = model.fit(data.take(3), epochs=1, verbose=0).history
    assert all(math.isfinite(values[-1]) for values in history.values()), history
    assert {id(optimizer) for optimizer in scaled} == {id(optimizer) for optimizer in optimizers}


def test_trainer_uses_mixed_precision_on_a_gpu_and_restores_the_policy(tmp_path, tiny_shapes, monkeypatch):
    monkeypatch.setattr(trainer, "has_gpu", lambda: True)  # the CPU computes float16 too, slowly
    config = TrainConfig(model="dual_encoder", task="shapes_image_text_retrieval", data_args={"size": "tiny"},
                         model_args={"projection_dim": 8, "image_filters": 8}, epochs=1, steps_per_epoch=2,
                         batch_size=8, validation_steps=1, mixed_precision=True, monitor="val_loss",
                         evaluate_splits=())
    metrics = trainer.train(config, tmp_path / "mixed", verbose=0)
    assert metrics["mixed_precision"] and not metrics["jit_compiled"]
    assert keras.mixed_precision.global_policy().name == "float32"
    assert all(math.isfinite(value) for value in metrics["best_validation"].values())

    monkeypatch.setattr(trainer, "has_gpu", lambda: False)
    metrics = trainer.train(config, tmp_path / "cpu", verbose=0)
    assert not metrics["mixed_precision"]


def test_padded_to_buckets_gives_few_shapes_and_keeps_the_data():
    lengths = list(range(5, 400, 7))
    examples = tf.data.Dataset.from_tensor_slices(tf.constant(lengths)).map(
        lambda n: ({"audio": tf.range(1, n + 1, dtype=tf.float32), "text": tf.strings.as_string(n)}, n))
    batches = examples.padded_batch(3)
    bucketed = list(padded_to_buckets(batches, ratio=1.25, shortest=8))
    widths = {int(features["audio"].shape[1]) for features, _ in bucketed}
    raw_widths = {int(features["audio"].shape[1]) for features, _ in batches}
    assert widths <= {math.ceil(8 * 1.25 ** k) for k in range(40)} and len(widths) < len(raw_widths)
    for (features, target), (raw, raw_target) in zip(bucketed, batches, strict=True):
        width = raw["audio"].shape[1]
        assert width <= features["audio"].shape[1] <= math.ceil(width * 1.25)
        np.testing.assert_array_equal(features["audio"][:, :width], raw["audio"])
        assert not np.any(features["audio"][:, width:])
        np.testing.assert_array_equal(features["text"], raw["text"])
        np.testing.assert_array_equal(target, raw_target)


@pytest.mark.parametrize("case", ["speech_ctc", "dual_encoder"])
def test_every_lstm_meets_the_cudnn_conditions(case, tiny_shapes):
    model, _ = _compiled(_config(case), "float32")
    report = accelerator_report(model)
    assert report["lstms"] > 0 and report["cudnn_eligible"] == report["lstms"], report
    slow = keras.Sequential([keras.Input((5, 3)), keras.layers.LSTM(4, recurrent_dropout=0.1)])
    assert accelerator_report(slow)["cudnn_eligible"] == 0


def test_the_accelerator_benchmark_runs_and_merges_devices(tmp_path, tiny_shapes):
    """The script a GPU session runs in one go: a family's settings on this CPU (the mixed ones
    left out), then a GPU run read back from a sweep's log beside it, and their ratio."""
    import json
    import subprocess
    import sys

    from tests.replica_worker import ROOT

    out = tmp_path / "accelerator.json"
    command = [sys.executable, "benchmarks/accelerator.py", "--families", "fusion", "--settings", "fp32",
               "mixed_precision", "--size", "tiny", "--warmup", "1", "--steps", "2", "--requests", "0",
               "--out", str(out)]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr[-3000:]
    fp32 = json.loads(out.read_text())["runs"]["cpu"]["families"]["fusion"]["fp32"]
    assert fp32["timed_steps"] == 2 and fp32["examples_per_second"] > 0 and math.isfinite(fp32["loss"])
    assert fp32["lstms"] == fp32["cudnn_eligible"] > 0 and 0 < fp32["input_share_of_step"]
    assert "mixed_precision" not in json.loads(out.read_text())["runs"]["cpu"]["families"]["fusion"]

    line = {"examples_per_second": 4 * fp32["examples_per_second"], "loss": fp32["loss"], "finite": True}
    log = tmp_path / "sweep.log"
    log.write_text(f"noise\nfusion fp32: {json.dumps(line)} (12 s)\n"
                   f"fusion mixed_precision: {json.dumps({**line, 'loss': 1.01 * fp32['loss']})} (9 s)\n")
    command = [sys.executable, "benchmarks/accelerator.py", "--from-logs", str(log), "--out", str(out)]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-3000:]
    fusion = json.loads(out.read_text())["families"]["fusion"]
    assert fusion["gpu_over_cpu"] == pytest.approx(4.0, abs=0.1) and fusion["cpu"] == fp32
    assert fusion["mixed_precision"]["loss_over_fp32"] == pytest.approx(1.01, abs=1e-3)
