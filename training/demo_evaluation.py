"""How the demo model does on the people it never saw: the test people's real photos, plain
and WBS-warped, scored as the app scores them, against the targets of the demo model's
issue, with what a uniform heatmap would give beside each heat share; the figures are
written into the bundle's card (``training.evaluation``).

Beside them, :func:`real_photo_oof_auc` gives the figure to choose changes of the recipe
by: the test people's figures must not be, or the test people would be tuned on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from training import metrics
from training.cv_report import BOOTSTRAP_RESAMPLES, pooled_auc
from training.folds import TEST
from wbs_desktop.core.errors import WBSError
from wbs_desktop.core.files import read_csv
from wbs_desktop.core.model.bundle import load_model, save_bundle
from wbs_desktop.core.model.registry import installed_bundles, register_bundle
from wbs_desktop.core.pipeline.analysis import analyze
from wbs_desktop.core.pipeline.imaging import load_image
from wbs_desktop.core.pipeline.regions import OUTSIDE, region_areas

EVALUATION_STRENGTH = 0.8  # of the held-out people's warps
#: Where the demo's synthetic subjects lie, relative to its manifest; the other rows are the
#: real photos and their warps.
SYNTHETIC_FOLDER = "synth"
#: Whom the demo was trained on (the card's ``population``): the shared photos are of adults
#: apart from 3 children, with no ages recorded, so "adult" is written as 16-100 years; a
#: child's case is then warned that the score may not apply.
DEMO_POPULATION = {
    "age_years": [16, 100],
    "description": "Real photos of 73 people from open-source test sets (the project's "
    "shared faces), adults apart from 3 children; their ages are not recorded, so 16-100 "
    "years stands for 'adult'. The synthetic phenotypes are warps of these photos.",
}
TARGETS = {
    "specificity_plain": 0.90,
    "sensitivity_wbs": 0.80,
    "auc_wbs_vs_plain": 0.95,
    "outside_face_plain": 0.20,
    "warped_regions_wbs": 0.50,
}


def evaluate(bundle_path: Path, manifest: Path) -> dict[str, Any]:
    """Score the test people's photos as the app does; the table of the issue's targets."""
    bundle = load_model(bundle_path)
    threshold = bundle.card["threshold"]
    rows = [r for r in read_csv(manifest) if r["role"] == TEST]
    scored: list[dict[str, Any]] = []
    for row in rows:
        path = (
            Path(row["path"]) if Path(row["path"]).is_absolute() else manifest.parent / row["path"]
        )
        try:
            result = analyze(load_image(path), bundle, "cpu")
        except WBSError:
            continue
        warped = [r for r in row["warped_regions"].split(";") if r]
        areas = region_areas(result.aligned.landmarks, result.heatmap.shape[0])
        scored.append(
            {
                "photo": row["base"],
                "person": row["identity"],
                "group": row["group"],
                "score": result.score,
                "quality_warnings": list(result.quality.warnings),
                "outside_face": result.regions[OUTSIDE],
                "in_warped_regions": sum(result.regions[r] for r in warped),
                # what a uniform heatmap would give: the regions' share of the crop
                "outside_face_area": areas[OUTSIDE],
                "warped_regions_area": sum(areas[r] for r in warped),
            }
        )

    def scores(group: str) -> np.ndarray:
        return np.array([r["score"] for r in scored if r["group"] == group])

    def mean_of(key: str, group: str) -> float:
        return float(np.mean([r[key] for r in scored if r["group"] == group]))

    plain, wbs, other = scores("healthy"), scores("WBS"), scores("other")
    # For information: the same figures without the photos the app warns about (an open
    # mouth, a turned head, ...), whose results it tells the clinician to trust less.
    unwarned = [r for r in scored if not r["quality_warnings"]]
    plain_ok = np.array([r["score"] for r in unwarned if r["group"] == "healthy"])
    wbs_ok = np.array([r["score"] for r in unwarned if r["group"] == "WBS"])
    figures = {
        "specificity_plain": float(np.mean(plain < threshold)),
        "sensitivity_wbs": float(np.mean(wbs >= threshold)),
        "auc_wbs_vs_plain": metrics.roc_auc([0] * len(plain) + [1] * len(wbs), np.r_[plain, wbs]),
        "outside_face_plain": mean_of("outside_face", "healthy"),
        "warped_regions_wbs": mean_of("in_warped_regions", "WBS"),
        "specificity_other_warped": float(np.mean(other < threshold)),
        "outside_face_plain_uniform": mean_of("outside_face_area", "healthy"),
        "warped_regions_wbs_uniform": mean_of("warped_regions_area", "WBS"),
        "plain_with_quality_warning": int(len(plain) - len(plain_ok)),
        "specificity_plain_unwarned": (
            float(np.mean(plain_ok < threshold)) if len(plain_ok) else None
        ),
        "auc_wbs_vs_plain_unwarned": (
            metrics.roc_auc([0] * len(plain_ok) + [1] * len(wbs_ok), np.r_[plain_ok, wbs_ok])
            if len(plain_ok) and len(wbs_ok)
            else None
        ),
    }
    return {
        "threshold": threshold,
        "intervals": _intervals(scored, threshold),
        "photos": len(scored),
        "people": len({r["person"] for r in scored}),
        "figures": figures,
        "median_score": {
            "plain": float(np.median(plain)),
            "WBS": float(np.median(wbs)),
            "other": float(np.median(other)),
        },
        "rows": scored,
    }


def _intervals(scored: list[dict[str, Any]], threshold: float) -> dict[str, list[float] | None]:
    """95 % bootstrap intervals over the test people (a person's photos move together) of
    the figures with a target on plain and WBS-warped photos: with 13 people, one photo
    more or less moves specificity or sensitivity by 0.04."""
    pair = [r for r in scored if r["group"] in ("healthy", "WBS")]
    people = np.array([r["person"] for r in pair])
    score = np.array([r["score"] for r in pair])
    positive = np.array([r["group"] == "WBS" for r in pair])

    def share(sample: np.ndarray, of_positives: bool) -> float:
        picked = score[sample][positive[sample] == of_positives]
        if not len(picked):
            raise ValueError("no photo of the group in this resample")
        return float(np.mean(picked >= threshold if of_positives else picked < threshold))

    statistics = {
        "specificity_plain": lambda sample: share(sample, False),
        "sensitivity_wbs": lambda sample: share(sample, True),
        "auc_wbs_vs_plain": lambda sample: metrics.roc_auc(positive[sample], score[sample]),
    }
    intervals: dict[str, list[float] | None] = {}
    for key, statistic in statistics.items():
        interval = metrics.bootstrap_interval(people, statistic, BOOTSTRAP_RESAMPLES)
        intervals[key] = list(interval) if interval else None
    return intervals


#: The plain photos against their WBS-warped versions: what the targets compare, and what the
#: demo's threshold is chosen on (training.demo).
PLAIN_AND_WBS = frozenset({"healthy", "WBS"})


def is_real_photo(row: dict[str, str]) -> bool:
    """A row of the demo's manifest (or out-of-fold predictions) that is a real photo or one
    of its warps, not a synthetic subject."""
    return not row["relative_path"].startswith(f"{SYNTHETIC_FOLDER}/")


def real_photo_oof_auc(cv_run: Path, architecture: str) -> dict[str, Any] | None:
    """AUC, WBS-warped vs plain, over the training people's real photos alone, each scored by
    the fold model that never trained on that person (the cross-validation's out-of-fold
    logits), with a 95 % bootstrap interval over people. Unlike the cross-validation's own
    pooled AUC it leaves out the synthetic subjects, whose difficulty moves with the synthetic
    recipe itself, and the other-syndrome warps; unlike the test people's figures it may be
    used to choose between recipes. None when the cross-validation holds no real photo of
    one of the two groups."""
    rows = [
        row
        for row in read_csv(cv_run / architecture / "oof.csv")
        if row["group"] in PLAIN_AND_WBS and is_real_photo(row)
    ]
    if {row["group"] for row in rows} != PLAIN_AND_WBS:
        return None
    return pooled_auc(rows, 1 + max(int(row["repeat"]) for row in rows))


def record_evaluation(bundle_path: Path, result: dict[str, Any]) -> None:
    """Write the evaluation's figures into the bundle's card (``training.evaluation``), so
    that the file itself says how it did on people it never saw, with whom it was trained on
    (``population``); re-registers its hash."""
    bundle = load_model(bundle_path)
    entry = next(
        (e for e in installed_bundles(bundle_path.parent) if e.path.name == bundle_path.name), None
    )
    card = dict(bundle.card)
    card["population"] = DEMO_POPULATION
    card["training"] = {
        **card["training"],
        "evaluation": {
            "description": "training.demo's evaluation: the test people's real photos, plain "
            f"and WBS-warped (strength {EVALUATION_STRENGTH}), scored as the app "
            "scores them",
            "photos": result["photos"],
            "people": result["people"],
            "threshold": result["threshold"],
            "figures": result["figures"],
            "targets": TARGETS,
            "median_score": result["median_score"],
            "intervals": result["intervals"],
            "fold_auc": result.get("fold_auc"),
            "real_photo_oof_auc": result.get("real_photo_oof_auc"),
        },
    }
    save_bundle(bundle_path, bundle.networks, card)
    register_bundle(
        bundle_path, summary=entry.summary if entry else "", default=bool(entry and entry.default)
    )


def evaluation_table(result: dict[str, Any]) -> str:
    labels = {
        "specificity_plain": "real, unwarped photos scored below the threshold (specificity)",
        "sensitivity_wbs": f"WBS-warped versions (strength {EVALUATION_STRENGTH}, no identity "
        "warp) scored at or above it (sensitivity)",
        "auc_wbs_vs_plain": "AUC, WBS-warped vs plain",
        "outside_face_plain": "mean share of heat outside the face, plain photos",
        "warped_regions_wbs": "mean share of heat inside the warped regions, WBS-warped photos",
        "specificity_other_warped": "other-syndrome-warped versions scored below the threshold",
        "outside_face_plain_uniform": "a uniform heatmap's share outside the face, plain photos",
        "warped_regions_wbs_uniform": "a uniform heatmap's share in the warped regions, "
        "WBS-warped photos",
        "plain_with_quality_warning": "plain photos the app gives a quality warning (an open "
        "mouth, a turned head, ...)",
        "specificity_plain_unwarned": "specificity on the plain photos without a warning",
        "auc_wbs_vs_plain_unwarned": "AUC on the photos without a warning",
    }
    lines = ["| | measured | target |", "|---|---|---|"]
    for key, label in labels.items():
        target = TARGETS.get(key)
        sign = "≤" if key == "outside_face_plain" else "≥"
        value = result["figures"].get(key)
        if value is None:  # no photo without a warning, or written before the row existed
            continue
        shown = f"{value}" if isinstance(value, int) else f"{value:.3f}"
        interval = result.get("intervals", {}).get(key)
        if interval:
            shown += f" ({interval[0]:.2f}-{interval[1]:.2f})"
        lines.append(
            f"| {label} | {shown} | "
            + (
                f"{sign} {target:.2f} |"
                if target is not None
                else "(information) |"
                if key.endswith(("warning", "unwarned"))
                else "(control) |"
            )
        )
    folds = result.get("fold_auc")
    if folds:
        lines.append(
            "| cross-validation AUC of each fold model on its test fold | "
            + " / ".join(f"{v:.3f}" for v in folds)
            + " | each ≥ 0.80 |"
        )
    selection = result.get("real_photo_oof_auc")
    if selection:
        low, high = selection["ci95"] or (float("nan"), float("nan"))
        lines.append(
            "| out-of-fold AUC on the training people's real photos, WBS-warped vs plain "
            f"| {selection['mean']:.3f} ({low:.2f}-{high:.2f}) | (what recipe changes are "
            "chosen by) |"
        )
    return (
        f"{result['photos']} photos of {result['people']} people the model never saw, "
        f"threshold {result['threshold']:.3f}; in brackets, 95 % bootstrap intervals over "
        "the people.\n\n" + "\n".join(lines) + "\n"
    )
