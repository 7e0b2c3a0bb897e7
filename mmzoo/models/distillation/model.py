"""Knowledge distillation (Hinton, Vinyals and Dean, 2015): a frozen teacher's softened
probabilities teach a smaller student, next to the labels.

    loss = alpha * CE(labels, student) + (1 - alpha) * T^2 * KL(teacher_T || student_T)

where `model_T` is the model's distribution at temperature T: softmax(logits / T). The T^2
keeps the soft targets' gradients as large as the labels' whatever T is.

    trainer: TrainConfig(model="distiller", task="avdigits", model_args={
        "teacher": "runs/teacher/model.keras",     # a .keras file or a prebuilt model's name
        "student_model": "fusion_classifier", "student_args": {"width": 32, "recurrent_layers": 0},
        "temperature": 4.0, "alpha": 0.5})

Built on `keras.distillation` (Keras 3.15): its `Distiller` freezes the teacher, calls it in
inference mode (no dropout in the soft targets), extracts layers for `FeatureDistillation` and
trains the student. What it does not do for the zoo is done here:
- The zoo's classifiers output probabilities; `LogitsDistillation` wants logits. `SoftTargets`
  takes log-probabilities, which are the logits up to a per-example constant that the softmax
  at temperature T ignores.
- `LogitsDistillation()` with its default loss, the string "kl_divergence", applies neither the
  softmax nor T^2: the string becomes the function `kl_divergence`, and only a
  `keras.losses.KLDivergence` object takes the branch that does. `SoftTargets` computes the
  tempered KL divergence itself.
- `Distiller.compute_loss` averages a loss given by name over the replica's batch but does not
  divide it by the replicas (a `keras.losses` object would); MirroredStrategy sums the
  replicas' gradients, so on N replicas the step was N times too large. `ZooDistiller` averages
  every part over its replica's batch and divides the sum by the replicas; tested to train
  alike on one and two replicas.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from mmzoo.errors import InvalidInputError


@keras.saving.register_keras_serializable(package="mmzoo")
class SoftTargets(keras.distillation.LogitsDistillation):
    """T^2 KL(teacher_T || student_T) for models whose outputs are probabilities, averaged over
    the batch (of this replica: `ZooDistiller` divides by the replicas)."""

    def __init__(self, temperature=4.0):
        super().__init__(temperature=temperature, loss="kl_divergence")

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        teacher = _log_probabilities_at(teacher_outputs, self.temperature)
        student = _log_probabilities_at(student_outputs, self.temperature)
        divergence = ops.sum(ops.exp(teacher) * (teacher - student), axis=-1)
        return ops.mean(divergence) * self.temperature ** 2

    def get_config(self):
        return {"temperature": self.temperature}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _log_probabilities_at(probabilities, temperature):
    log_probabilities = ops.log(ops.clip(ops.cast(probabilities, "float32"), keras.backend.epsilon(), 1.0))
    return ops.log_softmax(log_probabilities / temperature, axis=-1)


@keras.saving.register_keras_serializable(package="mmzoo")
class ZooDistiller(keras.distillation.Distiller):
    """`keras.distillation.Distiller` whose loss is right under MirroredStrategy (module
    docstring); `alpha` is its `student_loss_weight`, the labels' share of the loss."""

    def compile(self, optimizer="adam", loss=None, metrics=None, **kwargs):
        if isinstance(loss, keras.losses.Loss):
            # Its reduction divides by the replicas already; its `call` leaves the average to us.
            loss = loss.call
        super().compile(optimizer=optimizer, loss=loss, metrics=metrics, **kwargs)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = super().compute_loss(x, y, y_pred, sample_weight, training)
        return loss / tf.distribute.get_strategy().num_replicas_in_sync

    @property
    def shipped_model(self):
        """What ships and serves: the student (the teacher stays behind)."""
        return self.student


def distiller(teacher, student, temperature=4.0, alpha=0.5):
    """The trainer's builder: a `ZooDistiller` of a trained classifier into a new one.

    Args:
        teacher: the trained classifier (a `keras.Model`; a config names a `.keras` file or a
            prebuilt model, which the trainer loads).
        student: the classifier to train, new (the trainer builds it from the config's
            `student_model` and `student_args` with the task's arguments).
        temperature: of the softened distributions, T above.
        alpha: the labels' share of the loss.
    """
    if not 0.0 <= alpha <= 1.0:
        raise InvalidInputError("alpha", f"the labels' share of the loss, in [0, 1]; got {alpha!r}")
    if temperature <= 0:
        raise InvalidInputError("temperature", f"must be positive, got {temperature!r}")
    return ZooDistiller(teacher, student, distillation_losses=SoftTargets(temperature), student_loss_weight=alpha,
                        name=f"distiller_{student.name}")
