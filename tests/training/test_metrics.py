"""training.metrics against scikit-learn as the reference (sklearn is a test dependency only)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from training import calibration as C
from training import metrics as M
from training import study_tables as T


def _random_case(rng: np.random.Generator, n: int, ties: bool) -> tuple[np.ndarray, np.ndarray]:
    y = rng.integers(0, 2, n)
    y[rng.integers(n)] = 1
    y[(rng.integers(n - 1) + 1 + np.flatnonzero(y == 1)[0]) % n] = 0  # both classes present
    if ties:  # few distinct scores: many ties, within and across classes
        p = rng.integers(0, rng.integers(2, 6), n) / 5.0
    else:
        p = np.clip(rng.normal(0.3 + 0.4 * y, 0.25), 0, 1)
    return y, p


def _cases(count: int = 300, seed: int = 0):
    rng = np.random.default_rng(seed)
    for i in range(count):
        n = int(rng.integers(2, 60)) if i % 3 else int(rng.integers(2, 6))
        yield _random_case(rng, n, ties=bool(i % 2))


# ----------------------------------------------------------------------------- ROC / AUC


def test_roc_auc_matches_sklearn_seeded() -> None:
    for y, p in _cases():
        assert M.roc_auc(y, p) == pytest.approx(skm.roc_auc_score(y, p), abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5, 0.9, 1.0])),
        min_size=2,
        max_size=30,
    )
)
def test_roc_auc_matches_sklearn_hypothesis(pairs: list[tuple[int, float]]) -> None:
    y = np.array([a for a, _ in pairs])
    p = np.array([b for _, b in pairs])
    if y.min() == y.max():
        with pytest.raises(ValueError, match="one class"):
            M.roc_auc(y, p)
        return
    assert M.roc_auc(y, p) == pytest.approx(skm.roc_auc_score(y, p), abs=1e-12)


def test_roc_curve_matches_sklearn_points() -> None:
    for y, p in _cases(200, seed=1):
        fpr, tpr, thr = M.roc_curve(y, p)
        sfpr, stpr, sthr = skm.roc_curve(y, p, drop_intermediate=False)
        np.testing.assert_allclose(fpr, sfpr, atol=1e-12)
        np.testing.assert_allclose(tpr, stpr, atol=1e-12)
        assert np.isinf(thr[0]) and np.isinf(sthr[0])
        np.testing.assert_allclose(thr[1:], sthr[1:])
        assert skm.auc(fpr, tpr) == pytest.approx(skm.roc_auc_score(y, p), abs=1e-12)


def test_roc_tiny_and_tied_examples() -> None:
    assert M.roc_auc([0, 1], [0.2, 0.8]) == 1.0
    assert M.roc_auc([0, 1], [0.8, 0.2]) == 0.0
    assert M.roc_auc([0, 1], [0.5, 0.5]) == 0.5  # a cross-class tie counts one half
    assert M.roc_auc([True, False, True], [0.3, 0.3, 0.9]) == pytest.approx(0.75)


@pytest.mark.parametrize("y", [[0, 0, 0], [1, 1]])
def test_single_class_raises_clearly(y: list[int]) -> None:
    with pytest.raises(ValueError, match="only one class"):
        M.roc_auc(y, np.linspace(0, 1, len(y)))
    with pytest.raises(ValueError, match="only one class"):
        M.roc_curve(y, np.linspace(0, 1, len(y)))


def test_input_validation() -> None:
    with pytest.raises(ValueError, match="0 and 1"):
        M.roc_auc([0, 2, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="3 values but y_true has 2"):
        M.roc_auc([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="NaN"):
        M.roc_auc([0, 1], [0.1, math.nan])
    with pytest.raises(ValueError, match="empty"):
        M.binary_metrics([], [], 0.5)


# ----------------------------------------------------------------------------- thresholded


def _check_against_sklearn(y: np.ndarray, p: np.ndarray, t: float) -> None:
    pred = (p >= t).astype(int)
    got = M.binary_metrics(y, p, t)
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert got["precision"] == pytest.approx(skm.precision_score(y, pred, zero_division=0))
    assert got["recall"] == pytest.approx(skm.recall_score(y, pred, zero_division=0))
    assert got["f1"] == pytest.approx(skm.f1_score(y, pred, zero_division=0))
    assert got["specificity"] == pytest.approx(skm.recall_score(1 - y, 1 - pred, zero_division=0))
    if 0 < y.sum() < y.size:
        assert got["auc"] == pytest.approx(skm.roc_auc_score(y, p))
    else:
        assert math.isnan(got["auc"])
    tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    assert M.confusion(y, pred) == {"tp": tp, "fp": fp, "tn": tn, "fn": fn}


def test_binary_metrics_match_sklearn_random() -> None:
    rng = np.random.default_rng(2)
    for y, p in _cases(200, seed=3):
        _check_against_sklearn(y, p, float(rng.choice([0.0, 0.2, 0.5, 0.6, 1.0, 1.01])))


@pytest.mark.parametrize(
    ("y", "p", "t"),
    [
        ([0, 1, 1, 0], [0.1, 0.2, 0.3, 0.4], 0.9),  # no positive predictions
        ([0, 1, 1, 0], [0.1, 0.2, 0.3, 0.4], 0.0),  # everything called positive
        ([1, 1, 1], [0.1, 0.7, 0.9], 0.5),  # all positives
        ([0, 0, 0], [0.1, 0.7, 0.9], 0.5),  # all negatives, some false alarms
        ([0, 0], [0.1, 0.2], 0.5),  # no positives anywhere: f1 is 0/0
        ([1], [0.5], 0.5),  # threshold equal to the score counts as positive
    ],
)
def test_binary_metrics_edge_cases(y: list[int], p: list[float], t: float) -> None:
    _check_against_sklearn(np.array(y), np.array(p), t)


def test_no_positive_predictions_precision_zero() -> None:
    got = M.binary_metrics([0, 1, 1], [0.1, 0.2, 0.3], 0.5)
    assert got["precision"] == 0.0 and got["recall"] == 0.0 and got["f1"] == 0.0
    assert got["specificity"] == 1.0


def test_specificity_by_group() -> None:
    groups = ["wbs", "healthy", "healthy", "other", "other", "other", "healthy"]
    p = [0.9, 0.1, 0.6, 0.7, 0.2, 0.5, 0.4]
    got = M.specificity_by_group(groups, p, 0.5, ["healthy", "other", "absent"])
    assert got["healthy"] == pytest.approx(2 / 3)
    assert got["other"] == pytest.approx(1 / 3)  # 0.5 >= threshold counts as flagged
    assert math.isnan(got["absent"])
    # same thing as sklearn's recall of the negative class within the group
    g = np.array(groups)
    m = g == "healthy"
    pred = (np.array(p)[m] >= 0.5).astype(int)
    assert got["healthy"] == pytest.approx(
        skm.recall_score(np.zeros(m.sum()), pred, pos_label=0, zero_division=0)
    )


# ----------------------------------------------------------------------------- thresholds


def test_youden_threshold_is_brute_force_optimum() -> None:
    for y, p in _cases(150, seed=4):
        t = C.youden_threshold(y, p)
        assert t in set(p.tolist())

        def j(th: float, y: np.ndarray = y, p: np.ndarray = p) -> float:
            pred = p >= th
            return pred[y == 1].mean() - pred[y == 0].mean()

        best = max(j(c) for c in np.unique(p))
        assert j(t) == pytest.approx(best, abs=1e-12)
        # ties are broken towards the largest threshold
        assert t == max(c for c in np.unique(p) if j(c) >= best - 1e-12)


@pytest.mark.parametrize("target", [0.5, 0.8, 0.9, 0.95, 1.0])
def test_threshold_for_sensitivity(target: float) -> None:
    for y, p in _cases(100, seed=5):
        t = C.threshold_for_sensitivity(y, p, target)
        recall = (p[y == 1] >= t).mean()
        assert recall >= target - 1e-12
        higher = np.unique(p)[np.unique(p) > t]
        # no larger observed score reaches the target
        assert all((p[y == 1] >= h).mean() < target - 1e-12 for h in higher)


def test_threshold_for_sensitivity_exact_fraction() -> None:
    y = np.array([1] * 10 + [0] * 5)
    p = np.r_[np.linspace(0.95, 0.5, 10), np.full(5, 0.3)]
    assert C.threshold_for_sensitivity(y, p, 0.9) == pytest.approx(p[8])  # 9 of 10
    with pytest.raises(ValueError, match="target"):
        C.threshold_for_sensitivity(y, p, 0.0)


@pytest.mark.parametrize("target", [0.5, 0.8, 0.9, 0.95, 1.0])
def test_threshold_for_specificity(target: float) -> None:
    for y, p in _cases(100, seed=6):
        t = C.threshold_for_specificity(y, p, target)
        assert (p[y == 0] < t).mean() >= target - 1e-12
        lower = np.unique(p)[np.unique(p) < t]
        # no smaller observed score keeps the target: this is the most sensitive one
        assert all((p[y == 0] < low).mean() < target - 1e-12 for low in lower)


def test_threshold_for_specificity_exact_fraction_and_above_every_score() -> None:
    y = np.array([0] * 10 + [1] * 3)
    p = np.r_[np.linspace(0.0, 0.9, 10), [0.5, 0.85, 0.8]]
    assert C.threshold_for_specificity(y, p, 0.9) == pytest.approx(0.85)  # 9 of 10 below
    everything_below = C.threshold_for_specificity(y, p, 1.0)  # a negative scores highest
    assert everything_below > 0.9 and not (p >= everything_below).any()
    with pytest.raises(ValueError, match="target"):
        C.threshold_for_specificity(y, p, 1.5)


@pytest.mark.parametrize(
    ("rule", "parsed"), [("youden", ("youden", None)), ("specificity:0.9", ("specificity", 0.9))]
)
def test_threshold_rules_are_read_in_one_place(rule: str, parsed: tuple) -> None:
    assert C.parse_threshold_rule(rule) == parsed


@pytest.mark.parametrize("rule", ["specificity:1", "sensitivity:nan", "recall:0.9", "youden:1"])
def test_a_threshold_rule_that_is_none_of_them_is_refused(rule: str) -> None:
    with pytest.raises(ValueError, match="'youden', 'sensitivity:T' or 'specificity:T'"):
        C.parse_threshold_rule(rule)


# ----------------------------------------------------------------------------- folds


def test_fold_summary_sample_std_and_json_safe() -> None:
    folds = [
        {"accuracy": 0.9, "auc": 0.95, "specificity_other": math.nan},
        {"accuracy": 0.8, "auc": 0.85, "specificity_other": 0.5},
        {"accuracy": 0.7, "auc": 0.90, "specificity_other": 0.7},
    ]
    s = M.fold_summary(folds)
    assert list(s) == ["accuracy", "auc", "specificity_other"]
    assert s["accuracy"]["mean"] == pytest.approx(0.8)
    assert s["accuracy"]["std"] == pytest.approx(np.std([0.9, 0.8, 0.7], ddof=1))
    assert s["accuracy"]["std_ddof"] == 1
    assert s["accuracy"]["per_fold"] == [0.9, 0.8, 0.7]
    assert s["specificity_other"]["per_fold"] == [None, 0.5, 0.7]
    assert s["specificity_other"]["n"] == 2
    assert s["specificity_other"]["mean"] == pytest.approx(0.6)
    json.loads(json.dumps(s, allow_nan=False))
    one = M.fold_summary([{"auc": 0.9}])
    assert one["auc"]["std"] is None


# ----------------------------------------------------------------------------- calibration


def test_fit_platt_equals_an_unpenalised_logistic_regression() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(6)
    z = rng.normal(0.0, 3.0, 5000)
    y = rng.random(z.size) < 1.0 / (1.0 + np.exp(-(0.4 * z - 0.7)))
    slope, intercept = C.fit_platt(z, y)
    reference = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(z[:, None], y)
    assert slope == pytest.approx(reference.coef_[0, 0], abs=1e-3)
    assert intercept == pytest.approx(reference.intercept_[0], abs=1e-3)
    p = C.platt_probability(z, slope, intercept)
    assert np.all((p > 0) & (p < 1))


def test_platt_removes_the_shift_a_temperature_cannot() -> None:
    """Class weighting adds log(n_neg/n_pos) to every logit; with perfectly informative
    logits, a temperature alone leaves the mean probability off the prevalence, the Platt
    intercept brings it back."""
    rng = np.random.default_rng(8)
    prevalence = 104 / 340
    y = rng.random(20000) < prevalence
    true_logit = np.where(y, 1.5, -1.5) + rng.normal(0, 1.0, y.size)
    shifted = true_logit + math.log((1 - prevalence) / prevalence)
    slope, intercept = C.fit_platt(shifted, y)
    assert C.platt_probability(shifted, slope, intercept).mean() == pytest.approx(
        y.mean(), abs=0.005
    )
    only_temperature = 1 / (1 + np.exp(-shifted * slope))
    assert abs(only_temperature.mean() - y.mean()) > 0.05


def test_fit_platt_stays_within_the_card_bounds_on_separable_data() -> None:
    z = np.array([-3.0, -1.0, 1.0, 3.0])
    slope, intercept = C.fit_platt(z, [0, 0, 1, 1])
    assert 5 < slope <= 100 and abs(intercept) <= 50
    assert np.all(np.abs(C.platt_probability(z, slope, intercept) - [0, 0, 1, 1]) < 0.01)
    with pytest.raises(ValueError, match="one class"):
        C.fit_platt(z, [1, 1, 1, 1])


def _delong_reference(y: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """DeLong's variance of AUC(a) - AUC(b) straight from its definition: the placement
    values over every positive-negative pair (O(mn), no ranks)."""
    pos, neg = y == 1, y == 0

    def placements(score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        psi = (score[pos][:, None] > score[neg][None, :]) + 0.5 * (
            score[pos][:, None] == score[neg][None, :]
        )
        return psi.mean(axis=1), psi.mean(axis=0)

    (v10a, v01a), (v10b, v01b) = placements(a), placements(b)
    m, n = pos.sum(), neg.sum()
    variance = np.var(v10a - v10b, ddof=1) / m + np.var(v01a - v01b, ddof=1) / n
    return float(v10a.mean() - v10b.mean()), float(np.sqrt(variance))


def test_delong_matches_the_definition_and_sklearn() -> None:
    rng = np.random.default_rng(9)
    for n in (12, 40, 150):
        y = rng.integers(0, 2, n)
        y[:2] = [0, 1]
        a = y + rng.normal(0, 1, n)
        b = np.round(0.5 * y + rng.normal(0, 1, n), 1)  # ties
        result = M.delong_test(y, a, b)
        difference, se = _delong_reference(y, a, b)
        assert result["auc_a"] == pytest.approx(skm.roc_auc_score(y, a))
        assert result["auc_b"] == pytest.approx(skm.roc_auc_score(y, b))
        assert result["difference"] == pytest.approx(difference)
        assert result["se"] == pytest.approx(se)
        assert result["p_value"] == pytest.approx(math.erfc(abs(difference / se) / math.sqrt(2)))
    same = M.delong_test(y, a, a)
    assert same["difference"] == 0 and same["p_value"] == 1.0


def test_bootstrap_interval_resamples_people_not_photos() -> None:
    rng = np.random.default_rng(10)
    people = np.repeat(np.arange(30), 10)  # 30 people, 10 photos each
    level = rng.normal(0, 1, 30)[people]  # photos of one person are alike
    values = level + rng.normal(0, 0.05, people.size)
    by_person = M.bootstrap_interval(people, lambda rows: values[rows].mean(), 1000, seed=1)
    by_photo = M.bootstrap_interval(
        np.arange(people.size), lambda rows: values[rows].mean(), 1000, seed=1
    )
    assert by_person is not None and by_photo is not None
    assert by_person[0] < values.mean() < by_person[1]
    # Treating 300 correlated photos as independent would understate the uncertainty ~3x.
    assert (by_person[1] - by_person[0]) > 2.5 * (by_photo[1] - by_photo[0])
    assert M.bootstrap_interval(np.zeros(5), lambda rows: 1.0) is None


def test_ece_small_for_calibrated_large_for_overconfident() -> None:
    rng = np.random.default_rng(7)
    p = rng.random(20000)
    y = (rng.random(p.size) < p).astype(int)
    ece, bins = C.expected_calibration_error(y, p)
    assert ece < 0.02
    assert len(bins) == 10 and sum(b["count"] for b in bins) == p.size
    # overconfident: the reported probability is pushed towards 0/1 (z * 3)
    z = np.log(p / (1 - p))
    over = 1 / (1 + np.exp(-3 * z))
    ece_over, _ = C.expected_calibration_error(y, over)
    assert ece_over > 0.1


def test_ece_bins_match_sklearn_calibration_curve() -> None:
    rng = np.random.default_rng(8)
    for n_bins in (5, 10, 15):
        p = rng.beta(0.7, 1.5, 400)
        p[:4] = [0.0, 0.1, 0.5, 1.0]  # values on bin edges
        y = (rng.random(p.size) < p**0.7).astype(int)
        ece, bins = C.expected_calibration_error(y, p, n_bins)
        prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
        full = [b for b in bins if b["count"]]
        np.testing.assert_allclose([b["observed_rate"] for b in full], prob_true)
        np.testing.assert_allclose([b["mean_confidence"] for b in full], prob_pred)
        counts = np.array([b["count"] for b in full])
        expected = np.sum(counts / p.size * np.abs(prob_true - prob_pred))
        assert ece == pytest.approx(expected)
        json.loads(json.dumps(bins, allow_nan=False))


def test_ece_rejects_non_probabilities() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        C.expected_calibration_error([0, 1], [0.2, 1.3])


# ----------------------------------------------------------------------------- readers


def test_reader_metrics_binary() -> None:
    rng = np.random.default_rng(9)
    y = rng.integers(0, 2, 80)
    y[:2] = [0, 1]
    calls = np.where(rng.random(80) < 0.8, y, 1 - y)
    r = M.reader_metrics(y, calls)
    assert r["kind"] == "binary"
    assert r["auc"] == pytest.approx(skm.roc_auc_score(y, calls))
    assert r["sensitivity"] == pytest.approx(skm.recall_score(y, calls))
    assert r["specificity"] == pytest.approx(skm.recall_score(y, calls, pos_label=0))
    assert (r["fpr"], r["tpr"]) == pytest.approx((1 - r["specificity"], r["sensitivity"]))
    # a binary ROC is one interior point: its AUC is (sensitivity + specificity) / 2
    assert r["auc"] == pytest.approx((r["sensitivity"] + r["specificity"]) / 2)
    assert (r["fpr"], r["tpr"]) in set(zip(r["roc_fpr"], r["roc_tpr"], strict=True))


def test_reader_metrics_ordinal() -> None:
    rng = np.random.default_rng(10)
    y = rng.integers(0, 2, 120)
    y[:2] = [0, 1]
    ratings = np.clip(np.round(3 + 1.2 * (2 * y - 1) + rng.normal(0, 1.2, y.size)), 1, 5)
    r = M.reader_metrics(y, ratings)
    assert r["kind"] == "ordinal"
    assert r["threshold"] == 3.0
    assert r["auc"] == pytest.approx(skm.roc_auc_score(y, ratings))
    pred = (ratings >= 3).astype(int)
    assert r["sensitivity"] == pytest.approx(skm.recall_score(y, pred))
    assert r["specificity"] == pytest.approx(skm.recall_score(y, pred, pos_label=0))
    sfpr, stpr, _ = skm.roc_curve(y, ratings, drop_intermediate=False)
    np.testing.assert_allclose(r["roc_fpr"], sfpr)
    np.testing.assert_allclose(r["roc_tpr"], stpr)
    r4 = M.reader_metrics(y, ratings, threshold=4)
    assert r4["sensitivity"] == pytest.approx(skm.recall_score(y, (ratings >= 4).astype(int)))
    assert M.reader_metrics(y, np.clip(ratings, 2, 5), scale=(1, 5))["threshold"] == 3.0


# ----------------------------------------------------------------------------- tables


def _summary() -> dict:
    folds = [
        {"accuracy": a, "precision": 0.9, "recall": 0.8, "f1": 0.85, "auc": 0.9}
        for a in (0.91, 0.93, 0.94)
    ]
    return M.fold_summary(folds)


def test_markdown_table() -> None:
    md = T.markdown_table(_summary())
    lines = md.strip().splitlines()
    assert lines[0].startswith("| Metric (%) | Mean ± SD | Fold 1 | Fold 2 | Fold 3")
    assert len(lines) == 2 + 5  # specificity rows left out: the summary has none
    assert "| Accuracy | 92.7 ± 1.5 | 91.0 | 93.0 | 94.0 |" in md
    raw = T.markdown_table(_summary(), names=("auc",), percent=False)
    assert "| AUC | 0.9 ± 0.0 |" in raw


def test_comparison_table_with_study_rows() -> None:
    md = T.comparison_table(
        {"resnet18": _summary()}, {"VGG-19": T.STUDY_VGG19}, expert_auc=T.STUDY_BEST_EXPERT_AUC
    )
    lines = md.strip().splitlines()
    assert "Specificity" not in lines[0]
    assert lines[0].count("|") == 7  # model + 5 metrics
    assert "| VGG-19 (published) | 92.7 ± 1.3 | 94.0 ± 5.6 | 81.7 ± 3.6 | 87.2 ± 2.0 |" in md
    assert "89.6 ± 1.3 |" in md
    assert lines[-1] == "| Best expert reader (published) | — | — | — | — | 83.0 |"
    assert lines[2].startswith("| resnet18 | 92.7 ± 1.5 |")
