"""Work-arounds for Keras 3 bugs under `tf.distribute`, applied only where they bite.

Each names its upstream report; drop it once a Keras release fixes the report.
"""

from __future__ import annotations



def build_before_distributed_fit(model, element_spec):
    """Build model, loss, metrics and optimizer from a dataset's spec before `fit`.

    Keras otherwise builds a distributed model by reducing its first input batch across
    replicas, which fails for dict inputs under MultiWorkerMirroredStrategy and for string
    inputs under any strategy (keras-team/keras#20329). Built, there is nothing to reduce.
    Call inside `strategy.scope()`, after `compile`.
    """
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
