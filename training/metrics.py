"""Binary screening metrics for the cross-validation: ROC/AUC, operating points, calibration.

Conventions used throughout:

* ``y_true`` holds 0/1 (or bool) labels, 1 = the positive class (WBS), 0 = everything else
  (healthy controls and other syndromes).
* ``y_prob`` holds the predicted probability (or any monotone score) of the positive class.
* A sample is called positive when ``y_prob >= threshold``; thresholds returned by
  :func:`youden_threshold` and :func:`threshold_for_sensitivity` are observed scores, so
  applying them with ``>=`` reproduces exactly the operating point they were chosen for.
* Ratios whose denominator is zero follow scikit-learn's ``zero_division=0``: they are 0.0.
  AUC, which is undefined with a single class, is NaN in :func:`binary_metrics` and raises
  in :func:`roc_auc`.

Only numpy (and scipy for the 1-D temperature search) is used; scikit-learn is the reference
in the tests, never a dependency of this package.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "STUDY_BEST_EXPERT_AUC",
    "STUDY_VGG19",
    "DEFAULT_TABLE_NAMES",
    "apply_temperature",
    "binary_metrics",
    "comparison_table",
    "confusion",
    "expected_calibration_error",
    "fit_temperature",
    "fold_summary",
    "markdown_table",
    "reader_metrics",
    "roc_auc",
    "roc_curve",
    "specificity_by_group",
    "threshold_for_sensitivity",
    "youden_threshold",
]

STUDY_VGG19: dict[str, tuple[float, float]] = {
    "accuracy": (92.7, 1.3),
    "precision": (94.0, 5.6),
    "recall": (81.7, 3.6),
    "f1": (87.2, 2.0),
    "auc": (89.6, 1.3),
}
"""Published five-fold VGG-19 results (mean, SD), in percent.

Source: "Automatic Facial Recognition of Williams-Beuren Syndrome Based on
Deep Convolutional Neural Networks", Frontiers in Pediatrics 2021. The study compared several
architectures, but only the VGG-19 figures are known to this project, so no other
architecture's published numbers are recorded here (none are to be made up).
"""

STUDY_BEST_EXPERT_AUC: float = 83.0
"""AUC (percent) of the best human expert reader in the same study."""

DEFAULT_TABLE_NAMES: tuple[str, ...] = (
    "accuracy",
    "precision",
    "recall",
    "f1",
    "auc",
    "specificity_healthy",
    "specificity_other",
)

_LABELS = {
    "accuracy": "Accuracy",
    "precision": "Precision",
    "recall": "Recall (sensitivity)",
    "f1": "F1",
    "auc": "AUC",
    "specificity": "Specificity",
    "specificity_healthy": "Specificity (healthy)",
    "specificity_other": "Specificity (other syndromes)",
}


# --------------------------------------------------------------------------- validation


def _labels(y_true: ArrayLike) -> np.ndarray:
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


def _pair(y_true: ArrayLike, y_prob: ArrayLike, name: str = "y_prob") -> tuple[np.ndarray, ...]:
    y = _labels(y_true)
    if y.size == 0:
        raise ValueError("y_true is empty")
    return y, _scores(y_prob, y.size, name)


def _both_classes(y: np.ndarray, what: str) -> None:
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


def _counts_at_thresholds(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, ...]:
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
    y, p = _pair(y_true, y_prob)
    _both_classes(y, "The ROC curve")
    tps, fps, thr = _counts_at_thresholds(y, p)
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
    y = _labels(y_true)
    yp = _labels(y_pred)
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
    y, p = _pair(y_true, y_prob)
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
    groups: Sequence[Any] | np.ndarray,
    y_prob: ArrayLike,
    threshold: float,
    negative_groups: Iterable[Any],
) -> dict[Any, float]:
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
    out: dict[Any, float] = {}
    for name in negative_groups:
        mask = g == name
        n = int(mask.sum())
        out[name] = float(np.sum(p[mask] < threshold)) / n if n else math.nan
    return out


def youden_threshold(y_true: ArrayLike, y_prob: ArrayLike) -> float:
    """Threshold maximising Youden's J = sensitivity + specificity - 1 = TPR - FPR.

    The returned value is one of the observed scores (not a midpoint between neighbours), so
    ``y_prob >= t`` reproduces the chosen ROC point on these data. Among equally good
    thresholds the largest (most conservative: fewest positive calls) is returned.
    """
    y, p = _pair(y_true, y_prob)
    _both_classes(y, "Youden's J")
    tps, fps, thr = _counts_at_thresholds(y, p)
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
    y, p = _pair(y_true, y_prob)
    _both_classes(y, "A sensitivity threshold")
    tps, _, thr = _counts_at_thresholds(y, p)
    need = math.ceil(target * tps[-1] - 1e-9)
    return float(thr[int(np.argmax(tps >= need))])


# --------------------------------------------------------------------------- cross-validation


def _finite_or_none(x: Any) -> float | None:
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


# --------------------------------------------------------------------------- calibration


def _logit_diff(logits: ArrayLike) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim == 2 and z.shape[1] == 2:
        # two-class softmax: p(positive) = sigmoid(z1 - z0), and T scales both logits
        z = z[:, 1] - z[:, 0]
    if z.ndim != 1:
        raise ValueError(f"logits must have shape (n,) or (n, 2), got {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("logits contain NaN or infinite values")
    return z


def apply_temperature(logits_or_logit_diff: ArrayLike, temperature: float) -> np.ndarray:
    """Calibrated positive-class probability ``sigmoid(z / T)``."""
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    z = _logit_diff(logits_or_logit_diff) / temperature
    return np.exp(-np.logaddexp(0.0, -z))


def fit_temperature(
    logits_or_logit_diff: ArrayLike,
    y_true: ArrayLike,
    bounds: tuple[float, float] = (0.05, 20.0),
) -> float:
    """Temperature T > 0 minimising the NLL of ``p = sigmoid(z / T)`` (temperature scaling).

    ``z`` is the positive-class logit (the logit difference ``z1 - z0`` of a two-class head;
    an ``(n, 2)`` array is converted). Fit it on out-of-fold logits. The search is a bounded
    1-D minimisation over ``log T`` in ``[log 0.05, log 20]``; if the optimum lies on a
    bound (e.g. perfectly separated data, where the NLL keeps falling as T shrinks) that
    bound is returned.
    """
    from scipy.optimize import minimize_scalar

    z = _logit_diff(logits_or_logit_diff)
    y = _labels(y_true)
    if y.size != z.size:
        raise ValueError(f"logits have {z.size} values but y_true has {y.size}")
    if y.size == 0:
        raise ValueError("y_true is empty")
    lo, hi = math.log(bounds[0]), math.log(bounds[1])

    def nll(log_t: float) -> float:
        s = z * math.exp(-log_t)
        return float(np.mean(np.logaddexp(0.0, s) - y * s))

    res = minimize_scalar(nll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6})
    log_t = float(res.x)
    # the bounded Brent search never evaluates the end points themselves
    best = min((nll(v), v) for v in (lo, log_t, hi))[1]
    return float(math.exp(best))


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
    y, p = _pair(y_true, y_prob)
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
        mean_p = sum_p[b] / n_b if n_b else None
        obs = sum_y[b] / n_b if n_b else None
        if n_b:
            ece += n_b / y.size * abs(obs - mean_p)
        bins.append(
            {
                "lower": float(edges[b]),
                "upper": float(edges[b + 1]),
                "count": n_b,
                "mean_confidence": None if mean_p is None else float(mean_p),
                "observed_rate": None if obs is None else float(obs),
            }
        )
    return float(ece), bins


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
    y, r = _pair(y_true, ratings, "ratings")
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


# --------------------------------------------------------------------------- tables


def _cell(mean: float | None, std: float | None, scale: float) -> str:
    if mean is None or not math.isfinite(mean):
        return "—"
    if std is None or not math.isfinite(std):
        return f"{mean * scale:.1f}"
    return f"{mean * scale:.1f} ± {std * scale:.1f}"


def _entry(summary: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    entry = summary.get(name)
    return entry if isinstance(entry, Mapping) else None


def markdown_table(
    summary: Mapping[str, Any],
    names: Sequence[str] = DEFAULT_TABLE_NAMES,
    percent: bool = True,
) -> str:
    """Markdown table of one :func:`fold_summary`: a row per metric, "mean ± SD" then the
    folds.

    Metrics in ``names`` that the summary lacks are left out. With ``percent`` the values
    are multiplied by 100; one decimal, e.g. ``92.7 ± 1.3``; SD is the sample SD (ddof=1).
    """
    scale = 100.0 if percent else 1.0
    rows = [(n, e) for n in names if (e := _entry(summary, n)) is not None]
    n_folds = max((len(e.get("per_fold", [])) for _, e in rows), default=0)
    unit = " (%)" if percent else ""
    header = [f"Metric{unit}", "Mean ± SD"] + [f"Fold {i + 1}" for i in range(n_folds)]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    for name, e in rows:
        folds = list(e.get("per_fold", []))
        folds += [None] * (n_folds - len(folds))
        cells = [_LABELS.get(name, name), _cell(e.get("mean"), e.get("std"), scale)]
        cells += [_cell(v, None, scale) for v in folds]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def comparison_table(
    runs: Mapping[str, Mapping[str, Any]],
    study: Mapping[str, Mapping[str, tuple[float, float]]] | None = None,
    names: Sequence[str] = DEFAULT_TABLE_NAMES,
    percent: bool = True,
    expert_auc: float | None = None,
) -> str:
    """Side-by-side markdown table: a row per architecture, a column per metric.

    ``runs`` maps an architecture to its :func:`fold_summary`. ``study`` maps an
    architecture to published figures ``{metric: (mean, sd)}`` in percent (e.g.
    ``{"vgg19": STUDY_VGG19}``); they are added as rows marked "(published)". ``expert_auc``
    (percent, e.g. :data:`STUDY_BEST_EXPERT_AUC`) adds a row for the best human reader.
    Columns are the ``names`` that any row has; missing cells show "—".
    """
    scale = 100.0 if percent else 1.0
    study = study or {}
    present = [
        n
        for n in names
        if any(_entry(s, n) is not None for s in runs.values())
        or any(n in s for s in study.values())
        or (n == "auc" and expert_auc is not None)
    ]
    unit = " (%)" if percent else ""
    header = [f"Model{unit}"] + [_LABELS.get(n, n) for n in present]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    for arch, summary in runs.items():
        cells = [str(arch)]
        for n in present:
            e = _entry(summary, n)
            cells.append(_cell(e.get("mean"), e.get("std"), scale) if e else "—")
        lines.append("| " + " | ".join(cells) + " |")
    for arch, figures in study.items():
        cells = [f"{arch} (published)"]
        for n in present:
            if n in figures:
                mean, sd = figures[n]
                cells.append(_cell(mean / 100.0, None if sd is None else sd / 100.0, scale))
            else:
                cells.append("—")
        lines.append("| " + " | ".join(cells) + " |")
    if expert_auc is not None:
        cells = ["Best expert reader (published)"]
        cells += [_cell(expert_auc / 100.0, None, scale) if n == "auc" else "—" for n in present]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
