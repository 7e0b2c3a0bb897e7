"""Classification tasks of the fusion classifiers (and of a distiller's student): does a
caption match a scene, does a spoken caption match a written one, which digit is this."""

from __future__ import annotations

import dataclasses

import tensorflow as tf

from mmzoo.data import build, views
from mmzoo.data.readers import DIGIT_WORDS
from mmzoo.evaluation.classification import evaluate_classifier
from mmzoo.models.task import Task, shipped_model


def classification_outputs(class_names):
    """Outputs of a classifier: probabilities, the class id and name, and its probability."""
    names = tf.constant(list(class_names))

    def postprocess(probabilities):
        class_id = tf.argmax(probabilities, axis=-1, output_type=tf.int32)
        return {"probabilities": probabilities, "class_id": class_id,
                "class_name": tf.gather(names, class_id), "score": tf.reduce_max(probabilities, axis=-1)}

    return postprocess


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClassificationTask(Task):
    """Raw modalities to one of `class_names`; sparse categorical cross-entropy, accuracy.

    Args:
        class_names: the classes by id, as the SavedModel names them.
        image_shape: the images' shape; None where the task has no images.
    """

    modalities: tuple
    class_names: tuple
    image_shape: tuple | None

    def builder_arguments(self, model_args, data_args) -> dict:
        """The modalities (a subset for an ablation), classes, image shape, and a text vectorizer
        adapted on the training captions when text is read."""
        modalities = tuple(model_args.get("modalities", self.modalities))
        vectorizer = (views.shapes_text_vectorizer(data_args, model_args.get("tokenizer", "words"))
                      if "text" in modalities else None)
        return {"modalities": modalities, "num_classes": len(self.class_names), "vectorizer": vectorizer,
                "image_shape": self.image_shape or (64, 64, 3)}

    def compile_arguments(self, model) -> dict:
        return {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}

    def serving_signatures(self, model) -> dict:
        """What the exported SavedModel answers: class probabilities, id, name and score."""
        postprocess = classification_outputs(self.class_names)
        return {"serving_default": lambda features: postprocess(model(features, training=False))}

    def evaluate(self, model, split, batch_size, **data_args) -> dict:
        model = shipped_model(model)
        inputs = [tensor.name for tensor in model.inputs]
        dataset = self.dataset(split, batch_size, shuffle=False, inputs=inputs, **data_args)
        return evaluate_classifier(model, dataset, self.class_names)

    def headline(self, metrics: dict) -> str:
        return f"accuracy {metrics['accuracy']:.4f}"

    def card(self) -> dict:
        return {**super().card(), "class_names": list(self.class_names)}


SHAPES_SPLITS = ("train", "validation", "test", "compositional")
TASKS = (
    ClassificationTask(
        name="shapes_image_text_matching", description="Does the caption describe the Shapes World scene?",
        modalities=("image", "text"), class_names=("mismatch", "match"), image_shape=(64, 64, 3),
        view=views.image_text_matching, count=views.shapes_matching_count, splits=SHAPES_SPLITS),
    ClassificationTask(
        name="shapes_text_audio_matching", description="Is the spoken caption the written one?",
        modalities=("text", "audio"), class_names=("mismatch", "match"), image_shape=None,
        view=views.text_audio_matching, count=views.shapes_matching_count, splits=SHAPES_SPLITS),
    ClassificationTask(
        name="avdigits", description="Which digit: a handwritten image and a spoken word of the same label.",
        modalities=("image", "audio"), class_names=DIGIT_WORDS, image_shape=(build.AVDIGITS_IMAGE_SIZE,) * 2 + (1,),
        view=views.avdigits_classification, count=views.avdigits_count),
)
