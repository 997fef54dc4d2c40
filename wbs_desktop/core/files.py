"""Writing output files safely: all or nothing, with a clear sentence when the disk refuses."""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from wbs_desktop.core.errors import OutputError


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place.

    Readers never see a half-written file and an existing file survives a failed write.
    OS errors become :class:`OutputError` with a sentence naming the file. An existing
    target that is not an ordinary file (a folder, a device such as ``/dev/full``) is refused.
    """
    path = Path(path)
    # Renaming over a device or a folder would replace it (as root, /dev/full itself).
    if path.exists() and not path.is_file():
        raise OutputError(
            f"Could not save {path.name}: it is not an ordinary file; choose another name."
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


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def describe_write_error(path: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"Could not save {path.name}: the disk is full. Free some space and try again."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"Could not save {path.name}: this folder is read-only or not yours to write to."
    if exc.errno == errno.ENOENT:
        return f"Could not save {path.name}: the folder {path.parent} does not exist."
    return f"Could not save {path.name} ({exc.strerror or exc})."
