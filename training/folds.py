"""Identity-disjoint splits: no person's photos ever sit on both sides of a split.

A *person* (identity) may have several subjects (a synthetic set makes one per group from
the same base photo) and each subject several photos. Every split here assigns whole
identities to parts, and keeps each group's (WBS, other, healthy) share of photos in each
part as close to its target as whole identities allow:

* :func:`holdout_roles` sets identities aside for calibration and for the final test, out
  of every fold model's training;
* :func:`identity_folds` splits the rest into k cross-validation folds;
* :func:`inner_split` takes an early-stopping validation part out of a training fold.

The assignment is greedy: identities, largest first (ties in random order), each go to the
part whose photos of the identity's groups fall furthest short of their targets (shortfalls
measured as shares of each group's photos, so a large part is filled before a small one).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from training.data import DataError

DEVELOPMENT, CALIBRATION, TEST = "development", "calibration", "test"


def assign_identities(
    groups: np.ndarray, identities: np.ndarray, fractions: Sequence[float], seed: int
) -> np.ndarray:
    """Part number (0..len(fractions)-1) of every sample; parts with fraction 0 stay empty."""
    names, identity_of = np.unique(identities, return_inverse=True)
    group_names, group_of = np.unique(groups, return_inverse=True)
    counts = np.zeros((len(names), len(group_names)))
    np.add.at(counts, (identity_of, group_of), 1)
    share = np.asarray(fractions, dtype=np.float64)
    totals = counts.sum(axis=0)
    target = share[:, None] * totals[None, :]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(names))
    order = order[np.argsort(-counts[order].sum(axis=1), kind="stable")]
    load = np.zeros_like(target)
    part_of_identity = np.empty(len(names), dtype=int)
    open_parts = np.flatnonzero(share > 0)
    for identity in order:
        shortfall = ((target - load)[open_parts] / totals * (counts[identity] > 0)).sum(axis=1)
        best = open_parts[shortfall >= shortfall.max() - 1e-12]
        part = int(rng.choice(best))
        part_of_identity[identity] = part
        load[part] += counts[identity]
    return part_of_identity[identity_of]


def _require_identities(
    groups: np.ndarray, identities: np.ndarray, needed: int, purpose: str
) -> None:
    for group in sorted(set(groups)):
        have = len(set(identities[groups == group]))
        if have < needed:
            raise DataError(
                f"Too few people for {purpose}: group {group!r} has photos of {have} "
                f"(at least {needed} are needed, since one person's photos never sit on both "
                "sides of a split)."
            )


def identity_folds(groups: np.ndarray, identities: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold number (0..k-1) of every sample."""
    if k < 2:
        raise DataError("Cross-validation needs at least 2 folds.")
    _require_identities(groups, identities, k, f"{k}-fold cross-validation")
    return assign_identities(groups, identities, [1 / k] * k, seed)


ROLES = (DEVELOPMENT, CALIBRATION, TEST)


def given_roles(roles: np.ndarray, identities: np.ndarray) -> np.ndarray:
    """Roles a manifest fixed (blank: development), checked: one role per person."""
    roles = np.where(roles == "", DEVELOPMENT, roles)
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise DataError(
            f"Unknown role {unknown[0]!r} in the manifest; use "
            f"{', '.join(ROLES)} (or leave it blank)."
        )
    for person in set(identities):
        mine = set(roles[identities == person])
        if len(mine) > 1:
            raise DataError(
                f"Person {person!r} has photos in two roles "
                f"({' and '.join(sorted(mine))}); one person takes one role."
            )
    return roles


def holdout_roles(
    groups: np.ndarray,
    identities: np.ndarray,
    calibration_fraction: float,
    test_fraction: float,
    k: int,
    seed: int,
) -> np.ndarray:
    """Role of every sample: development (the folds), calibration or test."""
    fractions = [1 - calibration_fraction - test_fraction, calibration_fraction, test_fraction]
    held_out = sum(f > 0 for f in fractions[1:])
    _require_identities(
        groups,
        identities,
        k + held_out,
        f"{k}-fold cross-validation with {held_out} held-out part(s)",
    )
    parts = assign_identities(groups, identities, fractions, seed)
    return np.array([DEVELOPMENT, CALIBRATION, TEST])[parts]


def inner_split(
    groups: np.ndarray, identities: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of (train, validation) for early stopping inside one training fold.

    About ``fraction`` of each group's photos go to validation, whole identities at a time;
    with a fraction of 0, or fewer than two identities, validation is empty.
    """
    if fraction == 0 or len(set(identities)) < 2:
        return np.arange(len(groups)), np.zeros(0, dtype=int)
    parts = assign_identities(groups, identities, [1 - fraction, fraction], seed)
    return np.flatnonzero(parts == 0), np.flatnonzero(parts == 1)
