"""Writing output files safely: all or nothing, with a clear sentence when the disk refuses,
and text from outside (file names, model cards) made harmless for the place it goes to:
spreadsheets (:func:`spreadsheet_safe`, :func:`write_csv`) and terminals or labels
(:func:`printable`)."""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import os
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from wbs_desktop.core.errors import OutputError
from wbs_desktop.core.i18n import _


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place
    (what ``write`` returns, e.g. ``Path.write_text``'s count, is ignored).

    Readers never see a half-written file and an existing file survives a failed write.
    OS errors become :class:`OutputError` with a sentence naming the file. An existing
    target that is not an ordinary file (a folder, a device such as ``/dev/full``) is refused.
    """
    path = Path(path)
    # Renaming over a device or a folder would replace it (as root, /dev/full itself).
    if path.exists() and not path.is_file():
        raise OutputError(
            _("Could not save {name}: it is not an ordinary file; choose another name.").format(
                name=path.name
            )
        )
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(describe_write_error(path, exc)) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return path


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks (memory stays bounded)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def describe_write_error(path: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        text = _("Could not save {name}: the disk is full. Free some space and try again.")
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        text = _("Could not save {name}: this folder is read-only or not yours to write to.")
    elif exc.errno == errno.ENOENT:
        text = _("Could not save {name}: the folder {folder} does not exist.")
    else:
        text = _("Could not save {name} ({reason}).")
    return text.format(name=path.name, folder=path.parent, reason=exc.strerror or exc)


# ------------------------------------------------------------------------ untrusted text

#: Control characters (C0, DEL, C1), the invisible marks that reorder bidirectional text
#: (a file name "photo\u202egpj.exe" reads as "photoexe.jpg") and lone surrogates (how
#: Python decodes a file name that is not UTF-8; printing one raises UnicodeEncodeError).
UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def printable(text: str) -> str:
    """``text`` with control and text-direction characters shown as escapes (``\\x1b``,
    ``\\n``, ``\\u202e``), so that a file name cannot recolour or rewrite a terminal line,
    break a message in two or reverse the text around it."""
    return UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


# ---------------------------------------------------------------------------------- CSV

# OWASP's CSV-injection rule (CWE-1236): spreadsheets run a cell that starts with one of
# these as a formula. The apostrophe is added too, so that reading back is exact.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_safe(value: object) -> object:
    """One CSV cell that no spreadsheet will run as a formula.

    Text that starts with =, +, -, @, a tab or a carriage return gets a leading apostrophe
    (OWASP's rule): Excel and LibreOffice then show it as text. Text that already starts
    with an apostrophe gets one more, so that :func:`spreadsheet_text` undoes the rule
    exactly. Numbers stay numbers: int and float values, and text that is nothing but a
    decimal number such as "-0.25" or "1e-05" (a spreadsheet reads it as a constant, never
    as a formula), are written as they are, so columns of scores or logits still sort and
    sum. ``None`` is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def spreadsheet_text(cell: str) -> str:
    """The text :func:`spreadsheet_safe` was given, from a cell read back from a CSV file."""
    return cell[1:] if cell.startswith("'") else cell


def csv_text(rows: Iterable[Mapping[str, object]], fields: Sequence[str]) -> str:
    """CSV with a header of ``fields`` and one line per row, every cell spreadsheet-safe.

    Keys of a row that are not in ``fields`` are left out; missing ones are empty cells.
    Lines end in CRLF, so that a cell holding a lone carriage return is quoted: written bare,
    it would start a new row whose first cell a spreadsheet runs as a formula.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(field)) for field in fields])
    return buffer.getvalue()


def write_csv(
    path: str | os.PathLike[str], rows: Iterable[Mapping[str, object]], fields: Sequence[str]
) -> Path:
    """Write :func:`csv_text` as UTF-8, atomically; OutputError when the disk refuses.

    A file name that is not valid UTF-8 (Python holds its bytes as lone surrogates) is
    written with those bytes as escapes such as ``\\udcff``, so the file stays UTF-8.
    """
    text = csv_text(rows, fields)
    return atomic_write_bytes(path, text.encode("utf-8", errors="backslashreplace"))


def read_csv(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    """Rows of a CSV file written by :func:`write_csv`, with the texts as they were given."""
    with open(path, newline="", encoding="utf-8") as f:
        return [
            {key: spreadsheet_text(value or "") for key, value in row.items()}
            for row in csv.DictReader(f)
        ]
