"""One replica against two: the same run with MirroredStrategy over 1 and over 2 logical CPU
devices (same global batch), each in its own process, for several seeds, to show that accuracy
does not depend on the number of replicas beyond the seed-to-seed noise.

    python benchmarks/replicas.py [--preset fusion_avdigits] [--epochs 10] [--seeds 0 1]
        [--out benchmarks/results/replicas.json]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def run_once(preset, epochs, replicas, seed, run_dir):
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * replicas)
    from mmzoo.registry import PRESETS
    from mmzoo.config import TrainConfig
    from mmzoo.training.trainer import train

    preset_config = PRESETS[preset]
    config = TrainConfig.from_dict({**preset_config.to_dict(), "epochs": epochs, "strategy": "mirrored",
                                    "seed": seed, "batch_size": preset_config.batch_size // replicas})
    metrics = train(config, run_dir, devices=[f"/cpu:{i}" for i in range(replicas)], verbose=0)
    return {"replicas": metrics["replicas"], "seed": seed, "global_batch_size": metrics["global_batch_size"],
            "train_examples_per_second": metrics["train_examples_per_second"],
            **{f"{split}_accuracy": values["accuracy"] for split, values in metrics["splits"].items()}}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="fusion_avdigits")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--replicas", type=int, default=None, help=argparse.SUPPRESS)  # one child run
    parser.add_argument("--seed", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--run-dir", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "replicas.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.replicas:
        print(json.dumps(run_once(args.preset, args.epochs, args.replicas, args.seed, args.run_dir)))
        return

    results = {"preset": args.preset, "epochs": args.epochs, "seeds": args.seeds, "runs": []}
    with tempfile.TemporaryDirectory() as scratch:
        for replicas in (1, 2):
            for seed in args.seeds:
                child = subprocess.run([sys.executable, __file__, "--preset", args.preset, "--epochs", str(args.epochs),
                                        "--replicas", str(replicas), "--seed", str(seed),
                                        "--run-dir", f"{scratch}/{replicas}-{seed}"],
                                       capture_output=True, text=True, check=False)
                if child.returncode != 0:
                    sys.exit(child.stderr[-3000:])
                results["runs"].append(json.loads(child.stdout.strip().splitlines()[-1]))
    for replicas in (1, 2):
        accuracies = [run["test_accuracy"] for run in results["runs"] if run["replicas"] == replicas]
        results[f"test_accuracy_{replicas}_replica"] = {"mean": round(statistics.mean(accuracies), 4),
                                                        "min": min(accuracies), "max": max(accuracies)}
    one, two = (results[f"test_accuracy_{r}_replica"]["mean"] for r in (1, 2))
    results["mean_difference_2_minus_1"] = round(two - one, 4)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
