"""distribution="spectral": entropy and complexities of normalised spectra, against references."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import ordpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.utils.estimator_checks import parametrize_with_checks

from whalefeat.complexity import ComplexityEntropyCurve

ALL = ("jensen-shannon", "euclidean", "total-variation")
Q = [0.05, 0.5, 1.0, 2.0, 7.0]


def _spectral(measure="shannon", **params):
    if measure == "shannon":
        params.setdefault("disequilibrium", ALL)
    return ComplexityEntropyCurve(measure=measure, distribution="spectral", **params)


def _features(P, measure="shannon", **params):
    P = np.atleast_2d(P)
    return _spectral(measure, **params).fit_transform(P)


@parametrize_with_checks(
    [
        ComplexityEntropyCurve(
            measure="shannon",
            distribution="spectral",
            disequilibrium=("euclidean", "jensen-shannon"),
        ),
        ComplexityEntropyCurve(q=[0.5, 2.0], distribution="spectral", n_jobs=2),
    ],
    expected_failed_checks=lambda estimator: {
        "check_estimators_dtypes": "its integer data hold all-zero rows, spectra of zero "
        "power, which are an error",
    },
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# ------------------------------------------------------------------------------------------
# references: the definitions in 50-digit arithmetic, n = number of bins


def _probabilities(p):
    total = mp.fsum(mp.mpf(float(v)) for v in p)
    return [mp.mpf(float(v)) / total for v in p]


def _lnq(x, q):
    return mp.log(x) if q == 1 else (x ** (1 - q) - 1) / (1 - q)


def _reference_shannon(p):
    with mp.workdps(50):
        P = _probabilities(p)
        n = mp.mpf(len(P))
        u = 1 / n
        h = -mp.fsum(x * mp.log(x) for x in P if x > 0) / mp.log(n)

        def entropy(dist):
            return -mp.fsum(x * mp.log(x) for x in dist if x > 0)

        js = entropy([(x + u) / 2 for x in P]) - entropy(P) / 2 - mp.log(n) / 2
        js_max = -(((n + 1) / n) * mp.log(n + 1) + mp.log(n) - 2 * mp.log(2 * n)) / 2
        euclidean = mp.fsum((x - u) ** 2 for x in P) * n / (n - 1)
        total_variation = mp.fsum(abs(x - u) for x in P) * n / (2 * (n - 1))
        return [h, h * js / js_max, h * euclidean, h * total_variation]


def _reference_tsallis(p, q):
    with mp.workdps(50):
        P = _probabilities(p)
        q, n = mp.mpf(q), mp.mpf(len(P))
        u = 1 / n
        present = [x for x in P if x > 0]
        missing = n - len(present)
        h = mp.fsum(x * _lnq(1 / x, q) for x in present) / _lnq(n, q)
        d = -mp.fsum(x * _lnq((x + u) / (2 * x), q) for x in present) / 2 - (
            mp.fsum(_lnq((n * x + 1) / 2, q) for x in present) + missing * _lnq(mp.mpf(1) / 2, q)
        ) / (2 * n)
        if q == 1:
            d_max = -(((n + 1) / n) * mp.log(n + 1) + mp.log(n) - 2 * mp.log(2 * n)) / 2
        else:
            d_max = (
                2 ** (2 - q) * n - (1 + n) ** (1 - q) - n * (1 + 1 / n) ** (1 - q) - n + 1
            ) / ((1 - q) * 2 ** (2 - q) * n)
        return [h, h * d / d_max]


def _reference_renyi(p, a):
    if a == 1:
        return _reference_tsallis(p, 1)
    with mp.workdps(50):
        P = _probabilities(p)
        a, n = mp.mpf(a), mp.mpf(len(P))
        u = 1 / n
        present = [x for x in P if x > 0]
        missing = n - len(present)
        h = mp.log(mp.fsum(x**a for x in present)) / ((1 - a) * mp.log(n))
        first = mp.log(mp.fsum(((x + u) / 2) ** (1 - a) * x**a for x in present))
        second = mp.log(
            mp.fsum(u**a * ((x + u) / 2) ** (1 - a) for x in present)
            + missing * u**a * (u / 2) ** (1 - a)
        )
        d = (first + second) / (2 * (a - 1))
        d_max = (
            mp.log(((n + 1) ** (1 - a) + n - 1) / (2 ** (1 - a) * n))
            + (1 - a) * mp.log((n + 1) / (2 * n))
        ) / (2 * (a - 1))
        return [h, h * d / d_max]


def _assert_close(ours, reference, tol=1e-12):
    for value, exact in zip(np.ravel(ours), reference, strict=True):
        assert abs(mp.mpf(float(value)) - exact) <= tol, (float(value), exact)


def _frames(n_bins, rng):
    random = rng.random(n_bins)
    sparse = np.where(rng.random(n_bins) < 0.7, 0.0, rng.exponential(size=n_bins))
    sparse[rng.integers(n_bins)] = 2.5
    one_hot = np.zeros(n_bins)
    one_hot[rng.integers(n_bins)] = 3.0
    heavy = rng.pareto(0.7, n_bins) + 1e-300  # values over hundreds of decades
    return {
        "random": random,
        "sparse": sparse,
        "one-hot": one_hot,
        "uniform": np.full(n_bins, 0.25),
        "heavy": heavy,
    }


FRAME_KINDS = ["random", "sparse", "one-hot", "uniform", "heavy"]


@pytest.mark.parametrize("n_bins", [2, 6, 17, 64])
@pytest.mark.parametrize("kind", FRAME_KINDS)
def test_shannon_and_disequilibria_equal_the_definitions(n_bins, kind):
    p = _frames(n_bins, np.random.default_rng(n_bins))[kind]
    _assert_close(_features(p)[0], _reference_shannon(p))


@pytest.mark.parametrize("n_bins", [6, 24, 120])
@pytest.mark.parametrize("kind", FRAME_KINDS)
def test_equal_to_ordpy_with_as_many_bins_as_patterns(n_bins, kind):
    # ordpy's probs=True takes n = dx! outcomes: 6, 24 and 120 bins are dx = 3, 4, 5
    dx = {6: 3, 24: 4, 120: 5}[n_bins]
    p = _frames(n_bins, np.random.default_rng(3 * n_bins))[kind]
    probs = p / p.sum()
    ours = _features(p, disequilibrium="jensen-shannon")[0]
    np.testing.assert_allclose(
        ours, ordpy.complexity_entropy(probs, dx=dx, probs=True), rtol=0, atol=1e-12
    )
    q = [0.1, 0.5, 2.0, 5.0]  # where ordpy is accurate (away from q = 1)
    tsallis = _features(p, "tsallis", q=q)[0].reshape(-1, 2)
    np.testing.assert_allclose(
        tsallis,
        ordpy.tsallis_complexity_entropy(probs, dx=dx, q=q, probs=True),
        rtol=0,
        atol=1e-12,
    )
    renyi = _features(p, "renyi", q=q)[0].reshape(-1, 2)
    np.testing.assert_allclose(
        renyi,
        ordpy.renyi_complexity_entropy(probs, dx=dx, alpha=q, probs=True),
        rtol=0,
        atol=1e-12,
    )


@pytest.mark.parametrize("n_bins", [5, 64])
@pytest.mark.parametrize("kind", FRAME_KINDS)
def test_curves_equal_the_definitions(n_bins, kind):
    p = _frames(n_bins, np.random.default_rng(7 * n_bins))[kind]
    tsallis = _features(p, "tsallis", q=Q)[0]
    renyi = _features(p, "renyi", q=Q)[0]
    for i, q in enumerate(Q):
        _assert_close(tsallis[2 * i : 2 * i + 2], _reference_tsallis(p, q))
        _assert_close(renyi[2 * i : 2 * i + 2], _reference_renyi(p, q))


@pytest.mark.parametrize("n_bins", [2, 9, 64])
def test_closed_forms_one_hot_and_uniform(n_bins):
    one_hot = np.zeros(n_bins)
    one_hot[n_bins // 2] = 1e-20
    uniform = np.full(n_bins, 7.0)
    for measure, params in (("shannon", {}), ("tsallis", {"q": Q}), ("renyi", {"q": Q})):
        ordered = _features(one_hot, measure, **params)
        np.testing.assert_array_equal(ordered, 0.0)
        flat = _features(uniform, measure, **params)[0]
        np.testing.assert_allclose(
            flat[0::2] if measure != "shannon" else flat[:1], 1.0, rtol=0, atol=1e-15
        )
        np.testing.assert_allclose(
            flat[1::2] if measure != "shannon" else flat[1:], 0.0, rtol=0, atol=1e-15
        )


def test_zero_bins_are_absent_outcomes():
    # a zero bin counts among the n outcomes, exactly as a missing pattern does
    p = np.array([0.0, 3.0, 1.0, 0.0, 2.0, 0.0])
    hc = _features(p, disequilibrium="jensen-shannon")[0]
    np.testing.assert_allclose(
        hc, ordpy.complexity_entropy(p / p.sum(), dx=3, probs=True), rtol=0, atol=1e-15
    )
    assert hc[0] < _features(p[p > 0], disequilibrium="jensen-shannon")[0, 0]


def test_spectrograms_give_one_vector_per_frame():
    S = np.random.default_rng(60).random((3, 20, 11)).astype(np.float32)
    S[1, :5, 4] = 0.0
    for measure, params in (("shannon", {}), ("tsallis", {"q": Q}), ("renyi", {"q": [3.0]})):
        curve = _spectral(measure, **params)
        frames = curve.fit_transform(S)
        width = 4 if measure == "shannon" else 2 * len(curve.q_)
        assert frames.shape == (3, 11, width) and frames.dtype == np.float64
        spectra = _spectral(measure, **params).fit_transform(S.transpose(0, 2, 1).reshape(-1, 20))
        np.testing.assert_array_equal(frames.reshape(-1, width), spectra)
        np.testing.assert_array_equal(curve.transform(np.asfortranarray(S)), frames)
    assert _spectral().fit(S).get_feature_names_out().tolist() == [
        "H",
        "C",
        "C_euclidean",
        "C_total_variation",
    ]


def test_disequilibrium_columns_follow_the_order_given():
    P = np.random.default_rng(61).random((4, 30))
    everything = _features(P)
    for order in [
        ("total-variation",),
        ("euclidean", "jensen-shannon"),
        ("total-variation", "euclidean", "jensen-shannon"),
    ]:
        curve = _spectral(disequilibrium=order)
        values = curve.fit_transform(P)
        columns = [0] + [1 + ALL.index(name) for name in order]
        np.testing.assert_array_equal(values, everything[:, columns])
        assert curve.get_feature_names_out().tolist()[1:] == [
            {
                "jensen-shannon": "C",
                "euclidean": "C_euclidean",
                "total-variation": "C_total_variation",
            }[name]
            for name in order
        ]
    # the default is the Jensen-Shannon pair, as for ordinal patterns
    np.testing.assert_array_equal(
        ComplexityEntropyCurve(measure="shannon", distribution="spectral").fit_transform(P),
        everything[:, :2],
    )


def test_ordinal_patterns_take_the_new_disequilibria_too():
    X = np.random.default_rng(62).integers(0, 5, (3, 400)).astype(float)
    curve = ComplexityEntropyCurve(dimension=3, measure="shannon", disequilibrium=ALL)
    values = curve.fit_transform(X)
    from whalefeat import ordinal

    counts = ordinal.pattern_counts(X, 3)
    for row, count in zip(values, counts, strict=True):
        _assert_close(row, _reference_shannon(count), tol=1e-13)
    framed = ComplexityEntropyCurve(
        dimension=3, measure="shannon", disequilibrium=ALL, window=100, hop=37
    ).fit_transform(X)
    first = ordinal.pattern_counts(X[:, 37:137], 3)
    for row, count in zip(framed[:, 1], first, strict=True):
        _assert_close(row, _reference_shannon(count), tol=1e-13)


def test_errors():
    S = np.random.default_rng(63).random((2, 8, 5))
    bad = S.copy()
    bad[1, 2, 3] = -0.5
    message = (
        r"Negative values in data passed to ComplexityEntropyCurve: X\[1, 2, 3\] = -0.5; "
        "distribution='spectral' reads each frame as a power"
    )
    with pytest.raises(ValueError, match=message):
        _spectral().fit(bad)
    with pytest.raises(ValueError, match=message):
        _spectral().fit(S).transform(bad)
    silent = S.copy()
    silent[1, :, 4] = 0.0
    with pytest.raises(ValueError, match=r"X has a spectrum of zero power \(sample 1, frame 4\)"):
        _spectral().fit_transform(silent)
    with pytest.raises(ValueError, match=r"X has a spectrum of zero power \(sample 0\)"):
        _spectral().fit_transform(np.zeros((2, 8)))
    with pytest.raises(ValueError, match="window and hop do not apply to distribution='spectral'"):
        _spectral(window=3).fit(S)
    with pytest.raises(ValueError, match="needs at least 2 frequency bins"):
        _spectral().fit(np.ones((3, 1)))


def test_threads_and_blocks_give_the_same_values(monkeypatch):
    S = np.random.default_rng(64).random((9, 16, 6))
    one = _spectral("tsallis", q=Q).fit_transform(S)
    np.testing.assert_array_equal(_spectral("tsallis", q=Q, n_jobs=2).fit_transform(S), one)
    monkeypatch.setattr("whalefeat.complexity._BLOCK_VALUES", 100)  # one spectrogram a block
    np.testing.assert_array_equal(_spectral("tsallis", q=Q, n_jobs=2).fit_transform(S), one)


# ------------------------------------------------------------------------------------------
# properties

_SPECTRA = arrays(
    np.float64, st.integers(2, 40), elements=st.one_of(st.just(0.0), st.floats(1e-6, 1e6))
)


@settings(max_examples=60, deadline=None)
@given(_SPECTRA, st.floats(1e-3, 1e3))
def test_bounded_and_invariant_under_scaling(p, scale):
    if p.sum() == 0:
        p = np.r_[p[:-1], 1.0]
    for measure, params in (("shannon", {}), ("tsallis", {"q": Q}), ("renyi", {"q": Q})):
        values = _features(p, measure, **params)
        assert ((values >= 0) & (values <= 1)).all()
        np.testing.assert_allclose(
            _features(p * scale, measure, **params), values, rtol=1e-12, atol=1e-14
        )


@settings(max_examples=40, deadline=None)
@given(_SPECTRA, st.randoms(use_true_random=False))
def test_invariant_under_permuting_bins(p, random):
    if p.sum() == 0:
        p = np.r_[p[:-1], 1.0]
    order = list(range(p.size))
    random.shuffle(order)
    np.testing.assert_allclose(_features(p[order]), _features(p), rtol=1e-13, atol=1e-15)


def test_q_one_is_shannon():
    P = np.random.default_rng(65).random((5, 33))
    shannon = _features(P, disequilibrium="jensen-shannon")
    for measure in ("tsallis", "renyi"):
        np.testing.assert_array_equal(_features(P, measure, q=1.0), shannon)
    assert math.isclose(float(shannon[0, 0]), float(_reference_shannon(P[0])[0]), abs_tol=1e-15)
