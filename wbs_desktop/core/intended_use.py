"""The intended-use statement, in its two lengths: the short one every model card carries
and the full document (``resources/intended_use.md``) that the app and reports show."""

from __future__ import annotations

import re

from wbs_desktop.core.i18n import ENGLISH, N_, _, language
from wbs_desktop.core.paths import intended_use_path

# Model cards carry this in English (it is data); displays translate it with _().
INTENDED_USE = N_(
    "Research and decision-support aid that flags a facial gestalt similar to "
    "Williams-Beuren syndrome in frontal photos of children, to prompt referral for genetic "
    "testing. It does not diagnose WBS; a negative result does not rule it out. Confirm with "
    "a genetic test (FISH, MLPA or chromosomal microarray for the 7q11.23 deletion)."
)


def intended_use_markdown() -> str:
    """The full statement as markdown, in the current language (English when there is no
    translation of it); the short one if no document can be read."""
    for name in dict.fromkeys((language(), ENGLISH)):
        try:
            return intended_use_path(name).read_text(encoding="utf-8")
        except OSError:
            continue
    return _(INTENDED_USE)


def intended_use_text() -> str:
    """The full statement as plain text: no title (callers print their own), no markdown."""
    text = re.sub(r"\A#[^\n]*\n+", "", intended_use_markdown())
    text = re.sub(r"^#+\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"\n(?!\n|- )\s*", " ", text)  # the source's line breaks inside paragraphs
    return text.replace("**", "").replace("`", "").strip()
