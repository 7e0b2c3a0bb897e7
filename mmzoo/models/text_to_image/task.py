"""Text to image on Shapes World: draw the scene a caption describes; judged by the prebuilt judge."""

from __future__ import annotations

import dataclasses

import tensorflow as tf

from mmzoo.data import preprocessing, views
from mmzoo.models.judge import model as judge
from mmzoo.models.judge.task import attribute_headline
from mmzoo.models.task import Task
from mmzoo.models.text_to_image import model as generator
from mmzoo.models.text_to_image.gan import ConditionalGAN
from mmzoo.models.text_to_image.layout import DEFAULT_LAYOUT_TEMPERATURE, layout_loss

GENERATOR_EVALUATION_SEEDS = (0, 1, 2, 3)


@dataclasses.dataclass(frozen=True, kw_only=True)
class TextToImageTask(Task):
    """Caption to image. The dataset gives the model the caption, the scene's layout and a seed
    per example; the targets are the image and the layout. Drawn images are scored by a judge
    (`evaluation_models`) against their captions."""

    splits: tuple = ("train", "validation", "test", "compositional")
    modalities: tuple = ("text",)
    evaluation_models: dict = dataclasses.field(default_factory=lambda: {"judge_model": "shapes_judge"})

    def dataset(self, split, batch_size, shuffle=None, drop_remainder=False, inputs=None, **data_args):
        dataset = self.counted_view(split, batch_size, shuffle, drop_remainder, **data_args)
        draws = tf.data.Dataset.random(seed=data_args.get("seed", 0), rerandomize_each_iteration=(split == "train"))

        def with_seeds(batch, draw):
            features, image = batch
            seeds = tf.random.stateless_uniform(tf.shape(features["text"]), seed=tf.stack([draw, 0]),
                                                minval=0, maxval=2 ** 62, dtype=tf.int64)
            return {**features, "seed": seeds}, {"image": image, "layout_mixture": features["layout"]}

        return tf.data.Dataset.zip(dataset, draws).map(with_seeds)

    def builder_arguments(self, model_args, data_args) -> dict:
        return {"vectorizer": views.shapes_text_vectorizer(data_args, model_args.get("tokenizer", "words"))}

    def compile_arguments(self, model) -> dict:
        if isinstance(model, ConditionalGAN):
            return {}  # the GAN's own train_step holds its losses
        return {"loss": {"image": "mae", "layout_mixture": layout_loss}}

    def serving_signatures(self, model, layout_temperature=DEFAULT_LAYOUT_TEMPERATURE) -> dict:
        """`serving_default`: text -> image (float [64, 64, 3]), png_bytes (a PNG; TF Serving's
        REST API sends an output as base64 when its name ends in `_bytes`) and the layout drawn,
        with seed 0; `with_seed`: the same with an int64 seed per caption."""
        drawer = generator.Drawer(model, layout_temperature)

        def outputs(texts, seeds):
            drawn = drawer(texts, seeds)
            return {**drawn, "png_bytes": preprocessing.encode_pngs(drawn["image"])}

        return {"serving_default": lambda features: outputs(features["text"], tf.zeros(tf.shape(features["text"]),
                                                                                      tf.int64)),
                "with_seed": (lambda features: outputs(features["text"], features["seed"]),
                              {"seed": tf.TensorSpec([None], tf.int64, name="seed")})}

    def evaluate(self, model, split, batch_size, judge_model=None, seeds=GENERATOR_EVALUATION_SEEDS,
                 **data_args) -> dict:
        """The judge's attribute accuracy on images drawn for the split's captions (pooled over
        `seeds`, and per seed), the judge on the real images, the spread of the drawings across
        seeds, and L1 to the real image when drawn at the scene's true layout.

        Args:
            judge_model: the trained judge (`shapes_judge`).
        """
        if judge_model is None:
            raise ValueError("judge_model: the text-to-image task is judged by a trained judge; pass it "
                             "(the trainer loads evaluation_models)")
        drawer = generator.Drawer(model)
        read = tf.function(lambda images: judge_model({"image": images}, training=False))
        pooled, real = judge.AttributeTally(), judge.AttributeTally()
        per_seed = {seed: judge.AttributeTally() for seed in seeds}
        spreads, errors = [], []
        for features, targets in self.dataset(split, batch_size, shuffle=False, **data_args):
            expected = [judge.caption_attributes(text.decode()) for text in features["text"].numpy()]
            real.add(expected, judge.read_attributes(read(targets["image"])))
            drawings = []
            for seed in seeds:
                seeds_of_batch = tf.fill(tf.shape(features["text"]), tf.constant(seed, tf.int64))
                images = drawer(features["text"], seeds_of_batch)["image"]
                read_attributes = judge.read_attributes(read(images))
                pooled.add(expected, read_attributes)
                per_seed[seed].add(expected, read_attributes)
                drawings.append(images)
            spreads.append(tf.reduce_mean(tf.math.reduce_std(tf.stack(drawings), axis=0), axis=[1, 2, 3]))
            at_true_layout = drawer(features["text"], features["seed"], layouts=features["layout"])["image"]
            errors.append(tf.reduce_mean(tf.abs(at_true_layout - targets["image"]), axis=[1, 2, 3]))
        return {**pooled.metrics(), "examples": real.examples, "seeds": list(seeds),
                "per_seed_attribute_accuracy": {str(s): t.metrics()["attribute_accuracy"] for s, t in per_seed.items()},
                "judge_on_real_images": real.metrics()["attribute_accuracy"],
                "pixel_std_across_seeds": float(tf.reduce_mean(tf.concat(spreads, 0))),
                "l1_at_true_layout": float(tf.reduce_mean(tf.concat(errors, 0)))}

    def headline(self, metrics: dict) -> str:
        return attribute_headline(metrics)


TASKS = (
    TextToImageTask(
        name="shapes_text_to_image", description="Draw the Shapes World scene a caption describes.",
        view=views.text_to_image, count=views.shapes_scene_count),
)
