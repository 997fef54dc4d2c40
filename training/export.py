"""Turning a cross-validation run into a model bundle the app loads as it is, with an
operating point measured on people none of its networks trained on.

The bundle holds one repeat's fold models as an ensemble, scored as the app scores
(``wbs_desktop.core.model.scoring``). Its weights are rounded to the storage precision first, and
then the ensemble scores the run's held-out people:

* on the *calibration* people, a Platt map (slope and intercept) is fitted to the deployed
  logit and the decision threshold chosen by the run's rule (Youden's J, a sensitivity or a
  specificity), optionally on a larger pool (:class:`ThresholdPool`): the calibration people's
  photos and the development people's, each of these scored by the fold network that never
  trained on that person;
* on the *test* people, who took part in neither, the sensitivity and specificity at that
  threshold are measured, with 95 % bootstrap intervals over people.

A run whose cross-validated AUC is not clearly above chance (its 95 % interval reaches 0.5)
is refused unless forced; a forced bundle says so in its card and in the app's red banner.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from training import calibration, metrics
from training.config import config_from_dict
from training.cv_fold import predict
from training.cv_report import BOOTSTRAP_RESAMPLES
from training.data import DataError
from training.folds import CALIBRATION, TEST
from training.run_record import write_json
from wbs_desktop.core.files import read_csv as read_rows
from wbs_desktop.core.files import write_csv
from wbs_desktop.core.intended_use import INTENDED_USE
from wbs_desktop.core.model.architectures import build_network
from wbs_desktop.core.model.bundle import save_bundle
from wbs_desktop.core.model.card import SYNTHETIC_NOTE, THRESHOLDS, default_card
from wbs_desktop.core.model.registry import register_bundle
from wbs_desktop.core.model.scoring import Calibration, deployed_logit

SYNTHETIC_INFO = "synth_info.json"
SCORE_FIELDS = (
    "path",
    "relative_path",
    "identity",
    "group",
    "role",
    "label",
    "deployed_logit",
    "score",
)


CALIBRATION_PEOPLE = "the calibrated scores of the deployed ensemble on the calibration people"


@dataclass(frozen=True)
class ThresholdPool:
    """Photos the threshold is chosen on besides the calibration people's: the development
    people's, each scored by the one fold network that never trained on that person
    (``oof.csv``). A dozen calibration people give a threshold that moves with who they
    happen to be; with the development people it rests on every person the cross-validation
    saw, each scored as someone unseen. Both parts keep only ``groups`` (the plain and the
    WBS-warped photos, say, for a specificity on plain photos); of the development photos,
    those ``keep`` accepts (real photos, say, not synthetic ones). The Platt map stays the
    calibration people's."""

    groups: frozenset[str]
    keep: Callable[[dict[str, str]], bool] = lambda row: True


def choose_threshold(
    rule: str, labels: np.ndarray, probabilities: np.ndarray, where: str = CALIBRATION_PEOPLE
) -> tuple[float, str]:
    """The threshold and a sentence saying how it was chosen (on ``where``)."""
    try:
        kind, target = calibration.parse_threshold_rule(rule)
    except ValueError as error:
        raise DataError(str(error)) from None
    if target is None:
        return (
            calibration.youden_threshold(labels, probabilities),
            f"Youden's J (sensitivity + specificity - 1) maximised on {where}",
        )
    if kind == "sensitivity":
        return (
            calibration.threshold_for_sensitivity(labels, probabilities, target),
            f"highest threshold reaching {target:.0%} sensitivity on {where}",
        )
    return (
        calibration.threshold_for_specificity(labels, probabilities, target),
        f"lowest threshold keeping {target:.0%} specificity on {where}",
    )


def _threshold_photos(
    run: Path,
    arch: str,
    repeat: int,
    calibration_people: tuple[np.ndarray, np.ndarray, np.ndarray],
    platt: Calibration,
    pool: ThresholdPool | None,
) -> tuple[np.ndarray, np.ndarray, str]:
    """Labels and calibrated scores of the photos the threshold is chosen on, and what they
    are; ``calibration_people`` holds the calibration people's groups, labels and scores."""
    groups, labels, scores = calibration_people
    if pool is None:
        return labels, scores, CALIBRATION_PEOPLE
    out_of_fold = [row for row in read_rows(run / arch / "oof.csv") if int(row["repeat"]) == repeat]
    present = {row["group"] for row in out_of_fold} | set(groups)
    if not pool.groups <= present:
        raise DataError(
            f"The threshold pool names groups the run {run} does not have: "
            f"{', '.join(sorted(pool.groups - present))} (it has {', '.join(sorted(present))})."
        )
    kept = np.isin(groups, sorted(pool.groups))
    development = [row for row in out_of_fold if row["group"] in pool.groups and pool.keep(row)]
    logits = np.array([float(row["logit"]) for row in development])
    if not np.isfinite(logits).all():
        raise DataError(f"{run / arch / 'oof.csv'} holds a non-finite logit: run cv again.")
    people = len({row["identity"] for row in development})
    where = (
        f"{int(kept.sum())} photos of the calibration people and {len(development)} of "
        f"{people} development people, each scored by networks that never trained on that "
        f"person (groups {', '.join(sorted(pool.groups))})"
    )
    return (
        np.concatenate([labels[kept], [int(row["label"]) for row in development]]).astype(int),
        np.concatenate([scores[kept], np.asarray(platt.probability(logits), dtype=float)]),
        where,
    )


def _is_synthetic(data_source: str) -> bool:
    source = Path(data_source)
    folder = source if source.is_dir() else source.parent
    return (folder / SYNTHETIC_INFO).is_file()


def _with_interval(value: float, interval: tuple[float, float] | None) -> dict[str, Any]:
    return {"value": value, "ci95": list(interval) if interval else None}


def operating_point(
    rows: list[dict[str, str]], scores: np.ndarray, threshold: float
) -> dict[str, Any]:
    """Sensitivity, specificity and AUC of ``scores >= threshold`` on the test people."""
    y = np.array([int(r["label"]) for r in rows])
    identities = np.array([r["identity"] for r in rows])
    positives, negatives = y == 1, y == 0

    def sensitivity(sample: np.ndarray) -> float:
        hit = positives[sample]
        if not hit.any():
            raise ValueError("no positives")
        return float(np.mean(scores[sample][hit] >= threshold))

    def specificity(sample: np.ndarray) -> float:
        hit = negatives[sample]
        if not hit.any():
            raise ValueError("no negatives")
        return float(np.mean(scores[sample][hit] < threshold))

    def auc(sample: np.ndarray) -> float:
        return metrics.roc_auc(y[sample], scores[sample])

    def specificity_of(group: str) -> Callable[[np.ndarray], float]:
        def statistic(sample: np.ndarray) -> float:
            hit = groups[sample] == group
            if not hit.any():
                raise ValueError(f"no {group}")
            return float(np.mean(scores[sample][hit] < threshold))

        return statistic

    groups = np.array([r["group"] for r in rows])
    everyone = np.arange(len(y))

    def measured(statistic: Callable[[np.ndarray], float]) -> dict[str, Any]:
        return _with_interval(
            statistic(everyone),
            metrics.bootstrap_interval(identities, statistic, BOOTSTRAP_RESAMPLES),
        )

    ece, _ = calibration.expected_calibration_error(y, scores, 10)
    return {
        "sensitivity": measured(sensitivity),
        "specificity": measured(specificity),
        "auc": measured(auc),
        "specificity_by_group": {
            group: measured(specificity_of(group)) for group in sorted(set(groups[negatives]))
        },
        "threshold": threshold,
        "photos": int(len(y)),
        "identities": len(set(identities)),
        "positives": int(positives.sum()),
        "negatives": int(negatives.sum()),
        "ece": ece,
        "evaluated_on": "test people, held out of every network's training and of the "
        "calibration and threshold",
        "score": "deployed ensemble score (calibrated), as the app computes it",
        "ci": f"95 % percentile bootstrap over people ({BOOTSTRAP_RESAMPLES} resamples)",
    }


def _load_networks(run: Path, arch: str, repeat: int, folds: int, half: bool) -> list[nn.Module]:
    networks = []
    for fold in range(folds):
        saved = torch.load(
            run / arch / f"repeat{repeat}" / f"fold{fold}" / "model.pt",
            map_location="cpu",
            weights_only=True,
        )
        network = build_network(arch, 2)
        if half:  # score with exactly the weights the bundle will hold
            saved["model"] = {
                k: v.half().float() if v.is_floating_point() else v
                for k, v in saved["model"].items()
            }
        network.load_state_dict(saved["model"])
        networks.append(network.eval())
    return networks


def _cv_metrics(report: dict[str, Any]) -> dict[str, Any]:
    summary = {
        name: {"mean": entry["mean"], "std": entry["std"]}
        for name, entry in report["summary"].items()
    }
    return {
        "folds": report["folds"],
        "repeats": report["repeats"],
        "decision": report["decision"],
        "std": report["spread"],
        "summary": summary,
        "pooled_auc": report["pooled_auc"],
        "people_disjoint_folds": True,
        # per age band, sex and ancestry when the manifest gave them (training.subgroups)
        "subgroups": report.get("subgroups", {}),
    }


def _require_learnt(report: dict[str, Any], force: bool) -> bool:
    """True when the run clearly beat chance; else refuse, or with ``force`` go on."""
    interval = report["pooled_auc"].get("ci95")
    if interval and interval[0] > 0.5:
        return True
    if force:
        return False
    reach = (
        f"its 95 % interval {interval[0]:.3f}-{interval[1]:.3f} includes 0.5"
        if interval
        else "no interval could be computed"
    )
    raise DataError(
        f"The cross-validated AUC ({report['pooled_auc']['mean']:.3f}) is not clearly above "
        f"chance ({reach}): the networks did not learn to tell the groups apart. Train "
        "longer, on more people, or from a pretrained start; --force exports it anyway, "
        "marked as unvalidated."
    )


def export_run(
    run: Path,
    out: Path,
    arch: str | None = None,
    threshold_rule: str | None = None,
    name: str | None = None,
    default: bool = False,
    command: str = "",
    half: bool = False,
    repeat: int = 0,
    force: bool = False,
    threshold_pool: ThresholdPool | None = None,
) -> Path:
    """Bundle the fold models of ``arch`` from one ``repeat``; ``half`` stores the weights as
    float16 (half the file size; the operating point is measured with the rounded weights).
    The threshold is chosen on the calibration people's photos, or on ``threshold_pool``."""
    run = Path(run)
    try:
        manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"{run} is not a finished cross-validation run (no manifest).") from exc
    arch = arch or manifest["architectures"][0]
    if arch not in manifest["architectures"]:
        raise DataError(
            f"The run {run} has no {arch} models (it has {', '.join(manifest['architectures'])})."
        )
    if not 0 <= repeat < manifest["repeats"]:
        raise DataError(f"The run {run} has repeats 0 to {manifest['repeats'] - 1}.")
    config = config_from_dict(manifest["config"])
    report = json.loads((run / arch / "metrics.json").read_text(encoding="utf-8"))
    validated = _require_learnt(report, force)

    rows = read_rows(run / "heldout.csv")
    crops = torch.from_numpy(np.load(run / "heldout_crops.npy", allow_pickle=False))
    roles = np.array([r["role"] for r in rows])
    labels = np.array([int(r["label"]) for r in rows])
    if not (roles == CALIBRATION).any():
        raise DataError(
            f"The run {run} held out no calibration people (calibration_fraction "
            "= 0), so no threshold can be chosen for the deployed score; run cv "
            "again with calibration_fraction above 0."
        )
    networks = _load_networks(run, arch, repeat, manifest["folds"], half)
    logits = np.asarray(deployed_logit(predict(networks, crops, config, torch.device("cpu"))))
    calibrate = roles == CALIBRATION
    slope, intercept = calibration.fit_platt(logits[calibrate], labels[calibrate])
    platt = Calibration(slope, intercept)
    scores = np.asarray(platt.probability(logits))
    groups = np.array([r["group"] for r in rows])
    threshold, rule_text = choose_threshold(
        threshold_rule or config.threshold_rule,
        *_threshold_photos(
            run,
            arch,
            repeat,
            (groups[calibrate], labels[calibrate], scores[calibrate]),
            platt,
            threshold_pool,
        ),
    )
    threshold = float(np.clip(threshold, *THRESHOLDS))
    tested = roles == TEST
    point = (
        operating_point(
            [r for r, t in zip(rows, tested, strict=True) if t], scores[tested], threshold
        )
        if tested.any()
        else {}
    )
    write_csv(
        run / arch / f"deployed_scores_repeat{repeat}.csv",
        [
            {
                **{k: r[k] for k in SCORE_FIELDS[:6]},
                "deployed_logit": repr(float(z)),
                "score": repr(float(p)),
            }
            for r, z, p in zip(rows, logits, scores, strict=True)
        ],
        SCORE_FIELDS,
    )
    write_json(run / arch / f"operating_point_repeat{repeat}.json", point)

    synthetic = _is_synthetic(manifest["data"])
    people = manifest["roles"][CALIBRATION]
    card = default_card(
        arch,
        name or f"{arch} ensemble of {len(networks)} fold models",
        num_networks=len(networks),
        classes=["other", manifest["positive_group"]],
        positive_class=manifest["positive_group"],
        input_size=config.input_size,
        threshold=threshold,
        threshold_rule=rule_text,
        calibration={
            "method": "platt",
            "slope": slope,
            "intercept": intercept,
            "prevalence": float(labels[calibrate].mean()),
            "fitted_on": f"{people['photos']} photos of {people['identities']} "
            "calibration people, held out of every network's training",
        },
        flip_tta=config.flip_tta,
        weights_dtype="float16" if half else "float32",
        cam_layer=config.cam_layer,
        face_only=config.face_only,
        intended_use=INTENDED_USE,
        status="trained" if validated else "unvalidated",
        training_data=_training_data(manifest, synthetic),
        cv_metrics=_cv_metrics(report),
        operating_point=point,
        training={
            "command": manifest["command"],
            "export_command": command,
            "config": manifest["config"],
            "git": manifest.get("git"),
            "repeat": repeat,
        },
        data_hash=manifest["data_hash"],
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_bundle(out, networks, card)
    register_bundle(
        out, summary=_summary(arch, len(networks), point, synthetic, validated), default=default
    )
    return out


def _training_data(manifest: dict[str, Any], synthetic: bool) -> dict[str, Any]:
    description = (
        f"{SYNTHETIC_NOTE}: landmark-warped photos generated by training.synth"
        if synthetic
        else "photos supplied by the training site"
    )
    return {
        "synthetic": synthetic,
        "description": description,
        "subjects": {g: info["subjects"] for g, info in manifest["groups"].items()},
        "identities": {g: info["identities"] for g, info in manifest["groups"].items()},
        "negative_groups": manifest["negative_groups"],
        "roles": manifest["roles"],
    }


def _summary(
    arch: str, networks: int, point: dict[str, Any], synthetic: bool, validated: bool
) -> str:
    text = f"{arch} x{networks}"
    if point:
        text += (
            f", held-out sensitivity {point['sensitivity']['value']:.2f} / specificity "
            f"{point['specificity']['value']:.2f}"
        )
    if synthetic:
        text += f"; {SYNTHETIC_NOTE}"
    if not validated:
        text += "; unvalidated (exported with --force)"
    return text
