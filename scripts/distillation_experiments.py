"""Knowledge distillation, measured: per task, a teacher, a student trained from scratch and a
student distilled from the teacher, over seeds; then the table.

    python scripts/distillation_experiments.py [--tasks avdigits shapes_image_text_matching]
        [--seeds 0 1 2] [--runs runs/distillation] [--sweep avdigits] [--export]

Configs: `mmzoo.models.distillation.presets.DISTILLATION_EXPERIMENTS`. The distilled student of seed k learns from
the teacher of seed k. Runs resume where they stopped and are skipped once finished. The table,
per model: test accuracy (and compositional, for Shapes) per seed, mean and standard deviation;
parameters; forward FLOPs on one test example; SavedModel latency p50/p99 at batch 1 and 32
(raw PNG / WAV / text requests; teacher and students take turns, in blocks of requests). It is
written to `benchmarks/results/distillation.json` and, with `--export` (which ships the seed-0
distilled student as its preset), to `saved_models/<preset>/distillation.json`.
`--sweep TASK...`: seed 0's distilled student of those tasks again at other temperatures (the
experiment's alpha) and alphas (its temperature).
"""

import argparse
import dataclasses
import json
import os
import platform
import statistics
import tempfile
from pathlib import Path

SWEEP_TEMPERATURES = (1.0, 8.0)
SWEEP_ALPHAS = (0.1, 0.9)
KINDS = ("teacher", "scratch_student", "distilled_student")


def run_once(config, run_dir):
    from mmzoo.training.trainer import train

    if not (Path(run_dir) / "metrics.json").exists():
        train(config, run_dir, verbose=2)
    return json.loads((Path(run_dir) / "metrics.json").read_text())


def accuracies(metrics):
    return {split: values["accuracy"] for split, values in metrics["splits"].items()}


def summary(per_seed):
    """Mean and (sample) standard deviation per split over the seeds."""
    splits = per_seed[0].keys()
    return {split: {"mean": round(statistics.mean(s[split] for s in per_seed), 4),
                    "std": round(statistics.stdev(s[split] for s in per_seed), 4) if len(per_seed) > 1 else 0.0,
                    "per_seed": [round(s[split], 4) for s in per_seed]} for split in splits}


def cost(task_name, config, run_dirs, requests):
    """Parameters and FLOPs of each kind's seed-0 model, and the latency of their SavedModels."""
    from mmzoo.evaluation.cost import inference_flops, serving_latency
    from mmzoo import registry, saving
    from mmzoo.export import serving
    from mmzoo.models.task import shipped_model

    task = registry.get_task(task_name)
    test_features, _ = next(iter(task.dataset("test", 32, shuffle=False, **config.data_args)))
    figures, folders = {}, {}
    with tempfile.TemporaryDirectory(prefix="mmzoo-distillation-") as scratch:
        for kind, run_dir in run_dirs.items():
            model = shipped_model(saving.load_keras_model(Path(run_dir) / "model.keras"))
            inputs = [tensor.name for tensor in model.inputs]
            one_example = {name: value[:1] for name, value in test_features.items() if name in inputs}
            figures[kind] = {"parameters": int(model.count_params()),
                             "flops": inference_flops(model, one_example)}
            folders[kind] = serving.export_saved_model(model, scratch, kind,
                                                       signatures=task.serving_signatures(model))
        for kind, latency in serving_latency(folders, test_features, requests).items():
            figures[kind]["savedmodel_latency_ms"] = latency
    return figures


def experiment(task_name, seeds, runs, requests):
    from mmzoo.models.distillation.presets import DISTILLATION_EXPERIMENTS, distilled_config

    setup = DISTILLATION_EXPERIMENTS[task_name]
    runs = runs / task_name
    results = {kind: [] for kind in KINDS}
    for seed in seeds:
        teacher_dir = runs / f"teacher_seed{seed}"
        configs = {"teacher": dataclasses.replace(setup["teacher"], seed=seed),
                   "scratch_student": dataclasses.replace(setup["student"], seed=seed),
                   "distilled_student": distilled_config(task_name, teacher_dir / "model.keras", seed)}
        for kind, config in configs.items():
            results[kind].append(accuracies(run_once(config, runs / f"{kind.split('_')[0]}_seed{seed}")))
    table = {kind: {"accuracy": summary(per_seed)} for kind, per_seed in results.items()}
    first = {kind: runs / f"{kind.split('_')[0]}_seed{seeds[0]}" for kind in KINDS}
    for kind, figures in cost(task_name, setup["student"], first, requests).items():
        table[kind].update(figures)
    teacher, distilled = table["teacher"], table["distilled_student"]
    latency = "savedmodel_latency_ms"
    table["distilled_over_teacher"] = {
        "parameters": round(distilled["parameters"] / teacher["parameters"], 4),
        "flops": round(distilled["flops"] / teacher["flops"], 4),
        "latency_p50_batch_1": round(distilled[latency]["batch_1"]["p50"] / teacher[latency]["batch_1"]["p50"], 3)}
    table["config"] = {"teacher": setup["teacher"].to_dict(), "student": setup["student"].to_dict(),
                       "temperature": setup["temperature"], "alpha": setup["alpha"], "seeds": list(seeds)}
    return table


def sweep(task_name, runs):
    """Seed 0's distilled student at other temperatures (the experiment's alpha) and alphas (its T)."""
    from mmzoo.models.distillation.presets import DISTILLATION_EXPERIMENTS, distilled_config

    setup = DISTILLATION_EXPERIMENTS[task_name]
    teacher = runs / task_name / "teacher_seed0" / "model.keras"
    settings = [(t, setup["alpha"]) for t in SWEEP_TEMPERATURES] + [(setup["temperature"], a) for a in SWEEP_ALPHAS]
    points = [{"temperature": setup["temperature"], "alpha": setup["alpha"],
               "accuracy": accuracies(json.loads((runs / task_name / "distilled_seed0" / "metrics.json").read_text()))}]
    for temperature, alpha in settings:
        config = distilled_config(task_name, teacher, 0, temperature, alpha)
        metrics = run_once(config, runs / task_name / "sweep" / f"temperature{temperature:g}_alpha{alpha:g}")
        points.append({"temperature": temperature, "alpha": alpha, "accuracy": accuracies(metrics)})
    return sorted(points, key=lambda p: (p["alpha"], p["temperature"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", nargs="+", default=["avdigits", "shapes_image_text_matching"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--runs", type=Path, default=Path("runs") / "distillation")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--sweep", nargs="*", default=[], metavar="TASK")
    parser.add_argument("--export", action="store_true", help="ship each task's seed-0 distilled student")
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "benchmarks" / "results" /
                        "distillation.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from mmzoo.export.runs import export_run
    from mmzoo.models.distillation.presets import DISTILLATION_EXPERIMENTS
    from mmzoo.presets import SAVED_MODELS

    for task_name in args.tasks:
        table = experiment(task_name, args.seeds, args.runs, args.requests)
        if task_name in args.sweep:
            table["sweep"] = sweep(task_name, args.runs)
        # Read just before writing: another task's experiment may run in another process.
        results = json.loads(args.out.read_text()) if args.out.exists() else {}
        results.update({"machine": {"platform": platform.platform(), "cpus": os.cpu_count()}, task_name: table})
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n")
        print(json.dumps({task_name: {k: v for k, v in table.items() if k not in ("config", "sweep")}}, indent=1))
        if args.export:
            preset = DISTILLATION_EXPERIMENTS[task_name]["preset"]
            export_run(args.runs / task_name / f"distilled_seed{args.seeds[0]}", SAVED_MODELS, preset)
            (SAVED_MODELS / preset / "distillation.json").write_text(json.dumps(table, indent=1) + "\n")


if __name__ == "__main__":
    main()
