"""Text to image: a caption (and a seed) in, a 64 x 64 picture of it out.

A caption does not say where its objects are, so the picture is made in two steps, each
learned from the training scenes:

1. the layout prior: a small Embedding + BiLSTM reads the caption and gives a mixture of
   Gaussians over where the objects go (the first object's centre and the second's offset
   from it) and the probability of a second object; the seed draws one layout from it;
2. the caption reader (Embedding + BiLSTM, the words of each object pooled by slot attention)
   and the scene painter: for each object a Dense layer to a 4 x 4 map and a stack of
   `Conv2DTranspose` blocks up to a 64 x 64 RGBA patch (the same weights for both objects),
   moved to its centre and laid over a background colour. The seed also draws the noise.

In training the painter gets the scene's true layout (teacher forcing); the prior learns
the layouts by their likelihood. Two training modes share the model:

- `reconstruction`: L1 between the painted and the real image;
- `gan`: a conditional GAN with a matching-aware discriminator (`conditional_gan`), plus the
  L1 term; it can start from a trained generator (`initial_generator`).

    model = text_to_image_generator(vectorizer, mode="reconstruction")
    images = draw(model, ["a large red circle above a small blue square"], seeds=[0])
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from mmzoo.data import preprocessing
from mmzoo.models import encoders
from mmzoo.models.layers import AlphaComposite, PlaceAtCentre, SeededNoise, SlotAttentionPooling

MODES = ("reconstruction", "gan")
LAYOUT_SIZE = 5  # first centre x, y; second minus first dx, dy (fractions of the canvas); second object 0/1
LAYOUT_STREAM, NOISE_STREAM = 1, 2
MIN_LAYOUT_SCALE = 0.005  # half a pixel as a fraction of the canvas: keeps the likelihood finite
DEFAULT_LAYOUT_TEMPERATURE = 1.0


def text_to_image_generator(vectorizer, mode="reconstruction", width=128, embedding_dim=64, noise_dim=16,
                            filters=64, components=10, layout_width=64, discriminator_filters=32,
                            adversarial_weight=0.003, reconstruction_weight=1.0, initial_generator=None):
    """The caption reader, scene painter and layout prior as one functional model: inputs
    `text` (string), `layout` [5] and `seed` (int64), outputs `image` [64, 64, 3] and
    `layout_mixture`. In `gan` mode, wrapped with a discriminator in a `ConditionalGAN`.

    `initial_generator`: start from a trained generator's weights (a preset name or a `.keras`
    file of the same architecture), as SRGAN starts its GAN from a network trained on a pixel loss.
    """
    if mode not in MODES:
        raise ValueError(f"mode: must be one of {MODES}, got {mode!r}")
    text = encoders.text_inputs()
    layout = keras.Input(shape=(LAYOUT_SIZE,), name="layout")
    seed = keras.Input(shape=(), dtype="int64", name="seed")
    reader = caption_reader(vectorizer, width, embedding_dim)
    painter = scene_painter(reader.output["objects"].shape[-1], width, noise_dim, filters)
    prior = layout_prior_network(vectorizer, layout_width, embedding_dim, components)
    read = reader(text)
    image = painter({**read, "layout": layout, "seed": seed})
    model = keras.Model({"text": text, "layout": layout, "seed": seed},
                        {"image": image, "layout_mixture": prior(text)}, name="text_to_image_generator")
    if initial_generator:
        model.set_weights(generator_of(_trained_generator(initial_generator)).get_weights())
    if mode == "reconstruction":
        return model
    from mmzoo.models.conditional_gan import ConditionalGAN, matching_discriminator

    return ConditionalGAN(model, matching_discriminator(vectorizer, width, embedding_dim, discriminator_filters),
                          adversarial_weight=adversarial_weight, reconstruction_weight=reconstruction_weight)


def _trained_generator(name_or_path):
    from mmzoo import presets
    from mmzoo.export import serving

    if name_or_path in presets.PRESET_CONFIGS:
        return presets.load_preset(name_or_path)
    if not str(name_or_path).endswith(".keras"):
        raise ValueError(f"initial_generator: {name_or_path!r} is neither a preset name nor a .keras file")
    return serving.load_keras_model(name_or_path)


def caption_reader(vectorizer, width=128, embedding_dim=64):
    """text -> `objects` [batch, 2, channels]: the words of each object (slot attention over the
    word embeddings and BiLSTM states: a short path from the loss to the colour and shape
    words), and `caption` [batch, width]: the BiLSTM's summary of the whole caption."""
    text = encoders.text_inputs()
    caption = encoders.text_encoder(text, vectorizer, width, embedding_dim, name="text")
    words = keras.layers.Concatenate(name="words")([caption.embedded, caption.sequence])
    objects = SlotAttentionPooling(2, name="object_words")(words)
    return keras.Model(text, {"objects": objects, "caption": caption.vector}, name="caption_reader")


def scene_painter(object_width, width=128, noise_dim=16, filters=64):
    """(objects, caption, layout, seed) -> image: each object's patch painted from its words and
    the seed's noise, placed at its centre, over a background colour."""
    objects = keras.Input(shape=(2, object_width), name="objects")
    caption = keras.Input(shape=(width,), name="caption")
    layout = keras.Input(shape=(LAYOUT_SIZE,), name="layout")
    seed = keras.Input(shape=(), dtype="int64", name="seed")
    noise = SeededNoise(noise_dim, stream=NOISE_STREAM, name="noise")(seed)
    painter = object_painter(width, filters)
    patches = []
    for slot, slot_name in enumerate(("first", "second")):
        object_words = keras.layers.Reshape((object_width,), name=f"{slot_name}_words")(objects[:, slot])
        vector = keras.layers.Concatenate(name=f"{slot_name}_condition")([object_words, noise])
        vector = keras.layers.Dense(width, activation="relu", name=f"{slot_name}_object")(vector)
        patches.append(PlaceAtCentre(slot, name=f"{slot_name}_placed")([painter(vector), layout]))
    condition = keras.layers.Concatenate(name="condition")([caption, noise])
    background = keras.layers.Dense(3, activation="sigmoid", name="background")(condition)
    image = AlphaComposite(dtype="float32", name="image")([background, *patches])  # what the L1 loss reads
    return keras.Model({"objects": objects, "caption": caption, "layout": layout, "seed": seed}, image,
                       name="scene_painter")


def layout_prior_network(vectorizer, width=64, embedding_dim=64, components=10):
    """text -> the logit of a second object and a mixture of `components` Gaussians over the
    layout's first centre and offset (see `layout_loss`)."""
    text = encoders.text_inputs()
    caption = encoders.text_encoder(text, preprocessing.copy_of_vectorizer(vectorizer, "layout_text_vectorizer"),
                                    width, embedding_dim, name="layout_text").vector
    hidden = keras.layers.Dense(2 * width, activation="relu", name="layout_hidden")(caption)
    mixture = keras.layers.Dense(1 + components * (1 + 2 * (LAYOUT_SIZE - 1)), dtype="float32",
                                 name="layout_mixture")(hidden)
    return keras.Model(text, mixture, name="layout_prior")


def object_painter(condition_width, filters=64):
    """One object's vector -> a 64 x 64 RGBA patch with the object in its middle: Dense to a
    4 x 4 map, then four Conv2DTranspose blocks (stride 2, halving the channels each time)."""
    vector = keras.Input(shape=(condition_width,), name="object")
    x = keras.layers.Dense(4 * 4 * 2 * filters, name="to_grid")(vector)
    x = keras.layers.Reshape((4, 4, 2 * filters), name="grid")(x)
    x = keras.layers.ReLU(name="grid_relu")(keras.layers.BatchNormalization(name="grid_norm")(x))
    for block in range(4):
        x = keras.layers.Conv2DTranspose(filters // 2 ** block, 4, strides=2, padding="same", use_bias=False,
                                         name=f"up{block}")(x)
        x = keras.layers.BatchNormalization(name=f"up{block}_norm")(x)
        x = keras.layers.ReLU(name=f"up{block}_relu")(x)
    rgba = keras.layers.Conv2D(4, 3, padding="same", activation="sigmoid", name="rgba")(x)
    return keras.Model(vector, rgba, name="object_painter")


def _mixture_parts(mixture):
    """The layout prior's output: the logit of a second object, then the mixture's component
    logits, means and log-scales."""
    second_object_logit, mixture = mixture[:, 0], mixture[:, 1:]
    components = mixture.shape[-1] // (1 + 2 * (LAYOUT_SIZE - 1))
    logits = mixture[:, :components]
    means = tf.reshape(mixture[:, components:components * LAYOUT_SIZE], [-1, components, LAYOUT_SIZE - 1])
    log_scales = tf.reshape(mixture[:, components * LAYOUT_SIZE:], [-1, components, LAYOUT_SIZE - 1])
    return second_object_logit, logits, means, tf.maximum(log_scales, np.log(MIN_LAYOUT_SCALE))


@keras.saving.register_keras_serializable(package="mmzoo")
def layout_loss(layout, mixture):
    """Negative log-likelihood of the true layouts under the predicted mixtures (a one-object
    layout is scored on its centre only), plus that of the number of objects."""
    # float32 whatever the compute policy: squared standardized distances overflow float16.
    mixture = tf.cast(mixture, tf.float32)
    layout = tf.cast(layout, tf.float32)
    second_object_logit, logits, means, log_scales = _mixture_parts(mixture)
    standardized = (layout[:, None, :LAYOUT_SIZE - 1] - means) / tf.exp(log_scales)
    per_coordinate = -0.5 * tf.square(standardized) - log_scales - 0.5 * np.log(2 * np.pi)
    counted = tf.concat([tf.ones_like(layout[:, :2]), tf.tile(layout[:, LAYOUT_SIZE - 1:], [1, 2])], axis=-1)
    log_likelihood = tf.reduce_logsumexp(
        tf.nn.log_softmax(logits) + tf.reduce_sum(per_coordinate * counted[:, None, :], axis=-1), axis=-1)
    second_object = tf.nn.sigmoid_cross_entropy_with_logits(labels=layout[:, LAYOUT_SIZE - 1],
                                                            logits=second_object_logit)
    return second_object - log_likelihood


def sample_layouts(mixture, seeds, temperature=DEFAULT_LAYOUT_TEMPERATURE):
    """One layout per caption drawn from its mixture with its own seed (its draw depends on its
    seed alone). `temperature` scales the spread of each component; centres stay on the canvas;
    there is a second object where the prior gives it a probability over one half."""
    second_object_logit, logits, means, log_scales = _mixture_parts(mixture)
    draws = SeededNoise(LAYOUT_SIZE, stream=LAYOUT_STREAM)(seeds)
    uniform = 0.5 * (1.0 + tf.math.erf(draws[:, 0] / np.sqrt(2.0)))
    cumulative = tf.cumsum(tf.nn.softmax(logits), axis=-1)
    component = tf.minimum(tf.reduce_sum(tf.cast(cumulative < uniform[:, None], tf.int32), axis=-1),
                           tf.shape(logits)[-1] - 1)
    mean = tf.gather(means, component, batch_dims=1)
    scale = tf.exp(tf.gather(log_scales, component, batch_dims=1))
    drawn = mean + temperature * scale * draws[:, 1:]
    first = tf.clip_by_value(drawn[:, :2], 0.0, 1.0)
    offset = tf.clip_by_value(first + drawn[:, 2:], 0.0, 1.0) - first
    second_object = tf.cast(second_object_logit > 0.0, first.dtype)[:, None]
    return tf.concat([first, offset, second_object], axis=-1)


def generator_of(model) -> keras.Model:
    """The functional text-to-image model inside a model of either mode."""
    return getattr(model, "generator", model)


def layout_prior(model) -> keras.Model:
    """The layout prior alone: text -> layout mixture."""
    return generator_of(model).get_layer("layout_prior")


class Drawer:
    """Captions and seeds -> images: a layout drawn from the prior, then painted. Build one per
    model and reuse it."""

    def __init__(self, model, layout_temperature=DEFAULT_LAYOUT_TEMPERATURE):
        self.generator = generator_of(model)
        self.prior = layout_prior(model)
        self.layout_temperature = layout_temperature

    def __call__(self, texts, seeds, layouts=None):
        """`layouts` (optional): draw at these layouts instead of sampling them. Returns
        {"image": [batch, 64, 64, 3] in [0, 1], "layout": [batch, 5]}."""
        texts = tf.convert_to_tensor(texts, tf.string)
        seeds = tf.cast(tf.convert_to_tensor(seeds), tf.int64)
        tf.debugging.assert_equal(tf.shape(seeds), tf.shape(texts), message="seed: one per caption")
        if layouts is None:
            layouts = sample_layouts(self.prior(texts, training=False), seeds, self.layout_temperature)
        image = self.generator({"text": texts, "layout": layouts, "seed": seeds}, training=False)["image"]
        return {"image": image, "layout": layouts}


def draw(model, texts, seeds, layout_temperature=DEFAULT_LAYOUT_TEMPERATURE):
    """Images [batch, 64, 64, 3] in [0, 1] for captions, one int seed each (see `Drawer`)."""
    return Drawer(model, layout_temperature)(texts, seeds)["image"]


def draw_between(model, first_caption, second_caption, steps=8, seed=0):
    """Pictures on the way from one caption to another at one seed: what the caption reader
    makes of each, mixed in `steps` equal steps, and their layouts with them (the second object
    appears or goes half way where only one caption names it)."""
    trained = generator_of(model)
    texts = tf.constant([first_caption, second_caption])
    read = trained.get_layer("caption_reader")(texts, training=False)
    layouts = Drawer(model)(texts, [seed, seed])["layout"]
    weights = tf.linspace(0.0, 1.0, steps)

    def mixed(pair):
        shape = [steps] + [1] * (len(pair.shape) - 1)
        return pair[0][None] * tf.reshape(1.0 - weights, shape) + pair[1][None] * tf.reshape(weights, shape)

    layout = tf.concat([mixed(layouts)[:, :LAYOUT_SIZE - 1],
                        tf.where(weights[:, None] < 0.5, layouts[0, LAYOUT_SIZE - 1], layouts[1, LAYOUT_SIZE - 1])],
                       axis=-1)
    return trained.get_layer("scene_painter")({"objects": mixed(read["objects"]), "caption": mixed(read["caption"]),
                                               "layout": layout, "seed": tf.fill([steps], tf.constant(seed, tf.int64))},
                                              training=False)

