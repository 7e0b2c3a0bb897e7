"""A toy dual encoder trained by the shared trainer in its own process (logical CPUs must be set
before TensorFlow starts): prints its weights after a few SGD steps.

    python tests/dual_encoder_worker.py RUN_DIR --logical-cpus N [--local-negatives]

Gathering the negatives across replicas, `DualEncoder` trains alike on 1 and 2 replicas; with
each replica's own batch as its negatives (`--local-negatives`), it does not.
"""

from replica_worker import devices, report, start


def main():
    args = start("--local-negatives")

    import keras
    import numpy as np
    import tensorflow as tf

    from mmzoo.models.dual_encoder import DualEncoder
    from mmzoo.training import tasks
    from mmzoo.training.config import TrainConfig
    from mmzoo.training.trainer import register_builder, train

    @keras.saving.register_keras_serializable(package="tests")
    class LocalNegatives(DualEncoder):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return super().compute_loss(x, y, y_pred, sample_weight, training=False)  # no gathering

    class ToyPairsTask:
        """Pairs of 4-d "images" and "texts" that are noisy linear views of one 3-d scene;
        the ids repeat (as one-object captions do)."""
        name, splits = "toy_pairs", ("train", "validation", "test")

        def compile_arguments(self, model):
            return {}

        def count(self, split):
            return 64

        def dataset(self, split, batch_size, shuffle=None, drop_remainder=False, inputs=None):
            rng = np.random.default_rng(["train", "validation", "test"].index(split))
            scenes = rng.normal(size=(64, 3)).astype("float32")
            images = scenes @ rng.normal(size=(3, 4)).astype("float32")
            texts = scenes @ rng.normal(size=(3, 4)).astype("float32")
            ids = np.arange(64) % 48
            return tf.data.Dataset.from_tensor_slices(({"image": images, "text": texts}, ids)).batch(
                batch_size, drop_remainder=drop_remainder)

        def builder_arguments(self, model_args, data_args):
            return {}

        def evaluate(self, model, split, batch_size):
            return {}

    def tower(name, seed):
        keras.utils.set_random_seed(seed)
        inputs = keras.Input((4,), name=name)
        embedding = keras.layers.UnitNormalization()(keras.layers.Dense(3, name=f"{name}_projection")(inputs))
        return keras.Model(inputs, embedding, name=f"{name}_encoder")

    def toy_dual_encoder():
        model_class = LocalNegatives if args.local_negatives else DualEncoder
        return model_class(tower("image", 1), tower("text", 2), initial_temperature=0.5)

    tasks.register_task(ToyPairsTask())
    register_builder("toy_dual_encoder", toy_dual_encoder)
    config = TrainConfig(model="toy_dual_encoder", task="toy_pairs", epochs=2, batch_size=16 // args.logical_cpus,
                         optimizer="sgd", learning_rate=0.5, schedule="constant", clip_norm=None, monitor=None,
                         strategy="mirrored", evaluate_splits=())
    metrics = train(config, args.run_dir, devices=devices(args), verbose=0)
    trained = keras.saving.load_model(args.run_dir / "model.keras")
    weights = np.concatenate([w.numpy().ravel() for w in trained.weights])
    report(replicas=metrics["replicas"], weights=weights.tolist())


if __name__ == "__main__":
    main()
