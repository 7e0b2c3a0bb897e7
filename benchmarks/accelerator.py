"""Every model family on whatever device TensorFlow finds, through the shared trainer.

    python benchmarks/accelerator.py                    # every family and setting on this device
    python benchmarks/accelerator.py --time-to-bar      # and fusion_shapes_image_text to its bar
    python benchmarks/accelerator.py --families fusion --settings fp32 --warmup 2 --steps 4   # smoke

For each family (a prebuilt recipe, on Shapes World `small` or AV-Digits), one run of the trainer
per setting: `fp32`, `mixed_precision` (mixed_float16), `xla` (`jit_compile`) and
`mixed_precision_xla`, plus `fp32_seed1` (the noise of the loss between seeds, to judge the
others by), `steps_per_execution_8` and `batch_4x` (fp32). Each run trains `warmup + steps` steps
of one epoch; examples/s are timed over the last `steps`, after tracing, compilation and warmup;
`loss` is the epoch's mean training loss, the same steps for every setting. Per family also:
the input pipeline alone (examples/s of the training view with nothing consuming it) and its
share of a step, and the SavedModel latency p50/p99 of the first float32 run (`fp32` or
`fp32_seed1`) at batch 1, 32 and 256.

Families run in parallel processes (`--jobs` at a time, one process per family), and a lock
lets one process at a time run its timed steps and latency requests: what is timed has the
accelerator to itself, while the others build and trace. The mixed
settings need a GPU (the trainer trains float32 on a CPU, where float16 is emulated): on a CPU
they are left out.

Results go to `--out` (benchmarks/results/accelerator.json) under `runs.<gpu|cpu>`, keeping the
other device's; `families` then holds, per family, the GPU's settings, the CPU's `fp32` as `cpu`
and `gpu_over_cpu` (best GPU setting / CPU fp32, examples/s).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "accelerator.json"
LOCK_ENV = "MMZOO_BENCHMARK_LOCK"

# family: (prebuilt recipe, changes to its config)
FAMILIES = {
    "fusion": ("fusion_shapes_image_text", {}),
    "fusion_audio_visual": ("fusion_avdigits", {}),
    "captioner": ("captioner_shapes", {}),
    "speech_ctc": ("speech_shapes", {}),
    "speech_attention": ("speech_shapes", {"model_args": {"decoder": "attention"}}),
    "text_to_image": ("text_to_image_shapes_reconstruction", {}),
    # From scratch: the shipped GAN starts from the reconstruction preset, which speed ignores.
    "text_to_image_gan": ("text_to_image_shapes", {"model_args": {"initial_generator": None}}),
    "distiller": ("distilled_avdigits", {"model_args": {"teacher": "fusion_avdigits"}}),
    "dual_encoder": ("dual_encoder_shapes", {}),
}
SETTINGS = {
    "fp32": {},
    "mixed_precision": {"mixed_precision": True},
    "xla": {"jit_compile": True},
    "mixed_precision_xla": {"mixed_precision": True, "jit_compile": True},
    "fp32_seed1": {"seed": 1},
    "steps_per_execution_8": {"steps_per_execution": 8},
    "batch_4x": {"batch_size_factor": 4},
}
FOUR_SETTINGS = ("fp32", "mixed_precision", "xla", "mixed_precision_xla")
LATENCY_BATCHES = (1, 32, 256)
TIME_TO_BAR = {"preset": "fusion_shapes_image_text", "bar": 0.97, "metric": "accuracy"}


def device_kind():
    from mmzoo.training.trainer import has_gpu

    return "gpu" if has_gpu() else "cpu"


def device_name():
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return tf.config.experimental.get_device_details(gpus[0]).get("device_name", gpus[0].name)
    return f"{platform.processor() or platform.machine()} CPU, {os.cpu_count()} cores"


@contextlib.contextmanager
def timed_section():
    """The benchmark-wide lock (a file named by MMZOO_BENCHMARK_LOCK): one process at a time."""
    path = os.environ.get(LOCK_ENV)
    if not path:
        yield
        return
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def family_config(family, setting, warmup, steps, size):
    """The family's prebuilt recipe, changed for one timed run of `setting`."""
    from mmzoo import registry
    from mmzoo.config import TrainConfig

    preset, changes = FAMILIES[family]
    config = registry.PRESETS[preset].to_dict()
    model_args = {**config["model_args"], **changes.get("model_args", {})}
    model_args = {key: value for key, value in model_args.items() if value is not None}
    data_args = dict(config["data_args"])
    if config["task"].startswith("shapes"):
        data_args["size"] = size
    options = dict(SETTINGS[setting])
    batch_size = config["batch_size"] * options.pop("batch_size_factor", 1)
    spe = options.get("steps_per_execution", 1)
    return TrainConfig.from_dict({
        **config, "model_args": model_args, "data_args": data_args, "epochs": 1, "batch_size": batch_size,
        "steps_per_epoch": math.ceil((warmup + steps) / spe) * spe, "validation_steps": 1, "evaluate_splits": [],
        "monitor": None, "early_stopping_patience": None, "mixed_precision": False, "jit_compile": False,
        "warmup_epochs": 0.0, **options})


def step_timer(warmup, lock):
    """A callback: examples/s over the steps after the first `warmup`, and the epoch's mean
    loss. It holds `lock` from the end of the first step (tracing and compilation done) to the
    end of the last, so that the timed steps have the device to themselves."""
    import keras

    class StepTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.started = self.finished = self.loss = None
            self.first_timed_step = self.steps = 0
            self.lock = contextlib.ExitStack()
            self.holding = False

        def on_train_begin(self, logs=None):
            from mmzoo.evaluation.cost import accelerator_report

            self.report = accelerator_report(self.model)

        def on_train_batch_end(self, batch, logs=None):
            loss = float(logs["loss"])  # waits for the step: the device works asynchronously
            now, done = time.perf_counter(), batch + 1
            if not self.holding:
                self.lock.enter_context(lock())
                self.holding = True
            if self.started is None:
                if done >= warmup:
                    self.started, self.first_timed_step = time.perf_counter(), done
            else:
                self.finished, self.steps, self.loss = now, done - self.first_timed_step, loss
            if done >= self.params["steps"]:
                self.lock.close()  # the last step: validation and saving are not timed

        def on_train_end(self, logs=None):
            self.lock.close()

    return StepTimer()


def input_pipeline_rate(task, config, batches):
    """Examples/s of the training view alone, as the trainer builds it."""
    data = task.dataset("train", config.batch_size, shuffle=True, drop_remainder=True, **config.data_args).repeat()
    iterator = iter(data)
    next(iterator)
    started = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return round(batches * config.batch_size / (time.perf_counter() - started), 1)


def run_setting(family, setting, warmup, steps, size, scratch):
    from mmzoo import registry
    from mmzoo.training.trainer import train

    config = family_config(family, setting, warmup, steps, size)
    timer = step_timer(warmup, timed_section)
    metrics = train(config, scratch / setting, verbose=0, callbacks=[timer])
    result = {"examples_per_second": round(timer.steps * config.batch_size / (timer.finished - timer.started), 1),
              "loss": round(timer.loss, 5), "finite": math.isfinite(timer.loss), "timed_steps": timer.steps,
              "batch_size": config.batch_size, "steps_per_execution": config.steps_per_execution,
              "mixed_precision": metrics["mixed_precision"], "jit_compiled": metrics["jit_compiled"]}
    if setting == "fp32":
        result.update(timer.report)
        task = registry.get_task(config.task)
        with timed_section():
            result["input_pipeline_examples_per_second"] = input_pipeline_rate(task, config, steps)
        result["input_share_of_step"] = round(result["examples_per_second"] /
                                              result["input_pipeline_examples_per_second"], 3)
    return config, result


def latency(family, run_dir, config, scratch, requests, batch_sizes=LATENCY_BATCHES):
    from mmzoo.evaluation.cost import serving_latency
    from mmzoo.export.runs import export_run
    from mmzoo import registry

    exported = export_run(run_dir, scratch / "export", family)
    task = registry.get_task(config.task)
    features, _ = next(iter(task.dataset("test", max(batch_sizes), shuffle=False, **config.data_args)))
    with timed_section():
        return serving_latency({"model": exported}, features, requests, batch_sizes=batch_sizes)["model"]


def run_family(family, settings, warmup, steps, size, requests, out: Path, latency_batches=LATENCY_BATCHES) -> dict:
    """Every setting of one family, in this process, each written to `out` as soon as it is
    measured (a sweep stopped at its time limit keeps what it measured); a failed setting is
    reported, not fatal."""
    import traceback

    results = {}
    kind = device_kind()
    with tempfile.TemporaryDirectory(prefix=f"mmzoo-{family}-") as scratch:
        scratch = Path(scratch)
        for setting in settings:
            if kind == "cpu" and SETTINGS[setting].get("mixed_precision"):
                continue
            started = time.perf_counter()
            try:
                config, results[setting] = run_setting(family, setting, warmup, steps, size, scratch)
                if setting in ("fp32", "fp32_seed1") and requests and "serving_latency_ms" not in results:
                    results["serving_latency_ms"] = latency(family, scratch / setting, config, scratch, requests,
                                                            latency_batches)
            except Exception as error:  # noqa: BLE001 - the sweep goes on; the failure is in the results
                results[setting] = {"error": f"{type(error).__name__}: {str(error)[:400]}"}
                traceback.print_exc()
            print(f"{family} {setting}: {json.dumps(results[setting])} ({time.perf_counter() - started:.0f} s)",
                  flush=True)
            scratch_out = out.with_suffix(".partial")
            scratch_out.write_text(json.dumps(results))
            scratch_out.replace(out)
    return results


def within_noise(results):
    """Each setting's loss relative to fp32's and, where fp32 was also run with another seed,
    whether it is within twice that distance (at least 2% of the loss)."""
    fp32, other_seed = results.get("fp32", {}), results.get("fp32_seed1", {})
    if "loss" not in fp32:
        return
    noise = max(abs(fp32["loss"] - other_seed["loss"]), 0.02 * abs(fp32["loss"])) if "loss" in other_seed else None
    for name in FOUR_SETTINGS[1:]:
        if "loss" in results.get(name, {}):
            results[name]["loss_over_fp32"] = round(results[name]["loss"] / fp32["loss"], 4)
            if noise is not None:
                results[name]["loss_within_noise_of_fp32"] = bool(
                    results[name]["finite"] and abs(results[name]["loss"] - fp32["loss"]) <= 2 * noise)


def fastest_setting(results):
    """The fastest of the four settings whose loss is within noise of fp32's."""
    candidates = {name: results[name]["examples_per_second"] for name in FOUR_SETTINGS
                  if "examples_per_second" in results.get(name, {})
                  and (name == "fp32" or results[name].get("loss_within_noise_of_fp32"))}
    return max(candidates, key=candidates.get) if candidates else None


def time_to_bar(steps_per_execution):
    """The prebuilt recipe of TIME_TO_BAR['preset'] from scratch on the default data, as shipped
    but for `steps_per_execution` (which changes no arithmetic); wall time and test figures."""
    from mmzoo import presets, registry
    from mmzoo.data.build import build_shapes_world
    from mmzoo.training.trainer import train

    name = TIME_TO_BAR["preset"]
    config = dataclasses.replace(registry.PRESETS[name], steps_per_execution=steps_per_execution)
    started = time.perf_counter()
    build_shapes_world("default", progress=False)
    data_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="mmzoo-time-to-bar-") as scratch:
        started = time.perf_counter()
        metrics = train(config, Path(scratch) / "run", verbose=0)
        wall = time.perf_counter() - started
    cpu = json.loads((presets.SAVED_MODELS / name / "metrics.json").read_text())
    splits = {split: round(values[TIME_TO_BAR["metric"]], 4) for split, values in metrics["splits"].items()}
    return {"preset": name, "bar": TIME_TO_BAR["bar"], "epochs": config.epochs,
            "steps_per_execution": steps_per_execution, "data_build_seconds": round(data_seconds, 1),
            "train_seconds": metrics["train_seconds_this_session"], "wall_seconds": round(wall, 1),
            "test": splits, "reached_bar": splits["test"] >= TIME_TO_BAR["bar"],
            "cpu_train_seconds": cpu["train_seconds_this_session"],
            "cpu_test": round(cpu["splits"]["test"][TIME_TO_BAR["metric"]], 4),
            "gpu_over_cpu_train_time": round(cpu["train_seconds_this_session"] /
                                             metrics["train_seconds_this_session"], 2)}


def runs_from_logs(paths) -> dict:
    """Per family, the settings measured in sweep logs (`family setting: {...} (N s)` lines)."""
    families = {}
    for path in paths:
        for line in path.read_text().splitlines():
            match = re.fullmatch(r"([a-z_0-9]+) ([a-z_0-9]+): (\{.*\}) \(\d+ s\)", line.strip())
            if match and match.group(1) in FAMILIES:
                families.setdefault(match.group(1), {})[match.group(2)] = json.loads(match.group(3))
    for results in families.values():
        within_noise(results)
    return families


def merge(out: Path, kind: str, run: dict) -> dict:
    """Write this device's run into `out` beside the other's and derive the `families` table."""
    results = json.loads(out.read_text()) if out.exists() else {}
    results.setdefault("runs", {})[kind] = run
    gpu, cpu = results["runs"].get("gpu", {}), results["runs"].get("cpu", {})
    if gpu:
        results["device"] = gpu["device"]
    families = {}
    for family in FAMILIES:
        on_gpu, on_cpu = gpu.get("families", {}).get(family, {}), cpu.get("families", {}).get(family, {})
        entry = {name: on_gpu[name] for name in FOUR_SETTINGS if name in on_gpu}
        if "fp32" in on_cpu:
            entry["cpu"] = on_cpu["fp32"]
        best = fastest_setting(on_gpu) if on_gpu else None
        if best and "examples_per_second" in on_cpu.get("fp32", {}):
            entry["fastest_gpu_setting"] = best
            entry["gpu_over_cpu"] = round(
                on_gpu[best]["examples_per_second"] / on_cpu["fp32"]["examples_per_second"], 1)
        if entry:
            families[family] = entry
    results["families"] = families
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = out.with_suffix(".json.partial")
    scratch.write_text(json.dumps(results, indent=2) + "\n")
    scratch.replace(out)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", nargs="+", choices=sorted(FAMILIES), default=list(FAMILIES))
    parser.add_argument("--settings", nargs="+", choices=list(SETTINGS), default=list(SETTINGS))
    parser.add_argument("--warmup", type=int, default=20, help="steps before the timed ones")
    parser.add_argument("--steps", type=int, default=100, help="timed steps")
    parser.add_argument("--size", default="small", help="Shapes World size for the Shapes families")
    parser.add_argument("--requests", type=int, default=100, help="latency requests at batch 1 (0: none)")
    parser.add_argument("--latency-batches", type=int, nargs="+", default=list(LATENCY_BATCHES))
    parser.add_argument("--jobs", type=int, default=len(FAMILIES), help="families in parallel processes")
    parser.add_argument("--time-to-bar", action="store_true", help=f"also train {TIME_TO_BAR['preset']} to its bar")
    parser.add_argument("--time-to-bar-only", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--from-logs", nargs="+", type=Path,
                        help="rebuild a device's run from the printed lines of sweeps (later logs win)")
    parser.add_argument("--device-kind", choices=["gpu", "cpu"], default="gpu", help="with --from-logs")
    parser.add_argument("--device-name", default="NVIDIA H200", help="with --from-logs")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")  # processes share the accelerator
    sys.path.insert(0, str(ROOT))

    if args.worker:
        run_family(args.worker, args.settings, args.warmup, args.steps, args.size, args.requests, args.worker_out,
                   args.latency_batches)
        return
    if args.from_logs:
        run = {"device": args.device_name, "families": runs_from_logs(args.from_logs),
               "logs": [path.name for path in args.from_logs]}
        merge(args.out, args.device_kind, run)
        return

    kind, name = device_kind(), device_name()
    out = args.out
    previous = json.loads(out.read_text())["runs"].get(kind, {}) if out.exists() else {}
    run = {"device": name, "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
           "warmup_steps": args.warmup, "timed_steps": args.steps, "shapes_world_size": args.size,
           "families": dict(previous.get("families", {}))}
    if "time_to_bar" in previous:
        run["time_to_bar"] = previous["time_to_bar"]
    started = time.perf_counter()
    if not args.time_to_bar_only:
        # Data first, once, so that the family processes do not build it side by side.
        from mmzoo import registry
        from mmzoo.data.build import build_avdigits, build_shapes_world

        task_names = {registry.PRESETS[FAMILIES[family][0]].task for family in args.families}
        if any(name.startswith("shapes") for name in task_names):
            build_shapes_world(args.size, progress=False)
        if "avdigits" in task_names:
            build_avdigits(progress=False)
        with tempfile.TemporaryDirectory(prefix="mmzoo-benchmark-") as scratch:
            env = {**os.environ, LOCK_ENV: str(Path(scratch) / "lock")}
            pending, running, seen = list(args.families), {}, {}
            while pending or running:
                while pending and len(running) < args.jobs:
                    family = pending.pop(0)
                    partial = Path(scratch) / f"{family}.json"
                    command = [sys.executable, __file__, "--worker", family, "--worker-out", str(partial),
                               "--settings", *args.settings, "--warmup", str(args.warmup), "--steps", str(args.steps),
                               "--size", args.size, "--requests", str(args.requests),
                               "--latency-batches", *map(str, args.latency_batches)]
                    running[family] = (subprocess.Popen(command, env=env), partial)
                for family, (process, partial) in list(running.items()):
                    finished = process.poll() is not None
                    if finished:
                        del running[family]
                    if partial.exists() and (finished or partial.stat().st_mtime > seen.get(family, 0)):
                        seen[family] = partial.stat().st_mtime
                        results = json.loads(partial.read_text())
                    elif finished:
                        results = {"error": f"the worker exited with {process.returncode}"}
                    else:
                        continue
                    within_noise(results)
                    run["families"][family] = {**run["families"].get(family, {}), **results}
                    merge(out, kind, run)
                time.sleep(0.5)
    if args.time_to_bar or args.time_to_bar_only:
        run["time_to_bar"] = time_to_bar(steps_per_execution=8 if kind == "gpu" else 1)
    run["benchmark_seconds"] = round(time.perf_counter() - started, 1)
    results = merge(out, kind, run)
    print(json.dumps(results["families"], indent=1))


if __name__ == "__main__":
    main()
