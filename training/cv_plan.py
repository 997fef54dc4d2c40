"""Who takes part in a cross-validation and where: the labelled task (the positive group
against the negatives), the held-out people and each repeat's folds of the rest, and the
check that a face-pretrained start has not seen the held-out people."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from training.config import TrainConfig
from training.data import DataError, PreparedData, Sample
from training.folds import DEVELOPMENT, given_roles, holdout_roles, identity_folds


@dataclass
class Task:
    """The labelled subset of a prepared data set: positive group vs the negatives."""

    data: PreparedData
    index: np.ndarray  # rows of ``data`` taking part
    labels: np.ndarray  # 1 = positive group
    positive_group: str
    negative_groups: list[str]

    @property
    def samples(self) -> list[Sample]:
        return [self.data.samples[i] for i in self.index]

    @property
    def groups(self) -> np.ndarray:
        return self.data.groups()[self.index]

    @property
    def identities(self) -> np.ndarray:
        return self.data.identities()[self.index]


@dataclass(frozen=True)
class Plan:
    """Who is held out, and each repeat's folds of the development photos (-1: held out)."""

    roles: np.ndarray
    folds: list[np.ndarray]

    def rows(self) -> list[dict[str, str]]:
        return [
            {
                "role": str(role),
                **{
                    f"fold_repeat{r}": str(f[i]) if f[i] >= 0 else ""
                    for r, f in enumerate(self.folds)
                },
            }
            for i, role in enumerate(self.roles)
        ]


def make_task(data: PreparedData, config: TrainConfig) -> Task:
    groups = data.groups()
    present = sorted(set(groups))
    if config.positive_group not in present:
        raise DataError(
            f"The positive group {config.positive_group!r} has no usable photos "
            f"(groups found: {', '.join(present) or 'none'})."
        )
    negatives = config.negative_groups or [g for g in present if g != config.positive_group]
    missing = [g for g in negatives if g not in present]
    if missing or not negatives:
        raise DataError(
            f"The negative group(s) {', '.join(missing) or '(none)'} have no usable photos."
        )
    index = np.flatnonzero(np.isin(groups, [config.positive_group, *negatives]))
    labels = (groups[index] == config.positive_group).astype(np.int64)
    return Task(data, index, labels, config.positive_group, list(negatives))


def repeat_seed(config: TrainConfig, repeat: int) -> int:
    return config.seed + 1000 * repeat


def make_plan(task: Task, n_folds: int, config: TrainConfig) -> Plan:
    """Held-out people as the manifest fixed them, else drawn by the config's fractions;
    then each repeat's folds of the rest."""
    groups, identities = task.groups, task.identities
    fixed = np.array([s.role for s in task.samples])
    if (fixed != "").any():
        roles = given_roles(fixed, identities)
    else:
        roles = holdout_roles(
            groups,
            identities,
            config.calibration_fraction,
            config.test_fraction,
            n_folds,
            config.seed,
        )
    for role in sorted(set(roles)):
        if len(set(task.labels[roles == role])) < 2:
            raise DataError(
                f"The {role} people hold only one class: with this few people, "
                "lower calibration_fraction and test_fraction."
            )
    development = np.flatnonzero(roles == DEVELOPMENT)
    folds = []
    for repeat in range(config.repeats):
        fold_of = np.full(len(roles), -1)
        fold_of[development] = identity_folds(
            groups[development], identities[development], n_folds, repeat_seed(config, repeat)
        )
        folds.append(fold_of)
    return Plan(roles, folds)


def sample_fields(sample: Sample) -> dict[str, str]:
    return {
        "path": str(sample.path),
        "relative_path": sample.relative_path,
        "subject": sample.subject,
        "identity": sample.identity,
        "group": sample.group,
    }


def split_rows(task: Task, plan: Plan) -> list[dict[str, str]]:
    return [
        {**sample_fields(sample), **extra}
        for sample, extra in zip(task.samples, plan.rows(), strict=True)
    ]


def pretext_overlap(task: Task, plan: Plan, start: dict[str, Any]) -> dict[str, Any]:
    """Whom a face-pretrained backbone has already seen. A held-out person it saw (by name,
    or a photo of theirs or a copy) is refused: testing on them would flatter. Development
    people it saw are counted, and the report says so, since their out-of-fold figures are
    then not on faces the backbone never met."""
    from training.pretext import seen_in_pretraining
    from training.pretrain import read_pretrained_card

    overlap: dict[str, Any] = {}
    for arch, entry in start.items():
        if not isinstance(entry, dict) or not entry["file"].endswith(".safetensors"):
            continue
        card = read_pretrained_card(Path(entry["file"]))
        names = set(card["identity_names"])
        photos = {
            s.relative_path: (sha, phash)
            for s, sha, phash in zip(
                task.samples,
                (task.data.sha256[i] for i in task.index),
                (task.data.phash[i] for i in task.index),
                strict=True,
            )
        }
        seen_photos = set(seen_in_pretraining(card, photos))
        seen = {
            s.relative_path
            for s in task.samples
            if s.identity in names or s.relative_path in seen_photos
        }
        held_out = [
            s.relative_path
            for s, role in zip(task.samples, plan.roles, strict=True)
            if role != DEVELOPMENT and s.relative_path in seen
        ]
        if held_out:
            raise DataError(
                f"{len(held_out)} held-out photo(s) ({held_out[0]}, ...) show people the start "
                f"weights {Path(entry['file']).name} were pretrained on, so they are not "
                "unseen; pretrain without them."
            )
        people = {s.identity for s in task.samples if s.relative_path in seen}
        overlap[arch] = {"development_photos": len(seen), "development_people": len(people)}
    return overlap
