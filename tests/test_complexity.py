"""Tests for whalefeat.complexity: entropy/complexity maths and ComplexityEntropyCurve."""

from __future__ import annotations

import math
import os
import pickle
import subprocess
import sys
import warnings

import mpmath as mp
import numpy as np
import ordpy
import pandas as pd
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from whalefeat import ordinal
from whalefeat.complexity import (
    ComplexityEntropyCurve,
    complexity_entropy,
    default_q_grid,
    maximum_complexity,
    minimum_complexity,
    permutation_entropy,
    renyi_complexity_entropy,
    tsallis_complexity_entropy,
)

SERIES = [4, 7, 9, 10, 6, 11, 3]
# q values where ordpy itself is accurate: away from 1 (its (x^(1-q) - 1)/(1 - q) cancels
# there) and not so large that its powers overflow
ORDPY_Q = np.array([0.01, 0.1, 0.3, 0.5, 0.7, 1.0, 1.3, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0])


# ------------------------------------------------------------------------------------------
# high-precision reference: the textbook formulas, in 60-digit arithmetic

mp.mp.dps = 60


def _lnq(x, q):
    return mp.log(x) if q == 1 else (x ** (1 - q) - 1) / (1 - q)


def _reference_tsallis(counts, n, q):
    q, n = mp.mpf(q), mp.mpf(n)
    total = mp.mpf(int(np.sum(counts)))
    u = 1 / n
    p = [mp.mpf(int(c)) / total for c in counts if c > 0]
    missing = n - len(p)
    h = sum(pi * _lnq(1 / pi, q) for pi in p) / _lnq(n, q)
    d = -sum(pi * _lnq((pi + u) / (2 * pi), q) for pi in p) / 2 - (
        sum(_lnq((n * pi + 1) / 2, q) for pi in p) + missing * _lnq(mp.mpf(1) / 2, q)
    ) / (2 * n)
    if q == 1:
        d_max = -(((n + 1) / n) * mp.log(n + 1) + mp.log(n) - 2 * mp.log(2 * n)) / 2
    else:
        d_max = (2 ** (2 - q) * n - (1 + n) ** (1 - q) - n * (1 + 1 / n) ** (1 - q) - n + 1) / (
            (1 - q) * 2 ** (2 - q) * n
        )
    return h, h * d / d_max


def _reference_renyi(counts, n, alpha):
    if alpha == 1:
        return _reference_tsallis(counts, n, 1)
    a, n = mp.mpf(alpha), mp.mpf(n)
    total = mp.mpf(int(np.sum(counts)))
    u = 1 / n
    p = [mp.mpf(int(c)) / total for c in counts if c > 0]
    missing = n - len(p)
    h = mp.log(sum(pi**a for pi in p)) / ((1 - a) * mp.log(n))
    first = mp.log(sum(((pi + u) / 2) ** (1 - a) * pi**a for pi in p))
    second = mp.log(
        sum(u**a * ((pi + u) / 2) ** (1 - a) for pi in p) + missing * u**a * (u / 2) ** (1 - a)
    )
    d = (first + second) / (2 * (a - 1))
    d_max = (
        mp.log(((n + 1) ** (1 - a) + n - 1) / (2 ** (1 - a) * n))
        + (1 - a) * mp.log((n + 1) / (2 * n))
    ) / (2 * (a - 1))
    return h, h * d / d_max


def _assert_matches_reference(ours, reference, rtol):
    for value, exact in zip(ours, reference, strict=True):
        error = abs(mp.mpf(float(value)) - exact)
        assert error <= rtol * max(abs(exact), mp.mpf("1e-3")), (float(value), exact)


# ------------------------------------------------------------------------------------------
# reference values and ordpy


def test_design_reference_values():
    np.testing.assert_allclose(
        complexity_entropy(SERIES, dimension=2),
        [0.9182958340544894, 0.06112816548804511],
        rtol=0,
        atol=1e-15,
    )
    probs = [1 / 3, 1 / 15, 4 / 15, 2 / 15, 1 / 5, 0]
    np.testing.assert_allclose(
        complexity_entropy(probs, dimension=3, probs=True),
        [0.8314454838586238, 0.16576716623440763],
        rtol=0,
        atol=1e-15,
    )
    np.testing.assert_allclose(
        tsallis_complexity_entropy(SERIES, q=2, dimension=2),
        [0.88888889, 0.07619048],
        rtol=0,
        atol=5e-9,
    )
    np.testing.assert_allclose(
        renyi_complexity_entropy(SERIES, alpha=2, dimension=2),
        [0.84799691, 0.08303895],
        rtol=0,
        atol=5e-9,
    )
    assert permutation_entropy(SERIES, dimension=3) == pytest.approx(0.588762155916294, abs=1e-15)
    assert isinstance(permutation_entropy(SERIES, dimension=3), float)


def test_exact_values_of_the_small_examples():
    # the true values, to the last digit (ordpy's C of the first is 1.1e-14 off)
    hc = complexity_entropy(SERIES, dimension=2)
    _assert_matches_reference(hc, _reference_tsallis([4, 2], 2, 1), rtol=1e-15)
    hc = complexity_entropy([5, 1, 4, 2, 3, 0], dimension=3, probs=True)
    _assert_matches_reference(hc, _reference_tsallis([5, 1, 4, 2, 3, 0], 6, 1), rtol=1e-15)


def _ordpy_input(kind, dimension, delay, rng):
    length = 3000 if dimension == 7 else 600
    if kind == "random":
        return rng.standard_normal(length)
    if kind == "tied":
        return rng.integers(0, 4, length).astype(float)
    if kind == "constant":
        return np.full(length, -3.0)
    return rng.standard_normal((dimension - 1) * delay + 2)  # two windows only


@pytest.mark.parametrize("dimension", range(2, 8))
@pytest.mark.parametrize("delay", [1, 2, 3])
@pytest.mark.parametrize("kind", ["random", "tied", "constant", "shortest"])
def test_equal_to_ordpy(dimension, delay, kind):
    rng = np.random.default_rng(100 * dimension + delay)
    x = _ordpy_input(kind, dimension, delay, rng)
    kwargs = {"dx": dimension, "taux": delay}
    ours = {"dimension": dimension, "delay": delay}
    assert permutation_entropy(x, **ours) == pytest.approx(
        ordpy.permutation_entropy(x, **kwargs), abs=1e-10
    )
    np.testing.assert_allclose(
        complexity_entropy(x, **ours), ordpy.complexity_entropy(x, **kwargs), rtol=0, atol=1e-10
    )
    np.testing.assert_allclose(
        tsallis_complexity_entropy(x, q=ORDPY_Q, **ours),
        ordpy.tsallis_complexity_entropy(x, q=ORDPY_Q, **kwargs),
        rtol=0,
        atol=1e-10,
    )
    # ordpy's Renyi overflows once n^alpha does (alpha ln(d!) > 709)
    alphas = ORDPY_Q[ORDPY_Q * math.log(math.factorial(dimension)) < 700]
    np.testing.assert_allclose(
        renyi_complexity_entropy(x, alpha=alphas, **ours),
        ordpy.renyi_complexity_entropy(x, alpha=alphas, **kwargs),
        rtol=0,
        atol=1e-10,
    )


@pytest.mark.parametrize("q", [0.02, 0.5, 1.0, 2.5, 40.0])
def test_equal_to_ordpy_on_probabilities(q):
    rng = np.random.default_rng(7)
    p = rng.dirichlet(np.full(24, 0.3))
    p[rng.random(24) < 0.3] = 0
    p /= p.sum()
    np.testing.assert_allclose(
        tsallis_complexity_entropy(p, q=q, dimension=4, probs=True),
        ordpy.tsallis_complexity_entropy(p, q=q, dx=4, probs=True),
        rtol=0,
        atol=1e-10,
    )
    np.testing.assert_allclose(
        renyi_complexity_entropy(p, alpha=q, dimension=4, probs=True),
        ordpy.renyi_complexity_entropy(p, alpha=q, dx=4, probs=True),
        rtol=0,
        atol=1e-10,
    )
    # absent patterns may be left out, as in ordpy
    np.testing.assert_allclose(
        tsallis_complexity_entropy(p[p > 0], q=q, dimension=4, probs=True),
        tsallis_complexity_entropy(p, q=q, dimension=4, probs=True),
        rtol=1e-14,
        atol=1e-16,
    )


# ------------------------------------------------------------------------------------------
# high precision where ordpy is not accurate


def _count_cases():
    rng = np.random.default_rng(11)
    for dimension in (2, 3, 4, 5):
        n = math.factorial(dimension)
        yield dimension, rng.integers(0, 40, n)  # a few missing
        yield dimension, np.where(rng.random(n) < 0.3, rng.integers(1, 9, n), 0)  # sparse
        yield dimension, 1000 + rng.integers(-3, 4, n)  # near uniform
        yield dimension, np.r_[5, np.zeros(n - 1, dtype=int)]  # one pattern
        yield dimension, np.r_[np.full(n - 1, 3), 4000]  # dominated by one pattern


CASES = [case for case in _count_cases() if case[1].sum() > 0]
NEAR_ONE = [
    1 - 1e-3,
    1 - 1e-6,
    1 - 1e-9,
    1 - 1e-12,
    1 - 2**-52,
    1.0,
    1 + 2**-52,
    1 + 1e-12,
    1 + 1e-9,
    1 + 1e-6,
    1 + 1e-3,
]
WIDE = [1e-3, 0.01, 0.2, 0.5, 0.9, 1.1, 2.0, 7.0, 50.0, 300.0, 1075.0, 2000.0, 1e4]


@pytest.mark.parametrize(("dimension", "counts"), CASES)
def test_tsallis_near_q_one_to_high_precision(dimension, counts):
    ours = tsallis_complexity_entropy(counts, q=NEAR_ONE, dimension=dimension, probs=True)
    for q, hc in zip(NEAR_ONE, ours, strict=True):
        _assert_matches_reference(
            hc, _reference_tsallis(counts, math.factorial(dimension), q), rtol=4e-15
        )


@pytest.mark.parametrize(("dimension", "counts"), CASES)
def test_tsallis_over_the_q_range_to_high_precision(dimension, counts):
    ours = tsallis_complexity_entropy(counts, q=WIDE, dimension=dimension, probs=True)
    assert np.isfinite(ours).all()
    for q, hc in zip(WIDE, ours, strict=True):
        # t^q = exp(q ln t) inherits the rounding of ln t: q |ln t| ulps, |ln t| < ln 2
        _assert_matches_reference(
            hc,
            _reference_tsallis(counts, math.factorial(dimension), q),
            rtol=max(1e-14, 3e-16 * q),
        )


@pytest.mark.parametrize(("dimension", "counts"), CASES)
def test_renyi_to_high_precision(dimension, counts):
    alphas = NEAR_ONE + WIDE
    ours = renyi_complexity_entropy(counts, alpha=alphas, dimension=dimension, probs=True)
    assert np.isfinite(ours).all()
    for alpha, hc in zip(alphas, ours, strict=True):
        _assert_matches_reference(
            hc, _reference_renyi(counts, math.factorial(dimension), alpha), rtol=1e-14
        )


def test_ordpy_is_inexact_next_to_one_where_we_are_not():
    counts = np.random.default_rng(5).integers(1, 50, 24)
    q = 1 + 1e-10
    exact = _reference_tsallis(counts, 24, q)
    theirs = ordpy.tsallis_complexity_entropy(counts / counts.sum(), q=q, dx=4, probs=True)
    ours = tsallis_complexity_entropy(counts, q=q, dimension=4, probs=True)
    assert abs(theirs[1] - float(exact[1])) > 1e-9
    _assert_matches_reference(ours, exact, rtol=4e-15)


def test_curve_is_continuous_through_q_one():
    x = np.random.default_rng(8).standard_normal(2000)
    at_one = complexity_entropy(x, dimension=4)
    for measure in (tsallis_complexity_entropy, renyi_complexity_entropy):
        steps = np.array([1e-15, 1e-12, 1e-9, 1e-6])
        name = "q" if measure is tsallis_complexity_entropy else "alpha"
        above = measure(x, **{name: 1 + steps}, dimension=4)
        below = measure(x, **{name: 1 - steps}, dimension=4)
        np.testing.assert_array_equal(measure(x, **{name: 1.0}, dimension=4), at_one)
        # a smooth curve: the change is of the order of the step, on both sides
        for side in (above, below):
            change = np.abs(side - at_one).max(axis=1)
            assert (change <= 10 * steps + 1e-15).all()
        slope_above = (above[-1] - at_one) / steps[-1]
        slope_below = (at_one - below[-1]) / steps[-1]
        np.testing.assert_allclose(slope_above, slope_below, rtol=1e-4)


def test_very_large_q_stays_finite():
    x = np.random.default_rng(9).integers(0, 5, 1000).astype(float)
    values = tsallis_complexity_entropy(x, q=[1075, 5e4, 1e8, 1e15], dimension=5)
    assert np.isfinite(values).all()
    assert ((values >= 0) & (values <= 1)).all()
    with pytest.raises(ZeroDivisionError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ordpy.tsallis_complexity_entropy(x, q=2000.0, dx=5)


# ------------------------------------------------------------------------------------------
# closed forms and properties


@pytest.mark.parametrize("dimension", [2, 3, 5, 7])
@pytest.mark.parametrize("delay", [1, 3])
def test_monotone_series_have_zero_entropy_and_complexity(dimension, delay):
    q = [1e-3, 0.5, 1.0, 3.0, 1e4]
    for x in (np.arange(50.0), -np.exp(np.arange(50.0) / 10), np.full(50, 1.5)):
        assert permutation_entropy(x, dimension=dimension, delay=delay) == 0.0
        np.testing.assert_array_equal(
            complexity_entropy(x, dimension=dimension, delay=delay), [0.0, 0.0]
        )
        for measure, name in (
            (tsallis_complexity_entropy, "q"),
            (renyi_complexity_entropy, "alpha"),
        ):
            values = measure(x, **{name: q}, dimension=dimension, delay=delay)
            np.testing.assert_array_equal(values, np.zeros((5, 2)))


@pytest.mark.parametrize("dimension", [2, 3, 4, 6])
def test_uniform_distribution_has_unit_entropy_and_no_complexity(dimension):
    uniform = np.full(math.factorial(dimension), 3)
    for measure, name in ((tsallis_complexity_entropy, "q"), (renyi_complexity_entropy, "alpha")):
        values = measure(uniform, **{name: WIDE}, dimension=dimension, probs=True)
        np.testing.assert_allclose(values[:, 0], 1.0, rtol=1e-14)
        np.testing.assert_array_equal(values[:, 1], 0.0)


def test_q_one_is_shannon():
    x = np.random.default_rng(10).standard_normal(3000)
    for dimension in (3, 5):
        shannon = complexity_entropy(x, dimension=dimension)
        np.testing.assert_array_equal(
            tsallis_complexity_entropy(x, q=1, dimension=dimension), shannon
        )
        np.testing.assert_array_equal(
            renyi_complexity_entropy(x, alpha=1, dimension=dimension), shannon
        )
        assert permutation_entropy(x, dimension=dimension) == shannon[0]


@pytest.mark.parametrize("length", [3000, 20000])
@pytest.mark.parametrize("q", [list(default_q_grid()), [0.5, 2.0, 1e3, 1e4]])
def test_signals_equal_their_pattern_counts(length, q):
    # series go through cached per-count terms (up to 2**14 windows, q below 600 / ln 2);
    # distributions, long series and larger q through the direct sums: the same values
    X = np.random.default_rng(14).integers(0, 6, (3, length)).astype(float)
    counts = ordinal.pattern_counts(X, 4)
    for measure, name in ((tsallis_complexity_entropy, "q"), (renyi_complexity_entropy, "alpha")):
        np.testing.assert_allclose(
            measure(X, **{name: q}, dimension=4),
            measure(counts, **{name: q}, dimension=4, probs=True),
            rtol=1e-14,
            atol=1e-16,
        )


def test_batches_and_shapes():
    X = np.random.default_rng(12).standard_normal((2, 3, 400))
    hc = complexity_entropy(X, dimension=4)
    assert hc.shape == (2, 3, 2)
    np.testing.assert_array_equal(hc[1, 2], complexity_entropy(X[1, 2], dimension=4))
    assert permutation_entropy(X, dimension=4).shape == (2, 3)
    assert tsallis_complexity_entropy(X, dimension=4).shape == (2, 3, 49, 2)
    assert tsallis_complexity_entropy(X, q=2.0, dimension=4).shape == (2, 3, 2)
    assert tsallis_complexity_entropy(X, q=[2.0], dimension=4).shape == (2, 3, 1, 2)
    assert renyi_complexity_entropy(X[0, 0], alpha=[0.5, 2], dimension=4).shape == (2, 2)
    np.testing.assert_array_equal(
        tsallis_complexity_entropy(X, dimension=4),
        tsallis_complexity_entropy(X, q=default_q_grid(), dimension=4),
    )


def test_default_q_grid():
    q = default_q_grid()
    assert q.shape == (49,)
    assert q[0] == 0.01 and q[-1] == 100.0 and q[24] == 1.0 and 0.1 in q and 10.0 in q
    np.testing.assert_allclose(np.diff(np.log10(q)), 1 / 12, rtol=1e-12)


def _curve_at(first, rest, n_rest, dimension):
    p = np.r_[first, np.full(n_rest, rest)]
    return complexity_entropy(p, dimension=dimension, probs=True)


def _bisect(function, target, low, high):
    """x in [low, high] where the increasing ``function`` (of x) reaches ``target``."""
    for _ in range(200):
        middle = (low + high) / 2
        if function(middle) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _lower_bound(h, dimension):
    n = math.factorial(dimension)

    def curve(x):  # x from 1/n (H = 1) to 1 (H = 0): H decreases with x
        return _curve_at(x, (1 - x) / (n - 1), n - 1, dimension)

    x = _bisect(lambda x: -curve(x)[0], -h, 1 / n, 1.0)
    return curve(x)[1]


def _upper_bound(h, dimension):
    n = math.factorial(dimension)
    m = min(max(2, math.ceil(math.exp(h * math.log(n)) - 1e-12)), n)  # patterns in use

    def curve(x):  # segment m: x from 0 (uniform on m - 1) to 1/m (uniform on m)
        return _curve_at(x, (1 - x) / (m - 1), m - 1, dimension)

    x = _bisect(lambda x: curve(x)[0], h, 0.0, 1 / m)
    return curve(x)[1]


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 4), st.data())
def test_entropy_and_complexity_within_bounds(dimension, data):
    n = math.factorial(dimension)
    counts = np.array(data.draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)))
    if counts.sum() == 0:
        return
    h, c = complexity_entropy(counts, dimension=dimension, probs=True)
    assert 0.0 <= h <= 1.0
    assert _lower_bound(h, dimension) - 1e-9 <= c <= _upper_bound(h, dimension) + 1e-9
    curves = tsallis_complexity_entropy(
        counts, q=[0.1, 2.0, 500.0], dimension=dimension, probs=True
    )
    assert ((curves >= 0) & (curves <= 1 + 1e-15)).all()


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(-30, 30), min_size=30, max_size=200),
    st.integers(2, 5),
    st.integers(1, 3),
    st.integers(1, 9),
    st.integers(-100, 100),
)
def test_invariant_under_increasing_transforms(values, dimension, delay, scale, offset):
    x = np.asarray(values, dtype=float)
    if x.size < (dimension - 1) * delay + 1:
        return
    q = [0.3, 1.0, 4.0]
    reference = tsallis_complexity_entropy(x, q=q, dimension=dimension, delay=delay)
    for transformed in (scale * x + offset, x**3, np.arctan(x / 7)):
        np.testing.assert_array_equal(
            tsallis_complexity_entropy(transformed, q=q, dimension=dimension, delay=delay),
            reference,
        )


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=20, max_size=300), st.integers(0, 2**32 - 1))
def test_jitter_is_seeded_bounded_and_inert_without_ties(values, seed):
    x = np.asarray(values, dtype=float)
    stable = permutation_entropy(x, dimension=3)
    jitter = permutation_entropy(x, dimension=3, ties="jitter", random_state=seed)
    assert 0.0 <= jitter <= 1.0
    if np.unique(x).size == x.size:
        assert jitter == stable
    assert jitter == permutation_entropy(x, dimension=3, ties="jitter", random_state=seed)


# ------------------------------------------------------------------------------------------
# bounds of the plane


@pytest.mark.parametrize("dimension", [2, 3, 4, 5, 6])
def test_minimum_complexity_matches_ordpy(dimension):
    ours = minimum_complexity(dimension, n_points=50)
    theirs = ordpy.minimum_complexity_entropy(dx=dimension, size=50)
    assert ours.shape == (50, 2)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    assert (np.diff(ours[:, 0]) > 0).all()
    np.testing.assert_array_equal(ours[0], [0.0, 0.0])
    np.testing.assert_array_equal(ours[-1], [1.0, 0.0])


@pytest.mark.parametrize("dimension", [3, 4, 5])
def test_maximum_complexity_holds_ordpy_points_and_bounds_them(dimension):
    n = math.factorial(dimension)
    ours = maximum_complexity(dimension, n_points=5)
    assert ours.shape == ((n - 1) * 4 + 1, 2)
    assert (np.diff(ours[:, 0]) > 0).all()
    np.testing.assert_array_equal(ours[0], [0.0, 0.0])
    np.testing.assert_array_equal(ours[-1], [1.0, 0.0])
    theirs = ordpy.maximum_complexity_entropy(dx=dimension, m=2)
    # ordpy's x = 0 points (uniform on m patterns) are the ends of our segments
    ends = ours[::4]
    np.testing.assert_allclose(
        ends[1:-1],
        theirs[np.isin(np.round(theirs[:, 0], 12), np.round(ends[1:-1, 0], 12))],
        rtol=0,
        atol=1e-12,
    )
    # and every ordpy point lies on the exact upper bound
    for h, c in theirs[1:-1]:
        assert c == pytest.approx(_upper_bound(h, dimension), abs=1e-10)


def test_bound_curves_enclose_the_plane():
    rng = np.random.default_rng(13)
    lower, upper = minimum_complexity(4, n_points=400), maximum_complexity(4, n_points=40)
    for _ in range(50):
        h, c = complexity_entropy(
            rng.dirichlet(np.full(24, rng.uniform(0.05, 3))), dimension=4, probs=True
        )
        assert np.interp(h, *lower.T) - 1e-3 <= c <= np.interp(h, *upper.T) + 1e-3


# ------------------------------------------------------------------------------------------
# errors of the functions


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dimension": 1}, "dimension must be an integer from 2 to 8, got 1"),
        ({"dimension": 9}, "dimension must be an integer from 2 to 8, got 9"),
        ({"dimension": 3.0}, "dimension must be an integer from 2 to 8, got 3.0"),
        ({"delay": 0}, "delay must be a positive integer, got 0"),
        ({"ties": "random"}, "ties must be 'stable' or 'jitter', got 'random'"),
    ],
)
def test_function_parameter_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        complexity_entropy(np.arange(20.0), **kwargs)


@pytest.mark.parametrize(
    ("q", "message"),
    [
        (0.0, "q must hold positive finite values, got 0.0"),
        ([1.0, -2.0], "q must hold positive finite values, got -2.0"),
        (np.nan, "q must hold positive finite values, got nan"),
        (np.inf, "q must hold positive finite values, got inf"),
        (
            [],
            r"q must be a positive number or a non-empty 1-D array of them, got an array "
            r"of shape \(0,\)",
        ),
        ([[1.0]], r"got an array of shape \(1, 1\)"),
        ("a", "q must be a positive number or a 1-D array of them, got 'a'"),
    ],
)
def test_q_errors(q, message):
    with pytest.raises(ValueError, match=message):
        tsallis_complexity_entropy(np.arange(20.0), q=q)


def test_alpha_errors_name_alpha():
    with pytest.raises(ValueError, match="alpha must hold positive finite values, got -1.0"):
        renyi_complexity_entropy(np.arange(20.0), alpha=-1.0)


@pytest.mark.parametrize(
    ("x", "message"),
    [
        ([1.0, np.nan, 3.0, 4.0], "x holds NaN or infinite values"),
        ([1.0, np.inf, 3.0, 4.0], "x holds NaN or infinite values"),
        ([], r"x is empty \(shape \(0,\)\)"),
        (np.zeros((3, 0)), r"x is empty \(shape \(3, 0\)\)"),
        (5.0, "x must be at least 1-D"),
        (["a", "b", "c"], "x must hold real numbers, got dtype <U1"),
        (
            [1.0, 2.0],
            "x holds series of length 2, too short for dimension=3, delay=1: an "
            r"ordinal pattern spans \(dimension - 1\) \* delay \+ 1 = 3 samples",
        ),
    ],
)
def test_signal_errors(x, message):
    with pytest.raises(ValueError, match=message):
        complexity_entropy(x, dimension=3)


@pytest.mark.parametrize(
    ("p", "message"),
    [
        (
            np.ones(7),
            "x holds 7 probabilities, more than the dimension! = 6 patterns of dimension=3",
        ),
        ([0.5, -0.5, 1.0], r"x must hold finite non-negative probabilities \(or counts\)"),
        ([0.5, np.nan], r"x must hold finite non-negative probabilities \(or counts\)"),
        ([0.0, 0.0], "x holds a distribution that sums to zero"),
        ([], r"x must be a non-empty probability vector, got shape \(0,\)"),
    ],
)
def test_probability_errors(p, message):
    with pytest.raises(ValueError, match=message):
        complexity_entropy(p, dimension=3, probs=True)


@pytest.mark.parametrize("function", [minimum_complexity, maximum_complexity])
def test_bound_errors(function):
    with pytest.raises(ValueError, match="n_points must be an integer >= 2, got 1"):
        function(3, n_points=1)
    with pytest.raises(ValueError, match="dimension must be an integer from 2 to 8, got 11"):
        function(11)


# ------------------------------------------------------------------------------------------
# the transformer


@parametrize_with_checks(
    [
        ComplexityEntropyCurve(dimension=2, measure="shannon"),
        ComplexityEntropyCurve(dimension=2, q=[0.5, 2.0]),
        ComplexityEntropyCurve(
            dimension=2, measure="renyi", q=3.0, ties="jitter", random_state=0, n_jobs=2
        ),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_signals_equal_the_functions():
    X = np.random.default_rng(20).standard_normal((5, 1000))
    for measure, function, name in (
        ("tsallis", tsallis_complexity_entropy, "q"),
        ("renyi", renyi_complexity_entropy, "alpha"),
    ):
        curve = ComplexityEntropyCurve(dimension=5, delay=2, measure=measure)
        features = curve.fit_transform(X)
        assert features.shape == (5, 98) and features.dtype == np.float64
        expected = function(X, **{name: default_q_grid()}, dimension=5, delay=2)
        np.testing.assert_array_equal(features, expected.reshape(5, 98))
    shannon = ComplexityEntropyCurve(dimension=5, measure="shannon").fit_transform(X)
    np.testing.assert_array_equal(shannon, complexity_entropy(X, dimension=5))


@pytest.mark.parametrize(
    ("window", "hop"), [(256, 32), (100, None), (1000, 7), (37, 1), (37, 100), (5, 3)]
)
def test_windows_equal_the_function_on_each_window(window, hop):
    X = np.random.default_rng(21).integers(-3, 4, (3, 1000)).astype(np.float32)
    curve = ComplexityEntropyCurve(dimension=4, measure="shannon", window=window, hop=hop)
    features = curve.fit_transform(X)
    step = window if hop is None else hop
    n_windows = 1 + (1000 - window) // step
    assert features.shape == (3, n_windows, 2)
    for f in [0, n_windows // 2, n_windows - 1]:
        np.testing.assert_array_equal(
            features[:, f], complexity_entropy(X[:, f * step : f * step + window], dimension=4)
        )


def test_spectrograms_give_one_vector_per_frame_along_frequency():
    S = np.random.default_rng(22).random((4, 46, 30)).astype(np.float32)
    curve = ComplexityEntropyCurve(dimension=3, q=[0.5, 1.0, 7.0])
    features = curve.fit_transform(S)
    assert features.shape == (4, 30, 6)
    expected = tsallis_complexity_entropy(S.transpose(0, 2, 1), q=[0.5, 1.0, 7.0], dimension=3)
    np.testing.assert_array_equal(features, expected.reshape(4, 30, 6))
    # a Fortran-ordered or float64 copy gives the same values
    np.testing.assert_array_equal(
        curve.transform(np.asfortranarray(S.astype(np.float64))), features
    )


def test_study_framing():
    # the study: windows of 256 samples, hop 32, d = 4, Shannon (H, C), on 2-s clips
    X = np.random.default_rng(23).standard_normal((2, 4000))
    curve = ComplexityEntropyCurve(dimension=4, measure="shannon", window=256, hop=32)
    features = curve.fit_transform(X)
    assert features.shape == (2, 118, 2)
    assert ((features[..., 0] > 0.9) & (features[..., 0] <= 1)).all()


def test_threads_and_blocks_give_the_same_values(monkeypatch):
    X = np.random.default_rng(24).integers(0, 3, (37, 300)).astype(float)
    curve = ComplexityEntropyCurve(dimension=3, q=[0.5, 2.0], ties="jitter", random_state=4)
    one = curve.fit_transform(X)
    np.testing.assert_array_equal(curve.set_params(n_jobs=2).fit_transform(X), one)
    np.testing.assert_array_equal(curve.set_params(n_jobs=-1).fit_transform(X), one)
    monkeypatch.setattr("whalefeat.complexity._BLOCK_VALUES", 700)  # blocks of two rows
    np.testing.assert_array_equal(curve.fit_transform(X), one)
    np.testing.assert_array_equal(curve.fit_transform(X[5:9]), one[5:9])


@pytest.mark.slow
def test_threads_on_the_first_call_with_nothing_compiled(tmp_path):
    # an empty numba cache makes this process compile everything, with threads requested
    code = (
        "import numpy as np\n"
        "from whalefeat.complexity import ComplexityEntropyCurve\n"
        "X = np.random.default_rng(0).standard_normal((64, 300))\n"
        "curve = ComplexityEntropyCurve(dimension=3, q=[0.5, 2.0], n_jobs=2)\n"
        "a = curve.fit_transform(X)\n"
        "b = curve.set_params(n_jobs=1).fit_transform(X)\n"
        "assert np.array_equal(a, b)\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_jitter_is_seeded():
    X = np.random.default_rng(25).integers(0, 2, (3, 500)).astype(float)
    curve = ComplexityEntropyCurve(dimension=4, measure="shannon", ties="jitter", random_state=3)
    first = curve.fit_transform(X)
    np.testing.assert_array_equal(curve.transform(X), first)
    other = curve.set_params(random_state=4).fit_transform(X)
    assert (other != first).any()
    stable = curve.set_params(ties="stable").fit_transform(X)
    assert (first[:, 0] > stable[:, 0]).all()


def test_integer_input_equals_float_input():
    X = np.random.default_rng(26).integers(-200, 200, (3, 800)).astype(np.int16)
    curve = ComplexityEntropyCurve(dimension=5, q=[0.3, 3.0])
    np.testing.assert_array_equal(curve.fit_transform(X), curve.fit_transform(X / 32768.0))


def test_feature_names():
    X = np.random.default_rng(27).standard_normal((2, 100))
    assert ComplexityEntropyCurve(measure="shannon").fit(X).get_feature_names_out().tolist() == [
        "H",
        "C",
    ]
    names = ComplexityEntropyCurve().fit(X).get_feature_names_out()
    assert names.dtype == object and len(names) == 98 and len(set(names)) == 98
    assert names[:2].tolist() == ["H_q=0.01", "C_q=0.01"]
    assert names[48:50].tolist() == ["H_q=1", "C_q=1"]
    assert names[-1] == "C_q=100"
    close = ComplexityEntropyCurve(measure="renyi", q=[2.0, 2.0000001]).fit(X)
    assert close.get_feature_names_out().tolist() == [
        "H_q=2.0",
        "C_q=2.0",
        "H_q=2.0000001",
        "C_q=2.0000001",
    ]
    assert ComplexityEntropyCurve(q=0.5).fit(X).get_feature_names_out().tolist() == [
        "H_q=0.5",
        "C_q=0.5",
    ]
    frame = pd.DataFrame(X, columns=[f"t{i}" for i in range(100)])
    curve = ComplexityEntropyCurve(measure="shannon").fit(frame)
    assert curve.get_feature_names_out([f"t{i}" for i in range(100)]).tolist() == ["H", "C"]
    with pytest.raises(ValueError, match="input_features is not equal to feature_names_in_"):
        curve.get_feature_names_out([f"s{i}" for i in range(100)])


def test_fitted_attributes():
    curve = ComplexityEntropyCurve(measure="shannon").fit(np.zeros((2, 50)))
    np.testing.assert_array_equal(curve.q_, [1.0])
    assert curve.n_features_in_ == 50 and curve.input_ndim_ == 2
    curve = ComplexityEntropyCurve(q=[3, 0.5]).fit(np.zeros((2, 10, 4)))
    np.testing.assert_array_equal(curve.q_, [3.0, 0.5])
    assert curve.n_features_in_ == 10 and curve.input_ndim_ == 3


def test_clone_pickle_and_cross_validation():
    rng = np.random.default_rng(28)
    noise = rng.standard_normal((40, 600))
    smooth = np.cumsum(rng.standard_normal((40, 600)), axis=1)
    X, y = np.vstack([noise, smooth]), np.r_[np.zeros(40), np.ones(40)]
    curve = ComplexityEntropyCurve(dimension=4, q=[0.5, 2.0], ties="jitter", random_state=1)
    fitted = curve.fit(X)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(X), fitted.transform(X))
    cloned = clone(fitted)
    assert cloned.get_params() == curve.get_params() and not hasattr(cloned, "q_")
    model = make_pipeline(curve, StandardScaler(), LogisticRegression())
    assert cross_val_score(model, X, y, cv=3).mean() > 0.9


@pytest.mark.parametrize(
    ("params", "X", "message"),
    [
        (
            {"measure": "shannon", "q": 2.0},
            (3, 50),
            "q applies to measure='tsallis' or 'renyi'; measure='shannon' takes no q, got q=2.0",
        ),
        ({"q": [1.0, -1.0]}, (3, 50), "q must hold positive finite values, got -1.0"),
        ({"q": [[1.0, 2.0]]}, (3, 50), r"q must be a positive number or a non-empty 1-D array"),
        ({"window": 60}, (3, 50), r"window=60 exceeds the signal length: X has 50 feature\(s\)"),
        (
            {"window": 3},
            (3, 50),
            r"window=3 is too short for dimension=4, delay=1: an ordinal "
            r"pattern spans \(dimension - 1\) \* delay \+ 1 = 4 samples",
        ),
        ({"hop": 5}, (3, 50), "hop=5 needs window: set window as well, or neither"),
        (
            {"window": 10},
            (3, 20, 5),
            r"window and hop apply to signals \(n_samples, n_times\); "
            r"spectrograms \(X of shape \(3, 20, 5\)\)",
        ),
        (
            {"dimension": 3, "delay": 2},
            (3, 4),
            r"signals with 4 feature\(s\) \(samples per signal\) are too short for dimension=3, "
            r"delay=2: an ordinal pattern spans \(dimension - 1\) \* delay \+ 1 = 5 samples",
        ),
        (
            {"dimension": 5},
            (3, 4, 9),
            r"spectrograms with 4 frequency bin\(s\) are too short for dimension=5, delay=1",
        ),
        ({}, (2, 3, 4, 5), r"X must be signals \(n_samples, n_times\) or spectrograms"),
    ],
)
def test_fit_errors(params, X, message):
    with pytest.raises(ValueError, match=message):
        ComplexityEntropyCurve(**params).fit(np.zeros(X))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dimension": 9}, "The 'dimension' parameter of ComplexityEntropyCurve must be"),
        ({"dimension": 1}, "The 'dimension' parameter"),
        ({"delay": 0}, "The 'delay' parameter"),
        ({"measure": "gini"}, "The 'measure' parameter"),
        ({"ties": "random"}, "The 'ties' parameter"),
        ({"q": "a"}, "The 'q' parameter"),
        ({"q": -1.0}, "The 'q' parameter"),
        ({"window": 0}, "The 'window' parameter"),
        ({"hop": 0}, "The 'hop' parameter"),
        ({"n_jobs": 1.5}, "The 'n_jobs' parameter"),
        ({"random_state": "seed"}, "The 'random_state' parameter"),
    ],
)
def test_parameter_validation(params, message):
    with pytest.raises(InvalidParameterError, match=message):
        ComplexityEntropyCurve(**params).fit(np.zeros((2, 30)))


def test_transform_errors():
    curve = ComplexityEntropyCurve(measure="shannon").fit(np.zeros((2, 30)))
    with pytest.raises(
        ValueError,
        match="X has 3 dimensions but this ComplexityEntropyCurve was fitted on 2-D input",
    ):
        curve.transform(np.zeros((2, 30, 5)))
    with pytest.raises(
        ValueError, match="X has 20 features, but ComplexityEntropyCurve is expecting 30 features"
    ):
        curve.transform(np.zeros((2, 20)))
    bad = np.zeros((2, 30))
    bad[1, 3] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        curve.transform(bad)
    bad[1, 3] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        curve.transform(bad)
    with pytest.raises(ValueError, match="Found array with 0 sample"):
        curve.transform(np.zeros((0, 30)))
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        curve.transform(np.zeros(30))


@pytest.mark.realdata
def test_real_clips(narw_dir):
    table = pd.read_csv(narw_dir / "train.csv").head(24)
    X = np.stack(
        [sf.read(narw_dir / "train" / name, dtype="int16")[0] for name in table["clip_name"]]
    )
    assert X.shape == (24, 4000)
    stable = ComplexityEntropyCurve(dimension=5, measure="shannon").fit_transform(X)
    jitter = ComplexityEntropyCurve(
        dimension=5, measure="shannon", ties="jitter", random_state=0
    ).fit_transform(X)
    # 16-bit clips of a few hundred units: ties are rare and shift H by little
    assert ((stable[:, 0] > 0) & (stable[:, 0] < 1)).all()
    np.testing.assert_allclose(jitter, stable, atol=0.05)
    for i in range(3):
        np.testing.assert_allclose(
            stable[i], ordpy.complexity_entropy(X[i], dx=5), rtol=0, atol=1e-10
        )
    framed = ComplexityEntropyCurve(measure="shannon", window=256, hop=32).fit_transform(X)
    assert framed.shape == (24, 118, 2)
