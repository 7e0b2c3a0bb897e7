"""Shapes World, as `shared/specs/shapes-world.md` defines it: scenes, captions, renderer.

Everything here is plain NumPy so that it runs in the worker processes of the data build
without TensorFlow. A scene is sampled from a generator seeded by (seed, split, index), so
any scene can be regenerated on its own and the build is byte-identical for a seed however
it is split across processes.
"""

from __future__ import annotations

import dataclasses
import zlib

import numpy as np

CANVAS_SIZE = 64
SHAPES = ("circle", "square", "triangle")
COLOURS = {
    "red": (220, 40, 40),
    "green": (40, 170, 60),
    "blue": (40, 80, 220),
    "yellow": (235, 205, 30),
    "purple": (150, 50, 190),
    "orange": (245, 130, 20),
}
COLOUR_NAMES = tuple(COLOURS)
COLOUR_JITTER = 20
SIZES = {"small": (12, 16), "large": (22, 28)}
SIZE_NAMES = tuple(SIZES)
RELATIONS = ("left of", "right of", "above", "below")
BACKGROUND_RANGE = (215, 245)
MAX_BACKGROUND_NOISE_SIGMA = 8.0
MIN_BOX_GAP = 2
MIN_RELATION_DISTANCE = 12
HELD_OUT_PAIRS = (("purple", "triangle"), ("orange", "circle"))
SPLITS = ("train", "validation", "test", "compositional")
VOCABULARY = (
    "a", "is", "to", "the", "of", "small", "large", "red", "green", "blue", "yellow",
    "purple", "orange", "circle", "square", "triangle", "left", "right", "above", "below",
)
MIRRORED_RELATION = {"left of": "right of", "right of": "left of", "above": "below", "below": "above"}
LONG_RELATION = {
    "left of": "is to the left of",
    "right of": "is to the right of",
    "above": "is above",
    "below": "is below",
}
SINGLE_OBJECT_PROBABILITY = 1 / 3
ANTIALIAS_PROBABILITY = 0.5
NOISY_BACKGROUND_PROBABILITY = 0.5
SUPERSAMPLING = 4


@dataclasses.dataclass(frozen=True)
class ShapeObject:
    shape: str
    colour: str
    size: str
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, x1 and y1 exclusive
    rgb: tuple[int, int, int]  # the jittered colour it is drawn in

    @property
    def centre(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        return (x0 + x1) / 2, (y0 + y1) / 2

    @property
    def phrase(self) -> str:
        return f"a {self.size} {self.colour} {self.shape}"


@dataclasses.dataclass(frozen=True)
class Scene:
    objects: tuple[ShapeObject, ...]
    background: int
    noise_sigma: float
    antialias: bool

    @property
    def relation(self) -> str | None:
        return relation_between(*self.objects) if len(self.objects) == 2 else None

    @property
    def caption(self) -> str:
        return caption_of(self.objects)


def is_held_out(colour: str, shape: str) -> bool:
    return (colour, shape) in HELD_OUT_PAIRS


def _makes_held_out_pair(obj, attribute: str, value: str) -> bool:
    colour = value if attribute == "colour" else obj.colour
    shape = value if attribute == "shape" else obj.shape
    return is_held_out(colour, shape)


def box_extent(shape: str, side: int) -> tuple[int, int]:
    """Width and height of a shape's bounding box whose (larger) side is `side`.

    The equilateral triangle's box is `side` wide and side * sqrt(3) / 2 high.
    """
    if shape == "triangle":
        return side, int(round(side * np.sqrt(3) / 2))
    return side, side


def box_gap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    """Pixels between two boxes along the axis where they are furthest apart (<0: overlap)."""
    return max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3])


def relation_between(first: ShapeObject, second: ShapeObject) -> str | None:
    """The spec's relation of `first` relative to `second`, or None when it is ambiguous."""
    (x_first, y_first), (x_second, y_second) = first.centre, second.centre
    dx, dy = x_first - x_second, y_first - y_second
    if abs(dx) >= MIN_RELATION_DISTANCE and abs(dx) > abs(dy):
        return "left of" if dx < 0 else "right of"
    if abs(dy) >= MIN_RELATION_DISTANCE and abs(dy) > abs(dx):
        return "above" if dy < 0 else "below"
    return None


def caption_of(objects) -> str:
    if len(objects) == 1:
        return objects[0].phrase
    first, second = objects
    return f"{first.phrase} {relation_between(first, second)} {second.phrase}"


def reference_captions(scene: Scene) -> list[str]:
    """The caption, and for two objects its mirror and the long forms of both."""
    if len(scene.objects) == 1:
        return [scene.caption]
    first, second = scene.objects
    relation = scene.relation
    mirrored = MIRRORED_RELATION[relation]
    return [
        scene.caption,
        f"{second.phrase} {mirrored} {first.phrase}",
        f"{first.phrase} {LONG_RELATION[relation]} {second.phrase}",
        f"{second.phrase} {LONG_RELATION[mirrored]} {first.phrase}",
    ]


def hard_negative_captions(scene: Scene, rng: np.random.Generator, split: str = "compositional") -> dict[str, str]:
    """One false caption per attribute kind: the true caption with that one attribute changed.

    Returns {"shape": ..., "colour": ..., "size": ..., "relation": ...} (no relation for a
    single object). Changing one attribute of one object, or the relation, always gives a
    caption that no reference caption of the scene equals, since the two objects of a scene
    differ in shape or colour and the relation is unique. Outside `compositional`, a change
    never makes a held-out pair: a caption naming "purple triangle" would otherwise be false
    every time it is read in training, and a model would learn to refuse the phrase.
    """
    negatives = {}
    for attribute, choices in (("shape", SHAPES), ("colour", COLOUR_NAMES), ("size", SIZE_NAMES)):
        changed = list(scene.objects)
        k = int(rng.integers(len(changed)))
        current = getattr(changed[k], attribute)
        allowed = [c for c in choices if c != current and (
            split == "compositional" or not _makes_held_out_pair(changed[k], attribute, c))]
        new_value = str(rng.choice(allowed))
        changed[k] = dataclasses.replace(changed[k], **{attribute: new_value})
        negatives[attribute] = _caption_with_relation(changed, scene.relation)
    if scene.relation is not None:
        new_relation = str(rng.choice([r for r in RELATIONS if r != scene.relation]))
        negatives["relation"] = _caption_with_relation(scene.objects, new_relation)
    return negatives


def _caption_with_relation(objects, relation) -> str:
    if len(objects) == 1:
        return objects[0].phrase
    return f"{objects[0].phrase} {relation} {objects[1].phrase}"


# Chinese captions ("Chinese captions" in the spec): written from the same objects and relation,
# without spaces, so every English caption of the grammar has exactly one Chinese one.
CHINESE_WORDS = {
    "small": "小", "large": "大",
    "red": "红色", "green": "绿色", "blue": "蓝色", "yellow": "黄色", "purple": "紫色", "orange": "橙色",
    "circle": "圆形", "square": "正方形", "triangle": "三角形",
    "left of": "左边", "right of": "右边", "above": "上面", "below": "下面",
}
CHINESE_LOCATIVES = ("在", "位于")


def _parse_caption(caption: str) -> tuple[list[tuple[str, str, str]], str | None]:
    """([(size, colour, shape), ...], relation) of a caption in the plain form."""
    words = caption.split()
    if len(words) == 4 and words[0] == "a":
        return [tuple(words[1:4])], None
    relation = " ".join(words[4:-4])
    if len(words) in (9, 10) and words[0] == words[-4] == "a" and relation in RELATIONS:
        return [tuple(words[1:4]), tuple(words[-3:])], relation
    raise ValueError(f"not a Shapes World caption in the plain form: {caption!r}")


def _chinese(objects, relation, locative: str = "在") -> str:
    phrases = [f"一个{CHINESE_WORDS[size]}的{CHINESE_WORDS[colour]}{CHINESE_WORDS[shape]}"
               for size, colour, shape in objects]
    if relation is None:
        return phrases[0]
    return f"{phrases[0]}{locative}{phrases[1]}的{CHINESE_WORDS[relation]}"


def chinese_caption(caption: str) -> str:
    """The Chinese caption of an English one in the plain form (`a small blue square left of a
    large yellow triangle` -> `一个小的蓝色正方形在一个大的黄色三角形的左边`)."""
    return _chinese(*_parse_caption(caption))


def chinese_references(caption: str) -> list[str]:
    """The Chinese reference captions of a scene from its English caption: the caption, and for
    two objects its mirror, and both with `位于` in place of `在`."""
    objects, relation = _parse_caption(caption)
    if relation is None:
        return [_chinese(objects, None)]
    mirror = (objects[::-1], MIRRORED_RELATION[relation])
    return [_chinese(*form, locative) for locative in CHINESE_LOCATIVES for form in ((objects, relation), mirror)]


def scene_rng(seed: int, split: str, index: int, stream: str = "scene") -> np.random.Generator:
    """The generator for one scene: independent of every other scene and of the build order."""
    return np.random.default_rng([seed, zlib.crc32(split.encode()), index, zlib.crc32(stream.encode())])


def sample_scene(rng: np.random.Generator, split: str) -> Scene:
    """A random scene for `split`; `compositional` scenes hold a held-out colour-shape pair."""
    if split not in SPLITS:
        raise ValueError(f"split: {split!r} is not one of {SPLITS}")
    n_objects = 1 if rng.random() < SINGLE_OBJECT_PROBABILITY else 2
    while True:
        attributes = _sample_attributes(rng, split, n_objects)
        objects = _place(rng, attributes)
        if objects is not None:
            break
    noisy = rng.random() < NOISY_BACKGROUND_PROBABILITY
    return Scene(
        objects=objects,
        background=int(rng.integers(BACKGROUND_RANGE[0], BACKGROUND_RANGE[1] + 1)),
        noise_sigma=float(rng.uniform(0.0, MAX_BACKGROUND_NOISE_SIGMA)) if noisy else 0.0,
        antialias=bool(rng.random() < ANTIALIAS_PROBABILITY),
    )


def _sample_attributes(rng, split, n_objects):
    held_out_slot = int(rng.integers(n_objects)) if split == "compositional" else None
    attributes = []
    for slot in range(n_objects):
        while True:
            if slot == held_out_slot:
                colour, shape = HELD_OUT_PAIRS[int(rng.integers(len(HELD_OUT_PAIRS)))]
            else:
                shape = SHAPES[int(rng.integers(len(SHAPES)))]
                colour = COLOUR_NAMES[int(rng.integers(len(COLOUR_NAMES)))]
            if split != "compositional" and is_held_out(colour, shape):
                continue
            if attributes and (shape, colour) == attributes[0][:2]:
                continue  # the two objects of a scene differ in shape or colour
            break
        attributes.append((shape, colour, SIZE_NAMES[int(rng.integers(len(SIZE_NAMES)))]))
    return attributes


def _place(rng, attributes, attempts=50):
    """Random non-overlapping positions with a defined relation, or None if none was found."""
    for _ in range(attempts):
        objects = []
        for shape, colour, size in attributes:
            width, height = box_extent(shape, int(rng.integers(SIZES[size][0], SIZES[size][1] + 1)))
            x0 = int(rng.integers(0, CANVAS_SIZE - width + 1))
            y0 = int(rng.integers(0, CANVAS_SIZE - height + 1))
            base = np.array(COLOURS[colour])
            rgb = np.clip(base + rng.integers(-COLOUR_JITTER, COLOUR_JITTER + 1, size=3), 0, 255)
            objects.append(ShapeObject(shape, colour, size, (x0, y0, x0 + width, y0 + height),
                                       tuple(int(c) for c in rgb)))
        if len(objects) == 1:
            return tuple(objects)
        if box_gap(objects[0].box, objects[1].box) >= MIN_BOX_GAP and relation_between(*objects):
            return tuple(objects)
    return None


def coverage_mask(obj: ShapeObject, supersampling: int) -> np.ndarray:
    """Fraction of each canvas pixel that the object covers (0/1 without supersampling)."""
    n = CANVAS_SIZE * supersampling
    centres = (np.arange(n) + 0.5) / supersampling
    x, y = np.meshgrid(centres, centres)
    x0, y0, x1, y1 = obj.box
    if obj.shape == "square":
        inside = (x >= x0) & (x < x1) & (y >= y0) & (y < y1)
    elif obj.shape == "circle":
        radius = (x1 - x0) / 2
        inside = (x - (x0 + x1) / 2) ** 2 + (y - (y0 + y1) / 2) ** 2 <= radius ** 2
    else:  # triangle, apex up
        half_width, height = (x1 - x0) / 2, y1 - y0
        inside = (y < y1) & (y - y0 >= height / half_width * np.abs(x - (x0 + x1) / 2))
    return inside.reshape(CANVAS_SIZE, supersampling, CANVAS_SIZE, supersampling).mean(axis=(1, 3))


def render(scene: Scene, rng: np.random.Generator) -> np.ndarray:
    """The scene as a 64 x 64 x 3 uint8 image; `rng` draws the background noise."""
    background = np.full((CANVAS_SIZE, CANVAS_SIZE), float(scene.background))
    if scene.noise_sigma > 0:
        background = background + rng.normal(0.0, scene.noise_sigma, background.shape)
    background = np.clip(np.round(background), *BACKGROUND_RANGE)
    image = np.repeat(background[..., None], 3, axis=-1)
    supersampling = SUPERSAMPLING if scene.antialias else 1
    for obj in scene.objects:
        coverage = coverage_mask(obj, supersampling)[..., None]
        image = image * (1 - coverage) + np.array(obj.rgb, dtype=float) * coverage
    return np.round(image).astype(np.uint8)


def generate_scene(seed: int, split: str, index: int) -> tuple[Scene, np.ndarray, list[str], dict[str, str]]:
    """Scene number `index` of `split`: the scene, its image, references and hard negatives."""
    rng = scene_rng(seed, split, index)
    scene = sample_scene(rng, split)
    image = render(scene, rng)
    negatives = hard_negative_captions(scene, rng, split)
    return scene, image, reference_captions(scene), negatives
