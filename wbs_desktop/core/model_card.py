"""Plain-language lines about a model card, for the app's panel and the reports.

Kept free of torch so the GUI can show a card before torch has finished loading.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def validation_summary(card: Mapping[str, Any]) -> str:
    """One line on how the model was validated, from the card's cross-validation metrics,
    e.g. "5-fold cross-validation on synthetic data: AUC 85.5 ± 8.1 %, ..."."""
    metrics = card.get("cv_metrics") or {}
    summary = metrics.get("summary") if isinstance(metrics, Mapping) else None
    if not isinstance(summary, Mapping) or not summary:
        return "none reported"
    parts = []
    for key, label in (("auc", "AUC"), ("accuracy", "accuracy"), ("recall", "sensitivity"),
                       ("specificity", "specificity")):
        entry = summary.get(key)
        if not isinstance(entry, Mapping) or not isinstance(entry.get("mean"), (int, float)):
            continue
        std = entry.get("std")
        spread = f" ± {100 * std:.1f}" if isinstance(std, (int, float)) else ""
        parts.append(f"{label} {100 * entry['mean']:.1f}{spread} %")
    data = "synthetic" if (card.get("training_data") or {}).get("synthetic") else "real"
    folds = metrics.get("folds")
    scheme = f"{folds}-fold cross-validation" if isinstance(folds, int) else "cross-validation"
    return f"{scheme} on {data} data: " + (", ".join(parts) or "no figures")
