"""Tests for core.pipeline.imaging: formats, orientation, colour modes, caps, hostile input."""

from __future__ import annotations

import io
import os
import shutil
import struct
import tempfile
import warnings
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from skimage import data as skdata

from wbs_desktop.core.errors import ImageError, WBSError
from wbs_desktop.core.pipeline.imaging import (
    MAX_FILE_BYTES,
    MAX_PIXELS,
    MIN_SIDE,
    SUPPORTED_SUFFIXES,
    is_supported_suffix,
    load_image,
)

# --- helpers -------------------------------------------------------------------------------


def encode(array: np.ndarray | Image.Image, fmt: str, **params: object) -> bytes:
    image = array if isinstance(array, Image.Image) else Image.fromarray(array)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def astronaut(size: int | None = None) -> np.ndarray:
    image = skdata.astronaut()
    if size is not None:
        image = np.asarray(Image.fromarray(image).resize((size, size), Image.Resampling.BILINEAR))
    return np.ascontiguousarray(image)


def grace_hopper_bytes() -> bytes:
    import matplotlib.cbook

    sample = matplotlib.cbook.get_sample_data("grace_hopper.jpg")
    if hasattr(sample, "read"):  # a file object in recent matplotlib, a path in older ones
        with sample:
            return sample.read()
    return Path(sample).read_bytes()


def quadrants(height: int = 64, width: int = 96) -> np.ndarray:
    """Four flat colours: every rotation or mirror of it is a different picture."""
    image = np.empty((height, width, 3), np.uint8)
    h, w = height // 2, width // 2
    image[:h, :w] = (220, 30, 30)
    image[:h, w:] = (30, 200, 40)
    image[h:, :w] = (40, 40, 210)
    image[h:, w:] = (230, 220, 40)
    return image


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def png_bytes(width: int, height: int, idat: bytes) -> bytes:
    """An 8-bit greyscale PNG with the given (possibly bogus) compressed pixel data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def black_png_bytes(width: int, height: int) -> bytes:
    """A valid all-black PNG, compressed row by row so the test never holds the raw pixels."""
    compressor = zlib.compressobj(9)
    row = bytes(width + 1)  # filter byte 0 + zero pixels
    chunks = [compressor.compress(row) for _ in range(height)]
    chunks.append(compressor.flush())
    return png_bytes(width, height, b"".join(chunks))


def image_error(source: object, **kwargs: object) -> str:
    with pytest.raises(ImageError) as caught:
        load_image(source, **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    assert_plain(message)
    return message


def assert_plain(message: str) -> None:
    """A sentence for a clinician: no library jargon, no error codes."""
    assert message.endswith("."), message
    for jargon in ("PIL", "Errno", "cannot identify", "Traceback", "cv2", "0x"):
        assert jargon not in message, message


def assert_rgb8(image: np.ndarray) -> None:
    assert isinstance(image, np.ndarray)
    assert image.dtype == np.uint8
    assert image.ndim == 3 and image.shape[2] == 3
    assert image.flags.c_contiguous


# --- ordinary photos -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "params", "exact"),
    [
        ("PNG", {}, True),
        ("BMP", {}, True),
        ("TIFF", {}, True),
        ("TIFF", {"compression": "tiff_lzw"}, True),
        ("WEBP", {"lossless": True}, True),
        ("JPEG", {"quality": 95}, False),
        ("WEBP", {"quality": 90}, False),
    ],
)
def test_each_format_loads_the_astronaut(fmt: str, params: dict, exact: bool) -> None:
    original = astronaut()
    loaded = load_image(encode(original, fmt, **params))
    assert_rgb8(loaded)
    assert loaded.shape == original.shape
    if exact:
        np.testing.assert_array_equal(loaded, original)
    else:
        assert np.abs(loaded.astype(int) - original).mean() < 4


def test_grace_hopper_jpeg_matches_a_plain_decode(tmp_path: Path) -> None:
    raw = grace_hopper_bytes()
    path = tmp_path / "grace_hopper.jpg"
    path.write_bytes(raw)
    expected = np.asarray(Image.open(io.BytesIO(raw)).convert("RGB"))
    for source in (path, str(path), raw):
        loaded = load_image(source)
        assert_rgb8(loaded)
        np.testing.assert_array_equal(loaded, expected)


def test_result_is_writable_and_owns_its_memory() -> None:
    loaded = load_image(encode(astronaut(64), "PNG"))
    assert loaded.flags.writeable
    loaded[0, 0] = 1  # must not raise


def test_bytes_like_sources_agree() -> None:
    encoded = encode(astronaut(64), "PNG")
    expected = load_image(encoded)
    np.testing.assert_array_equal(load_image(bytearray(encoded)), expected)
    np.testing.assert_array_equal(load_image(memoryview(encoded)), expected)
    # A non-contiguous view (every byte twice, take every other) still reads as the file.
    doubled = np.repeat(np.frombuffer(encoded, np.uint8), 2)
    np.testing.assert_array_equal(load_image(memoryview(doubled)[::2]), expected)


def test_unicode_path(tmp_path: Path) -> None:
    original = astronaut(64)
    path = tmp_path / "фото_照片 é.png"
    path.write_bytes(encode(original, "PNG"))
    np.testing.assert_array_equal(load_image(path), original)
    np.testing.assert_array_equal(load_image(str(path)), original)


def test_content_is_sniffed_not_the_suffix(tmp_path: Path) -> None:
    original = astronaut(64)
    mislabelled = tmp_path / "really_a_png.jpg"
    mislabelled.write_bytes(encode(original, "PNG"))
    np.testing.assert_array_equal(load_image(mislabelled), original)

    text = tmp_path / "notes.jpg"
    text.write_text("Patient seen on Monday; photo to follow.\n" * 20, encoding="utf-8")
    message = image_error(text)
    assert "'notes.jpg'" in message
    assert "not a readable photo" in message


def test_phone_mpo_jpeg_gives_the_first_picture() -> None:
    first, second = astronaut(64), quadrants(64, 64)
    encoded = encode(
        Image.fromarray(first),
        "MPO",
        save_all=True,
        append_images=[Image.fromarray(second)],
        quality=95,
    )
    assert Image.open(io.BytesIO(encoded)).format == "MPO"
    loaded = load_image(encoded)
    assert np.abs(loaded.astype(int) - first).mean() < 6


# --- EXIF orientation ----------------------------------------------------------------------

# What the camera stores for each EXIF orientation, written from the tag's definition (which
# visual side the stored 0th row and 0th column show), independently of Pillow's table.
STORED_FOR_ORIENTATION = {
    1: lambda u: u,
    2: lambda u: u[:, ::-1],  # row 0 = top, column 0 = right
    3: lambda u: u[::-1, ::-1],  # bottom, right
    4: lambda u: u[::-1, :],  # bottom, left
    5: lambda u: u.transpose(1, 0, 2),  # row 0 = left side, column 0 = top
    6: lambda u: np.rot90(u, 1),  # right side, top
    7: lambda u: u[::-1, ::-1].transpose(1, 0, 2),  # right side, bottom
    8: lambda u: np.rot90(u, -1),  # left side, bottom
}


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize(
    ("fmt", "params"),
    [("PNG", {}), ("TIFF", {}), ("WEBP", {"lossless": True}), ("JPEG", {"quality": 95})],
)
def test_exif_orientation_is_applied_once(orientation: int, fmt: str, params: dict) -> None:
    upright = quadrants()
    stored = np.ascontiguousarray(STORED_FOR_ORIENTATION[orientation](upright))
    exif = Image.Exif()
    exif[0x0112] = orientation
    encoded = encode(stored, fmt, exif=exif, **params)
    assert Image.open(io.BytesIO(encoded)).getexif().get(0x0112) == orientation

    loaded = load_image(encoded)
    assert loaded.shape == upright.shape
    if fmt == "JPEG":
        assert np.abs(loaded.astype(int) - upright).mean() < 4
    else:
        np.testing.assert_array_equal(loaded, upright)


def test_broken_exif_keeps_the_photo() -> None:
    original = astronaut(64)
    # Not even a TIFF header: Pillow's EXIF parser raises on it (SyntaxError).
    encoded = encode(original, "PNG", exif=b"Exif\x00\x00XX garbage")
    np.testing.assert_array_equal(load_image(encoded), original)


# --- colour modes --------------------------------------------------------------------------


def test_greyscale_and_one_bit() -> None:
    grey = astronaut(64).mean(axis=2).astype(np.uint8)
    loaded = load_image(encode(grey, "PNG"))
    np.testing.assert_array_equal(loaded, np.repeat(grey[:, :, None], 3, axis=2))

    bits = Image.fromarray(grey > 128).convert("1")
    loaded = load_image(encode(bits, "BMP"))
    expected = np.where(grey > 128, 255, 0).astype(np.uint8)
    np.testing.assert_array_equal(loaded, np.repeat(expected[:, :, None], 3, axis=2))


def test_palette_image() -> None:
    original = quadrants()
    palette = Image.fromarray(original).quantize(colors=4)
    assert palette.mode == "P"
    np.testing.assert_array_equal(load_image(encode(palette, "PNG")), original)


def test_palette_transparency_becomes_white_not_black() -> None:
    indices = np.zeros((48, 48), np.uint8)
    indices[12:36, 12:36] = 1
    image = Image.fromarray(indices, mode="P")
    image.putpalette([0, 0, 0, 200, 20, 20] + [0] * 762)
    loaded = load_image(encode(image, "PNG", transparency=0))
    assert (loaded[0, 0] == 255).all()
    assert tuple(loaded[24, 24]) == (200, 20, 20)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "TIFF"])
def test_alpha_is_composited_on_white(fmt: str) -> None:
    rgba = np.zeros((40, 40, 4), np.uint8)  # transparent black background
    rgba[10:30, 10:30] = (200, 20, 20, 255)  # opaque red square
    rgba[0:5, 10:30] = (0, 0, 0, 128)  # half-transparent black
    params = {"lossless": True} if fmt == "WEBP" else {}
    loaded = load_image(encode(Image.fromarray(rgba, "RGBA"), fmt, **params)).astype(int)
    assert (loaded[35, 35] == 255).all()
    assert tuple(loaded[20, 20]) == (200, 20, 20)
    assert np.all(np.abs(loaded[2, 20] - 127) <= 1)


def test_grey_with_alpha_is_composited_on_white() -> None:
    la = np.zeros((40, 40, 2), np.uint8)
    la[10:30, 10:30] = (100, 255)
    loaded = load_image(encode(Image.fromarray(la, "LA"), "PNG"))
    assert (loaded[0, 0] == 255).all()
    assert (loaded[20, 20] == 100).all()


def test_cmyk_jpeg_keeps_its_colours() -> None:
    original = quadrants()
    cmyk = Image.fromarray(original).convert("CMYK")
    encoded = encode(cmyk, "JPEG", quality=95)
    reopened = Image.open(io.BytesIO(encoded))
    assert reopened.mode == "CMYK"
    assert "adobe" in reopened.info  # Adobe-style CMYK, stored inverted
    loaded = load_image(encoded)
    assert np.abs(loaded.astype(int) - original).mean() < 4


GRADIENT_16 = np.linspace(0, 65535, 512).round().astype(np.uint16)


def assert_scaled_16_bit(channel: np.ndarray, gradient: np.ndarray) -> None:
    """The 16-bit gradient maps onto 0..255 monotonically, scaled, not clipped at 255."""
    assert channel[0] == 0 and channel[-1] == 255
    assert np.all(np.diff(channel.astype(int)) >= 0)
    assert np.abs(channel.astype(int) - gradient.astype(int) / 257).max() <= 1
    assert np.count_nonzero(channel == 255) <= 3


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_16_bit_greyscale_is_scaled(fmt: str) -> None:
    grey = np.tile(GRADIENT_16, (32, 1))
    image = Image.fromarray(grey)
    assert image.mode.startswith("I;16")
    loaded = load_image(encode(image, fmt))
    assert np.array_equal(loaded[..., 0], loaded[..., 1])
    assert_scaled_16_bit(loaded[5, :, 0], GRADIENT_16)


@pytest.mark.parametrize("suffix", [".png", ".tiff"])
@pytest.mark.parametrize("alpha", [False, True])
def test_16_bit_colour_is_scaled_in_channel_order(suffix: str, alpha: bool) -> None:
    rows = 32
    red = np.tile(GRADIENT_16, (rows, 1))
    green = red[:, ::-1]
    blue = np.full_like(red, 32768)
    planes = [blue, green, red]  # OpenCV writes BGR(A)
    if alpha:
        planes.append(np.full_like(red, 65535))
    ok, encoded = cv2.imencode(suffix, np.dstack(planes))
    assert ok
    loaded = load_image(encoded.tobytes())
    assert_scaled_16_bit(loaded[3, :, 0], GRADIENT_16)
    assert_scaled_16_bit(loaded[3, ::-1, 1], GRADIENT_16)
    assert np.all(np.abs(loaded[..., 2].astype(int) - 128) <= 1)


def test_float_tiff_in_unit_range() -> None:
    ramp = np.tile(np.linspace(0.0, 1.0, 256, dtype=np.float32), (32, 1))
    loaded = load_image(encode(Image.fromarray(ramp, "F"), "TIFF"))
    expected = np.rint(ramp * 255).astype(np.uint8)
    np.testing.assert_array_equal(loaded[..., 1], expected)


def test_32_bit_integer_tiff_in_16_bit_range() -> None:
    ramp = np.tile(GRADIENT_16.astype(np.int32), (32, 1))
    image = Image.fromarray(ramp, "I")
    loaded = load_image(encode(image, "TIFF"))
    assert_scaled_16_bit(loaded[0, :, 0], GRADIENT_16)


# --- size limits ---------------------------------------------------------------------------


def test_caps_have_sane_defaults() -> None:
    assert 10_000_000 <= MAX_FILE_BYTES <= 500_000_000
    assert 12_000_000 <= MAX_PIXELS <= 2 * Image.MAX_IMAGE_PIXELS
    assert MIN_SIDE == 32


def test_byte_cap_is_inclusive_for_bytes_and_paths(tmp_path: Path) -> None:
    encoded = encode(astronaut(64), "PNG")
    path = tmp_path / "photo.png"
    path.write_bytes(encoded)
    for source in (encoded, path):
        load_image(source, max_bytes=len(encoded))
        assert "too large" in image_error(source, max_bytes=len(encoded) - 1)


def test_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.tif"
    with open(path, "wb") as handle:  # sparse: no disk space or time spent
        handle.truncate(MAX_FILE_BYTES + 1)
    message = image_error(path)
    assert "'huge.tif'" in message and "too large" in message
    assert "(100 MB; the limit is 100 MB)" not in message  # the two sizes must differ


def test_pixel_cap_is_inclusive() -> None:
    encoded = encode(astronaut(), "PNG")
    load_image(encoded, max_pixels=512 * 512)
    message = image_error(encoded, max_pixels=512 * 512 - 1)
    assert "512 x 512" in message and "too large" in message


def test_valid_picture_over_the_pixel_cap_is_refused() -> None:
    side = 8000  # 64 MP: over our cap, under Pillow's own warning limit
    assert side * side > MAX_PIXELS and side * side < Image.MAX_IMAGE_PIXELS
    encoded = black_png_bytes(side, side)
    assert len(encoded) < 200_000
    message = image_error(encoded)
    assert f"{side} x {side}" in message


def test_pixel_cap_is_checked_before_decoding() -> None:
    # The pixel data is garbage: had it been decoded first, the error would say "damaged".
    message = image_error(png_bytes(9000, 9000, b"not zlib data at all"))
    assert "9000 x 9000" in message and "too large" in message


@pytest.mark.parametrize("side", [10_000, 30_000])
def test_decompression_bombs_are_image_errors_without_warnings(side: int) -> None:
    # 100 MP trips Pillow's warning, 900 MP its DecompressionBombError: both must become ours.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        message = image_error(png_bytes(side, side, b"\x78\x9c\x03\x00\x00\x00\x00\x01"))
    assert "too large" in message
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]


@pytest.mark.parametrize(("width", "height"), [(31, 200), (200, 31), (8, 8)])
def test_tiny_pictures_are_refused(width: int, height: int) -> None:
    tiny = np.full((height, width, 3), 128, np.uint8)
    assert "too small to analyse" in image_error(encode(tiny, "PNG"))


def test_smallest_accepted_picture() -> None:
    small = np.full((MIN_SIDE, MIN_SIDE, 3), 128, np.uint8)
    assert load_image(encode(small, "PNG")).shape == (MIN_SIDE, MIN_SIDE, 3)


# --- unreadable files ----------------------------------------------------------------------


def test_missing_file_names_only_the_file(tmp_path: Path) -> None:
    message = image_error(tmp_path / "absent.jpg")
    assert "'absent.jpg'" in message and "could not be found" in message
    assert str(tmp_path) not in message


def test_missing_folder_in_path(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"x")
    assert "could not be found" in image_error(tmp_path / "file" / "photo.jpg")


def test_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "Photos"
    folder.mkdir()
    assert "'Photos' is a folder" in image_error(folder)


@pytest.mark.timeout(20)
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    assert "not an ordinary file" in image_error(fifo)


def test_unreadable_permissions(tmp_path: Path) -> None:
    if not hasattr(os, "geteuid"):
        pytest.skip("POSIX permissions only")
    if os.geteuid() != 0:
        path = tmp_path / "locked.png"
        path.write_bytes(encode(astronaut(64), "PNG"))
        path.chmod(0)
        message = image_error(path)
    else:
        # root reads anything: drop the effective user id to "nobody" for the attempt (the
        # saved id stays root, so it can be restored).
        folder = tempfile.mkdtemp(prefix="wbs-perm-")
        try:
            os.chmod(folder, 0o711)
            path = Path(folder) / "locked.png"
            path.write_bytes(encode(astronaut(64), "PNG"))
            path.chmod(0)
            try:
                os.seteuid(65534)
            except OSError as exc:
                pytest.skip(f"cannot switch to an unprivileged user: {exc}")
            try:
                with pytest.raises(ImageError) as caught:
                    load_image(path)
            finally:
                os.seteuid(0)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        message = str(caught.value)
        assert_plain(message)
    assert "'locked.png'" in message and "permission denied" in message


def test_empty_file_and_empty_bytes(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    assert "'empty.jpg' is empty" in image_error(path)
    assert "is empty" in image_error(b"")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF", "BMP"])
def test_truncated_files(tmp_path: Path, fmt: str) -> None:
    encoded = encode(astronaut(), fmt)
    path = tmp_path / f"half.{fmt.lower()}"
    path.write_bytes(encoded[: len(encoded) // 2])
    message = image_error(path)
    assert f"'half.{fmt.lower()}'" in message


def test_truncated_jpeg_and_png_say_incomplete() -> None:
    for fmt in ("JPEG", "PNG"):
        encoded = encode(astronaut(), fmt)
        assert "incomplete" in image_error(encoded[: len(encoded) // 2])


@pytest.mark.parametrize(
    ("head", "named"),
    [
        (b"GIF89a\x40\x00\x40\x00\x80\x00\x00", "GIF"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIC"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1", "AVIF"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 64 64\n", "EPS"),
        (b"8BPS\x00\x01\x00\x00\x00\x00\x00\x00\x00\x03", "Photoshop"),
    ],
)
def test_other_formats_are_refused_by_name(head: bytes, named: str) -> None:
    message = image_error(head + bytes(2048))
    assert named in message and "JPEG, PNG" in message


@pytest.mark.parametrize("fmt", ["GIF", "ICO", "PPM", "TGA", "PCX", "JPEG2000", "EPS"])
def test_real_files_in_other_formats_are_refused(fmt: str) -> None:
    if fmt == "EPS" and shutil.which("gs") is None:
        # Pillow cannot even write EPS without Ghostscript: use a minimal hand-written one.
        encoded = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 64 64\nshowpage\n"
    else:
        encoded = encode(astronaut(64), fmt)
    with pytest.raises(ImageError):
        load_image(encoded)


def test_other_pillow_plugins_never_see_the_data() -> None:
    # A real plugin registered for the test: if load_image let Pillow try every plugin (as
    # EPS would, handing the file to Ghostscript), this one would be asked too.
    asked: list[bytes] = []

    def accept(prefix: bytes) -> bool:
        asked.append(prefix[:8])
        return prefix.startswith(b"WBSPROBE")

    class ProbeImageFile(Image.Image):
        format = "WBSPROBE"

    Image.init()
    Image.register_open("WBSPROBE", ProbeImageFile, accept)
    try:
        with pytest.raises(ImageError):
            load_image(b"WBSPROBE" + bytes(1000))
    finally:
        Image.OPEN.pop("WBSPROBE", None)
        if "WBSPROBE" in Image.ID:
            Image.ID.remove("WBSPROBE")
    assert asked == []


def test_wrong_argument_type_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        load_image(42)  # type: ignore[arg-type]


def test_image_error_is_a_wbs_error() -> None:
    with pytest.raises(WBSError):
        load_image(b"\x00")


def test_decoder_failure_keeps_its_cause() -> None:
    with pytest.raises(ImageError) as caught:
        load_image(b"definitely not a picture" * 10)
    assert caught.value.__cause__ is not None


# --- fuzzing -------------------------------------------------------------------------------

SEED_FORMATS = {"JPEG": {"quality": 85}, "PNG": {}, "WEBP": {"quality": 80}, "TIFF": {}, "BMP": {}}
SEEDS = {fmt: encode(astronaut(64), fmt, **params) for fmt, params in SEED_FORMATS.items()}


def assert_image_or_image_error(payload: bytes) -> None:
    try:
        result = load_image(payload)
    except ImageError as exc:
        assert str(exc)
        return
    assert_rgb8(result)
    assert min(result.shape[:2]) >= MIN_SIDE


@st.composite
def mutated_files(draw: st.DrawFn) -> bytes:
    payload = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(1, 4))):
        # Headers hold the dangerous fields (sizes, offsets, counts): aim there half the time.
        end = max(len(payload) - 1, 0)
        pos = draw(st.one_of(st.integers(0, min(64, end)), st.integers(0, end)))
        action = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "overwrite"]))
        if action == "flip" and payload:
            payload[pos] ^= draw(st.integers(1, 255))
        elif action == "truncate":
            del payload[pos:]
        elif action == "insert":
            payload[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif action == "delete":
            del payload[pos : pos + draw(st.integers(1, 64))]
        else:
            chunk = draw(st.sampled_from([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff"]))
            payload[pos : pos + len(chunk)] = chunk
    return bytes(payload)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated_files())
def test_fuzzed_files_give_an_image_or_an_image_error(payload: bytes) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow may warn about corrupt metadata
        assert_image_or_image_error(payload)


def test_random_bytes_corpus() -> None:
    rng = np.random.default_rng(20240601)
    magics = [b"", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"BM", b"II*\x00", b"MM\x00*"]
    magics.append(b"RIFF\x00\x01\x00\x00WEBPVP8 ")
    count = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for magic in magics:
            for length in (0, 1, 2, 3, 7, 16, 64, 257, 1000, 4096, 65536):
                for _ in range(3):
                    noise = rng.integers(0, 256, length, dtype=np.uint8).tobytes()
                    assert_image_or_image_error(magic + noise)
                    count += 1
    assert count == len(magics) * 11 * 3


# --- suffixes ------------------------------------------------------------------------------


def test_supported_suffixes() -> None:
    assert all(s.startswith(".") and s == s.lower() for s in SUPPORTED_SUFFIXES)
    for name in ("a.jpg", "b.JPEG", "c.png", "d.Tif", "e.tiff", "f.webp", "g.bmp", "фото.JPG"):
        assert is_supported_suffix(name), name
    assert is_supported_suffix(Path("dir.d") / "x.jpeg")
    for name in ("a.gif", "b.heic", "c.pdf", "d", "e.jpg.txt", ".png.bak", "jpg"):
        assert not is_supported_suffix(name), name
