"""The dual encoder, measured: pretrain it on Shapes World image-caption pairs, then fine-tune the
fusion classifier for image-text matching from its towers and from scratch, with 1%, 10% and
100% of the labelled pairs.

    python scripts/dual_encoder_experiments.py [--runs runs/dual_encoder] [--fractions 0.01 0.1 1]
        [--seeds 0] [--export]

Configs: `mmzoo.models.dual_encoder.presets.PRESETS["dual_encoder_shapes"]`, `FINE_TUNED_CLASSIFIER`
and `FINE_TUNING_EPOCHS`. Runs resume where they stopped and are skipped once finished. The
results (retrieval recall@1/5/10 both ways on `test` and `compositional`, zero-shot attribute
accuracy, the fine-tuning curve) go to `benchmarks/results/dual_encoder.json`; with `--export`
the dual encoder ships as `saved_models/dual_encoder_shapes` with them in `experiments.json`.
"""

import argparse
import dataclasses
import json
import os
import platform
import statistics
from pathlib import Path

PRESET = "dual_encoder_shapes"
STARTS = ("scratch", "pretrained")


def run_once(config, run_dir):
    from mmzoo.training.trainer import train

    if not (Path(run_dir) / "metrics.json").exists():
        train(config, run_dir, verbose=2)
    return json.loads((Path(run_dir) / "metrics.json").read_text())


def label_fraction_curve(base, pretrained_args, epochs, fractions, seeds, run_dir, figures):
    """Per label fraction, `base` trained from scratch and from a pretrained start (`base`'s
    model_args and `pretrained_args`): each split's figure, the mean over seeds and each seed's.

    Args:
        epochs: {label fraction: epochs}.
        run_dir: `run_dir(start, fraction, seed)` -> the run's folder (a finished run is read back).
        figures: `figures(metrics)` -> {split: figure}.
    """
    curve = []
    for fraction in fractions:
        point = {"label_fraction": fraction}
        for start in STARTS:
            per_seed = []
            for seed in seeds:
                model_args = {**base.model_args, **(pretrained_args if start == "pretrained" else {})}
                config = dataclasses.replace(base, seed=seed, model_args=model_args, epochs=epochs[fraction],
                                             data_args={**base.data_args, "label_fraction": fraction})
                per_seed.append(figures(run_once(config, run_dir(start, fraction, seed))))
            point[start] = {split: {"mean": round(statistics.mean(f[split] for f in per_seed), 4),
                                    "per_seed": [round(f[split], 4) for f in per_seed]} for split in per_seed[0]}
        point["pretrained_minus_scratch_test"] = round(point["pretrained"]["test"]["mean"]
                                                       - point["scratch"]["test"]["mean"], 4)
        curve.append(point)
    return curve


def fine_tuning(runs, encoders_path, fractions, seeds):
    """Test accuracy of the matching classifier per label fraction, from scratch and from the
    pretrained towers (mean over seeds, and each seed's)."""
    from mmzoo.models.dual_encoder.presets import FINE_TUNED_CLASSIFIER, FINE_TUNING_EPOCHS

    return label_fraction_curve(
        FINE_TUNED_CLASSIFIER, {"initial_encoders": str(encoders_path)}, FINE_TUNING_EPOCHS, fractions, seeds,
        lambda start, fraction, seed: runs / f"{start}_labels{fraction:g}_seed{seed}",
        lambda metrics: {split: m["accuracy"] for split, m in metrics["splits"].items()})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=Path, default=Path("runs") / "dual_encoder")
    parser.add_argument("--fractions", nargs="+", type=float, default=[0.01, 0.1, 1.0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--export", action="store_true", help=f"ship the dual encoder as {PRESET}")
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "benchmarks" / "results" /
                        "dual_encoder.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from mmzoo.export.runs import export_run
    from mmzoo.models.dual_encoder.presets import FINE_TUNING_EPOCHS
    from mmzoo.models.dual_encoder.presets import PRESETS as DUAL_ENCODER_PRESETS
    from mmzoo.presets import SAVED_MODELS

    unknown = set(args.fractions) - set(FINE_TUNING_EPOCHS)
    if unknown:
        parser.error(f"--fractions: {sorted(unknown)} have no epochs in FINE_TUNING_EPOCHS {FINE_TUNING_EPOCHS}")
    pretrain_dir = args.runs / "pretrain"
    pretrained = run_once(DUAL_ENCODER_PRESETS[PRESET], pretrain_dir)
    results = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "dual_encoder": {"parameters": pretrained["parameters"], "splits": pretrained["splits"],
                         "train_seconds": pretrained["train_seconds_this_session"],
                         "config": DUAL_ENCODER_PRESETS[PRESET].to_dict()},
        "fine_tuning": fine_tuning(args.runs, pretrain_dir / "model.keras", args.fractions, args.seeds),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))
    if args.export:
        export_run(pretrain_dir, SAVED_MODELS, PRESET)
        (SAVED_MODELS / PRESET / "experiments.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
