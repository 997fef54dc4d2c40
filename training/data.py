"""Training data: which photos, which group, which child; faces aligned once and cached.

A data set is either a folder with one sub-folder per group (``WBS/``, ``other/``,
``healthy/``; every photo its own subject unless a manifest says otherwise) or a manifest
CSV with the columns ``path``, ``group``, ``subject`` (paths relative to the CSV).

Photos go through the app's own ``load_image -> detect_faces -> align_face``, so the
networks are trained on exactly the crops the app will show them. Crops are cached as PNG
under a key made of the file's SHA-256, the alignment version and the crop size; photos
where no face is found (or that cannot be read) are cached as failures with their reason
and reported, never dropped silently.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from wbs_desktop.core.alignment import ALIGNMENT_VERSION, align_face
from wbs_desktop.core.errors import WBSError
from wbs_desktop.core.imaging import is_supported_suffix, load_image
from wbs_desktop.core.landmarks import detect_faces, require_faces


class DataError(ValueError):
    """The data set is unusable as given; the message says why."""


@dataclass(frozen=True)
class Sample:
    path: Path
    group: str
    subject: str


@dataclass
class PreparedData:
    """Aligned crops of the usable samples, and the reasons the others were left out."""

    samples: list[Sample]
    crops: np.ndarray  # (N, S, S, 3) uint8
    failures: list[tuple[Sample, str]]
    data_hash: str

    def groups(self) -> np.ndarray:
        return np.array([s.group for s in self.samples])

    def subjects(self) -> np.ndarray:
        return np.array([s.subject for s in self.samples])


def read_dataset(source: Path) -> list[Sample]:
    source = Path(source)
    if source.is_file():
        return _read_manifest(source)
    if source.is_dir():
        manifest = source / "manifest.csv"
        return _read_manifest(manifest) if manifest.is_file() else _read_folders(source)
    raise DataError(f"The data set {source} does not exist.")


def _read_manifest(manifest: Path) -> list[Sample]:
    try:
        with manifest.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"The manifest {manifest} cannot be read: {exc}") from exc
    missing = {"path", "group"} - set(rows[0] if rows else {})
    if not rows or missing:
        raise DataError(f"The manifest {manifest} needs the columns path, group (and subject).")
    return [
        Sample(path=(manifest.parent / row["path"]).resolve(), group=row["group"].strip(),
               subject=(row.get("subject") or row["path"]).strip())
        for row in rows
    ]


def _read_folders(root: Path) -> list[Sample]:
    samples = [
        Sample(path=photo.resolve(), group=folder.name, subject=f"{folder.name}/{photo.stem}")
        for folder in sorted(p for p in root.iterdir() if p.is_dir())
        for photo in sorted(folder.rglob("*"))
        if photo.is_file() and is_supported_suffix(photo)
    ]
    if not samples:
        raise DataError(
            f"No photos found in {root}: expected one sub-folder per group (e.g. WBS/, "
            "other/, healthy/) or a manifest.csv."
        )
    return samples


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _align_one(path: Path, size: int) -> np.ndarray:
    image = load_image(path)
    return align_face(image, require_faces(detect_faces(image))[0], size).image


def prepare(samples: list[Sample], size: int, cache_dir: Path,
            progress: bool = True) -> PreparedData:
    """Align every sample's face once (cached) and return the crops in sample order."""
    folder = Path(cache_dir) / f"align-v{ALIGNMENT_VERSION}-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    kept: list[Sample] = []
    crops: list[np.ndarray] = []
    failures: list[tuple[Sample, str]] = []
    fingerprint = hashlib.sha256()
    for sample in tqdm(samples, desc="aligning faces", unit="photo", disable=not progress):
        try:
            key = _file_hash(sample.path)
        except OSError as exc:
            failures.append((sample, f"cannot read the file ({exc.strerror or exc})"))
            continue
        fingerprint.update(f"{key} {sample.group} {sample.subject}\n".encode())
        crop_file, fail_file = folder / f"{key}.png", folder / f"{key}.fail"
        if fail_file.is_file():
            failures.append((sample, fail_file.read_text(encoding="utf-8")))
            continue
        if crop_file.is_file():
            crop = np.asarray(Image.open(crop_file).convert("RGB"))
        else:
            try:
                crop = _align_one(sample.path, size)
            except WBSError as error:
                fail_file.write_text(str(error), encoding="utf-8")
                failures.append((sample, str(error)))
                continue
            Image.fromarray(crop).save(crop_file)
        kept.append(sample)
        crops.append(crop)
    array = np.stack(crops) if crops else np.zeros((0, size, size, 3), np.uint8)
    return PreparedData(kept, array, failures, fingerprint.hexdigest())


def group_summary(samples: list[Sample]) -> dict[str, dict[str, int]]:
    """Photos and distinct subjects per group."""
    photos = Counter(s.group for s in samples)
    subjects = Counter(g for g, _ in {(s.group, s.subject) for s in samples})
    return {g: {"photos": photos[g], "subjects": subjects[g]} for g in sorted(photos)}


def write_failures(path: Path, failures: list[tuple[Sample, str]]) -> None:
    path.write_text(json.dumps(
        [{"path": str(s.path), "group": s.group, "subject": s.subject, "reason": reason}
         for s, reason in failures], indent=2) + "\n", encoding="utf-8")
