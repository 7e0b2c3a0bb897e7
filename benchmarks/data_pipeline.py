"""Data benchmark: time to build the default Shapes World, and input-pipeline throughput.

    python benchmarks/data_pipeline.py [--size default] [--out benchmarks/results/data_pipeline.json]

Builds into a fresh temporary MMZOO_HOME (so the build is really timed, not read from a cache),
then reads the image-text matching view of `train` for a few epochs and reports examples per
second: the first epoch reads the TFRecords, the later ones the in-memory cache.
Targets (issue "Foundation"): build < 180 s on 2 cores; >= 2,000 image-caption examples/s.
"""

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="default")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "data_pipeline.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    from mmzoo.data import build, views

    with tempfile.TemporaryDirectory(prefix="mmzoo-bench-") as home:
        started = time.perf_counter()
        directory = build.build_shapes_world(args.size, home=home, progress=False)
        build_seconds = time.perf_counter() - started
        manifest = json.loads((directory / "manifest.json").read_text())
        dataset = views.image_text_matching("train", batch_size=args.batch_size, size=args.size, home=home)
        epochs = []
        for epoch in range(args.epochs):
            started, examples = time.perf_counter(), 0
            for features, labels in dataset:
                examples += int(labels.shape[0])
            seconds = time.perf_counter() - started
            epochs.append({"epoch": epoch + 1, "examples": examples, "seconds": round(seconds, 2),
                           "examples_per_second": round(examples / seconds, 1)})
            print(f"epoch {epoch + 1}: {examples} image-caption examples, {examples / seconds:,.0f}/s")
        cache_bytes = sum(p.stat().st_size for p in directory.iterdir())

    results = {
        "size": args.size,
        "scenes": manifest["sizes"],
        "build_seconds": round(build_seconds, 1),
        "cache_megabytes": round(cache_bytes / 1e6, 1),
        "image_text_matching_epochs": epochs,
        "cached_examples_per_second": max(e["examples_per_second"] for e in epochs[1:] or epochs),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    }
    print(f"build: {build_seconds:.1f} s for {sum(manifest['sizes'].values())} scenes with speech "
          f"({results['cache_megabytes']} MB)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
