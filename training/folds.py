"""Stratified, subject-grouped k-fold splits: no child's photos straddle two folds.

Each group (WBS, other, healthy) is split separately so every fold holds about the same
share of each; within a group, subjects with most photos are placed first, each into the
fold that has the fewest photos of that group so far.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from training.data import DataError


def stratified_group_folds(groups: np.ndarray, subjects: np.ndarray, k: int,
                           seed: int) -> np.ndarray:
    """Fold number (0..k-1) of every sample."""
    if k < 2:
        raise DataError("Cross-validation needs at least 2 folds.")
    subject_group: dict[str, str] = {}
    photos: dict[str, list[int]] = defaultdict(list)
    for index, (group, subject) in enumerate(zip(groups, subjects, strict=True)):
        if subject_group.setdefault(subject, group) != group:
            raise DataError(f"Subject {subject!r} has photos in two groups "
                            f"({subject_group[subject]!r} and {group!r}).")
        photos[subject].append(index)

    rng = np.random.default_rng(seed)
    fold_of = np.full(len(groups), -1, dtype=int)
    for group in sorted(set(subject_group.values())):
        members = [s for s in sorted(photos) if subject_group[s] == group]
        if len(members) < k:
            raise DataError(
                f"Too few subjects for {k}-fold cross-validation: group {group!r} has "
                f"{len(members)} (at least {k} are needed)."
            )
        order = rng.permutation(len(members))
        members = sorted((members[i] for i in order), key=lambda s: -len(photos[s]))
        load = np.zeros(k, dtype=int)
        for subject in members:
            fold = int(np.argmin(load + rng.random(k) * 1e-3))  # random tie-break
            fold_of[photos[subject]] = fold
            load[fold] += len(photos[subject])
    return fold_of


def inner_split(groups: np.ndarray, subjects: np.ndarray, fraction: float,
                seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of (train, validation) for early stopping inside one training fold.

    About ``fraction`` of each group's subjects (at least one, when a group has two or more)
    go to validation, all photos of a subject on the same side.
    """
    rng = np.random.default_rng(seed)
    validation_subjects: set[str] = set()
    for group in sorted(set(groups)):
        members = sorted(set(subjects[groups == group]))
        if len(members) < 2:
            continue
        take = min(len(members) - 1, max(1, round(fraction * len(members))))
        validation_subjects.update(rng.choice(members, size=take, replace=False))
    in_validation = np.isin(subjects, list(validation_subjects))
    return np.flatnonzero(~in_validation), np.flatnonzero(in_validation)
