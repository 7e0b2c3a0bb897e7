"""Speech recogniser benchmark, measured in one run on one machine.

    python benchmarks/speech.py [--steps 200] [--requests 100] [--out benchmarks/results/speech.json]

1. Training examples/s of the `speech_shapes` (spoken captions, about 2.2 s) and `speech_fsdd`
   (digits, about 0.4 s) presets' models through the shared trainer, `--steps` steps from
   scratch (run from the repository root: the FSDD preset reads ../shared), as the presets are
   and with the waveform augmentation on (`waveform_augment`: speed, equaliser, reverberation,
   noise), one after the other in one run.
2. The shipped SavedModels (WAV bytes in, transcript out) at batch 1, one test utterance per
   request, `--requests` different ones: latency p50 and p99, and the real-time factor
   (processing time / audio duration, summed over the requests; below 1 is faster than real
   time), for beam search (`serving_default`) and greedy decoding.
"""

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

PRESETS = ("speech_shapes", "speech_fsdd")


def training_speed(preset, steps, model_args=None):
    from mmzoo import registry
    from mmzoo.config import TrainConfig
    from mmzoo.training.trainer import train

    config = registry.PRESETS[preset]
    config = TrainConfig.from_dict({**config.to_dict(), "epochs": 1, "steps_per_epoch": steps,
                                    "model_args": {**config.model_args, **(model_args or {})},
                                    "validation_steps": 1, "evaluate_splits": ()})
    with tempfile.TemporaryDirectory() as run_dir:
        metrics = train(config, run_dir, verbose=0)
    return {"steps": steps, "global_batch_size": metrics["global_batch_size"],
            "examples_per_second": metrics["train_examples_per_second"]}


def serving_speed(preset, requests):
    import numpy as np
    import tensorflow as tf

    from mmzoo import presets, registry
    from mmzoo.data import preprocessing
    from mmzoo.export import serving

    config = registry.PRESETS[preset]
    saved_model = tf.saved_model.load(str(presets.serving_dir(preset)))
    utterances = []
    for features, _ in registry.get_task(config.task).dataset("test", 32, shuffle=False, **config.data_args):
        raw = serving.encode_raw_inputs(features, ["audio"])["audio"]
        utterances += zip(raw, features["audio_length"].numpy() / preprocessing.SAMPLE_RATE)
        if len(utterances) >= requests:
            break
    utterances = utterances[:requests]
    results = {"requests": len(utterances), "audio_seconds": round(sum(d for _, d in utterances), 2)}
    for name, signature_name in (("beam", "serving_default"), ("greedy", "greedy")):
        signature = saved_model.signatures[signature_name]
        for wav, _ in utterances[:5]:  # warmup
            signature(audio=tf.constant([wav]))
        times = []
        for wav, _ in utterances:
            started = time.perf_counter()
            signature(audio=tf.constant([wav]))
            times.append(time.perf_counter() - started)
        results[name] = {"latency_ms_p50": round(float(np.percentile(times, 50)) * 1000, 2),
                         "latency_ms_p99": round(float(np.percentile(times, 99)) * 1000, 2),
                         "real_time_factor": round(sum(times) / results["audio_seconds"], 4)}
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "speech.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    results = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                           "gpus": len(tf.config.list_physical_devices("GPU"))}}
    for preset in PRESETS:
        results[preset] = {"training": training_speed(preset, args.steps),
                           "training_waveform_augment": training_speed(preset, args.steps, {"waveform_augment": True}),
                           "savedmodel_batch_1": serving_speed(preset, args.requests)}
    print(json.dumps(results, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
