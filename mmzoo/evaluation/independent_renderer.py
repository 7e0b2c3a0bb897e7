"""A second Shapes World renderer, written from the spec alone and sharing no code with
`mmzoo.data.shapes_world`: PIL's rasteriser instead of coverage masks, its own sampling
(centres first, per-channel uniform jitter, 3x supersampling). Models of the zoo are judged
on its scenes to show that they learned the spec, not mmzoo's drawing habits.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

CANVAS = 64
PALETTE = {
    "red": (220, 40, 40), "green": (40, 170, 60), "blue": (40, 80, 220),
    "yellow": (235, 205, 30), "purple": (150, 50, 190), "orange": (245, 130, 20),
}
FIGURES = ("circle", "square", "triangle")
SIDE_RANGES = {"small": (12, 16), "large": (22, 28)}
UNSEEN_IN_TRAINING = {("purple", "triangle"), ("orange", "circle")}


def _box_for(figure, side, cx, cy):
    height = round(side * math.sqrt(3) / 2) if figure == "triangle" else side
    x0, y0 = int(round(cx - side / 2)), int(round(cy - height / 2))
    return x0, y0, x0 + side, y0 + height


def _relation(a, b):
    ax, ay = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    bx, by = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    horizontal, vertical = ax - bx, ay - by
    if abs(horizontal) >= 12 and abs(horizontal) > abs(vertical):
        return "right of" if horizontal > 0 else "left of"
    if abs(vertical) >= 12 and abs(vertical) > abs(horizontal):
        return "below" if vertical > 0 else "above"
    return None


def _apart(a, b):
    return max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3]) >= 2


def _draw(draw, figure, box, rgb, scale):
    x0, y0, x1, y1 = (v * scale for v in box)
    if figure == "square":
        draw.rectangle([x0, y0, x1 - 1, y1 - 1], fill=rgb)
    elif figure == "circle":
        draw.ellipse([x0, y0, x1 - 1, y1 - 1], fill=rgb)
    else:
        draw.polygon([((x0 + x1) / 2, y0), (x1 - 1, y1 - 1), (x0, y1 - 1)], fill=rgb)


def random_scene(rng: np.random.Generator, compositional=False, objects=None):
    """(image uint8 [64, 64, 3], annotation dict) for a random scene that follows the spec."""
    count = objects or int(rng.choice([1, 2]))
    while True:
        items = []
        for k in range(count):
            colour, figure = str(rng.choice(list(PALETTE))), str(rng.choice(FIGURES))
            if compositional and k == 0:
                colour, figure = sorted(UNSEEN_IN_TRAINING)[int(rng.integers(2))]
            elif not compositional and (colour, figure) in UNSEEN_IN_TRAINING:
                break
            size = str(rng.choice(list(SIDE_RANGES)))
            side = int(rng.integers(SIDE_RANGES[size][0], SIDE_RANGES[size][1] + 1))
            margin = side / 2 + 1
            box = _box_for(figure, side, rng.uniform(margin, CANVAS - margin), rng.uniform(margin, CANVAS - margin))
            if min(box) < 0 or max(box) > CANVAS:
                break
            rgb = tuple(int(np.clip(c + rng.integers(-20, 21), 0, 255)) for c in PALETTE[colour])
            items.append((figure, colour, size, box, rgb))
        if len(items) != count:
            continue
        if count == 2:
            (fa, ca, *_), (fb, cb, *_) = items
            if (fa, ca) == (fb, cb) or not _apart(items[0][3], items[1][3]):
                continue
            if _relation(items[0][3], items[1][3]) is None:
                continue
        break
    scale = 3 if rng.random() < 0.5 else 1
    grey = int(rng.integers(215, 246))
    canvas = Image.new("RGB", (CANVAS * scale, CANVAS * scale), (grey,) * 3)
    draw = ImageDraw.Draw(canvas)
    for figure, _, _, box, rgb in items:
        _draw(draw, figure, box, rgb, scale)
    image = np.asarray(canvas.resize((CANVAS, CANVAS), Image.BOX) if scale > 1 else canvas).astype(np.int32)
    sigma = rng.uniform(0, 8) if rng.random() < 0.5 else 0.0
    if sigma:
        noise = np.round(rng.normal(0, sigma, (CANVAS, CANVAS))).astype(np.int32)
        is_background = np.all(image == grey, axis=-1)
        image[is_background] = np.clip(grey + noise[is_background], 215, 245)[:, None]
    phrases = [f"a {size} {colour} {figure}" for figure, colour, size, _, _ in items]
    relation = _relation(items[0][3], items[1][3]) if count == 2 else ""
    return image.astype(np.uint8), {
        "shapes": [i[0] for i in items], "colours": [i[1] for i in items], "sizes": [i[2] for i in items],
        "boxes": [v for i in items for v in i[3]], "relation": relation,
        "caption": f"{phrases[0]} {relation} {phrases[1]}" if count == 2 else phrases[0],
    }


RELATION_NAMES = ("left of", "right of", "above", "below")
MIRRORED = {"left of": "right of", "right of": "left of", "above": "below", "below": "above"}
WITH_IS = {"left of": "is to the left of", "right of": "is to the right of", "above": "is above", "below": "is below"}


def reference_captions(annotation: dict) -> list[str]:
    """The spec's reference captions of a scene: the caption and, with two objects, its mirror
    and the forms of both with `is to the left of` / `is to the right of` / `is above` / `is below`."""
    phrases = [f"a {size} {colour} {shape}" for shape, colour, size in
               zip(annotation["shapes"], annotation["colours"], annotation["sizes"])]
    if len(phrases) == 1:
        return phrases
    first, second, relation = phrases[0], phrases[1], annotation["relation"]
    mirrored = MIRRORED[relation]
    return [f"{first} {relation} {second}", f"{second} {mirrored} {first}",
            f"{first} {WITH_IS[relation]} {second}", f"{second} {WITH_IS[mirrored]} {first}"]


def false_caption(annotation: dict, rng: np.random.Generator) -> str:
    """The scene's caption with one attribute changed (a shape, colour or size of one object,
    or the relation): a hard negative, built from this module's own vocabulary."""
    shapes, colours, sizes = list(annotation["shapes"]), list(annotation["colours"]), list(annotation["sizes"])
    kinds = ["shape", "colour", "size"] + (["relation"] if annotation["relation"] else [])
    kind, k = str(rng.choice(kinds)), int(rng.integers(len(shapes)))
    relation = annotation["relation"]
    if kind == "shape":
        shapes[k] = str(rng.choice([s for s in FIGURES if s != shapes[k]]))
    elif kind == "colour":
        colours[k] = str(rng.choice([c for c in PALETTE if c != colours[k]]))
    elif kind == "size":
        sizes[k] = "small" if sizes[k] == "large" else "large"
    else:
        relation = str(rng.choice([r for r in RELATION_NAMES if r != relation]))
    phrases = [f"a {size} {colour} {shape}" for shape, colour, size in zip(shapes, colours, sizes)]
    return f"{phrases[0]} {relation} {phrases[1]}" if len(phrases) == 2 else phrases[0]


def matching_examples(count: int, seed: int = 0, compositional=False):
    """`count` scenes, each twice: with its caption (label 1) and with a false caption (0).

    Returns (images uint8 [2 * count, 64, 64, 3], captions, labels). A false caption is never
    true of its scene: the two objects differ in shape or colour, so a changed attribute
    describes an object that is not there, and the relation of two objects is unique."""
    rng = np.random.default_rng(seed)
    images, captions, labels = [], [], []
    for _ in range(count):
        image, annotation = random_scene(rng, compositional=compositional)
        negative = false_caption(annotation, rng)
        images += [image, image]
        captions += [annotation["caption"], negative]
        labels += [1, 0]
    return np.stack(images), captions, np.array(labels)
