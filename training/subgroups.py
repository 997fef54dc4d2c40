"""Metrics per subgroup of the people (issue 12): age bands, sex and ancestry, from the
manifest's optional ``age``, ``sex`` and ``ancestry`` columns, each row with its counts, so
that a model that works for one group of children and not another shows it.

Computed on the out-of-fold rows of the first repeat at each fold model's own decision
(logit >= 0), like the per-fold table; a subgroup's AUC needs both classes in it, and its
sensitivity or specificity its positives or negatives (``None`` otherwise). Small subgroups
are listed with their counts, not hidden: the reader judges what 3 children can show.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from training import metrics
from training.data import Sample

#: Age bands in years [low, high): infants, toddlers, pre-school, school age, adolescents,
#: adults.
AGE_BANDS: tuple[tuple[float, float], ...] = ((0, 2), (2, 5), (5, 10), (10, 18), (18, 121))
_UNKNOWN = "unknown"


def age_band(age: float | None) -> str:
    if age is None:
        return _UNKNOWN
    for low, high in AGE_BANDS:
        if low <= age < high:
            return f"{low:g}-{high:g} years" if high < 121 else f"{low:g}+ years"
    return _UNKNOWN


def _attributes(sample: Sample) -> dict[str, str]:
    return {
        "age": age_band(sample.age),
        "sex": sample.sex or _UNKNOWN,
        "ancestry": sample.ancestry or _UNKNOWN,
    }


def subgroup_metrics(
    rows: Sequence[dict[str, Any]], samples: Sequence[Sample]
) -> dict[str, list[dict[str, Any]]]:
    """For each attribute the manifest gives (some sample has it), one entry per subgroup:
    its name, photos, people, positives, negatives, AUC, sensitivity and specificity."""
    by_path = {str(s.path): _attributes(s) for s in samples}
    first = [r for r in rows if int(r["repeat"]) == 0]
    given = {
        name
        for attributes in by_path.values()
        for name, value in attributes.items()
        if value != _UNKNOWN
    }
    result: dict[str, list[dict[str, Any]]] = {}
    for name in ("age", "sex", "ancestry"):
        if name not in given:
            continue
        values = np.array([by_path[r["path"]][name] for r in first])
        entries = []
        for value in sorted(set(values)):
            part = [r for r, v in zip(first, values, strict=True) if v == value]
            y = np.array([int(r["label"]) for r in part])
            z = np.array([float(r["logit"]) for r in part])
            called = z >= 0.0
            positives, negatives = int(y.sum()), int(len(y) - y.sum())
            entries.append(
                {
                    "subgroup": value,
                    "photos": len(part),
                    "people": len({r["identity"] for r in part}),
                    "positives": positives,
                    "negatives": negatives,
                    "auc": metrics.roc_auc(y, z) if positives and negatives else None,
                    "sensitivity": float(called[y == 1].mean()) if positives else None,
                    "specificity": float((~called[y == 0]).mean()) if negatives else None,
                }
            )
        result[name] = entries
    return result


def markdown(subgroups: dict[str, list[dict[str, Any]]]) -> str:
    """The tables of :func:`subgroup_metrics` for metrics.md ("" when there are none)."""
    if not subgroups:
        return ""

    def percent(value: float | None) -> str:
        return "-" if value is None else f"{100 * value:.1f}"

    lines = [
        "## By subgroup (out-of-fold, first repeat, each fold model at 0.5)",
        "",
        "| attribute | subgroup | photos | people | positives | negatives | AUC | "
        "sensitivity | specificity |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, entries in subgroups.items():
        for e in entries:
            lines.append(
                f"| {name} | {e['subgroup']} | {e['photos']} | {e['people']} | "
                f"{e['positives']} | {e['negatives']} | {percent(e['auc'])} | "
                f"{percent(e['sensitivity'])} | {percent(e['specificity'])} |"
            )
    return "\n".join(lines) + "\n"
