"""Read a Shapes World scene back from its pixels, and check an image against the spec.

Works on any renderer's output: it knows only what `shapes-world.md` fixes (grey
background, canonical colours within the jitter, the three shapes' fill ratios, the size
ranges, the relation rule), not how mmzoo draws.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import ndimage

from mmzoo.data import shapes_world as spec

OBJECT_SPREAD = 40  # max - min channel: 0 for grey, >= 90 for any jittered spec colour
CORE_SPREAD = 80
MIN_OBJECT_PIXELS = 40
SQUARE_MIN_FILL, CIRCLE_MIN_FILL = 0.9, 0.65
SIZE_BOUNDARY = 19  # between small (<= 16) and large (>= 22)


@dataclasses.dataclass(frozen=True)
class DetectedObject:
    shape: str
    colour: str
    size: str
    box: tuple[int, int, int, int]
    mean_rgb: tuple[float, float, float]

    @property
    def centre(self):
        x0, y0, x1, y1 = self.box
        return (x0 + x1) / 2, (y0 + y1) / 2

    @property
    def phrase(self):
        return f"a {self.size} {self.colour} {self.shape}"


def _spread(image):
    image = image.astype(np.int32)
    return image.max(axis=-1) - image.min(axis=-1)


def nearest_colour(rgb) -> str:
    distances = {name: np.linalg.norm(np.asarray(rgb) - np.asarray(c)) for name, c in spec.COLOURS.items()}
    return min(distances, key=distances.get)


def detect_objects(image: np.ndarray) -> list[DetectedObject]:
    """The coloured objects of a 64 x 64 x 3 uint8 scene, top-left first."""
    spread = _spread(image)
    labels, count = ndimage.label(spread > OBJECT_SPREAD, structure=np.ones((3, 3)))
    objects = []
    for index in range(1, count + 1):
        mask = labels == index
        if mask.sum() < MIN_OBJECT_PIXELS:
            continue
        ys, xs = np.nonzero(mask)
        box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        width, height = box[2] - box[0], box[3] - box[1]
        fill = mask.sum() / (width * height)
        shape = "square" if fill >= SQUARE_MIN_FILL else "circle" if fill >= CIRCLE_MIN_FILL else "triangle"
        core = mask & (spread > CORE_SPREAD)
        mean_rgb = tuple(float(v) for v in image[core if core.any() else mask].mean(axis=0))
        objects.append(DetectedObject(shape, nearest_colour(mean_rgb),
                                      "small" if max(width, height) < SIZE_BOUNDARY else "large",
                                      box, mean_rgb))
    return sorted(objects, key=lambda o: (o.box[1], o.box[0]))


def annotated_objects(annotation: dict) -> list[DetectedObject]:
    """Objects from an annotation dict: shapes, colours, sizes, boxes (4 per object)."""
    boxes = np.asarray(annotation["boxes"]).reshape(-1, 4)
    return [DetectedObject(shape, colour, size, tuple(int(v) for v in box), (0.0, 0.0, 0.0))
            for shape, colour, size, box in zip(annotation["shapes"], annotation["colours"],
                                                annotation["sizes"], boxes)]


def check_scene(image: np.ndarray, annotation: dict, tolerance_px: int = 1) -> list[str]:
    """Every way in which (image, annotation) breaks the spec; an empty list if none.

    `annotation`: shapes, colours, sizes, boxes (x0, y0, x1, y1 per object, x1/y1 exclusive),
    relation ("" for one object) and caption, as in the Shapes World records.
    """
    problems = []
    if image.shape != (spec.CANVAS_SIZE, spec.CANVAS_SIZE, 3) or image.dtype != np.uint8:
        return [f"image is {image.shape} {image.dtype}, expected 64 x 64 x 3 uint8"]
    objects = annotated_objects(annotation)
    if len(objects) not in (1, 2):
        return [f"{len(objects)} objects, expected 1 or 2"]

    near_objects = np.zeros(image.shape[:2], bool)
    for obj in objects:
        x0, y0, x1, y1 = obj.box
        if x0 < 0 or y0 < 0 or x1 > spec.CANVAS_SIZE or y1 > spec.CANVAS_SIZE:
            problems.append(f"{obj.phrase} at {obj.box} is not fully inside the canvas")
        low, high = spec.SIZES[obj.size]
        side = x1 - x0
        if not low <= side <= high:
            problems.append(f"{obj.phrase} is {side} px wide, outside {low}-{high}")
        near_objects[max(0, y0 - 1):y1 + 1, max(0, x0 - 1):x1 + 1] = True
    background = image[~near_objects].astype(int)
    if not (background.min() >= spec.BACKGROUND_RANGE[0] and background.max() <= spec.BACKGROUND_RANGE[1]):
        problems.append(f"background outside {spec.BACKGROUND_RANGE}: {background.min()}-{background.max()}")
    if np.any(_spread(background[None]) != 0):
        problems.append("background is not grey")

    if len(objects) == 2:
        first, second = objects
        if spec.box_gap(first.box, second.box) < spec.MIN_BOX_GAP:
            problems.append(f"boxes {first.box} and {second.box} are less than 2 px apart")
        if (first.shape, first.colour) == (second.shape, second.colour):
            problems.append("the two objects have the same shape and colour")
        expected = spec.relation_between(first, second)
        if expected is None or expected != annotation["relation"]:
            problems.append(f"relation {annotation['relation']!r}, but the positions say {expected!r}")
        caption = f"{first.phrase} {annotation['relation']} {second.phrase}"
    else:
        caption = objects[0].phrase
    if annotation.get("caption", caption) != caption:
        problems.append(f"caption {annotation['caption']!r}, expected {caption!r}")

    detected = detect_objects(image)
    if len(detected) != len(objects):
        return problems + [f"{len(detected)} objects in the pixels, {len(objects)} annotated"]
    spread = _spread(image)
    for obj in objects:
        found = min(detected, key=lambda d: np.abs(np.subtract(d.box, obj.box)).sum())
        if np.abs(np.subtract(found.box, obj.box)).max() > tolerance_px:
            problems.append(f"{obj.phrase}: drawn at {found.box}, annotated at {obj.box}")
        for attribute in ("shape", "colour", "size"):
            if getattr(found, attribute) != getattr(obj, attribute):
                problems.append(f"{obj.phrase}: the pixels show {attribute} {getattr(found, attribute)!r}")
        x0, y0, x1, y1 = found.box
        inside = np.zeros(image.shape[:2], bool)
        inside[y0:y1, x0:x1] = True
        solid = ndimage.binary_erosion(inside & (spread > OBJECT_SPREAD), np.ones((3, 3)), iterations=2)
        pixels = image[solid].astype(int)
        canonical = np.asarray(spec.COLOURS[obj.colour])
        if pixels.size and np.abs(pixels - canonical).max() > spec.COLOUR_JITTER + 1:
            problems.append(f"{obj.phrase}: pixels differ from {obj.colour} by up to "
                            f"{np.abs(pixels - canonical).max()}, more than the jitter")
        if pixels.size and np.ptp(pixels, axis=0).max() > 1:
            problems.append(f"{obj.phrase}: not filled with one solid colour")
    return problems


def read_caption(image: np.ndarray) -> set[str]:
    """The captions the pixels support: for two objects both orders, one for a single object."""
    objects = detect_objects(image)
    if len(objects) == 1:
        return {objects[0].phrase}
    if len(objects) != 2:
        return set()
    captions = set()
    for first, second in (objects, objects[::-1]):
        rel = spec.relation_between(first, second)
        if rel is not None:
            captions.add(f"{first.phrase} {rel} {second.phrase}")
    return captions
