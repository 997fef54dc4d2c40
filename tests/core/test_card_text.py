"""Plain-language model card lines: every figure says what it is."""

from __future__ import annotations

from wbs_desktop.core.model.card_text import (
    calibration_summary,
    operating_point_summary,
    validation_summary,
)


def test_validation_summary_reads_the_cross_validation_figures() -> None:
    card = {
        "training_data": {"synthetic": True},
        "cv_metrics": {
            "folds": 5,
            "summary": {
                "auc": {"mean": 0.8554, "std": 0.081},
                "accuracy": {"mean": 0.775, "std": None},
                "recall": {"mean": None, "std": None},
            },
        },
    }
    assert validation_summary(card) == (
        "5-fold cross-validation on synthetic data, each fold model at 0.5: AUC 85.5 ± 8.1 %, "
        "accuracy 77.5 % (mean ± SD over 5 folds)"
    )
    card["cv_metrics"]["repeats"] = 3
    assert validation_summary(card).startswith("3 x 5-fold cross-validation")
    assert validation_summary(card).endswith("(mean ± SD over 15 folds)")


def test_operating_point_names_threshold_people_and_intervals() -> None:
    card = {
        "threshold": 0.3912,
        "operating_point": {
            "sensitivity": {"value": 0.85, "ci95": [0.7, 0.94]},
            "specificity": {"value": 0.8, "ci95": [0.661, 0.9]},
            "identities": 12,
            "photos": 36,
        },
    }
    assert operating_point_summary(card) == (
        "at threshold 0.391 on 12 held-out people (36 photos): sensitivity 85 % (95 % CI "
        "70-94 %), specificity 80 % (95 % CI 66-90 %)"
    )


def test_calibration_states_the_case_mix() -> None:
    card = {
        "positive_class": "WBS",
        "flip_tta": True,
        "calibration": {
            "method": "platt",
            "slope": 0.81234,
            "intercept": -0.6,
            "prevalence": 0.333,
            "fitted_on": "60 calibration photos of 20 people",
        },
    }
    assert calibration_summary(card) == (
        "Platt map (slope 0.812, intercept -0.6) fitted on 60 calibration photos of 20 people; "
        "probabilities refer to a case mix of 33 % WBS; mirror-image averaging on"
    )


def test_no_figures() -> None:
    assert validation_summary({"cv_metrics": {}}) == "none reported"
    assert validation_summary({}) == "none reported"
    assert operating_point_summary({"operating_point": {}}) == "not measured"
    assert calibration_summary({}) == "none"
