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
TEXT_TO_IMAGE_PRESET = "text_to_image_shapes"
SEARCH_PRESET = "dual_encoder_shapes"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp")
SEARCH_BATCH = 64


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

    fetch = data_commands.add_parser("fetch", help="download a data set (or take a local copy) into MMZOO_HOME")
    fetch.add_argument("dataset", choices=["fsdd"])
    fetch.add_argument("--from", dest="source", default=None,
                       help="a folder of recordings, a release archive or its URL (default: the pinned release)")
    fetch.add_argument("--force", action="store_true", help="fetch again over a copy already there")
    fetch.set_defaults(run=_data_fetch)

    show = data_commands.add_parser("show", help="write a captioned PNG grid and a spoken caption WAV")
    show.add_argument("dataset", choices=["shapes"])
    show.add_argument("--split", choices=SHAPES_SPLITS, default="train")
    show.add_argument("--size", type=_size, default="default")
    show.add_argument("--seed", type=int, default=0)
    show.add_argument("--count", type=int, default=16)
    show.add_argument("--out", type=Path, default=Path("mmzoo_output"))
    show.set_defaults(run=_data_show)


def _data_fetch(args):
    from mmzoo.data import fsdd

    folder = fsdd.fetch(args.source, force=args.force)
    print(f"fsdd {fsdd.VERSION}: {folder} ({len(list(folder.glob('*.wav')))} recordings of "
          f"{', '.join(fsdd.SPEAKERS)}; CC BY-SA 4.0)")


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


def _trainable_families():
    """The families `mmzoo train FAMILY` trains: those with tasks of their own."""
    from mmzoo import registry

    return {name: family for name, family in registry.FAMILIES.items() if family.tasks}


def _family_options():
    """{flag: (the families that have it, its Option)}; a flag two families share sets the same
    model argument."""
    from mmzoo import registry

    options = {}
    for family in registry.FAMILIES.values():
        for option in family.options:
            families, first = options.setdefault(option.flag, ([], option))
            if first.model_arg != option.model_arg:
                raise ValueError(f"{option.flag}: sets {first.model_arg} and {option.model_arg} in two families")
            families.append(family.name)
    return options


def _option_dest(flag):
    return "option_" + flag.lstrip("-").replace("-", "_")


def _add_model_commands(subcommands):
    from mmzoo import registry

    families = _trainable_families()
    train = subcommands.add_parser(
        "train", help="train a preset's model, a model family on a task, or a config file, with the shared trainer",
        description="mmzoo train fusion_avdigits | mmzoo train fusion --task avdigits --fusion film | "
                    "mmzoo train captioner [--attention] | mmzoo train --config run.json")
    train.add_argument("what", nargs="?", choices=sorted(registry.PRESETS) + sorted(families),
                       metavar="PRESET|FAMILY", help=f"a preset ({', '.join(sorted(registry.PRESETS))}) or a "
                       f"model family ({', '.join(sorted(families))}, with --task)")
    train.add_argument("--config", type=Path, help="a TrainConfig JSON file instead")
    train.add_argument("--task", help="with a model family: the task to train on (e.g. avdigits)")
    train.add_argument("--run-dir", type=Path, default=None, help="default: runs/<preset, family_task or config>")
    train.add_argument("--epochs", type=int, default=None)
    train.add_argument("--batch-size", type=int, default=None, help="per replica")
    train.add_argument("--learning-rate", type=float, default=None)
    train.add_argument("--seed", type=int, default=None)
    train.add_argument("--size", default=None, help="Shapes World size: tiny, small, default")
    for flag, (owners, option) in _family_options().items():
        kind = {"action": "store_const", "const": option.const} if option.const is not None else {
            "choices": option.choices, "nargs": option.nargs}
        train.add_argument(flag, dest=_option_dest(flag), default=None,
                           help=f"{' and '.join(owners)} only: {option.help}", **kind)
    train.add_argument("--strategy", choices=["auto", "mirrored", "multi_worker", "default"], default=None)
    _add_accelerator_options(train)
    train.set_defaults(run=_train)

    distill = subcommands.add_parser(
        "distill", help="distil a trained classifier (the teacher) into a smaller student, with the shared trainer",
        description="mmzoo distill --teacher fusion_avdigits --student distilled_avdigits | mmzoo distill "
                    "--teacher runs/teacher/model.keras --student '{\"width\": 32, \"recurrent_layers\": 0}'")
    distill.add_argument("--teacher", required=True,
                         help="a prebuilt classifier's name or a .keras file (a run's model.keras)")
    distill.add_argument("--student", required=True,
                         help="a distilled preset's name (its student, epochs, temperature and alpha) or a JSON "
                         "object of the student fusion classifier's arguments")
    distill.add_argument("--task", default=None, help="default: the teacher's (its preset or its run's config.json)")
    distill.add_argument("--temperature", type=float, default=None, help="of the soft targets (default 4)")
    distill.add_argument("--alpha", type=float, default=None, help="the labels' share of the loss (default 0.5)")
    distill.add_argument("--run-dir", type=Path, default=None, help="default: runs/distill_<task>")
    distill.add_argument("--epochs", type=int, default=None)
    distill.add_argument("--batch-size", type=int, default=None, help="per replica")
    distill.add_argument("--learning-rate", type=float, default=None)
    distill.add_argument("--seed", type=int, default=None)
    distill.add_argument("--size", default=None, help="Shapes World size: tiny, small, default")
    _add_accelerator_options(distill)
    distill.set_defaults(run=_distill)

    evaluate = subcommands.add_parser("evaluate", help="metrics of a trained run or preset on a split")
    evaluate.add_argument("model", help="a run directory or a preset name")
    evaluate.add_argument("--split", default="test")
    evaluate.set_defaults(run=_evaluate)

    export = subcommands.add_parser("export", help="export a trained run as a SavedModel for TF Serving")
    export.add_argument("run_dir", type=Path)
    export.add_argument("--name", required=True, help="the model name (TF Serving's base path is OUT/NAME)")
    export.add_argument("--out", type=Path, default=Path("exported"))
    export.add_argument("--version", type=int, default=1)
    export.add_argument("--beam-width", type=int, default=None,
                        help="captioner: the beam width of serving_default (default 4)")
    export.set_defaults(run=_export)

    predict = subcommands.add_parser(
        "predict", help="ask an exported model (preset name or SavedModel folder)",
        description=f'mmzoo predict fusion_avdigits --image 7.png --audio seven.wav | mmzoo predict --text '
                    f'"a large red circle" [--seed 3] [--output circle.png] (model: {TEXT_TO_IMAGE_PRESET})')
    predict.add_argument("model", nargs="?", default=TEXT_TO_IMAGE_PRESET,
                         help=f"a preset name or a SavedModel folder (default: {TEXT_TO_IMAGE_PRESET})")
    predict.add_argument("--image", type=Path, help="an image file (PNG, JPEG, GIF, BMP)")
    predict.add_argument("--text", help="a caption")
    predict.add_argument("--audio", type=Path, help="a WAV file (PCM or float, mono, 8-48 kHz)")
    predict.add_argument("--signature", default=None,
                         help="e.g. greedy (captioner: greedy decoding instead of beam search); default "
                         "serving_default, or with_seed where --seed is given")
    predict.add_argument("--seed", type=int, default=None, help="text to image: which of its pictures (default 0)")
    predict.add_argument("--output", type=Path, default=None,
                         help="text to image: the PNG to write (default: the caption's words joined by _, .png)")
    predict.set_defaults(run=_predict)

    search = subcommands.add_parser(
        "search", help="rank a folder of images by how well they fit a caption (a dual encoder)",
        description=f'mmzoo search --text "a small blue square" --images DIR [--top 5] (model: {SEARCH_PRESET})')
    search.add_argument("--text", required=True, help="what to look for, in the model's words")
    search.add_argument("--images", type=Path, required=True,
                        help=f"a folder of images ({', '.join(IMAGE_SUFFIXES)}); not searched recursively")
    search.add_argument("--model", default=SEARCH_PRESET,
                        help=f"a dual encoder's preset name or SavedModel folder (default: {SEARCH_PRESET})")
    search.add_argument("--top", type=int, default=5, help="how many to list (default 5)")
    search.set_defaults(run=_search)

    listing = subcommands.add_parser("list", help="the prebuilt models and their test figures")
    listing.set_defaults(run=_list)

    serve = subcommands.add_parser(
        "serve", help="TF Serving's REST API over a model base folder (DIR/<name>/<version>/), to try models locally")
    serve.add_argument("base", type=Path, help="e.g. saved_models, or an export folder")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--max-request-mb", type=float, default=32.0, help="larger requests are refused (HTTP 413)")
    serve.set_defaults(run=_serve)


def _add_accelerator_options(parser):
    parser.add_argument("--mixed-precision", action="store_true", default=None,
                        help="mixed_float16 with loss scaling on a GPU (a CPU trains float32)")
    parser.add_argument("--jit-compile", action="store_true", default=None,
                        help="XLA (Keras trains without it when a layer cannot be compiled: see metrics.json)")
    parser.add_argument("--steps-per-execution", type=int, default=None, help="training steps per call to the device")


def _accelerator_changes(args):
    return {"mixed_precision": args.mixed_precision, "jit_compile": args.jit_compile,
            "steps_per_execution": args.steps_per_execution}


def _train(args):
    from mmzoo import registry
    from mmzoo.config import TrainConfig
    from mmzoo.training.trainer import train

    if (args.what is None) == (args.config is None):
        raise InvalidInputError("train", "give a preset, a model family with --task, or --config (one of them)")
    families = _trainable_families()
    if args.config:
        if not args.config.is_file():
            raise InvalidInputError(args.config, "no such config file")
        config, name = TrainConfig.load(args.config), args.config.stem
    elif args.what in families:
        family = families[args.what]
        family_tasks = sorted(family.task_objects())
        task = args.task or family.defaults.get("task")
        if task not in family_tasks:
            raise InvalidInputError("--task", f"{args.what} trains on {', '.join(family_tasks)}; got {args.task!r}")
        config = TrainConfig(model=family.model, **{**family.defaults, "task": task})
        name = f"{args.what}_{task}"
    else:
        config, name = registry.PRESETS[args.what], args.what
    if args.task and args.what not in families:
        raise InvalidInputError("--task", "a preset or a config file names its own task")
    family = registry.family_of_model(config.model)
    model_args = dict(config.model_args)
    for flag, (owners, option) in _family_options().items():
        value = getattr(args, _option_dest(flag))
        if value is None:
            continue
        if flag not in {own.flag for own in family.options}:
            raise InvalidInputError(flag, f"{config.model} has no {flag} (an option of {' and '.join(owners)})")
        model_args[option.model_arg] = value
    changes = {"epochs": args.epochs, "strategy": args.strategy, "batch_size": args.batch_size,
               "learning_rate": args.learning_rate, "seed": args.seed, **_accelerator_changes(args)}
    data_args = {**config.data_args, **({"size": args.size} if args.size else {})}
    config = TrainConfig.from_dict({**config.to_dict(), **{k: v for k, v in changes.items() if v is not None},
                                    "model_args": model_args, "data_args": data_args})
    task = registry.get_task(config.task)
    try:
        task.check_data_args(config.data_args)
    except ValueError as error:
        raise InvalidInputError("--task", f"{error}; name them in a config file (mmzoo train --config)") from None
    run_dir = args.run_dir or Path("runs") / name
    metrics = train(config, run_dir, verbose=2)
    print(f"run: {run_dir}")
    for split, values in metrics["splits"].items():
        print(f"  {split}: {task.headline_of(values)} on {values['examples']} examples")


def _teacher_task(teacher):
    """The task a teacher was trained on: its preset's, or its run's config.json's."""
    from mmzoo import registry
    from mmzoo.config import TrainConfig

    if teacher in registry.PRESETS:
        return registry.PRESETS[teacher].task
    config = Path(teacher).parent / "config.json"
    return TrainConfig.load(config).task if config.is_file() else None


def _distill(args):
    from mmzoo import registry
    from mmzoo.config import TrainConfig
    from mmzoo.models import fusion
    from mmzoo.models.distillation.presets import PRESETS as DISTILLED_PRESETS
    from mmzoo.training.trainer import train

    if args.teacher not in registry.PRESETS and not Path(args.teacher).is_file():
        raise InvalidInputError("--teacher", f"{args.teacher!r} is neither a prebuilt model nor a .keras file")
    task = args.task or _teacher_task(args.teacher)
    if task is None:
        raise InvalidInputError("--task", f"{args.teacher} has no config.json beside it to say its task; name it")
    if args.student in DISTILLED_PRESETS:
        config = DISTILLED_PRESETS[args.student]
        if config.task != task:
            raise InvalidInputError("--student", f"{args.student} learns {config.task}; the teacher's task is {task}")
        student = config.model_args
    else:
        try:
            student_args = json.loads(args.student)
        except json.JSONDecodeError:
            student_args = None
        if not isinstance(student_args, dict):
            raise InvalidInputError("--student", f"neither a distilled preset ({', '.join(sorted(DISTILLED_PRESETS))}) "
                                    f"nor a JSON object of the student's arguments: {args.student!r}")
        config = TrainConfig(model="distiller", task=task, epochs=20, learning_rate=2e-3)
        student = {"student_model": fusion.FAMILY.model, "student_args": student_args}
    model_args = {"teacher": args.teacher, "student_model": student["student_model"],
                  "student_args": student["student_args"],
                  "temperature": args.temperature or student.get("temperature", 4.0),
                  "alpha": student.get("alpha", 0.5) if args.alpha is None else args.alpha}
    changes = {"epochs": args.epochs, "batch_size": args.batch_size, "learning_rate": args.learning_rate,
               "seed": args.seed, **_accelerator_changes(args)}
    data_args = {**config.data_args, **({"size": args.size} if args.size else {})}
    config = TrainConfig.from_dict({**config.to_dict(), **{k: v for k, v in changes.items() if v is not None},
                                    "task": task, "model_args": model_args, "data_args": data_args})
    run_dir = args.run_dir or Path("runs") / f"distill_{task}"
    metrics = train(config, run_dir, verbose=2)
    print(f"run: {run_dir} (export the student: mmzoo export {run_dir} --name NAME)")
    print(f"  student parameters: {metrics['parameters']:,}")
    headline = registry.get_task(task).headline_of
    for split, values in metrics["splits"].items():
        print(f"  {split}: {headline(values)} on {values['examples']} examples")


def _evaluate(args):
    from mmzoo import registry, saving
    from mmzoo.config import TrainConfig
    from mmzoo.presets import preset_dir
    from mmzoo.training.trainer import evaluate

    directory = preset_dir(args.model) if args.model in registry.PRESETS else Path(args.model)
    if not (directory / "config.json").exists():
        raise InvalidInputError(args.model, "neither a preset name nor a run directory with config.json")
    config = TrainConfig.load(directory / "config.json")
    task = registry.get_task(config.task)
    if args.split not in task.splits:
        raise InvalidInputError("--split", f"{args.split!r} is not one of {task.splits} for {task.name}")
    model = saving.load_keras_model(directory / "model.keras")
    metrics = evaluate(task, model, args.split, 64, config.data_args)
    print(json.dumps({args.split: metrics}, indent=2))


def _export(args):
    from mmzoo.export.runs import export_run

    if not args.run_dir.is_dir():
        raise InvalidInputError(args.run_dir, "no such run directory")
    options = {}
    if args.beam_width is not None:
        from mmzoo.config import TrainConfig
        from mmzoo.models import captioner

        if TrainConfig.load(args.run_dir / "config.json").model != captioner.FAMILY.model:
            raise InvalidInputError("--beam-width", "only a captioner decodes with a beam")
        if args.beam_width < 1:
            raise InvalidInputError("--beam-width", f"must be at least 1, got {args.beam_width}")
        options["beam_width"] = args.beam_width
    exported = export_run(args.run_dir, args.out, args.name, args.version, serving_options=options)
    print(f"SavedModel: {exported}")
    print(f"  serve with TF Serving: --model_name={args.name} --model_base_path=/models/{args.name}")


def _read_input(path: Path, name: str) -> bytes:
    if not path.is_file():
        raise InvalidInputError(path, f"no such file (--{name})")
    return path.read_bytes()


def _predict(args):
    import tensorflow as tf

    from mmzoo.export import serving

    loaded = _load_saved_model(args.model)
    signature_name = args.signature or ("with_seed" if args.seed is not None else "serving_default")
    if signature_name not in loaded.signatures:
        if args.seed is not None and args.signature is None:
            raise InvalidInputError("--seed", "this model draws no pictures (it has no with_seed signature)")
        raise InvalidInputError("--signature", f"{signature_name!r} is not one of {sorted(loaded.signatures)}")
    signature = loaded.signatures[signature_name]
    expected = sorted(signature.structured_input_signature[1])
    given = {"image": args.image and _read_input(args.image, "image"), "text": args.text,
             "audio": args.audio and _read_input(args.audio, "audio"), "seed": args.seed}
    given = {name: value for name, value in given.items() if value is not None}
    if sorted(given) != expected:
        raise InvalidInputError("inputs", f"this model takes {', '.join('--' + n for n in expected)}; "
                                f"got {', '.join('--' + n for n in sorted(given)) or 'none'}")
    if args.output is not None and "png_bytes" not in signature.structured_outputs:
        raise InvalidInputError("--output", "this model draws no pictures (no png_bytes output)")
    try:
        outputs = signature(**{name: tf.constant([value], tf.int64 if name == "seed" else None)
                               for name, value in given.items()})
    except tf.errors.InvalidArgumentError as error:
        raise InvalidInputError(*serving.input_error(error.message, expected)) from None
    except UnicodeDecodeError:  # a model exported before refusals quoted bytes in hex
        raise InvalidInputError("inputs", "refused by the model, whose message quotes bytes that are not text "
                                          "(export the model again for a message in words)") from None
    answer = {name: value.numpy()[0].tolist() if value.dtype != tf.string else value.numpy()[0].decode()
              for name, value in outputs.items() if name not in ("png_bytes", "image")}
    if "png_bytes" in outputs:
        from mmzoo.data.show import write_atomically

        path = args.output or Path("_".join(args.text.split()) + ".png")
        if not path.parent.is_dir():
            raise InvalidInputError("--output", f"{path.parent}: no such folder")
        png = outputs["png_bytes"].numpy()[0]
        answer["png"] = str(write_atomically(path, lambda scratch: scratch.write_bytes(png)))
    print(json.dumps(answer, indent=2))


def _load_saved_model(model):
    """A preset's SavedModel or a SavedModel folder, its files checked against its card."""
    from mmzoo import registry, saving
    from mmzoo.presets import load_serving

    if model in registry.PRESETS:
        return load_serving(model)
    directory = Path(model)
    if not (directory / "saved_model.pb").exists():
        raise InvalidInputError(model, "neither a preset name nor a SavedModel folder")
    saving.verify_checksums(directory)
    try:
        return saving.load_saved_model(directory)
    except Exception as error:  # noqa: BLE001 - protobuf, OS and TF errors alike: a damaged model
        raise InvalidInputError(model, f"not a readable SavedModel ({_one_line(error)[:200]})") from None


def _search(args):
    import tensorflow as tf

    from mmzoo.export import serving

    if args.top < 1:
        raise InvalidInputError("--top", f"must be at least 1, got {args.top}")
    if not args.images.is_dir():
        raise InvalidInputError(args.images, "no such folder (--images)")
    paths = sorted(p for p in args.images.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not paths:
        raise InvalidInputError(args.images, f"no images ({', '.join(IMAGE_SUFFIXES)}) in this folder")
    loaded = _load_saved_model(args.model)
    missing = {"embed_image", "embed_text"} - set(loaded.signatures)
    if missing:
        raise InvalidInputError(args.model, f"not a dual encoder: it has no {' or '.join(sorted(missing))} signature")
    try:
        query = loaded.signatures["embed_text"](text=tf.constant([args.text]))["embedding"].numpy()[0]
    except tf.errors.InvalidArgumentError as error:
        raise InvalidInputError("--text", serving.input_error(error.message, ["text"])[1]) from None
    similarities = []
    for start in range(0, len(paths), SEARCH_BATCH):
        batch = paths[start:start + SEARCH_BATCH]
        try:
            embeddings = loaded.signatures["embed_image"](image=tf.constant([p.read_bytes() for p in batch]))
        except tf.errors.InvalidArgumentError:
            for path in batch:  # which file: ask again one by one
                try:
                    loaded.signatures["embed_image"](image=tf.constant([path.read_bytes()]))
                except tf.errors.InvalidArgumentError as error:
                    raise InvalidInputError(path, serving.input_error(error.message, ["image"])[1]) from None
            raise
        similarities += (embeddings["embedding"].numpy() @ query).tolist()
    ranked = sorted(zip(similarities, paths), key=lambda pair: -pair[0])[:args.top]
    print(json.dumps({"text": args.text, "images": len(paths),
                      "ranking": [{"image": str(path), "similarity": round(score, 4)} for score, path in ranked]},
                     indent=2))


def _list(args):
    from mmzoo import presets, registry

    index = presets.preset_index()
    for name, config in sorted(registry.PRESETS.items()):
        if presets.in_checkout(name):
            headline = registry.get_task(config.task).headline_of
            figures = {split: headline(values) for split, values in presets.model_card(name)["metrics"].items()}
        elif name in index:  # installed without the models: the index's figures, downloaded on first use
            figures = index[name]["headline"]
        else:
            print(f"{name}: {config.task} (not built)")
            continue
        print(f"{name}: {config.task}, {'; '.join(f'{split} {figure}' for split, figure in figures.items())}")


def _serve(args):
    from mmzoo.export.rest import ModelServer

    try:
        server = ModelServer(args.base, args.host, args.port, int(args.max_request_mb * (1 << 20)))
    except FileNotFoundError as error:
        raise InvalidInputError(args.base, str(error).split(": ", 1)[-1]) from None
    except OSError as error:
        raise InvalidInputError("--port", f"{args.host}:{args.port}: {error.strerror}") from None
    host, port = server.server_address[:2]
    for name, model in server.models.items():
        print(f"http://{host}:{port}/v1/models/{name}  (versions {', '.join(map(str, model.versions))})", flush=True)
    print("Ctrl-C stops", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _quickstart(args):
    """Build and show Shapes World, then train, export and ask a fusion classifier (`mmzoo.quickstart`)."""
    from mmzoo import quickstart

    args.dataset, args.workers, args.fsdd, args.split, args.count = "shapes", None, None, "train", 16
    _data_build(args)
    _data_show(args)
    quickstart.train_export_and_ask(args.out, args.epochs, args.seed)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="mmzoo", description="mmzoo: multimodal deep learning models for TensorFlow/Keras 3.")
    subcommands = parser.add_subparsers(dest="command", required=True)
    _add_data_commands(subcommands)
    _add_model_commands(subcommands)
    quickstart = subcommands.add_parser(
        "quickstart", help="build Shapes World, train and export a fusion classifier, ask it (a few minutes)")
    quickstart.add_argument("--epochs", type=int, default=8)
    quickstart.add_argument("--size", type=_size, default="small")
    quickstart.add_argument("--seed", type=int, default=0)
    quickstart.add_argument("--out", type=Path, default=Path("mmzoo_output"))
    quickstart.set_defaults(run=_quickstart)
    return parser


MAX_ERROR_CHARACTERS = 400


def _quiet_tensorflow():
    """Import TensorFlow with the native library's start-up lines (absl's notice, oneDNN,
    "failed call to cuInit" without a GPU) kept off the terminal: they are written to file
    descriptor 2 by C++ before any Python logging setting can reach them."""
    saved, quiet = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    sys.stderr.flush()
    os.dup2(quiet, 2)
    try:
        import tensorflow as tf

        tf.config.list_physical_devices()  # the device probe logs too
        tf.get_logger().setLevel("ERROR")
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(quiet)


def _one_line(error) -> str:
    """An error as one line of valid UTF-8 of at most MAX_ERROR_CHARACTERS."""
    text = " ".join(str(error).split())
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= MAX_ERROR_CHARACTERS else text[:MAX_ERROR_CHARACTERS] + "..."


GLOBAL_FLAGS = ("--debug", "--verbose")  # taken anywhere on the line


def main(argv=None):
    parser = build_parser()
    parser.add_argument("--debug", action="store_true", help="a traceback with an error (anywhere on the line)")
    parser.add_argument("--verbose", action="store_true", help="TensorFlow's own log lines too (anywhere on the line)")
    argv = list(sys.argv[1:] if argv is None else argv)
    flags = {flag for flag in GLOBAL_FLAGS if flag in argv}
    args = parser.parse_args([flag for flag in argv if flag not in GLOBAL_FLAGS])
    args.debug, args.verbose = "--debug" in flags, "--verbose" in flags
    if not args.verbose:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # not even oneDNN's notices at run time
        if args.command not in ("list",) and "tensorflow" not in sys.modules:
            _quiet_tensorflow()
    try:
        args.run(args)
    except InvalidInputError as error:
        if args.debug:
            raise
        print(f"mmzoo: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except (FileNotFoundError, FileExistsError, ValueError, OSError) as error:  # a file or an input mmzoo cannot use
        if args.debug:
            raise
        print(f"mmzoo: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - a bug: one line, the traceback with --debug
        if args.debug:
            raise
        print(f"mmzoo: error: {type(error).__name__}: {_one_line(error)} (run with --debug for the traceback)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
