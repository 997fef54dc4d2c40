"""Plain-language lines about a model card, for the app's panel and the reports.

Kept free of torch so the GUI can show a card before torch has finished loading. Every
figure says what it is: the operating point is the deployed score at the card's threshold,
measured on people held out of training and of the threshold's choice; the cross-validation
line is each fold model on its own at 0.5, as the source study reported it.

Numbers are written for people: three significant digits (:func:`human_number`), and a
figure outside its possible range (a proportion above 1, a negative count) is left out
rather than printed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeGuard

from wbs_desktop.core.i18n import N_, _, format_percent, with_percent

# The card's fields as people read them (the keys themselves are data and stay English).
_FIELD_LABELS = {
    "name": N_("name"),
    "status": N_("status"),
    "architecture": N_("architecture"),
    "num_networks": N_("num networks"),
    "classes": N_("classes"),
    "positive_class": N_("positive class"),
    "input_size": N_("input size"),
    "threshold": N_("threshold"),
    "threshold_rule": N_("threshold rule"),
    "operating_point": N_("operating point"),
    "calibration": N_("calibration"),
    "flip_tta": N_("flip tta"),
    "training_data": N_("training data"),
    "cv_metrics": N_("cv metrics"),
    "intended_use": N_("intended use"),
    "training": N_("training"),
    "data_hash": N_("data hash"),
    "software": N_("software"),
    "created": N_("created"),
    "format_version": N_("format version"),
    "normalization": N_("normalization"),
    "cam_layer": N_("cam layer"),
    "face_only": N_("face only"),
    "population": N_("population"),
    "weights_dtype": N_("weights dtype"),
}


def field_label(key: str) -> str:
    """A card field's name in the current language: "threshold_rule" -> "threshold rule"."""
    return _(_FIELD_LABELS[key]) if key in _FIELD_LABELS else key.replace("_", " ")


def human_number(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits, without trailing zeros, and without an
    exponent from 0.000001 to a billion: 0.6264626649 -> "0.626", 1.5 -> "1.5",
    0.0000123456 -> "0.0000123", 123456 -> "123000"."""
    text = f"{value:.{digits}g}"
    if "e" in text and 1e-6 <= abs(value) < 1e9:
        text = format(Decimal(text), "f")
    return "0" if text == "-0" else text


def provenance_banner(note: str) -> str:
    """The one sentence every display of a demo or unvalidated model's result carries."""
    return _("Not for clinical use: {note}.").format(note=note) if note else ""


def _number(value: Any) -> TypeGuard[float]:
    """A finite int or float: NaN, infinity and integers too large for a float are not
    figures that can be printed."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _fraction(value: Any) -> TypeGuard[float]:
    return _number(value) and 0 <= value <= 1


def _count(value: Any) -> TypeGuard[float]:
    return _number(value) and 0 <= value <= 1e9 and float(value).is_integer()


def _percent_with_interval(entry: Any) -> str | None:
    """{"value": 0.85, "ci95": [0.7, 0.94]} -> "85 % (95 % CI 70-94 %)"."""
    if not isinstance(entry, Mapping) or not _fraction(entry.get("value")):
        return None
    text = format_percent(100 * entry["value"])
    interval = entry.get("ci95")
    if isinstance(interval, list) and len(interval) == 2 and all(map(_fraction, interval)):
        text += _(" (95 % CI {low}-{high})").format(
            low=f"{100 * interval[0]:.0f}", high=format_percent(100 * interval[1])
        )
    return text


def operating_point_summary(card: Mapping[str, Any]) -> str:
    """How the deployed score performs at the card's threshold, on held-out people, e.g.
    "at threshold 0.391 on 12 held-out people (36 photos): sensitivity 85 % (95 % CI
    70-94 %), specificity 80 % (95 % CI 66-90 %)"."""
    point = card.get("operating_point")
    if not isinstance(point, Mapping):
        return _("not measured")
    parts = [
        _("{measure} {value}").format(measure=label, value=text)
        for key, label in (("sensitivity", _("sensitivity")), ("specificity", _("specificity")))
        if (text := _percent_with_interval(point.get(key))) is not None
    ]
    if not parts:
        return _("not measured")
    threshold = card.get("threshold")
    where = (
        _("at threshold {threshold}").format(threshold=human_number(threshold))
        if _fraction(threshold)
        else _("at its threshold")
    )
    people, photos = point.get("identities"), point.get("photos")
    if _count(people) and _count(photos):
        where += _(" on {people} held-out people ({photos} photos)").format(
            people=int(people), photos=int(photos)
        )
    return _("{where}: {figures}").format(where=where, figures=_(", ").join(parts))


def validation_summary(card: Mapping[str, Any]) -> str:
    """One line on the cross-validation, each fold model at probability 0.5, e.g.
    "5-fold cross-validation on synthetic data, each fold model at 0.5: AUC 85.5 ± 8.1 %
    (mean ± SD over 5 folds)"."""
    metrics = card.get("cv_metrics") or {}
    summary = metrics.get("summary") if isinstance(metrics, Mapping) else None
    if not isinstance(summary, Mapping) or not summary:
        return _("none reported")
    parts = []
    for key, label in (
        ("auc", "AUC"),
        ("accuracy", _("accuracy")),
        ("recall", _("sensitivity")),
        ("specificity", _("specificity")),
    ):
        entry = summary.get(key)
        if not isinstance(entry, Mapping) or not _fraction(entry.get("mean")):
            continue
        std = entry.get("std")
        spread = f" ± {100 * std:.1f}" if _fraction(std) else ""
        parts.append(
            _("{measure} {value}").format(
                measure=label, value=with_percent(f"{100 * entry['mean']:.1f}{spread}")
            )
        )
    synthetic = (card.get("training_data") or {}).get("synthetic")
    folds = int(metrics["folds"]) if _count(metrics.get("folds")) else None
    repeats = int(metrics["repeats"]) if _count(metrics.get("repeats")) else 1
    scheme = (
        _("{folds}-fold cross-validation").format(folds=folds) if folds else _("cross-validation")
    )
    if repeats > 1:
        scheme = _("{repeats} x {scheme}").format(repeats=repeats, scheme=scheme)
    on_data = (
        _("{scheme} on synthetic data, each fold model at 0.5: {figures}")
        if synthetic
        else _("{scheme} on real data, each fold model at 0.5: {figures}")
    )
    line = on_data.format(scheme=scheme, figures=_(", ").join(parts) or _("no figures"))
    if parts and folds:
        line += _(" (mean ± SD over {folds} folds)").format(folds=folds * max(repeats, 1))
    return line


def calibration_summary(card: Mapping[str, Any]) -> str:
    """How scores were calibrated and for which case mix, e.g. "Platt map (slope 0.8,
    intercept -0.6) fitted on 60 calibration photos; probabilities assume 33 % WBS"."""
    entry = card.get("calibration")
    if not isinstance(entry, Mapping) or not _number(entry.get("slope")):
        return _("none")
    intercept = entry.get("intercept", 0.0)
    text = _("Platt map (slope {slope}, intercept {intercept})").format(
        slope=human_number(entry["slope"]),
        intercept=human_number(intercept) if _number(intercept) else "?",
    )
    if entry.get("fitted_on"):
        text += _(" fitted on {what}").format(what=entry["fitted_on"])
    prevalence = entry.get("prevalence")
    if _fraction(prevalence):
        text += _("; probabilities refer to a case mix of {share} {positive}").format(
            share=format_percent(100 * prevalence), positive=card.get("positive_class", "positive")
        )
    if card.get("flip_tta"):
        return _("{calibration}; mirror-image averaging on").format(calibration=text)
    return _("{calibration}; mirror-image averaging off").format(calibration=text)
