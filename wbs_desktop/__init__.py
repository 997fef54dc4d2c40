"""WBS Screen: offline screening aid for a Williams-Beuren syndrome facial gestalt."""

from __future__ import annotations

__version__ = "0.1.0"
