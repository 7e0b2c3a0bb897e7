"""The captioner's loss under MirroredStrategy, in its own process (logical CPUs must be set
before TensorFlow starts): prints a small next-word model's weights after a few SGD steps.

    python tests/caption_loss_worker.py --logical-cpus N [--token-mean]

The batch puts short captions on the first replica and long ones on the second. The zoo's
`caption_loss` (per caption, averaged over the global batch) gives the same weights on 1 and 2
replicas; a mean over each replica's own tokens (`--token-mean`) does not.
"""

from replica_worker import devices, report, start


def main():
    args = start("--token-mean", run_dir=False)

    import keras
    import numpy as np
    import tensorflow as tf

    from mmzoo.models.teacher_forcing import sequence_loss as caption_loss

    def token_mean_loss(targets, logits):
        mask = tf.cast(targets > 0, logits.dtype)
        per_token = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.cast(targets, tf.int32), logits=logits)
        return tf.reduce_sum(per_token * mask) / tf.reduce_sum(mask)  # over this replica's tokens

    rng = np.random.default_rng(0)
    vocabulary, length, batch = 12, 10, 8
    lengths = np.array([2] * (batch // 2) + [10] * (batch // 2))  # short captions, then long ones
    tokens = rng.integers(1, vocabulary, size=(batch, length)) * (np.arange(length)[None] < lengths[:, None])
    targets = np.roll(tokens, -1, axis=1) * (np.arange(length)[None] < lengths[:, None] - 1)
    data = tf.data.Dataset.from_tensors((tokens, targets)).repeat(3)

    keras.utils.set_random_seed(0)
    strategy = tf.distribute.MirroredStrategy(devices(args))
    with strategy.scope():
        inputs = keras.Input((length,), dtype="int32")
        logits = keras.layers.Dense(vocabulary)(keras.layers.Embedding(vocabulary, 8)(inputs))
        model = keras.Model(inputs, logits)
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss=token_mean_loss if args.token_mean else caption_loss)
    model.fit(data.with_options(_by_data(tf)), epochs=1, verbose=0)
    report(weights=[w.numpy().ravel().tolist() for w in model.weights])


def _by_data(tf):
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return options


if __name__ == "__main__":
    main()
