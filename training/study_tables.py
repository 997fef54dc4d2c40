"""The source study's published figures and the markdown tables that set ours beside them.

:func:`markdown_table` renders one :func:`training.metrics.fold_summary` (a row per metric,
"mean ± SD" then the folds); :func:`comparison_table` puts several architectures' summaries
side by side with the published rows (:data:`STUDY_VGG19`, :data:`STUDY_BEST_EXPERT_AUC`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "STUDY_BEST_EXPERT_AUC",
    "STUDY_VGG19",
    "DEFAULT_TABLE_NAMES",
    "comparison_table",
    "markdown_table",
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
    summary: Mapping[str, Any], names: Sequence[str] = DEFAULT_TABLE_NAMES, percent: bool = True
) -> str:
    """Markdown table of one :func:`~training.metrics.fold_summary`: a row per metric,
    "mean ± SD" then the folds.

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

    ``runs`` maps an architecture to its :func:`~training.metrics.fold_summary`. ``study``
    maps an architecture to published figures ``{metric: (mean, sd)}`` in percent (e.g.
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
