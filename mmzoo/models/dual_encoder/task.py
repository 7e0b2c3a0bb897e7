"""Image-text retrieval: a scene's image and its caption into one embedding space."""

from __future__ import annotations

import dataclasses

import tensorflow as tf

from mmzoo.data import views
from mmzoo.evaluation import retrieval
from mmzoo.models.task import Endpoint, Task


@dataclasses.dataclass(frozen=True, kw_only=True)
class RetrievalTask(Task):
    """Image and caption into one space (a dual encoder): the dataset pairs each scene's image
    with its caption, the target being the caption's id. Judged by recall@1/5/10 both ways
    among `retrieval.RETRIEVAL_POOL` scenes and by zero-shot attribute accuracy
    (`mmzoo.evaluation.retrieval`). Its SavedModel answers `serving_default` (the cosine
    similarity of each image and caption pair, and both embeddings), `embed_image` (encoded
    image bytes) and `embed_text` (text)."""

    splits: tuple = ("train", "validation", "test", "compositional")
    modalities: tuple = ("image", "text")

    def builder_arguments(self, model_args, data_args) -> dict:
        return {"vectorizer": views.shapes_text_vectorizer(data_args, model_args.get("tokenizer", "words")),
                "image_shape": (64, 64, 3)}

    def serving_signatures(self, model) -> dict:
        def embeddings(features):
            outputs = model({"image": features["image"], "text": features["text"]}, training=False)
            similarity = tf.reduce_sum(outputs["image_embedding"] * outputs["text_embedding"], axis=-1)
            return {"similarity": similarity, "image_embedding": outputs["image_embedding"],
                    "text_embedding": outputs["text_embedding"]}

        return {"serving_default": embeddings,
                "embed_image": Endpoint(lambda features: {"embedding": model.image_encoder(
                    features["image"], training=False)}, raw_inputs=("image",)),
                "embed_text": Endpoint(lambda features: {"embedding": model.text_encoder(
                    features["text"], training=False)}, raw_inputs=("text",))}

    def evaluate(self, model, split, batch_size, **data_args) -> dict:
        dataset = views.image_caption_pairs(split, batch_size, shuffle=False, with_references=True, **data_args)
        images, texts, captions, references = retrieval.embed_dataset(model, dataset)
        return {**retrieval.retrieval_metrics(images, texts, captions, references),
                "zero_shot": retrieval.zero_shot_attributes(retrieval.text_embedder(model), images, captions)}

    def headline(self, metrics: dict) -> str:
        return (f"recall@1 text to image {metrics['text_to_image']['recall_at_1']:.4f}, image to text "
                f"{metrics['image_to_text']['recall_at_1']:.4f} among {metrics['examples']}")


TASKS = (
    RetrievalTask(
        name="shapes_image_text_retrieval", description="Find the Shapes World scene a caption describes, and the "
        "caption of a scene, in one embedding space.", view=views.image_caption_pairs,
        count=views.shapes_scene_count),
)
