"""Calibration and operating points of a binary screening score.

* Operating points: :func:`youden_threshold`, :func:`threshold_for_sensitivity` and
  :func:`threshold_for_specificity` return observed scores, so applying them with
  ``y_prob >= threshold`` reproduces exactly the operating point they were chosen for;
  :func:`parse_threshold_rule` reads the rule that names one of them.
* Platt scaling: :func:`fit_platt` fits ``p = sigmoid(a z + b)`` to a positive-class logit,
  :func:`platt_probability` applies it.
* Reliability: :func:`expected_calibration_error` and the bins of a reliability diagram.

Labels and scores follow the conventions of :mod:`training.metrics` (1 = WBS, a sample is
positive when ``y_prob >= threshold``). numpy and scipy (the Platt fit's L-BFGS-B search)
are used; scikit-learn is the reference in the tests, never a dependency of this package.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from training.metrics import as_labels, as_pair, counts_at_thresholds, require_both_classes

__all__ = [
    "expected_calibration_error",
    "fit_platt",
    "parse_threshold_rule",
    "platt_probability",
    "threshold_for_sensitivity",
    "threshold_for_specificity",
    "youden_threshold",
]


# --------------------------------------------------------------------------- operating point


def youden_threshold(y_true: ArrayLike, y_prob: ArrayLike) -> float:
    """Threshold maximising Youden's J = sensitivity + specificity - 1 = TPR - FPR.

    The returned value is one of the observed scores (not a midpoint between neighbours), so
    ``y_prob >= t`` reproduces the chosen ROC point on these data. Among equally good
    thresholds the largest (most conservative: fewest positive calls) is returned.
    """
    y, p = as_pair(y_true, y_prob)
    require_both_classes(y, "Youden's J")
    tps, fps, thr = counts_at_thresholds(y, p)
    # J * n_pos * n_neg in integers: float rounding must not break ties between thresholds
    j = tps * fps[-1] - fps * tps[-1]
    return float(thr[int(np.argmax(j))])


def threshold_for_sensitivity(y_true: ArrayLike, y_prob: ArrayLike, target: float) -> float:
    """Largest threshold (an observed score) whose recall on these data is at least ``target``.

    ``target`` is a fraction in (0, 1]; counting is done in whole positives so that e.g.
    9 of 10 meets a target of 0.9 despite floating-point rounding.
    """
    if not 0.0 < target <= 1.0:
        raise ValueError(f"target sensitivity must be in (0, 1], got {target}")
    y, p = as_pair(y_true, y_prob)
    require_both_classes(y, "A sensitivity threshold")
    tps, _, thr = counts_at_thresholds(y, p)
    need = math.ceil(target * tps[-1] - 1e-9)
    return float(thr[int(np.argmax(tps >= need))])


def threshold_for_specificity(y_true: ArrayLike, y_prob: ArrayLike, target: float) -> float:
    """Lowest threshold (an observed score) whose specificity on these data is at least
    ``target``: the most sensitive operating point that keeps that share of the negatives
    below it. Counted in whole negatives, like :func:`threshold_for_sensitivity`; when only
    a threshold above every score will do, the next float above the highest is returned.
    """
    if not 0.0 < target <= 1.0:
        raise ValueError(f"target specificity must be in (0, 1], got {target}")
    y, p = as_pair(y_true, y_prob)
    require_both_classes(y, "A specificity threshold")
    _, fps, thr = counts_at_thresholds(y, p)
    allowed = fps[-1] - math.ceil(target * fps[-1] - 1e-9)  # negatives that may score above
    # thr descends and fps grows: the last threshold that calls at most `allowed` negatives
    within = np.flatnonzero(fps <= allowed)
    return float(thr[within[-1]]) if within.size else float(np.nextafter(thr[0], np.inf))


THRESHOLD_RULES = "'youden', 'sensitivity:T' or 'specificity:T' with 0 < T < 1"


def parse_threshold_rule(rule: str) -> tuple[str, float | None]:
    """``(kind, target)`` of a threshold rule (:data:`THRESHOLD_RULES`); ValueError names
    the rules when ``rule`` is none of them."""
    if rule == "youden":
        return rule, None
    kind, _, value = rule.partition(":")
    try:
        target = float(value)
    except ValueError:
        target = math.nan
    if kind not in ("sensitivity", "specificity") or not 0 < target < 1:  # NaN fails too
        raise ValueError(f"The threshold rule must be {THRESHOLD_RULES}, not {rule!r}.")
    return kind, target


# --------------------------------------------------------------------------- calibration


def _logit_diff(logits: ArrayLike) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim == 2 and z.shape[1] == 2:
        # two-class softmax: p(positive) = sigmoid(z1 - z0)
        z = z[:, 1] - z[:, 0]
    if z.ndim != 1:
        raise ValueError(f"logits must have shape (n,) or (n, 2), got {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("logits contain NaN or infinite values")
    return z


def fit_platt(
    logits: ArrayLike,
    y_true: ArrayLike,
    slope_bounds: tuple[float, float] = (1e-3, 100.0),
    intercept_bounds: tuple[float, float] = (-50.0, 50.0),
) -> tuple[float, float]:
    """Slope ``a`` and intercept ``b`` minimising the NLL of ``p = sigmoid(a z + b)``.

    Platt scaling of a positive-class logit ``z`` (the logit difference ``z1 - z0`` of a
    two-class head; an ``(n, 2)`` array is converted). Unlike a temperature (``b = 0``), the
    intercept absorbs the constant shift class weighting puts on every logit, so the mean
    probability can match the observed rate. The bounds are those the model card accepts;
    perfectly separated data push the slope to its upper bound.
    """
    from scipy.optimize import minimize

    z = _logit_diff(logits)
    y = as_labels(y_true)
    if y.size != z.size:
        raise ValueError(f"logits have {z.size} values but y_true has {y.size}")
    require_both_classes(y, "A Platt calibration")

    def nll_and_gradient(params: np.ndarray) -> tuple[float, np.ndarray]:
        s = params[0] * z + params[1]
        p = np.exp(-np.logaddexp(0.0, -s))
        residual = p - y
        return (
            float(np.mean(np.logaddexp(0.0, s) - y * s)),
            np.array([np.mean(residual * z), np.mean(residual)]),
        )

    rate = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    start = np.array([1.0, math.log(rate / (1 - rate))])
    result = minimize(
        nll_and_gradient,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[slope_bounds, intercept_bounds],
    )
    return float(result.x[0]), float(result.x[1])


def platt_probability(logits: ArrayLike, slope: float, intercept: float) -> np.ndarray:
    """``sigmoid(slope * z + intercept)`` for logits ``z``."""
    s = slope * _logit_diff(logits) + intercept
    return np.exp(-np.logaddexp(0.0, -s))


def expected_calibration_error(
    y_true: ArrayLike, y_prob: ArrayLike, n_bins: int = 10
) -> tuple[float, list[dict[str, Any]]]:
    """Expected calibration error over equal-width bins of the positive-class probability.

    Binary reliability-diagram convention: x = mean predicted probability of WBS in the bin,
    y = observed fraction of WBS. ``ECE = sum_b count_b / n * |observed_b - mean_prob_b|``.
    Bins are ``[0, 1/B], (1/B, 2/B], ..., ((B-1)/B, 1]``, the assignment used by
    ``sklearn.calibration.calibration_curve(strategy="uniform")``.

    Returns ``(ece, bins)``; each bin is a dict with ``lower``, ``upper``, ``count``,
    ``mean_confidence`` (mean predicted probability) and ``observed_rate`` (fraction
    positive), the last two ``None`` for empty bins.
    """
    if n_bins < 1:
        raise ValueError(f"n_bins must be at least 1, got {n_bins}")
    y, p = as_pair(y_true, y_prob)
    if p.min() < 0.0 or p.max() > 1.0:
        raise ValueError("y_prob must be probabilities in [0, 1]")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], p)
    counts = np.bincount(ids, minlength=n_bins)
    sum_p = np.bincount(ids, weights=p, minlength=n_bins)
    sum_y = np.bincount(ids, weights=y, minlength=n_bins)
    bins: list[dict[str, Any]] = []
    ece = 0.0
    for b in range(n_bins):
        n_b = int(counts[b])
        mean_p: float | None = None
        obs: float | None = None
        if n_b:
            mean_p, obs = float(sum_p[b] / n_b), float(sum_y[b] / n_b)
            ece += n_b / y.size * abs(obs - mean_p)
        bins.append(
            {
                "lower": float(edges[b]),
                "upper": float(edges[b + 1]),
                "count": n_b,
                "mean_confidence": mean_p,
                "observed_rate": obs,
            }
        )
    return float(ece), bins
