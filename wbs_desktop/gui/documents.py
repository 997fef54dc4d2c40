"""Read-only documents: the intended-use statement and a model's card.

The card's texts come from the model's provider: every one is HTML-escaped before it goes
into the card's HTML (bundle loading has already refused control characters in them).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from wbs_desktop.core.intended_use import intended_use_markdown
from wbs_desktop.core.model.card import ordered_fields
from wbs_desktop.core.model.card_text import field_label, human_number, provenance_banner


class DocumentDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)  # offline app: no link leaves it
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(640, 560)


def intended_use_dialog(parent: QWidget | None = None) -> DocumentDialog:
    dialog = DocumentDialog(
        QCoreApplication.translate("documents", "Intended use - WBS Screen"), parent
    )
    dialog.browser.setMarkdown(intended_use_markdown())
    return dialog


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        if not value:
            return "-"
        return "<br>".join(f"{html.escape(str(k))}: {_value(v)}" for k, v in value.items())
    if isinstance(value, float):
        return human_number(value)
    if isinstance(value, list):
        return html.escape(", ".join(map(str, value)))
    text = str(value) if value not in ("", None) else "-"
    return html.escape(text)


def card_html(card: Mapping[str, Any], sha256: str = "", note: str = "") -> str:
    rows = []
    for key in ordered_fields(card):
        value = card[key]
        if key == "training" and isinstance(value, Mapping):
            value = {
                "command": value.get("command", ""),
                "config": json.dumps(value.get("config", {}), sort_keys=True)[:600],
            }
        rows.append(
            f"<tr><td style='color:#5b6675;padding:3px 12px 3px 0;"
            f"vertical-align:top'>{html.escape(field_label(key))}</td>"
            f"<td style='padding:3px 0'>{_value(value)}</td></tr>"
        )
    banner = (
        f"<p style='color:#b3261e'><b>{html.escape(provenance_banner(note))}</b></p>"
        if note
        else ""
    )
    checksum = f"<p style='color:#5b6675'>SHA-256 {html.escape(sha256)}</p>" if sha256 else ""
    return (
        f"<h2>{html.escape(str(card.get('name', 'Model')))}</h2>{banner}{checksum}"
        f"<table>{''.join(rows)}</table>"
    )


def model_card_dialog(
    card: Mapping[str, Any], sha256: str, note: str, parent: QWidget | None = None
) -> DocumentDialog:
    dialog = DocumentDialog(
        QCoreApplication.translate("documents", "Model card - WBS Screen"), parent
    )
    dialog.browser.setHtml(card_html(card, sha256, note))
    return dialog
