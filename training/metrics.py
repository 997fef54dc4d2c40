"""Binary screening metrics for the cross-validation: ROC/AUC, confusion-based metrics,
fold summaries, bootstrap intervals, DeLong's test and human readers.

Operating points and calibration are in :mod:`training.calibration`, the source study's
figures and the markdown tables in :mod:`training.study_tables`.

Conventions used throughout:

* ``y_true`` holds 0/1 (or bool) labels, 1 = the positive class (WBS), 0 = everything else
  (healthy controls and other syndromes).
* ``y_prob`` holds the predicted probability (or any monotone score) of the positive class.
* A sample is called positive when ``y_prob >= threshold``; thresholds returned by
  :func:`~training.calibration.youden_threshold` and
  :func:`~training.calibration.threshold_for_sensitivity` are observed scores, so
  applying them with ``>=`` reproduces exactly the operating point they were chosen for.
* Ratios whose denominator is zero follow scikit-learn's ``zero_division=0``: they are 0.0.
  AUC, which is undefined with a single class, is NaN in :func:`binary_metrics` and raises
  in :func:`roc_auc`.

Only numpy is used; scikit-learn is the reference in the tests, never a dependency of this
package.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "as_labels",
    "as_pair",
    "bootstrap_interval",
    "binary_metrics",
    "confusion",
    "counts_at_thresholds",
    "delong_test",
    "fold_summary",
    "reader_metrics",
    "require_both_classes",
    "roc_auc",
    "roc_curve",
    "specificity_by_group",
]


# --------------------------------------------------------------------------- validation
# (shared with training.calibration)


def as_labels(y_true: ArrayLike) -> np.ndarray:
    """``y_true`` as an int64 0/1 vector; ValueError for any other shape or value."""
    y = np.asarray(y_true)
    if y.ndim != 1:
        raise ValueError(f"y_true must be one-dimensional, got shape {y.shape}")
    if y.dtype == bool:
        return y.astype(np.int64)
    if y.size and not np.all(np.isin(y, (0, 1))):
        bad = np.unique(y[~np.isin(y, (0, 1))])[:5]
        raise ValueError(f"y_true must hold only 0 and 1 (1 = WBS), found {bad.tolist()}")
    return y.astype(np.int64)


def _scores(y_prob: ArrayLike, n: int, name: str = "y_prob") -> np.ndarray:
    p = np.asarray(y_prob, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {p.shape}")
    if p.shape[0] != n:
        raise ValueError(f"{name} has {p.shape[0]} values but y_true has {n}")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return p


def as_pair(
    y_true: ArrayLike, y_prob: ArrayLike, name: str = "y_prob"
) -> tuple[np.ndarray, np.ndarray]:
    """Checked labels and float64 scores of the same, non-zero length."""
    y = as_labels(y_true)
    if y.size == 0:
        raise ValueError("y_true is empty")
    return y, _scores(y_prob, y.size, name)


def require_both_classes(y: np.ndarray, what: str) -> None:
    """ValueError naming ``what`` unless the labels ``y`` hold both classes."""
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == y.size:
        only = "positive (WBS)" if n_pos else "negative"
        raise ValueError(
            f"{what} is undefined when y_true holds only one class "
            f"(all {y.size} samples are {only}); both classes are needed"
        )


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else 0.0


# --------------------------------------------------------------------------- ROC


def counts_at_thresholds(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative TP and FP counts when thresholding at each distinct score, descending."""
    order = np.argsort(-p, kind="mergesort")
    p_sorted = p[order]
    y_sorted = y[order]
    # last index of each run of equal scores: tied samples change class together
    distinct = np.flatnonzero(np.diff(p_sorted))
    ends = np.r_[distinct, y_sorted.size - 1]
    tps = np.cumsum(y_sorted)[ends]
    fps = (ends + 1) - tps
    return tps, fps, p_sorted[ends]


def roc_curve(y_true: ArrayLike, y_prob: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ROC curve over every distinct score, like ``sklearn.metrics.roc_curve(...,
    drop_intermediate=False)``.

    Returns ``(fpr, tpr, thresholds)``, thresholds decreasing; the first point is (0, 0) with
    threshold ``+inf`` (nothing called positive). Tied scores form one point, so a tie between
    classes shows up as a diagonal segment.

    Raises:
        ValueError: if ``y_true`` holds a single class (the curve is undefined).
    """
    y, p = as_pair(y_true, y_prob)
    require_both_classes(y, "The ROC curve")
    tps, fps, thr = counts_at_thresholds(y, p)
    tpr = np.r_[0.0, tps / tps[-1]]
    fpr = np.r_[0.0, fps / fps[-1]]
    return fpr, tpr, np.r_[np.inf, thr]


def roc_auc(y_true: ArrayLike, y_prob: ArrayLike) -> float:
    """Area under the ROC curve (trapezoid over distinct thresholds, as ``roc_auc_score``).

    Ties between a positive and a negative count one half, which is what the trapezoid over
    the diagonal segments amounts to.

    Raises:
        ValueError: if ``y_true`` holds a single class.
    """
    fpr, tpr, _ = roc_curve(y_true, y_prob)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1])) / 2.0)


# --------------------------------------------------------------------------- operating point


def confusion(y_true: ArrayLike, y_pred: ArrayLike) -> dict[str, int]:
    """Confusion counts ``{"tp", "fp", "tn", "fn"}`` for 0/1 (or bool) predictions."""
    y = as_labels(y_true)
    yp = as_labels(y_pred)
    if yp.size != y.size:
        raise ValueError(f"y_pred has {yp.size} values but y_true has {y.size}")
    tp = int(np.sum((y == 1) & (yp == 1)))
    fp = int(np.sum((y == 0) & (yp == 1)))
    tn = int(np.sum((y == 0) & (yp == 0)))
    fn = int(np.sum((y == 1) & (yp == 0)))
    return {"tp": tp, "fp": fp, "tn": tn, "fn": fn}


def binary_metrics(y_true: ArrayLike, y_prob: ArrayLike, threshold: float) -> dict[str, float]:
    """Accuracy, precision, recall (sensitivity), F1, AUC and specificity at ``threshold``.

    A sample is called positive when ``y_prob >= threshold``. Zero denominators give 0.0
    (scikit-learn's ``zero_division=0``): precision without positive calls, recall without
    positives, specificity without negatives; F1 is ``2TP / (2TP + FP + FN)`` (0.0 when that
    is 0/0). AUC does not depend on the threshold and is NaN when only one class is present.
    """
    y, p = as_pair(y_true, y_prob)
    c = confusion(y, p >= threshold)
    tp, fp, tn, fn = c["tp"], c["fp"], c["tn"], c["fn"]
    n_pos = tp + fn
    auc = roc_auc(y, p) if 0 < n_pos < y.size else math.nan
    return {
        "accuracy": (tp + tn) / y.size,
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, n_pos),
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        "auc": auc,
        "specificity": _ratio(tn, tn + fp),
    }


def specificity_by_group(
    groups: Sequence[str] | np.ndarray,
    y_prob: ArrayLike,
    threshold: float,
    negative_groups: Iterable[str],
) -> dict[str, float]:
    """Specificity within each negative group: the share of its samples with ``y_prob <
    threshold``.

    E.g. ``specificity_by_group(groups, p, t, ["healthy", "other"])`` separates how often
    healthy controls and children with other syndromes are (correctly) not flagged. A group
    with no samples gets NaN (undefined, rather than a misleading 0 or 1).
    """
    g = np.asarray(groups, dtype=object)
    if g.ndim != 1:
        raise ValueError(f"groups must be one-dimensional, got shape {g.shape}")
    p = _scores(y_prob, g.size)
    out: dict[str, float] = {}
    for name in negative_groups:
        mask = g == name
        n = int(mask.sum())
        out[name] = float(np.sum(p[mask] < threshold)) / n if n else math.nan
    return out


# --------------------------------------------------------------------------- cross-validation


def _finite_or_none(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def fold_summary(per_fold: Sequence[Mapping[str, float]]) -> dict[str, dict[str, Any]]:
    """Mean and sample standard deviation of each metric across folds.

    Returns ``{name: {"mean", "std", "std_ddof": 1, "n", "per_fold"}}`` for every metric
    name that appears in any fold, in order of first appearance. The SD is the sample SD
    (``ddof=1``), the usual "mean ± SD over the five folds" of papers; the ``std_ddof`` key
    records this in the written JSON. NaN or missing values (e.g. a fold without "other
    syndrome" controls) become ``None`` in ``per_fold`` and are left out of mean and SD;
    ``n`` counts the folds that were used. ``std`` is ``None`` with fewer than two values,
    ``mean`` with none. The result is JSON-safe (no NaN).
    """
    names: list[str] = []
    for fold in per_fold:
        names.extend(k for k in fold if k not in names)
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        values = [_finite_or_none(fold.get(name)) for fold in per_fold]
        used = np.array([v for v in values if v is not None], dtype=np.float64)
        out[name] = {
            "mean": float(used.mean()) if used.size else None,
            "std": float(used.std(ddof=1)) if used.size >= 2 else None,
            "std_ddof": 1,
            "n": int(used.size),
            "per_fold": values,
        }
    return out


# --------------------------------------------------------------------------- uncertainty


def bootstrap_interval(
    identities: Sequence[str] | np.ndarray,
    statistic: Callable[[np.ndarray], float],
    n_resamples: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of ``statistic`` over people, not photos.

    Each resample draws the identities with replacement and passes ``statistic`` the row
    indices of all their photos (an identity drawn twice contributes its rows twice), so
    photos of one person, which are not independent, move together. Resamples where the
    statistic is undefined (it raises ``ValueError``, e.g. an AUC without positives) are
    skipped; ``None`` when more than a tenth of them were, or there are fewer than two
    identities.
    """
    ids = np.asarray(identities, dtype=object)
    names, inverse = np.unique(ids.astype(str), return_inverse=True)
    if len(names) < 2:
        return None
    rows_of = [np.flatnonzero(inverse == k) for k in range(len(names))]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_resamples):
        drawn = rng.integers(len(names), size=len(names))
        try:
            value = float(statistic(np.concatenate([rows_of[k] for k in drawn])))
        except ValueError:
            continue
        if math.isfinite(value):
            values.append(value)
    if len(values) < 0.9 * n_resamples:
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def _midranks(x: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x))
    sorted_x = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and sorted_x[j + 1] == sorted_x[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def delong_test(y_true: ArrayLike, score_a: ArrayLike, score_b: ArrayLike) -> dict[str, float]:
    """DeLong's test of two correlated AUCs (the same photos scored twice, e.g. a reader and
    the network).

    Uses the structural components of DeLong, DeLong & Clarke-Pearson (1988), computed with
    midranks as Sun & Xu (2014) do. Returns ``auc_a``, ``auc_b``, ``difference`` (a - b),
    its standard error ``se``, ``z`` and the two-sided ``p_value``. With both scores
    identical the difference and its SE are 0 and the p-value is 1.
    """
    y = as_labels(y_true)
    a = _scores(score_a, y.size, "score_a")
    b = _scores(score_b, y.size, "score_b")
    require_both_classes(y, "DeLong's test")
    positive, negative = y == 1, y == 0
    m, n = int(positive.sum()), int(negative.sum())
    v10, v01, aucs = [], [], []
    for score in (a, b):
        x, z = score[positive], score[negative]
        rank_all = _midranks(np.concatenate([x, z]))
        rank_x, rank_z = _midranks(x), _midranks(z)
        v10.append((rank_all[:m] - rank_x) / n)
        v01.append(1.0 - (rank_all[m:] - rank_z) / m)
        aucs.append(float(v10[-1].mean()))
    s10 = np.cov(np.vstack(v10)) if m > 1 else np.zeros((2, 2))
    s01 = np.cov(np.vstack(v01)) if n > 1 else np.zeros((2, 2))
    contrast = np.array([1.0, -1.0])
    variance = float(contrast @ s10 @ contrast / m + contrast @ s01 @ contrast / n)
    difference = aucs[0] - aucs[1]
    se = math.sqrt(max(variance, 0.0))
    if se == 0.0:
        z_value, p_value = 0.0, 1.0 if difference == 0 else 0.0
    else:
        z_value = difference / se
        p_value = math.erfc(abs(z_value) / math.sqrt(2.0))
    return {
        "auc_a": aucs[0],
        "auc_b": aucs[1],
        "difference": difference,
        "se": se,
        "z": z_value,
        "p_value": p_value,
    }


# --------------------------------------------------------------------------- human readers


def reader_metrics(
    y_true: ArrayLike,
    ratings: ArrayLike,
    threshold: float | None = None,
    scale: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """AUC and operating point of a human reader, for comparison with the networks.

    ``ratings`` are binary calls (0/1) or ordinal confidences (e.g. 1-5, higher = more
    likely WBS). The AUC uses the ratings as scores, so ordinal ratings give a stepwise ROC
    with one point per rating level and a binary call gives a single interior point.

    The reader's own call is ``rating == 1`` for binary ratings and ``rating >= threshold``
    for ordinal ones; the default threshold is the midpoint of the scale, ``scale`` =
    (lowest, highest) possible rating, by default the lowest and highest rating observed.

    Returns a dict with ``kind`` ("binary"/"ordinal"), ``auc``, ``threshold``,
    ``sensitivity``, ``specificity``, the operating point ``fpr``/``tpr`` (to plot as a
    point) and the reader's ROC as lists ``roc_fpr``/``roc_tpr``.
    """
    y, r = as_pair(y_true, ratings, "ratings")
    binary = bool(np.all(np.isin(r, (0.0, 1.0))))
    if binary:
        thr = 1.0
    elif threshold is not None:
        thr = float(threshold)
    else:
        lo, hi = scale if scale is not None else (float(r.min()), float(r.max()))
        thr = (lo + hi) / 2.0
    c = confusion(y, r >= thr)
    sens = _ratio(c["tp"], c["tp"] + c["fn"])
    spec = _ratio(c["tn"], c["tn"] + c["fp"])
    fpr, tpr, _ = roc_curve(y, r)
    return {
        "kind": "binary" if binary else "ordinal",
        "auc": roc_auc(y, r),
        "threshold": thr,
        "sensitivity": sens,
        "specificity": spec,
        "fpr": 1.0 - spec,
        "tpr": sens,
        "roc_fpr": fpr.tolist(),
        "roc_tpr": tpr.tolist(),
    }
