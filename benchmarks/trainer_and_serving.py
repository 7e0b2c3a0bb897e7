"""Trainer and serving benchmark, measured in one run on one machine.

    python benchmarks/trainer_and_serving.py [--preset fusion_avdigits] [--epochs 3]
        [--out benchmarks/results/trainer_and_serving.json]

1. Training examples/s of the shared trainer (tf.data view, MirroredStrategy, checkpoints,
   TensorBoard, CSV log) against a plain `model.fit` on NumPy arrays of the same model and
   examples (the source material's way). Both run the same epochs from scratch with the same
   validation data, so both include tracing and validation. (Keras cannot `fit` NumPy string
   arrays, so the comparison uses a preset without text; NumPy arrays hold every waveform
   padded to the longest of the split, where the trainer's batches pad to their own longest.)
2. Latency of the exported SavedModel (raw inputs: PNG / WAV bytes and text), p50 and p99 of
   single requests at batch 1 and batch 32, after warmup.
"""

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path


def savedmodel_latency(directory, config, requests, signature_name="serving_default"):
    """p50 and p99 of single requests of raw test examples at batch 1 and 32, after warmup."""
    from mmzoo.evaluation.cost import serving_latency
    from mmzoo import registry

    test_features, _ = next(iter(registry.get_task(config.task).dataset("test", 32, shuffle=False, **config.data_args)))
    return serving_latency({"model": directory}, test_features, requests, signature_name=signature_name)["model"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="fusion_avdigits", help="its model and task (no text: see above)")
    parser.add_argument("--size", default="small", help="Shapes World size, for a preset that reads it")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "trainer_and_serving.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    import keras
    import numpy as np
    import tensorflow as tf

    from mmzoo import presets
    from mmzoo.export.runs import export_run
    from mmzoo import registry
    from mmzoo.config import TrainConfig
    from mmzoo.training.trainer import build_model, train

    preset = registry.PRESETS[args.preset]
    data_args = {"size": args.size} if preset.task.startswith("shapes") else {}
    config = TrainConfig.from_dict({**preset.to_dict(), "data_args": data_args, "epochs": args.epochs,
                                    "evaluate_splits": ["test"]})
    task = registry.get_task(config.task)
    results = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                           "gpus": len(tf.config.list_physical_devices("GPU"))},
               "preset": args.preset, "task": config.task, "model_args": config.model_args, "data": data_args,
               "epochs": args.epochs}

    def as_arrays(split):
        features, labels = [], []
        for batch_features, batch_labels in task.dataset(split, 256, shuffle=False, **data_args):
            features.append({k: v.numpy() for k, v in batch_features.items()})
            labels.append(batch_labels.numpy())
        if "audio" in features[0]:  # batches are padded to their own longest waveform
            longest = max(f["audio"].shape[1] for f in features)
            for f in features:
                f["audio"] = np.pad(f["audio"], [(0, 0), (0, longest - f["audio"].shape[1])])
        return {k: np.concatenate([f[k] for f in features]) for k in features[0]}, np.concatenate(labels)

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        metrics = train(config, scratch / "run", verbose=0)
        results["trainer_examples_per_second"] = metrics["train_examples_per_second"]

        # The source material's way: every example in NumPy arrays, then model.fit.
        arrays, labels = as_arrays("train")
        validation = as_arrays("validation")
        keras.utils.set_random_seed(config.seed)
        model = build_model(config, task)
        model.compile(optimizer=keras.optimizers.AdamW(config.learning_rate), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        steps = len(labels) // config.batch_size
        started = time.perf_counter()
        model.fit(arrays, labels, batch_size=config.batch_size, epochs=args.epochs, shuffle=True, verbose=0,
                  validation_data=validation)
        results["numpy_fit_examples_per_second"] = round(steps * config.batch_size * args.epochs /
                                                         (time.perf_counter() - started), 1)
        results["trainer_over_numpy_fit"] = round(results["trainer_examples_per_second"] /
                                                  results["numpy_fit_examples_per_second"], 2)

        exported = export_run(scratch / "run", scratch / "export", "benchmark")
        results["savedmodel_latency_ms"] = {"this_run": savedmodel_latency(exported, config, args.requests)}
    for name in presets.list_presets():  # the shipped models too, each on its own test examples
        results["savedmodel_latency_ms"][name] = savedmodel_latency(
            presets.serving_dir(name), registry.PRESETS[name], args.requests)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
