"""Tests for the 2-D ordinal-pattern kernels in whalefeat.ordinal (ordpy as the oracle)."""

from __future__ import annotations

import itertools
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import ordpy
import pandas as pd
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import sparse

from whalefeat import Spectrogram, ordinal

SHAPES = [
    (2, 2, 1, 1),
    (3, 2, 1, 2),
    (2, 3, 2, 1),
    (4, 2, 1, 1),
    (2, 4, 1, 1),
    (1, 2, 1, 1),
    (2, 1, 3, 1),
    (1, 8, 1, 1),
    (8, 1, 1, 2),
    (3, 1, 2, 1),
    (1, 3, 1, 2),
    (2, 2, 3, 2),
]


def _lexicographic_rank(rows: np.ndarray) -> np.ndarray:
    """Rank of each permutation row among all permutations in lexicographic order."""
    rows = np.asarray(rows)
    d = rows.shape[1]
    ranks = np.zeros(rows.shape[0], dtype=np.int64)
    for i in range(d):
        smaller_after = (rows[:, i + 1 :] < rows[:, i : i + 1]).sum(axis=1)
        ranks += smaller_after * math.factorial(d - 1 - i)
    return ranks


def _ordpy_codes(image, dx, dy, taux, tauy):
    symbols = ordpy.ordinal_sequence(image, dx=dx, dy=dy, taux=taux, tauy=tauy)
    return _lexicographic_rank(symbols.reshape(-1, dx * dy)).reshape(symbols.shape[:2])


def _images(kind: str, shape, rng) -> np.ndarray:
    if kind == "random":
        return rng.standard_normal(shape)
    if kind == "tied":
        return rng.integers(0, 3, shape).astype(float)
    return np.full(shape, 7.0)


def _key_ranks(shape, seed):
    """Rank of each element's jitter key, keyed by its row-major position in the image."""
    keys = np.array(
        [int(ordinal._tie_key(np.uint64(seed), t)) for t in range(math.prod(shape))],
        dtype=np.uint64,
    )
    return np.argsort(np.argsort(keys, kind="stable"), kind="stable").reshape(shape)


def _direct_block_counts(codes, per_block, window, hop, n_pat):
    n, _, n_cols_out = codes.shape
    n_cols = n_cols_out + window - per_block
    n_blocks = 1 + (n_cols - window) // hop
    out = np.zeros((n, n_blocks, n_pat), dtype=np.int64)
    for i in range(n):
        for b in range(n_blocks):
            block = codes[i, :, b * hop : b * hop + per_block]
            out[i, b] = np.bincount(block.ravel(), minlength=n_pat)
    return out


@pytest.mark.parametrize(("dx", "dy", "taux", "tauy"), SHAPES)
@pytest.mark.parametrize("kind", ["random", "tied", "constant"])
def test_codes_are_ordpy_patterns_in_lexicographic_order(dx, dy, taux, tauy, kind):
    rng = np.random.default_rng(dx * 1000 + dy * 100 + taux * 10 + tauy)
    S = _images(kind, (3, 13, 17), rng)
    codes = ordinal.pattern_codes_2d(S, dx, dy, taux, tauy)
    assert codes.dtype == np.int64
    assert codes.shape == (3, 13 - (dy - 1) * tauy, 17 - (dx - 1) * taux)
    for i in range(3):
        np.testing.assert_array_equal(codes[i], _ordpy_codes(S[i], dx, dy, taux, tauy))


@pytest.mark.parametrize(("dx", "dy", "taux", "tauy"), SHAPES[:6])
@pytest.mark.parametrize("kind", ["random", "tied"])
def test_counts_match_ordpy_distribution(dx, dy, taux, tauy, kind):
    rng = np.random.default_rng(dx + 10 * dy)
    image = _images(kind, (21, 30), rng)
    counts = ordinal.block_counts_2d(image[None], dx, dy, taux, tauy)
    n_pat = math.factorial(dx * dy)
    assert counts.shape == (1, 1, n_pat)
    n_patches = (21 - (dy - 1) * tauy) * (30 - (dx - 1) * taux)
    assert counts.sum() == n_patches
    symbols, probabilities = ordpy.ordinal_distribution(image, dx=dx, dy=dy, taux=taux, tauy=tauy)
    present = np.flatnonzero(counts[0, 0])
    np.testing.assert_array_equal(present, _lexicographic_rank(symbols))
    np.testing.assert_allclose(
        counts[0, 0, present] / n_patches, probabilities, rtol=0, atol=1e-15
    )


@pytest.mark.parametrize(("dx", "dy", "taux", "tauy"), [(2, 2, 1, 1), (3, 2, 1, 2), (2, 3, 2, 1)])
def test_each_block_has_ordpy_distribution_of_its_frames(dx, dy, taux, tauy):
    rng = np.random.default_rng(5)
    S = rng.integers(0, 4, (2, 9, 40)).astype(np.float32)
    window, hop = 12, 5
    counts = ordinal.block_counts_2d(S, dx, dy, taux, tauy, window=window, hop=hop)
    assert counts.shape == (2, 1 + (40 - window) // hop, math.factorial(dx * dy))
    for i, b in itertools.product(range(2), range(counts.shape[1])):
        frames = S[i, :, b * hop : b * hop + window]
        symbols, probabilities = ordpy.ordinal_distribution(
            frames, dx=dx, dy=dy, taux=taux, tauy=tauy
        )
        present = np.flatnonzero(counts[i, b])
        np.testing.assert_array_equal(present, _lexicographic_rank(symbols))
        np.testing.assert_allclose(
            counts[i, b, present] / counts[i, b].sum(), probabilities, rtol=1e-12
        )


@pytest.mark.parametrize(
    ("window", "hop"), [(20, 1), (20, 7), (13, 13), (9, 14), (40, 3), (3, 2), (4, 1)]
)
@pytest.mark.parametrize(
    ("dx", "dy", "taux", "tauy"), [(2, 2, 1, 1), (3, 2, 1, 2), (2, 3, 2, 1), (4, 2, 1, 1)]
)
@pytest.mark.parametrize("ties", [ordinal.TIES_STABLE, ordinal.TIES_JITTER])
def test_block_counts_equal_counting_the_codes_of_each_block(
    window, hop, dx, dy, taux, tauy, ties
):
    rng = np.random.default_rng(window * hop)
    S = rng.integers(0, 3, (3, 8, 41)).astype(float)
    span = (dx - 1) * taux
    if window < span + 1:
        window = span + 1
    codes = ordinal.pattern_codes_2d(S, dx, dy, taux, tauy, ties, 11)
    counts = ordinal.block_counts_2d(S, dx, dy, taux, tauy, ties, 11, window, hop)
    n_pat = math.factorial(dx * dy)
    expected = _direct_block_counts(codes, window - span, window, hop, n_pat)
    np.testing.assert_array_equal(counts, expected)
    assert (counts.sum(axis=2) == (8 - (dy - 1) * tauy) * (window - span)).all()
    indptr, csr_codes, csr_counts = ordinal.block_counts_2d_csr(
        S, dx, dy, taux, tauy, ties, 11, window, hop
    )
    dense = sparse.csr_array(
        (csr_counts, csr_codes, indptr), shape=(counts.shape[0] * counts.shape[1], n_pat)
    ).toarray()
    np.testing.assert_array_equal(dense.reshape(counts.shape), counts)
    assert (csr_counts > 0).all()
    for row in range(indptr.size - 1):
        assert (np.diff(csr_codes[indptr[row] : indptr[row + 1]]) > 0).all()


def test_csr_counts_of_many_patterns_match_dense():
    # 40,320 patterns: blocks with few patches (sorted present codes) and with many
    # (dense scan) both give the dense counts
    rng = np.random.default_rng(9)
    S = rng.standard_normal((2, 120, 60))
    for window, hop in ((4, 1), (60, 1), (30, 15)):
        dense = ordinal.block_counts_2d(S, 4, 2, window=window, hop=hop)
        indptr, codes, counts = ordinal.block_counts_2d_csr(S, 4, 2, window=window, hop=hop)
        rebuilt = sparse.csr_array(
            (counts, codes, indptr), shape=(dense.shape[0] * dense.shape[1], 40320)
        ).toarray()
        np.testing.assert_array_equal(rebuilt.reshape(dense.shape), dense)


@pytest.mark.parametrize(
    ("dx", "dy"), [(2, 1), (1, 2), (2, 2), (3, 1), (3, 2), (2, 3), (4, 2), (2, 4), (1, 8)]
)
def test_every_pattern_gets_its_own_code(dx, dy):
    # the patch inverse(pi), laid out row-major, has argsort pi; permutations come in
    # lexicographic order
    d = dx * dy
    perms = np.array(list(itertools.permutations(range(d))))
    patches = np.argsort(perms, axis=1).astype(float).reshape(-1, dy, dx)
    codes = ordinal.pattern_codes_2d(patches, dx, dy)
    np.testing.assert_array_equal(codes[:, 0, 0], np.arange(math.factorial(d)))


@pytest.mark.parametrize(("dx", "taux"), [(2, 1), (3, 2), (5, 1), (8, 1)])
def test_one_row_patches_are_the_series_patterns_of_each_row(dx, taux):
    S = np.random.default_rng(4).integers(0, 4, (2, 5, 60)).astype(float)
    np.testing.assert_array_equal(
        ordinal.pattern_codes_2d(S, dx, 1, taux, 1), ordinal.pattern_codes(S, dx, taux)
    )


def test_dtypes_give_the_same_codes():
    S = np.random.default_rng(0).integers(-5, 5, (2, 6, 20)).astype(np.int16)
    codes = ordinal.pattern_codes_2d(S, 2, 2)
    for dtype in (np.float32, np.float64, np.int64, np.uint8 if S.min() >= 0 else np.int8):
        np.testing.assert_array_equal(ordinal.pattern_codes_2d(S.astype(dtype), 2, 2), codes)
    strided = np.asfortranarray(S.astype(float))[:, ::1, :]
    np.testing.assert_array_equal(ordinal.pattern_codes_2d(strided, 2, 2), codes)
    with_inf = S.astype(float)
    with_inf[0, 0, 0] = np.inf
    with_inf[1, 2, 3] = -np.inf
    for i in range(2):
        np.testing.assert_array_equal(
            ordinal.pattern_codes_2d(with_inf, 3, 2, 1, 2)[i],
            _ordpy_codes(with_inf[i], 3, 2, 1, 2),
        )


def test_jitter_leaves_distinct_values_alone():
    S = np.random.default_rng(1).standard_normal((2, 10, 30))
    for dx, dy, taux, tauy in SHAPES[:4]:
        stable = ordinal.pattern_codes_2d(S, dx, dy, taux, tauy)
        for seed in (0, 1, 2**64 - 1):
            np.testing.assert_array_equal(
                ordinal.pattern_codes_2d(S, dx, dy, taux, tauy, ordinal.TIES_JITTER, seed), stable
            )


@pytest.mark.parametrize(("dx", "dy", "taux", "tauy"), SHAPES)
def test_jitter_is_an_infinitesimal_perturbation(dx, dy, taux, tauy):
    # ranking ties by the seeded key equals adding, to each element, a perturbation below
    # the smallest gap (1 here) that orders tied elements by their keys
    S = np.random.default_rng(2).integers(0, 3, (2, 11, 19)).astype(float)
    seed = 12345
    perturbed = S + 0.5 * _key_ranks(S.shape[1:], seed) / S[0].size
    jitter = ordinal.pattern_codes_2d(S, dx, dy, taux, tauy, ordinal.TIES_JITTER, seed)
    np.testing.assert_array_equal(jitter, ordinal.pattern_codes_2d(perturbed, dx, dy, taux, tauy))
    np.testing.assert_array_equal(
        ordinal.block_counts_2d(S, dx, dy, taux, tauy, ordinal.TIES_JITTER, seed, 2 * dx, 3),
        ordinal.block_counts_2d(perturbed, dx, dy, taux, tauy, window=2 * dx, hop=3),
    )


def test_jitter_is_seeded_and_independent_of_the_batch():
    image = np.random.default_rng(3).integers(0, 2, (8, 25)).astype(float)
    jitter = ordinal.TIES_JITTER
    one = ordinal.pattern_codes_2d(image[None], 2, 2, ties=jitter, seed=7)
    np.testing.assert_array_equal(
        one, ordinal.pattern_codes_2d(image[None], 2, 2, ties=jitter, seed=7)
    )
    batch = ordinal.pattern_codes_2d(np.stack([image[::-1], image]), 2, 2, ties=jitter, seed=7)
    np.testing.assert_array_equal(batch[1], one[0])
    blocks = ordinal.block_counts_2d(
        np.stack([image[::-1], image]), 2, 2, ties=jitter, seed=7, window=6, hop=2
    )
    np.testing.assert_array_equal(
        blocks[1:],
        ordinal.block_counts_2d(image[None], 2, 2, ties=jitter, seed=7, window=6, hop=2),
    )
    assert (ordinal.pattern_codes_2d(image[None], 2, 2, ties=jitter, seed=8) != one).any()
    assert (one != ordinal.pattern_codes_2d(image[None], 2, 2)).any()


def test_jitter_spreads_constant_input_over_all_patterns():
    counts = ordinal.block_counts_2d(np.zeros((1, 100, 100)), 2, 2, ties=ordinal.TIES_JITTER)
    expected = 99 * 99 / 24
    assert (counts > 0.8 * expected).all()
    stable = ordinal.block_counts_2d(np.zeros((1, 100, 100)), 2, 2)
    assert stable[0, 0, 0] == 99 * 99


_small_images = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 3), st.integers(2, 9), st.integers(2, 12)),
    elements=st.integers(-20, 20).map(float),
)


@settings(max_examples=60, deadline=None)
@given(
    _small_images,
    st.sampled_from(SHAPES[:6]),
    st.integers(1, 5),
    st.integers(-10, 10),
    st.integers(0, 12),
    st.integers(1, 6),
    st.sampled_from([0, 1]),
)
def test_block_counts_properties(S, shape, scale, offset, window_extra, hop, ties):
    dx, dy, taux, tauy = shape
    n, n_rows, n_cols = S.shape
    span = (dx - 1) * taux
    if n_rows < (dy - 1) * tauy + 1 or n_cols < span + 1:
        return
    window = min(n_cols, span + 1 + window_extra)
    counts = ordinal.block_counts_2d(S, dx, dy, taux, tauy, ties, 3, window, hop)
    assert counts.shape == (n, 1 + (n_cols - window) // hop, math.factorial(dx * dy))
    assert (counts.sum(axis=2) == (n_rows - (dy - 1) * tauy) * (window - span)).all()
    assert (counts >= 0).all()
    codes = ordinal.pattern_codes_2d(S, dx, dy, taux, tauy, ties, 3)
    np.testing.assert_array_equal(
        counts, _direct_block_counts(codes, window - span, window, hop, counts.shape[2])
    )
    # strictly increasing maps keep every order, hence every pattern
    for mapped in (scale * S + offset, S**3, np.exp(S / 8)):
        np.testing.assert_array_equal(
            ordinal.pattern_codes_2d(mapped, dx, dy, taux, tauy, ties, 3), codes
        )
    indptr, csr_codes, csr_counts = ordinal.block_counts_2d_csr(
        S, dx, dy, taux, tauy, ties, 3, window, hop
    )
    rebuilt = sparse.csr_array(
        (csr_counts, csr_codes, indptr), shape=(counts.shape[0] * counts.shape[1], counts.shape[2])
    )
    np.testing.assert_array_equal(rebuilt.toarray().reshape(counts.shape), counts)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dx": 0}, "dx must be a positive integer, got 0"),
        ({"dx": 2.0}, "dx must be a positive integer, got 2.0"),
        ({"dy": True}, "dy must be a positive integer, got True"),
        ({"dx": 1, "dy": 1}, r"dx \* dy must be from 2 to 8.*dx \* dy = 1"),
        ({"dx": 3, "dy": 3}, r"dx \* dy must be from 2 to 8.*dx \* dy = 9"),
        ({"taux": 0}, "taux must be a positive integer, got 0"),
        ({"tauy": 1.5}, "tauy must be a positive integer, got 1.5"),
        ({"ties": 2}, "ties must be TIES_STABLE"),
        ({"ties": True}, "ties must be TIES_STABLE"),
        ({"seed": -1}, r"seed must be an integer from 0 to 2\*\*64 - 1, got -1"),
        ({"seed": 2**64}, "seed must be an integer"),
        ({"window": 1}, r"window=1 is narrower than one patch \(dx=2, taux=1: 2 frames\)"),
        ({"window": 21}, r"window=21 frames is longer than the images \(20 frames\)"),
        ({"window": 5.0}, "window must be a positive integer"),
        ({"hop": 0}, "hop must be a positive integer"),
        ({"hop": False}, "hop must be a positive integer"),
    ],
)
def test_invalid_parameters_raise(kwargs, message):
    S = np.zeros((1, 6, 20))
    args = {"dx": 2, "dy": 2, "taux": 1, "tauy": 1, "ties": 0, "seed": 0, "window": 10, "hop": 1}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        ordinal.block_counts_2d(S, **args)
    with pytest.raises(ValueError, match=message):
        ordinal.block_counts_2d_csr(S, **args)
    if "window" not in kwargs and "hop" not in kwargs:
        del args["window"], args["hop"]
        with pytest.raises(ValueError, match=message):
            ordinal.pattern_codes_2d(S, **args)


@pytest.mark.parametrize(
    ("S", "message"),
    [
        (
            np.zeros((6, 20)),
            r"S must be 3-D \(n_images, n_rows, n_columns\), got an array of shape",
        ),
        (np.zeros((1, 1, 6, 20)), "S must be 3-D"),
        (np.zeros((1, 6, 20), dtype=complex), "S must hold real numbers, got dtype complex128"),
        (np.array([[["a", "b"]]]), "S must hold real numbers"),
        (np.zeros((1, 2, 20)), r"images of 2 x 20 .* smaller than one patch: dy=3, tauy=1"),
        (np.zeros((1, 6, 2)), r"images of 6 x 2 .* smaller than one patch.* span 3 x 3"),
        (np.full((1, 6, 20), np.nan), "S holds NaN values"),
    ],
)
def test_invalid_images_raise(S, message):
    with pytest.raises(ValueError, match=message):
        ordinal.pattern_codes_2d(S, 2, 3, 2, 1)
    with pytest.raises(ValueError, match=message):
        ordinal.block_counts_2d(S, 2, 3, 2, 1)


def test_validation_helpers_accept_valid_values():
    ordinal.check_pattern_2d(np.int64(2), 4, 1, 3)
    ordinal.check_pattern_2d(1, 8)
    ordinal.check_blocks_2d(126, 2, 3, 4, 1)
    ordinal.check_blocks_2d(126, 1, 1, 126, 500)
    ordinal.check_image_2d(3, 2, 2, 2, 1, 2)
    ordinal.check_image_2d(1, 8, 8, 1)


def test_kernels_give_the_same_results_from_several_threads():
    S = np.random.default_rng(6).integers(0, 5, (8, 12, 40)).astype(np.float32)
    args = (3, 2, 1, 2, ordinal.TIES_JITTER, 5, 10, 3)
    whole = ordinal.block_counts_2d(S, *args)
    with ThreadPoolExecutor(4) as pool:
        parts = list(
            pool.map(lambda i: ordinal.block_counts_2d(S[i : i + 2], *args), range(0, 8, 2))
        )
        csr = list(pool.map(lambda i: ordinal.block_counts_2d_csr(S[i : i + 1], *args), range(8)))
    np.testing.assert_array_equal(np.concatenate(parts), whole)
    for i, (indptr, codes, counts) in enumerate(csr):
        rebuilt = sparse.csr_array((counts, codes, indptr), shape=whole.shape[1:]).toarray()
        np.testing.assert_array_equal(rebuilt, whole[i])


def test_no_images_give_empty_results():
    S = np.zeros((0, 5, 9))
    assert ordinal.pattern_codes_2d(S, 2, 2).shape == (0, 4, 8)
    assert ordinal.block_counts_2d(S, 2, 2, window=4, hop=2).shape == (0, 3, 24)
    indptr, codes, counts = ordinal.block_counts_2d_csr(S, 2, 2, window=4, hop=2)
    np.testing.assert_array_equal(indptr, [0])
    assert codes.shape == counts.shape == (0,)


@pytest.mark.realdata
def test_real_spectrograms_match_ordpy(narw_dir):
    # 64 mel bands over 50-300 Hz leave empty filters and clip at top_db: many ties
    table = pd.read_csv(narw_dir / "train.csv").head(3)
    X = np.stack(
        [sf.read(narw_dir / "train" / name, dtype="int16")[0] for name in table["clip_name"]]
    )
    S = Spectrogram(n_mels=64, fmin=50, fmax=300, top_db=40).fit_transform(X)
    assert S.dtype == np.float32
    for dx, dy, taux, tauy in [(2, 2, 1, 1), (4, 2, 1, 1), (3, 2, 2, 1)]:
        codes = ordinal.pattern_codes_2d(S, dx, dy, taux, tauy)
        counts = ordinal.block_counts_2d(S, dx, dy, taux, tauy, window=32, hop=16)
        for i in range(S.shape[0]):
            np.testing.assert_array_equal(codes[i], _ordpy_codes(S[i], dx, dy, taux, tauy))
            symbols, probabilities = ordpy.ordinal_distribution(
                S[i, :, 16:48], dx=dx, dy=dy, taux=taux, tauy=tauy
            )
            present = np.flatnonzero(counts[i, 1])
            np.testing.assert_array_equal(present, _lexicographic_rank(symbols))
            np.testing.assert_allclose(
                counts[i, 1, present] / counts[i, 1].sum(), probabilities, rtol=1e-12
            )
