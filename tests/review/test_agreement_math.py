"""Agreement figures against published worked examples and the krippendorff package."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from review.services.agreement import (
    Ratings,
    agreement_summary,
    alpha_nominal,
    alpha_per_value,
    cohen_kappa,
    grouped_alpha_and_agreement,
    grouped_cohen_kappa,
    pair_counts,
    percent_agreement,
    value_counts,
)

nan = np.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
# four observers, twelve units, values 1-5, missing data. Nominal alpha = 0.743.
KRIPPENDORFF_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]

# Same paper, section A: binary data, two observers, ten units. Alpha = 0.095.
KRIPPENDORFF_A = [
    [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
]


def test_alpha_matches_krippendorffs_nominal_worked_example():
    counts = value_counts(Ratings.from_matrix(KRIPPENDORFF_C))
    assert alpha_nominal(counts) == pytest.approx(0.743, abs=0.0005)


def test_alpha_matches_krippendorffs_binary_worked_example():
    counts = value_counts(Ratings.from_matrix(KRIPPENDORFF_A))
    assert alpha_nominal(counts) == pytest.approx(0.095, abs=0.0005)


def test_kappa_matches_the_textbook_two_by_two_example():
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
    # p_o = 0.70, p_e = 0.50, kappa = 0.40 (Cohen 1960's formula).
    a = np.array([1] * 20 + [1] * 5 + [0] * 10 + [0] * 15)
    b = np.array([1] * 20 + [0] * 5 + [1] * 10 + [0] * 15)
    kappa, p_o, n = cohen_kappa(a, b, 2)
    assert (round(kappa, 4), round(p_o, 4), n) == (0.4, 0.7, 50)


def test_kappa_ignores_items_one_coder_left_out():
    a = np.array([0, 1, 1, -1, 2])
    b = np.array([0, 1, 1, 2, -1])
    kappa, p_o, n = cohen_kappa(a, b, 3)
    assert (kappa, p_o, n) == (1.0, 1.0, 3)


def test_kappa_is_undefined_when_both_coders_use_one_value():
    kappa, p_o, n = cohen_kappa(np.array([1, 1]), np.array([1, 1]), 3)
    assert kappa is None and p_o == 1.0 and n == 2


def test_alpha_is_undefined_without_pairable_values_or_variation():
    assert alpha_nominal(value_counts(Ratings.from_matrix([[0, nan], [nan, 1]]))) is None
    assert (
        alpha_nominal(
            value_counts(
                Ratings.from_matrix([[1, 1], [1, 1]]),
            )
        )
        is None
    )


@pytest.mark.parametrize("seed", range(8))
def test_alpha_equals_the_krippendorff_package_on_random_data(seed):
    rng = np.random.default_rng(seed)
    coders, units, values = rng.integers(2, 7), rng.integers(20, 400), rng.integers(2, 6)
    data = rng.integers(0, values, size=(coders, units)).astype(float)
    # Some agreement beyond chance, and missing values.
    data[1] = np.where(rng.random(units) < 0.5, data[0], data[1])
    data[rng.random(data.shape) < 0.3] = nan
    counts = value_counts(Ratings.from_matrix(data, n_values=int(values)))
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert alpha_nominal(counts) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_per_label_alpha_equals_the_package_on_binarised_data(seed):
    rng = np.random.default_rng(100 + seed)
    data = rng.integers(0, 3, size=(4, 150)).astype(float)
    data[2] = np.where(rng.random(150) < 0.6, data[0], data[2])
    data[rng.random(data.shape) < 0.2] = nan
    per_value = alpha_per_value(value_counts(Ratings.from_matrix(data, n_values=3)))
    for value in range(3):
        binary = np.where(np.isnan(data), nan, (data == value).astype(float))
        expected = krippendorff.alpha(reliability_data=binary, level_of_measurement="nominal")
        assert per_value[value] == pytest.approx(expected, abs=1e-9)


def test_per_article_alpha_equals_alpha_of_each_article_alone():
    rng = np.random.default_rng(7)
    data = rng.integers(0, 3, size=(3, 90)).astype(float)
    data[1] = np.where(rng.random(90) < 0.7, data[0], data[1])
    data[rng.random(data.shape) < 0.15] = nan
    group = np.repeat(np.arange(3), 30)
    counts = value_counts(Ratings.from_matrix(data, n_values=3))
    alphas, agreements, _units = grouped_alpha_and_agreement(counts, group, 3)
    for g in range(3):
        part = data[:, group == g]
        expected = krippendorff.alpha(reliability_data=part, level_of_measurement="nominal")
        assert alphas[g] == pytest.approx(expected, abs=1e-9)
        assert agreements[g] == pytest.approx(percent_agreement(counts[group == g]))


def test_percent_agreement_counts_agreeing_pairs_of_coders():
    # Unit 1: three coders agree (3 agreeing pairs of 3); unit 2: 2-1 split (1 of 3).
    counts = np.array([[3, 0], [2, 1]])
    assert percent_agreement(counts) == pytest.approx(4 / 6)


def test_confusion_counts_pairs_of_coders_splitting_between_two_labels():
    counts = np.array([[2, 1, 0], [0, 1, 1], [3, 0, 0]])
    pairs = pair_counts(counts)
    assert pairs[0, 1] == pairs[1, 0] == 2  # unit 1: two coders said 0 against one who said 1
    assert pairs[1, 2] == 1
    assert pairs[0, 0] == 1 + 3  # agreeing pairs on value 0


def test_summary_reports_kappa_for_every_pair_of_coders():
    summary = agreement_summary(Ratings.from_matrix(KRIPPENDORFF_C, n_values=6))
    assert [(p["a"], p["b"]) for p in summary["pairs"]] == [
        (0, 1),
        (0, 2),
        (0, 3),
        (1, 2),
        (1, 3),
        (2, 3),
    ]
    assert summary["alpha"] == pytest.approx(0.743, abs=0.0005)
    assert summary["pairable_units"] == 11


def test_per_article_kappa_equals_kappa_of_each_article_alone():
    rng = np.random.default_rng(11)
    a = rng.integers(0, 3, size=120)
    b = np.where(rng.random(120) < 0.6, a, rng.integers(0, 3, size=120))
    a[rng.random(120) < 0.1] = -1
    b[rng.random(120) < 0.1] = -1
    group = np.repeat(np.arange(4), 30)
    b[group == 3] = -1  # the pair never co-labeled the last article
    kappa, p_o, n = grouped_cohen_kappa(a, b, group, 4, 3)
    for g in range(3):
        expected = cohen_kappa(a[group == g], b[group == g], 3)
        assert kappa[g] == pytest.approx(expected[0], abs=1e-12)
        assert (p_o[g], n[g]) == (pytest.approx(expected[1]), expected[2])
    assert n[3] == 0 and np.isnan(kappa[3])


def test_per_article_kappa_is_undefined_where_both_used_one_label():
    a = np.array([0, 0, 1, 0])
    b = np.array([0, 0, 1, 1])
    kappa, p_o, n = grouped_cohen_kappa(a, b, np.array([0, 0, 1, 1]), 2, 2)
    assert np.isnan(kappa[0]) and p_o[0] == 1.0 and n[0] == 2
    assert kappa[1] == pytest.approx(0.0) and p_o[1] == 0.5


def test_summary_lists_kappa_per_article_for_pairs_that_co_labeled_it():
    # Unit 0-1: coders 0 and 1; units 2-3: coders 0 and 2 (1 absent).
    matrix = [[0, 1, 0, 1], [0, 1, nan, nan], [nan, nan, 0, 0]]
    summary = agreement_summary(
        Ratings.from_matrix(matrix, n_values=2), unit_group=np.array([0, 0, 1, 1]), n_groups=2
    )
    first, second = summary["groups"]
    assert [(p["a"], p["b"], p["kappa"], p["n"]) for p in first["pairs"]] == [(0, 1, 1.0, 2)]
    assert [(p["a"], p["b"], p["kappa"], p["agreement"]) for p in second["pairs"]] == [
        (0, 2, 0.0, 0.5)
    ]
