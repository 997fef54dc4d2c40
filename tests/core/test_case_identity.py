"""The case's "this may be a different person" check (``core.case.identity``), on real
photos: what a texture is, that one face stays near itself, and that a stranger among a
child's photos is picked out (``../shared`` photos; skipped without them)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.conftest import SHARED_FACES
from wbs_desktop.core.case.combine import CasePhoto, combine
from wbs_desktop.core.case.identity import (
    BINS,
    GRID,
    THRESHOLD,
    face_texture,
    odd_ones,
    texture_distance,
)
from wbs_desktop.core.model.card import default_card
from wbs_desktop.core.pipeline.alignment import align_face
from wbs_desktop.core.pipeline.imaging import load_image
from wbs_desktop.core.pipeline.landmarks import detect_faces

# Three photos of one person and one of another, from ../shared (the same person's
# photos are of different days; the stranger is from another collection).
SAME = ("img1.jpg", "img2.jpg", "img4.jpg")
STRANGER = "justadudewhohacks_face-api.js__examples_images_amy_amy1.png"


def _crop(image: np.ndarray, size: int = 224) -> np.ndarray:
    return align_face(image, detect_faces(image)[0], size).image


def _jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB"))


def test_a_texture_is_a_histogram_per_cell_of_the_face_and_of_its_mirror(
    astronaut: np.ndarray,
) -> None:
    texture = face_texture(_crop(astronaut))
    assert texture.shape == (2, GRID * GRID * BINS) and texture.dtype == np.float32
    assert np.allclose(texture.reshape(2, GRID * GRID, BINS).sum(axis=2), 1)
    assert np.array_equal(texture, face_texture(_crop(astronaut)))


def test_one_face_stays_near_itself_resized_recompressed_or_mirrored(astronaut: np.ndarray) -> None:
    crop = _crop(astronaut)
    texture = face_texture(crop)
    assert texture_distance(texture, texture) == 0
    # A selfie camera's mirrored photo of the same face is the same face.
    assert texture_distance(texture, face_texture(crop[:, ::-1])) == pytest.approx(0, abs=1e-4)
    for other in (_crop(_jpeg(astronaut, 60)), _crop(astronaut, 112)):
        assert texture_distance(texture, face_texture(other)) < THRESHOLD / 2


@pytest.fixture(scope="module")
def shared_textures() -> dict[str, np.ndarray]:
    extra = SHARED_FACES.parent / "faces-extra" / STRANGER
    if not SHARED_FACES.is_dir() or not extra.is_file():
        pytest.skip("the real photos of ../shared are absent")
    paths = [SHARED_FACES / name for name in SAME] + [extra]
    return {path.name: face_texture(_crop(load_image(path))) for path in paths}


def test_a_stranger_among_a_persons_photos_is_picked_out(
    shared_textures: dict[str, np.ndarray],
) -> None:
    same = [shared_textures[name] for name in SAME]
    stranger = shared_textures[STRANGER]
    assert odd_ones(same) == ()
    assert odd_ones([*same, stranger]) == (3,)
    # Two photos: which one is the stranger cannot be told, so both are named.
    assert odd_ones([same[0], stranger]) == (0, 1)
    assert odd_ones([same[0], same[1]]) == ()
    assert odd_ones([stranger]) == ()


def test_the_case_result_warns_of_photos_that_count_only(
    shared_textures: dict[str, np.ndarray],
) -> None:
    card = default_card("mobilenet_v2", "test")

    def photo(name: str, excluded: bool = False, textured: bool = True) -> CasePhoto:
        texture = shared_textures[name] if textured else None
        return CasePhoto(name, 0.0, "sha", excluded=excluded, texture=texture)

    mixed = combine([photo(name) for name in (*SAME, STRANGER)], card)
    assert mixed.different_person == (STRANGER,) and mixed.compared == 4
    assert mixed.identity_warning is not None
    assert mixed.identity_warning.startswith(f"{STRANGER} may show a different person")
    two = combine([photo(SAME[0]), photo(STRANGER)], card)
    assert two.identity_warning is not None and "two photos" in two.identity_warning
    # Left out by the clinician, or never textured: not compared, no warning.
    left_out = combine([*(photo(n) for n in SAME), photo(STRANGER, excluded=True)], card)
    untextured = combine([photo(SAME[0]), photo(STRANGER, textured=False)], card)
    assert left_out.identity_warning is None and untextured.identity_warning is None
    assert untextured.compared == 1
