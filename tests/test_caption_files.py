"""Your own captioned images, in Flickr8k or COCO layout, train the same captioner through the
shared trainer, and export like the Shapes one."""

import json

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from mmzoo.evaluation import independent_renderer
from mmzoo.export.runs import export_run
from mmzoo.config import TrainConfig
from mmzoo.training.trainer import train

SPLITS = {"train": 8, "validation": 3, "test": 3}


def _scenes(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "images"
    folder.mkdir()
    scenes = {}
    for split, count in SPLITS.items():
        for number in range(count):
            image, annotation = independent_renderer.random_scene(rng)
            name = f"{split}{number}.jpg"
            Image.fromarray(image).save(folder / name, format="JPEG", quality=95)
            scenes.setdefault(split, {})[name] = independent_renderer.reference_captions(annotation)
    return folder, scenes


def _flickr8k(tmp_path):
    folder, scenes = _scenes(tmp_path)
    tokens = tmp_path / "Flickr8k.token.txt"
    tokens.write_text("".join(f"{name}#{n}\t{caption.capitalize()} .\n" for split in scenes
                              for name, refs in scenes[split].items() for n, caption in enumerate(refs)))
    splits = {}
    for split, names in scenes.items():
        (tmp_path / f"{split}.txt").write_text("\n".join(names) + "\n")
        splits[split] = {"captions_file": str(tokens), "image_folder": str(folder),
                         "split_file": str(tmp_path / f"{split}.txt")}
    return {"format": "flickr8k", "splits": splits, "image_size": [48, 48]}, scenes


def _coco(tmp_path):
    folder, scenes = _scenes(tmp_path)
    splits = {}
    for split, names in scenes.items():
        images = [{"id": i, "file_name": name} for i, name in enumerate(names)]
        annotations = [{"image_id": i, "caption": caption} for i, name in enumerate(names) for caption in names[name]]
        path = tmp_path / f"captions_{split}.json"
        path.write_text(json.dumps({"images": images, "annotations": annotations}))
        splits[split] = {"annotations_file": str(path), "image_folder": str(folder)}
    return {"format": "coco", "splits": splits, "image_size": [48, 48]}, scenes


@pytest.mark.parametrize("layout", [_flickr8k, _coco], ids=["flickr8k", "coco"])
def test_own_captioned_images_train_evaluate_and_export(layout, tmp_path):
    data_args, scenes = layout(tmp_path)
    config = TrainConfig(model="vgg_lstm_captioner", task="caption_files", data_args=data_args, epochs=2,
                         batch_size=4, model_args={"width": 16, "embedding_dim": 8}, evaluate_splits=("test",))
    metrics = train(config, tmp_path / "run", verbose=0)
    test = metrics["splits"]["test"]
    assert test["examples"] == SPLITS["test"] and 0.0 <= test["bleu_4"] <= 1.0 and "cider" in test["beam"]
    assert len(test["samples"][0]["references"]) == 4  # every reference of the image, not only the first
    exported = export_run(tmp_path / "run", tmp_path / "exported", "own_captioner",
                          serving_options={"beam_width": 2})
    assert json.loads((exported / "mmzoo.json").read_text())["serving_options"] == {"beam_width": 2}
    served = tf.saved_model.load(str(exported)).signatures["serving_default"]
    image = (tmp_path / "images" / next(iter(scenes["test"]))).read_bytes()
    caption = served(image=tf.constant([image]))["caption"].numpy()[0].decode()
    assert isinstance(caption, str)
