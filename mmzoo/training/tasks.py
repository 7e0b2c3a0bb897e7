"""The tasks the trainer knows. A task says what a model of it is trained and judged on:

    name, splits
    dataset(split, batch_size, shuffle=, drop_remainder=, inputs=, **data_args) -> tf.data of (features, target)
    count(split, **data_args) -> examples in the split
    builder_arguments(model_args, data_args) -> what the model builder needs from the task
    compile_arguments -> loss and metrics for `compile` ({} for a model with its own train_step)
    evaluate(model, dataset) -> metrics (a dict; "accuracy" and the like)

`register_task` adds one (a later architecture, or your own data).
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import tensorflow as tf

from mmzoo.data import build, preprocessing, tasks as views
from mmzoo.data.readers import DIGIT_WORDS
from mmzoo.evaluation.classification import evaluate_classifier

TEXT_SEQUENCE_LENGTH = 16


@dataclasses.dataclass(frozen=True)
class ClassificationTask:
    name: str
    description: str
    modalities: tuple
    class_names: tuple
    image_shape: tuple | None
    view: Callable  # (split, batch_size=..., shuffle=..., drop_remainder=..., **data_args)
    count: Callable  # (split, **data_args) -> examples in the split
    splits: tuple = ("train", "validation", "test")

    def dataset(self, split, batch_size, shuffle=None, drop_remainder=False, inputs=None, **data_args):
        """Batches of (features, label); `inputs`: keep only these features (a unimodal
        ablation's model takes fewer inputs than the task has)."""
        if split not in self.splits:
            raise ValueError(f"split: {split!r} is not one of {self.splits} for {self.name}")
        dataset = self.view(split, batch_size=batch_size, shuffle=shuffle, drop_remainder=drop_remainder,
                            **data_args)
        # Known length: Keras then shows progress against it and validates without running dry.
        examples = self.count(split, **data_args)
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(
            examples // batch_size if drop_remainder else -(-examples // batch_size)))
        if inputs is None:
            return dataset
        return dataset.map(lambda features, label: ({name: features[name] for name in inputs}, label))

    def builder_arguments(self, model_args, data_args) -> dict:
        """The modalities (a subset for an ablation), classes, image shape, and a text vectorizer
        adapted on the training captions when text is read."""
        modalities = tuple(model_args.get("modalities", self.modalities))
        vectorizer = None
        if "text" in modalities:
            captions = shapes_training_captions(**data_args)
            vectorizer = preprocessing.text_vectorizer(captions, sequence_length=TEXT_SEQUENCE_LENGTH)
        return {"modalities": modalities, "num_classes": len(self.class_names), "vectorizer": vectorizer,
                "image_shape": self.image_shape or (64, 64, 3)}

    @property
    def compile_arguments(self) -> dict:
        return {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}

    def evaluate(self, model, dataset) -> dict:
        return evaluate_classifier(model, dataset, self.class_names)


def shapes_training_captions(size="default", seed=0, home=None) -> list[str]:
    """Captions and reference captions of Shapes `train`: what the text vectorizer adapts on."""
    texts = []
    for record in views.shapes_world_records("train", "scenes", size, seed, home).as_numpy_iterator():
        texts += [t.decode() for t in record["references"]]
    return texts


def _shapes_count(split, size="default", seed=0, home=None):
    return 2 * build.shapes_world_sizes(size)[split]  # a positive and a negative per scene


def _avdigits_count(split, fsdd_dir=None, seed=0, home=None):
    first, last = build.AVDIGITS_IMAGE_SPLITS[split]
    return (last - first) * build.AVDIGITS_PAIRS_PER_IMAGE[split]


TASKS = {
    task.name: task for task in (
        ClassificationTask(
            "shapes_image_text_matching", "Does the caption describe the Shapes World scene?",
            ("image", "text"), ("mismatch", "match"), (64, 64, 3), views.image_text_matching, _shapes_count,
            ("train", "validation", "test", "compositional")),
        ClassificationTask(
            "shapes_text_audio_matching", "Is the spoken caption the written one?",
            ("text", "audio"), ("mismatch", "match"), None, views.text_audio_matching, _shapes_count,
            ("train", "validation", "test", "compositional")),
        ClassificationTask(
            "avdigits", "Which digit: a handwritten image and a spoken word of the same label.",
            ("image", "audio"), DIGIT_WORDS, (build.AVDIGITS_IMAGE_SIZE,) * 2 + (1,),
            views.avdigits_classification, _avdigits_count),
    )
}


def register_task(task):
    """Make a task (see the protocol above) trainable by name."""
    TASKS[task.name] = task


def get_task(name):
    if name not in TASKS:
        raise ValueError(f"task: {name!r} is not one of {sorted(TASKS)}")
    return TASKS[name]
