"""Retrain a prebuilt model from scratch and write its metrics.

    python scripts/train_prebuilt.py fusion_shapes_image_text [--runs runs]

The run directory `runs/<preset>` resumes if the script is started again after a kill.
"""

import argparse
import json
import os
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("preset")
    parser.add_argument("--runs", type=Path, default=Path("runs"))
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from mmzoo.registry import PRESETS
    from mmzoo.training.trainer import train

    metrics = train(PRESETS[args.preset], args.runs / args.preset, verbose=2)
    print(json.dumps({split: {k: v for k, v in m.items() if k not in ("confusion_matrix", "samples")}
                      for split, m in metrics["splits"].items()}, indent=2))


if __name__ == "__main__":
    main()
