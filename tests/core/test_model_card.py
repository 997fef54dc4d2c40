"""Plain-language model card lines."""

from __future__ import annotations

from wbs_desktop.core.model_card import validation_summary


def test_validation_summary_reads_the_cross_validation_figures() -> None:
    card = {"training_data": {"synthetic": True},
            "cv_metrics": {"folds": 5, "summary": {
                "auc": {"mean": 0.8554, "std": 0.081}, "accuracy": {"mean": 0.775, "std": None},
                "recall": {"mean": None, "std": None}}}}
    assert validation_summary(card) == (
        "5-fold cross-validation on synthetic data: AUC 85.5 ± 8.1 %, accuracy 77.5 %")


def test_no_figures() -> None:
    assert validation_summary({"cv_metrics": {}}) == "none reported"
    assert validation_summary({}) == "none reported"
