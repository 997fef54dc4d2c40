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

Its parts: ``cv_plan`` (who takes part, held out or in which fold), ``cv_fold`` (training
and predicting one fold), ``cv_report`` (metrics, figures, tables) and ``run_record``
(``run.json``, the manifest's versions, devices and git state).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from training.config import TrainConfig
from training.cv_fold import run_fold
from training.cv_plan import make_plan, make_task, pretext_overlap, sample_fields, split_rows
from training.cv_report import write_comparison, write_reports
from training.data import (
    DataError,
    group_summary,
    prepare,
    read_dataset,
    subjects_note,
    write_failures,
)
from training.ddp import distributed
from training.folds import DEVELOPMENT
from training.run_record import (
    check_resume,
    device_info,
    fingerprint,
    git_state,
    save_array,
    software_versions,
    write_json,
)
from wbs_desktop.core.files import file_sha256, write_csv
from wbs_desktop.core.model.architectures import ARCHITECTURES

HELDOUT_FIELDS = ("path", "relative_path", "subject", "identity", "group", "role", "label")


def run_cv(
    data_source: Path,
    archs: list[str],
    n_folds: int,
    out: Path,
    config: TrainConfig,
    *,
    weights_file: Path | None = None,
    cache_dir: Path | None = None,
    device: str | None = None,
    progress: bool = True,
    command: str = "",
    resume: bool = False,
) -> dict[str, Any]:
    """Run (or, with ``resume``, continue) a cross-validation; returns the manifest."""
    unknown = [a for a in archs if a not in ARCHITECTURES]
    if unknown:
        raise DataError(
            f"Unknown architecture(s) {', '.join(unknown)}; choose from {', '.join(ARCHITECTURES)}."
        )
    out = Path(out)
    if not resume and (out / "run.json").is_file():
        raise DataError(
            f"{out} already holds a run; choose another --out, or add --resume to continue it."
        )
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
        data = prepare(
            samples,
            config.input_size,
            Path(cache_dir or out / "cache"),
            progress=progress and ctx.is_main,
            only_face=config.face_only,
        )
        if ctx.is_main:
            write_failures(out / "excluded.json", data.failures)
        for sample, reason in data.failures:
            log(f"left out {sample.relative_path}: {reason}")
        task = make_task(data, config)
        plan = make_plan(task, n_folds, config)
        seen_in_pretext = pretext_overlap(task, plan, start)
        splits = split_rows(task, plan)
        fields = (*HELDOUT_FIELDS[:-2], "role", *(f"fold_repeat{r}" for r in range(config.repeats)))
        run_fingerprint = fingerprint(config, data.data_hash, splits, n_folds)
        if resume and (out / "run.json").is_file():
            check_resume(
                json.loads((out / "run.json").read_text(encoding="utf-8")), run_fingerprint
            )
        held_out = np.flatnonzero(plan.roles != DEVELOPMENT)
        if ctx.is_main:
            write_json(out / "run.json", run_fingerprint)
            write_csv(out / "folds.csv", splits, fields)
            write_csv(
                out / "heldout.csv",
                [
                    {
                        **sample_fields(task.data.samples[task.index[i]]),
                        "role": plan.roles[i],
                        "label": int(task.labels[i]),
                    }
                    for i in held_out
                ],
                HELDOUT_FIELDS,
            )
            save_array(out / "heldout_crops.npy", data.crops[task.index[held_out]])
        crops = torch.from_numpy(data.crops[task.index])
        reports, timings = {}, {}
        for arch in archs:
            arch_started = time.perf_counter()
            rows: list[dict[str, Any]] = []
            for repeat, folds in enumerate(plan.folds):
                for fold in range(n_folds):
                    rows += run_fold(
                        task,
                        crops,
                        folds,
                        fold,
                        repeat,
                        arch,
                        config,
                        ctx,
                        out / arch / f"repeat{repeat}" / f"fold{fold}",
                        weights_file,
                        log,
                    )
            fold_files = sorted((out / arch).glob("repeat*/fold*/fold.json"))
            timings[arch] = {
                "this_invocation_s": time.perf_counter() - arch_started,
                # Survives --resume: what training the folds took when they ran.
                "fold_training_s": [json.loads(f.read_text())["seconds"] for f in fold_files],
            }
            if ctx.is_main:
                reports[arch] = write_reports(
                    out / arch, arch, rows, task, n_folds, config.repeats, seen_in_pretext.get(arch)
                )
                auc = reports[arch]["pooled_auc"]
                log(f"{arch}: pooled out-of-fold AUC {auc['mean']:.3f}")
        manifest = {
            "command": command,
            "data": str(data_source),
            "data_hash": data.data_hash,
            "architectures": archs,
            "folds": n_folds,
            "repeats": config.repeats,
            "config": config.to_dict(),
            "groups": group_summary(data.samples),
            "roles": {
                role: {
                    "photos": int((plan.roles == role).sum()),
                    "identities": len(set(task.identities[plan.roles == role])),
                }
                for role in sorted(set(plan.roles))
            },
            "start_weights": start,
            "seen_in_pretraining": seen_in_pretext,
            "excluded": len(data.failures),
            "positive_group": task.positive_group,
            "negative_groups": task.negative_groups,
            "devices": device_info(ctx),
            "versions": software_versions(),
            "git": git_state(),
            "deterministic": {
                "enabled": config.deterministic,
                "cublas_workspace_config": os.environ.get("CUBLAS_WORKSPACE_CONFIG"),
            },
            "seeds": {
                "base": config.seed,
                "repeat_seed_rule": "seed + 1000 * repeat",
                "fold_seed_rule": "repeat_seed * 100 + fold",
                "split_seed": config.seed,
            },
            "timings_s": {**timings, "total": time.perf_counter() - started},
        }
        if ctx.is_main:
            write_json(out / "manifest.json", _with_earlier_architectures(manifest, out))
            if len(archs) > 1:
                write_comparison(out / "comparison.md", reports, n_folds, config.repeats)
    return manifest


# What a manifest records per architecture: a resumed run that adds an architecture keeps the
# earlier ones' records (the rest of the manifest is the same by run.json's resume check).
_PER_ARCHITECTURE = ("start_weights", "seen_in_pretraining", "timings_s")


def _with_earlier_architectures(manifest: dict[str, Any], out: Path) -> dict[str, Any]:
    path = out / "manifest.json"
    if not path.is_file():
        return manifest
    earlier = json.loads(path.read_text(encoding="utf-8"))
    merged = dict(manifest)
    merged["architectures"] = [
        *(a for a in earlier.get("architectures", []) if a not in manifest["architectures"]),
        *manifest["architectures"],
    ]
    for key in _PER_ARCHITECTURE:
        merged[key] = {**earlier.get(key, {}), **manifest[key]}
    return merged
