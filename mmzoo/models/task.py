"""What every task of the zoo says about the models trained on it: `Task`, the base class of the
tasks in `models/<family>/task.py`.

A task holds its data (a view of each split and its size), what the model builder needs from
the data (a text vectorizer adapted on the training captions, the classes), the loss and
metrics, the signatures of the exported SavedModel, and how a model of it is judged.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Callable, NamedTuple

import tensorflow as tf


LANGUAGE_NAMES = {"en": "English", "zh": "Chinese"}


class Endpoint(NamedTuple):
    """A signature of an exported model: `predict(features) -> outputs`, what it takes besides
    raw inputs (`extra_inputs`: {name: TensorSpec}), and which of the model's raw inputs it
    takes (`raw_inputs`; default: all, as `serving_default` does)."""

    predict: Callable
    extra_inputs: dict | None = None
    raw_inputs: tuple | None = None


def shipped_model(model):
    """What a run ships and serves: a model with a training-only wrapper (a GAN's discriminator,
    a distiller's teacher) names it `shipped_model`; any other model is itself."""
    return getattr(model, "shipped_model", model)


def data_key(task_name, data_args):
    """A hashable key of a task's data, for what is adapted once per data (a vocabulary)."""
    return task_name, json.dumps(data_args, sort_keys=True)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Task:
    """A task the trainer knows by `name`.

    Args:
        name: how configs and the command line name it.
        description: one line, for model cards.
        view: `view(split, batch_size=, shuffle=, drop_remainder=, **data_args)` -> a
            `tf.data.Dataset` of (features, target).
        count: `count(split, **data_args)` -> examples in the split.
        splits: the splits `view` reads.
        modalities: the raw inputs of its models.
        required_data_args: data arguments without a default (the folders of your own files).
        evaluation_models: {`evaluate` keyword: preset name} of trained models that judge this
            task's outputs; the caller loads them (model code does not load presets).
    """

    name: str
    description: str
    view: Callable
    count: Callable
    splits: tuple = ("train", "validation", "test")
    modalities: tuple = ()
    required_data_args: tuple = ()
    evaluation_models: dict = dataclasses.field(default_factory=dict)

    def counted_view(self, split, batch_size, shuffle=None, drop_remainder=False, inputs=None, **data_args):
        """The view of a split, of known length (Keras then shows progress against it and
        validates without running dry). `inputs`: keep only these features (a unimodal ablation,
        or one tower, reads fewer inputs than the task has)."""
        if split not in self.splits:
            raise ValueError(f"split: {split!r} is not one of {self.splits} for {self.name}")
        self.check_data_args(data_args)
        dataset = self.view(split, batch_size=batch_size, shuffle=shuffle, drop_remainder=drop_remainder, **data_args)
        examples = self.count(split, **data_args)
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(
            examples // batch_size if drop_remainder else -(-examples // batch_size)))
        if inputs is None:
            return dataset
        return dataset.map(lambda features, target: ({name: features[name] for name in inputs}, target))

    def check_data_args(self, data_args):
        missing = [name for name in self.required_data_args if data_args.get(name) is None]
        if missing:
            raise ValueError(f"data_args: {self.name} needs {', '.join(missing)} ({self.description})")

    def dataset(self, split, batch_size, shuffle=None, drop_remainder=False, inputs=None, **data_args):
        """Batches of (features, target) for training and validation."""
        return self.counted_view(split, batch_size, shuffle, drop_remainder, inputs, **data_args)

    def builder_arguments(self, model_args, data_args) -> dict:
        """What the model builder needs from the task, besides the config's `model_args`."""
        return {}

    def compile_arguments(self, model) -> dict:
        """Loss and metrics for `compile`; {} for a model that computes its own loss."""
        return {}

    def serving_signatures(self, model) -> dict:
        """{signature name: predict(features) -> outputs, or an `Endpoint`}, `serving_default`
        among them, of the model that ships (`shipped_model`)."""
        raise NotImplementedError

    def evaluate(self, model, split, batch_size, **data_args) -> dict:
        """The metrics of a split (and any of `evaluation_models`, loaded, as keywords)."""
        raise NotImplementedError

    def headline(self, metrics: dict) -> str:
        """The figures that sum up one split's metrics, in a line."""
        raise NotImplementedError

    def headline_of(self, metrics: dict) -> str:
        """`headline`, per language where a split was evaluated in each (`languages`)."""
        if "languages" in metrics:
            return "; ".join(f"{LANGUAGE_NAMES[language]}: {self.headline(values)}"
                             for language, values in metrics["languages"].items())
        return self.headline(metrics)

    def card(self) -> dict:
        """What a model card says of the task."""
        return {"name": self.name, "description": self.description}
