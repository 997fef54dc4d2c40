"""Metrics per subgroup (issue 12): the manifest's optional age, sex and ancestry columns
are read and checked, and a real cross-validation reports each subgroup with its counts in
metrics.json, metrics.md and the exported card, AUCs checked against scikit-learn."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from tests.training.conftest import run_tiny_cv
from training.data import DataError, read_dataset
from training.export import export_run
from training.subgroups import age_band
from wbs_desktop.core.model.bundle import load_model


@pytest.mark.parametrize(
    ("age", "band"),
    [(None, "unknown"), (0, "0-2 years"), (1.99, "0-2 years"), (4.5, "2-5 years"),
     (12, "10-18 years"), (18, "18+ years"), (120, "18+ years")],
)  # fmt: skip
def test_age_bands(age: float | None, band: str) -> None:
    assert age_band(age) == band


def _with_columns(tiny_data: Path, out: Path, extra: dict[str, list[str]]) -> Path:
    """The tiny set's manifest with more columns, filled in turn, its paths made absolute."""
    with (tiny_data / "manifest.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    for i, row in enumerate(rows):
        row["path"] = str((tiny_data / row["path"]).resolve())
        for name, values in extra.items():
            row[name] = values[i % len(values)]
    manifest = out / "manifest.csv"
    with manifest.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return manifest


def test_a_wrong_age_is_refused_naming_the_photo(tiny_data: Path, tmp_path: Path) -> None:
    manifest = _with_columns(tiny_data, tmp_path, {"age": ["4", "four"]})
    with pytest.raises(DataError, match=r"the age 'four'; an age is a number of years"):
        read_dataset(manifest)
    samples = read_dataset(_with_columns(tiny_data, tmp_path, {"age": ["4", ""]}))
    assert {s.age for s in samples} == {4.0, None}


def test_cross_validation_reports_every_subgroup_with_its_counts(
    tiny_data: Path, tmp_path: Path
) -> None:
    manifest = _with_columns(
        tiny_data, tmp_path, {"age": ["1.5", "7", "30"], "sex": ["Female", "male"]}
    )
    run = run_tiny_cv(manifest, tmp_path / "cv", tiny_data.parent / "cache")
    report = json.loads((run / "mobilenet_v2" / "metrics.json").read_text())
    groups = report["subgroups"]
    assert set(groups) == {"age", "sex"}  # no ancestry column: no ancestry table
    with (run / "mobilenet_v2" / "oof.csv").open(newline="") as f:
        oof = [r for r in csv.DictReader(f) if r["repeat"] == "0"]
    assert [e["subgroup"] for e in groups["sex"]] == ["female", "male"]
    assert [e["subgroup"] for e in groups["age"]] == ["0-2 years", "18+ years", "5-10 years"]
    for entries in groups.values():
        assert sum(e["photos"] for e in entries) == len(oof)
        assert all(e["positives"] + e["negatives"] == e["photos"] for e in entries)
    sexes = {row["path"]: row["sex"].lower() for row in csv.DictReader(manifest.open(newline=""))}
    female = [r for r in oof if sexes[r["path"]] == "female"]
    y = np.array([int(r["label"]) for r in female])
    z = np.array([float(r["logit"]) for r in female])
    assert groups["sex"][0]["auc"] == pytest.approx(roc_auc_score(y, z))
    text = (run / "mobilenet_v2" / "metrics.md").read_text()
    assert "## By subgroup" in text and "| sex | female |" in text and "| age | 0-2 years |" in text
    card = load_model(export_run(run, tmp_path / "m.safetensors", force=True)).card
    assert card["cv_metrics"]["subgroups"] == groups
