"""Numba kernels for Bandt-Pompe ordinal patterns (private).

A window ``(x[t], x[t + delay], ..., x[t + (dimension - 1) * delay])`` is
symbolised by its stable argsort ``pi`` (the indices that sort it, ties ranked
by order of appearance: ``numpy.argsort(window, kind="stable")``, ordpy's
convention). Patterns are numbered by the Lehmer code of ``pi`` in
``[0, dimension!)``, which is the lexicographic rank of ``pi`` among all
permutations: the nonzero entries of a count vector come in the same order as
the rows of ``ordpy.ordinal_distribution``.

Inside the kernels a window is first coded by the digits of its rank vector
``rho = pi^-1``, ``D_k = #{j > k: x_j ranks below x_k}``, packed a few bits
each and built one comparison ``(k, j)`` at a time for all windows of a series
(no sorting, vectorised loops), and then mapped to the code of ``pi`` through a
lookup table (:func:`pattern_table`).

Tie policies
------------
``TIES_STABLE``
    Equal values are ranked by position (earlier is smaller), as
    ``numpy.argsort(kind="stable")``.
``TIES_JITTER``
    Equal values are ranked by a pseudo-random key of their sample position,
    drawn from a seed: the same ranking as adding to the signal a perturbation
    smaller than the smallest gap between distinct values, without the rounding
    that a floating-point perturbation would suffer. Distinct values keep their
    order. The key depends only on the seed and the sample index, so a series
    gives the same patterns whatever batch it comes in.

The kernels are compiled with ``cache=True`` and release the GIL (``nogil``), so
callers run them on blocks of series from several threads.
"""

from __future__ import annotations

import math
from functools import cache

import numba
import numpy as np
from numba import njit

TIES_STABLE = 0
TIES_JITTER = 1
MAX_DIMENSION = 8

_U64 = numba.uint64
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True, nogil=True)
def _tie_key(seed, index):
    """SplitMix64 hash of ``(seed, index)``: the jitter key of one sample."""
    z = seed + _GOLDEN * (_U64(index) + _U64(1))
    z = (z ^ (z >> _U64(30))) * _MIX1
    z = (z ^ (z >> _U64(27))) * _MIX2
    return z ^ (z >> _U64(31))


def digit_bits(dimension: int) -> int:
    """Bits per digit in the packed window code (digits go up to ``dimension - 1``)."""
    return int(dimension - 1).bit_length()


@njit(cache=True)
def _build_table(dimension, bits):
    """Table from packed rank digits of a window to the Lehmer code of its argsort.

    The rank digits of a window are ``D_k = #{j > k: rank_j < rank_k}``,
    ``k = 0..dimension-2``, packed ``bits`` bits each with ``D_0`` highest.
    Unused entries hold ``-1``.
    """
    n_patterns = 1
    for k in range(2, dimension + 1):
        n_patterns *= k
    weights = np.empty(dimension, dtype=np.int64)
    weight = 1
    for k in range(dimension - 1, -1, -1):
        weights[k] = weight
        weight *= dimension - k
    table = np.full(1 << (bits * (dimension - 1)), -1, dtype=np.int32)
    rho = np.empty(dimension, dtype=np.int64)
    pi = np.empty(dimension, dtype=np.int64)
    used = np.empty(dimension, dtype=np.bool_)
    for lehmer_rho in range(n_patterns):
        # decode the Lehmer code of rho; its digits are the rank digits D_k
        used[:] = False
        rest = lehmer_rho
        packed = 0
        for i in range(dimension):
            digit = rest // weights[i]
            rest -= digit * weights[i]
            if i < dimension - 1:
                packed = (packed << bits) | digit
            seen = -1
            for value in range(dimension):
                if not used[value]:
                    seen += 1
                    if seen == digit:
                        rho[i] = value
                        used[value] = True
                        break
        for i in range(dimension):
            pi[rho[i]] = i
        code = 0
        for i in range(dimension):
            smaller_after = 0
            for j in range(i + 1, dimension):
                if pi[j] < pi[i]:
                    smaller_after += 1
            code += smaller_after * weights[i]
        table[packed] = code
    return table


@cache
def pattern_table(dimension: int) -> np.ndarray:
    """Lookup table (int32) from packed rank digits to the pattern code, read-only."""
    table = _build_table(dimension, digit_bits(dimension))
    table.setflags(write=False)
    return table


def n_patterns(dimension: int) -> int:
    """Number of ordinal patterns, ``dimension!``."""
    return math.factorial(dimension)


@njit(cache=True, nogil=True)
def _codes_into(x, dimension, delay, table, ties, seed, out):
    """Pattern code of every window of the 1-D series ``x``, written to ``out``.

    The packed rank digits are built one comparison ``(k, j)`` at a time for all
    windows together, loops without a serial dependence that the compiler
    vectorises, then looked up in ``table``. With jitter, the tie-breaking key of
    every sample is hashed once.
    """
    span = (dimension - 1) * delay
    n_windows = x.shape[0] - span
    bits = 1
    while (1 << bits) < dimension:
        bits += 1
    top = bits * (dimension - 2)
    codes = out[:n_windows]
    codes[:] = 0
    keys = np.empty(x.shape[0] if ties == TIES_JITTER else 0, dtype=np.uint64)
    for t in range(keys.shape[0]):
        keys[t] = _tie_key(seed, t)
    for k in range(dimension - 1):
        weight = np.int32(1 << (top - k * bits))
        earlier = x[k * delay:k * delay + n_windows]
        for j in range(k + 1, dimension):
            later = x[j * delay:j * delay + n_windows]
            if ties == TIES_STABLE:
                for t in range(n_windows):
                    codes[t] += np.int32(later[t] < earlier[t]) * weight
            else:
                key_earlier = keys[k * delay:k * delay + n_windows]
                key_later = keys[j * delay:j * delay + n_windows]
                for t in range(n_windows):
                    below = (later[t] < earlier[t]) | (
                        (later[t] == earlier[t]) & (key_later[t] < key_earlier[t]))
                    codes[t] += np.int32(below) * weight
    for t in range(n_windows):
        codes[t] = table[codes[t]]
    return n_windows


@njit(cache=True, nogil=True)
def _pattern_codes_kernel(X, dimension, delay, table, ties, seed):
    n_series = X.shape[0]
    n_windows = X.shape[1] - (dimension - 1) * delay
    out = np.empty((n_series, n_windows), dtype=np.int32)
    for i in range(n_series):
        _codes_into(X[i], dimension, delay, table, ties, seed, out[i])
    return out


@njit(cache=True, nogil=True)
def _pattern_counts_kernel(X, dimension, delay, table, ties, seed, window, hop, n_patterns):
    n_series = X.shape[0]
    n_frames = 1 + (X.shape[1] - window) // hop
    per_frame = window - (dimension - 1) * delay
    used = (n_frames - 1) * hop + window
    counts = np.zeros((n_series, n_frames, n_patterns), dtype=np.int64)
    codes = np.empty(used - (dimension - 1) * delay, dtype=np.int32)
    for i in range(n_series):
        _codes_into(X[i, :used], dimension, delay, table, ties, seed, codes)
        row = counts[i]
        for t in range(per_frame):
            row[0, codes[t]] += 1
        for f in range(1, n_frames):
            row[f] = row[f - 1]
            for t in range((f - 1) * hop, f * hop):
                row[f, codes[t]] -= 1
                row[f, codes[t + per_frame]] += 1
    return counts


def _as_series(X):
    array = np.asarray(X)
    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    return np.ascontiguousarray(array.reshape(-1, array.shape[-1]))


def pattern_codes(X, dimension, delay=1, ties=TIES_STABLE, seed=0):
    """Pattern code of every window of every series in ``X`` (..., n_times).

    Returns an int32 array of shape ``X.shape[:-1] + (n_times - (dimension - 1) * delay,)``.
    """
    array = np.asarray(X)
    codes = _pattern_codes_kernel(_as_series(array), dimension, delay,
                                  pattern_table(dimension), ties, np.uint64(seed))
    return codes.reshape(*array.shape[:-1], codes.shape[-1])


def pattern_counts(X, dimension, delay=1, ties=TIES_STABLE, seed=0, window=None, hop=1):
    """Pattern counts of every series in ``X`` (..., n_times), indexed by pattern code.

    Returns int64 counts of shape ``X.shape[:-1] + (dimension!,)``, or with ``window``
    (samples per window, ``hop`` apart) ``X.shape[:-1] + (n_windows, dimension!)``.
    """
    array = np.asarray(X)
    length = array.shape[-1]
    counts = _pattern_counts_kernel(_as_series(array), dimension, delay,
                                    pattern_table(dimension), ties, np.uint64(seed),
                                    length if window is None else window, hop,
                                    n_patterns(dimension))
    if window is None:
        return counts[:, 0].reshape(*array.shape[:-1], counts.shape[-1])
    return counts.reshape(*array.shape[:-1], *counts.shape[1:])
