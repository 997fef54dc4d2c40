"""Turn a photo file (or its bytes) into an upright 8-bit RGB array, refusing hostile input.

This is the only door through which pixels enter the app, the CLI and training, so it
is deliberately strict:

* only JPEG (including phones' multi-picture MPO JPEGs), PNG, BMP, TIFF and WebP are
  decoded; Pillow is told not to try any other plugin, so e.g. EPS/PostScript never
  reaches Ghostscript;
* the file size is checked before reading and the pixel count from the header before
  decoding, so a small file that inflates to gigabytes is refused cheaply;
* truncated files are errors, not half-grey pictures;
* every failure becomes :class:`~wbs_desktop.core.errors.ImageError` whose message is one
  sentence a clinician can act on; nothing else escapes for any file content.
"""

from __future__ import annotations

import io
import os
import stat
import threading
import warnings

import numpy as np
from PIL import Image, ImageFile, ImageOps

from wbs_desktop.core.errors import ImageError
from wbs_desktop.core.i18n import N_, _

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "MIN_SIDE",
    "SUPPORTED_SUFFIXES",
    "ImageSource",
    "is_supported_suffix",
    "load_image",
]

#: Largest file accepted, in bytes. Phone and DSLR JPEGs are 2-20 MB; uncompressed TIFFs of a
#: 50-megapixel photo are ~150 MB, but nobody screens faces at that resolution.
MAX_FILE_BYTES = 100_000_000
#: Largest picture accepted, in pixels (width x height), checked before decoding. The
#: decoded RGB array is 3 bytes per pixel, so 50 MP is ~150 MB of memory.
MAX_PIXELS = 50_000_000
#: Smallest side accepted, in pixels; below this no face can be analysed.
MIN_SIDE = 32

#: File name endings offered by file dialogs and picked up by batch folder scans.
SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".jpg",
    ".jpeg",
    ".jpe",
    ".jfif",
    ".png",
    ".bmp",
    ".tif",
    ".tiff",
    ".webp",
)

ImageSource = str | os.PathLike[str] | os.PathLike[bytes] | bytes | bytearray | memoryview

# Pillow plugins allowed to identify the data. Content is sniffed, not the file name, so a
# PNG saved as "photo.jpg" still loads.
_PIL_FORMATS = ("JPEG", "PNG", "BMP", "TIFF", "WEBP")
# The JPEG plugin reports "MPO" for JPEGs carrying a second picture (many phone cameras).
_ACCEPTED_FORMATS = frozenset(_PIL_FORMATS) | {"MPO"}
_FORMAT_LIST = N_("JPEG, PNG, BMP, TIFF or WebP")

# A truncated photo must be an error: Pillow's default, restated in case another import
# changed it, since a half-decoded face would be analysed as if it were whole.
ImageFile.LOAD_TRUNCATED_IMAGES = False

_WARNINGS_LOCK = threading.Lock()

_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})


def is_supported_suffix(path: str | os.PathLike[str] | os.PathLike[bytes]) -> bool:
    """Whether the file name ends in one of :data:`SUPPORTED_SUFFIXES` (case-insensitive).

    Only for choosing files to offer or scan; :func:`load_image` itself sniffs content.
    """
    suffix = os.path.splitext(os.fsdecode(path))[1]
    return suffix.lower() in SUPPORTED_SUFFIXES


def load_image(
    source: ImageSource, *, max_pixels: int = MAX_PIXELS, max_bytes: int = MAX_FILE_BYTES
) -> np.ndarray:
    """Read a photo and return it upright as a C-contiguous ``uint8`` array of shape (H, W, 3).

    ``source`` is a file path or the encoded file's bytes. The EXIF orientation is applied
    (once); transparency is flattened onto white; 16-bit and floating-point pictures are
    scaled, not clipped, into 0-255. Only the first frame of a multi-frame file is read.

    ``max_pixels`` cannot usefully exceed twice ``PIL.Image.MAX_IMAGE_PIXELS`` (~179 MP by
    default): Pillow refuses such pictures itself, and that refusal is reported the same way.

    Raises:
        ImageError: for anything about the file or its content (missing, folder, no
            permission, empty, too large, too small, damaged, truncated, unsupported).
        TypeError: if ``source`` is neither a path nor bytes (a programming error).
        ValueError: if ``max_pixels`` or ``max_bytes`` is not positive.
    """
    if max_pixels <= 0 or max_bytes <= 0:
        raise ValueError("max_pixels and max_bytes must be positive")
    if isinstance(source, (bytes, bytearray, memoryview)):
        subject = _("The image data")
        data = _bytes_from_buffer(source, subject, max_bytes)
    elif isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        text_path = os.fsdecode(path)
        name = os.path.basename(text_path.rstrip("/\\")) or text_path
        name = "".join(char if char.isprintable() else "?" for char in name)
        subject = _("The file '{name}'").format(name=name)
        data = _read_file(path, name, subject, max_bytes)
    else:
        raise TypeError(f"load_image() takes a path or bytes, not {type(source).__name__}")
    return _decode(data, subject, max_pixels)


# --- reading -------------------------------------------------------------------------------


def _bytes_from_buffer(
    source: bytes | bytearray | memoryview, subject: str, max_bytes: int
) -> bytes:
    size = source.nbytes if isinstance(source, memoryview) else len(source)
    _check_byte_count(size, subject, max_bytes)
    if isinstance(source, memoryview):
        return source.tobytes()  # also handles non-contiguous views
    return bytes(source)


def _read_file(path: str | bytes, name: str, subject: str, max_bytes: int) -> bytes:
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise ImageError(
                _("'{name}' is a folder, not a photo file. Choose a photo inside it.").format(
                    name=name
                )
            )
        if not stat.S_ISREG(info.st_mode):
            # Devices and pipes (/dev/zero, a FIFO) could block or never end.
            raise ImageError(
                _("{subject} is not an ordinary file, so it cannot be read as a photo.").format(
                    subject=subject
                )
            )
        _check_byte_count(info.st_size, subject, max_bytes)
        with open(path, "rb") as handle:
            # One byte more than allowed, in case the file grew after the stat.
            data = handle.read(max_bytes + 1)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise ImageError(
            _(
                "{subject} could not be found. Check that it has not been moved, renamed or "
                "deleted."
            ).format(subject=subject)
        ) from exc
    except PermissionError as exc:
        raise ImageError(
            _(
                "{subject} could not be opened because this computer account is not allowed to "
                "read it (permission denied)."
            ).format(subject=subject)
        ) from exc
    except IsADirectoryError as exc:
        raise ImageError(_("'{name}' is a folder, not a photo file.").format(name=name)) from exc
    except (OSError, ValueError) as exc:
        # ValueError: e.g. a NUL character in the path; OSError: disk or network errors.
        reason = getattr(exc, "strerror", None) or _("the file name or the disk is not valid")
        raise ImageError(
            _("{subject} could not be read ({reason}).").format(subject=subject, reason=reason)
        ) from exc
    _check_byte_count(len(data), subject, max_bytes)
    return data


def _check_byte_count(size: int, subject: str, max_bytes: int) -> None:
    if size == 0:
        raise ImageError(_("{subject} is empty: it contains no picture.").format(subject=subject))
    if size > max_bytes:
        raise ImageError(
            _(
                "{subject} is too large ({size}; the limit is {limit}). "
                "Please use a smaller copy of the photo."
            ).format(
                subject=subject, size=_megabytes(size, max_bytes), limit=_megabytes(max_bytes, size)
            )
        )


def _megabytes(size: int, other: int) -> str:
    """``size`` in MB (or bytes when small), precise enough to differ from ``other``."""
    if max(size, other) < 100_000:
        return _("{count} bytes").format(count=size)
    return _("{count} MB").format(count=_distinct(size / 1e6, other / 1e6))


def _distinct(value: float, other: float) -> str:
    """Round ``value`` to as few significant digits (at least 3) as tell it from ``other``."""
    for digits in range(3, 12):
        text = f"{value:.{digits}g}"
        if text != f"{other:.{digits}g}":
            return text
    return f"{value:.12g}"


# --- decoding ------------------------------------------------------------------------------


def _decode(data: bytes, subject: str, max_pixels: int) -> np.ndarray:
    refused = _refused_format_name(data)
    if refused is not None:
        raise ImageError(
            _(
                "{subject} is a {kind}, which this program cannot read. "
                "Please save or export the photo as {formats}."
            ).format(subject=subject, kind=_(refused), formats=_(_FORMAT_LIST))
        )
    try:
        return _decode_unchecked(data, subject, max_pixels)
    except ImageError:
        raise
    except MemoryError as exc:
        raise ImageError(
            _(
                "There is not enough free memory to open {subject}. "
                "Close other programs or use a smaller copy of the photo."
            ).format(subject=_lower_first(subject))
        ) from exc
    except Image.DecompressionBombError as exc:
        # Pillow refuses above twice its own limit, whatever max_pixels says.
        limit = min(max_pixels, 2 * (Image.MAX_IMAGE_PIXELS or max_pixels))
        raise ImageError(
            _(
                "{subject} describes a picture too large to open safely (more than "
                "{limit} megapixels). Please use a smaller copy of the photo."
            ).format(subject=subject, limit=f"{limit / 1e6:.3g}")
        ) from exc
    except Exception as exc:  # any decoder failure means the same to the user
        if isinstance(exc, EOFError) or "truncated" in str(exc).lower():
            raise ImageError(
                _(
                    "{subject} is incomplete: only part of the picture is there (it may not have "
                    "been fully copied or downloaded)."
                ).format(subject=subject)
            ) from exc
        raise ImageError(
            _(
                "{subject} is not a readable photo (it may be damaged or in an unsupported "
                "format; {formats} photos are supported)."
            ).format(subject=subject, formats=_(_FORMAT_LIST))
        ) from exc


def _decode_unchecked(data: bytes, subject: str, max_pixels: int) -> np.ndarray:
    # Pillow warns above its own global limit; our max_pixels check below decides, so the
    # warning would only be noise (its hard error above twice that limit still applies).
    # catch_warnings swaps process-wide state: the lock keeps concurrent loads (batch
    # workers) from restoring each other's filters, and the window is the header parse only.
    with _WARNINGS_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=_PIL_FORMATS)
    with image:
        if image.format not in _ACCEPTED_FORMATS:
            raise ImageError(
                _(
                    "{subject} is in a format this program does not read ({format}). "
                    "Please save it as {formats}."
                ).format(subject=subject, format=image.format, formats=_(_FORMAT_LIST))
            )
        width, height = image.size  # from the header: nothing is decoded yet
        if width * height > max_pixels:
            raise ImageError(
                _(
                    "{subject} is too large: {width} x {height} pixels, about {size} megapixels "
                    "(the limit is {limit}). Please use a smaller copy of the photo."
                ).format(
                    subject=subject,
                    width=width,
                    height=height,
                    size=_distinct(width * height / 1e6, max_pixels / 1e6),
                    limit=_distinct(max_pixels / 1e6, width * height / 1e6),
                )
            )
        if min(width, height) < MIN_SIDE:
            raise ImageError(
                _(
                    "{subject} is too small to analyse ({width} x {height} pixels; at least "
                    "{side} x {side} are needed)."
                ).format(subject=subject, width=width, height=height, side=MIN_SIDE)
            )
        image.load()
        upright = _exif_upright(image)
        array = _to_rgb8(upright)
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
        raise ImageError(
            _("{subject} has a colour layout this program cannot read.").format(subject=subject)
        )
    return array


def _exif_upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation tag, which cameras set instead of rotating the pixels."""
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:
        # Broken EXIF metadata beside intact pixels: keep the photo as stored rather than
        # refuse it; a sideways face is caught later by the face and pose checks.
        return image
    return image if upright is None else upright


def _to_rgb8(image: Image.Image) -> np.ndarray:
    mode = image.mode
    if mode.startswith("I;16"):
        # Image.convert("L") would clip 16-bit values at 255; keep the high byte instead.
        wide = np.asarray(image).astype(np.uint16, copy=False)
        return _gray_to_rgb((wide >> 8).astype(np.uint8))
    if mode in ("I", "F"):
        return _gray_to_rgb(_scale_to_uint8(np.asarray(image, dtype=np.float32)))
    if mode in _ALPHA_MODES or "transparency" in image.info:
        # Flatten on white: a transparent background must not turn black.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    return np.array(rgb, dtype=np.uint8, order="C")


def _scale_to_uint8(values: np.ndarray) -> np.ndarray:
    """Map 32-bit integer or float grey levels to 0-255, guessing the range from the data.

    Such files are rare for photos; the usual conventions are 0-1 (float), 0-255 and
    0-65535 (16-bit stored as 32-bit). Anything beyond is stretched to its own maximum.
    """
    values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    np.maximum(values, 0.0, out=values)
    top = float(values.max()) if values.size else 0.0
    if top <= 1.0:
        scale = 255.0
    elif top <= 255.0:
        scale = 1.0
    elif top <= 65535.0:
        scale = 255.0 / 65535.0
    else:
        scale = 255.0 / top
    values *= scale
    np.rint(values, out=values)
    np.clip(values, 0.0, 255.0, out=values)
    return values.astype(np.uint8)


def _gray_to_rgb(gray: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))


def _refused_format_name(data: bytes) -> str | None:
    """Name a common format we do not read, so the message can say what to do about it."""
    head = data[:32]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return N_("GIF image")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return N_("AVIF image")
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"):
            return N_("HEIC/HEIF photo (the usual iPhone format)")
    if head.startswith(b"%PDF"):
        return N_("PDF document")
    if head.startswith((b"%!PS", b"\xc5\xd0\xd3\xc6")):
        return N_("PostScript/EPS document")
    if head.startswith(b"8BPS"):
        return N_("Photoshop (PSD) document")
    if head.startswith((b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")):
        return N_("JPEG 2000 image")
    return None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
