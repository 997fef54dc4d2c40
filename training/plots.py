"""Figures of the cross-validation: ROC curves over folds and a reliability diagram.

Figures are drawn on a bare ``matplotlib.figure.Figure`` with the Agg canvas: no pyplot
global state, no GUI backend, safe from worker threads and headless machines. PNGs are
written atomically (``wbs_desktop.core.files.atomic_write``: temporary file in the same
folder, then ``os.replace``) so a reader never sees half a file. Each function returns its
Figure (for tests or further saving).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from training.calibration import expected_calibration_error
from training.metrics import roc_auc, roc_curve
from wbs_desktop.core.files import atomic_write

__all__ = [
    "DPI",
    "FIGSIZE",
    "interpolate_roc",
    "plot_reliability",
    "plot_roc",
    "reliability_title",
    "save_figure",
]

FIGSIZE = (6.0, 5.0)
DPI = 120
_FONT = 10
_GRID = np.linspace(0.0, 1.0, 201)


def _new_figure(figsize: tuple[float, float] = FIGSIZE) -> Figure:
    fig = Figure(figsize=figsize, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig: Figure, out_png: str | os.PathLike[str]) -> Path:
    """Write ``fig`` as PNG to ``out_png`` atomically; creates the folder if needed.

    Raises ``OutputError`` (a sentence naming the file) when the disk refuses.
    """
    out = Path(out_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(out, lambda tmp: fig.savefig(tmp, format="png", dpi=DPI))


def interpolate_roc(fpr: np.ndarray, tpr: np.ndarray, grid: np.ndarray = _GRID) -> np.ndarray:
    """TPR of the piecewise-linear ROC curve at each ``grid`` FPR.

    Where the curve is vertical (several points share an FPR) the highest TPR is taken, so
    averaging folds on a common grid does not depend on how ``np.interp`` treats duplicates.
    """
    idx = np.searchsorted(fpr, grid, side="right") - 1  # last point with fpr <= x
    idx = np.clip(idx, 0, len(fpr) - 1)
    nxt = np.clip(idx + 1, 0, len(fpr) - 1)
    x0, x1, y0, y1 = fpr[idx], fpr[nxt], tpr[idx], tpr[nxt]
    span = x1 - x0
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(span > 0, (grid - x0) / np.where(span > 0, span, 1.0), 0.0)
    return y0 + frac * (y1 - y0)


def plot_roc(
    folds: Sequence[tuple[ArrayLike, ArrayLike]],
    out_png: str | os.PathLike[str],
    title: str,
    readers: Sequence[Mapping[str, Any]] | None = None,
    reader_curves: Sequence[Mapping[str, Any]] | None = None,
) -> Figure:
    """ROC curves of the cross-validation folds, their mean and spread, and human readers.

    Args:
        folds: one ``(y_true, y_prob)`` pair per fold (each needs both classes).
        out_png: where to write the PNG.
        title: axes title.
        readers: operating points ``{"name", "fpr", "tpr"}`` drawn as labelled markers
            (e.g. from :func:`training.metrics.reader_metrics`).
        reader_curves: optional stepwise reader ROCs ``{"name", "fpr": [...], "tpr": [...]}``
            (optionally ``"auc"``), e.g. ``roc_fpr``/``roc_tpr`` of ordinal ratings.

    Per-fold curves are thin; the mean curve is the average TPR on a common FPR grid, with a
    ±1 SD band; the legend gives the AUC as mean ± SD (sample SD) of the per-fold AUCs.
    """
    if not folds:
        raise ValueError("plot_roc needs at least one fold")
    fig = _new_figure()
    ax = fig.add_subplot(1, 1, 1)
    aucs: list[float] = []
    tprs: list[np.ndarray] = []
    colours = [f"C{i % 10}" for i in range(len(folds))]
    for k, (y_true, y_prob) in enumerate(folds):
        fpr, tpr, _ = roc_curve(y_true, y_prob)
        auc = roc_auc(y_true, y_prob)
        aucs.append(auc)
        tprs.append(interpolate_roc(fpr, tpr))
        ax.plot(
            fpr, tpr, lw=0.9, alpha=0.55, color=colours[k], label=f"Fold {k + 1} (AUC {auc:.3f})"
        )
    mean_tpr = np.mean(tprs, axis=0)
    std_tpr = np.std(tprs, axis=0, ddof=1) if len(tprs) > 1 else np.zeros_like(mean_tpr)
    auc_arr = np.asarray(aucs)
    auc_txt = f"{auc_arr.mean():.3f}"
    if len(aucs) > 1:
        auc_txt += f" ± {auc_arr.std(ddof=1):.3f}"
    # the curve starts at the origin; _GRID[0] holds the top of any vertical run at fpr = 0
    xs = np.r_[0.0, _GRID]
    ax.plot(xs, np.r_[0.0, mean_tpr], color="navy", lw=2.4, label=f"Mean ROC (AUC {auc_txt})")
    if len(tprs) > 1:
        ax.fill_between(
            _GRID,
            np.clip(mean_tpr - std_tpr, 0, 1),
            np.clip(mean_tpr + std_tpr, 0, 1),
            color="navy",
            alpha=0.15,
            lw=0,
            label="± 1 SD",
        )
    ax.plot([0, 1], [0, 1], ls="--", lw=1.0, color="grey", label="Chance")

    for i, rc in enumerate(reader_curves or []):
        label = str(rc.get("name", f"Reader {i + 1}"))
        if rc.get("auc") is not None:
            label += f" (AUC {float(rc['auc']):.3f})"
        ax.plot(
            rc["fpr"], rc["tpr"], ls=":", lw=1.4, color="dimgray", marker=".", ms=4, label=label
        )
    markers = "o^sDvP*X"
    for i, rd in enumerate(readers or []):
        x, y = float(rd["fpr"]), float(rd["tpr"])
        name = str(rd.get("name", f"Reader {i + 1}"))
        ax.plot(
            [x],
            [y],
            ls="none",
            marker=markers[i % len(markers)],
            ms=8,
            mfc="white",
            mec="darkred",
            mew=1.6,
            label=name,
        )
        ax.annotate(
            name,
            (x, y),
            xytext=(6, -10),
            textcoords="offset points",
            fontsize=_FONT - 2,
            color="darkred",
        )

    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel("False positive rate (1 − specificity)", fontsize=_FONT)
    ax.set_ylabel("True positive rate (sensitivity)", fontsize=_FONT)
    ax.set_title(title, fontsize=_FONT + 1)
    ax.tick_params(labelsize=_FONT - 1)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=_FONT - 3, framealpha=0.9)
    fig.tight_layout()
    save_figure(fig, out_png)
    return fig


def reliability_title(ece: float, n_bins: int, n: int) -> str:
    """The reliability diagram's title line, e.g. ``ECE = 0.031 (10 equal-width bins, n = 500)``."""
    return f"ECE = {ece:.3f} ({n_bins} equal-width bins, n = {n})"


def plot_reliability(
    y_true: ArrayLike,
    y_prob: ArrayLike,
    out_png: str | os.PathLike[str],
    n_bins: int = 10,
    title: str | None = None,
) -> Figure:
    """Reliability diagram of positive-class probabilities, with a count histogram below.

    Top: observed WBS fraction per equal-width bin as bars (over the bin) and as points at
    the bin's mean predicted probability, against the diagonal of perfect calibration. Bottom:
    samples per bin. The top axes' title states the ECE, the number of bins and of samples;
    ``title``, when given, goes on a line above it.
    """
    y = np.asarray(y_true)
    ece, bins = expected_calibration_error(y, y_prob, n_bins)
    head = reliability_title(ece, n_bins, int(y.size))
    if title:
        head = f"{title}\n{head}"

    fig = _new_figure()
    gs = fig.add_gridspec(2, 1, height_ratios=(3, 1), hspace=0.08)
    ax = fig.add_subplot(gs[0])
    axh = fig.add_subplot(gs[1], sharex=ax)
    width = 1.0 / n_bins
    lowers = np.array([b["lower"] for b in bins])
    counts = np.array([b["count"] for b in bins])
    full = [b for b in bins if b["count"]]
    mean_p = np.array([b["mean_confidence"] for b in full], dtype=float)
    obs = np.array([b["observed_rate"] for b in full], dtype=float)

    ax.plot([0, 1], [0, 1], ls="--", lw=1.0, color="grey", label="Perfect calibration")
    ax.bar(
        [b["lower"] for b in full],
        obs,
        width=width,
        align="edge",
        color="C0",
        alpha=0.25,
        edgecolor="C0",
        lw=0.8,
        label="Observed fraction (bin)",
    )
    ax.plot(mean_p, obs, marker="o", ms=5, color="C0", lw=1.5, label="Observed vs mean predicted")
    for mp, ob in zip(mean_p, obs, strict=True):  # calibration gap per bin
        ax.plot([mp, mp], [mp, ob], color="C3", lw=1.2, alpha=0.8)
    ax.plot([], [], color="C3", lw=1.2, label="Gap")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("Observed fraction WBS", fontsize=_FONT)
    ax.set_title(head, fontsize=_FONT + 1)
    ax.tick_params(labelsize=_FONT - 1, labelbottom=False)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=_FONT - 2, framealpha=0.9)

    axh.bar(lowers, counts, width=width, align="edge", color="grey", edgecolor="black", lw=0.5)
    top = max(int(counts.max()), 1)
    for lo, c in zip(lowers, counts, strict=True):
        if c:
            axh.text(
                lo + width / 2,
                c + 0.03 * top,
                str(int(c)),
                ha="center",
                va="bottom",
                fontsize=_FONT - 3,
            )
    axh.set_ylim(0, top * 1.35)
    axh.set_xlabel("Predicted probability of WBS", fontsize=_FONT)
    axh.set_ylabel("Count", fontsize=_FONT)
    axh.tick_params(labelsize=_FONT - 1)
    axh.grid(alpha=0.3, axis="y")
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.11, top=0.9 if title else 0.93)
    save_figure(fig, out_png)
    return fig
