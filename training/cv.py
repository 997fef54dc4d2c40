"""Cross-validation of one or more architectures, as the source study did it, with the people
it reports on kept apart from the people it trained and tuned on.

The usable photos are split by person (identity) into three roles: *development* (the
k-fold cross-validation), *calibration* and *test* (out of every fold model's training;
``export`` fits the deployed ensemble's calibration and threshold on the first and measures
that operating point on the second). ``--repeats R`` repeats the cross-validation with new
folds and seeds; the held-out people stay the same.

Layout of a run folder::

    RUN/run.json                   what a --resume must match: config, data hash, splits
    RUN/manifest.json              config, data hash, versions, git state, devices, timings
    RUN/excluded.json              photos left out and why (no face, unreadable, ...)
    RUN/folds.csv                  every photo's person, role and fold in each repeat
    RUN/heldout.csv, heldout_crops.npy   the calibration and test photos (for export)
    RUN/<arch>/repeat<r>/fold<k>/checkpoint.pt   last finished epoch (resume), then deleted
    RUN/<arch>/repeat<r>/fold<k>/model.pt        best weights of the fold (early stopping)
    RUN/<arch>/repeat<r>/fold<k>/predictions.csv the fold's held-out predictions
    RUN/<arch>/repeat<r>/fold<k>/fold.json       its training time, epochs, sizes
    RUN/<arch>/oof.csv             out-of-fold predictions of every repeat
    RUN/<arch>/metrics.json, metrics.md, roc.png, reliability.png
    RUN/comparison.md              the study's table, side by side, when several ran
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from training import metrics, plots
from training.config import TrainConfig
from training.data import (
    DataError,
    PreparedData,
    Sample,
    group_summary,
    prepare,
    read_dataset,
    subjects_note,
    write_failures,
)
from training.ddp import Context, barrier, distributed
from training.engine import FitState, fit, seed_everything
from training.folds import (
    DEVELOPMENT,
    given_roles,
    holdout_roles,
    identity_folds,
    inner_split,
)
from wbs_desktop.core.files import atomic_write, file_sha256, write_csv
from wbs_desktop.core.files import read_csv as read_rows
from wbs_desktop.core.model.architectures import ARCHITECTURES, build_network, head_name
from wbs_desktop.core.model.bundle import IMAGENET_MEAN, IMAGENET_STD
from wbs_desktop.core.model.scoring import network_logits

OOF_FIELDS = ("path", "relative_path", "subject", "identity", "group", "repeat", "fold",
              "label", "logit", "probability")
HELDOUT_FIELDS = ("path", "relative_path", "subject", "identity", "group", "role", "label")
BOOTSTRAP_RESAMPLES = 2000
Log = Callable[[str], None]


@dataclass
class Task:
    """The labelled subset of a prepared data set: positive group vs the negatives."""

    data: PreparedData
    index: np.ndarray  # rows of ``data`` taking part
    labels: np.ndarray  # 1 = positive group
    positive_group: str
    negative_groups: list[str]

    @property
    def samples(self) -> list[Sample]:
        return [self.data.samples[i] for i in self.index]

    @property
    def groups(self) -> np.ndarray:
        return self.data.groups()[self.index]

    @property
    def identities(self) -> np.ndarray:
        return self.data.identities()[self.index]


@dataclass(frozen=True)
class Plan:
    """Who is held out, and each repeat's folds of the development photos (-1: held out)."""

    roles: np.ndarray
    folds: list[np.ndarray]

    def rows(self) -> list[dict[str, str]]:
        return [{"role": str(role), **{f"fold_repeat{r}": str(f[i]) if f[i] >= 0 else ""
                                       for r, f in enumerate(self.folds)}}
                for i, role in enumerate(self.roles)]


def make_task(data: PreparedData, config: TrainConfig) -> Task:
    groups = data.groups()
    present = sorted(set(groups))
    if config.positive_group not in present:
        raise DataError(f"The positive group {config.positive_group!r} has no usable photos "
                        f"(groups found: {', '.join(present) or 'none'}).")
    negatives = config.negative_groups or [g for g in present if g != config.positive_group]
    missing = [g for g in negatives if g not in present]
    if missing or not negatives:
        raise DataError(f"The negative group(s) {', '.join(missing) or '(none)'} have no usable "
                        "photos.")
    index = np.flatnonzero(np.isin(groups, [config.positive_group, *negatives]))
    labels = (groups[index] == config.positive_group).astype(np.int64)
    return Task(data, index, labels, config.positive_group, list(negatives))


def repeat_seed(config: TrainConfig, repeat: int) -> int:
    return config.seed + 1000 * repeat


def make_plan(task: Task, n_folds: int, config: TrainConfig) -> Plan:
    """Held-out people as the manifest fixed them, else drawn by the config's fractions;
    then each repeat's folds of the rest."""
    groups, identities = task.groups, task.identities
    fixed = np.array([s.role for s in task.samples])
    if (fixed != "").any():
        roles = given_roles(fixed, identities)
    else:
        roles = holdout_roles(groups, identities, config.calibration_fraction,
                              config.test_fraction, n_folds, config.seed)
    for role in sorted(set(roles)):
        if len(set(task.labels[roles == role])) < 2:
            raise DataError(f"The {role} people hold only one class: with this few people, "
                            "lower calibration_fraction and test_fraction.")
    development = np.flatnonzero(roles == DEVELOPMENT)
    folds = []
    for repeat in range(config.repeats):
        fold_of = np.full(len(roles), -1)
        fold_of[development] = identity_folds(groups[development], identities[development],
                                              n_folds, repeat_seed(config, repeat))
        folds.append(fold_of)
    return Plan(roles, folds)


def build_model(arch: str, pretrained: bool, weights_file: Path | None) -> nn.Module:
    network = build_network(arch, 2)
    if pretrained:
        from training.pretrained import load_start_weights

        load_start_weights(network, arch, weights_file)
    return network


def _save_torch(obj: Any, path: Path) -> None:
    atomic_write(path, lambda tmp: torch.save(obj, tmp))


def write_json(path: Path, value: Any) -> None:
    text = json.dumps(value, indent=2, allow_nan=False) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def save_array(path: Path, array: np.ndarray) -> None:
    def write(tmp: Path) -> None:
        with tmp.open("wb") as f:
            np.save(f, array, allow_pickle=False)

    atomic_write(path, write)


def _sample_fields(sample: Sample) -> dict[str, str]:
    return {"path": str(sample.path), "relative_path": sample.relative_path,
            "subject": sample.subject, "identity": sample.identity, "group": sample.group}


def predict(models: list[nn.Module], crops: torch.Tensor, config: TrainConfig,
            device: torch.device) -> np.ndarray:
    """(N, models) positive-class logits, scored as the app scores (``scoring``)."""
    return network_logits(models, crops, mean=IMAGENET_MEAN, std=IMAGENET_STD, positive=1,
                          flip=config.flip_tta, device=device)


def run_fold(task: Task, crops: torch.Tensor, folds: np.ndarray, fold: int, repeat: int,
             arch: str, config: TrainConfig, ctx: Context, folder: Path,
             weights_file: Path | None, log: Log) -> list[dict[str, Any]]:
    """Train on the other development folds (with an inner validation split of people),
    predict this one."""
    predictions_file = folder / "predictions.csv"
    if predictions_file.is_file():
        return [dict(row) for row in read_rows(predictions_file)]
    folder.mkdir(parents=True, exist_ok=True)
    seed = repeat_seed(config, repeat) * 100 + fold
    seed_everything(seed, config.deterministic)
    train_rows = np.flatnonzero((folds >= 0) & (folds != fold))
    test_rows = np.flatnonzero(folds == fold)
    inner_train, inner_val = inner_split(task.groups[train_rows], task.identities[train_rows],
                                         config.inner_validation_fraction, seed)
    labels = torch.from_numpy(task.labels)

    def subset(rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        return crops[rows], labels[rows]

    model = build_model(arch, config.pretrained, weights_file)
    checkpoint_file = folder / "checkpoint.pt"
    state, optimizer_state = None, None
    name = f"{arch} repeat {repeat + 1} fold {fold + 1}"
    if checkpoint_file.is_file():
        saved = torch.load(checkpoint_file, map_location="cpu", weights_only=True)
        model.load_state_dict(saved["model"])
        state, optimizer_state = FitState(**saved["fit_state"]), saved["optimizer"]
        log(f"{name}: resuming after epoch {state.epoch}")

    def save_checkpoint(current: FitState, network: nn.Module, optimizer: Any) -> None:
        if ctx.is_main:
            _save_torch({"model": network.state_dict(), "optimizer": optimizer.state_dict(),
                         "fit_state": dataclasses.asdict(current), "arch": arch, "fold": fold,
                         "repeat": repeat, "config": config.to_dict()}, checkpoint_file)

    started = time.perf_counter()
    state = fit(model, subset(train_rows[inner_train]), subset(train_rows[inner_val]), config,
                ctx.device, seed, state, optimizer_state, on_epoch=save_checkpoint,
                progress=(lambda m: log(f"{name}: {m}")) if ctx.is_main else None,
                head=head_name(arch))
    if config.keep_weights == "best" and state.best_state is not None:
        model.load_state_dict(state.best_state)
    logit = predict([model.eval()], crops[test_rows], config, ctx.device)[:, 0]
    probability = np.exp(-np.logaddexp(0.0, -logit))
    rows = [
        {**_sample_fields(task.data.samples[task.index[r]]), "repeat": repeat, "fold": fold,
         "label": int(task.labels[r]), "logit": repr(float(z)), "probability": repr(float(p))}
        for r, z, p in zip(test_rows, logit, probability, strict=True)
    ]
    if ctx.is_main:
        _save_torch({"model": model.state_dict(), "arch": arch, "fold": fold,
                     "repeat": repeat, "best_epoch": state.best_epoch,
                     "history": state.history, "seconds": time.perf_counter() - started,
                     "config": config.to_dict()}, folder / "model.pt")
        write_json(folder / "fold.json", {
            "seconds": time.perf_counter() - started, "epochs_run": state.epoch,
            "best_epoch": state.best_epoch, "kept_weights": config.keep_weights,
            "stopped_early": state.stopped_early,
            "train_photos": int(len(inner_train)), "validation_photos": int(len(inner_val)),
            "test_photos": int(len(test_rows))})
        write_csv(predictions_file, rows, OOF_FIELDS)
        checkpoint_file.unlink(missing_ok=True)
    barrier()
    return rows


def _labels_and_logits(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    return (np.array([int(r["label"]) for r in rows]),
            np.array([float(r["logit"]) for r in rows]))


def summarise(rows: list[dict[str, Any]], task: Task, n_folds: int,
              repeats: int) -> dict[str, Any]:
    """Per-fold metrics at each fold model's own decision (logit >= 0, i.e. probability
    >= 0.5), mean and sample SD over all repeats x folds."""
    per_fold = []
    for repeat in range(repeats):
        for fold in range(n_folds):
            part = [r for r in rows if int(r["repeat"]) == repeat and int(r["fold"]) == fold]
            y, z = _labels_and_logits(part)
            result = metrics.binary_metrics(y, z, 0.0)
            for group, value in metrics.specificity_by_group(
                    [r["group"] for r in part], z, 0.0, task.negative_groups).items():
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
    return {"mean": float(np.mean(per_repeat)), "per_repeat": per_repeat,
            "ci95": list(interval) if interval else None,
            "ci": f"95 % percentile bootstrap over people ({BOOTSTRAP_RESAMPLES} resamples)"}


def write_reports(folder: Path, arch: str, rows: list[dict[str, Any]], task: Task,
                  n_folds: int, repeats: int, seen: dict[str, int] | None = None
                  ) -> dict[str, Any]:
    write_csv(folder / "oof.csv", rows, OOF_FIELDS)
    summary = summarise(rows, task, n_folds, repeats)
    y, z = _labels_and_logits(rows)
    p = np.exp(-np.logaddexp(0.0, -z))
    ece, bins = metrics.expected_calibration_error(y, p, 10)
    spread = (f"mean ± sample SD (ddof=1) over {n_folds} folds" if repeats == 1 else
              f"mean ± sample SD (ddof=1) over {repeats} repeats x {n_folds} folds")
    report = {"architecture": arch, "folds": n_folds, "repeats": repeats,
              "decision": "each fold model's own probability >= 0.5 (uncalibrated)",
              "spread": spread, "positive_group": task.positive_group,
              "negative_groups": task.negative_groups, "summary": summary,
              "pooled_auc": pooled_auc(rows, repeats),
              "calibration": {"ece": ece, "bins": bins, "n": int(len(y)),
                              "of": "uncalibrated out-of-fold probabilities"},
              "seen_in_pretraining": seen or {}}
    write_json(folder / "metrics.json", report)
    auc = report["pooled_auc"]
    interval = (f" (95 % CI {100 * auc['ci95'][0]:.1f}-{100 * auc['ci95'][1]:.1f}, bootstrap over "
                "people)" if auc["ci95"] else "")
    atomic_write(folder / "metrics.md", lambda tmp: tmp.write_text(
        f"# {arch}: {n_folds}-fold cross-validation" + (f", {repeats} repeats" if repeats > 1
                                                         else "")
        + f"\n\n{task.positive_group} against {', '.join(task.negative_groups)}; each fold "
        f"model decides at its own probability 0.5 (uncalibrated); ± is the {spread}; no "
        f"person is in two folds.\n\n{metrics.markdown_table(summary)}\nPooled out-of-fold "
        f"AUC {100 * auc['mean']:.1f}{interval}.\n" + (
            f"\nThe face-pretrained start had seen {seen['development_people']} of these "
            f"people ({seen['development_photos']} photos) in its pretext task, so these "
            "figures are not on faces the backbone never met; the held-out people are.\n"
            if seen and seen["development_photos"] else ""), encoding="utf-8"))
    fold_pairs = []
    for fold in range(n_folds):
        part = [r for r in rows if int(r["repeat"]) == 0 and int(r["fold"]) == fold]
        fold_pairs.append(_labels_and_logits(part))
    plots.plot_roc(fold_pairs, folder / "roc.png", f"{arch}: ROC over {n_folds} folds")
    plots.plot_reliability(y, p, folder / "reliability.png", 10)
    return report


def _git_state() -> dict[str, Any]:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], capture_output=True, text=True,
                                  cwd=Path(__file__).parent, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def _versions() -> dict[str, str | None]:
    def installed(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    import cv2
    import torchvision
    from PIL import Image

    from wbs_desktop import __version__

    return {"python": platform.python_version(), "torch": torch.__version__,
            "torchvision": torchvision.__version__, "mediapipe": installed("mediapipe"),
            "numpy": np.__version__, "opencv": cv2.__version__, "pillow": Image.__version__,
            "wbs_desktop": __version__}


def _devices(ctx: Context) -> dict[str, Any]:
    cuda = torch.cuda.is_available()
    return {"device": str(ctx.device), "world_size": ctx.world_size,
            "cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version() if cuda else None,
            "gpus": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())],
            "cpu_threads": torch.get_num_threads(), "platform": platform.platform()}


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): value}


def _check_resume(saved: dict[str, Any], current: dict[str, Any]) -> None:
    """Refuse to resume a run whose configuration, data or splits have changed."""
    changes = []
    before, after = _flatten(saved["config"]), _flatten(current["config"])
    changes += [f"config {key}: {before.get(key)!r} -> {after.get(key)!r}"
                for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)]
    if saved["data_hash"] != current["data_hash"]:
        changes.append("the photos or their labels")
    if saved["splits_hash"] != current["splits_hash"]:
        changes.append("the held-out people or the folds")
    if changes:
        raise DataError("This run cannot be resumed because " + "; ".join(changes[:5])
                        + (" (and more)" if len(changes) > 5 else "")
                        + " changed since it started; start a new run with another --out.")


def _pretext_overlap(task: Task, plan: Plan, start: dict[str, Any]) -> dict[str, Any]:
    """Whom a face-pretrained backbone has already seen. A held-out person it saw (by name,
    or a photo of theirs or a copy) is refused: testing on them would flatter. Development
    people it saw are counted, and the report says so, since their out-of-fold figures are
    then not on faces the backbone never met."""
    from training.pretrain import read_pretrained_card, seen_in_pretraining

    overlap: dict[str, Any] = {}
    for arch, entry in start.items():
        if not isinstance(entry, dict) or not entry["file"].endswith(".safetensors"):
            continue
        card = read_pretrained_card(Path(entry["file"]))
        names = set(card["identity_names"])
        photos = {s.relative_path: (sha, phash) for s, sha, phash in zip(
            task.samples, (task.data.sha256[i] for i in task.index),
            (task.data.phash[i] for i in task.index), strict=True)}
        seen_photos = set(seen_in_pretraining(card, photos))
        seen = {s.relative_path for s in task.samples
                if s.identity in names or s.relative_path in seen_photos}
        held_out = [s.relative_path for s, role in zip(task.samples, plan.roles, strict=True)
                    if role != DEVELOPMENT and s.relative_path in seen]
        if held_out:
            raise DataError(
                f"{len(held_out)} held-out photo(s) ({held_out[0]}, ...) show people the start "
                f"weights {Path(entry['file']).name} were pretrained on, so they are not "
                "unseen; pretrain without them.")
        people = {s.identity for s in task.samples if s.relative_path in seen}
        overlap[arch] = {"development_photos": len(seen), "development_people": len(people)}
    return overlap


def _split_rows(task: Task, plan: Plan) -> list[dict[str, str]]:
    return [{**_sample_fields(sample), **extra}
            for sample, extra in zip(task.samples, plan.rows(), strict=True)]


def run_cv(data_source: Path, archs: list[str], n_folds: int, out: Path, config: TrainConfig,
           *, weights_file: Path | None = None, cache_dir: Path | None = None,
           device: str | None = None, progress: bool = True, command: str = "",
           resume: bool = False) -> dict[str, Any]:
    """Run (or, with ``resume``, continue) a cross-validation; returns the manifest."""
    unknown = [a for a in archs if a not in ARCHITECTURES]
    if unknown:
        raise DataError(f"Unknown architecture(s) {', '.join(unknown)}; choose from "
                        f"{', '.join(ARCHITECTURES)}.")
    out = Path(out)
    if not resume and (out / "run.json").is_file():
        raise DataError(f"{out} already holds a run; choose another --out, or add --resume to "
                        "continue it.")
    weights_file = weights_file or (Path(config.weights) if config.weights else None)
    start: dict[str, Any] = {"pretrained": config.pretrained}
    if config.pretrained:  # fail before the slow face alignment, not after it
        from training.pretrained import require_start_weights

        for arch in archs:
            path = require_start_weights(arch, weights_file)
            start[arch] = {"file": str(path), "sha256": file_sha256(path)}
    if config.threads:
        torch.set_num_threads(config.threads)
    if config.deterministic:
        # cuBLAS is only deterministic with a fixed workspace, set before CUDA starts.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    started = time.perf_counter()
    with distributed(device) as ctx:
        def log(message: str) -> None:
            if ctx.is_main and progress:
                print(message, file=sys.stderr, flush=True)

        out.mkdir(parents=True, exist_ok=True)
        samples = read_dataset(Path(data_source))
        note = subjects_note(samples)
        if note:
            log(f"note: {note}")
        data = prepare(samples, config.input_size, Path(cache_dir or out / "cache"),
                       progress=progress and ctx.is_main, only_face=config.face_only)
        if ctx.is_main:
            write_failures(out / "excluded.json", data.failures)
        for sample, reason in data.failures:
            log(f"left out {sample.relative_path}: {reason}")
        task = make_task(data, config)
        plan = make_plan(task, n_folds, config)
        seen_in_pretext = _pretext_overlap(task, plan, start)
        split_rows = _split_rows(task, plan)
        fields = (*HELDOUT_FIELDS[:-2], "role",
                  *(f"fold_repeat{r}" for r in range(config.repeats)))
        splits_hash = hashlib.sha256(json.dumps(split_rows, sort_keys=True).encode()).hexdigest()
        fingerprint = {"config": config.to_dict(), "data_hash": data.data_hash,
                       "splits_hash": splits_hash, "folds": n_folds}
        if resume and (out / "run.json").is_file():
            _check_resume(json.loads((out / "run.json").read_text(encoding="utf-8")),
                          fingerprint)
        held_out = np.flatnonzero(plan.roles != DEVELOPMENT)
        if ctx.is_main:
            write_json(out / "run.json", fingerprint)
            write_csv(out / "folds.csv", split_rows, fields)
            write_csv(out / "heldout.csv", [
                {**_sample_fields(task.data.samples[task.index[i]]), "role": plan.roles[i],
                 "label": int(task.labels[i])} for i in held_out], HELDOUT_FIELDS)
            save_array(out / "heldout_crops.npy", data.crops[task.index[held_out]])
        crops = torch.from_numpy(data.crops[task.index])
        reports, timings = {}, {}
        for arch in archs:
            arch_started = time.perf_counter()
            rows: list[dict[str, Any]] = []
            for repeat, folds in enumerate(plan.folds):
                for fold in range(n_folds):
                    rows += run_fold(task, crops, folds, fold, repeat, arch, config, ctx,
                                     out / arch / f"repeat{repeat}" / f"fold{fold}",
                                     weights_file, log)
            fold_files = sorted((out / arch).glob("repeat*/fold*/fold.json"))
            timings[arch] = {
                "this_invocation_s": time.perf_counter() - arch_started,
                # Survives --resume: what training the folds took when they ran.
                "fold_training_s": [json.loads(f.read_text())["seconds"] for f in fold_files],
            }
            if ctx.is_main:
                reports[arch] = write_reports(out / arch, arch, rows, task, n_folds,
                                              config.repeats, seen_in_pretext.get(arch))
                auc = reports[arch]["pooled_auc"]
                log(f"{arch}: pooled out-of-fold AUC {auc['mean']:.3f}")
        manifest = {
            "command": command, "data": str(data_source), "data_hash": data.data_hash,
            "architectures": archs, "folds": n_folds, "repeats": config.repeats,
            "config": config.to_dict(), "groups": group_summary(data.samples),
            "roles": {role: {"photos": int((plan.roles == role).sum()),
                             "identities": len(set(task.identities[plan.roles == role]))}
                      for role in sorted(set(plan.roles))},
            "start_weights": start, "seen_in_pretraining": seen_in_pretext,
            "excluded": len(data.failures), "positive_group": task.positive_group,
            "negative_groups": task.negative_groups, "devices": _devices(ctx),
            "versions": _versions(), "git": _git_state(),
            "deterministic": {"enabled": config.deterministic,
                              "cublas_workspace_config": os.environ.get(
                                  "CUBLAS_WORKSPACE_CONFIG")},
            "seeds": {"base": config.seed, "repeat_seed_rule": "seed + 1000 * repeat",
                      "fold_seed_rule": "repeat_seed * 100 + fold",
                      "split_seed": config.seed},
            "timings_s": {**timings, "total": time.perf_counter() - started},
        }
        if ctx.is_main:
            write_json(out / "manifest.json", manifest)
            if len(archs) > 1:
                atomic_write(out / "comparison.md", lambda tmp: tmp.write_text(
                    "# Cross-validation, side by side with the source study\n\nOurs: each "
                    "fold model at its own probability 0.5, mean ± sample SD over "
                    f"{config.repeats * n_folds} folds of people-disjoint cross-validation. "
                    "Published: mean ± SD over the study's five folds, as it reports them.\n\n"
                    + metrics.comparison_table(
                        {a: r["summary"] for a, r in reports.items()},
                        {"vgg19": metrics.STUDY_VGG19},
                        expert_auc=metrics.STUDY_BEST_EXPERT_AUC), encoding="utf-8"))
    return manifest
