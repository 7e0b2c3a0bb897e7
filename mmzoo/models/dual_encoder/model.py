"""CLIP-style dual encoder (Radford et al., 2021): an image tower and a text tower map their
inputs into one space, where an image and a caption of it are close.

    logits[i, j] = scale * cos(image_i, caption_j)
    loss = (CE(image -> its captions) + CE(caption -> its images)) / 2

over the batch: every other caption and image of the batch is a negative. `scale`, the inverse
temperature, is learned (from 1 / 0.07, capped at 100, as in CLIP).

    trainer: TrainConfig(model="dual_encoder", task="shapes_image_text_retrieval",
                         model_args={"width": 128, "projection_dim": 64})

Two things the textbook loss leaves open, decided here:
- Under MirroredStrategy each replica gathers every replica's embeddings (`ReplicaContext.
  all_gather`, whose gradient flows back to the replica that made them): an example meets the
  negatives of the whole global batch, as on one replica, and the loss is the one-replica loss
  (tested: weights after training on one and on two replicas agree). Validation, whose last
  batch differs in size between replicas, scores within each replica's batch.
- Shapes World's one-object captions repeat ("a large red circle"): two images with the same
  caption are both right for it. The targets are spread over every example whose caption id
  (the task's target: a hash of the caption) is the same, rather than calling one of them a
  negative.

The towers are the zoo's encoders under the fusion classifiers' layer names (`image_*`,
`text_*`): `fusion_classifier(initial_encoders=...)` starts a classifier from them by name.
"""

from __future__ import annotations


import keras
import tensorflow as tf
from keras import ops

from mmzoo.errors import InvalidInputError
from mmzoo.models import encoders
from mmzoo.models.dual_encoder.layers import LogitScale
from mmzoo.models.masked_language import model as masked_language_model

EMBEDDINGS = ("image_embedding", "text_embedding")



@keras.saving.register_keras_serializable(package="mmzoo")
class DualEncoder(keras.Model):
    """Two towers (`image_encoder`: image -> unit vector, `text_encoder`: text -> unit vector)
    and the scale, as a functional model with outputs `image_embedding`, `text_embedding` and
    `logit_scale`; trained with the symmetric contrastive loss (module docstring). Its target
    is a caption id per example (int64)."""

    def __init__(self, image_encoder, text_encoder, initial_temperature=0.07, **kwargs):
        inputs = {"image": keras.Input(image_encoder.input.shape[1:], dtype=image_encoder.input.dtype, name="image"),
                  "text": keras.Input(text_encoder.input.shape[1:], dtype=text_encoder.input.dtype, name="text")}
        image_embedding = image_encoder(inputs["image"])
        outputs = {"image_embedding": image_embedding, "text_embedding": text_encoder(inputs["text"]),
                   "logit_scale": LogitScale(initial_temperature, name="logit_scale")(image_embedding)}
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.image_encoder, self.text_encoder = image_encoder, text_encoder
        self.initial_temperature = initial_temperature

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        images, texts = y_pred["image_embedding"], y_pred["text_embedding"]
        caption_ids = ops.reshape(ops.cast(y, "int64"), (-1,))
        # Each example finds its own column, and any other with its caption, by caption id.
        all_images, all_texts, all_ids = images, texts, caption_ids
        replica = tf.distribute.get_replica_context()
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        if training and replica is not None and replicas > 1:
            all_images, all_texts, all_ids = (replica.all_gather(value, axis=0)
                                              for value in (images, texts, caption_ids))
        same_caption = ops.cast(ops.equal(caption_ids[:, None], all_ids[None, :]), "float32")
        targets = same_caption / ops.sum(same_caption, axis=1, keepdims=True)
        scale = ops.cast(y_pred["logit_scale"][0, 0], "float32")
        image_logits = scale * ops.matmul(ops.cast(images, "float32"), ops.transpose(ops.cast(all_texts, "float32")))
        text_logits = scale * ops.matmul(ops.cast(texts, "float32"), ops.transpose(ops.cast(all_images, "float32")))
        loss = (keras.losses.categorical_crossentropy(targets, image_logits, from_logits=True)
                + keras.losses.categorical_crossentropy(targets, text_logits, from_logits=True)) / 2
        # MirroredStrategy sums the replicas' gradients: each replica's share of the global mean.
        return ops.mean(loss) / replicas

    def get_config(self):
        return {"name": self.name, "initial_temperature": self.initial_temperature,
                "image_encoder": keras.saving.serialize_keras_object(self.image_encoder),
                "text_encoder": keras.saving.serialize_keras_object(self.text_encoder)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        towers = {name: keras.saving.deserialize_keras_object(config.pop(name))
                  for name in ("image_encoder", "text_encoder")}
        return cls(**towers, **config)


def image_tower(image_shape=(64, 64, 3), width=128, projection_dim=64, image_blocks=2, image_filters=32):
    """`encoders.image_encoder`'s vector, projected to `projection_dim` and made unit length."""
    image = encoders.image_inputs(image_shape)
    vector = encoders.image_encoder(image, width, image_blocks, image_filters).vector
    projected = keras.layers.Dense(projection_dim, name="image_projection")(vector)
    return keras.Model(image, keras.layers.UnitNormalization(name="image_unit")(projected), name="image_encoder")


def text_tower(vectorizer, width=128, projection_dim=64, recurrent_layers=1, architecture="lstm"):
    """`encoders.text_encoder`'s vector (`recurrent_layers` BiLSTMs, or a Transformer encoder),
    projected and made unit length."""
    text = encoders.text_inputs()
    vector = encoders.text_encoder(text, vectorizer, width, recurrent_layers=recurrent_layers,
                                   architecture=architecture).vector
    projected = keras.layers.Dense(projection_dim, name="text_projection")(vector)
    return keras.Model(text, keras.layers.UnitNormalization(name="text_unit")(projected), name="text_encoder")


def dual_encoder(vectorizer, image_shape=(64, 64, 3), width=128, projection_dim=64, image_blocks=2,
                 image_filters=32, recurrent_layers=1, initial_temperature=0.07, tokenizer="words",
                 text_architecture="lstm", initial_text_encoder=None, name="dual_encoder"):
    """The trainer's builder: a `DualEncoder` of `image_tower` and `text_tower`.

    Args:
        vectorizer: the text vectorizer of `tokenizer`'s kind, from the training captions.
        image_shape: [H, W, 3] of the images.
        width: of both encoders.
        projection_dim: of the shared embedding space.
        image_blocks: the image encoder's conv blocks; image_filters: its first conv's.
        recurrent_layers: the text encoder's BiLSTMs.
        initial_temperature: of the learned contrastive temperature (CLIP's 0.07).
        tokenizer: `words` or `wordpiece` (`fusion_classifier`'s); the builder checks the vectorizer's kind.
        text_architecture: `lstm` or `transformer` (`fusion_classifier`'s).
        initial_text_encoder: a trained `MaskedLanguageModel` to start the text tower from
            (`fusion_classifier`'s).
        name: the model's name.
    """
    encoders.check_tokenizer(vectorizer, tokenizer)
    if initial_text_encoder is not None:
        vectorizer = masked_language_model.pretrained_vectorizer(initial_text_encoder, text_architecture)
    if projection_dim < 1 or width < 2:
        raise ValueError(f"projection_dim and width: positive sizes expected, got {projection_dim}, {width}")
    if not 0.0 < initial_temperature <= 1.0:
        raise ValueError(f"initial_temperature: in (0, 1], got {initial_temperature!r}")
    model = DualEncoder(image_tower(image_shape, width, projection_dim, image_blocks, image_filters),
                        text_tower(vectorizer, width, projection_dim, recurrent_layers, text_architecture),
                        initial_temperature, name=name)
    if initial_text_encoder is not None:
        masked_language_model.start_text_side(initial_text_encoder, model)
    return model



def copy_encoder_weights(dual_encoder, model) -> list[str]:
    """Start `model` from a dual encoder's towers: every layer of `model` that a tower has by
    name (`image_*`, `text_*`) takes its weights (`encoders.copy_weights_by_name`); returns
    their names."""
    if not isinstance(dual_encoder, DualEncoder):
        raise InvalidInputError("initial_encoders", f"a {type(dual_encoder).__name__}, not a dual encoder")
    pretrained = {layer.name: layer for tower in (dual_encoder.image_encoder, dual_encoder.text_encoder)
                  for layer in tower.layers}
    return encoders.copy_weights_by_name(pretrained, model, "initial_encoders", "dual encoder")
