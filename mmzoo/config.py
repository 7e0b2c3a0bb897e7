"""Training configurations as data: a JSON file in every run directory says how it was made."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path


@dataclasses.dataclass
class TrainConfig:
    """Everything that defines a training run.

    `model` names a family's builder, `task` a task, both in `mmzoo.registry`; `model_args`
    and `data_args` go to them. `batch_size` is per replica: the global batch is batch_size x
    replicas.
    """

    model: str
    task: str
    model_args: dict = dataclasses.field(default_factory=dict)
    data_args: dict = dataclasses.field(default_factory=dict)
    epochs: int = 10
    steps_per_epoch: int | None = None
    validation_steps: int | None = None
    batch_size: int = 64
    learning_rate: float = 1e-3
    optimizer: str = "adamw"  # or "sgd" (momentum 0.9)
    warmup_epochs: float = 0.5
    schedule: str = "cosine"  # or "constant"
    weight_decay: float = 1e-4
    clip_norm: float | None = 1.0  # global gradient norm; matching models stall without it
    early_stopping_patience: int | None = None
    monitor: str | None = "val_accuracy"  # None: keep the last epoch (a GAN's losses do not say which is best)
    mixed_precision: bool = False  # mixed_float16 on a GPU (loss scaling included); float32 on a CPU
    # XLA: Keras compiles without it when a layer cannot be compiled (string lookups; LSTMs that
    # run on cuDNN). Both stay off in the presets: neither was faster (benchmarks/accelerator.py).
    jit_compile: bool = False
    steps_per_execution: int = 1
    seed: int = 0
    strategy: str = "auto"  # auto, mirrored, multi_worker, default
    evaluate_splits: tuple = ("test",)

    def __post_init__(self):
        if self.schedule not in ("cosine", "constant"):
            raise ValueError(f"schedule: must be 'cosine' or 'constant', got {self.schedule!r}")
        if self.optimizer not in ("adamw", "sgd"):
            raise ValueError(f"optimizer: must be 'adamw' or 'sgd', got {self.optimizer!r}")
        if self.strategy not in ("auto", "mirrored", "multi_worker", "default"):
            raise ValueError(f"strategy: must be auto, mirrored, multi_worker or default, got {self.strategy!r}")
        for name in ("epochs", "batch_size", "steps_per_execution"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}: must be at least 1, got {getattr(self, name)}")
        if self.monitor is None and self.early_stopping_patience:
            raise ValueError("early_stopping_patience: needs a monitor to watch, but monitor is None")
        self.evaluate_splits = tuple(self.evaluate_splits)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def save(self, path: Path):
        Path(path).write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"config: unknown keys {sorted(unknown)}")
        return cls(**data)

    @classmethod
    def load(cls, path: Path) -> "TrainConfig":
        return cls.from_dict(json.loads(Path(path).read_text()))
