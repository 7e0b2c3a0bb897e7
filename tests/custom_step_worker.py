"""A model with its own `train_step`, trained by the shared trainer in its own process (logical
CPUs must be set before TensorFlow starts): prints its weights after a few SGD steps.

    python tests/custom_step_worker.py RUN_DIR --logical-cpus N [--unscaled-loss]

With a loss from `keras.losses` (scaled to the global batch), 1 and 2 replicas give the same
weights; with a bare `ops.mean` of the per-replica batch (`--unscaled-loss`) they do not.
"""

from replica_worker import devices, report, start


def main():
    args = start("--unscaled-loss")

    import keras
    import numpy as np
    import tensorflow as tf

    from mmzoo import registry
    from mmzoo.config import TrainConfig
    from mmzoo.models.family import Family
    from mmzoo.models.task import Task
    from mmzoo.training.trainer import train

    def linear_data(split, batch_size, shuffle=None, drop_remainder=False):
        rng = np.random.default_rng(["train", "validation", "test"].index(split))
        x = rng.normal(size=(64, 4)).astype("float32")
        y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], "float32") + 0.1
        return tf.data.Dataset.from_tensor_slices(({"x": x}, y)).batch(batch_size, drop_remainder=drop_remainder)

    class LinearRegressionTask(Task):  # the model's train_step computes its own loss
        def evaluate(self, model, split, batch_size):
            errors = [np.mean((model.predict(x, verbose=0) - y.numpy()) ** 2)
                      for x, y in self.dataset(split, batch_size, shuffle=False)]
            return {"mse": float(np.mean(errors))}

    @keras.saving.register_keras_serializable(package="tests")
    class CustomStepRegressor(keras.Model):
        def __init__(self, unscaled_loss=False, **kwargs):
            inputs = {"x": keras.Input((4,), name="x")}
            super().__init__(inputs, keras.layers.Dense(1, name="linear")(inputs["x"]), **kwargs)
            self.unscaled_loss = unscaled_loss
            self.mean_squared_error = keras.losses.MeanSquaredError()
            self.loss_tracker = keras.metrics.Mean(name="loss")

        def loss_of(self, x, y):
            prediction = self(x, training=True)
            if self.unscaled_loss:
                return keras.ops.mean((y - prediction) ** 2)
            return self.mean_squared_error(y, prediction)

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = self.loss_of(x, y)
            self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
            self.loss_tracker.update_state(loss)
            return {"loss": self.loss_tracker.result()}

        def test_step(self, data):
            self.loss_tracker.update_state(self.loss_of(*data))
            return {"loss": self.loss_tracker.result()}

        @property
        def metrics(self):
            return [self.loss_tracker]

        def get_config(self):
            return {"unscaled_loss": self.unscaled_loss, "name": self.name}

    task = LinearRegressionTask(name="toy_linear_regression", description="x -> a linear function of x",
                                view=linear_data, count=lambda split: 64)
    registry.register_family(Family(name="custom_step_regressor", model="custom_step_regressor",
                                    builder=CustomStepRegressor, tasks=(task,), presets={}))
    config = TrainConfig(model="custom_step_regressor", task="toy_linear_regression", epochs=2, batch_size=16 //
                         args.logical_cpus, optimizer="sgd", learning_rate=0.05, schedule="constant", clip_norm=None,
                         model_args={"unscaled_loss": args.unscaled_loss}, monitor="val_loss", strategy="mirrored")
    metrics = train(config, args.run_dir, devices=devices(args), verbose=0)
    kernel = [w for w in keras.saving.load_model(args.run_dir / "model.keras").weights if "kernel" in w.path][0]
    report(replicas=metrics["replicas"], test=metrics["splits"]["test"],
           kernel=kernel.numpy().ravel().tolist())


if __name__ == "__main__":
    main()
