"""The fonts reports are drawn in: DejaVu Sans (matplotlib's own) for Latin text, and the
bundled Droid Sans Fallback for every character DejaVu lacks (Chinese above all, but also
a patient's name or note in any other script), so a report never shows a missing-glyph box.
"""

from __future__ import annotations

from functools import cache

from wbs_desktop.core.paths import cjk_font_path

LATIN_FAMILY = "DejaVu Sans"


@cache
def report_families() -> tuple[str, ...]:
    """The font families to draw reports in, in fallback order (matplotlib >= 3.6 falls
    back per character). Without the bundled font (a damaged install) only the Latin one."""
    from matplotlib import font_manager

    path = cjk_font_path()
    if not path.is_file():
        return (LATIN_FAMILY,)
    font_manager.fontManager.addfont(str(path))
    return (LATIN_FAMILY, font_manager.FontProperties(fname=str(path)).get_name())
