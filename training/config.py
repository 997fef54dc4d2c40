"""Training configuration: defaults, a TOML file, and command-line overrides.

Every field has a default that reproduces the source study's setup as closely as its paper
tells (ImageNet transfer learning, five folds, WBS against everyone else). A TOML file may
set any field; unknown keys are refused, so a misspelt option never silently does nothing.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from training.calibration import parse_threshold_rule
from wbs_desktop.core.model.card import CAM_LAYERS

PRECISIONS = ("auto", "fp32", "fp16", "bf16")  # see training/precision.py


class ConfigError(ValueError):
    """A configuration file or option is invalid; the message says which and why."""


@dataclass
class Augmentation:
    flip: bool = True
    rotate_degrees: float = 8.0
    scale: float = 0.08
    translate: float = 0.04
    brightness: float = 0.25
    contrast: float = 0.25
    saturation: float = 0.25
    blur_probability: float = 0.2
    greyscale_probability: float = 0.05


@dataclass
class TrainConfig:
    # Task
    positive_group: str = "WBS"
    negative_groups: list[str] = field(default_factory=list)  # empty: every other group
    # Model and input
    input_size: int = 224
    pretrained: bool = True
    # Start weights when pretrained: "" for torchvision's ImageNet file in the torch hub
    # cache, else a file: a face-pretrained .safetensors (wbs-train pretrain) or an ImageNet
    # .pth. A relative path in a TOML file is relative to that file's folder.
    weights: str = ""
    # Optimisation
    optimizer: str = "adamw"  # adamw | sgd
    learning_rate: float = 3e-4
    # Learning rate of everything but the new head, as a fraction of learning_rate: below 1,
    # a pretrained backbone moves slowly while the head learns (discriminative fine-tuning).
    backbone_lr_factor: float = 1.0
    weight_decay: float = 1e-4
    momentum: float = 0.9  # sgd only
    schedule: str = "cosine"  # cosine | constant
    warmup_epochs: int = 1
    epochs: int = 20
    batch_size: int = 32
    class_weighting: bool = True
    label_smoothing: float = 0.0
    # Early stopping on an inner validation split of each training fold; 0 holds none out (only
    # with keep_weights = "last": no epoch is picked and no fit stops early)
    inner_validation_fraction: float = 0.15
    early_stopping_patience: int = 6
    min_epochs: int = 0  # never stop early before this many epochs (slow starters)
    # Which weights a fold keeps: those of its best validation epoch, or its last epoch. With
    # few people, the inner validation split is a handful of them and its loss too noisy to
    # pick an epoch by (seen: epoch 1 of 20 chosen); "last" trusts the schedule instead.
    keep_weights: str = "best"  # best | last
    # Held-out people: out of every fold model's training, for the deployed ensemble's
    # calibration and threshold, and for the final test of that operating point.
    calibration_fraction: float = 0.15
    test_fraction: float = 0.15
    # Evaluation and export
    cam_layer: str = "final"  # where the app's Grad-CAM looks: one of CAM_LAYERS
    # The networks see only the face: outside the face oval the crop is one grey, in training
    # and in the app (the card says so). Backgrounds, hair and clothes differ between photo
    # sources and say nothing about the syndrome.
    face_only: bool = False
    repeats: int = 1  # repeated cross-validation, a new fold assignment and seed each time
    flip_tta: bool = True
    threshold_rule: str = "youden"  # youden | sensitivity:0.90 | specificity:0.90
    # Reproducibility and resources
    seed: int = 0
    deterministic: bool = True
    # Autocast type for training: auto is bf16 on a GPU that has it, fp16 on an older GPU,
    # fp32 on the CPU (training/precision.py says why)
    precision: str = "auto"  # auto | fp32 | fp16 | bf16
    threads: int = 0  # 0: torch's default
    augmentation: Augmentation = field(default_factory=Augmentation)

    def validate(self) -> TrainConfig:
        checks = [
            (self.optimizer in ("adamw", "sgd"), "optimizer must be 'adamw' or 'sgd'"),
            (self.schedule in ("cosine", "constant"), "schedule must be 'cosine' or 'constant'"),
            (self.keep_weights in ("best", "last"), "keep_weights must be 'best' or 'last'"),
            (self.precision in PRECISIONS, f"precision must be one of {', '.join(PRECISIONS)}"),
            (self.cam_layer in CAM_LAYERS, f"cam_layer must be one of {', '.join(CAM_LAYERS)}"),
            (self.epochs >= 1, "epochs must be at least 1"),
            (self.batch_size >= 2, "batch_size must be at least 2"),
            (self.learning_rate > 0, "learning_rate must be positive"),
            (0 < self.backbone_lr_factor <= 1, "backbone_lr_factor must be in (0, 1]"),
            (32 <= self.input_size <= 512, "input_size must be between 32 and 512"),
            (
                0.0 <= self.inner_validation_fraction < 0.5,
                "inner_validation_fraction must be at least 0 and below 0.5",
            ),
            (
                self.inner_validation_fraction > 0 or self.keep_weights == "last",
                "inner_validation_fraction = 0 leaves no validation people to pick the best "
                'epoch by: set keep_weights = "last"',
            ),
            (self.early_stopping_patience >= 1, "early_stopping_patience must be at least 1"),
            (0 <= self.min_epochs <= self.epochs, "min_epochs must be between 0 and epochs"),
            (0 <= self.warmup_epochs <= self.epochs, "warmup_epochs must be between 0 and epochs"),
            (0.0 <= self.label_smoothing < 0.5, "label_smoothing must be in [0, 0.5)"),
            (
                0.0 <= self.calibration_fraction <= 0.4 and 0.0 <= self.test_fraction <= 0.4,
                "calibration_fraction and test_fraction must each be between 0 and 0.4",
            ),
            (1 <= self.repeats <= 100, "repeats must be between 1 and 100"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)
        try:
            parse_threshold_rule(self.threshold_rule)
        except ValueError as error:
            raise ConfigError(f"threshold_rule: {error}") from None
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _build(cls: type, values: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"unknown option(s) in {where}: {', '.join(unknown)}")
    kwargs = {}
    for name, value in values.items():
        default = getattr(cls(), name)
        if dataclasses.is_dataclass(default):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}.{name} must be a table")
            kwargs[name] = _build(type(default), value, f"{where}.{name}")
        elif (
            isinstance(default, bool) != isinstance(value, bool)
            or (isinstance(default, (int, float)) and not isinstance(value, (int, float)))
            or (isinstance(default, (str, list)) and not isinstance(value, type(default)))
        ):
            raise ConfigError(f"{where}.{name} must be of type {type(default).__name__}")
        else:
            kwargs[name] = value
    return cls(**kwargs)


def config_from_dict(values: dict[str, Any]) -> TrainConfig:
    """A validated config from a dict such as ``TrainConfig.to_dict()`` wrote."""
    return _build(TrainConfig, values, "config").validate()


def load_config(path: Path | None = None, **overrides: Any) -> TrainConfig:
    """Defaults, then the TOML file (if any), then keyword overrides (``None`` ignored)."""
    values: dict[str, Any] = {}
    if path is not None:
        try:
            values = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read the configuration file {path}: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"the configuration file {path} is not valid TOML: {exc}") from exc
        if isinstance(values.get("weights"), str) and values["weights"]:
            values["weights"] = str(Path(path).parent / values["weights"])
    values.update({k: v for k, v in overrides.items() if v is not None})
    return config_from_dict(values)
