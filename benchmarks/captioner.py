"""Captioner benchmark, measured in one run on one machine.

    python benchmarks/captioner.py [--steps 600] [--requests 100] [--out benchmarks/results/captioner.json]

1. Training examples/s of the `captioner_shapes` preset's model through the shared trainer
   (teacher forcing, default Shapes World, `--steps` steps from scratch, validation included).
2. Latency of the shipped `captioner_shapes` SavedModel (PNG bytes in, caption out), p50 and
   p99 at batch 1 and 32, for beam search (`serving_default`, width 4) and greedy decoding.
"""

import argparse
import json
import os
import platform
import tempfile
from pathlib import Path

from trainer_and_serving import savedmodel_latency


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "captioner.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    from mmzoo import presets, registry
    from mmzoo.config import TrainConfig
    from mmzoo.training.trainer import train

    preset = registry.PRESETS["captioner_shapes"]
    config = TrainConfig.from_dict({**preset.to_dict(), "epochs": 1, "steps_per_epoch": args.steps,
                                    "evaluate_splits": ()})
    with tempfile.TemporaryDirectory() as run_dir:
        metrics = train(config, run_dir, verbose=0)
    results = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "gpus": len(tf.config.list_physical_devices("GPU"))},
        "training": {"steps": args.steps, "global_batch_size": metrics["global_batch_size"],
                     "examples_per_second": metrics["train_examples_per_second"]},
        "savedmodel_latency_ms": {
            f"{name} ({signature})": savedmodel_latency(presets.serving_dir("captioner_shapes"), preset,
                                                        args.requests, signature)
            for name, signature in (("beam 4", "serving_default"), ("greedy", "greedy"))},
    }
    print(json.dumps(results, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
