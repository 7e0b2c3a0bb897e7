"""Masked language modelling on captions: text without labels."""

from __future__ import annotations

import dataclasses

import numpy as np

from mmzoo.data import views
from mmzoo.models.task import Task

EVALUATION_SEED = 1234  # the masking scored: the same pieces for every model compared


@dataclasses.dataclass(frozen=True, kw_only=True)
class MaskedCaptionsTask(Task):
    """Captions (both languages with `language="both"`) for a masked language model. Judged by
    how many masked pieces it recovers (top-1, masking drawn from `EVALUATION_SEED`). Its
    SavedModel's `serving_default` encodes text: `pooled_output` and `sequence_output`."""

    modalities: tuple = ("text",)
    splits: tuple = ("train", "validation", "test")

    def builder_arguments(self, model_args, data_args) -> dict:
        return {"vectorizer": views.shapes_text_vectorizer(data_args, "wordpiece")}

    def serving_signatures(self, model) -> dict:
        def encode(features):
            outputs = model.encoder(model.encoder_inputs(model.vectorizer(features["text"])), training=False)
            return {"pooled_output": outputs["pooled_output"], "sequence_output": outputs["sequence_output"]}

        return {"serving_default": encode}

    def evaluate(self, model, split, batch_size, **data_args) -> dict:
        right = chosen = 0.0
        captions = 0
        for features, _ in self.dataset(split, batch_size, shuffle=False, **data_args):
            captions += len(features["text"])
            ids, picked, logits = model.masked_predictions(features["text"], EVALUATION_SEED)
            picked = np.asarray(picked)
            right += float(np.sum((np.argmax(logits, axis=-1) == np.asarray(ids)) * picked))
            chosen += float(np.sum(picked))
        return {"masked_piece_accuracy": right / chosen, "masked_pieces": int(chosen), "examples": captions}

    def headline(self, metrics: dict) -> str:
        return f"masked piece accuracy {metrics['masked_piece_accuracy']:.4f} of {metrics['masked_pieces']}"


TASKS = (
    MaskedCaptionsTask(
        name="shapes_masked_captions", description="Recover the masked word pieces of Shapes World captions.",
        view=views.captions, count=views.shapes_scene_count),
)
