"""Train the variants of a fusion preset that its README table reports beside it, through the
same trainer and data, and write their figures.

    python scripts/fusion_ablations.py [--preset fusion_shapes_image_text] [--epochs 5]
        [--runs runs/ablations] [--out benchmarks/results/fusion_ablations.json]

Variants: the source material's plain concat fusion, concat with batch norm and the
elementwise product of the two vectors, and each modality alone (the task needs both: alone,
a modality cannot tell a caption from its one-attribute change, so it stays near 50%).
Runs resume after a kill; figures are read from each run's metrics.json.
"""

import argparse
import json
import os
from pathlib import Path

VARIANTS = {
    "concat": {"fusion": "concat"},
    "concat_interaction": {"fusion": "concat", "interaction": True},
    "image_only": {"modalities": ["image"]},
    "text_only": {"modalities": ["text"]},
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="fusion_shapes_image_text")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--variants", nargs="+", choices=sorted(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--runs", type=Path, default=Path("runs") / "ablations")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "benchmarks" / "results"
                        / "fusion_ablations.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from mmzoo.presets import PRESET_CONFIGS
    from mmzoo.training.config import TrainConfig
    from mmzoo.training.trainer import train

    preset = PRESET_CONFIGS[args.preset]
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    results.setdefault(args.preset, {})
    for variant in args.variants:
        config = TrainConfig.from_dict({**preset.to_dict(), "epochs": args.epochs, "model_args": VARIANTS[variant]})
        metrics = train(config, args.runs / f"{args.preset}-{variant}", verbose=2)
        results[args.preset][variant] = {
            "model_args": VARIANTS[variant], "epochs": args.epochs, "parameters": metrics["parameters"],
            "best_validation_accuracy": metrics["best_validation"]["val_accuracy"],
            **{f"{split}_accuracy": values["accuracy"] for split, values in metrics["splits"].items()},
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        scratch = args.out.with_suffix(".tmp")
        scratch.write_text(json.dumps(results, indent=2) + "\n")
        scratch.replace(args.out)
        print(variant, json.dumps(results[args.preset][variant]))


if __name__ == "__main__":
    main()
