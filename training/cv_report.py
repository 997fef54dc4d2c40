"""The cross-validation's reports: per-fold metrics with their mean and SD, the pooled
out-of-fold AUC with a bootstrap interval over people, calibration, the figures, and the
table beside the source study's figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from training import metrics, plots, study_tables, subgroups
from training.calibration import expected_calibration_error
from training.cv_fold import OOF_FIELDS
from training.cv_plan import Task
from training.run_record import write_json
from wbs_desktop.core.files import atomic_write, write_csv

BOOTSTRAP_RESAMPLES = 2000


def _labels_and_logits(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    return (np.array([int(r["label"]) for r in rows]), np.array([float(r["logit"]) for r in rows]))


def summarise(rows: list[dict[str, Any]], task: Task, n_folds: int, repeats: int) -> dict[str, Any]:
    """Per-fold metrics at each fold model's own decision (logit >= 0, i.e. probability
    >= 0.5), mean and sample SD over all repeats x folds."""
    per_fold = []
    for repeat in range(repeats):
        for fold in range(n_folds):
            part = [r for r in rows if int(r["repeat"]) == repeat and int(r["fold"]) == fold]
            y, z = _labels_and_logits(part)
            result = metrics.binary_metrics(y, z, 0.0)
            for group, value in metrics.specificity_by_group(
                [r["group"] for r in part], z, 0.0, task.negative_groups
            ).items():
                result[f"specificity_{group}"] = value
            per_fold.append(result)
    return metrics.fold_summary(per_fold)


def pooled_auc(rows: list[dict[str, Any]], repeats: int) -> dict[str, Any]:
    """Out-of-fold AUC pooled over the folds of each repeat, its mean over repeats, and a
    95 % bootstrap interval over people (each resample scores every repeat)."""
    by_repeat = [[r for r in rows if int(r["repeat"]) == k] for k in range(repeats)]
    arrays = [_labels_and_logits(part) for part in by_repeat]
    identities = [np.array([r["identity"] for r in part]) for part in by_repeat]
    per_repeat = [metrics.roc_auc(y, z) for y, z in arrays]
    # Every repeat holds the same photos; map each photo's rows across repeats by path.
    position = [{r["path"]: i for i, r in enumerate(part)} for part in by_repeat]
    reference = by_repeat[0]

    def statistic(sampled: np.ndarray) -> float:
        paths = [reference[i]["path"] for i in sampled]
        values = []
        for (y, z), where in zip(arrays, position, strict=True):
            rows_here = [where[p] for p in paths]
            values.append(metrics.roc_auc(y[rows_here], z[rows_here]))
        return float(np.mean(values))

    interval = metrics.bootstrap_interval(identities[0], statistic, BOOTSTRAP_RESAMPLES)
    return {
        "mean": float(np.mean(per_repeat)),
        "per_repeat": per_repeat,
        "ci95": list(interval) if interval else None,
        "ci": f"95 % percentile bootstrap over people ({BOOTSTRAP_RESAMPLES} resamples)",
    }


def write_reports(
    folder: Path,
    arch: str,
    rows: list[dict[str, Any]],
    task: Task,
    n_folds: int,
    repeats: int,
    seen: dict[str, int] | None = None,
) -> dict[str, Any]:
    write_csv(folder / "oof.csv", rows, OOF_FIELDS)
    summary = summarise(rows, task, n_folds, repeats)
    y, z = _labels_and_logits(rows)
    p = np.exp(-np.logaddexp(0.0, -z))
    ece, bins = expected_calibration_error(y, p, 10)
    spread = (
        f"mean ± sample SD (ddof=1) over {n_folds} folds"
        if repeats == 1
        else f"mean ± sample SD (ddof=1) over {repeats} repeats x {n_folds} folds"
    )
    auc = pooled_auc(rows, repeats)
    by_subgroup = subgroups.subgroup_metrics(rows, task.samples)
    report = {
        "architecture": arch,
        "folds": n_folds,
        "repeats": repeats,
        "decision": "each fold model's own probability >= 0.5 (uncalibrated)",
        "spread": spread,
        "positive_group": task.positive_group,
        "negative_groups": task.negative_groups,
        "summary": summary,
        "pooled_auc": auc,
        "calibration": {
            "ece": ece,
            "bins": bins,
            "n": int(len(y)),
            "of": "uncalibrated out-of-fold probabilities",
        },
        "seen_in_pretraining": seen or {},
        "subgroups": by_subgroup,
    }
    write_json(folder / "metrics.json", report)
    interval = (
        f" (95 % CI {100 * auc['ci95'][0]:.1f}-{100 * auc['ci95'][1]:.1f}, bootstrap over people)"
        if auc["ci95"]
        else ""
    )
    atomic_write(
        folder / "metrics.md",
        lambda tmp: tmp.write_text(
            f"# {arch}: {n_folds}-fold cross-validation"
            + (f", {repeats} repeats" if repeats > 1 else "")
            + f"\n\n{task.positive_group} against {', '.join(task.negative_groups)}; each fold "
            f"model decides at its own probability 0.5 (uncalibrated); ± is the {spread}; no "
            f"person is in two folds.\n\n{study_tables.markdown_table(summary)}\nPooled "
            f"out-of-fold AUC {100 * auc['mean']:.1f}{interval}.\n"
            + (
                f"\nThe face-pretrained start had seen {seen['development_people']} of these "
                f"people ({seen['development_photos']} photos) in its pretext task, so these "
                "figures are not on faces the backbone never met; the held-out people are.\n"
                if seen and seen["development_photos"]
                else ""
            )
            + (f"\n{subgroups.markdown(by_subgroup)}" if by_subgroup else ""),
            encoding="utf-8",
        ),
    )
    fold_pairs = []
    for fold in range(n_folds):
        part = [r for r in rows if int(r["repeat"]) == 0 and int(r["fold"]) == fold]
        fold_pairs.append(_labels_and_logits(part))
    plots.plot_roc(fold_pairs, folder / "roc.png", f"{arch}: ROC over {n_folds} folds")
    plots.plot_reliability(y, p, folder / "reliability.png", 10)
    return report


def write_comparison(
    path: Path, reports: dict[str, dict[str, Any]], n_folds: int, repeats: int
) -> None:
    """``comparison.md``: each architecture's folds beside the source study's figures."""
    atomic_write(
        path,
        lambda tmp: tmp.write_text(
            "# Cross-validation, side by side with the source study\n\nOurs: each "
            "fold model at its own probability 0.5, mean ± sample SD over "
            f"{repeats * n_folds} folds of people-disjoint cross-validation. "
            "Published: mean ± SD over the study's five folds, as it reports them.\n\n"
            + study_tables.comparison_table(
                {a: r["summary"] for a, r in reports.items()},
                {"vgg19": study_tables.STUDY_VGG19},
                expert_auc=study_tables.STUDY_BEST_EXPERT_AUC,
            ),
            encoding="utf-8",
        ),
    )
