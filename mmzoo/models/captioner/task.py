"""Captioning tasks: Shapes World scenes, or your own captioned images (Flickr8k or COCO layout)."""

from __future__ import annotations

import dataclasses
from typing import Callable

import keras

from mmzoo.data import preprocessing, views
from mmzoo.evaluation.captioning import caption_metrics
from mmzoo.evaluation.sequences import greedy_and_beam_metrics
from mmzoo.models import teacher_forcing
from mmzoo.models.captioner import model as captioner
from mmzoo.models.task import Task, data_key

CAPTION_BEAM_WIDTH = 4
MAX_CAPTION_WORDS = 40  # longer captions are cut (and lose their end token)
CAPTION_LENGTH_PENALTY = 0.6
_caption_vectorizers = {}


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaptioningTask(Task):
    """Image to caption. The dataset gives the model the image and the caption it reads
    (teacher forcing) and, as the target, the caption's word ids and end token; evaluation
    decodes in the graph (greedy and beam search) and scores against every reference.

    Args:
        training_captions: `training_captions(**data_args)` -> the captions the vectorizer
            adapts on.
        max_words: the longest caption the vectorizer keeps; None: the longest in training.
        image_shape: the images' shape; None: `data_args["image_size"]`.
    """

    training_captions: Callable
    max_words: int | None = None
    image_shape: tuple | None = (64, 64, 3)
    modalities: tuple = ("image",)

    def vectorizer(self, **data_args):
        """Adapted once per data (the model and the dataset must share it)."""
        key = data_key(self.name, data_args)
        if key not in _caption_vectorizers:
            captions = self.training_captions(**data_args)
            max_words = self.max_words or min(MAX_CAPTION_WORDS, max(len(c.split()) for c in captions))
            _caption_vectorizers[key] = preprocessing.text_vectorizer(
                captions, sequence_length=max_words + 1, on_unknown="unk", name="caption_vectorizer")
        return _caption_vectorizers[key]

    def dataset(self, split, batch_size, shuffle=None, drop_remainder=False, inputs=None, **data_args):
        targets = captioner.caption_targets(self.vectorizer(**data_args))
        dataset = self.counted_view(split, batch_size, shuffle, drop_remainder, **data_args)
        return dataset.map(lambda features, caption: (
            {"image": features["image"], "caption": caption}, targets(caption)))

    def builder_arguments(self, model_args, data_args) -> dict:
        image_shape = self.image_shape or tuple(data_args.get("image_size", (64, 64))) + (3,)
        return {"vectorizer": self.vectorizer(**data_args), "image_shape": image_shape}

    def compile_arguments(self, model) -> dict:
        return {"loss": teacher_forcing.sequence_loss,
                "metrics": [keras.metrics.MeanMetricWrapper(teacher_forcing.next_token_accuracy, name="accuracy")]}

    def serving_signatures(self, model, beam_width=CAPTION_BEAM_WIDTH, length_penalty=CAPTION_LENGTH_PENALTY) -> dict:
        """`serving_default`: beam search of `beam_width`, length penalty alpha `length_penalty`;
        `greedy`: greedy decoding. Each gives per image the caption, its score (length-normalised
        log-probability) and log-probability."""
        decode = captioner.CaptionDecoder(model)

        def signature(width):
            def predict(features):
                decoded = decode(features["image"], beam_width=width, alpha=length_penalty)
                return {key: decoded[key] for key in ("caption", "score", "log_probability")}
            return predict

        return {"serving_default": signature(beam_width), "greedy": signature(1)}

    def evaluate(self, model, split, batch_size, **data_args) -> dict:
        """Greedy and beam-search captions of the split, scored against all references."""
        decode = captioner.CaptionDecoder(model)
        batches = ((features["image"], [[r.decode() for r in row if r] for row in features["references"].numpy()])
                   for features, _ in self.view(split, batch_size=batch_size, shuffle=False, with_references=True,
                                                **data_args))
        return greedy_and_beam_metrics(
            batches, lambda images, width: decode(images, beam_width=width, alpha=CAPTION_LENGTH_PENALTY)["caption"],
            caption_metrics, CAPTION_BEAM_WIDTH, "references")

    def headline(self, metrics: dict) -> str:
        beam = metrics.get("beam", {})
        return (f"BLEU-4 {metrics['bleu_4']:.4f}, exact match {metrics['exact_match']:.4f} (greedy)"
                + (f"; BLEU-4 {beam['bleu_4']:.4f}, exact match {beam['exact_match']:.4f} (beam)" if beam else ""))


TASKS = (
    CaptioningTask(
        name="shapes_captioning", description="Describe the Shapes World scene in one caption.",
        view=views.captioning, count=views.shapes_scene_count, training_captions=views.shapes_training_captions,
        max_words=13, splits=("train", "validation", "test", "compositional")),
    CaptioningTask(
        name="caption_files", description="Describe the image: your own captioned images in Flickr8k or COCO "
        "layout (data_args: format, splits, image_size).", view=views.caption_files, count=views.caption_files_count,
        training_captions=views.caption_files_training_captions, image_shape=None, required_data_args=("splits",)),
)
