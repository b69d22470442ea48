"""The statistics of the studies against values computed independently (textbook tables, exact sums)."""

import math

import pytest

from r1ci.stats import binomial_two_sided, compare, mcnemar, paired_difference, wilson


def test_wilson_interval_matches_the_textbook_values():
    assert wilson(50, 100) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)  # never below 0, unlike the normal interval
    assert wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    low, high = wilson(3, 40)
    assert low < 3 / 40 < high
    with pytest.raises(ValueError, match="at least one question"):
        wilson(0, 0)


def test_exact_mcnemar_is_the_binomial_test_on_discordant_questions():
    assert binomial_two_sided(0, 5) == pytest.approx(2 / 32)
    assert binomial_two_sided(2, 4) == 1.0 and binomial_two_sided(0, 0) == 1.0
    assert binomial_two_sided(3, 10) == pytest.approx(2 * sum(math.comb(10, i) for i in range(4)) / 1024)
    a = {f"q{i}": int(i < 30) for i in range(100)}            # right on q0..q29
    b = {f"q{i}": int(10 <= i < 50) for i in range(100)}      # right on q10..q49
    row = mcnemar(a, b)
    assert (row["n"], row["a_only"], row["b_only"]) == (100, 10, 20)
    assert row["p_value"] == pytest.approx(binomial_two_sided(10, 30))
    assert mcnemar(b, a)["p_value"] == row["p_value"]


def test_paired_difference_uses_only_shared_questions_and_brackets_the_difference():
    a = {f"q{i}": int(i % 3 == 0) for i in range(90)}
    b = {f"q{i}": 1 for i in range(60)} | {"extra": 0}
    row = paired_difference(a, b)
    assert row["n"] == 60 and row["difference"] == pytest.approx(40 / 60)
    low, high = row["interval"]
    assert low < row["difference"] < high and 0.5 < low and high < 0.8
    assert paired_difference(a, b) == row, "the bootstrap is seeded: the same numbers every time"
    same = paired_difference(a, a)
    assert same["difference"] == 0 and same["interval"] == (0, 0)
    assert set(compare(a, b)) == {"n", "difference", "interval", "a_only", "b_only", "p_value"}
    with pytest.raises(ValueError, match="share no question"):
        compare({"x": 1}, {"y": 0})
