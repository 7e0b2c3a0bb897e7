"""A tiny training run in its own process, for the distributed and resume tests.

    python tests/train_worker.py RUN_DIR [--logical-cpus N] [--epochs E] [--steps S]
"""

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--logical-cpus", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--strategy", default="auto")
    parser.add_argument("--task", default="avdigits")
    args = parser.parse_args()

    import tensorflow as tf

    devices = None
    if args.logical_cpus:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * args.logical_cpus)
        devices = [f"/cpu:{i}" for i in range(args.logical_cpus)]

    from mmzoo.config import TrainConfig
    from mmzoo.training.trainer import train

    data_args = {"size": "tiny"} if args.task.startswith("shapes") else {}
    model, model_args, monitor = "fusion_classifier", {"fusion": "concat", "width": 32}, "val_accuracy"
    if args.task == "shapes_text_to_image":  # the conditional GAN: its own train_step, two optimizers
        model, monitor = "text_to_image_generator", None
        model_args = {"mode": "gan", "width": 16, "filters": 8, "layout_width": 16, "discriminator_filters": 4}
    config = TrainConfig(model=model, task=args.task, data_args=data_args, model_args=model_args, monitor=monitor,
                         epochs=args.epochs, batch_size=8, steps_per_epoch=args.steps, validation_steps=2,
                         strategy=args.strategy, seed=1)
    metrics = train(config, args.run_dir, devices=devices, verbose=0)
    test = metrics["splits"]["test"]
    print(json.dumps({"replicas": metrics["replicas"], "global_batch_size": metrics["global_batch_size"],
                      "test_accuracy": test.get("accuracy", test.get("attribute_accuracy"))}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
