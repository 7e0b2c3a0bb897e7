"""The dual encoder's layer: the learned inverse temperature of its contrastive logits."""

from __future__ import annotations

import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="mmzoo")
class LogitScale(keras.layers.Layer):
    """The learned inverse temperature of the contrastive logits, exp(log_scale), at most
    `maximum`; one per example of its input's batch, [batch, 1]."""

    def __init__(self, initial_temperature=0.07, maximum=100.0, **kwargs):
        super().__init__(**kwargs)
        self.initial_temperature, self.maximum = initial_temperature, maximum

    def build(self, input_shape):
        self.log_scale = self.add_weight(shape=(), initializer=keras.initializers.Constant(
            math.log(1.0 / self.initial_temperature)), name="log_scale")

    def call(self, batch_like):
        scale = ops.exp(ops.minimum(self.log_scale, math.log(self.maximum)))
        return ops.ones_like(batch_like[:, :1]) * ops.cast(scale, batch_like.dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def get_config(self):
        return {**super().get_config(), "initial_temperature": self.initial_temperature, "maximum": self.maximum}
