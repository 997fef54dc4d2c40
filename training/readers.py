"""Human readers against the networks, as the source study compared its experts.

The ratings CSV has one row per reader and photo: ``reader``, ``path`` (or ``subject``) and
``rating`` (0/1 calls, or an ordinal confidence such as 1-5). Photos are matched to the run's
out-of-fold predictions, so readers and networks are scored on exactly the same photos.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from training import metrics, plots
from training.cv import read_rows
from training.data import DataError


def _load_ratings(path: Path) -> dict[str, list[dict[str, str]]]:
    try:
        with Path(path).open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"The ratings file {path} cannot be read: {exc}") from exc
    columns = set(rows[0]) if rows else set()
    if not rows or not {"reader", "rating"} <= columns or not columns & {"path", "subject"}:
        raise DataError(f"The ratings file {path} needs the columns reader, rating and path "
                        "(or subject).")
    by_reader: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_reader[row["reader"]].append(row)
    return by_reader


def compare_readers(run: Path, ratings: Path, arch: str | None = None) -> Path:
    """Write ``readers.json``, ``readers.md`` and ``<arch>/roc_readers.png``; returns the
    Markdown file."""
    run = Path(run)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    arch = arch or manifest["architectures"][0]
    oof = read_rows(run / arch / "oof.csv")
    by_path = {r["path"]: r for r in oof}
    by_name = {Path(r["path"]).name: r for r in oof}
    by_subject = {r["subject"]: r for r in oof}

    results: dict[str, Any] = {}
    for reader, rows in sorted(_load_ratings(ratings).items()):
        labels, scores, unmatched = [], [], 0
        for row in rows:
            key = row.get("path") or ""
            match = by_path.get(key) or by_name.get(Path(key).name) or by_subject.get(
                row.get("subject") or "")
            if match is None:
                unmatched += 1
                continue
            labels.append(int(match["label"]))
            scores.append(float(row["rating"]))
        if len(set(labels)) < 2:
            raise DataError(f"Reader {reader!r} rated too few matching photos of both classes.")
        result = metrics.reader_metrics(np.array(labels), np.array(scores))
        results[reader] = {**result, "photos": len(labels), "unmatched": unmatched}

    network = metrics.roc_auc([int(r["label"]) for r in oof],
                              [float(r["probability"]) for r in oof])
    (run / "readers.json").write_text(json.dumps(
        {"architecture": arch, "network_pooled_auc": network, "readers": results}, indent=2)
        + "\n", encoding="utf-8")
    lines = ["| Reader | Photos | AUC | Sensitivity | Specificity |", "|---|---|---|---|---|",
             f"| {arch} (out-of-fold, pooled) | {len(oof)} | {network:.3f} | | |"]
    lines += [f"| {name} | {r['photos']} | {r['auc']:.3f} | {r['sensitivity']:.3f} | "
              f"{r['specificity']:.3f} |" for name, r in results.items()]
    markdown = run / "readers.md"
    markdown.write_text("# Human readers and the network on the same photos\n\n"
                        + "\n".join(lines) + "\n", encoding="utf-8")

    folds = []
    for fold in range(manifest["folds"]):
        part = [r for r in oof if int(r["fold"]) == fold]
        folds.append((np.array([int(r["label"]) for r in part]),
                      np.array([float(r["probability"]) for r in part])))
    plots.plot_roc(folds, run / arch / "roc_readers.png", f"{arch} and human readers",
                   readers=[{"name": n, "fpr": r["fpr"], "tpr": r["tpr"]}
                            for n, r in results.items()])
    return markdown
