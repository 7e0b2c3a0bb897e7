"""The judge: a classifier of real Shapes World images that reads each object's shape, colour
and size and the relation between them, and scores a generated image against its caption.

A two-object scene reads the same either way round ("a red circle left of a blue square" is
"a blue square right of a red circle"), so the judge reads it in one canonical order: the
left (or upper) object first, the relation `left of` or `above`. A caption is brought into
that order before it is compared.

    attributes = caption_attributes("a small blue square right of a large red circle")
    # {"relation": "left of", "first_shape": "circle", ..., "second_shape": "square", ...}
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from mmzoo.data import shapes_world as spec

NONE = "none"
CANONICAL_RELATIONS = (NONE, "left of", "above")
_SLOT_VALUES = {"shape": spec.SHAPES, "colour": spec.COLOUR_NAMES, "size": spec.SIZE_NAMES}
ATTRIBUTE_VALUES = {
    "relation": CANONICAL_RELATIONS,
    **{f"first_{kind}": values for kind, values in _SLOT_VALUES.items()},
    **{f"second_{kind}": (NONE,) + values for kind, values in _SLOT_VALUES.items()},
}
ATTRIBUTES = tuple(ATTRIBUTE_VALUES)
ONE_OBJECT_ATTRIBUTES = ("relation", "first_shape", "first_colour", "first_size")


def _objects_and_relation(caption: str):
    words = caption.split()
    if len(words) == 4:
        return [words[1:4]], NONE
    relation = " ".join(words[4:-4])
    if len(words) < 9 or words[0] != "a" or words[-4] != "a" or relation not in spec.RELATIONS:
        raise ValueError(f"caption: {caption!r} is not a Shapes World caption")
    first, second = words[1:4], words[-3:]
    if relation in ("right of", "below"):
        first, second, relation = second, first, spec.MIRRORED_RELATION[relation]
    return [first, second], relation


def caption_attributes(caption: str) -> dict[str, str]:
    """The attributes a caption names, in the judge's canonical order (see the module doc)."""
    objects, relation = _objects_and_relation(caption)
    attributes = {"relation": relation}
    for slot, words in zip(("first", "second"), objects + [[NONE] * 3]):
        size, colour, shape = words
        attributes.update({f"{slot}_shape": shape, f"{slot}_colour": colour, f"{slot}_size": size})
    for name, value in attributes.items():
        if value not in ATTRIBUTE_VALUES[name]:
            raise ValueError(f"caption: {caption!r} names {value!r}, which is no {name.split('_')[-1]}")
    return attributes


def scored_attributes(attributes: dict) -> tuple[str, ...]:
    """The attributes a caption is scored on: the relation (which also checks the number of
    objects) and the shape, colour and size of each object it names."""
    return ONE_OBJECT_ATTRIBUTES if attributes["relation"] == NONE else ATTRIBUTES


def scene_attribute_labels(record) -> dict:
    """A Shapes World record's attributes as class ids per judge output, in canonical order (tf)."""
    relation = record["relation"]
    two_objects = tf.size(record["shapes"]) == 2
    swap = tf.logical_or(tf.equal(relation, "right of"), tf.equal(relation, "below"))
    order = tf.cond(swap, lambda: tf.constant([1, 0]), lambda: tf.constant([0, 1]))
    canonical = tf.where(tf.equal(relation, "right of"), "left of", tf.where(tf.equal(relation, "below"),
                                                                              "above", relation))
    labels = {"relation": _class_id(tf.where(two_objects, canonical, NONE), "relation")}
    for kind, field in (("shape", "shapes"), ("colour", "colours"), ("size", "sizes")):
        values = tf.concat([record[field], [NONE]], axis=0)
        first = tf.gather(values, order[0])
        second = tf.where(two_objects, tf.gather(values, order[1]), NONE)
        labels[f"first_{kind}"] = _class_id(first, f"first_{kind}")
        labels[f"second_{kind}"] = _class_id(second, f"second_{kind}")
    return labels


def _class_id(value, attribute):
    return tf.argmax(tf.cast(tf.equal(tf.constant(ATTRIBUTE_VALUES[attribute]), value), tf.int32),
                     output_type=tf.int32)


def shapes_judge(image_shape=(64, 64, 3), filters=32, width=256, dropout=0.3):
    """A VGG-style CNN whose flattened 4 x 4 map (flattened, so it keeps where things are) feeds
    one softmax per attribute: `image` float [64, 64, 3] in [0, 1] to {attribute: probabilities}.

    Args:
        image_shape: [H, W, 3] of the images (four poolings: a multiple of 16).
        filters: of the first conv block, doubling to four times that.
        width: of the dense layer the softmaxes read.
        dropout: before it.
    """
    image = keras.Input(shape=tuple(image_shape), name="image")
    x = image
    for block, block_filters in enumerate((filters, 2 * filters, 4 * filters, 4 * filters)):
        for layer in range(2):
            x = keras.layers.Conv2D(block_filters, 3, padding="same", use_bias=False,
                                    name=f"block{block}_conv{layer}")(x)
            x = keras.layers.BatchNormalization(name=f"block{block}_norm{layer}")(x)
            x = keras.layers.ReLU(name=f"block{block}_relu{layer}")(x)
        x = keras.layers.MaxPooling2D(name=f"block{block}_pool")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dropout(dropout, name="dropout")(x)
    x = keras.layers.Dense(width, activation="relu", name="scene")(x)
    outputs = {name: keras.layers.Dense(len(values), activation="softmax", dtype="float32", name=name)(x)
               for name, values in ATTRIBUTE_VALUES.items()}
    return keras.Model({"image": image}, outputs, name="shapes_judge")


def read_attributes(probabilities: dict) -> list[dict[str, str]]:
    """The judge's outputs (probabilities per attribute, numpy or tf) as one dict per image."""
    return attributes_of_ids({name: np.argmax(np.asarray(probabilities[name]), axis=-1) for name in ATTRIBUTES})


def attributes_of_ids(ids: dict) -> list[dict[str, str]]:
    """Class ids per attribute ([batch] each, numpy or tf) as one dict of values per image."""
    ids = {name: np.asarray(ids[name]) for name in ATTRIBUTES}
    return [{name: ATTRIBUTE_VALUES[name][ids[name][i]] for name in ATTRIBUTES} for i in range(len(ids["relation"]))]


def describe(attributes: dict) -> str:
    """The caption of what the judge read (canonical order)."""
    first = f"a {attributes['first_size']} {attributes['first_colour']} {attributes['first_shape']}"
    if attributes["relation"] == NONE:
        return first
    second = f"a {attributes['second_size']} {attributes['second_colour']} {attributes['second_shape']}"
    return f"{first} {attributes['relation']} {second}"


def attribute_words(probabilities: dict) -> dict:
    """The judge's reading inside a graph: per attribute, [batch] strings."""
    return {name: tf.gather(tf.constant(ATTRIBUTE_VALUES[name]), tf.argmax(probabilities[name], axis=-1))
            for name in ATTRIBUTES}


def describe_in_graph(words: dict):
    """`describe` inside a graph, of `attribute_words`: [batch] strings, for the judge's SavedModel."""

    def phrase(slot):
        return tf.strings.join(["a", words[f"{slot}_size"], words[f"{slot}_colour"], words[f"{slot}_shape"]], " ")

    two = tf.strings.join([phrase("first"), words["relation"], phrase("second")], " ")
    return tf.where(tf.equal(words["relation"], NONE), phrase("first"), two)


class AttributeTally:
    """Attribute accuracy of images against their captions, as the judge reads them: the share
    of all scored attributes read right, per attribute, and the share of images read wholly right."""

    def __init__(self):
        self.right = {name: 0 for name in ATTRIBUTES}
        self.scored = {name: 0 for name in ATTRIBUTES}
        self.examples = 0
        self.all_right = 0

    def add(self, expected: list[dict], read: list[dict]):
        for wanted, got in zip(expected, read, strict=True):
            names = scored_attributes(wanted)
            right = [wanted[name] == got[name] for name in names]
            for name, ok in zip(names, right):
                self.right[name] += ok
                self.scored[name] += 1
            self.examples += 1
            self.all_right += all(right)

    def metrics(self) -> dict:
        scored = sum(self.scored.values())
        return {"attribute_accuracy": sum(self.right.values()) / max(scored, 1),
                "all_attributes_right": self.all_right / max(self.examples, 1),
                "per_attribute": {name: self.right[name] / self.scored[name] for name in ATTRIBUTES
                                  if self.scored[name]},
                "examples": self.examples}
