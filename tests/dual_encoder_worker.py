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

    from mmzoo import registry
    from mmzoo.config import TrainConfig
    from mmzoo.models.dual_encoder.model import DualEncoder
    from mmzoo.models.family import Family
    from mmzoo.models.task import Task
    from mmzoo.training.trainer import train

    @keras.saving.register_keras_serializable(package="tests")
    class LocalNegatives(DualEncoder):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return super().compute_loss(x, y, y_pred, sample_weight, training=False)  # no gathering

    def toy_pairs(split, batch_size, shuffle=None, drop_remainder=False):
        """Pairs of 4-d "images" and "texts" that are noisy linear views of one 3-d scene;
        the ids repeat (as one-object captions do)."""
        rng = np.random.default_rng(["train", "validation", "test"].index(split))
        scenes = rng.normal(size=(64, 3)).astype("float32")
        images = scenes @ rng.normal(size=(3, 4)).astype("float32")
        texts = scenes @ rng.normal(size=(3, 4)).astype("float32")
        ids = np.arange(64) % 48
        return tf.data.Dataset.from_tensor_slices(({"image": images, "text": texts}, ids)).batch(
            batch_size, drop_remainder=drop_remainder)

    def tower(name, seed):
        keras.utils.set_random_seed(seed)
        inputs = keras.Input((4,), name=name)
        embedding = keras.layers.UnitNormalization()(keras.layers.Dense(3, name=f"{name}_projection")(inputs))
        return keras.Model(inputs, embedding, name=f"{name}_encoder")

    def toy_dual_encoder():
        model_class = LocalNegatives if args.local_negatives else DualEncoder
        return model_class(tower("image", 1), tower("text", 2), initial_temperature=0.5)

    task = Task(name="toy_pairs", description="toy image and text pairs", view=toy_pairs, count=lambda split: 64)
    registry.register_family(Family(name="toy_dual_encoder", model="toy_dual_encoder", builder=toy_dual_encoder,
                                    tasks=(task,), presets={}))
    config = TrainConfig(model="toy_dual_encoder", task="toy_pairs", epochs=2, batch_size=16 // args.logical_cpus,
                         optimizer="sgd", learning_rate=0.5, schedule="constant", clip_norm=None, monitor=None,
                         strategy="mirrored", evaluate_splits=())
    metrics = train(config, args.run_dir, devices=devices(args), verbose=0)
    trained = keras.saving.load_model(args.run_dir / "model.keras")
    weights = np.concatenate([w.numpy().ravel() for w in trained.weights])
    report(replicas=metrics["replicas"], weights=weights.tolist())


if __name__ == "__main__":
    main()
