"""``python -m wbs_desktop`` runs the same command line as ``wbs-desktop``."""

from __future__ import annotations

import sys

from wbs_desktop.cli import main

sys.exit(main())
