"""What the replica-comparison workers (`tests/*_worker.py`) share. Each trains a toy model by
the shared trainer on N logical CPUs in its own process (logical devices must be set before
TensorFlow starts) and prints JSON; its test compares 1 and 2 replicas, and a flag turns on the
mistake that would make them differ.

In a worker: `args = start("--flag")`, then `train(..., devices=devices(args))`, `report(...)`.
In a test: `run_worker("name_worker.py", run_dir, logical_cpus, *flags)`.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start(flag, run_dir=True):
    """Parse `[RUN_DIR] --logical-cpus N [FLAG]` and split the CPU into N logical devices."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = argparse.ArgumentParser()
    if run_dir:
        parser.add_argument("run_dir", type=Path)
    parser.add_argument("--logical-cpus", type=int, default=1)
    parser.add_argument(flag, action="store_true")
    args = parser.parse_args()

    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * args.logical_cpus)
    return args


def devices(args):
    return [f"/cpu:{i}" for i in range(args.logical_cpus)]


def report(**values):
    print(json.dumps(values))
    sys.stdout.flush()


def run_worker(worker, run_dir, logical_cpus, *flags, timeout=600):
    """Run `tests/<worker>` and return the JSON it printed last."""
    arguments = [str(run_dir)] if run_dir is not None else []
    result = subprocess.run([sys.executable, str(ROOT / "tests" / worker), *arguments, "--logical-cpus",
                             str(logical_cpus), *flags], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
