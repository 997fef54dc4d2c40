"""Training data: which photos, which group, which child, which person; faces aligned once
and cached.

A data set is either a folder with one sub-folder per group (``WBS/``, ``other/``,
``healthy/``; every photo its own subject) or a manifest CSV with the columns ``path``,
``group`` and ``subject``, and optionally ``identity``, ``role``, ``age`` (years at the
photo), ``sex`` and ``ancestry`` (paths relative to the CSV; the last three give metrics per
subgroup, ``training.subgroups``). ``role`` fixes which people are held out
(``calibration``, ``test``) instead of drawing them at random, e.g. for photos from another
hospital. A *subject* is one child (possibly several photos); an *identity* is one person (possibly
several subjects: a synthetic set makes one subject per group from the same base photo).
Without an identity, each subject is its own person; without a subject, each photo is its
own child, which is said once, plainly.

Photos go through the app's own ``load_image -> detect_faces -> align_face``, so the
networks are trained on exactly the crops the app will show them. Crops are cached as PNG
under a key made of the file's SHA-256, the detection and alignment code versions, the
MediaPipe version and the crop size; photos where no face is found (or that cannot be read)
are cached as failures with their reason and reported, never dropped silently. One photo
filed twice is refused, naming both files: byte-identical files under two subjects or two
groups, and mirrored, resized or re-encoded copies under two people.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from training.duplicates import near_duplicates, perceptual_hashes
from wbs_desktop.core.errors import WBSError
from wbs_desktop.core.files import file_sha256
from wbs_desktop.core.pipeline.alignment import ALIGNMENT_VERSION, align_face
from wbs_desktop.core.pipeline.imaging import is_supported_suffix, load_image
from wbs_desktop.core.pipeline.landmarks import DETECTION_VERSION, detect_faces, require_faces
from wbs_desktop.core.pipeline.regions import face_only


class DataError(ValueError):
    """The data set is unusable as given; the message says why."""


@dataclass(frozen=True)
class Sample:
    path: Path
    group: str
    subject: str
    identity: str
    relative_path: str  # as written in the manifest, or relative to the data folder
    subject_from_path: bool = False
    role: str = ""  # a fixed role from the manifest; "" lets cv draw it
    # Optional manifest columns, for metrics per subgroup (training.subgroups)
    age: float | None = None  # years at the photo
    sex: str = ""
    ancestry: str = ""


@dataclass
class PreparedData:
    """Aligned crops of the usable samples, and the reasons the others were left out."""

    samples: list[Sample]
    crops: np.ndarray  # (N, S, S, 3) uint8
    failures: list[tuple[Sample, str]]
    data_hash: str
    sha256: list[str]  # of each sample's file
    phash: list[np.ndarray]  # each sample photo's perceptual hashes (see ``duplicates``)

    def groups(self) -> np.ndarray:
        return np.array([s.group for s in self.samples])

    def subjects(self) -> np.ndarray:
        return np.array([s.subject for s in self.samples])

    def identities(self) -> np.ndarray:
        return np.array([s.identity for s in self.samples])


def read_dataset(source: Path) -> list[Sample]:
    source = Path(source)
    if source.is_file():
        return _read_manifest(source)
    if source.is_dir():
        manifest = source / "manifest.csv"
        return _read_manifest(manifest) if manifest.is_file() else _read_folders(source)
    raise DataError(f"The data set {source} does not exist.")


def subjects_note(samples: list[Sample]) -> str | None:
    """The one plain warning owed when subjects had to be taken from file paths."""
    guessed = sum(s.subject_from_path for s in samples)
    if not guessed:
        return None
    return (
        f"{guessed} of {len(samples)} photos have no subject: each of them is counted as "
        "a different child. If a child has several photos, list them in a manifest.csv "
        "with the columns path, group, subject (and identity), or photos of one child "
        "will land on both sides of a split."
    )


def _read_manifest(manifest: Path) -> list[Sample]:
    try:
        with manifest.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"The manifest {manifest} cannot be read: {exc}") from exc
    missing = {"path", "group"} - set(rows[0] if rows else {})
    if not rows or missing:
        raise DataError(f"The manifest {manifest} needs the columns path, group (and subject).")
    samples = []
    for row in rows:
        relative = (row["path"] or "").strip()
        subject = (row.get("subject") or "").strip()
        identity = (row.get("identity") or "").strip()
        samples.append(
            Sample(
                path=(manifest.parent / relative).resolve(),
                group=(row["group"] or "").strip(),
                subject=subject or relative,
                identity=identity or subject or relative,
                relative_path=relative,
                subject_from_path=not subject,
                role=(row.get("role") or "").strip(),
                age=_age_of(row, manifest),
                sex=(row.get("sex") or "").strip().lower(),
                ancestry=(row.get("ancestry") or "").strip(),
            )
        )
    return samples


def _age_of(row: dict[str, str], manifest: Path) -> float | None:
    """The optional ``age`` column: years at the photo, or None when empty."""
    text = (row.get("age") or "").strip()
    if not text:
        return None
    try:
        age = float(text)
    except ValueError:
        age = math.nan
    if not 0 <= age <= 120:  # NaN fails too
        raise DataError(
            f"The manifest {manifest} gives {row.get('path')!r} the age {text!r}; an age is "
            "a number of years from 0 to 120 (e.g. 4.5), or empty."
        )
    return age


def _read_folders(root: Path) -> list[Sample]:
    samples = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for photo in sorted(folder.rglob("*")):
            if photo.is_file() and is_supported_suffix(photo):
                relative = photo.relative_to(root).as_posix()
                samples.append(
                    Sample(
                        path=photo.resolve(),
                        group=folder.name,
                        subject=relative,
                        identity=relative,
                        relative_path=relative,
                        subject_from_path=True,
                    )
                )
    if not samples:
        raise DataError(
            f"No photos found in {root}: expected one sub-folder per group (e.g. WBS/, "
            "other/, healthy/) or a manifest.csv."
        )
    return samples


def cache_folder(cache_dir: Path, size: int, face_only: bool = False) -> Path:
    """Where crops of ``size`` px live: a new folder whenever the code or MediaPipe that
    makes them changes, and another for face-only crops."""
    return (
        Path(cache_dir) / f"align-v{ALIGNMENT_VERSION}-det{DETECTION_VERSION}"
        f"-mp{version('mediapipe')}-{size}{'-face' if face_only else ''}"
    )


def _check_subjects(samples: list[Sample]) -> None:
    group_of: dict[str, tuple[str, Sample]] = {}
    for sample in samples:
        if not sample.group:
            raise DataError(f"The photo {sample.relative_path} has no group.")
        first = group_of.setdefault(sample.subject, (sample.group, sample))
        if first[0] != sample.group:
            raise DataError(
                f"Subject {sample.subject!r} has photos in two groups "
                f"({first[1].relative_path} in {first[0]!r}, "
                f"{sample.relative_path} in {sample.group!r})."
            )


def _refuse_duplicates(kept: list[Sample], shas: list[str], hashes: list[np.ndarray]) -> None:
    """One photo under two subjects or groups would cross a split or carry two labels.

    Byte-identical files must share subject and group. Near-copies (mirrored, resized,
    re-encoded, or changed only in the face) must share the person: a manifest that names one
    person in several groups (a synthetic set, matched pairs of one photo warped per group)
    may hold near-copies across them, since splits keep a person's photos together.
    """
    first_with: dict[str, int] = {}
    identical = [(first_with.setdefault(sha, i), i) for i, sha in enumerate(shas)]
    for i, j in [(i, j) for i, j in identical if i != j] + near_duplicates(hashes):
        a, b = kept[i], kept[j]
        same_file = shas[i] == shas[j]
        if (
            (a.subject != b.subject or a.group != b.group)
            if same_file
            else (a.identity != b.identity)
        ):
            how = (
                "are the same file"
                if same_file
                else ("show the same photo (a mirrored, resized or re-encoded copy)")
            )
            raise DataError(
                f"{a.relative_path} ({a.group}, subject {a.subject}) and {b.relative_path} "
                f"({b.group}, subject {b.subject}) {how}; remove one, or file both under "
                "the same subject."
            )


def _align_one(path: Path, size: int, only_face: bool) -> tuple[np.ndarray, np.ndarray]:
    image = load_image(path)
    aligned = align_face(image, require_faces(detect_faces(image))[0], size)
    crop = face_only(aligned.image, aligned.landmarks) if only_face else aligned.image
    return crop, perceptual_hashes(image)


def prepare(
    samples: list[Sample],
    size: int,
    cache_dir: Path,
    progress: bool = True,
    only_face: bool = False,
) -> PreparedData:
    """Align every sample's face once (cached) and return the crops in sample order;
    ``only_face`` greys out everything outside the face oval, as the app does for a card
    that says ``face_only``."""
    _check_subjects(samples)
    folder = cache_folder(cache_dir, size, only_face)
    folder.mkdir(parents=True, exist_ok=True)
    kept: list[Sample] = []
    crops: list[np.ndarray] = []
    shas: list[str] = []
    hashes: list[np.ndarray] = []
    failures: list[tuple[Sample, str]] = []
    fingerprint = hashlib.sha256()
    for sample in tqdm(samples, desc="aligning faces", unit="photo", disable=not progress):
        try:
            key = file_sha256(sample.path)
        except OSError as exc:
            failures.append((sample, f"cannot read the file ({exc.strerror or exc})"))
            continue
        fingerprint.update(f"{key} {sample.group} {sample.subject} {sample.identity}\n".encode())
        crop_file, fail_file = folder / f"{key}.png", folder / f"{key}.fail"
        hash_file = folder / f"{key}.phash256"
        if fail_file.is_file():
            failures.append((sample, fail_file.read_text(encoding="utf-8")))
            continue
        if crop_file.is_file() and hash_file.is_file():
            crop = np.asarray(Image.open(crop_file).convert("RGB"))
            phash = np.frombuffer(bytes.fromhex(hash_file.read_text()), np.uint8).reshape(2, -1)
        else:
            try:
                crop, phash = _align_one(sample.path, size, only_face)
            except WBSError as error:
                fail_file.write_text(str(error), encoding="utf-8")
                failures.append((sample, str(error)))
                continue
            Image.fromarray(crop).save(crop_file)
            hash_file.write_text(phash.tobytes().hex())
        kept.append(sample)
        crops.append(crop)
        shas.append(key)
        hashes.append(phash)
    _refuse_duplicates(kept, shas, hashes)
    array = np.stack(crops) if crops else np.zeros((0, size, size, 3), np.uint8)
    return PreparedData(kept, array, failures, fingerprint.hexdigest(), shas, hashes)


def group_summary(samples: list[Sample]) -> dict[str, dict[str, int]]:
    """Photos, distinct subjects and distinct people per group."""
    photos = Counter(s.group for s in samples)
    subjects = Counter(g for g, _ in {(s.group, s.subject) for s in samples})
    people = Counter(g for g, _ in {(s.group, s.identity) for s in samples})
    return {
        g: {"photos": photos[g], "subjects": subjects[g], "identities": people[g]}
        for g in sorted(photos)
    }


def write_failures(path: Path, failures: list[tuple[Sample, str]]) -> None:
    path.write_text(
        json.dumps(
            [
                {
                    "path": str(s.path),
                    "relative_path": s.relative_path,
                    "group": s.group,
                    "subject": s.subject,
                    "reason": reason,
                }
                for s, reason in failures
            ],
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
