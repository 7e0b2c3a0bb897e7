"""Text to image: the judge's reading of captions and scenes, the generator's layout and
painting layers, seeds, the conditional GAN's step, and the served model with a seed."""

import numpy as np
import pytest
import tensorflow as tf

from mmzoo import registry, saving
from mmzoo.config import TrainConfig
from mmzoo.data import shapes_world as spec
from mmzoo.data import views
from mmzoo.export import serving
from mmzoo.models.judge import model as judge
from mmzoo.models.task import shipped_model
from mmzoo.models.text_to_image import model as generator
from mmzoo.models.text_to_image.layers import AlphaComposite, PlaceAtCentre
from mmzoo.models.text_to_image.layout import layout_loss, sample_layouts
from mmzoo.training.trainer import build_model


def test_a_caption_and_its_mirror_have_the_same_attributes():
    caption = "a small blue square right of a large red circle"
    mirrored = "a large red circle left of a small blue square"
    assert judge.caption_attributes(caption) == judge.caption_attributes(mirrored) == {
        "relation": "left of", "first_shape": "circle", "first_colour": "red", "first_size": "large",
        "second_shape": "square", "second_colour": "blue", "second_size": "small"}
    below = judge.caption_attributes("a large green triangle below a small purple circle")
    assert below["relation"] == "above" and below["first_shape"] == "circle"
    single = judge.caption_attributes("a large red circle")
    assert single["relation"] == "none" and single["second_shape"] == "none"
    assert judge.scored_attributes(single) == judge.ONE_OBJECT_ATTRIBUTES
    assert judge.describe(judge.caption_attributes(caption)) == mirrored


@pytest.mark.parametrize("caption", ["a large red", "a large pink circle", "a large red circle near a small blue square",
                                     "a huge red circle left of a small blue square"])
def test_a_caption_outside_the_grammar_is_refused_by_name(caption):
    with pytest.raises(ValueError, match="caption: "):
        judge.caption_attributes(caption)


def test_scene_labels_and_layouts_agree_with_the_captions(tiny_shapes):
    records = list(views.shapes_world_records("test", "scenes", "tiny").as_numpy_iterator())
    for record in records:
        caption = record["caption"].decode()
        labels = judge.scene_attribute_labels({key: tf.constant(value) for key, value in record.items()})
        read = {name: judge.ATTRIBUTE_VALUES[name][int(labels[name])] for name in judge.ATTRIBUTES}
        assert read == judge.caption_attributes(caption)
        layout = views.scene_layout({"boxes": tf.constant(record["boxes"])}).numpy() * spec.CANVAS_SIZE
        x, y, dx, dy = layout[:4]
        if len(record["shapes"]) == 1:
            assert dx == dy == 0
        else:
            first = spec.ShapeObject("circle", "red", "small", (round(x) - 1, round(y) - 1, round(x) + 1, round(y) + 1),
                                     (0, 0, 0))
            second = spec.ShapeObject("circle", "red", "small", (round(x + dx) - 1, round(y + dy) - 1,
                                                                 round(x + dx) + 1, round(y + dy) + 1), (0, 0, 0))
            assert spec.relation_between(first, second) == record["relation"].decode()


def test_the_judge_tally_scores_only_the_attributes_a_caption_names():
    tally = judge.AttributeTally()
    expected = [judge.caption_attributes("a large red circle"),
                judge.caption_attributes("a small blue square left of a large red circle")]
    read = [dict(expected[0], second_shape="square"),  # not scored: the caption names one object
            dict(expected[1], relation="above")]
    tally.add(expected, read)
    metrics = tally.metrics()
    assert metrics["attribute_accuracy"] == pytest.approx(10 / 11)
    assert metrics["all_attributes_right"] == 0.5 and metrics["per_attribute"]["relation"] == 0.5


def test_place_at_centre_moves_the_middle_of_a_patch_and_cuts_what_leaves_the_canvas():
    patch = np.zeros((1, 8, 8, 1), np.float32)
    patch[0, 4, 4, 0] = 1.0  # the middle of an 8 x 8 patch
    patch[0, 0, 0, 0] = 2.0  # its corner
    layout = tf.constant([[0.25, 0.75, 0.5, -0.5, 1.0]])
    first = PlaceAtCentre(0)([patch, layout]).numpy()[0, ..., 0]
    assert first[6, 2] == 1.0 and first.sum() == 1.0  # the corner moved off the canvas
    second = PlaceAtCentre(1)([patch, layout]).numpy()[0, ..., 0]  # at (0.75, 0.25): pixel (6, 2)
    assert second[2, 6] == 1.0 and second[0, 0] == 0.0
    no_second_object = PlaceAtCentre(1)([patch, tf.constant([[0.25, 0.75, 0.5, -0.5, 0.0]])]).numpy()
    assert not no_second_object.any()


def test_alpha_composite_paints_opaque_over_and_leaves_transparent_alone():
    background = tf.constant([[0.9, 0.9, 0.9]])
    red = np.zeros((1, 2, 2, 4), np.float32)
    red[0, 0, 0] = [1.0, 0.0, 0.0, 1.0]
    red[0, 0, 1] = [1.0, 0.0, 0.0, 0.5]
    image = AlphaComposite()([background, red]).numpy()[0]
    np.testing.assert_allclose(image[0, 0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(image[0, 1], [0.95, 0.45, 0.45])
    np.testing.assert_allclose(image[1, 1], [0.9, 0.9, 0.9])


def _mixture_at(mean, scale=0.02, components=2, second_object_logit=5.0):
    logits = [second_object_logit] + [0.0] * components
    means = [mean] * components
    log_scales = [[np.log(scale)] * 4] * components
    return tf.constant([logits + list(np.ravel(means)) + list(np.ravel(log_scales))], tf.float32)


def test_layout_loss_prefers_the_true_layout_and_ignores_a_missing_second_object():
    mixture = _mixture_at([0.3, 0.4, 0.3, 0.0])
    near, far = (layout_loss(tf.constant([layout]), mixture).numpy()[0]
                 for layout in ([0.3, 0.4, 0.3, 0.0, 1.0], [0.6, 0.4, 0.3, 0.0, 1.0]))
    assert near < far
    one_object = [layout_loss(tf.constant([[0.3, 0.4, dx, 0.0, 0.0]]), mixture).numpy()[0]
                  for dx in (0.0, 0.9)]
    assert one_object[0] == one_object[1]
    expecting_one = _mixture_at([0.3, 0.4, 0.3, 0.0], second_object_logit=-5.0)
    assert one_object[0] > layout_loss(tf.constant([[0.3, 0.4, 0.0, 0.0, 0.0]]), expecting_one).numpy()[0] + 4.9


def test_a_layout_depends_on_its_seed_alone_and_stays_on_the_canvas():
    mixture = tf.concat([_mixture_at([0.3, 0.4, 0.3, 0.0])] * 3 + [_mixture_at([0.95, 0.5, 0.4, 0.0])], 0)
    layouts = sample_layouts(mixture, tf.constant([7, 7, 8, 7], tf.int64)).numpy()
    np.testing.assert_array_equal(layouts[0], layouts[1])
    assert not np.array_equal(layouts[0], layouts[2])
    alone = sample_layouts(mixture[:1], tf.constant([7], tf.int64)).numpy()
    np.testing.assert_array_equal(alone[0], layouts[0])
    second_centres = layouts[:, :2] + layouts[:, 2:4]
    assert (layouts[:, :2] >= 0).all() and (layouts[:, :2] <= 1).all()
    assert (second_centres >= -1e-6).all() and (second_centres <= 1 + 1e-6).all()
    exact = sample_layouts(mixture[:1], tf.constant([7], tf.int64), temperature=0.0).numpy()
    np.testing.assert_allclose(exact[0, :4], [0.3, 0.4, 0.3, 0.0], atol=1e-6)
    assert exact[0, 4] == 1.0
    one_object = sample_layouts(_mixture_at([0.3, 0.4, 0.3, 0.0], second_object_logit=-2.0),
                                          tf.constant([7], tf.int64)).numpy()
    assert one_object[0, 4] == 0.0


@pytest.fixture(scope="module")
def tiny_generator(mmzoo_home):
    config = TrainConfig(model="text_to_image_generator", task="shapes_text_to_image",
                         model_args={"mode": "reconstruction", "filters": 8, "width": 16, "layout_width": 16},
                         data_args={"size": "tiny"})
    return build_model(config, registry.get_task(config.task))


def test_drawing_between_two_captions_starts_and_ends_at_each(tiny_generator):
    first, second = "a large red circle", "a small blue square left of a large yellow triangle"
    between = generator.draw_between(tiny_generator, first, second, steps=5, seed=3).numpy()
    ends = generator.draw(tiny_generator, [first, second], [3, 3]).numpy()
    assert between.shape == (5, 64, 64, 3)
    np.testing.assert_allclose(between[[0, -1]], ends, atol=1e-5)


def test_draw_needs_one_seed_per_caption_and_repeats_itself(tiny_generator):
    captions = ["a large red circle", "a small blue square left of a large yellow triangle"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="seed: one per caption"):
        generator.draw(tiny_generator, captions, [0])
    first, again = (generator.draw(tiny_generator, captions, [3, 4]).numpy() for _ in range(2))
    np.testing.assert_array_equal(first, again)
    assert first.shape == (2, 64, 64, 3) and 0.0 <= first.min() and first.max() <= 1.0
    assert not np.array_equal(first[0], generator.draw(tiny_generator, captions[:1], [5]).numpy()[0])


def test_the_served_generator_takes_a_seed_and_refuses_unknown_words(tiny_generator, tmp_path):
    task = registry.get_task("shapes_text_to_image")
    exported = serving.export_saved_model(tiny_generator, tmp_path, "generator",
                                          signatures=task.serving_signatures(tiny_generator))
    served = tf.saved_model.load(str(exported)).signatures
    texts = tf.constant(["a large red circle"] * 3)
    seeded = served["with_seed"](text=texts, seed=tf.constant([0, 0, 1], tf.int64))
    default = served["serving_default"](text=texts[:1])
    np.testing.assert_array_equal(seeded["image"][0], seeded["image"][1])
    np.testing.assert_allclose(seeded["image"][0], default["image"][0], atol=1e-6)
    assert not np.array_equal(seeded["image"][0], seeded["image"][2])
    np.testing.assert_array_equal(tf.io.decode_png(seeded["png_bytes"][2]).numpy(),
                                  np.round(seeded["image"][2].numpy() * 255).astype(np.uint8))
    with pytest.raises(tf.errors.InvalidArgumentError, match="text: word\\(s\\) outside the vocabulary"):
        served["with_seed"](text=tf.constant(["a large pink circle"]), seed=tf.constant([0], tf.int64))
    with pytest.raises(tf.errors.InvalidArgumentError, match="every input needs the same batch size; got text 3, seed 1"):
        served["with_seed"](text=texts, seed=tf.constant([0], tf.int64))


def test_the_gan_step_trains_the_discriminator_and_the_generator_each_on_their_own(mmzoo_home, tmp_path):
    config = TrainConfig(model="text_to_image_generator", task="shapes_text_to_image",
                         model_args={"mode": "gan", "filters": 8, "width": 16, "layout_width": 16,
                                     "discriminator_filters": 4}, data_args={"size": "tiny"})
    task = registry.get_task(config.task)
    gan = build_model(config, task)
    gan.compile(optimizer="adam", **task.compile_arguments(gan))
    data = task.dataset("train", 8, **config.data_args).take(1)
    generator_before = [v.numpy().copy() for v in gan.generator.trainable_variables]
    discriminator_before = [v.numpy().copy() for v in gan.discriminator.trainable_variables]
    logs = gan.fit(data, epochs=1, verbose=0).history
    assert {"discriminator_loss", "adversarial_loss", "image_loss", "layout_loss"} <= set(logs)
    assert all(np.isfinite(values[0]) for values in logs.values())
    for before, variables in ((generator_before, gan.generator.trainable_variables),
                              (discriminator_before, gan.discriminator.trainable_variables)):
        assert all(not np.array_equal(b, v.numpy()) for b, v in zip(before, variables))
    assert len(gan.optimizer.variables) != len(gan.discriminator_optimizer.variables)
    assert shipped_model(gan) is gan.generator
    gan.save(tmp_path / "gan.keras")
    loaded = saving.load_keras_model(tmp_path / "gan.keras")
    captions = ["a large red circle", "a small blue square left of a large yellow triangle"]
    np.testing.assert_allclose(generator.draw(loaded, captions, [1, 2]), generator.draw(gan, captions, [1, 2]),
                               atol=1e-5)


def test_a_gan_can_start_from_a_trained_generator(tiny_generator, tmp_path, mmzoo_home):
    tiny_generator.save(tmp_path / "generator.keras")
    config = TrainConfig(model="text_to_image_generator", task="shapes_text_to_image",
                         model_args={"mode": "gan", "filters": 8, "width": 16, "layout_width": 16,
                                     "discriminator_filters": 4, "initial_generator": str(tmp_path / "generator.keras")},
                         data_args={"size": "tiny"})
    gan = build_model(config, registry.get_task(config.task))
    captions = ["a large red circle", "a small blue square left of a large yellow triangle"]
    np.testing.assert_array_equal(generator.draw(gan, captions, [1, 2]), generator.draw(tiny_generator, captions, [1, 2]))
    with pytest.raises(ValueError, match="initial_generator: 'nope' is neither a .keras file nor one of the prebuilt"):
        build_model(TrainConfig.from_dict({**config.to_dict(), "model_args": {**config.model_args,
                                                                              "initial_generator": "nope"}}),
                    registry.get_task(config.task))
