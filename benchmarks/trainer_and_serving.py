"""Trainer and serving benchmark, measured in one run on one machine.

    python benchmarks/trainer_and_serving.py [--preset fusion_shapes_image_text] [--size small]
        [--out benchmarks/results/trainer_and_serving.json]

1. Training examples/s of the shared trainer (tf.data view, MirroredStrategy, checkpoints,
   TensorBoard, CSV log) against a plain `model.fit` on NumPy arrays of the same model and
   examples (the source material's way). Both run the same epochs from scratch with the same
   validation data, so both include tracing and validation.
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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="fusion_shapes_image_text", help="its model and task")
    parser.add_argument("--size", default="small", help="Shapes World size of the training data")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "trainer_and_serving.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    import keras
    import numpy as np
    import tensorflow as tf

    from mmzoo.export import serving
    from mmzoo.export.runs import export_run
    from mmzoo.presets import PRESET_CONFIGS
    from mmzoo.training import tasks
    from mmzoo.training.config import TrainConfig
    from mmzoo.training.trainer import build_model, train

    preset = PRESET_CONFIGS[args.preset]
    data_args = {"size": args.size} if preset.task.startswith("shapes") else {}
    config = TrainConfig.from_dict({**preset.to_dict(), "data_args": data_args, "epochs": args.epochs,
                                    "evaluate_splits": ["test"]})
    task = tasks.get_task(config.task)
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
        signature = tf.saved_model.load(str(exported)).signatures["serving_default"]
        test_features, _ = next(iter(task.dataset("test", 32, shuffle=False, **data_args)))
        raw = serving.encode_raw_inputs(test_features, serving.raw_input_names(model))
        results["savedmodel_latency_ms"] = {}
        for batch in (1, 32):
            request = {k: tf.constant(v[:batch]) for k, v in raw.items()}
            for _ in range(5):
                signature(**request)
            times = []
            for _ in range(args.requests if batch == 1 else max(20, args.requests // 4)):
                started = time.perf_counter()
                signature(**request)
                times.append((time.perf_counter() - started) * 1000)
            results["savedmodel_latency_ms"][f"batch_{batch}"] = {
                "p50": round(float(np.percentile(times, 50)), 2), "p99": round(float(np.percentile(times, 99)), 2),
                "requests": len(times)}

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
