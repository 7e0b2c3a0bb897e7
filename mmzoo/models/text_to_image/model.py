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
- `gan`: a conditional GAN with a matching-aware discriminator (`gan.py`), plus the
  L1 term; it can start from a trained generator (`initial_generator`).

    model = text_to_image_generator(vectorizer, mode="reconstruction")
    images = draw(model, ["a large red circle above a small blue square"], seeds=[0])
"""

from __future__ import annotations

import keras
import tensorflow as tf

from mmzoo.data import preprocessing
from mmzoo.models import encoders
from mmzoo.models.task import shipped_model
from mmzoo.models.text_to_image.gan import ConditionalGAN, matching_discriminator
from mmzoo.models.text_to_image.layers import AlphaComposite, PlaceAtCentre, SeededNoise, SlotAttentionPooling
from mmzoo.models.text_to_image import MODES
from mmzoo.models.text_to_image.layout import DEFAULT_LAYOUT_TEMPERATURE, LAYOUT_SIZE, sample_layouts

NOISE_STREAM = 2  # the painter's draws from a seed; the layout's are layout.LAYOUT_STREAM


def text_to_image_generator(vectorizer, mode="reconstruction", width=128, embedding_dim=64, noise_dim=16,
                            filters=64, components=10, layout_width=64, discriminator_filters=32,
                            adversarial_weight=0.003, reconstruction_weight=1.0, initial_generator=None,
                            tokenizer="words", text_architecture="lstm"):
    """The caption reader, scene painter and layout prior as one functional model: inputs
    `text` (string), `layout` [5] and `seed` (int64), outputs `image` [64, 64, 3] and
    `layout_mixture`. In `gan` mode, wrapped with a discriminator in a `ConditionalGAN`.

    Args:
        vectorizer: the text vectorizer of `tokenizer`'s kind, from the training captions.
        mode: "reconstruction" (L1 and the layout likelihood) or "gan" (module docstring).
        width: of the caption reader, the painter's object vectors and the discriminator.
        embedding_dim: of the words.
        noise_dim: of the seed's noise per object.
        filters: of the painter's last Conv2DTranspose block (doubling towards its 4 x 4 map).
        components: of the layout prior's Gaussian mixture.
        layout_width: of the layout prior's caption reader.
        discriminator_filters: of the discriminator's first conv (gan mode).
        adversarial_weight: the adversarial term's share of the generator's loss (gan mode).
        reconstruction_weight: the L1 term's (gan mode).
        initial_generator: a trained generator (or GAN) of the same architecture to start from,
            as SRGAN starts its GAN from a network trained on a pixel loss.
        tokenizer: `words` or `wordpiece` (`fusion_classifier`'s); the builder checks the vectorizer's kind.
        text_architecture: the caption reader's, `lstm` or `transformer` (`fusion_classifier`'s).
    """
    encoders.check_tokenizer(vectorizer, tokenizer)
    if mode not in MODES:
        raise ValueError(f"mode: must be one of {MODES}, got {mode!r}")
    text = encoders.text_inputs()
    layout = keras.Input(shape=(LAYOUT_SIZE,), name="layout")
    seed = keras.Input(shape=(), dtype="int64", name="seed")
    reader = caption_reader(vectorizer, width, embedding_dim, text_architecture)
    painter = scene_painter(reader.output["objects"].shape[-1], width, noise_dim, filters)
    prior = layout_prior_network(vectorizer, layout_width, embedding_dim, components)
    read = reader(text)
    image = painter({**read, "layout": layout, "seed": seed})
    model = keras.Model({"text": text, "layout": layout, "seed": seed},
                        {"image": image, "layout_mixture": prior(text)}, name="text_to_image_generator")
    if initial_generator is not None:
        model.set_weights(shipped_model(initial_generator).get_weights())
    if mode == "reconstruction":
        return model
    return ConditionalGAN(model, matching_discriminator(vectorizer, width, embedding_dim, discriminator_filters),
                          adversarial_weight=adversarial_weight, reconstruction_weight=reconstruction_weight)



def caption_reader(vectorizer, width=128, embedding_dim=64, architecture="lstm"):
    """text -> `objects` [batch, 2, channels]: the words of each object (slot attention over the
    word embeddings and the encoder's states: a short path from the loss to the colour and shape
    words), and `caption` [batch, width]: the encoder's summary of the whole caption
    (`architecture`: a BiLSTM or a Transformer encoder)."""
    text = encoders.text_inputs()
    caption = encoders.text_encoder(text, vectorizer, width, embedding_dim, name="text", architecture=architecture)
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






def layout_prior(model) -> keras.Model:
    """The layout prior alone: text -> layout mixture."""
    return shipped_model(model).get_layer("layout_prior")


class Drawer:
    """Captions and seeds -> images: a layout drawn from the prior, then painted. Build one per
    model and reuse it."""

    def __init__(self, model, layout_temperature=DEFAULT_LAYOUT_TEMPERATURE):
        self.generator = shipped_model(model)
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
    trained = shipped_model(model)
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

