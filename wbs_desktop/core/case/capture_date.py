"""When a photo was taken, from its EXIF metadata: the date a case starts from for the
child's age at the photo, which the clinician can correct."""

from __future__ import annotations

import io
from datetime import date, datetime

from PIL import Image

_EXIF_IFD = 0x8769
_DATE_TIME_ORIGINAL = 36867  # in the EXIF IFD: when the picture was taken
_DATE_TIME = 306  # in IFD0: when the file was last changed, the fallback
_EXIF_FORMAT = "%Y:%m:%d %H:%M:%S"


def capture_date(data: bytes) -> date | None:
    """The EXIF date of an encoded photo, or None when it has none or none that parses.

    Metadata is optional and often damaged: any failure to read it means "no date" and
    never stops the photo from being analysed (its pixels are decoded elsewhere, with their
    own checks).
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            stamp = exif.get_ifd(_EXIF_IFD).get(_DATE_TIME_ORIGINAL) or exif.get(_DATE_TIME)
    except Exception:  # noqa: BLE001 - Pillow's EXIF parser raises many kinds on bad data
        return None
    if isinstance(stamp, bytes):
        stamp = stamp.decode("ascii", "replace")
    if not isinstance(stamp, str):
        return None
    try:
        return datetime.strptime(stamp.strip("\x00 ")[:19], _EXIF_FORMAT).date()
    except ValueError:  # "0000:00:00 00:00:00", blanks, a camera's own format
        return None
