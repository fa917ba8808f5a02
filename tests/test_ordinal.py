"""Tests for the ordinal-pattern kernels in whalefeat.ordinal."""

from __future__ import annotations

import itertools
import math

import numpy as np
import ordpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whalefeat import ordinal


def _lexicographic_rank(rows: np.ndarray) -> np.ndarray:
    """Rank of each permutation row among all permutations in lexicographic order."""
    rows = np.asarray(rows)
    d = rows.shape[1]
    ranks = np.zeros(rows.shape[0], dtype=np.int64)
    for i in range(d):
        smaller_after = (rows[:, i + 1 :] < rows[:, i : i + 1]).sum(axis=1)
        ranks += smaller_after * math.factorial(d - 1 - i)
    return ranks


def _series(kind: str, length: int, rng) -> np.ndarray:
    if kind == "random":
        return rng.standard_normal(length)
    if kind == "tied":
        return rng.integers(0, 3, length).astype(float)
    return np.full(length, 7.0)


@pytest.mark.parametrize("dimension", range(2, 9))
@pytest.mark.parametrize("delay", [1, 2, 3])
@pytest.mark.parametrize("kind", ["random", "tied", "constant"])
def test_codes_are_ordpy_patterns_in_lexicographic_order(dimension, delay, kind):
    rng = np.random.default_rng(dimension * 10 + delay)
    x = _series(kind, 200, rng)
    codes = ordinal.pattern_codes(x, dimension, delay)
    symbols = ordpy.ordinal_sequence(x, dx=dimension, taux=delay)
    np.testing.assert_array_equal(codes, _lexicographic_rank(symbols))
    assert codes.dtype == np.int32


@pytest.mark.parametrize("dimension", [2, 3, 4, 5, 6])
def test_every_pattern_gets_its_own_code(dimension):
    # the window inverse(pi) has argsort pi; permutations come in lexicographic order
    perms = np.array(list(itertools.permutations(range(dimension))))
    windows = np.argsort(perms, axis=1).astype(float)
    codes = ordinal.pattern_codes(windows, dimension)
    np.testing.assert_array_equal(codes[:, 0], np.arange(math.factorial(dimension)))


@pytest.mark.parametrize("dimension", [3, 4, 5])
@pytest.mark.parametrize("delay", [1, 2])
@pytest.mark.parametrize("kind", ["random", "tied"])
def test_counts_match_ordpy_distribution(dimension, delay, kind):
    rng = np.random.default_rng(dimension)
    x = _series(kind, 500, rng)
    counts = ordinal.pattern_counts(x, dimension, delay)
    assert counts.shape == (math.factorial(dimension),)
    n_windows = 500 - (dimension - 1) * delay
    assert counts.sum() == n_windows
    symbols, probabilities = ordpy.ordinal_distribution(x, dx=dimension, taux=delay)
    present = np.flatnonzero(counts)
    np.testing.assert_array_equal(present, _lexicographic_rank(symbols))
    np.testing.assert_allclose(counts[present] / n_windows, probabilities, rtol=0, atol=1e-15)


def test_counts_keep_leading_axes_and_dtypes():
    rng = np.random.default_rng(0)
    X = rng.integers(-5, 5, (2, 3, 50)).astype(np.int16)
    counts = ordinal.pattern_counts(X, 3)
    assert counts.shape == (2, 3, 6)
    for dtype in (np.float32, np.float64, np.int64):
        np.testing.assert_array_equal(ordinal.pattern_counts(X.astype(dtype), 3), counts)
    np.testing.assert_array_equal(counts[1, 2], ordinal.pattern_counts(X[1, 2], 3))


@pytest.mark.parametrize(("window", "hop"), [(20, 1), (20, 7), (50, 50), (13, 4)])
@pytest.mark.parametrize("delay", [1, 2])
def test_sliding_counts_equal_counts_of_each_window(window, hop, delay):
    rng = np.random.default_rng(window + hop)
    X = rng.integers(0, 4, (3, 103)).astype(float)
    counts = ordinal.pattern_counts(X, 3, delay, window=window, hop=hop)
    n_windows = 1 + (103 - window) // hop
    assert counts.shape == (3, n_windows, 6)
    for f in range(n_windows):
        frame = X[:, f * hop : f * hop + window]
        np.testing.assert_array_equal(counts[:, f], ordinal.pattern_counts(frame, 3, delay))


def test_jitter_leaves_distinct_values_alone():
    x = np.random.default_rng(1).standard_normal(300)
    stable = ordinal.pattern_codes(x, 5)
    for seed in (0, 1, 2**63 - 1):
        np.testing.assert_array_equal(
            ordinal.pattern_codes(x, 5, ties=ordinal.TIES_JITTER, seed=seed), stable
        )


@pytest.mark.parametrize("dimension", [2, 3, 5, 8])
@pytest.mark.parametrize("delay", [1, 3])
def test_jitter_is_an_infinitesimal_perturbation(dimension, delay):
    # ranking ties by the seeded key equals adding, to each sample, a perturbation
    # below the smallest gap (1 here) that orders tied samples by their keys
    x = np.random.default_rng(2).integers(0, 3, 400).astype(float)
    seed = 12345
    keys = np.array(
        [int(ordinal._tie_key(np.uint64(seed), t)) for t in range(x.size)], dtype=np.uint64
    )
    key_rank = np.argsort(np.argsort(keys, kind="stable"), kind="stable")
    perturbed = x + 0.5 * key_rank / x.size
    np.testing.assert_array_equal(
        ordinal.pattern_codes(x, dimension, delay, ties=ordinal.TIES_JITTER, seed=seed),
        ordinal.pattern_codes(perturbed, dimension, delay),
    )


def test_jitter_is_seeded_and_independent_of_the_batch():
    x = np.random.default_rng(3).integers(0, 2, 300).astype(float)
    one = ordinal.pattern_codes(x, 4, ties=ordinal.TIES_JITTER, seed=7)
    np.testing.assert_array_equal(
        one, ordinal.pattern_codes(x, 4, ties=ordinal.TIES_JITTER, seed=7)
    )
    batch = ordinal.pattern_codes(np.stack([x[::-1], x]), 4, ties=ordinal.TIES_JITTER, seed=7)
    np.testing.assert_array_equal(batch[1], one)
    other = ordinal.pattern_codes(x, 4, ties=ordinal.TIES_JITTER, seed=8)
    assert (other != one).any()
    assert (one != ordinal.pattern_codes(x, 4)).any()


def test_jitter_spreads_constant_input_over_all_patterns():
    codes = ordinal.pattern_codes(np.zeros(20000), 3, ties=ordinal.TIES_JITTER, seed=0)
    counts = np.bincount(codes, minlength=6)
    assert (counts > 20000 / 6 * 0.9).all()


def test_pattern_table_is_cached_and_read_only():
    table = ordinal.pattern_table(4)
    assert table is ordinal.pattern_table(4)
    assert not table.flags.writeable
    valid = table[table >= 0]
    np.testing.assert_array_equal(np.sort(valid), np.arange(24))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(-20, 20), min_size=8, max_size=60),
    st.integers(2, 5),
    st.integers(1, 2),
    st.integers(1, 5),
    st.integers(-10, 10),
)
def test_codes_invariant_under_increasing_maps(values, dimension, delay, scale, offset):
    x = np.asarray(values, dtype=float)
    if x.size < (dimension - 1) * delay + 1:
        return
    codes = ordinal.pattern_codes(x, dimension, delay)
    np.testing.assert_array_equal(
        ordinal.pattern_codes(scale * x + offset, dimension, delay), codes
    )
    np.testing.assert_array_equal(ordinal.pattern_codes(x**3, dimension, delay), codes)
