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

2-D patterns
------------
For images (rows = frequency bins, columns = time frames), the patterns of
Ribeiro, Zunino, Lenzi, Santoro and Mendes (PLoS ONE 7, e40689, 2012), exactly
as ``ordpy.ordinal_sequence(image, dx, dy, taux, tauy)``: the patch at row ``r``
and column ``c`` is ``image[r:r + dy * tauy:tauy, c:c + dx * taux:taux]`` (``dy``
rows ``tauy`` apart, ``dx`` columns ``taux`` apart), flattened row by row, so its
element ``k`` is ``image[r + (k // dx) * tauy, c + (k % dx) * taux]``; it is
symbolised by the stable argsort of those ``d = dx * dy`` values (``d <=
MAX_DIMENSION``) and numbered, as a 1-D window of ``d`` values, by the Lehmer
code of the argsort in ``[0, d!)``. :func:`pattern_codes_2d` gives the code of
every patch, :func:`block_counts_2d` the counts in blocks of ``window`` frames
``hop`` apart (dense, ``(n_images, n_blocks, d!)``) and
:func:`block_counts_2d_csr` the same counts as compressed sparse rows, for
``d = 7`` or ``8`` where a dense count vector per block takes 40 or 322 kB.
With ``TIES_JITTER`` the key of an element is that of its row-major position
``r * n_columns + c`` in the image, so the seed breaks an image's ties the same
way whatever batch it comes in. The numba functions ``_codes_2d_into`` (the
codes of one image, with keys from ``_image_keys``) and the dense and CSR block
kernels can be called from other kernels.

The kernels are compiled with ``cache=True`` and release the GIL (``nogil``), so
callers run them on blocks of series or images from several threads.
"""

from __future__ import annotations

import math
from functools import cache
from numbers import Integral

import numba
import numpy as np
from numba import njit
from numpy.typing import ArrayLike

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
        earlier = x[k * delay : k * delay + n_windows]
        for j in range(k + 1, dimension):
            later = x[j * delay : j * delay + n_windows]
            if ties == TIES_STABLE:
                for t in range(n_windows):
                    codes[t] += np.int32(later[t] < earlier[t]) * weight
            else:
                key_earlier = keys[k * delay : k * delay + n_windows]
                key_later = keys[j * delay : j * delay + n_windows]
                for t in range(n_windows):
                    below = (later[t] < earlier[t]) | (
                        (later[t] == earlier[t]) & (key_later[t] < key_earlier[t])
                    )
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


def pattern_codes(
    X: ArrayLike, dimension: int, delay: int = 1, ties: int = TIES_STABLE, seed: int = 0
) -> np.ndarray:
    """Pattern code of every window of every series in ``X`` (..., n_times).

    Returns an int32 array of shape ``X.shape[:-1] + (n_times - (dimension - 1) * delay,)``.
    """
    array = np.asarray(X)
    codes = _pattern_codes_kernel(
        _as_series(array), dimension, delay, pattern_table(dimension), ties, np.uint64(seed)
    )
    return codes.reshape(*array.shape[:-1], codes.shape[-1])


def pattern_counts(
    X: ArrayLike,
    dimension: int,
    delay: int = 1,
    ties: int = TIES_STABLE,
    seed: int = 0,
    window: int | None = None,
    hop: int = 1,
) -> np.ndarray:
    """Pattern counts of every series in ``X`` (..., n_times), indexed by pattern code.

    Returns int64 counts of shape ``X.shape[:-1] + (dimension!,)``, or with ``window``
    (samples per window, ``hop`` apart) ``X.shape[:-1] + (n_windows, dimension!)``.
    """
    array = np.asarray(X)
    length = array.shape[-1]
    counts = _pattern_counts_kernel(
        _as_series(array),
        dimension,
        delay,
        pattern_table(dimension),
        ties,
        np.uint64(seed),
        length if window is None else window,
        hop,
        n_patterns(dimension),
    )
    if window is None:
        return counts[:, 0].reshape(*array.shape[:-1], counts.shape[-1])
    return counts.reshape(*array.shape[:-1], *counts.shape[1:])


# --------------------------------------------------------------------------- 2-D patterns


def check_pattern_2d(dx: int, dy: int, taux: int = 1, tauy: int = 1) -> None:
    """Check the shape and delays of a 2-D ordinal pattern.

    Parameters
    ----------
    dx, dy : int
        Patch width (columns, time frames) and height (rows, frequency bins),
        each at least 1, with ``2 <= dx * dy <= MAX_DIMENSION``.
    taux, tauy : int, default=1
        Column and row delays, each at least 1.

    Raises
    ------
    ValueError
        Naming the first parameter that is not a valid integer (a ``bool`` is
        not one) or the product ``dx * dy`` when it is out of range.

    Examples
    --------
    >>> check_pattern_2d(2, 2, 1, 2)
    >>> check_pattern_2d(3, 3)
    Traceback (most recent call last):
    ...
    ValueError: dx * dy must be from 2 to 8, got dx=3, dy=3 (dx * dy = 9)
    """
    for name, value in (("dx", dx), ("dy", dy), ("taux", taux), ("tauy", tauy)):
        if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if not 2 <= dx * dy <= MAX_DIMENSION:
        raise ValueError(
            f"dx * dy must be from 2 to {MAX_DIMENSION}, got dx={dx}, dy={dy} "
            f"(dx * dy = {dx * dy})"
        )


def check_blocks_2d(n_frames: int, dx: int, taux: int, window: int, hop: int) -> None:
    """Check blocks of ``window`` frames, ``hop`` apart, for patches ``dx`` wide.

    Parameters
    ----------
    n_frames : int
        Columns (time frames) of the images.
    dx, taux : int
        Patch width and column delay (already checked by :func:`check_pattern_2d`).
    window : int
        Frames per block: from ``(dx - 1) * taux + 1`` (one patch wide) to ``n_frames``.
    hop : int
        Frames between the starts of consecutive blocks, at least 1.

    Raises
    ------
    ValueError
        If ``window`` or ``hop`` is not an integer in its range.

    Examples
    --------
    >>> check_blocks_2d(126, 2, 1, 16, 8)
    >>> check_blocks_2d(126, 3, 2, 4, 1)
    Traceback (most recent call last):
    ...
    ValueError: window=4 is narrower than one patch (dx=3, taux=2: 5 frames)
    """
    span = (dx - 1) * taux + 1
    if not isinstance(window, Integral) or isinstance(window, bool):
        raise ValueError(f"window must be a positive integer (frames per block), got {window!r}")
    if window < span:
        raise ValueError(
            f"window={window} is narrower than one patch (dx={dx}, taux={taux}: {span} frames)"
        )
    if window > n_frames:
        raise ValueError(f"window={window} frames is longer than the images ({n_frames} frames)")
    if not isinstance(hop, Integral) or isinstance(hop, bool) or hop < 1:
        raise ValueError(f"hop must be a positive integer (frames between blocks), got {hop!r}")


def _check_ties_seed(ties, seed) -> np.uint64:
    if isinstance(ties, bool) or ties not in (TIES_STABLE, TIES_JITTER):
        raise ValueError(f"ties must be TIES_STABLE (0) or TIES_JITTER (1), got {ties!r}")
    if not isinstance(seed, Integral) or isinstance(seed, bool) or not 0 <= seed < 2**64:
        raise ValueError(f"seed must be an integer from 0 to 2**64 - 1, got {seed!r}")
    return np.uint64(seed)


def check_image_2d(
    n_rows: int, n_cols: int, dx: int, dy: int, taux: int = 1, tauy: int = 1
) -> None:
    """Check that images of ``n_rows x n_cols`` hold at least one patch.

    Parameters
    ----------
    n_rows, n_cols : int
        Rows (frequency bins) and columns (time frames) of the images.
    dx, dy, taux, tauy : int
        The patch (already checked by :func:`check_pattern_2d`).

    Raises
    ------
    ValueError
        If a patch, ``(dy - 1) * tauy + 1`` rows by ``(dx - 1) * taux + 1`` columns,
        does not fit.

    Examples
    --------
    >>> check_image_2d(64, 126, 4, 2, 1, 1)
    >>> check_image_2d(2, 126, 2, 2, 1, 2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: S holds images of 2 x 126 (rows x columns), smaller than one patch: ... span 3 x 2
    """
    if n_rows < (dy - 1) * tauy + 1 or n_cols < (dx - 1) * taux + 1:
        raise ValueError(
            f"S holds images of {n_rows} x {n_cols} (rows x columns), smaller than one patch: "
            f"dy={dy}, tauy={tauy}, dx={dx}, taux={taux} span {(dy - 1) * tauy + 1} x "
            f"{(dx - 1) * taux + 1}"
        )


def _as_images(S, dx, dy, taux, tauy) -> np.ndarray:
    """``S`` as a C-contiguous float32/float64 array (n, F, T), checked against the patch."""
    array = np.asarray(S)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"S must hold real numbers, got dtype {array.dtype}")
    if array.ndim != 3:
        raise ValueError(
            f"S must be 3-D (n_images, n_rows, n_columns), got an array of shape {array.shape}"
        )
    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    check_pattern_2d(dx, dy, taux, tauy)
    check_image_2d(*array.shape[1:], dx, dy, taux, tauy)
    if np.isnan(array).any():
        raise ValueError("S holds NaN values, which have no order")
    return np.ascontiguousarray(array)


@njit(cache=True, nogil=True)
def _image_keys(n_rows, n_cols, seed):
    """Jitter keys of an ``n_rows x n_cols`` image: the key of element ``(r, c)`` is
    ``_tie_key(seed, r * n_cols + c)``, its row-major position in the image."""
    keys = np.empty((n_rows, n_cols), dtype=np.uint64)
    for r in range(n_rows):
        for c in range(n_cols):
            keys[r, c] = _tie_key(seed, r * n_cols + c)
    return keys


@njit(cache=True, nogil=True)
def _codes_2d_into(img, dx, dy, taux, tauy, table, ties, keys, out):
    """Pattern codes of the patches of the image ``img`` (F, T) starting at columns
    ``0 .. out.shape[1] - 1``, written to the int32 array ``out`` (F - (dy - 1) tauy, n).

    ``table`` is ``pattern_table(dx * dy)``; ``keys`` is ``_image_keys(F, T, seed)``
    for ``TIES_JITTER`` (any 2-D uint64 array for ``TIES_STABLE``). Element ``k`` of
    the flattened patch is ``img[r + (k // dx) tauy, c + (k % dx) taux]`` (row-major,
    as ordpy). The packed rank digits of one output row are built one comparison
    ``(k, j)`` at a time over the row, loops that the compiler vectorises.
    """
    dimension = dx * dy
    bits = 1
    while (1 << bits) < dimension:
        bits += 1
    top = bits * (dimension - 2)
    n_rows, n_cols = out.shape
    for r in range(n_rows):
        row = out[r]
        row[:] = 0
        for k in range(dimension - 1):
            ky = r + (k // dx) * tauy
            kx = (k % dx) * taux
            earlier = img[ky, kx : kx + n_cols]
            weight = np.int32(1 << (top - k * bits))
            for j in range(k + 1, dimension):
                jy = r + (j // dx) * tauy
                jx = (j % dx) * taux
                later = img[jy, jx : jx + n_cols]
                if ties == TIES_STABLE:
                    for c in range(n_cols):
                        row[c] += np.int32(later[c] < earlier[c]) * weight
                else:
                    key_earlier = keys[ky, kx : kx + n_cols]
                    key_later = keys[jy, jx : jx + n_cols]
                    for c in range(n_cols):
                        below = (later[c] < earlier[c]) | (
                            (later[c] == earlier[c]) & (key_later[c] < key_earlier[c])
                        )
                        row[c] += np.int32(below) * weight
        for c in range(n_cols):
            row[c] = table[row[c]]


@njit(cache=True, nogil=True)
def _keys_for(n_rows, n_cols, ties, seed):
    if ties == TIES_JITTER:
        return _image_keys(n_rows, n_cols, seed)
    return np.empty((0, 0), dtype=np.uint64)


@njit(cache=True, nogil=True)
def _pattern_codes_2d_kernel(S, dx, dy, taux, tauy, table, ties, seed):
    n, n_rows, n_cols = S.shape
    rows_out = n_rows - (dy - 1) * tauy
    cols_out = n_cols - (dx - 1) * taux
    keys = _keys_for(n_rows, n_cols, ties, seed)
    scratch = np.empty((rows_out, cols_out), dtype=np.int32)
    out = np.empty((n, rows_out, cols_out), dtype=np.int64)
    for i in range(n):
        _codes_2d_into(S[i], dx, dy, taux, tauy, table, ties, keys, scratch)
        for r in range(rows_out):
            for c in range(cols_out):
                out[i, r, c] = scratch[r, c]
    return out


@njit(cache=True, nogil=True)
def _count_columns(codes, start, stop, counts, sign):
    """Add ``sign`` to ``counts`` for every code in columns ``start .. stop - 1``."""
    for r in range(codes.shape[0]):
        for c in range(start, stop):
            counts[codes[r, c]] += sign


@njit(cache=True, nogil=True)
def _block_counts_2d_kernel(S, dx, dy, taux, tauy, table, ties, seed, window, hop, n_patterns):
    """Dense counts (n, n_blocks, n_patterns); overlapping blocks slide from the last."""
    n, n_rows, n_cols = S.shape
    span = (dx - 1) * taux
    per_block = window - span  # patch columns per block
    n_blocks = 1 + (n_cols - window) // hop
    used = (n_blocks - 1) * hop + window
    keys = _keys_for(n_rows, n_cols, ties, seed)
    codes = np.empty((n_rows - (dy - 1) * tauy, used - span), dtype=np.int32)
    counts = np.zeros((n, n_blocks, n_patterns), dtype=np.int64)
    for i in range(n):
        _codes_2d_into(S[i], dx, dy, taux, tauy, table, ties, keys, codes)
        block = counts[i]
        _count_columns(codes, 0, per_block, block[0], 1)
        for b in range(1, n_blocks):
            start = b * hop
            if hop < per_block:  # drop the columns that leave, add those that enter
                block[b, :] = block[b - 1]
                _count_columns(codes, start - hop, start, block[b], -1)
                _count_columns(codes, start - hop + per_block, start + per_block, block[b], 1)
            else:
                _count_columns(codes, start, start + per_block, block[b], 1)
    return counts


# index of the lowest set bit of a 64-bit word w: _LOW_BIT[((w & -w) * _DEBRUIJN) >> 58]
_DEBRUIJN = np.uint64(0x03F79D71B4CB0A89)
_LOW_BIT = np.zeros(64, dtype=np.int64)
for _bit in range(64):
    _LOW_BIT[(((1 << _bit) * int(_DEBRUIJN)) % (1 << 64)) >> 58] = _bit
del _bit


@njit(cache=True, nogil=True)
def _flip_columns(codes, start, stop, counts, bits, sign):
    """Add ``sign`` to ``counts`` for every code in columns ``start .. stop - 1``,
    keeping bit ``k`` of the bitmap ``bits`` set exactly where ``counts[k] != 0``."""
    for r in range(codes.shape[0]):
        row = codes[r]
        for c in range(start, stop):
            code = row[c]
            before = counts[code]
            counts[code] = before + sign
            if before == 0 or before + sign == 0:
                bits[code >> 6] ^= _U64(1) << _U64(code & 63)


@njit(cache=True, nogil=True)
def _block_counts_2d_csr_kernel(S, dx, dy, taux, tauy, table, ties, seed, window, hop, n_patterns):
    """CSR counts: ``indptr`` (n n_blocks + 1,), ``codes`` and ``counts`` (nnz,).

    The counts of the current block are kept dense, with a bitmap of the nonzero
    ones; a block is emitted by walking the set bits (``n_patterns / 64`` words
    plus one step per nonzero count, already in ascending order).
    """
    n, n_rows, n_cols = S.shape
    span = (dx - 1) * taux
    per_block = window - span
    n_blocks = 1 + (n_cols - window) // hop
    used = (n_blocks - 1) * hop + window
    rows_out = n_rows - (dy - 1) * tauy
    keys = _keys_for(n_rows, n_cols, ties, seed)
    codes = np.empty((rows_out, used - span), dtype=np.int32)
    counts = np.zeros(n_patterns, dtype=np.int64)
    n_words = (n_patterns + 63) // 64
    bits = np.zeros(n_words, dtype=np.uint64)
    most = min(n_patterns, rows_out * per_block)  # nonzero counts per block, at most
    indptr = np.empty(n * n_blocks + 1, dtype=np.int64)
    indptr[0] = 0
    capacity = max(most, min(n * n_blocks * most, 1 << 16))
    out_codes = np.empty(capacity, dtype=np.int64)
    out_counts = np.empty(capacity, dtype=np.int64)
    nnz = 0
    for i in range(n):
        _codes_2d_into(S[i], dx, dy, taux, tauy, table, ties, keys, codes)
        for b in range(n_blocks):
            start = b * hop
            if b == 0:
                _flip_columns(codes, 0, per_block, counts, bits, 1)
            elif hop < per_block:  # drop the columns that leave, add those that enter
                _flip_columns(codes, start - hop, start, counts, bits, -1)
                _flip_columns(codes, start - hop + per_block, start + per_block, counts, bits, 1)
            else:
                _flip_columns(codes, start - hop, start - hop + per_block, counts, bits, -1)
                _flip_columns(codes, start, start + per_block, counts, bits, 1)
            if nnz + most > capacity:
                capacity = max(2 * capacity, nnz + most)
                grown = np.empty(capacity, dtype=np.int64)
                grown[:nnz] = out_codes[:nnz]
                out_codes = grown
                grown = np.empty(capacity, dtype=np.int64)
                grown[:nnz] = out_counts[:nnz]
                out_counts = grown
            for w in range(n_words):
                word = bits[w]
                while word != 0:
                    low = word & (~word + _U64(1))
                    code = w * 64 + _LOW_BIT[(low * _DEBRUIJN) >> _U64(58)]
                    out_codes[nnz] = code
                    out_counts[nnz] = counts[code]
                    nnz += 1
                    word ^= low
            indptr[i * n_blocks + b + 1] = nnz
        last = (n_blocks - 1) * hop
        _flip_columns(codes, last, last + per_block, counts, bits, -1)
    return indptr, out_codes[:nnz].copy(), out_counts[:nnz].copy()


def pattern_codes_2d(
    S: ArrayLike,
    dx: int,
    dy: int,
    taux: int = 1,
    tauy: int = 1,
    ties: int = TIES_STABLE,
    seed: int = 0,
) -> np.ndarray:
    """Code of the 2-D ordinal pattern of every patch of every image in ``S``.

    Parameters
    ----------
    S : array-like of shape (n_images, n_rows, n_columns)
        Real images (float32 and float64 are used as they are, other real dtypes
        are converted to float64); no NaN.
    dx, dy : int
        Patch width (columns) and height (rows), ``2 <= dx * dy <= MAX_DIMENSION``.
    taux, tauy : int, default=1
        Column and row delays.
    ties : {TIES_STABLE, TIES_JITTER}, default=TIES_STABLE
        How equal values are ranked (see the module notes).
    seed : int, default=0
        Seed of the jitter keys, from 0 to ``2**64 - 1`` (unused with ``TIES_STABLE``).

    Returns
    -------
    codes : ndarray of shape (n_images, n_rows_out, n_cols_out), dtype int64
        ``n_rows_out = n_rows - (dy - 1) * tauy``, ``n_cols_out = n_columns - (dx - 1) * taux``;
        ``codes[i, r, c]`` is the code, in ``[0, (dx * dy)!)``, of the patch
        ``S[i, r:r + dy * tauy:tauy, c:c + dx * taux:taux]``; it is the
        lexicographic rank of ``ordpy.ordinal_sequence(S[i], dx, dy, taux, tauy)[r, c]``.

    Raises
    ------
    ValueError
        If a parameter is invalid, ``S`` is not 3-D, holds NaN or is smaller than one patch.

    Examples
    --------
    >>> S = np.array([[[1, 2, 1, 4], [8, 3, 4, 5], [6, 7, 5, 6]]])
    >>> pattern_codes_2d(S, dx=2, dy=2)
    array([[[1, 6, 0],
            [9, 1, 0]]])

    ordpy's patterns of the first row are (0, 1, 3, 2), (1, 0, 2, 3) and (0, 1, 2, 3),
    ranks 1, 6 and 0 among the 24 permutations of four values.
    """
    seed = _check_ties_seed(ties, seed)
    images = _as_images(S, dx, dy, taux, tauy)
    dx, dy, taux, tauy = int(dx), int(dy), int(taux), int(tauy)  # one compiled signature
    return _pattern_codes_2d_kernel(
        images, dx, dy, taux, tauy, pattern_table(dx * dy), int(ties), seed
    )


def _blocks_args(S, dx, dy, taux, tauy, ties, seed, window, hop):
    seed = _check_ties_seed(ties, seed)
    images = _as_images(S, dx, dy, taux, tauy)
    n_frames = images.shape[2]
    window = n_frames if window is None else window
    check_blocks_2d(n_frames, dx, taux, window, hop)
    dx, dy, taux, tauy = int(dx), int(dy), int(taux), int(tauy)  # one compiled signature
    return (
        images,
        dx,
        dy,
        taux,
        tauy,
        pattern_table(dx * dy),
        int(ties),
        seed,
        int(window),
        int(hop),
        n_patterns(dx * dy),
    )


def block_counts_2d(
    S: ArrayLike,
    dx: int,
    dy: int,
    taux: int = 1,
    tauy: int = 1,
    ties: int = TIES_STABLE,
    seed: int = 0,
    window: int | None = None,
    hop: int = 1,
) -> np.ndarray:
    """Dense 2-D pattern counts of every block of frames of every image in ``S``.

    Block ``b`` covers the columns (frames) ``[b * hop, b * hop + window)`` and counts
    every patch whose columns all lie inside it: ``(n_rows - (dy - 1) * tauy) *
    (window - (dx - 1) * taux)`` patches per block. Columns after the last whole
    block are not used. Overlapping blocks are counted by sliding: each block
    starts from the previous one, minus the patch columns that leave, plus those
    that enter.

    Parameters
    ----------
    S, dx, dy, taux, tauy, ties, seed
        As in :func:`pattern_codes_2d`.
    window : int or None, default=None
        Frames per block, at least one patch wide (``(dx - 1) * taux + 1``);
        ``None`` makes one block of the whole image.
    hop : int, default=1
        Frames between the starts of consecutive blocks.

    Returns
    -------
    counts : ndarray of shape (n_images, n_blocks, (dx * dy)!), dtype int64
        ``counts[i, b, k]`` is the number of patches of code ``k`` in block ``b``
        of image ``i``, ``n_blocks = 1 + (n_columns - window) // hop``. Its nonzero
        entries, in order, are ordpy's ``ordinal_distribution`` of the block.
        This array takes ``8 * n_images * n_blocks * (dx * dy)!`` bytes: 322 kB
        per block for ``dx * dy = 8`` (40,320 patterns), 5.8 kB for 7 and 0.2 kB
        for 4. Where that is too much, :func:`block_counts_2d_csr` gives the same
        counts in compressed sparse rows.

    Raises
    ------
    ValueError
        As :func:`pattern_codes_2d`, and if ``window`` or ``hop`` is invalid.

    Examples
    --------
    >>> S = np.array([[[1, 2, 1, 4], [8, 3, 4, 5], [6, 7, 5, 6]]])
    >>> counts = block_counts_2d(S, 2, 2, window=3, hop=1)
    >>> counts.shape
    (1, 2, 24)
    >>> [np.flatnonzero(c).tolist() for c in counts[0]], counts[0].sum(axis=1)
    ([[1, 6, 9], [0, 1, 6]], array([4, 4]))
    """
    return _block_counts_2d_kernel(*_blocks_args(S, dx, dy, taux, tauy, ties, seed, window, hop))


def block_counts_2d_csr(
    S: ArrayLike,
    dx: int,
    dy: int,
    taux: int = 1,
    tauy: int = 1,
    ties: int = TIES_STABLE,
    seed: int = 0,
    window: int | None = None,
    hop: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The counts of :func:`block_counts_2d` as compressed sparse rows (nonzero counts only).

    Row ``i * n_blocks + b`` is block ``b`` of image ``i``; its nonzero counts are
    ``counts[indptr[row]:indptr[row + 1]]``, of the patterns
    ``codes[indptr[row]:indptr[row + 1]]`` (ascending). Memory is 16 bytes per
    nonzero count, at most ``min((dx * dy)!, patches per block)`` of them per block,
    instead of ``8 (dx * dy)!`` per block. ``scipy.sparse.csr_array((counts, codes,
    indptr), shape=(n_images * n_blocks, (dx * dy)!))`` is the dense counts, reshaped.

    Parameters
    ----------
    S, dx, dy, taux, tauy, ties, seed, window, hop
        As in :func:`block_counts_2d`.

    Returns
    -------
    indptr : ndarray of shape (n_images * n_blocks + 1,), dtype int64
        Start of each block's entries in ``codes`` and ``counts``, then their total.
    codes : ndarray of shape (nnz,), dtype int64
        Pattern codes, ascending within each block.
    counts : ndarray of shape (nnz,), dtype int64
        Their counts, all positive.

    Raises
    ------
    ValueError
        As :func:`block_counts_2d`.

    Examples
    --------
    >>> S = np.array([[[1, 2, 1, 4], [8, 3, 4, 5], [6, 7, 5, 6]]])
    >>> indptr, codes, counts = block_counts_2d_csr(S, 2, 2, window=3, hop=1)
    >>> indptr, codes, counts
    (array([0, 3, 6]), array([1, 6, 9, 0, 1, 6]), array([2, 1, 1, 2, 1, 1]))
    """
    return _block_counts_2d_csr_kernel(
        *_blocks_args(S, dx, dy, taux, tauy, ties, seed, window, hop)
    )
