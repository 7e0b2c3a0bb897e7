"""The `mmzoo` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from mmzoo.errors import InvalidInputError

SHAPES_SPLITS = ("train", "validation", "test", "compositional")


def _size(text):
    return text if not text.isdigit() else int(text)


def _add_data_commands(subcommands):
    data = subcommands.add_parser("data", help="build and look at the embedded data sets")
    data_commands = data.add_subparsers(dest="data_command", required=True)

    build = data_commands.add_parser("build", help="build a data set into the cache (MMZOO_HOME)")
    build.add_argument("dataset", choices=["shapes", "avdigits"])
    build.add_argument("--size", type=_size, default="default",
                       help="shapes: tiny, small, default, or a number of training scenes")
    build.add_argument("--seed", type=int, default=0)
    build.add_argument("--fsdd", type=Path, default=None,
                       help="avdigits: a folder of FSDD recordings to use instead of eSpeak voices")
    build.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    build.set_defaults(run=_data_build)

    show = data_commands.add_parser("show", help="write a captioned PNG grid and a spoken caption WAV")
    show.add_argument("dataset", choices=["shapes"])
    show.add_argument("--split", choices=SHAPES_SPLITS, default="train")
    show.add_argument("--size", type=_size, default="default")
    show.add_argument("--seed", type=int, default=0)
    show.add_argument("--count", type=int, default=16)
    show.add_argument("--out", type=Path, default=Path("mmzoo_output"))
    show.set_defaults(run=_data_show)


def _data_build(args):
    from mmzoo.data import build

    started = time.perf_counter()
    if args.dataset == "shapes":
        directory = build.build_shapes_world(args.size, args.seed, workers=args.workers)
    else:
        if args.size != "default":
            raise InvalidInputError("--size", "AV-Digits has one size; --size is for shapes")
        directory = build.build_avdigits(args.fsdd, args.seed, workers=args.workers)
    manifest = json.loads((directory / "manifest.json").read_text())
    print(f"{args.dataset}: {directory}")
    print(f"  examples per split: {manifest['sizes']}")
    print(f"  ready in {time.perf_counter() - started:.1f} s (built in {manifest['build_seconds']} s)")


def _data_show(args):
    from mmzoo.data import show

    if args.count < 1:
        raise InvalidInputError("--count", f"must be at least 1, got {args.count}")
    written = show.show_shapes_world(args.out, args.split, args.size, args.seed, args.count)
    print(f"scenes with their captions: {written['grid']}")
    print(f"spoken caption: {written['wav']} ({written['caption']!r}, voice {written['voice']})")


def _quickstart(args):
    """The README's main command. Until the zoo's first model lands it builds and shows the data."""
    args.dataset, args.workers, args.fsdd, args.split, args.count = "shapes", None, None, "train", 16
    _data_build(args)
    _data_show(args)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="mmzoo", description="mmzoo: multimodal deep learning models for TensorFlow/Keras 3.")
    subcommands = parser.add_subparsers(dest="command", required=True)
    _add_data_commands(subcommands)
    quickstart = subcommands.add_parser("quickstart", help="build Shapes World and show it (a few minutes)")
    quickstart.add_argument("--size", type=_size, default="small")
    quickstart.add_argument("--seed", type=int, default=0)
    quickstart.add_argument("--out", type=Path, default=Path("mmzoo_output"))
    quickstart.set_defaults(run=_quickstart)
    return parser


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter off the terminal
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except InvalidInputError as error:
        print(f"mmzoo: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
