"""The pipelined batch: every row equals ``analyze`` on that photo; order, cancel, bounds.

Real photos, real MediaPipe in real worker processes, real (seeded) torchvision networks.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from tests.conftest import write_bundle
from wbs_desktop.core.errors import WBSError
from wbs_desktop.core.model.bundle import ModelBundle, load_model
from wbs_desktop.core.outputs import batch_pipeline
from wbs_desktop.core.outputs.batch import BatchRow, find_photos
from wbs_desktop.core.outputs.batch_pipeline import screen_photos
from wbs_desktop.core.paths import sample_photo_path
from wbs_desktop.core.pipeline.analysis import analyze
from wbs_desktop.core.pipeline.imaging import load_image
from wbs_desktop.core.pipeline.prepare import Prepared
from wbs_desktop.core.pipeline.prepare_pool import PreparedPhotos, available_cores

SCORE_TOLERANCE = 1e-5  # batched convolutions may round the last digits differently


@pytest.fixture(scope="module")
def folder(
    tmp_path_factory: pytest.TempPathFactory, astronaut: np.ndarray, grace_hopper: np.ndarray
) -> Path:
    """Faces, two faces, a dark face (a quality warning), no face, corrupt and truncated
    files."""
    folder = tmp_path_factory.mktemp("batch")
    Image.fromarray(astronaut).save(folder / "astronaut.png")
    Image.fromarray(grace_hopper).save(folder / "grace_hopper.jpg", quality=90)
    shutil.copy(sample_photo_path(), folder / "sample_face.jpg")
    (folder / "corrupt.jpg").write_bytes(b"this is not a photo")
    jpeg = sample_photo_path().read_bytes()
    (folder / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    Image.new("RGB", (320, 240), (128, 140, 150)).save(folder / "no_face.png")
    Image.fromarray((astronaut * 0.2).astype(np.uint8)).save(folder / "dark.png")
    height = astronaut.shape[0]
    width = grace_hopper.shape[1] * height // grace_hopper.shape[0]
    hopper = cv2.resize(grace_hopper, (width, height), interpolation=cv2.INTER_AREA)
    Image.fromarray(np.concatenate([astronaut, hopper], axis=1)).save(folder / "two_faces.jpg")
    return folder


@pytest.fixture(scope="module")
def flip_face_only_bundle(tmp_path_factory: pytest.TempPathFactory) -> ModelBundle:
    """Mirror views and the grey outside the face: both paths of the prepared crop."""
    folder = tmp_path_factory.mktemp("flip_bundle")
    return load_model(write_bundle(folder, "mobilenet_v2", seed=5, flip_tta=True, face_only=True))


def assert_rows_equal_analyze(
    rows: list[BatchRow], photos: list[Path], bundle: ModelBundle
) -> None:
    assert [row.photo for row in rows] == photos
    for row in rows:
        try:
            result = analyze(load_image(row.photo), bundle, "cpu")
        except WBSError as error:
            assert (row.status, row.error, row.score) == ("failed", str(error), None), row
            continue
        assert row.ok and row.error == "", row
        assert row.label == result.label
        assert row.faces_found == result.face_count
        assert row.warnings == result.warnings
        assert row.threshold == result.threshold
        assert row.score == pytest.approx(result.score, abs=SCORE_TOLERANCE)
        assert row.score_std == pytest.approx(result.score_std, abs=SCORE_TOLERANCE)
        assert row.model_sha256 == bundle.sha256 and row.model == bundle.name


@pytest.mark.parametrize("which", ["mobilenet_bundle", "two_network_bundle", "flip_face_only"])
def test_every_row_equals_analyze_on_that_photo(
    which: str, folder: Path, request: pytest.FixtureRequest, flip_face_only_bundle: ModelBundle
) -> None:
    bundle = flip_face_only_bundle if which == "flip_face_only" else request.getfixturevalue(which)
    photos = find_photos(folder)
    # Small batches and two workers: several batches, failures between scored photos.
    rows = list(screen_photos(photos, bundle, "cpu", workers=2, batch_size=3))
    assert_rows_equal_analyze(rows, photos, bundle)
    by_name = {row.photo.name: row for row in rows}
    assert by_name["two_faces.jpg"].faces_found == 2
    assert by_name["two_faces.jpg"].warnings[0].startswith("2 faces were found")
    assert any("underexposed" in warning for warning in by_name["dark.png"].warnings)
    assert by_name["no_face.png"].error.startswith("No face was found")
    assert "corrupt.jpg' is not a readable photo" in by_name["corrupt.jpg"].error
    assert "truncated.jpg' is incomplete" in by_name["truncated.jpg"].error
    assert sum(row.ok for row in rows) == 5


def test_preparing_in_this_process_gives_the_same_rows(
    folder: Path, mobilenet_bundle: ModelBundle
) -> None:
    """workers=0, the default on small CPUs: no process is started, the rows are the same."""
    photos = find_photos(folder)
    rows = list(screen_photos(photos, mobilenet_bundle, "cpu", workers=0, batch_size=3))
    assert multiprocessing.active_children() == []
    assert_rows_equal_analyze(rows, photos, mobilenet_bundle)


def test_real_photo_folder_equals_analyze(
    shared_faces: Path, tmp_path: Path, two_network_bundle: ModelBundle
) -> None:
    for photo in sorted(shared_faces.glob("*.jpg"))[:24]:
        shutil.copy(photo, tmp_path)
    photos = find_photos(tmp_path)
    rows = list(screen_photos(photos, two_network_bundle, "cpu", workers=2, batch_size=8))
    assert_rows_equal_analyze(rows, photos, two_network_bundle)
    assert sum(row.ok for row in rows) >= 20


def test_cancel_stops_between_rows_and_leaves_no_worker(
    folder: Path, mobilenet_bundle: ModelBundle
) -> None:
    photos = find_photos(folder)
    rows: list[BatchRow] = []
    for row in screen_photos(
        photos, mobilenet_bundle, "cpu", workers=1, batch_size=2, should_stop=lambda: len(rows) >= 3
    ):
        rows.append(row)
    assert [row.photo for row in rows] == photos[:3]
    assert multiprocessing.active_children() == []


def test_a_stop_before_the_first_row_gives_none(
    folder: Path, mobilenet_bundle: ModelBundle
) -> None:
    rows = screen_photos(find_photos(folder), mobilenet_bundle, "cpu", should_stop=lambda: True)
    assert list(rows) == []
    assert multiprocessing.active_children() == []


def test_photos_in_flight_stay_within_the_window(folder: Path) -> None:
    """Memory stays bounded: the pool takes a photo only when one of its window has left."""
    photos = find_photos(folder) * 3
    taken = 0

    def counted() -> Iterator[Path]:
        nonlocal taken
        for photo in photos:
            taken += 1
            yield photo

    with PreparedPhotos(counted(), 224, mask_outside_face=False, workers=1, lookahead=2) as pool:
        assert pool.window == 4
        names = []
        for done, (photo, prepared, seconds) in enumerate(pool, 1):
            assert taken - done <= pool.window
            assert isinstance(prepared, (Prepared, WBSError)) and seconds > 0
            names.append(photo.name)
    assert names == [photo.name for photo in photos]


def test_the_cores_are_shared_between_workers_and_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    cpu, gpu = torch.device("cpu"), torch.device("cuda")
    for cores, cpu_workers, threads, gpu_workers in ((1, 0, 2, 1), (2, 0, 2, 1), (3, 0, 3, 2),
                                                     (4, 1, 3, 3), (6, 1, 5, 5),
                                                     (8, 2, 6, 7), (16, 4, 12, 8),
                                                     (64, 8, 56, 8)):  # fmt: skip
        monkeypatch.setattr(batch_pipeline, "available_cores", lambda cores=cores: cores)
        assert batch_pipeline.default_workers(cpu) == cpu_workers
        assert batch_pipeline.network_threads(cpu_workers) == threads
        assert batch_pipeline.default_workers(gpu) == gpu_workers
    assert available_cores() == len(os.sched_getaffinity(0))


def test_the_networks_threads_are_restored(folder: Path, mobilenet_bundle: ModelBundle) -> None:
    before = torch.get_num_threads()
    seen: list[int] = []
    for _ in screen_photos(find_photos(folder)[:3], mobilenet_bundle, "cpu", threads=1):
        seen.append(torch.get_num_threads())
    assert seen == [1, 1, 1] and torch.get_num_threads() == before
