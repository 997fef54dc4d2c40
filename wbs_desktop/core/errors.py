"""Typed errors, each carrying one sentence a clinician can act on.

Every error the app raises on purpose derives from :class:`WBSError`; its ``str()`` is the
sentence shown to the user (no stack traces, no library jargon). Callers that need the
underlying cause use ``__cause__``.
"""

from __future__ import annotations


class WBSError(Exception):
    """Base class of every expected failure; ``str(error)`` is a user-facing sentence."""


class ImageError(WBSError):
    """A photo could not be read: missing, unreadable, unsupported, truncated or too large."""


class NoFaceError(WBSError):
    """No face was found in the photo."""


class ModelError(WBSError):
    """A model bundle is missing, tampered with, malformed or does not match its card."""


class DeviceError(WBSError):
    """The requested compute device (e.g. CUDA) is not available."""


class WeightsError(WBSError):
    """Pretrained (ImageNet) weights were asked for but are not on this machine."""


class OutputError(WBSError):
    """A result, crop or report could not be written (full disk, no permission, ...)."""
