"""What a model family tells the registry: `Family`, pure data, importable without TensorFlow
(the command line builds its `--help` from it). A family's folder defines one in its
`__init__.py`; `mmzoo.registry` lists them.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Callable


@dataclasses.dataclass(frozen=True)
class Option:
    """A flag of `mmzoo train FAMILY` that sets one model argument.

    Args:
        flag: e.g. `--fusion`.
        model_arg: the builder's argument it sets.
        help: the flag's help line.
        choices: the values it takes; None for any.
        const: the value a switch sets (a flag without a value); None for a flag with a value.
        nargs: argparse's, for a list (`+`).
    """

    flag: str
    model_arg: str
    help: str
    choices: tuple | None = None
    const: object = None
    nargs: str | None = None


def _resolve(reference: str):
    """`package.module:attribute` -> the attribute, imported on first use."""
    module, _, attribute = reference.partition(":")
    value = importlib.import_module(module)
    return getattr(value, attribute) if attribute else value


@dataclasses.dataclass(frozen=True)
class Family:
    """A model family: its builder, its tasks and its presets.

    Args:
        name: how `mmzoo train NAME --task TASK` names it.
        model: the builder's name in a `TrainConfig` (`model=`); kept stable, since run
            directories and shipped models record it.
        builder: the builder, or `module:function` to import it on first use (the family then
            stays importable without TensorFlow): `builder(**model_args, **task arguments)` ->
            a Keras model, plain (the task's loss is compiled in) or with its own
            `train_step`/`compute_loss`, scaled to the global batch under MirroredStrategy.
        tasks: the family's own `Task`s, or the module that holds them as `TASKS`; None where
            the family trains on others' tasks.
        presets: {preset name: TrainConfig}, pure data.
        defaults: the TrainConfig fields a `mmzoo train NAME` run starts from.
        options: the family's own flags of `mmzoo train NAME`.
        trained_model_args: model arguments that take a trained model; a config names it (a
            preset or a `.keras` file) and the trainer loads it for the builder.
        built_model_arg: (argument, builder name's argument, its arguments' argument): the
            builder takes a new model that the trainer builds by another family's builder, with
            the task's arguments (a distiller's student); the builder itself gets none of them.
        small_configs: ((task, model_args), ...): small models of the family that the contract
            test (tests/test_models_contract.py) builds, trains, exports and serves; one per
            variant worth keeping working.
    """

    name: str
    model: str
    builder: str | Callable
    tasks: str | tuple | None
    presets: dict
    defaults: dict = dataclasses.field(default_factory=dict)
    options: tuple = ()
    trained_model_args: tuple = ()
    built_model_arg: tuple | None = None
    small_configs: tuple = ()

    def build_function(self) -> Callable:
        return _resolve(self.builder) if isinstance(self.builder, str) else self.builder

    def task_objects(self) -> dict:
        """{name: Task} of the family's own tasks (imports them: TensorFlow)."""
        tasks = _resolve(self.tasks).TASKS if isinstance(self.tasks, str) else self.tasks or ()
        return {task.name: task for task in tasks}
