"""Caption metrics of the shipped captioner computed through its exported SavedModel (image
bytes in, caption out, beam search and greedy), on Shapes `test` and `compositional` and on
scenes drawn by `independent_renderer` (no code shared with the training renderer).

    python scripts/captioner_savedmodel_metrics.py [--preset captioner_shapes] [--scenes 1000]
        [--out benchmarks/results/captioner_savedmodel.json]
"""

import argparse
import json
import os
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="captioner_shapes")
    parser.add_argument("--scenes", type=int, default=1000, help="independent-renderer scenes per distribution")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "benchmarks" / "results"
                        / "captioner_savedmodel.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf

    from mmzoo import presets, registry
    from mmzoo.data import views
    from mmzoo.evaluation import independent_renderer
    from mmzoo.evaluation.captioning import caption_metrics

    signatures = presets.load_serving(args.preset).signatures
    config = registry.PRESETS[args.preset]

    def caption(images, signature):
        captions = []
        for start in range(0, len(images), 100):
            png = tf.constant([tf.io.encode_png(image).numpy() for image in images[start:start + 100]])
            captions += [c.decode() for c in signatures[signature](image=png)["caption"].numpy()]
        return captions

    def scored(images, references):
        return {method: caption_metrics(caption(images, signature), references)
                for method, signature in (("beam", "serving_default"), ("greedy", "greedy"))}

    results = {"preset": args.preset, "version": presets.serving_dir(args.preset).name}
    for split in ("test", "compositional"):
        images, references = [], []
        for features, _ in views.captioning(split, 500, shuffle=False, with_references=True, **config.data_args):
            images += list(np.round(features["image"].numpy() * 255).astype(np.uint8))
            references += [[r.decode() for r in row if r] for row in features["references"].numpy()]
        results[split] = scored(images, references)
    for distribution, compositional in (("independent_renderer_test", False),
                                        ("independent_renderer_compositional", True)):
        rng = np.random.default_rng(args.seed)
        scenes = [independent_renderer.random_scene(rng, compositional=compositional) for _ in range(args.scenes)]
        results[distribution] = scored([image for image, _ in scenes],
                                       [independent_renderer.reference_captions(a) for _, a in scenes])
    print(json.dumps(results, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
