"""The renderer, captions and splits follow shared/specs/shapes-world.md."""

import collections

import numpy as np
import pytest

from mmzoo.data import generation, shapes_world as spec
from mmzoo.evaluation import independent_renderer, scene_reader

N_SCENES = 300


@pytest.fixture(scope="module")
def scenes():
    return {split: generation.shapes_world_chunk(7, split, 0, N_SCENES, with_speech=False)
            for split in spec.SPLITS}


def test_every_scene_passes_the_spec_checker(scenes):
    for split, examples in scenes.items():
        for example in examples:
            assert scene_reader.check_scene(example["image"], example) == [], example["scene_id"]


def test_colours_within_jitter_and_sizes_in_range(scenes):
    for example in scenes["train"]:
        rgbs = np.reshape(example["rgbs"], (-1, 3))
        boxes = np.reshape(example["boxes"], (-1, 4))
        for colour, size, rgb, box in zip(example["colours"], example["sizes"], rgbs, boxes):
            assert np.abs(rgb - np.array(spec.COLOURS[colour])).max() <= spec.COLOUR_JITTER
            low, high = spec.SIZES[size]
            assert low <= box[2] - box[0] <= high
            assert box.min() >= 0 and box[2] <= 64 and box[3] <= 64


def test_relations_agree_with_positions_and_objects_do_not_overlap(scenes):
    relations = collections.Counter()
    for example in scenes["train"]:
        boxes = np.reshape(example["boxes"], (-1, 4))
        if len(boxes) == 2:
            assert spec.box_gap(tuple(boxes[0]), tuple(boxes[1])) >= spec.MIN_BOX_GAP
            (xa, ya), (xb, yb) = [((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in boxes]
            dx, dy = xa - xb, ya - yb
            expected = ("left of" if dx < 0 else "right of") if abs(dx) > abs(dy) else ("above" if dy < 0 else "below")
            assert max(abs(dx), abs(dy)) >= spec.MIN_RELATION_DISTANCE
            assert example["relation"] == expected
            assert (example["shapes"][0], example["colours"][0]) != (example["shapes"][1], example["colours"][1])
            relations[example["relation"]] += 1
    assert set(relations) == set(spec.RELATIONS)


def test_held_out_pairs_never_in_train_or_validation_and_always_in_compositional(scenes):
    for split in ("train", "validation", "test"):
        for example in scenes[split]:
            assert not any(spec.is_held_out(c, s) for c, s in zip(example["colours"], example["shapes"]))
    for example in scenes["compositional"]:
        assert any(spec.is_held_out(c, s) for c, s in zip(example["colours"], example["shapes"]))


def test_no_caption_outside_compositional_names_a_held_out_pair(scenes):
    """Not even a false one: a phrase that is false every time it is read is learnt as false."""
    held_out = [f"{colour} {shape}" for colour, shape in spec.HELD_OUT_PAIRS]
    for split in ("train", "validation", "test"):
        for example in scenes[split]:
            for text in [example["caption"], *example["negatives"]]:
                assert not any(pair in text for pair in held_out), (split, text)
    compositional_negatives = [n for e in scenes["compositional"] for n in e["negatives"]]
    assert any(pair in n for n in compositional_negatives for pair in held_out)


def test_captions_references_and_hard_negatives(scenes):
    for example in scenes["train"] + scenes["compositional"]:
        caption, references = example["caption"], example["references"]
        assert caption == references[0]
        for text in references + example["negatives"]:
            assert set(text.split()) <= set(spec.VOCABULARY), text
            assert text == text.lower() and "  " not in text
        if len(example["shapes"]) == 2:
            assert len(references) == 4 and any(" is " in r for r in references)
            assert example["negative_kinds"] == ["shape", "colour", "size", "relation"]
        else:
            assert references == [caption]
            assert example["negative_kinds"] == ["shape", "colour", "size"]
        for kind, negative in zip(example["negative_kinds"], example["negatives"]):
            assert negative not in references
            changed = [(a, b) for a, b in zip(caption.split(), negative.split()) if a != b]
            if kind != "relation":
                assert len(changed) == 1 and len(negative.split()) == len(caption.split()), (caption, negative)
            assert scene_reader.read_caption(example["image"]).isdisjoint({negative})


def test_generation_is_deterministic_and_seed_dependent():
    first = generation.shapes_world_chunk(3, "test", 10, 20, with_speech=False)
    again = generation.shapes_world_chunk(3, "test", 10, 20, with_speech=False)
    other_seed = generation.shapes_world_chunk(4, "test", 10, 20, with_speech=False)
    assert all(np.array_equal(a["image"], b["image"]) and a["caption"] == b["caption"] for a, b in zip(first, again))
    assert not all(np.array_equal(a["image"], b["image"]) for a, b in zip(first, other_seed))


def test_independent_renderer_agrees_with_the_spec_reader():
    rng = np.random.default_rng(11)
    for number in range(200):
        image, annotation = independent_renderer.random_scene(rng, compositional=number % 5 == 0)
        assert scene_reader.check_scene(image, annotation) == [], annotation
        assert annotation["caption"] in scene_reader.read_caption(image)


def test_both_renderers_agree_on_what_the_spec_fixes(scenes):
    """Read back from pixels, both renderers' scenes give their own captions."""
    ours = sum(e["caption"] in scene_reader.read_caption(e["image"]) for e in scenes["test"]) / N_SCENES
    rng = np.random.default_rng(5)
    theirs = [independent_renderer.random_scene(rng) for _ in range(N_SCENES)]
    agreement = sum(a["caption"] in scene_reader.read_caption(i) for i, a in theirs) / N_SCENES
    assert ours >= 0.99 and agreement >= 0.99


def test_spec_checker_catches_broken_scenes(scenes):
    example = next(e for e in scenes["train"] if len(e["shapes"]) == 2)
    wrong_relation = {**example, "relation": next(r for r in spec.RELATIONS if r != example["relation"])}
    assert any("relation" in p for p in scene_reader.check_scene(example["image"], wrong_relation))
    recoloured = example["image"].copy()
    x0, y0, x1, y1 = example["boxes"][:4]
    recoloured[y0:y1, x0:x1] = np.where(
        scene_reader._spread(recoloured[y0:y1, x0:x1])[..., None] > 40, np.uint8(0), recoloured[y0:y1, x0:x1])
    assert scene_reader.check_scene(recoloured, example) != []
    near_objects = np.zeros((64, 64), bool)
    for x0, y0, x1, y1 in np.reshape(example["boxes"], (-1, 4)):
        near_objects[max(0, y0 - 1):y1 + 1, max(0, x0 - 1):x1 + 1] = True
    y, x = np.argwhere(~near_objects)[0]
    bad_background = example["image"].copy()
    bad_background[y, x] = (250, 250, 250)
    assert any("background" in p for p in scene_reader.check_scene(bad_background, example))


# The spec's Chinese words, written out here from the spec rather than imported, so that a
# slip in `shapes_world.CHINESE_WORDS` fails.
SPEC_CHINESE = {"small": "小", "large": "大", "red": "红色", "green": "绿色", "blue": "蓝色", "yellow": "黄色",
                "purple": "紫色", "orange": "橙色", "circle": "圆形", "square": "正方形", "triangle": "三角形",
                "left of": "左边", "right of": "右边", "above": "上面", "below": "下面"}


def test_chinese_captions_as_the_spec_writes_them():
    assert spec.chinese_caption("a large red circle") == "一个大的红色圆形"
    two = "a small blue square left of a large yellow triangle"
    assert spec.chinese_caption(two) == "一个小的蓝色正方形在一个大的黄色三角形的左边"
    assert spec.chinese_references(two) == [
        "一个小的蓝色正方形在一个大的黄色三角形的左边", "一个大的黄色三角形在一个小的蓝色正方形的右边",
        "一个小的蓝色正方形位于一个大的黄色三角形的左边", "一个大的黄色三角形位于一个小的蓝色正方形的右边"]
    assert spec.chinese_references("a large red circle") == ["一个大的红色圆形"]
    with pytest.raises(ValueError, match="not a Shapes World caption"):
        spec.chinese_caption("a small blue square is to the left of a large yellow triangle")


def test_every_scene_has_its_chinese_captions(scenes):
    def written(caption):
        words = caption.split()
        phrase = lambda size, colour, shape: f"一个{SPEC_CHINESE[size]}的{SPEC_CHINESE[colour]}{SPEC_CHINESE[shape]}"  # noqa: E731
        if len(words) == 4:
            return phrase(*words[1:])
        return f"{phrase(*words[1:4])}在{phrase(*words[-3:])}的{SPEC_CHINESE[' '.join(words[4:-4])]}"

    for split, examples in scenes.items():
        for example in examples:
            assert example["caption_zh"] == written(example["caption"]) == example["references_zh"][0]
            assert " " not in example["caption_zh"] and example["caption_zh"].isprintable()
            assert len(example["references_zh"]) == len(example["references"])
            assert example["negatives_zh"] == [written(negative) for negative in example["negatives"]]
            assert not set(example["negatives_zh"]) & set(example["references_zh"])
            held_out = any(pair in text for text in [example["caption_zh"], *example["negatives_zh"]]
                           for pair in ("紫色三角形", "橙色圆形"))
            assert held_out == (split == "compositional"), example["caption_zh"]
