"""Synthetic phenotype data: the warp, the gestalt and the data set, on real photos with
real MediaPipe landmarks (no mocks)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from training import synth
from training.__main__ import main as wbs_train
from training.synth import (
    GROUPS,
    MANIFEST_COLUMNS,
    apply_effects,
    apply_gestalt,
    default_bases,
    generate,
    piecewise_affine_warp,
    share_wbs_features,
)
from training.synth.phenotypes import OTHER_EFFECTS, WBS_EFFECTS
from wbs_desktop.core.pipeline.imaging import load_image
from wbs_desktop.core.pipeline.landmarks import Face, detect_faces
from wbs_desktop.core.pipeline.regions import REGION_NAMES

PER_CLASS = 4
WBS_REGIONS = {"forehead", "periorbital", "nose", "mouth", "chin"}


def _mouth_and_eyes(landmarks: np.ndarray) -> tuple[float, float]:
    """(mouth width / inter-ocular distance, inter-ocular distance in pixels)."""
    right = landmarks[[33, 133]].mean(axis=0)
    left = landmarks[[263, 362]].mean(axis=0)
    iod = float(np.linalg.norm(left - right))
    return float(np.linalg.norm(landmarks[61] - landmarks[291])) / iod, iod


def _face(image: np.ndarray) -> Face:
    faces = detect_faces(image)
    assert faces, "MediaPipe found no face"
    return faces[0]


@pytest.fixture(scope="module")
def astronaut_face(astronaut: np.ndarray) -> Face:
    return _face(astronaut)


@pytest.mark.parametrize("photo", ["astronaut", "grace_hopper"])
def test_wide_mouth_warp_is_measured_again_by_mediapipe(
    photo: str, request: pytest.FixtureRequest
) -> None:
    image = request.getfixturevalue(photo)
    face = _face(image)
    warped, moved, regions = apply_effects(image, face.landmarks, {"wide_mouth": 1.0})

    assert warped.shape == image.shape and warped.dtype == np.uint8
    assert regions == {"mouth": 1.0}
    mouth_before, iod_before = _mouth_and_eyes(face.landmarks)
    mouth_moved, _ = _mouth_and_eyes(moved)
    assert mouth_moved / mouth_before == pytest.approx(1.15, abs=0.02)  # what was asked

    mouth_after, iod_after = _mouth_and_eyes(_face(warped).landmarks)
    assert mouth_after / mouth_before > 1.08
    assert abs(iod_after / iod_before - 1) < 0.03
    # The border is pinned: far from the face nothing changes.
    assert np.array_equal(warped[:10, :10], image[:10, :10])
    assert np.array_equal(warped[-10:, -10:], image[-10:, -10:])


def test_a_face_filling_the_photo_gets_its_full_phenotype(
    astronaut: np.ndarray, astronaut_face: Face
) -> None:
    # A crop inside the face's outline, as in photos that are only the face: the ring the
    # fields are carried to lies beyond the photo's edge. The warp must still apply every
    # effect at its strength (it was scaled down to 0.6 to avoid folding the mesh against
    # the pinned border).
    x0, y0 = np.floor(astronaut_face.landmarks.min(axis=0)).astype(int) + 5
    x1, y1 = np.ceil(astronaut_face.landmarks.max(axis=0)).astype(int) - 5
    crop = np.ascontiguousarray(astronaut[y0:y1, x0:x1])
    face = _face(crop)
    effects = {name: 1.0 for name in synth.phenotypes.WBS_EFFECTS}
    warped, moved, regions = apply_effects(crop, face.landmarks, effects)

    assert warped.shape == crop.shape
    assert set(regions) == WBS_REGIONS and set(regions.values()) == {1.0}
    mouth_before, _ = _mouth_and_eyes(face.landmarks)
    assert _mouth_and_eyes(moved)[0] / mouth_before > 1.1
    assert _mouth_and_eyes(_face(warped).landmarks)[0] / mouth_before > 1.06


def test_zero_displacement_returns_the_image(astronaut: np.ndarray, astronaut_face: Face) -> None:
    points = astronaut_face.landmarks
    assert np.array_equal(piecewise_affine_warp(astronaut, points, points), astronaut)
    warped, moved, regions = apply_effects(astronaut, points, {})
    assert np.array_equal(warped, astronaut)
    assert np.allclose(moved, points)
    assert regions == {}
    rng = np.random.default_rng(0)
    warped, _, regions = apply_gestalt(astronaut, points, "healthy", 1.0, rng, identity_scale=0)
    assert np.array_equal(warped, astronaut) and regions == {}


def test_warp_moves_pixels_the_way_points_move(astronaut: np.ndarray, astronaut_face: Face) -> None:
    # Shifting every landmark 4 px to the right moves the inside of the face 4 px to the right
    # (exactly: whole-pixel affine maps resample nothing) and leaves the border alone.
    src = astronaut_face.landmarks
    out = piecewise_affine_warp(astronaut, src, src + np.array([4.0, 0.0]))
    x, y = np.round(src[1]).astype(int)  # nose tip
    window = np.s_[y - 15 : y + 15, x - 15 : x + 15]
    shifted = np.s_[y - 15 : y + 15, x - 11 : x + 19]
    assert np.abs(out[shifted].astype(int) - astronaut[window].astype(int)).max() <= 1
    assert np.abs(out[window].astype(int) - astronaut[window].astype(int)).mean() > 2
    for edge in (np.s_[0], np.s_[-1], np.s_[:, 0], np.s_[:, -1]):  # the frame is pinned
        assert np.abs(out[edge].astype(int) - astronaut[edge].astype(int)).max() <= 1


def test_gestalt_groups_record_their_regions(astronaut: np.ndarray, astronaut_face: Face) -> None:
    points = astronaut_face.landmarks
    rng = np.random.default_rng(1)
    warped, moved, regions = apply_gestalt(astronaut, points, "WBS", 0.8, rng)
    assert set(regions) == WBS_REGIONS
    assert all(0.8 * 0.75 - 1e-6 <= v <= 0.8 + 1e-6 for v in regions.values())
    assert moved.shape == (478, 2) and not np.allclose(moved, points)
    _, _, regions = apply_gestalt(astronaut, points, "other", 0.8, rng)
    assert regions and set(regions) <= set(REGION_NAMES)
    warped, moved, regions = apply_gestalt(astronaut, points, "healthy", 0.8, rng)
    assert regions == {}
    assert not np.array_equal(warped, astronaut)  # the identity warp applies to all groups
    with pytest.raises(ValueError):
        apply_gestalt(astronaut, points, "unknown", 0.8, rng)


def test_other_plans_share_wbs_features_only_when_asked() -> None:
    plan = {"hypertelorism": 0.7}
    rng, untouched = np.random.default_rng(5), np.random.default_rng(5)
    assert share_wbs_features(plan, 0.8, 0.0, rng) == plan
    assert rng.random() == untouched.random()  # nothing drawn: old plans stay as they were

    rng = np.random.default_rng(6)
    for _ in range(50):
        shared = share_wbs_features(plan, 0.8, 1.0, rng)
        added = {k: v for k, v in shared.items() if k not in plan}
        assert shared["hypertelorism"] == 0.7 and 1 <= len(added) <= 2
        assert set(added) <= set(WBS_EFFECTS)
        assert all(0.8 * 0.8 - 1e-9 <= v <= 0.8 + 1e-9 for v in added.values())
    assert plan == {"hypertelorism": 0.7}  # the caller's plan is not changed
    sharing = [len(share_wbs_features(plan, 0.8, 0.5, rng)) > 1 for _ in range(400)]
    assert 0.4 < np.mean(sharing) < 0.6


@dataclass(frozen=True)
class Runs:
    first: Path
    again: Path
    other_seed: Path


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """Three data sets: seed 0 twice and seed 1, each from the two sample portraits plus a
    photo without a face (which must be skipped)."""
    folder = tmp_path_factory.mktemp("synth")
    blank = folder / "no_face.png"
    ys, xs = np.mgrid[0:256, 0:256]
    cv2.imwrite(str(blank), np.dstack([xs, ys, (xs + ys) // 2]).astype(np.uint8))
    bases = [*default_bases(), blank]
    assert len(bases) == 3
    dirs = Runs(folder / "a", folder / "b", folder / "c")
    for out, seed in ((dirs.first, 0), (dirs.again, 0), (dirs.other_seed, 1)):
        manifest = generate(out, PER_CLASS, bases, seed=seed, progress=False)
        assert manifest == out / "manifest.csv"
    return dirs


def _rows(out: Path) -> list[dict[str, str]]:
    with open(out / "manifest.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == MANIFEST_COLUMNS
        return list(reader)


def _regions(cell: str) -> dict[str, float]:
    return {
        name: float(value) for name, value in (item.split(":") for item in cell.split(";") if item)
    }


def test_generate_writes_images_and_manifest(runs: Runs) -> None:
    rows = _rows(runs.first)
    assert len(rows) == 3 * PER_CLASS
    assert sorted(
        p.relative_to(runs.first).as_posix() for p in runs.first.rglob("*.jpg")
    ) == sorted(r["path"] for r in rows)
    for group in GROUPS:
        group_rows = [r for r in rows if r["group"] == group]
        assert len(group_rows) == PER_CLASS
        assert all(r["path"].startswith(f"{group}/") for r in group_rows)
        # Every base identity appears equally often in every group.
        bases = [r["base"] for r in group_rows]
        assert sorted(set(bases)) == ["astronaut.png", "grace_hopper.jpg"]
        assert bases.count("astronaut.png") == bases.count("grace_hopper.jpg")
    assert len({r["subject"] for r in rows}) == len(rows)  # one photo per subject
    assert all(r["seed"].isdigit() for r in rows)
    for row in rows:
        image = load_image(runs.first / row["path"])
        assert image.shape == (synth.OUTPUT_SIZE, synth.OUTPUT_SIZE, 3)

    info = json.loads((runs.first / "synth_info.json").read_text(encoding="utf-8"))
    assert info["generator_version"] == synth.GENERATOR_VERSION
    assert info["counts"] == {group: PER_CLASS for group in GROUPS}
    assert info["arguments"]["seed"] == 0 and info["arguments"]["per_class"] == PER_CLASS
    assert [b["base"] for b in info["bases_used"]] == ["astronaut.png", "grace_hopper.jpg"]
    assert info["skipped"] == [{"base": "no_face.png", "reason": "no face found"}]


def test_regions_are_recorded_per_group(runs: Runs) -> None:
    for row in _rows(runs.first):
        regions = _regions(row["warped_regions"])
        assert set(regions) <= set(REGION_NAMES)
        if row["group"] == "WBS":
            assert set(regions) == WBS_REGIONS
            assert all(0.5 * 0.75 - 0.01 <= v <= 1.0 for v in regions.values())
        elif row["group"] == "other":
            assert regions and all(0.4 - 0.01 <= v <= 1.0 for v in regions.values())
        else:
            assert regions == {} and row["effects"] == ""


def test_generate_is_deterministic_for_a_seed(runs: Runs) -> None:
    files = sorted(p.relative_to(runs.first) for p in runs.first.rglob("*") if p.is_file())
    again = sorted(p.relative_to(runs.again) for p in runs.again.rglob("*") if p.is_file())
    assert files == again
    for name in files:
        assert (runs.first / name).read_bytes() == (runs.again / name).read_bytes(), name
    differing = [
        r["path"]
        for r in _rows(runs.first)
        if (runs.first / r["path"]).read_bytes() != (runs.other_seed / r["path"]).read_bytes()
    ]
    assert len(differing) == 3 * PER_CLASS
    assert _rows(runs.first) != _rows(runs.other_seed)


def test_other_subjects_get_wbs_features_only_where_asked(runs: Runs, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    bases = [Path(b) for b in default_bases()]
    generate(shared, PER_CLASS, bases, seed=0, progress=False, other_shares_wbs=1.0)
    plain = {r["path"]: r for r in _rows(runs.first)}
    for row in _rows(shared):
        effects = set(_regions(row["effects"]))
        same_bytes = (shared / row["path"]).read_bytes() == (runs.first / row["path"]).read_bytes()
        if row["group"] == "other":
            assert effects & set(WBS_EFFECTS) and effects & set(OTHER_EFFECTS)
            # the same other-syndrome plan, with WBS features besides
            assert effects & set(OTHER_EFFECTS) == set(_regions(plain[row["path"]]["effects"]))
            assert not same_bytes
        else:  # WBS and healthy subjects are exactly those of a run without sharing
            assert row == plain[row["path"]] and same_bytes
    info = json.loads((shared / "synth_info.json").read_text(encoding="utf-8"))
    assert info["arguments"]["other_shares_wbs"] == 1.0
    assert (
        json.loads((runs.first / "synth_info.json").read_text(encoding="utf-8"))["arguments"][
            "other_shares_wbs"
        ]
        == 0.0
    )
    with pytest.raises(ValueError, match="other_shares_wbs"):
        generate(tmp_path / "bad", 1, bases, other_shares_wbs=1.5, progress=False)


def test_generated_faces_are_found_by_mediapipe(runs: Runs) -> None:
    rows = _rows(runs.first)
    found = sum(bool(detect_faces(load_image(runs.first / r["path"]))) for r in rows)
    assert found >= len(rows) - 1


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    assert synth.main(["--out", str(out), "--per-class", "1", "--seed", "3", "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == str(out / "manifest.csv")
    assert len(_rows(out)) == 3
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (
        synth.main(["--out", str(out), "--per-class", "1", "--faces", str(empty), "--quiet"]) == 1
    )
    assert "no photos" in capsys.readouterr().err
    # wbs-train synth passes the failure on as its exit status
    assert (
        wbs_train(
            ["synth", "--out", str(out), "--per-class", "1", "--faces", str(empty), "--quiet"]
        )
        == 1
    )
    assert "no photos" in capsys.readouterr().err


def test_a_mirrored_base_photo_is_the_same_person(
    tmp_path: Path, astronaut: np.ndarray, grace_hopper: np.ndarray
) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), cv2.cvtColor(astronaut, cv2.COLOR_RGB2BGR))
    cv2.imwrite(
        str(tmp_path / "a_mirror.jpg"),
        cv2.cvtColor(np.ascontiguousarray(astronaut[:, ::-1]), cv2.COLOR_RGB2BGR),
    )
    cv2.imwrite(str(tmp_path / "g.png"), cv2.cvtColor(grace_hopper, cv2.COLOR_RGB2BGR))
    bases = [synth.prepare_base(tmp_path / name) for name in ("a.png", "a_mirror.jpg", "g.png")]
    identity, merged = synth.base_identities(bases, {"g.png": "grace"})
    assert identity == {"a.png": "a", "a_mirror.jpg": "a", "g.png": "grace"}
    assert merged == [["a.png", "a_mirror.jpg"]]
    out = tmp_path / "set"
    synth.generate(
        out,
        3,
        [tmp_path / "a.png", tmp_path / "g.png"],
        seed=0,
        progress=False,
        identities={"g.png": "grace"},
    )
    with (out / "manifest.csv").open(newline="") as f:
        people = {row["base"]: row["identity"] for row in csv.DictReader(f)}
    assert people == {"a.png": "a", "g.png": "grace"}


def test_people_take_turns_however_many_photos_they_have() -> None:
    @dataclass(frozen=True)
    class Photo:
        name: str

    bases = [Photo("a1"), Photo("a2"), Photo("a3"), Photo("b1")]
    schedule = synth.base_schedule(
        bases, {"a1": "A", "a2": "A", "a3": "A", "b1": "B"}, np.random.default_rng(0)
    )
    used = [schedule(k).name for k in range(8)]
    assert sorted(name[0] for name in used) == ["a"] * 4 + ["b"] * 4
    assert {name for name in used if name[0] == "a"} == {"a1", "a2", "a3"}
