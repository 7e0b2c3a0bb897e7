"""The layout prior's mathematics: a mixture of Gaussians over where a caption's objects go
(the first object's centre and the second's offset from it, fractions of the canvas) and the
probability of a second object; its loss, and a seeded draw from it."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from mmzoo.models.text_to_image.layers import SeededNoise

LAYOUT_SIZE = 5  # first centre x, y; second minus first dx, dy (fractions of the canvas); second object 0/1
LAYOUT_STREAM = 1
MIN_LAYOUT_SCALE = 0.005  # half a pixel as a fraction of the canvas: keeps the likelihood finite
DEFAULT_LAYOUT_TEMPERATURE = 1.0


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
