"""The shared trainer: run directory, MirroredStrategy on 2 logical CPUs, 2-worker
MultiWorkerMirroredStrategy on 127.0.0.1, and resuming a run killed with SIGKILL."""

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mmzoo.config import TrainConfig
from tests.replica_worker import ROOT, run_worker

WORKER = Path(__file__).with_name("train_worker.py")


def start(run_dir, *args, env=None):
    return subprocess.Popen([sys.executable, str(WORKER), str(run_dir), *args], cwd=ROOT,
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finish(process, timeout=600):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def history_rows(run_dir):
    with open(run_dir / "history.csv") as stream:
        return list(csv.DictReader(stream))


def test_config_round_trip_and_validation(tmp_path):
    config = TrainConfig(model="fusion_classifier", task="avdigits", epochs=3, model_args={"fusion": "late"})
    config.save(tmp_path / "config.json")
    assert TrainConfig.load(tmp_path / "config.json") == config
    with pytest.raises(ValueError, match="schedule"):
        TrainConfig(model="m", task="t", schedule="linear")
    with pytest.raises(ValueError, match="unknown keys"):
        TrainConfig.from_dict({"model": "m", "task": "t", "epochz": 3})


def test_mirrored_strategy_on_two_logical_cpus(tmp_path, mmzoo_home):
    result = finish(start(tmp_path / "run", "--logical-cpus", "2", "--strategy", "mirrored"))
    assert (result["replicas"], result["global_batch_size"]) == (2, 16)
    run = tmp_path / "run"
    for name in ("config.json", "history.csv", "metrics.json", "model.keras", "checkpoints/best.weights.h5",
                 "checkpoints/last.weights.h5", "logs"):
        assert (run / name).exists(), name
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["splits"]["test"]["examples"] == 594
    assert len(history_rows(run)) == 2


def test_the_conditional_gan_trains_on_two_replicas_and_keeps_its_last_epoch(tmp_path, mmzoo_home):
    result = finish(start(tmp_path / "run", "--logical-cpus", "2", "--strategy", "mirrored",
                          "--task", "shapes_text_to_image"))
    assert (result["replicas"], result["global_batch_size"]) == (2, 16)
    assert 0.0 <= result["test_accuracy"] <= 1.0
    rows = history_rows(tmp_path / "run")
    assert len(rows) == 2 and all(float(row["discriminator_loss"]) > 0 for row in rows)
    assert not (tmp_path / "run" / "checkpoints" / "best.weights.h5").exists()  # monitor None: the last epoch


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_multi_worker_mirrored_strategy_with_two_processes(tmp_path, mmzoo_home):
    workers = [f"127.0.0.1:{port}" for port in _free_ports(2)]
    processes = [start(tmp_path / "run", "--epochs", "1", "--steps", "3",
                       env={"TF_CONFIG": json.dumps({"cluster": {"worker": workers},
                                                     "task": {"type": "worker", "index": index}})})
                 for index in range(2)]
    results = [finish(p) for p in processes]
    assert [(r["replicas"], r["global_batch_size"]) for r in results] == [(2, 16)] * 2
    assert (tmp_path / "run" / "metrics.json").exists()
    assert len(history_rows(tmp_path / "run")) == 1


def test_a_killed_run_resumes_where_it_stopped(tmp_path, mmzoo_home):
    run = tmp_path / "run"
    arguments = ("--epochs", "4", "--steps", "50")
    process = start(run, *arguments)
    deadline = time.time() + 300
    while not (run / "history.csv").exists() or len(history_rows(run)) < 2:
        assert process.poll() is None, process.communicate()[1][-3000:]
        assert time.time() < deadline, "two epochs did not finish in time"
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    done_before_kill = len(history_rows(run))
    assert 2 <= done_before_kill < 4 and not (run / "metrics.json").exists()
    resumed = finish(start(run, *arguments))
    epochs = [int(row["epoch"]) for row in history_rows(run)]
    assert epochs == list(range(4)), "the restarted run must continue with the next epoch, not start again"
    uninterrupted = finish(start(tmp_path / "uninterrupted", *arguments))
    # The resumed run reads on in the data and in the dropout masks: it is the uninterrupted run.
    assert resumed["test_accuracy"] == uninterrupted["test_accuracy"] > 0.5
    for resumed_row, uninterrupted_row in zip(history_rows(run), history_rows(tmp_path / "uninterrupted")):
        for key, value in resumed_row.items():
            assert abs(float(value) - float(uninterrupted_row[key])) < 1e-5, (key, resumed_row, uninterrupted_row)


def test_a_run_directory_refuses_another_config(tmp_path, mmzoo_home):
    from mmzoo.training.trainer import train

    TrainConfig(model="fusion_classifier", task="avdigits", epochs=1).save(tmp_path / "config.json")
    with pytest.raises(ValueError, match="another config"):
        train(TrainConfig(model="fusion_classifier", task="avdigits", epochs=2), tmp_path)


def _custom_step_run(run_dir, logical_cpus, *flags):
    return run_worker("custom_step_worker.py", run_dir, logical_cpus, *flags)


def test_a_model_with_its_own_train_step_trains_alike_on_one_and_two_replicas(tmp_path):
    one = _custom_step_run(tmp_path / "one", 1)
    two = _custom_step_run(tmp_path / "two", 2)
    assert (one["replicas"], two["replicas"]) == (1, 2)
    assert one["test"]["mse"] < 5.0  # it learnt (the targets' variance is about 14)
    assert max(abs(a - b) for a, b in zip(one["kernel"], two["kernel"])) < 1e-4
    # The check can fail: a loss averaged over the replica's batch only takes twice the step.
    unscaled = _custom_step_run(tmp_path / "unscaled", 2, "--unscaled-loss")
    assert max(abs(a - b) for a, b in zip(one["kernel"], unscaled["kernel"])) > 1e-2
