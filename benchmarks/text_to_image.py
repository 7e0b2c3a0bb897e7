"""Text-to-image benchmark, measured in one run on one machine.

    python benchmarks/text_to_image.py [--steps 200] [--requests 100] [--out benchmarks/results/text_to_image.json]

1. Training images/s of the `text_to_image_shapes_reconstruction` and `text_to_image_shapes`
   (GAN) presets' models through the shared trainer (default Shapes World, `--steps` steps from
   scratch, validation included).
2. The shipped SavedModels (caption in; image, PNG bytes and layout out): latency p50 and p99
   and images per second (batch / p50) at batch 1 and 32.
"""

import argparse
import json
import os
import platform
import tempfile
from pathlib import Path

from trainer_and_serving import savedmodel_latency

PRESETS = ("text_to_image_shapes_reconstruction", "text_to_image_shapes")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "text_to_image.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    from mmzoo import presets, registry
    from mmzoo.config import TrainConfig
    from mmzoo.training.trainer import train

    results = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                           "gpus": len(tf.config.list_physical_devices("GPU"))}}
    for name in PRESETS:
        preset = registry.PRESETS[name]
        config = TrainConfig.from_dict({**preset.to_dict(), "epochs": 1, "steps_per_epoch": args.steps,
                                        "evaluate_splits": ()})
        with tempfile.TemporaryDirectory() as run_dir:
            metrics = train(config, run_dir, verbose=0)
        latency = savedmodel_latency(presets.serving_dir(name), preset, args.requests)
        for batch, figures in latency.items():
            figures["images_per_second"] = round(int(batch.split("_")[1]) / figures["p50"] * 1000, 1)
        results[name] = {
            "mode": preset.model_args["mode"],
            "training": {"steps": args.steps, "global_batch_size": metrics["global_batch_size"],
                         "images_per_second": metrics["train_examples_per_second"]},
            "savedmodel_serving_default": latency,
        }
    print(json.dumps(results, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
