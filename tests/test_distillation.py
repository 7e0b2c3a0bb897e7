"""Knowledge distillation: the soft-target loss, a teacher that does not change, the same
training on one and two replicas, and a student that ships as a plain classifier."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from mmzoo import registry, saving
from mmzoo.config import TrainConfig
from mmzoo.errors import InvalidInputError
from mmzoo.models.distillation import model as distillation
from mmzoo.training.trainer import build_model, train
from tests.replica_worker import run_worker


def _tempered(probabilities, temperature):
    logits = np.log(probabilities) / temperature
    exponentials = np.exp(logits - logits.max(-1, keepdims=True))
    return exponentials / exponentials.sum(-1, keepdims=True)


def test_soft_targets_are_the_tempered_kl_divergence_times_t_squared():
    teacher = np.array([[0.7, 0.2, 0.1], [0.05, 0.05, 0.9]], "float32")
    student = np.array([[0.4, 0.4, 0.2], [0.3, 0.3, 0.4]], "float32")
    for temperature in (1.0, 4.0):
        soft_teacher, soft_student = _tempered(teacher, temperature), _tempered(student, temperature)
        expected = temperature ** 2 * np.mean(np.sum(soft_teacher * np.log(soft_teacher / soft_student), -1))
        loss = distillation.SoftTargets(temperature)
        np.testing.assert_allclose(float(loss.compute_loss(tf.constant(teacher), tf.constant(student))), expected,
                                   rtol=1e-5)
        assert abs(float(loss.compute_loss(tf.constant(teacher), tf.constant(teacher)))) < 1e-6


def _tiny_teacher(path, mmzoo_home):
    """An untrained AV-Digits classifier with batch norm and dropout: what could change, would."""
    config = TrainConfig(model="fusion_classifier", task="avdigits", model_args={"fusion": "concat", "width": 16})
    keras.utils.set_random_seed(3)
    build_model(config, registry.get_task("avdigits")).save(path)
    return path


def test_distillation_trains_the_student_and_leaves_the_teacher_as_it_was(tmp_path, mmzoo_home):
    from mmzoo.export.runs import export_run

    teacher_path = _tiny_teacher(tmp_path / "teacher.keras", mmzoo_home)
    config = TrainConfig(model="distiller", task="avdigits", epochs=2, steps_per_epoch=3, validation_steps=1,
                         batch_size=8, model_args={"teacher": str(teacher_path), "student_model": "fusion_classifier",
                                                   "student_args": {"fusion": "concat", "width": 8,
                                                                    "image_filters": 4, "recurrent_layers": 0},
                                                   "temperature": 3.0, "alpha": 0.4})
    keras.utils.set_random_seed(config.seed)
    initial_student = build_model(config, registry.get_task("avdigits")).student.get_weights()
    metrics = train(config, tmp_path / "run", verbose=0)

    distiller = saving.load_keras_model(tmp_path / "run" / "model.keras")
    teacher = saving.load_keras_model(teacher_path)
    assert isinstance(distiller, distillation.ZooDistiller) and not distiller.teacher.trainable
    for before, after in zip(teacher.weights, distiller.teacher.weights, strict=True):  # batch-norm statistics too
        np.testing.assert_array_equal(before.numpy(), after.numpy(), err_msg=before.path)
    assert any(np.abs(before - after).max() > 1e-4
               for before, after in zip(initial_student, distiller.student.get_weights(), strict=True))
    assert metrics["parameters"] == distiller.student.count_params() < teacher.count_params()
    assert 0.0 <= metrics["splits"]["test"]["accuracy"] <= 1.0

    exported = export_run(tmp_path / "run", tmp_path / "export", "student")
    shipped = saving.load_keras_model(exported.parent / "model.keras")
    assert not isinstance(shipped, keras.distillation.Distiller)  # a plain functional model: the student
    assert shipped.count_params() == distiller.student.count_params()
    outputs = tf.saved_model.load(str(exported)).signatures["serving_default"].structured_outputs
    assert set(outputs) == {"probabilities", "class_id", "class_name", "score"}


def test_a_distiller_names_what_is_wrong(tmp_path, mmzoo_home):
    config = TrainConfig(model="distiller", task="avdigits")
    task = registry.get_task("avdigits")

    def build(**model_args):
        return build_model(TrainConfig(**{**config.to_dict(), "model_args": model_args}), task)

    with pytest.raises(InvalidInputError, match="teacher: .*missing.keras: no such .keras file"):
        build(teacher=str(tmp_path / "missing.keras"), student_model="fusion_classifier")
    with pytest.raises(InvalidInputError, match="teacher: 'no_such_preset' is neither"):
        build(teacher="no_such_preset", student_model="fusion_classifier")
    teacher = str(_tiny_teacher(tmp_path / "teacher.keras", mmzoo_home))
    with pytest.raises(InvalidInputError, match="student_model: model: 'transformer' is not one of"):
        build(teacher=teacher, student_model="transformer")
    with pytest.raises(InvalidInputError, match="alpha: .* got 1.5"):
        build(teacher=teacher, student_model="fusion_classifier", student_args={"width": 8}, alpha=1.5)
    with pytest.raises(InvalidInputError, match="temperature: must be positive"):
        build(teacher=teacher, student_model="fusion_classifier", student_args={"width": 8}, temperature=0)


def _distillation_run(run_dir, logical_cpus, *flags):
    return run_worker("distillation_worker.py", run_dir, logical_cpus, *flags)


def test_distillation_trains_alike_on_one_and_two_replicas(tmp_path):
    one = _distillation_run(tmp_path / "one", 1)
    two = _distillation_run(tmp_path / "two", 2)
    assert (one["replicas"], two["replicas"]) == (1, 2)
    assert max(abs(a - b) for a, b in zip(one["kernel"], two["kernel"], strict=True)) < 1e-4
    # The check can fail: Keras' own Distiller takes twice the step on two replicas.
    keras_one = _distillation_run(tmp_path / "keras_one", 1, "--keras-distiller")
    keras_two = _distillation_run(tmp_path / "keras_two", 2, "--keras-distiller")
    assert max(abs(a - b) for a, b in zip(one["kernel"], keras_one["kernel"], strict=True)) < 1e-4
    assert max(abs(a - b) for a, b in zip(keras_one["kernel"], keras_two["kernel"], strict=True)) > 1e-2
    assert json.dumps(one["test"])  # evaluated the student
