"""Work-arounds for Keras 3 bugs and gaps the trainer meets, applied only where they bite.

Each bug names its upstream report; drop a work-around once a Keras release fixes it.
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np


def build_before_distributed_fit(model, element_spec):
    """Build model, loss, metrics and optimizer from a dataset's spec before `fit`.

    Keras otherwise builds a distributed model by reducing its first input batch across
    replicas, which fails for dict inputs under MultiWorkerMirroredStrategy and for string
    inputs under any strategy (keras-team/keras#20329). Built, there is nothing to reduce.
    Call inside `strategy.scope()`, after `compile`. A model with its own `train_step` that
    builds its optimizers in `compile` (the conditional GAN) is built already: left alone.
    """
    if not (model.built and model.optimizer.built):
        model._symbolic_build(data_batch=element_spec)
    model._maybe_symbolic_build = lambda iterator=None, data_batch=None: None


def fix_multi_worker_log_reduction():
    """`fit` and `evaluate` under MultiWorkerMirroredStrategy reduce every scalar log with
    `axis=0` and fail ("Invalid reduction dimension 0 for input with 0 dimensions",
    tensorflow/tensorflow#72388). Average scalars across workers instead."""
    from keras.src import tree
    from keras.src.backend.tensorflow import trainer as tf_trainer

    original = tf_trainer.reduce_per_replica
    if getattr(original, "mmzoo_fixed", False):
        return

    def reduce_per_replica(values, strategy, reduction):
        if reduction in ("auto", "mean") and tf_trainer._collective_all_reduce_multi_worker(strategy):
            def mean(value):
                rank = value.values[0].shape.rank if tf_trainer._is_per_replica_instance(value) else value.shape.rank
                return strategy.reduce("MEAN", value, axis=None if rank == 0 else 0)

            return tree.map_structure(mean, values)
        return original(values, strategy, reduction)

    reduce_per_replica.mmzoo_fixed = True
    tf_trainer.reduce_per_replica = reduce_per_replica


class RandomStateBackup(keras.callbacks.Callback):
    """Backs up the model's random-number state (the SeedGenerators of dropout and augmentation
    layers) beside BackupAndRestore's files, which leave it out: without it a resumed run draws
    the dropout masks of its first epochs again and drifts from the run it continues."""

    def __init__(self, backup_dir):
        super().__init__()
        self.path = Path(backup_dir) / "random_state.json"

    def _states(self):
        return {variable.path: variable for variable in self.model.variables
                if variable.path.endswith("seed_generator_state")}

    def on_train_begin(self, logs=None):
        if self.path.exists():
            saved = json.loads(self.path.read_text())
            for path, variable in self._states().items():
                if path in saved:
                    variable.assign(np.asarray(saved[path], dtype=variable.dtype))

    def on_epoch_end(self, epoch, logs=None):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_suffix(".tmp")
        scratch.write_text(json.dumps({path: np.asarray(v.numpy()).tolist() for path, v in self._states().items()}))
        scratch.replace(self.path)


def track_variables_once(archive):
    """`ExportArchive.track(model)` keeps the Keras variable wrappers and the endpoints capture
    the `tf.Variable`s inside them: two trackables per weight, so the SavedModel stores every
    weight twice and TF Serving loads it twice (keras-team/keras#23553). Swap the wrappers for
    their `tf.Variable`s, which checkpointing then de-duplicates. Call after `track`."""
    tracked = archive._tf_trackable
    for name in ("variables", "trainable_variables", "non_trainable_variables"):
        setattr(tracked, name, [getattr(variable, "value", variable) for variable in getattr(tracked, name)])
