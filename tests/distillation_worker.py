"""A toy distillation by the shared trainer in its own process (logical CPUs must be set before
TensorFlow starts): prints the student's weights after a few SGD steps.

    python tests/distillation_worker.py RUN_DIR --logical-cpus N [--keras-distiller]

`ZooDistiller` gives the same weights on 1 and 2 replicas; Keras' own `Distiller`
(`--keras-distiller`), whose loss by name is not divided by the replicas, does not.
"""

from replica_worker import devices, report, start


def main():
    args = start("--keras-distiller")

    import keras
    import numpy as np
    import tensorflow as tf

    from mmzoo import registry
    from mmzoo.config import TrainConfig
    from mmzoo.models.distillation import model as distillation
    from mmzoo.models.family import Family
    from mmzoo.models.task import Task, shipped_model
    from mmzoo.training.trainer import train

    def toy_classification(split, batch_size, shuffle=None, drop_remainder=False):
        rng = np.random.default_rng(["train", "validation", "test"].index(split))
        x = rng.normal(size=(64, 4)).astype("float32")
        y = np.argmax(x @ np.array([[1.0, -1.0, 0.0], [0.5, 1.0, -1.0], [0.0, 0.3, 1.0], [-1.0, 0.0, 0.5]]), -1)
        return tf.data.Dataset.from_tensor_slices(({"x": x}, y)).batch(batch_size, drop_remainder=drop_remainder)

    class ToyClassificationTask(Task):
        def compile_arguments(self, model):
            return {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}

        def evaluate(self, model, split, batch_size):
            student = shipped_model(model)
            right = [np.mean(np.argmax(student.predict(x, verbose=0), -1) == y.numpy())
                     for x, y in self.dataset(split, batch_size)]
            return {"accuracy": float(np.mean(right))}

    def classifier(hidden, seed, name, dropout=0.0):
        keras.utils.set_random_seed(seed)
        inputs = {"x": keras.Input((4,), name="x")}
        x = keras.layers.Dense(hidden, activation="relu", name="hidden")(inputs["x"])
        x = keras.layers.Dropout(dropout, name="dropout")(x)  # the teacher's is off: no noise in its targets
        return keras.Model(inputs, keras.layers.Dense(3, activation="softmax", name="probabilities")(x), name=name)

    teacher_path = args.run_dir.parent / f"{args.run_dir.name}_teacher.keras"
    classifier(32, 1, "teacher", dropout=0.5).save(teacher_path)

    def keras_distiller(teacher, temperature, alpha):
        return keras.distillation.Distiller(teacher, classifier(8, 2, "student"),
                                            distillation.SoftTargets(temperature), student_loss_weight=alpha)

    task = ToyClassificationTask(name="toy_classification", description="x -> one of three classes",
                                 view=toy_classification, count=lambda split: 64)
    registry.register_family(Family(name="toy_student", model="toy_student", tasks=(task,), presets={},
                                    builder=lambda: classifier(8, 2, "student")))
    registry.register_family(Family(name="keras_distiller", model="keras_distiller", builder=keras_distiller,
                                    tasks=None, presets={}, trained_model_args=("teacher",)))
    config = TrainConfig(
        model="keras_distiller" if args.keras_distiller else "distiller", task="toy_classification", epochs=2,
        batch_size=16 // args.logical_cpus, optimizer="sgd", learning_rate=0.1, schedule="constant",
        clip_norm=None, monitor="val_loss", strategy="mirrored",
        model_args={"teacher": str(teacher_path), "temperature": 2.0, "alpha": 0.3,
                    **({} if args.keras_distiller else {"student_model": "toy_student"})})
    metrics = train(config, args.run_dir, devices=devices(args), verbose=0)
    kernel = keras.saving.load_model(args.run_dir / "model.keras").student.get_layer("hidden").kernel
    report(replicas=metrics["replicas"], test=metrics["splits"]["test"],
           kernel=kernel.numpy().ravel().tolist())


if __name__ == "__main__":
    main()
