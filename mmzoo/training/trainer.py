"""One trainer for every model of the zoo, on `tf.distribute`.

    run = train(TrainConfig(model="fusion_classifier", task="avdigits"), "runs/avdigits")

A run directory holds `config.json`, `checkpoints/{best,last}.weights.h5`, `backup/`
(BackupAndRestore: a killed run started again with the same command resumes where it was),
`logs/` (TensorBoard), `history.csv`, `model.keras` (the best weights, preprocessing
included) and `metrics.json`.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import keras
import tensorflow as tf

from mmzoo import presets, registry
from mmzoo.config import TrainConfig
from mmzoo.errors import InvalidInputError
from mmzoo.models.task import shipped_model
from mmzoo.training import keras_fixes

BACKUP_DIR = "backup"
HISTORY = "history.csv"


def make_strategy(name="auto", devices=None) -> tf.distribute.Strategy:
    """`auto`: MultiWorkerMirroredStrategy when TF_CONFIG is set, else MirroredStrategy over
    the local GPUs (or the CPU); `devices` picks them explicitly (e.g. two logical CPUs)."""
    if name == "auto":
        name = "multi_worker" if os.environ.get("TF_CONFIG") else "mirrored"
    if name == "multi_worker":
        keras_fixes.fix_multi_worker_log_reduction()
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy(devices=list(devices) if devices else None)
    return tf.distribute.get_strategy()


def is_chief() -> bool:
    """True unless this process is a non-chief worker of a multi-worker run."""
    config = json.loads(os.environ.get("TF_CONFIG", "{}"))
    task = config.get("task", {})
    if not task or task.get("type") == "chief":
        return True
    return task.get("type") == "worker" and task.get("index") == 0 and "chief" not in config.get("cluster", {})


def build_model(config: TrainConfig, task) -> keras.Model:
    """The config's model for the task, by its family's builder. Model arguments that name a
    trained model (a preset or a `.keras` file) are loaded first; a family that wraps a new
    model of another family (a distiller's student) gets it built, with the task's arguments."""
    return _build(config.model, dict(config.model_args), task.builder_arguments(config.model_args, config.data_args))


def _build(model_name, model_args, task_arguments):
    family = registry.family_of_model(model_name)
    for name in family.trained_model_args:
        if model_args.get(name) is not None:
            model_args[name] = presets.load_trained(model_args[name], argument=name)
    if family.built_model_arg is None:
        return family.build_function()(**{**model_args, **task_arguments})
    argument, builder_name, builder_args = family.built_model_arg
    if builder_name not in model_args:
        raise InvalidInputError(builder_name, f"{model_name} builds a new model of another family; name its builder")
    inner = model_args.pop(builder_name)
    try:
        registry.family_of_model(inner)
    except ValueError as error:
        raise InvalidInputError(builder_name, str(error)) from None
    model_args[argument] = _build(inner, dict(model_args.pop(builder_args, None) or {}), task_arguments)
    return family.build_function()(**model_args)


def evaluate(task, model, split, batch_size, data_args) -> dict:
    """The task's metrics of a split, with the trained models that judge it loaded."""
    judges = {keyword: presets.load_preset(name) for keyword, name in task.evaluation_models.items()}
    if data_args.get("language") == "both":  # each language apart: a figure of a mix hides the weaker
        languages = {language: task.evaluate(model, split, batch_size, **judges, **{**data_args, "language": language})
                     for language in ("en", "zh")}
        return {"examples": sum(metrics["examples"] for metrics in languages.values()), "languages": languages}
    return task.evaluate(model, split, batch_size, **judges, **data_args)


def input_names(model):
    """The inputs a model reads (an ablation reads fewer than its task gives); None for a model
    that has no functional inputs (a GAN, a distiller): it reads all."""
    return [tensor.name for tensor in model.inputs] if getattr(model, "inputs", None) else None


def make_optimizer(config: TrainConfig, steps_per_epoch: int):
    schedule = learning_rate_schedule(config, steps_per_epoch)
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(schedule, momentum=0.9, global_clipnorm=config.clip_norm)
    return keras.optimizers.AdamW(schedule, weight_decay=config.weight_decay, global_clipnorm=config.clip_norm)


def learning_rate_schedule(config: TrainConfig, steps_per_epoch: int):
    if config.schedule == "constant":
        return config.learning_rate
    total = config.epochs * steps_per_epoch
    warmup = min(int(config.warmup_epochs * steps_per_epoch), total - 1)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0 if warmup else config.learning_rate, decay_steps=max(1, total - warmup),
        warmup_target=config.learning_rate if warmup else None, warmup_steps=warmup, alpha=0.01)


def _shard_by_data():
    """Workers split a cached view by batches: its records sit in too few files to split by file."""
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return options


def padded_to_buckets(dataset, ratio=1.25, shortest=8):
    """Zero-pads every variable-length axis of a (features, targets) dataset's features up to the
    next of a few lengths (`shortest` x `ratio`^k), for `jit_compile`: XLA compiles a step per
    input shape, and batches padded to their own longest waveform would compile nearly every
    step. Zeros are the padding the views use already (lengths and masks say where the data
    ends); at most a quarter more padding, for a handful of compiled shapes. Targets keep their
    lengths: a loss may compare them with a length the model reads from another input."""

    def bucket(length):
        steps = tf.math.ceil(tf.math.log(tf.cast(tf.maximum(length, shortest), tf.float32) / shortest)
                             / tf.math.log(ratio))
        return tf.maximum(length, tf.cast(tf.math.ceil(shortest * ratio ** steps), tf.int32))

    def pad(tensor, spec):
        if not isinstance(spec, tf.TensorSpec) or spec.dtype == tf.string:
            return tensor
        variable = [axis for axis in range(1, spec.shape.rank or 0) if spec.shape[axis] is None]
        if not variable:
            return tensor
        shape = tf.shape(tensor)
        paddings = [[0, bucket(shape[axis]) - shape[axis]] if axis in variable else [0, 0]
                    for axis in range(spec.shape.rank)]
        return tf.pad(tensor, paddings)

    feature_specs = dataset.element_spec[0]
    return dataset.map(lambda features, *targets: (tf.nest.map_structure(pad, features, feature_specs), *targets),
                       num_parallel_calls=tf.data.AUTOTUNE)


def _epochs_backed_up(run_dir) -> int:
    """Epochs that BackupAndRestore will restore (it records them in its own metadata file)."""
    metadata = Path(run_dir) / BACKUP_DIR / "training_metadata.json"
    return int(json.loads(metadata.read_text())["epoch"]) if metadata.exists() else 0


def _monitor_mode(monitor):
    """Higher is better for accuracies; lower for losses (Keras cannot tell for a metric of ours)."""
    return "max" if "acc" in monitor else "min"


def _best_logged(history_csv, monitor):
    """The best `monitor` value of the epochs before a restart: the best checkpoint then keeps
    the best weights of the whole run, not of the epochs after the restart."""
    if not Path(history_csv).exists():
        return None
    with open(history_csv) as stream:
        values = [float(row[monitor]) for row in csv.DictReader(stream) if row.get(monitor)]
    if not values:
        return None
    return max(values) if _monitor_mode(monitor) == "max" else min(values)


def has_gpu() -> bool:
    return bool(tf.config.list_physical_devices("GPU"))


@contextlib.contextmanager
def precision_policy(config):
    """`mixed_float16` while a run with `mixed_precision` builds and trains on a GPU (float16
    compute, float32 weights; `compile` wraps the optimizer in a LossScaleOptimizer), then the
    policy the caller had: the next run in this process must not inherit it. On a CPU the run
    stays float32, where float16 arithmetic is emulated and slower. Yields whether it is mixed."""
    previous = keras.mixed_precision.global_policy()
    mixed = bool(config.mixed_precision and has_gpu())
    keras.mixed_precision.set_global_policy("mixed_float16" if mixed else "float32")
    try:
        yield mixed
    finally:
        keras.mixed_precision.set_global_policy(previous)


def train(config: TrainConfig, run_dir, devices=None, verbose="auto", callbacks=()) -> dict:
    """Train (or resume) a run; returns its metrics, also written to `metrics.json`.
    `callbacks` run after the trainer's own (a benchmark's step timer, say)."""
    with precision_policy(config) as mixed_precision:
        return _train(config, Path(run_dir), devices, verbose, list(callbacks), mixed_precision)


def _train(config, run_dir, devices, verbose, extra_callbacks, mixed_precision) -> dict:
    chief = is_chief()
    # Non-chief workers of a multi-worker run write where they will not clobber the chief.
    write_dir = run_dir if chief else Path(tempfile.mkdtemp(prefix="mmzoo-worker-"))
    write_dir.mkdir(parents=True, exist_ok=True)
    config_path = run_dir / "config.json"
    if chief and config_path.exists() and TrainConfig.load(config_path) != config:
        raise ValueError(f"{run_dir}: holds a run with another config; use a new run directory")
    if chief:
        config.save(config_path)

    keras.utils.set_random_seed(config.seed)
    strategy = make_strategy(config.strategy, devices)
    replicas = strategy.num_replicas_in_sync
    global_batch = config.batch_size * replicas
    task = registry.get_task(config.task)
    task.check_data_args(config.data_args)
    steps_per_epoch = config.steps_per_epoch or max(1, task.count("train", **config.data_args) // global_batch)

    with strategy.scope():
        model = build_model(config, task)
        inputs = input_names(model)
        train_data = task.dataset("train", global_batch, shuffle=True, drop_remainder=True, inputs=inputs,
                                  **config.data_args).repeat()
        # A resumed run reads on from where the killed one was, so it sees the same batches.
        train_data = train_data.skip(_epochs_backed_up(write_dir) * steps_per_epoch).with_options(_shard_by_data())
        validation_data = task.dataset("validation", global_batch, shuffle=False, inputs=inputs,
                                       **config.data_args).with_options(_shard_by_data())
        model.compile(optimizer=make_optimizer(config, steps_per_epoch), jit_compile=config.jit_compile,
                      steps_per_execution=config.steps_per_execution, **task.compile_arguments(model))
        if model.jit_compile:  # False when Keras found a layer XLA cannot compile
            train_data, validation_data = padded_to_buckets(train_data), padded_to_buckets(validation_data)
        keras_fixes.build_before_distributed_fit(model, train_data.element_spec)

    checkpoints = write_dir / "checkpoints"
    checkpoints.mkdir(exist_ok=True)
    callbacks = [
        keras.callbacks.BackupAndRestore(str(write_dir / BACKUP_DIR)),
        keras_fixes.RandomStateBackup(write_dir / BACKUP_DIR),
        keras.callbacks.ModelCheckpoint(str(checkpoints / "last.weights.h5"), save_weights_only=True),
        keras.callbacks.CSVLogger(str(write_dir / HISTORY), append=True),
        keras.callbacks.TensorBoard(str(write_dir / "logs")),
    ]
    if config.monitor is not None:
        callbacks.append(keras.callbacks.ModelCheckpoint(
            str(checkpoints / "best.weights.h5"), monitor=config.monitor, mode=_monitor_mode(config.monitor),
            save_best_only=True, save_weights_only=True,
            initial_value_threshold=_best_logged(write_dir / HISTORY, config.monitor)))
    if config.early_stopping_patience:
        callbacks.append(keras.callbacks.EarlyStopping(config.monitor, patience=config.early_stopping_patience,
                                                       mode=_monitor_mode(config.monitor)))
    callbacks += extra_callbacks

    started = time.perf_counter()
    history = model.fit(train_data, epochs=config.epochs, steps_per_epoch=steps_per_epoch,
                        validation_data=validation_data, validation_steps=config.validation_steps,
                        callbacks=callbacks, verbose=verbose)
    train_seconds = time.perf_counter() - started
    if (checkpoints / "best.weights.h5").exists():
        model.load_weights(str(checkpoints / "best.weights.h5"))

    epochs_run = len(history.epoch)
    metrics = {
        "task": config.task,
        "model": config.model,
        "model_args": config.model_args,
        "parameters": int(shipped_model(model).count_params()),
        "replicas": replicas,
        "global_batch_size": global_batch,
        "mixed_precision": mixed_precision,
        # Keras compiles without XLA, warning once, when a layer cannot be compiled (string ops).
        "jit_compiled": bool(model.jit_compile),
        "epochs_run_this_session": epochs_run,
        "train_seconds_this_session": round(train_seconds, 1),
        "train_examples_per_second": round(epochs_run * steps_per_epoch * global_batch / max(train_seconds, 1e-9), 1),
        "best_validation": {k: max(v) if "accuracy" in k else min(v) for k, v in history.history.items()
                            if k.startswith("val_")},
        "splits": {split: evaluate(task, model, split, global_batch, config.data_args)
                   for split in config.evaluate_splits},
    }
    model.save(write_dir / "model.keras")
    (write_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    if not chief:
        shutil.rmtree(write_dir, ignore_errors=True)
    return metrics
