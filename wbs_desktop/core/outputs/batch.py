"""Screening a folder of photos: one row per photo, failures with their reason, CSV out.

Shared by the GUI's batch dialog and ``wbs-desktop batch``, which screen a folder with
``batch_pipeline.screen_photos``; :func:`screen_photo` is one photo through ``analyze``, the
reference its rows must equal. Photos are dropped once their crop is made, so a folder of
thousands needs no more memory than a few photos.

The CSV is spreadsheet-safe (``files.write_csv``): file names, warnings, errors and the
model's name are text a photo's sender or a model's provider chose, so a cell such as
"=HYPERLINK(...)" is written with a leading apostrophe and shown, never run. Scores are
plain decimal numbers (in [0, 1], never negative), which stay numbers a spreadsheet can
sort and sum.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wbs_desktop.core import files
from wbs_desktop.core.errors import ImageError, WBSError
from wbs_desktop.core.i18n import _
from wbs_desktop.core.pipeline.imaging import is_supported_suffix

if TYPE_CHECKING:  # these import torch, which find_photos and the CSV do not need
    import numpy as np
    import torch

    from wbs_desktop.core.model.bundle import ModelBundle
    from wbs_desktop.core.pipeline.analysis import Scored

OK = "ok"
FAILED = "failed"

CSV_FIELDS = (
    "file", "status", "score", "score_std", "label", "threshold", "faces_found", "warnings",
    "error", "model", "model_sha256", "provenance_note",
)  # fmt: skip


@dataclass(frozen=True)
class BatchRow:
    """The outcome for one photo. ``error`` is the user-facing sentence when it failed."""

    photo: Path
    status: str
    score: float | None = None
    score_std: float | None = None
    label: str = ""
    threshold: float | None = None
    faces_found: int = 0
    warnings: tuple[str, ...] = ()
    error: str = ""
    model: str = ""
    model_sha256: str = ""
    provenance_note: str = ""
    seconds: float = 0.0
    logit: float | None = None  # the deployed logit: what a case of several photos averages
    # identity.face_texture of the aligned face: a case checks its photos show one person
    texture: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == OK

    def to_csv(self) -> dict[str, str | int]:
        def number(value: float | None) -> str:
            return "" if value is None else f"{value:.4f}"

        return {
            "file": self.photo.name,
            "status": self.status,
            "score": number(self.score),
            "score_std": number(self.score_std),
            "label": self.label,
            "threshold": number(self.threshold),
            "faces_found": self.faces_found if self.ok else "",
            "warnings": " | ".join(self.warnings),
            "error": self.error,
            "model": self.model,
            "model_sha256": self.model_sha256,
            "provenance_note": self.provenance_note,
        }


def find_photos(folder: str | os.PathLike[str]) -> list[Path]:
    """Photo files directly inside ``folder`` (by suffix; hidden files skipped), sorted."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ImageError(
            _("'{folder}' is not a folder; choose a folder of photos.").format(
                folder=folder.name or folder
            )
        )
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise ImageError(
            _("The folder '{name}' could not be read ({exc}).").format(
                name=folder.name, exc=exc.strerror or exc
            )
        ) from exc
    return sorted(
        (
            p
            for p in entries
            if not p.name.startswith(".") and is_supported_suffix(p) and p.is_file()
        ),
        key=lambda p: p.name.lower(),
    )


def _row(photo: Path, bundle: ModelBundle, seconds: float, **outcome: Any) -> BatchRow:
    return BatchRow(
        photo=photo,
        seconds=seconds,
        model=bundle.name,
        model_sha256=bundle.sha256,
        provenance_note=bundle.provenance_note,
        **outcome,
    )


def failed_row(photo: Path, bundle: ModelBundle, error: WBSError, seconds: float) -> BatchRow:
    """The row of a photo that could not be screened; ``error``'s sentence is the reason."""
    return _row(photo, bundle, seconds, status=FAILED, error=str(error))


def scored_row(
    photo: Path,
    bundle: ModelBundle,
    scores: Scored,
    *,
    faces_found: int,
    warnings: tuple[str, ...],
    seconds: float,
    face: np.ndarray,
) -> BatchRow:
    """The row of a screened photo (``scores``: an ``analysis.Result`` or ``Scored``;
    ``face``: its aligned face crop)."""
    from wbs_desktop.core.case.identity import face_texture
    from wbs_desktop.core.pipeline.analysis import Scored  # loaded: ``scores`` exists

    # Every field of the score but each network's own (a row holds their spread).
    score = {f.name: getattr(scores, f.name) for f in fields(Scored) if f.name != "network_scores"}
    return _row(
        photo,
        bundle,
        seconds,
        status=OK,
        faces_found=faces_found,
        warnings=warnings,
        texture=face_texture(face),
        **score,
    )


def screen_photo(
    path: Path, bundle: ModelBundle, device: str | torch.device | None = None
) -> BatchRow:
    """Analyse one photo with ``analyze``; any expected failure becomes a failed row, never
    an exception. The reference for ``batch_pipeline.screen_photos``, which makes the same
    rows for a whole folder faster."""
    from wbs_desktop.core.pipeline.analysis import analyze
    from wbs_desktop.core.pipeline.imaging import load_image

    started = time.perf_counter()
    try:
        result = analyze(load_image(path), bundle, device)
    except WBSError as error:
        return failed_row(path, bundle, error, time.perf_counter() - started)
    return scored_row(
        path,
        bundle,
        result,
        faces_found=result.face_count,
        warnings=result.warnings,
        seconds=time.perf_counter() - started,
        face=result.aligned.image,
    )


def write_csv(path: str | os.PathLike[str], rows: Iterable[BatchRow]) -> Path:
    """Write the rows as spreadsheet-safe UTF-8 CSV, atomically; OutputError when the disk
    refuses."""
    return files.write_csv(path, (row.to_csv() for row in rows), CSV_FIELDS)
