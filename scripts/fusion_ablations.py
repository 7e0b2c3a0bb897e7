"""Train the variants of a fusion preset that docs/fusion.md reports beside it, through the same
trainer and data as the preset (its config with the variant's model arguments), and write
their figures.

    python scripts/fusion_ablations.py fusion_shapes_image_text [--epochs 5] [--variants ...]
        [--runs runs/ablations] [--out benchmarks/results/fusion_ablations.json]

Shapes image-text: the source material's plain concat fusion, concat with batch norm and the
elementwise product of the two vectors, FiLM (the text modulates the image features), and each
modality alone (the task needs both: alone, a
modality cannot tell a caption from its one-attribute change, so it stays near 50%).
AV-Digits: each modality alone, and the preset without modality dropout or with SpecAugment.
Runs resume after a kill; figures are read from each run's metrics.
"""

import argparse
import json
import os
from pathlib import Path

# Per preset: variant name -> the model arguments that replace the preset's.
VARIANTS = {
    "fusion_shapes_image_text": {
        "concat": {"fusion": "concat", "interaction": False},
        "concat_interaction": {"fusion": "concat", "interaction": True},
        "film": {"fusion": "film", "interaction": False},
        "image_only": {"modalities": ["image"]},
        "text_only": {"modalities": ["text"]},
    },
    "fusion_avdigits": {
        "image_only": {"modalities": ["image"]},
        "audio_only": {"modalities": ["audio"]},
        "without_modality_dropout": {"modality_dropout": 0.0},
        "with_spec_augment": {"augment": True},
    },
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("preset", choices=sorted(VARIANTS))
    parser.add_argument("--epochs", type=int, default=None, help="default: the preset's")
    parser.add_argument("--variants", nargs="+", default=None, help="default: all of the preset's")
    parser.add_argument("--runs", type=Path, default=Path("runs") / "ablations")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "benchmarks" / "results"
                        / "fusion_ablations.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from mmzoo.registry import PRESETS
    from mmzoo.config import TrainConfig
    from mmzoo.training.trainer import train

    preset = PRESETS[args.preset]
    variants = args.variants or list(VARIANTS[args.preset])
    unknown = sorted(set(variants) - set(VARIANTS[args.preset]))
    if unknown:
        parser.error(f"--variants: {unknown} not among {sorted(VARIANTS[args.preset])}")
    epochs = args.epochs or preset.epochs
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    results.setdefault(args.preset, {})
    for variant in variants:
        model_args = {**preset.model_args, **VARIANTS[args.preset][variant]}
        config = TrainConfig.from_dict({**preset.to_dict(), "epochs": epochs, "model_args": model_args})
        metrics = train(config, args.runs / f"{args.preset}-{variant}", verbose=2)
        results[args.preset][variant] = {
            "model_args": model_args, "epochs": epochs, "parameters": metrics["parameters"],
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
