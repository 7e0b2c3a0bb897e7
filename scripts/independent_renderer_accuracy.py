"""Ask the shipped image-text SavedModels about scenes drawn by `independent_renderer` (no code
shared with the training renderer), in both the test distribution and the compositional one
(colour-shape pairs never seen in training), and write their accuracy.

    python scripts/independent_renderer_accuracy.py [--scenes 1000] [--seed 7]
        [--out benchmarks/results/independent_renderer.json]

Each scene is asked twice, with its caption and with a one-attribute change of it.
"""

import argparse
import json
import os
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "benchmarks" / "results"
                        / "independent_renderer.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf

    from mmzoo import presets
    from mmzoo.evaluation import independent_renderer

    results = {}
    for name in presets.list_presets():
        card = presets.model_card(name)
        if set(card["inputs"]) != {"image", "text"}:
            continue
        serve = presets.load_serving(name).signatures["serving_default"]
        results[name] = {"version": presets.serving_dir(name).name, "scenes": args.scenes, "seed": args.seed}
        for distribution, compositional in (("test", False), ("compositional", True)):
            images, captions, labels = independent_renderer.matching_examples(
                args.scenes, seed=args.seed, compositional=compositional)
            predicted = []
            for start in range(0, len(captions), 250):
                outputs = serve(image=tf.constant([tf.io.encode_png(i).numpy() for i in images[start:start + 250]]),
                                text=tf.constant(captions[start:start + 250]))
                predicted.append(np.argmax(outputs["probabilities"].numpy(), axis=-1))
            results[name][f"{distribution}_accuracy"] = float(np.mean(np.concatenate(predicted) == labels))
        print(name, json.dumps(results[name]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
