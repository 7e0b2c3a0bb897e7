"""BERT's recipe, measured: pretrain the Transformer text encoder as a masked language model on
Shapes World captions in English and Chinese, then train the image-text matching classifier and
the dual encoder with 1% and 10% of the labelled pairs, their text side from scratch or from
the pretrained encoder.

    python scripts/text_pretraining_experiments.py [--runs runs/text_pretraining] [--fractions 0.01 0.1]
        [--seeds 0] [--export]

Configs: `mmzoo.models.masked_language.presets` (`PRESETS["text_transformer_shapes"]`,
`STARTED_MODELS`, `STARTED_EPOCHS`). Runs resume where they stopped and are skipped once
finished. The results (masked piece accuracy; matching accuracy and text-to-image recall@1 on
`test` and `compositional`, per start and label fraction) go to
`benchmarks/results/text_pretraining.json`; with `--export` the pretrained encoder ships as
`saved_models/text_transformer_shapes`, its TF Hub-style pair in `hub/`; the results are also
written there (`experiments.json`) once it ships.
"""

import argparse
import json
import os
import platform
from pathlib import Path

from dual_encoder_experiments import label_fraction_curve, run_once

PRESET = "text_transformer_shapes"


def headline_figures(model, split, split_metrics):
    """{split: the figure} (the languages' mean when each was evaluated apart) and {split_language: its figure}."""
    if "languages" in split_metrics:
        per_language = {f"{split}_{language}": headline_figures(model, split, values)[split]
                        for language, values in split_metrics["languages"].items()}
        return {split: sum(per_language.values()) / len(per_language), **per_language}
    if model == "dual_encoder":
        return {split: split_metrics["text_to_image"]["recall_at_1"]}
    return {split: split_metrics["accuracy"]}


def started(runs, encoder_path, fractions, seeds):
    """{model: [per label fraction: {start: {split: mean and per seed}}]}."""
    from mmzoo.models.masked_language.presets import STARTED_EPOCHS, STARTED_MODELS

    results = {}
    for model, base in STARTED_MODELS.items():
        curve = label_fraction_curve(
            base, {"initial_text_encoder": str(encoder_path)}, STARTED_EPOCHS, fractions, seeds,
            lambda start, fraction, seed: runs / f"{model}_{start}_labels{fraction:g}_seed{seed}",
            lambda metrics: {key: value for split, m in metrics["splits"].items()
                             for key, value in headline_figures(model, split, m).items()})
        figure = "text-to-image recall@1 among 1000" if model == "dual_encoder" else "matching accuracy"
        results[model] = {"figure": f"{figure}, mean of English and Chinese", "curve": curve}
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=Path, default=Path("runs") / "text_pretraining")
    parser.add_argument("--fractions", nargs="+", type=float, default=[0.01, 0.1])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--export", action="store_true", help=f"ship the pretrained encoder as {PRESET}")
    parser.add_argument("--pretrain-only", action="store_true", help="pretrain (and --export), then stop")
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "benchmarks" / "results" /
                        "text_pretraining.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    from mmzoo import registry
    from mmzoo.export.hub import export_hub_pair
    from mmzoo.export.runs import export_run
    from mmzoo.models.masked_language.presets import PRESETS, STARTED_EPOCHS
    from mmzoo.presets import HUB_PAIR, SAVED_MODELS

    unknown = set(args.fractions) - set(STARTED_EPOCHS)
    if unknown:
        parser.error(f"--fractions: {sorted(unknown)} have no epochs in STARTED_EPOCHS {STARTED_EPOCHS}")
    pretrain_dir = args.runs / "pretrain"
    pretrained = run_once(PRESETS[PRESET], pretrain_dir)
    if args.export and not (SAVED_MODELS / PRESET).exists():
        export_run(pretrain_dir, SAVED_MODELS, PRESET)
        registry.import_builders()
        export_hub_pair(keras.saving.load_model(pretrain_dir / "model.keras"), SAVED_MODELS / PRESET / HUB_PAIR,
                        card={"name": PRESET})
    if args.pretrain_only:
        return
    results = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "pretraining": {"parameters": pretrained["parameters"], "splits": pretrained["splits"],
                        "train_seconds": pretrained["train_seconds_this_session"],
                        "config": PRESETS[PRESET].to_dict()},
        "started": started(args.runs, pretrain_dir / "model.keras", args.fractions, args.seeds),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    if (SAVED_MODELS / PRESET).is_dir():  # notebook 07 and the model card read them there
        (SAVED_MODELS / PRESET / "experiments.json").write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
