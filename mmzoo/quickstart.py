"""`mmzoo quickstart`, the README's first training command, after it has built and shown the data: train a
small fusion classifier with the shared trainer, export it for TF Serving, and ask the
SavedModel about test examples it never saw, as a client would (PNG and WAV bytes in)."""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf

from mmzoo import registry, saving
from mmzoo.config import TrainConfig
from mmzoo.data import build, views
from mmzoo.data.readers import DIGIT_WORDS
from mmzoo.export import serving
from mmzoo.export.runs import export_run
from mmzoo.training.trainer import train

PRESET = "fusion_avdigits"


def train_export_and_ask(out: Path, epochs: int, seed: int):
    print("AV-Digits (handwritten digits and spoken digit words):", build.build_avdigits(seed=seed))
    config = TrainConfig.from_dict({**registry.preset_config(PRESET).to_dict(), "epochs": epochs, "seed": seed})
    run_dir = out / "run"
    print(f"training {config.model} ({config.model_args}) on {config.task}, {epochs} epochs: {run_dir}")
    metrics = train(config, run_dir, verbose=2)
    for split, values in metrics["splits"].items():
        print(f"  {split}: accuracy {values['accuracy']:.4f} on {values['examples']} examples (unseen voices)")

    export_dir = out / "serving"
    version = max([int(p.name) for p in (export_dir / "quickstart").glob("[0-9]*")] + [0]) + 1
    exported = export_run(run_dir, export_dir, "quickstart", version)
    print(f"SavedModel for TF Serving: {exported}")

    features, labels = next(iter(views.avdigits_classification("test", 4, shuffle=True, seed=seed)))
    raw = serving.encode_raw_inputs(features)
    signature = saving.load_saved_model(exported).signatures["serving_default"]
    answers = signature(image=tf.constant(raw["image"]), audio=tf.constant(raw["audio"]))
    print("asking the SavedModel (PNG bytes + WAV bytes in, digit out):")
    for k, label in enumerate(labels.numpy()):
        (out / f"query{k}.png").write_bytes(raw["image"][k])
        (out / f"query{k}.wav").write_bytes(raw["audio"][k])
        print(f"  query{k}.png + query{k}.wav (a {DIGIT_WORDS[label]}): "
              f"{answers['class_name'][k].numpy().decode()} (p = {answers['score'][k].numpy():.3f})")
    print(f"the same from the command line: mmzoo predict {exported} "
          f"--image {out / 'query0.png'} --audio {out / 'query0.wav'}")
