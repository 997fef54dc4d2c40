"""training.plots: PNGs are written atomically, decode, and carry the promised text."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training import calibration as C
from training import metrics as M
from training import plots as P


def _folds(k: int = 5, n: int = 60, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(k):
        y = rng.integers(0, 2, n)
        y[:2] = [0, 1]
        p = 1 / (1 + np.exp(-(rng.normal(0, 1, n) + 1.8 * (2 * y - 1))))
        out.append((y, np.round(p, 2)))  # rounding makes ties, like real softmax outputs
    return out


def _check_png(path: Path) -> None:
    assert path.is_file()
    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        assert im.format == "PNG"
        w, h = im.size
    assert (w, h) == (6 * P.DPI, 5 * P.DPI)
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_plot_roc_writes_png_with_readers(tmp_path: Path) -> None:
    folds = _folds()
    y_all = np.concatenate([y for y, _ in folds])
    rng = np.random.default_rng(1)
    ratings = np.clip(np.round(3 + 1.3 * (2 * y_all - 1) + rng.normal(0, 1.3, y_all.size)), 1, 5)
    reader = M.reader_metrics(y_all, ratings)
    out = tmp_path / "figs" / "roc.png"
    fig = P.plot_roc(
        folds,
        out,
        "ResNet-18, 5-fold CV (synthetic)",
        readers=[
            {"name": "Expert A", "fpr": reader["fpr"], "tpr": reader["tpr"]},
            {"name": "Expert B", "fpr": 0.1, "tpr": 0.6},
        ],
        reader_curves=[
            {
                "name": "Expert A (1-5)",
                "fpr": reader["roc_fpr"],
                "tpr": reader["roc_tpr"],
                "auc": reader["auc"],
            }
        ],
    )
    _check_png(out)
    ax = fig.axes[0]
    assert ax.get_title() == "ResNet-18, 5-fold CV (synthetic)"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    aucs = [M.roc_auc(y, p) for y, p in folds]
    mean_label = f"Mean ROC (AUC {np.mean(aucs):.3f} ± {np.std(aucs, ddof=1):.3f})"
    assert mean_label in labels
    assert "Chance" in labels and "Expert B" in labels
    assert sum(label.startswith("Fold ") for label in labels) == 5


def test_plot_roc_single_fold_and_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "roc.png"
    out.write_bytes(b"old")
    fig = P.plot_roc(_folds(k=1), out, "one fold")
    _check_png(out)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(label.startswith("Mean ROC (AUC ") and "±" not in label for label in labels)


def test_interpolate_roc_takes_top_of_vertical_runs() -> None:
    fpr = np.array([0.0, 0.0, 0.5, 0.5, 1.0])
    tpr = np.array([0.0, 0.4, 0.6, 0.9, 1.0])
    got = P.interpolate_roc(fpr, tpr, np.array([0.0, 0.25, 0.5, 0.75, 1.0]))
    np.testing.assert_allclose(got, [0.4, 0.5, 0.9, 0.95, 1.0])


def test_plot_reliability_title_and_png(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    p = rng.beta(0.6, 0.9, 500)
    y = (rng.random(p.size) < p).astype(int)
    out = tmp_path / "reliability.png"
    fig = P.plot_reliability(y, p, out, n_bins=10)
    _check_png(out)
    ece, _ = C.expected_calibration_error(y, p, 10)
    title = fig.axes[0].get_title()
    assert title == f"ECE = {ece:.3f} (10 equal-width bins, n = 500)"
    assert title == P.reliability_title(ece, 10, 500)


def test_plot_reliability_custom_bins_and_heading(tmp_path: Path) -> None:
    y = np.array([0, 0, 1, 1, 1])
    p = np.array([0.05, 0.3, 0.3, 0.8, 0.95])  # most bins empty
    fig = P.plot_reliability(y, p, tmp_path / "r.png", n_bins=5, title="Fold-pooled")
    _check_png(tmp_path / "r.png")
    title = fig.axes[0].get_title()
    assert title.startswith("Fold-pooled\nECE = ")
    assert "(5 equal-width bins, n = 5)" in title


def test_bad_input_raises_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        P.plot_reliability([0, 1], [0.2, 1.5], tmp_path / "bad.png")
    assert list(tmp_path.iterdir()) == []


def _imports(module: object) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_pyplot_no_qt_no_sklearn() -> None:
    # pyplot keeps global figure state and may pick a GUI backend; sklearn is test-only
    for module in (P, M, C):
        for name in _imports(module):
            root = name.split(".")[0]
            assert name != "matplotlib.pyplot" and root not in {"PySide6", "PyQt5", "sklearn"}
