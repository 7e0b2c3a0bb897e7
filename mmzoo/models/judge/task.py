"""The judge's task: read each object's shape, colour and size and the relation from a Shapes
World image, in the judge's canonical order."""

from __future__ import annotations

import dataclasses

import tensorflow as tf

from mmzoo.data import views
from mmzoo.models.judge import model as judge
from mmzoo.models.task import Task


def scene_attributes(split, batch_size=64, size="default", seed=0, shuffle=None, home=None, drop_remainder=False):
    """Batches of ({image}, {attribute: class id}) of Shapes World scenes."""
    dataset = views.shapes_world_records(split, "scenes", size, seed, home).map(
        lambda r: ({"image": r["image"]}, judge.scene_attribute_labels(r))).cache()
    return views.batched(dataset, batch_size, views.default_shuffle(split, shuffle), seed, drop_remainder)


def attribute_headline(metrics: dict) -> str:
    """Attribute accuracy (of drawn images, with their spread across seeds, where drawn)."""
    spread = metrics.get("pixel_std_across_seeds")
    return f"attribute accuracy {metrics['attribute_accuracy']:.4f}" + (
        f", pixel std across seeds {spread:.4f}" if spread is not None else "")


@dataclasses.dataclass(frozen=True, kw_only=True)
class SceneAttributesTask(Task):
    """Image to the attributes of its objects: one softmax per attribute, in the judge's
    canonical order. Scored by attribute accuracy."""

    splits: tuple = ("train", "validation", "test", "compositional")
    modalities: tuple = ("image",)

    def builder_arguments(self, model_args, data_args) -> dict:
        return {"image_shape": (64, 64, 3)}

    def compile_arguments(self, model) -> dict:
        return {"loss": {name: "sparse_categorical_crossentropy" for name in judge.ATTRIBUTES},
                "metrics": {name: ["accuracy"] for name in judge.ATTRIBUTES}}

    def serving_signatures(self, model) -> dict:
        """The caption of what the judge reads (canonical order), and each attribute's value and
        probability."""
        def predict(features):
            probabilities = model(features, training=False)
            words = judge.attribute_words(probabilities)
            scores = {f"{name}_score": tf.reduce_max(probabilities[name], axis=-1) for name in judge.ATTRIBUTES}
            return {"caption": judge.describe_in_graph(words), **words, **scores}

        return {"serving_default": predict}

    def evaluate(self, model, split, batch_size, **data_args) -> dict:
        tally = judge.AttributeTally()
        for features, labels in self.dataset(split, batch_size, shuffle=False, **data_args):
            tally.add(judge.attributes_of_ids(labels), judge.read_attributes(model(features, training=False)))
        return tally.metrics()

    def headline(self, metrics: dict) -> str:
        return attribute_headline(metrics)


TASKS = (
    SceneAttributesTask(
        name="shapes_scene_attributes", description="Read each object's shape, colour and size and the relation "
        "from a Shapes World image (the judge of generated images).", view=scene_attributes,
        count=views.shapes_scene_count),
)
