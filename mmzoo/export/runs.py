"""From a trained run directory to a shippable model: the `.keras`, the SavedModel for TF
Serving with warmup requests from the task's test split, and the model card.

    export_run("runs/fusion_avdigits", "saved_models", "fusion_avdigits")
    # saved_models/fusion_avdigits/{model.keras, config.json, metrics.json, 1/}
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from mmzoo import registry, saving
from mmzoo.config import TrainConfig
from mmzoo.data import records
from mmzoo.export import serving
from mmzoo.models.task import shipped_model

RUN_FILES = ("model.keras", "config.json", "metrics.json")
WARMUP_BATCH_SIZES = (1, 8)


def export_run(run_dir, export_dir, name: str, version: int = 1, serving_options: dict | None = None,
               input_limits: dict | None = None) -> Path:
    """Write `export_dir/name/` (Keras model, config, metrics, `version/` SavedModel); returns
    the SavedModel folder. Refuses to overwrite an existing version. `serving_options` go to the
    task's serving signatures (a captioner's `beam_width`, say) and into the model card, as do
    `input_limits` (`mmzoo.export.serving.input_limits`)."""
    run_dir = Path(run_dir)
    missing = [f for f in RUN_FILES if not (run_dir / f).exists()]
    if missing:
        raise FileNotFoundError(f"{run_dir}: not a finished run (missing {', '.join(missing)})")
    config = TrainConfig.load(run_dir / "config.json")
    metrics = json.loads((run_dir / "metrics.json").read_text())
    task = registry.get_task(config.task)
    model = saving.load_keras_model(run_dir / "model.keras")  # not compiled: no optimizer state
    model = shipped_model(model)  # a GAN ships its generator, a distiller its student
    with tempfile.TemporaryDirectory(prefix="mmzoo-export-") as scratch:
        # The shipped .keras is the model without its optimizer's state (a third of the size with Adam).
        model.save(Path(scratch) / "model.keras")
        sources = {"model.keras": Path(scratch) / "model.keras", "config.json": run_dir / "config.json",
                   "metrics.json": run_dir / "metrics.json"}
        return _export(model, task, config, metrics, sources, export_dir, name, version, serving_options or {},
                       input_limits)


def export_again(directory, input_limits: dict | None = None) -> Path:
    """A shipped model's folder (`model.keras`, `config.json`, `metrics.json`, `<version>/`)
    exported again as the next version from its own files, with this code's serving graph
    (its checks, its outputs) and the same weights, the `.keras` file untouched; the older
    versions are removed once the new one is written. Returns the new version's folder."""
    directory = Path(directory)
    versions = sorted(int(p.name) for p in directory.iterdir() if p.name.isdigit())
    if not versions:
        raise FileNotFoundError(f"{directory}: no SavedModel version folder")
    card = json.loads((directory / str(versions[-1]) / saving.CARD).read_text())
    config = TrainConfig.load(directory / "config.json")
    metrics = json.loads((directory / "metrics.json").read_text())
    model = saving.load_keras_model(directory / "model.keras")
    sources = {file: directory / file for file in RUN_FILES}
    exported = _export(model, registry.get_task(config.task), config, metrics, sources, directory.parent,
                       directory.name, versions[-1] + 1, card.get("serving_options") or {}, input_limits)
    for version in versions:
        shutil.rmtree(directory / str(version))
    return exported


def _export(model, task, config, metrics, sources, export_dir, name, version, serving_options, input_limits) -> Path:
    signatures = task.serving_signatures(model, **serving_options)
    features, _ = next(iter(task.dataset("test", max(WARMUP_BATCH_SIZES), shuffle=False, **config.data_args)))
    raw = serving.encode_raw_inputs(features, serving.raw_input_names(model))
    warmup = [{key: values[:size] for key, values in raw.items()} for size in WARMUP_BATCH_SIZES]

    card = {
        "architecture": config.model,
        "model_args": config.model_args,
        "task": {**task.card(), "data": config.data_args or {"size": "default"}},
        "config": config.to_dict(),
        "metrics": {split: {k: v for k, v in values.items() if k not in ("confusion_matrix", "samples")}
                    for split, values in metrics["splits"].items()},
        "keras_model_sha256": records.sha256_file(sources["model.keras"]),
        "serving_options": serving_options,
    }
    exported = serving.export_saved_model(model, export_dir, name, version=version,
                                          signatures=signatures,
                                          warmup_examples=warmup, card=card, limits=input_limits)
    try:
        for file, source in sources.items():
            if Path(source).resolve() == (exported.parent / file).resolve():
                continue  # exported again from its own files
            partial = exported.parent / f".{file}.partial"
            shutil.copyfile(source, partial)
            partial.replace(exported.parent / file)
    except BaseException:
        shutil.rmtree(exported, ignore_errors=True)
        raise
    return exported
