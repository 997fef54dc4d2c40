"""Human readers against the networks, on exactly the same photos, as the source study
compared its experts.

The ratings CSV has one row per reader and photo: ``reader``, ``path`` and ``rating``
(0/1 calls, or an ordinal confidence such as 1-5). ``path`` is the photo's path as the data
set names it (relative to the manifest or the data folder); a ``subject`` column may stand
in for it when that subject has exactly one photo. Anything else that does not name exactly
one photo of the run is refused, so a reader can never be scored on someone else's photo.

For each reader, the network is scored on the photos that reader rated (its out-of-fold
logit, averaged over repeats), and the two AUCs are compared with a paired DeLong test.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from training import metrics, plots
from training.data import DataError
from training.run_record import write_json
from wbs_desktop.core.files import atomic_write
from wbs_desktop.core.files import read_csv as read_rows


def _load_ratings(path: Path) -> dict[str, list[dict[str, str]]]:
    try:
        with Path(path).open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"The ratings file {path} cannot be read: {exc}") from exc
    columns = set(rows[0]) if rows else set()
    if not rows or not {"reader", "rating"} <= columns or not columns & {"path", "subject"}:
        raise DataError(
            f"The ratings file {path} needs the columns reader, rating and path (or subject)."
        )
    by_reader: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_reader[row["reader"]].append(row)
    return by_reader


def _normalise(path: str) -> str:
    return str(PurePosixPath(path.strip().replace("\\", "/")))


def network_scores(oof: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
    """Each photo's label, subject and out-of-fold logit (mean over repeats), by its
    relative path."""
    photos: dict[str, dict[str, Any]] = {}
    for row in oof:
        entry = photos.setdefault(
            _normalise(row["relative_path"]),
            {"label": int(row["label"]), "subject": row["subject"], "logits": []},
        )
        entry["logits"].append(float(row["logit"]))
    for entry in photos.values():
        entry["logit"] = float(np.mean(entry["logits"]))
    return photos


def _match(
    row: dict[str, str],
    photos: dict[str, dict[str, Any]],
    by_subject: dict[str, list[str]],
    reader: str,
    excluded: set[str],
) -> str | None:
    """The relative path a rating refers to; None for a photo the run left out."""
    given = (row.get("path") or "").strip()
    if given:
        key = _normalise(given)
        if key in photos:
            return key
        if key in excluded:
            return None
        same_name = [p for p in photos if PurePosixPath(p).name == PurePosixPath(key).name]
        hint = (
            f"; did you mean {' or '.join(same_name[:3])}? Give the path as the data set names it"
            if same_name
            else ""
        )
        raise DataError(
            f"Reader {reader!r} rated {given!r}, which is not a photo of this run{hint}."
        )
    subject = (row.get("subject") or "").strip()
    paths = by_subject.get(subject, [])
    if len(paths) != 1:
        raise DataError(
            f"Reader {reader!r} rated subject {subject!r}, which has {len(paths)} photos in "
            "this run; rate photos by their path instead."
        )
    return paths[0]


def compare_readers(run: Path, ratings: Path, arch: str | None = None) -> Path:
    """Write ``readers.json``, ``readers.md`` and ``<arch>/roc_readers.png``; returns the
    Markdown file."""
    run = Path(run)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    arch = arch or manifest["architectures"][0]
    photos = network_scores(read_rows(run / arch / "oof.csv"))
    by_subject: dict[str, list[str]] = defaultdict(list)
    for path, entry in photos.items():
        by_subject[entry["subject"]].append(path)
    excluded = {
        _normalise(e.get("relative_path", ""))
        for e in json.loads((run / "excluded.json").read_text(encoding="utf-8"))
    }

    results: dict[str, Any] = {}
    for reader, rows in sorted(_load_ratings(ratings).items()):
        rated: dict[str, float] = {}
        for row in rows:
            key = _match(row, photos, by_subject, reader, excluded)
            if key is None:
                continue
            if key in rated:
                raise DataError(f"Reader {reader!r} rated {key} twice.")
            rated[key] = float(row["rating"])
        keys = sorted(rated)
        labels = np.array([photos[k]["label"] for k in keys])
        if len(set(labels)) < 2:
            raise DataError(f"Reader {reader!r} rated too few photos of both classes.")
        reader_scores = np.array([rated[k] for k in keys])
        network = np.array([photos[k]["logit"] for k in keys])
        comparison = metrics.delong_test(labels, network, reader_scores)
        results[reader] = {
            **metrics.reader_metrics(labels, reader_scores),
            "photos": len(keys),
            "left_out_by_the_run": len(rows) - len(keys),
            "network_auc_same_photos": comparison["auc_a"],
            "delong": comparison,
        }

    write_json(
        run / "readers.json",
        {
            "architecture": arch,
            "network_score": "out-of-fold logit, mean over repeats",
            "test": "paired DeLong test, network AUC minus reader AUC on the reader's photos",
            "readers": results,
        },
    )
    lines = [
        "| Reader | Photos | Reader AUC | Network AUC (same photos) | Difference (95 % CI) "
        "| p (DeLong) | Sensitivity | Specificity |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        d = r["delong"]
        low, high = d["difference"] - 1.96 * d["se"], d["difference"] + 1.96 * d["se"]
        lines.append(
            f"| {name} | {r['photos']} | {r['auc']:.3f} | "
            f"{r['network_auc_same_photos']:.3f} | {d['difference']:+.3f} "
            f"({low:+.3f} to {high:+.3f}) | {d['p_value']:.3g} | "
            f"{r['sensitivity']:.3f} | {r['specificity']:.3f} |"
        )
    markdown = run / "readers.md"
    atomic_write(
        markdown,
        lambda tmp: tmp.write_text(
            "# Human readers and the network on the same photos\n\nEach reader is compared with "
            "the network's out-of-fold scores on exactly the photos that reader rated.\n\n"
            + "\n".join(lines)
            + "\n",
            encoding="utf-8",
        ),
    )

    oof = read_rows(run / arch / "oof.csv")
    folds = []
    for fold in range(manifest["folds"]):
        part = [r for r in oof if int(r["fold"]) == fold and int(r["repeat"]) == 0]
        folds.append(
            (np.array([int(r["label"]) for r in part]), np.array([float(r["logit"]) for r in part]))
        )
    plots.plot_roc(
        folds,
        run / arch / "roc_readers.png",
        f"{arch} and human readers",
        readers=[{"name": n, "fpr": r["fpr"], "tpr": r["tpr"]} for n, r in results.items()],
    )
    return markdown
