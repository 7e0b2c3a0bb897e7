"""The text-to-image generator's `gan` mode: a conditional GAN with a matching-aware
discriminator (GAN-INT-CLS, Reed et al. 2016; the StackGAN family's discriminator).

The discriminator sees three pairs: a real image with its caption (real), a real image with
another scene's caption (fake: it must check the caption, not only the picture) and a drawn
image with its caption (fake). The generator is trained to fool it, plus an L1 term to the
real image at the real layout (pix2pix's way of keeping a conditional GAN on its condition)
and the layout prior's likelihood. Every loss is averaged over the global batch with
`tf.nn.compute_average_loss`, so gradients summed across MirroredStrategy replicas are right.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from mmzoo.data import preprocessing
from mmzoo.models import encoders
from mmzoo.models.text_to_image.layout import layout_loss


def matching_discriminator(vectorizer, width=128, embedding_dim=64, filters=32):
    """(image, caption) -> logit of "a real image of this caption": strided convolutions down to
    4 x 4, the caption's vector tiled over that map, a 1 x 1 convolution over both."""
    image = keras.Input(shape=(64, 64, 3), name="image")
    text = encoders.text_inputs()
    x = image
    for block in range(4):
        x = keras.layers.Conv2D(filters * 2 ** block, 4, strides=2, padding="same", name=f"down{block}")(x)
        if block:
            x = keras.layers.BatchNormalization(name=f"down{block}_norm")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"down{block}_relu")(x)
    caption = encoders.text_encoder(text, preprocessing.copy_of_vectorizer(vectorizer, "caption_vectorizer"), width,
                                    embedding_dim, name="caption").vector
    caption = keras.layers.Dense(width, activation="relu", name="caption_projection")(caption)
    tiled = keras.layers.RepeatVector(16, name="caption_cells")(caption)
    tiled = keras.layers.Reshape((4, 4, width), name="caption_grid")(tiled)
    x = keras.layers.Concatenate(name="image_and_caption")([x, tiled])
    x = keras.layers.Conv2D(filters * 8, 1, name="joint")(x)
    x = keras.layers.LeakyReLU(0.2, name="joint_relu")(x)
    logit = keras.layers.Dense(1, dtype="float32", name="logit")(keras.layers.Flatten(name="flatten")(x))
    return keras.Model({"image": image, "text": text}, logit, name="matching_discriminator")


def _average(per_example):
    return tf.nn.compute_average_loss(per_example)


def _cross_entropy(label, logits):
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.fill(tf.shape(logits), float(label)), logits=logits)[:, 0]


@keras.saving.register_keras_serializable(package="mmzoo")
class ConditionalGAN(keras.Model):
    """Trains `generator` (the text-to-image functional model) against `discriminator`.
    Calling it calls the generator; `compile(optimizer)` gives the discriminator a copy of it."""

    def __init__(self, generator, discriminator, adversarial_weight=0.003, reconstruction_weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.adversarial_weight = adversarial_weight
        self.reconstruction_weight = reconstruction_weight
        self.trackers = {name: keras.metrics.Mean(name=name) for name in (
            "loss", "discriminator_loss", "adversarial_loss", "image_loss", "layout_loss")}
        self.built = True

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    @property
    def shipped_model(self):
        """What ships and serves: the generator (the discriminator is for training only)."""
        return self.generator

    @property
    def metrics(self):
        return list(self.trackers.values())

    def compile(self, optimizer="adam", discriminator_optimizer=None, **kwargs):
        super().compile(optimizer=optimizer, **kwargs)
        self.discriminator_optimizer = discriminator_optimizer or self.optimizer.__class__.from_config(
            self.optimizer.get_config())
        if self.dtype_policy.name == "mixed_float16" and not isinstance(
                self.discriminator_optimizer, keras.optimizers.LossScaleOptimizer):
            self.discriminator_optimizer = keras.optimizers.LossScaleOptimizer(self.discriminator_optimizer)
        self.optimizer.build(self.generator.trainable_variables)
        self.discriminator_optimizer.build(self.discriminator.trainable_variables)

    def _generator_losses(self, features, targets, training):
        drawn = self.generator(features, training=training)
        image_loss = tf.reduce_mean(tf.abs(drawn["image"] - targets["image"]), axis=[1, 2, 3])
        return drawn["image"], _average(image_loss), _average(layout_loss(targets["layout_mixture"],
                                                                          drawn["layout_mixture"]))

    def train_step(self, data):
        features, targets = data
        texts, real = features["text"], targets["image"]
        other_texts = tf.roll(texts, shift=1, axis=0)  # another scene's caption for each real image

        with tf.GradientTape() as tape:
            drawn = tf.stop_gradient(self.generator(features, training=True)["image"])
            real_logits = self.discriminator({"image": real, "text": texts}, training=True)
            mismatched_logits = self.discriminator({"image": real, "text": other_texts}, training=True)
            drawn_logits = self.discriminator({"image": drawn, "text": texts}, training=True)
            discriminator_loss = _average(_cross_entropy(1, real_logits) + 0.5 * (
                _cross_entropy(0, mismatched_logits) + _cross_entropy(0, drawn_logits)))
            scaled_loss = self.discriminator_optimizer.scale_loss(discriminator_loss)
        self._apply(self.discriminator_optimizer, tape, scaled_loss, self.discriminator.trainable_variables)

        with tf.GradientTape() as tape:
            drawn, image_loss, prior_loss = self._generator_losses(features, targets, training=True)
            adversarial_loss = _average(_cross_entropy(1, self.discriminator({"image": drawn, "text": texts},
                                                                              training=True)))
            loss = self.adversarial_weight * adversarial_loss + self.reconstruction_weight * image_loss + prior_loss
            scaled_loss = self.optimizer.scale_loss(loss)
        self._apply(self.optimizer, tape, scaled_loss, self.generator.trainable_variables)
        return self._track(loss=loss, discriminator_loss=discriminator_loss, adversarial_loss=adversarial_loss,
                           image_loss=image_loss, layout_loss=prior_loss)

    @staticmethod
    def _apply(optimizer, tape, scaled_loss, variables):
        """One step of `optimizer`. Under mixed precision both optimizers are LossScaleOptimizers
        (`compile`): the loss is scaled up inside the tape, so that float16 gradients do not
        underflow to 0, and `apply_gradients` unscales them, skipping a step whose gradients
        overflowed; in float32 `scale_loss` returns the loss as it is."""
        optimizer.apply_gradients(zip(tape.gradient(scaled_loss, variables), variables))

    def test_step(self, data):
        features, targets = data
        _, image_loss, prior_loss = self._generator_losses(features, targets, training=False)
        return self._track(loss=image_loss + prior_loss, image_loss=image_loss, layout_loss=prior_loss)

    def _track(self, **values):
        # The trackers average per replica batch; the losses are global-batch averages, so scale back.
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        for name, value in values.items():
            self.trackers[name].update_state(value * replicas)
        return {name: self.trackers[name].result() for name in values}

    def get_config(self):
        return {**super().get_config(), "generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(self.discriminator),
                "adversarial_weight": self.adversarial_weight, "reconstruction_weight": self.reconstruction_weight}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in ("generator", "discriminator"):
            config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)
