"""RowStatistics: centroid, bandwidth, skewness and total variation of every frequency row."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from whalefeat.rowstats import RowStatistics


def reference(S):
    """Row by row with numpy.average, scipy.stats.skew and numpy.diff."""
    n, bins, frames = S.shape
    t = np.arange(frames, dtype=float)
    out = np.empty((n, 4, bins))
    for i in range(n):
        for b in range(bins):
            x = S[i, b]
            weights = x if x.sum() > 0 else np.ones(frames)
            centroid = np.average(t, weights=weights)
            out[i, 0, b] = centroid
            out[i, 1, b] = np.sqrt(np.average((t - centroid) ** 2, weights=weights))
            out[i, 2, b] = 0.0 if np.all(x == x[0]) else scipy.stats.skew(x / np.abs(x).max())
            out[i, 3, b] = np.abs(np.diff(x)).sum()
    return out.reshape(n, -1)


@parametrize_with_checks([RowStatistics(), RowStatistics(statistics=("skew", "centroid"))])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("shape", [(3, 46, 59), (2, 1, 1), (1, 3, 2), (4, 5, 7)])
def test_equals_numpy_and_scipy(shape):
    rng = np.random.default_rng(0)
    S = rng.gamma(1.5, size=shape) * 10.0 ** rng.integers(-3, 4, size=shape[:2])[..., None]
    out = RowStatistics().fit_transform(S)
    assert out.shape == (shape[0], 4 * shape[1])
    np.testing.assert_allclose(out, reference(S), rtol=1e-10, atol=1e-12)


def test_adversarial_rows():
    S = np.zeros((2, 5, 6))
    S[0, 1] = 3.0  # constant row
    S[0, 2, 4] = 1.0  # a single bright frame
    S[0, 3] = [0, 1e-300, 0, 0, 0, 0]  # a tiny one
    S[1, 0] = [1e300, 0, 0, 0, 0, 1e300]  # huge, at both ends
    S[1, 4] = np.arange(6.0)
    out = RowStatistics().fit_transform(S)
    np.testing.assert_allclose(out, reference(S), rtol=1e-10, atol=1e-12)
    centroid, bandwidth, skew, tv = out.reshape(2, 4, 5).transpose(1, 0, 2)
    assert centroid[0, 0] == 2.5 and bandwidth[0, 0] == pytest.approx(np.sqrt(35 / 12))
    assert (centroid[0, 2], bandwidth[0, 2]) == (4.0, 0.0)
    assert centroid[0, 3] == 1.0 and skew[0, 1] == 0.0 and tv[0, 1] == 0.0
    assert centroid[1, 0] == 2.5 and bandwidth[1, 0] == 2.5 and tv[1, 0] == 2e300
    assert np.all(np.isfinite(out))


def test_selection_order_names_and_single_spectra():
    S = np.random.default_rng(1).random((3, 4, 9))
    full = RowStatistics().fit_transform(S)
    picked = RowStatistics(statistics=("total_variation", "centroid")).fit(S)
    np.testing.assert_array_equal(picked.transform(S), np.hstack([full[:, 12:16], full[:, 0:4]]))
    assert picked.get_feature_names_out().tolist() == [
        "total_variation_b0",
        "total_variation_b1",
        "total_variation_b2",
        "total_variation_b3",
        "centroid_b0",
        "centroid_b1",
        "centroid_b2",
        "centroid_b3",
    ]
    one = RowStatistics(statistics="skew").fit(S)
    assert one.transform(S).shape == (3, 4)
    spectra = RowStatistics().fit(S[:, :, 0])
    np.testing.assert_array_equal(
        spectra.transform(S[:, :, 0]), RowStatistics().fit_transform(S[:, :, :1])
    )


def test_errors_name_the_problem():
    S = np.random.default_rng(2).random((2, 3, 5))
    with pytest.raises(ValueError, match="Negative values .* clip 1 .*scaling='power'"):
        RowStatistics().fit(np.stack([S[0], S[1] - 2]))
    # skewness and total variation need no weights: dB input is fine for them
    RowStatistics(statistics=("skew", "total_variation")).fit(S - 2)
    for bad in ((), ("centroid", "centroid"), ("kurtosis",)):
        with pytest.raises(ValueError, match="non-empty selection without repeats"):
            RowStatistics(statistics=bad).fit(S)
    with pytest.raises(InvalidParameterError):
        RowStatistics(statistics=3).fit(S)
    fitted = RowStatistics().fit(S)
    with pytest.raises(ValueError, match="fitted on 3-D input with 3 rows and 5 frame"):
        fitted.transform(S[:, :, :4])
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.transform(S), fitted.transform(S))


spectrograms = arrays(
    np.float64,
    st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 12)),
    elements=st.floats(0, 1e6, allow_subnormal=False),
)


@settings(max_examples=80, deadline=None)
@given(S=spectrograms, gain=st.floats(1e-3, 1e3))
def test_properties(S, gain):
    stats = RowStatistics()
    out = stats.fit_transform(S).reshape(len(S), 4, -1)
    n_frames = S.shape[2]
    centroid, bandwidth, skew, tv = out.transpose(1, 0, 2)
    assert np.all((centroid >= -1e-9) & (centroid <= n_frames - 1 + 1e-9))
    assert np.all((bandwidth >= 0) & (bandwidth <= (n_frames - 1) / 2 + 1e-9))
    assert np.all(tv >= 0) and np.all(np.isfinite(skew))
    # reversing time mirrors the centroid and leaves the others unchanged
    back = stats.fit_transform(S[:, :, ::-1]).reshape(len(S), 4, -1)
    np.testing.assert_allclose(back[:, 0], n_frames - 1 - centroid, atol=1e-9 * n_frames)
    np.testing.assert_allclose(back[:, 1], bandwidth, atol=1e-7 * n_frames)
    np.testing.assert_allclose(back[:, 3], tv, rtol=1e-12)
    # a gain changes only the total variation, by the same factor
    scaled = stats.fit_transform(gain * S).reshape(len(S), 4, -1)
    np.testing.assert_allclose(scaled[:, :2], out[:, :2], atol=1e-7 * n_frames)
    np.testing.assert_allclose(scaled[:, 3], gain * tv, rtol=1e-9)
    np.testing.assert_allclose(out.reshape(len(S), -1), reference(S), rtol=1e-7, atol=1e-7)
