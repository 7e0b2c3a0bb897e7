"""What a model costs: forward FLOPs counted by TF's profiler plus the LSTMs' loops."""

import keras
import numpy as np

from mmzoo.evaluation.cost import inference_flops


def test_a_dense_layer_costs_two_flops_per_weight():
    inputs = keras.Input((4,), name="x")
    model = keras.Model(inputs, keras.layers.Dense(3, use_bias=False)(inputs))
    assert inference_flops(model, {"x": np.zeros((1, 4), "float32")}) == 2 * 4 * 3


def test_an_lstm_costs_its_matmuls_at_every_step_it_ran():
    inputs = keras.Input((None, 4), name="x")
    model = keras.Model(inputs, keras.layers.Bidirectional(keras.layers.LSTM(3))(inputs))
    for steps in (5, 10):
        per_direction = 8 * 3 * (4 + 3) * steps
        flops = inference_flops(model, {"x": np.zeros((1, steps, 4), "float32")})
        assert 2 * per_direction <= flops < 1.2 * 2 * per_direction, flops  # + elementwise ops outside the loop
