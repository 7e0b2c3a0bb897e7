"""Cross-modal retrieval and zero-shot classification with a dual encoder's embeddings.

Recall@k, text to image: for each scene's caption, are any of the k images ranked nearest one
it describes? An image is right for a caption when the caption is among its scene's reference
captions: a scene with the same caption, or with the mirrored one ("a b right of a a" for "a a
left of a b"), is as right as the scene the caption came from. Image to text: the same, from
each image over the pool's captions.
"""

from __future__ import annotations

import itertools

import numpy as np
import tensorflow as tf

RECALL_AT = (1, 5, 10)
RETRIEVAL_POOL = 1000  # scenes per split, as the issue and CLIP-style benchmarks count them
SIZES, COLOURS, SHAPES = ("small", "large"), ("red", "green", "blue", "yellow", "purple", "orange"), (
    "circle", "square", "triangle")


def embed_dataset(model, dataset, pool=RETRIEVAL_POOL):
    """The first `pool` examples of `dataset` (features with image, text, references):
    unit image and text embeddings, captions and reference sets."""
    images, texts, captions, references = [], [], [], []
    for features, _ in dataset:
        outputs = model({"image": features["image"], "text": features["text"]}, training=False)
        images.append(outputs["image_embedding"].numpy())
        texts.append(outputs["text_embedding"].numpy())
        captions += [c.decode() for c in features["text"].numpy()]
        references += [{r.decode() for r in row if r} for row in features["references"].numpy()]
        if len(captions) >= pool:
            break
    return (np.concatenate(images)[:pool], np.concatenate(texts)[:pool], captions[:pool], references[:pool])


def recall_at_k(similarity, relevant, ks=RECALL_AT) -> dict:
    """The fraction of queries (rows of `similarity`, [queries, candidates]) with a relevant
    candidate among their k most similar, per k."""
    order = np.argsort(-similarity, axis=1, kind="stable")
    hits = np.take_along_axis(relevant, order, axis=1)
    return {f"recall_at_{k}": round(float(np.mean(hits[:, :k].any(axis=1))), 4) for k in ks}


def retrieval_metrics(image_embeddings, text_embeddings, captions, references) -> dict:
    """Recall@1/5/10 both ways over a pool of scenes (module docstring)."""
    describes = np.array([[caption in refs for refs in references] for caption in captions])  # [caption, image]
    similarity = text_embeddings @ image_embeddings.T
    return {"examples": len(captions),
            "text_to_image": recall_at_k(similarity, describes),
            "image_to_text": recall_at_k(similarity.T, describes.T)}


def attribute_prompts(attribute):
    """Per value of `attribute` (size, colour or shape), the captions of one object with that
    value, over every value of the other two: an ensemble of prompts, as CLIP averages its."""
    values = {"size": SIZES, "colour": COLOURS, "shape": SHAPES}
    prompts = {}
    for value in values[attribute]:
        choices = [(value,) if name == attribute else values[name] for name in ("size", "colour", "shape")]
        prompts[value] = [f"a {size} {colour} {shape}" for size, colour, shape in itertools.product(*choices)]
    return prompts


def zero_shot_attributes(embed_text, image_embeddings, captions) -> dict:
    """Accuracy of reading each attribute of the one-object scenes of a pool from their image
    embeddings alone, by the nearest prompt ensemble (`attribute_prompts`): no classifier is
    trained on the attributes. `embed_text`: a list of strings -> unit embeddings."""
    single = [i for i, caption in enumerate(captions) if len(caption.split()) == 4]
    truth = [captions[i].split()[1:] for i in single]  # size, colour, shape
    results = {"examples": len(single)}
    for position, attribute in enumerate(("size", "colour", "shape")):
        prompts = attribute_prompts(attribute)
        values = list(prompts)
        centroids = np.stack([_unit(embed_text(prompts[value]).mean(axis=0)) for value in values])
        predicted = np.argmax(image_embeddings[single] @ centroids.T, axis=1)
        right = [values[p] == t[position] for p, t in zip(predicted, truth)]
        results[attribute] = {"accuracy": round(float(np.mean(right)), 4) if right else None,
                              "chance": round(1 / len(values), 4)}
    return results


def _unit(vector):
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def text_embedder(model):
    """Strings -> the dual encoder's unit text embeddings, as NumPy."""
    return lambda texts: model.text_encoder(tf.constant(list(texts)), training=False).numpy()
