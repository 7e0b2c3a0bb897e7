"""One test for every custom layer, in the spirit of KerasHub's `run_layer_test`.

    run_layer_test(PhraseGrounding, {"heads": 2, "key_dim": 4, "grid_shape": (2, 2)}, [words, cells])

checks that the layer
- survives `get_config` / `from_config` with the same config,
- builds and calls symbolically (inside a functional model) and eagerly, with the same result,
- saves in a `.keras` file that loads with `safe_mode=True` and answers the same,
- takes one training step where it has trainable weights (every weight gets a gradient),
- gives finite outputs under the `mixed_float16` policy, float32 where it holds that policy.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


def _symbolic(value):
    value = tf.convert_to_tensor(value)
    return keras.Input(shape=tuple(value.shape[1:]), dtype=value.dtype.name, batch_size=None)


def _structure(inputs, make):
    return [make(value) for value in inputs] if isinstance(inputs, (list, tuple)) else make(inputs)


def _floats(outputs):
    return [value for value in tf.nest.flatten(outputs) if value.dtype.is_floating]


def _assert_same(actual, expected):
    for got, wanted in zip(tf.nest.flatten(actual), tf.nest.flatten(expected), strict=True):
        got, wanted = np.asarray(got), np.asarray(wanted)
        if wanted.dtype.kind in "fc":
            np.testing.assert_allclose(got, wanted, rtol=1e-5, atol=1e-6)
        else:
            np.testing.assert_array_equal(got, wanted)


def run_layer_test(layer_class, init_kwargs, inputs, tmp_path, expect_trainable=None):
    layer = layer_class(**init_kwargs)
    config = layer.get_config()
    assert layer_class.from_config(config).get_config() == config

    symbolic = _structure(inputs, _symbolic)
    model = keras.Model(symbolic, layer(symbolic))
    eager = layer(inputs)
    _assert_same(model(inputs), eager)
    for value, spec in zip(tf.nest.flatten(eager), tf.nest.flatten(model.outputs), strict=True):
        assert len(value.shape) == len(spec.shape)
        assert all(s is None or s == v for s, v in zip(spec.shape, value.shape)), (spec.shape, value.shape)

    path = tmp_path / f"{layer_class.__name__}.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    _assert_same(loaded(inputs), eager)

    weights = layer.trainable_weights
    if expect_trainable is not None:
        assert bool(weights) == expect_trainable, [w.path for w in weights]
    if weights:
        before = [w.numpy().copy() for w in weights]
        with tf.GradientTape() as tape:
            # Keras passes `training` only to a `call` that takes it.
            loss = tf.add_n([tf.reduce_mean(tf.square(tf.cast(value, tf.float32)))
                             for value in _floats(layer(inputs, training=True))])
        gradients = tape.gradient(loss, weights)
        assert all(gradient is not None for gradient in gradients), [w.path for w, g in zip(weights, gradients)
                                                                      if g is None]
        keras.optimizers.SGD(0.1).apply_gradients(zip(gradients, weights))
        assert any(not np.array_equal(w.numpy(), b) for w, b in zip(weights, before))

    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        mixed = layer_class(**init_kwargs)
        outputs = mixed(inputs)
        for value in _floats(outputs):
            assert np.isfinite(np.asarray(value, np.float32)).all()
            if mixed.dtype_policy.compute_dtype == "float32":
                assert value.dtype == tf.float32, (layer_class.__name__, value.dtype)
    finally:
        keras.mixed_precision.set_global_policy(previous)
