"""The toy task: does a phrase of colour words name red? Its data is made here, seeded."""

import dataclasses

import numpy as np
import tensorflow as tf

from mmzoo.data import preprocessing
from mmzoo.evaluation.classification import evaluate_classifier
from mmzoo.models.fusion.task import classification_outputs
from mmzoo.models.task import Task

WORDS = ("red", "green", "blue", "yellow", "purple")
SPLIT_SEEDS = {"train": 0, "validation": 1, "test": 2}
EXAMPLES = 96


def phrases(split, seed=0):
    """(phrases of 1-4 colour words, whether "red" is among them) of one split."""
    rng = np.random.default_rng([SPLIT_SEEDS[split], seed])
    texts = [" ".join(rng.choice(WORDS, size=rng.integers(1, 5))) for _ in range(EXAMPLES)]
    return texts, np.array(["red" in text.split() for text in texts], "int32")


def red_words(split, batch_size, shuffle=None, drop_remainder=False, seed=0):
    texts, labels = phrases(split, seed)
    dataset = tf.data.Dataset.from_tensor_slices(({"text": texts}, labels))
    if split == "train" if shuffle is None else shuffle:
        dataset = dataset.shuffle(EXAMPLES, seed=seed)
    return dataset.batch(batch_size, drop_remainder=drop_remainder)


@dataclasses.dataclass(frozen=True, kw_only=True)
class WordSpottingTask(Task):
    class_names: tuple = ("no", "yes")
    modalities: tuple = ("text",)

    def builder_arguments(self, model_args, data_args):
        texts, _ = phrases("train", **data_args)
        return {"vectorizer": preprocessing.text_vectorizer(texts, sequence_length=4),
                "num_classes": len(self.class_names)}

    def compile_arguments(self, model):
        return {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}

    def serving_signatures(self, model):
        postprocess = classification_outputs(self.class_names)
        return {"serving_default": lambda features: postprocess(model(features, training=False))}

    def evaluate(self, model, split, batch_size, **data_args):
        return evaluate_classifier(model, self.dataset(split, batch_size, shuffle=False, **data_args), self.class_names)

    def headline(self, metrics):
        return f"accuracy {metrics['accuracy']:.4f}"

    def card(self):
        return {**super().card(), "class_names": list(self.class_names)}


TASKS = (WordSpottingTask(name="toy_red_words", description="Does the phrase name red?", view=red_words,
                          count=lambda split, seed=0: EXAMPLES),)
