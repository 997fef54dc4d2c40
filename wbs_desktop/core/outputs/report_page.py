"""The drawing pieces of the printable report: an A4 page that measures and wraps text so
blocks never overlap, its colours, and the charts (score bar, heat per region) and image
panels that ``report`` places on it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from wbs_desktop.core.files import printable
from wbs_desktop.core.i18n import _, with_percent
from wbs_desktop.core.model.card_text import human_number
from wbs_desktop.core.pipeline.regions import OUTSIDE, REGION_NAMES, region_label

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    from wbs_desktop.core.pipeline.analysis import Result

PAGE_SIZE_IN = (8.27, 11.69)  # A4 portrait
Rect = tuple[float, float, float, float]  # left, bottom, width, height in figure fraction
PNG_DPI = 150

INK = "#1d2733"
MUTED = "#5b6675"
RULE = "#c9d1db"
ACCENT = "#1f5f99"
HIGH_INK = "#b3541e"
LOW_INK = "#2f6f4f"
BANNER_FILL = "#fdecea"
BANNER_EDGE = "#b3261e"
WARN = "#8a5a00"
LEFT, RIGHT = 0.06, 0.94
FOOTER_CLEAR = 0.036  # text stays above this, clear of the page footer
BANNER_LINES = 5
PANEL_HEIGHT = 0.205  # of the photos, when the banner (if any) takes at most two lines


def longest(count: int, fits: Callable[[int], bool]) -> int:
    """The largest n in [1, count] with ``fits(n)`` (monotone), by bisection; 1 if none."""
    low, high = 1, count
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


class Page:
    """An A4 figure with a renderer to measure text by, so that text is wrapped to the
    width it has and each block starts where the one above it ends.

    Measured at the PNG's resolution; font hinting makes text a few per cent wider or
    narrower at other resolutions (the PDF's), which the wrapping width leaves room for.
    """

    _ROOM = 0.96

    def __init__(self) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=PAGE_SIZE_IN, dpi=PNG_DPI)
        self.fig.patch.set_facecolor("white")
        self.renderer = FigureCanvasAgg(self.fig).get_renderer()

    def wrap(
        self,
        text: str,
        width: float,
        size: float,
        *,
        weight: str = "normal",
        max_lines: int | None = None,
    ) -> str:
        """``text`` broken into lines at most ``width`` (figure fraction) wide at ``size``
        points: at spaces, inside words too long for a line, and at its own line breaks.
        Beyond ``max_lines`` it is cut and ends with an ellipsis."""
        from matplotlib.font_manager import FontProperties

        prop = FontProperties(size=size, weight=weight)
        limit = width * self.fig.bbox.width * self._ROOM

        def fits(line: str) -> bool:
            return self.renderer.get_text_width_height_descent(line, prop, ismath=False)[0] <= limit

        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            line = ""
            for word in printable(paragraph).split():
                candidate = f"{line} {word}" if line else word
                if fits(candidate):
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                while not fits(word):

                    def fits_prefix(n: int, whole: str = word) -> bool:
                        return fits(whole[:n])

                    cut = longest(len(word), fits_prefix)
                    lines.append(word[:cut])
                    word = word[cut:]
                line = word
            lines.append(line)
        if max_lines is not None and len(lines) > max_lines:
            # The last line kept is filled with what follows, up to an ellipsis.
            last = " ".join(lines[max_lines - 1 :])
            cut = longest(len(last), lambda n: fits(last[:n].rstrip() + "…"))
            lines = [*lines[: max_lines - 1], last[:cut].rstrip() + "…"]
        return "\n".join(lines)

    def text(self, x: float, y: float, text: str, **kwargs: Any) -> Text:
        return self.fig.text(x, y, text, **kwargs)

    def _extent(self, artist: Artist) -> Bbox:
        box = artist.get_tightbbox(self.renderer)
        if box is None:  # only an invisible artist has none, and the report hides none
            raise ValueError(f"{artist!r} is invisible and has no extent on the page")
        return box

    def bottom(self, artist: Artist) -> float:
        """The lowest point of ``artist`` (with an axes' labels), in figure fraction."""
        return self._extent(artist).y0 / self.fig.bbox.height

    def right(self, artist: Artist) -> float:
        return self._extent(artist).x1 / self.fig.bbox.width

    def line_height(self, size: float, spacing: float) -> float:
        """How much one more line adds to a text's height, in figure fraction."""
        from matplotlib.text import Text

        probe = Text(0, 0, "Ag\nAg", fontsize=size, linespacing=spacing)
        probe.set_figure(self.fig)
        two = probe.get_window_extent(self.renderer).height
        probe.set_text("Ag")
        return (two - probe.get_window_extent(self.renderer).height) / self.fig.bbox.height

    def fitting_lines(self, top: float, size: float, spacing: float) -> int:
        """How many lines of text starting at ``top`` fit above the footer."""
        return max(1, int((top - FOOTER_CLEAR) / self.line_height(size, spacing)))


def heading(page: Page, y: float, text: str, x0: float = LEFT, x1: float = RIGHT) -> None:
    page.text(x0, y, text.upper(), fontsize=8.5, fontweight="bold", color=ACCENT)
    page.fig.add_artist(hline(page.fig, y - 0.006, x0, x1))


def hline(fig: Figure, y: float, x0: float = LEFT, x1: float = RIGHT) -> Line2D:
    from matplotlib.lines import Line2D

    return Line2D([x0, x1], [y, y], transform=fig.transFigure, color=RULE, linewidth=0.8)


def image_panel(
    fig: Figure, rect: Rect, image: np.ndarray, title: str, colour: str = MUTED
) -> Axes:
    ax = fig.add_axes(rect)
    ax.imshow(image, interpolation="antialiased")
    ax.set_anchor("N")  # panels of different aspect ratios line up at the top
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color(RULE)
    fig.text(rect[0], rect[1] + rect[3] + 0.006, title, fontsize=8.5, color=colour)
    return ax


def score_bar(fig: Figure, rect: Rect, result: Result) -> None:
    from matplotlib.patches import Rectangle

    ax = fig.add_axes(rect)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    colour = HIGH_INK if result.label == "high" else LOW_INK
    ax.add_patch(Rectangle((0, 0.3), 1, 0.4, facecolor="#e9edf2", edgecolor=RULE, lw=0.8))
    ax.add_patch(Rectangle((0, 0.3), result.score, 0.4, facecolor=colour, edgecolor="none"))
    for network_score in result.network_scores if len(result.network_scores) > 1 else ():
        ax.plot([network_score] * 2, [0.3, 0.7], color="white", lw=1.0, alpha=0.9)
    ax.plot([result.threshold] * 2, [0.12, 0.88], color=INK, lw=1.6)
    ax.text(
        result.threshold,
        0.95,
        _("threshold {threshold}").format(threshold=human_number(result.threshold)),
        ha="center",
        va="bottom",
        fontsize=7.5,
        color=INK,
    )
    for tick in (0, 0.25, 0.5, 0.75, 1):
        ax.text(tick, 0.05, human_number(tick), ha="center", va="top", fontsize=7, color=MUTED)


def regions_chart(fig: Figure, rect: Rect, regions: Mapping[str, float]) -> Axes:
    names = [n for n in REGION_NAMES if n in regions]
    if OUTSIDE in regions:
        names.append(OUTSIDE)
    values = [100 * float(regions[n]) for n in names]
    labels = [region_label(n) for n in names]
    ax = fig.add_axes(rect)
    positions = np.arange(len(names))[::-1]
    ax.barh(positions, values, color=ACCENT, height=0.62)
    ax.set_yticks(positions, labels, fontsize=7.5, color=INK)
    ax.set_xlim(0, max(values + [1.0]) * 1.25)
    ax.tick_params(axis="x", labelsize=7, colors=MUTED, length=2)
    ax.tick_params(axis="y", length=0)
    for position, value in zip(positions, values, strict=True):
        ax.text(
            value + 0.8, position, with_percent(f"{value:.0f}"), va="center", fontsize=7, color=INK
        )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(RULE)
    ax.set_xlabel(_("share of the heatmap (%)"), fontsize=7, color=MUTED)
    return ax
