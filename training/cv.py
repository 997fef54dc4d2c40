"""Five-fold cross-validation of one or more architectures, as the source study did it.

Layout of a run folder::

    RUN/manifest.json              config, data hash, versions, git commit, seeds, timings
    RUN/excluded.json              photos left out and why (no face, unreadable, ...)
    RUN/folds.csv                  every photo's fold
    RUN/<arch>/fold<k>/checkpoint.pt   last finished epoch (resume), deleted when done
    RUN/<arch>/fold<k>/model.pt        best weights of the fold (early stopping)
    RUN/<arch>/fold<k>/predictions.csv the fold's held-out predictions
    RUN/<arch>/fold<k>/fold.json   its training time, epochs run, best epoch, sizes
    RUN/<arch>/oof.csv             out-of-fold predictions (path, subject, group, fold, ...)
    RUN/<arch>/metrics.json, metrics.md, roc.png, reliability.png
    RUN/comparison.md              the study's table, side by side, when several ran
"""

from __future__ import annotations

import csv
import dataclasses
import json
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
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
    group_summary,
    prepare,
    read_dataset,
    write_failures,
)
from training.ddp import Context, barrier, distributed
from training.engine import FitState, fit, predict_logits, seed_everything
from training.folds import inner_split, stratified_group_folds
from wbs_desktop.core.architectures import ARCHITECTURES, build_network

OOF_FIELDS = ("path", "subject", "group", "fold", "label", "probability", "logit")


@dataclass
class Task:
    """The labelled subset of a prepared data set: positive group vs the negatives."""

    data: PreparedData
    index: np.ndarray  # rows of ``data`` taking part
    labels: np.ndarray  # 1 = positive group
    positive_group: str
    negative_groups: list[str]

    @property
    def groups(self) -> np.ndarray:
        return self.data.groups()[self.index]

    @property
    def subjects(self) -> np.ndarray:
        return self.data.subjects()[self.index]


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


def build_model(arch: str, pretrained: bool, weights_file: Path | None) -> nn.Module:
    network = build_network(arch, 2)
    if pretrained:
        from training.pretrained import load_imagenet_weights

        load_imagenet_weights(network, arch, weights_file)
    return network


def _atomic_torch_save(obj: Any, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    tmp.replace(path)


def _write_csv(path: Path, rows: list[dict[str, Any]], fields: tuple[str, ...]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def run_fold(task: Task, crops: torch.Tensor, folds: np.ndarray, fold: int, arch: str,
             config: TrainConfig, ctx: Context, folder: Path, weights_file: Path | None,
             log: Any) -> list[dict[str, Any]]:
    """Train on every other fold (with an inner validation split), predict this one."""
    predictions_file = folder / "predictions.csv"
    if predictions_file.is_file():
        return [dict(row) for row in read_rows(predictions_file)]
    folder.mkdir(parents=True, exist_ok=True)
    seed = config.seed * 100 + fold
    seed_everything(seed, config.deterministic)
    train_rows = np.flatnonzero(folds != fold)
    test_rows = np.flatnonzero(folds == fold)
    inner_train, inner_val = inner_split(task.groups[train_rows], task.subjects[train_rows],
                                         config.inner_validation_fraction, seed)
    labels = torch.from_numpy(task.labels)

    def subset(rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        return crops[rows], labels[rows]

    model = build_model(arch, config.pretrained, weights_file)
    checkpoint_file = folder / "checkpoint.pt"
    state, optimizer_state = None, None
    if checkpoint_file.is_file():
        saved = torch.load(checkpoint_file, map_location="cpu", weights_only=True)
        model.load_state_dict(saved["model"])
        state, optimizer_state = FitState(**saved["fit_state"]), saved["optimizer"]
        log(f"{arch} fold {fold + 1}: resuming after epoch {state.epoch}")

    def save_checkpoint(current: FitState, network: nn.Module, optimizer: Any) -> None:
        if ctx.is_main:
            _atomic_torch_save({"model": network.state_dict(), "optimizer": optimizer.state_dict(),
                                "fit_state": dataclasses.asdict(current), "arch": arch,
                                "fold": fold,
                                "config": config.to_dict()}, checkpoint_file)

    started = time.perf_counter()
    state = fit(model, subset(train_rows[inner_train]), subset(train_rows[inner_val]), config,
                ctx.device, seed, state, optimizer_state, on_epoch=save_checkpoint,
                progress=(lambda m: log(f"{arch} fold {fold + 1}: {m}")) if ctx.is_main else None)
    model.load_state_dict(state.best_state or model.state_dict())
    logits = predict_logits(model, crops[test_rows], ctx.device,
                            flip_tta=config.flip_tta).numpy().astype(np.float64)
    logit = logits[:, 1] - logits[:, 0]
    probability = 1 / (1 + np.exp(-logit))
    samples = [task.data.samples[i] for i in task.index[test_rows]]
    rows = [
        {"path": str(s.path), "subject": s.subject, "group": s.group, "fold": fold,
         "label": int(task.labels[r]), "probability": f"{p:.6f}", "logit": f"{z:.6f}"}
        for s, r, p, z in zip(samples, test_rows, probability, logit, strict=True)
    ]
    if ctx.is_main:
        _atomic_torch_save({"model": model.state_dict(), "arch": arch, "fold": fold,
                            "best_epoch": state.best_epoch, "history": state.history,
                            "seconds": time.perf_counter() - started,
                            "config": config.to_dict()}, folder / "model.pt")
        (folder / "fold.json").write_text(json.dumps({
            "seconds": time.perf_counter() - started, "epochs_run": state.epoch,
            "best_epoch": state.best_epoch, "stopped_early": state.stopped_early,
            "train_photos": int(len(inner_train)), "validation_photos": int(len(inner_val)),
            "test_photos": int(len(test_rows))}, indent=2) + "\n", encoding="utf-8")
        _write_csv(predictions_file, rows, OOF_FIELDS)
        checkpoint_file.unlink(missing_ok=True)
    barrier()
    return rows


def summarise(rows: list[dict[str, Any]], task: Task, n_folds: int) -> dict[str, Any]:
    """Per-fold metrics at the networks' own decision (probability >= 0.5), mean +/- SD."""
    per_fold = []
    for fold in range(n_folds):
        part = [r for r in rows if int(r["fold"]) == fold]
        y = np.array([int(r["label"]) for r in part])
        p = np.array([float(r["probability"]) for r in part])
        result = metrics.binary_metrics(y, p, 0.5)
        negatives = [r["group"] for r in part]
        for group, value in metrics.specificity_by_group(negatives, p, 0.5,
                                                         task.negative_groups).items():
            result[f"specificity_{group}"] = value
        per_fold.append(result)
    return metrics.fold_summary(per_fold)


def write_reports(folder: Path, arch: str, rows: list[dict[str, Any]], task: Task,
                  n_folds: int) -> dict[str, Any]:
    _write_csv(folder / "oof.csv", rows, OOF_FIELDS)
    summary = summarise(rows, task, n_folds)
    y = np.array([int(r["label"]) for r in rows])
    p = np.array([float(r["probability"]) for r in rows])
    ece, bins = metrics.expected_calibration_error(y, p, 10)
    report = {"architecture": arch, "folds": n_folds, "threshold": 0.5,
              "positive_group": task.positive_group, "negative_groups": task.negative_groups,
              "summary": summary, "pooled_auc": metrics.roc_auc(y, p),
              "calibration": {"ece": ece, "bins": bins, "n": int(len(y))}}
    (folder / "metrics.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    table = metrics.markdown_table(summary)
    (folder / "metrics.md").write_text(
        f"# {arch}: {n_folds}-fold cross-validation\n\n{task.positive_group} against "
        f"{', '.join(task.negative_groups)}; decision at probability 0.5; mean ± SD "
        f"(sample SD) over folds.\n\n{table}", encoding="utf-8")
    fold_pairs = []
    for fold in range(n_folds):
        part = [r for r in rows if int(r["fold"]) == fold]
        fold_pairs.append((np.array([int(r["label"]) for r in part]),
                           np.array([float(r["probability"]) for r in part])))
    plots.plot_roc(fold_pairs, folder / "roc.png", f"{arch}: ROC over {n_folds} folds")
    plots.plot_reliability(y, p, folder / "reliability.png", 10)
    return report


def _git_commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def _versions() -> dict[str, str]:
    import mediapipe
    import torchvision

    from wbs_desktop import __version__

    return {"python": platform.python_version(), "torch": torch.__version__,
            "torchvision": torchvision.__version__, "mediapipe": mediapipe.__version__,
            "numpy": np.__version__, "wbs_desktop": __version__}


def run_cv(data_source: Path, archs: list[str], n_folds: int, out: Path, config: TrainConfig,
           *, weights_file: Path | None = None, cache_dir: Path | None = None,
           device: str | None = None, progress: bool = True, command: str = "") -> dict[str, Any]:
    """Run (or resume) a cross-validation; returns the manifest written to ``out``."""
    unknown = [a for a in archs if a not in ARCHITECTURES]
    if unknown:
        raise DataError(f"Unknown architecture(s) {', '.join(unknown)}; choose from "
                        f"{', '.join(ARCHITECTURES)}.")
    if config.pretrained:  # fail before the slow face alignment, not after it
        from training.pretrained import require_imagenet_weights

        for arch in archs:
            require_imagenet_weights(arch, weights_file)
    if config.threads:
        torch.set_num_threads(config.threads)
    out = Path(out)
    started = time.perf_counter()
    with distributed(device) as ctx:
        def log(message: str) -> None:
            if ctx.is_main and progress:
                print(message, file=sys.stderr, flush=True)

        out.mkdir(parents=True, exist_ok=True)
        samples = read_dataset(Path(data_source))
        data = prepare(samples, config.input_size, Path(cache_dir or out / "cache"),
                       progress=progress and ctx.is_main)
        if ctx.is_main:
            write_failures(out / "excluded.json", data.failures)
        for sample, reason in data.failures:
            log(f"left out {sample.path.name}: {reason}")
        task = make_task(data, config)
        folds = stratified_group_folds(task.groups, task.subjects, n_folds, config.seed)
        if ctx.is_main:
            _write_csv(out / "folds.csv", [
                {"path": str(task.data.samples[i].path), "subject": s, "group": g, "fold": f}
                for i, s, g, f in zip(task.index, task.subjects, task.groups, folds,
                                      strict=True)], ("path", "subject", "group", "fold"))
        crops = torch.from_numpy(data.crops[task.index])
        reports, timings = {}, {}
        for arch in archs:
            arch_started = time.perf_counter()
            rows: list[dict[str, Any]] = []
            for fold in range(n_folds):
                rows += run_fold(task, crops, folds, fold, arch, config, ctx,
                                 out / arch / f"fold{fold}", weights_file, log)
            fold_files = [out / arch / f"fold{k}" / "fold.json" for k in range(n_folds)]
            timings[arch] = {
                "this_invocation_s": time.perf_counter() - arch_started,
                # Survives --resume: what training the folds took when they ran.
                "fold_training_s": [json.loads(f.read_text())["seconds"] if f.is_file()
                                    else None for f in fold_files],
            }
            if ctx.is_main:
                reports[arch] = write_reports(out / arch, arch, rows, task, n_folds)
                log(f"{arch}: AUC {reports[arch]['summary']['auc']['mean']:.3f}")
        manifest = {
            "command": command, "data": str(data_source), "data_hash": data.data_hash,
            "architectures": archs, "folds": n_folds, "config": config.to_dict(),
            "groups": group_summary(data.samples),
            "excluded": len(data.failures), "positive_group": task.positive_group,
            "negative_groups": task.negative_groups, "world_size": ctx.world_size,
            "device": str(ctx.device), "versions": _versions(), "git_commit": _git_commit(),
            "seeds": {"base": config.seed, "fold_seed_rule": "seed * 100 + fold"},
            "timings_s": {**timings, "total": time.perf_counter() - started},
        }
        if ctx.is_main:
            (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n",
                                               encoding="utf-8")
            if len(archs) > 1:
                (out / "comparison.md").write_text(
                    "# Cross-validation, side by side with the source study\n\n"
                    + metrics.comparison_table(
                        {a: r["summary"] for a, r in reports.items()},
                        {"vgg19": metrics.STUDY_VGG19},
                        expert_auc=metrics.STUDY_BEST_EXPERT_AUC), encoding="utf-8")
    return manifest
