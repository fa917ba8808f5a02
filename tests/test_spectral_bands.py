"""Sub-band spectral distributions: ``ComplexityEntropyCurve(band_width=..., band_hop=...)``."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils.estimator_checks import parametrize_with_checks

from whalefeat import ComplexityEntropyCurve

SHANNON = dict(
    distribution="spectral",
    measure="shannon",
    disequilibrium=("jensen-shannon", "euclidean", "total-variation"),
)


def _expected_failures(estimator):
    # the check's integer data hold rows of zeros, spectra without a distribution,
    # which the transformer rightly refuses (tested in test_band_of_zero_power...)
    return {"check_estimators_dtypes": "integer test data hold spectra of zero power"}


@parametrize_with_checks(
    [
        ComplexityEntropyCurve(**SHANNON, band_width=2, band_hop=1),
        ComplexityEntropyCurve(distribution="spectral", q=[0.5, 2.0], band_width=2),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _reference(S, width, hop, **params):
    """Each band sliced out and read as a whole-frame distribution, bands side by side."""
    starts = range(0, S.shape[1] - width + 1, hop)
    parts = [
        ComplexityEntropyCurve(**params).fit_transform(S[:, lo : lo + width]) for lo in starts
    ]
    return np.concatenate(parts, axis=-1)


@settings(max_examples=30, deadline=None)
@given(
    n_bins=st.integers(2, 40),
    width=st.integers(2, 40),
    hop=st.integers(1, 40),
    seed=st.integers(0, 2**31 - 1),
    sparse=st.booleans(),
)
def test_bands_equal_sliced_whole_frame_distributions(n_bins, width, hop, seed, sparse):
    width = min(width, n_bins)
    rng = np.random.default_rng(seed)
    S = rng.random((2, n_bins, 5))
    if sparse:  # most bins empty, one per band kept so no band is silent
        S[S < 0.8] = 0.0
        S[:, ::2, :] += 1e-3
        S[:, 1::2, :] += 1e-300
    curve = ComplexityEntropyCurve(**SHANNON, band_width=width, band_hop=hop)
    got = curve.fit_transform(S)
    assert got.shape[-1] == curve.get_feature_names_out().size
    np.testing.assert_array_equal(got, _reference(S, width, hop, **SHANNON))


def test_tsallis_bands_on_spectra():
    S = np.random.default_rng(3).random((4, 30))
    params = dict(distribution="spectral", measure="tsallis", q=[0.5, 1.0, 3.0])
    got = ComplexityEntropyCurve(**params, band_width=12, band_hop=9).fit_transform(S)
    assert got.shape == (4, 3 * 6)  # bands at bins 0, 9, 18
    np.testing.assert_array_equal(got, _reference(S, 12, 9, **params))


def test_band_hop_defaults_to_side_by_side_and_trailing_bins_are_unused():
    S = np.random.default_rng(0).random((2, 10, 3))
    curve = ComplexityEntropyCurve(**SHANNON, band_width=4).fit(S)
    assert curve.get_feature_names_out().tolist()[::4] == ["H_bins=0:4", "H_bins=4:8"]
    np.testing.assert_array_equal(curve.transform(S), _reference(S, 4, 4, **SHANNON))


def test_uniform_band_has_full_entropy_and_no_complexity():
    S = np.ones((1, 8, 2))
    S[0, 4:, :] = [[1.0], [0.0], [0.0], [0.0]]  # second band one-hot
    got = ComplexityEntropyCurve(**SHANNON, band_width=4).fit_transform(S)
    np.testing.assert_allclose(got[0, :, :4], [[1.0, 0.0, 0.0, 0.0]] * 2, atol=1e-15)
    np.testing.assert_allclose(got[0, :, 4], 0.0, atol=1e-15)  # H of a one-hot band


def test_band_of_zero_power_is_an_error_naming_the_bins():
    S = np.random.default_rng(0).random((2, 8, 3))
    S[1, 4:, 2] = 0.0
    with pytest.raises(ValueError, match=r"sample 1, frame 2, bins 4:8"):
        ComplexityEntropyCurve(**SHANNON, band_width=4).fit_transform(S)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(band_hop=2), "band_hop=2 needs band_width"),
        (dict(band_width=9), "band_width=9 exceeds the 8 frequency bins"),
    ],
)
def test_bad_band_parameters(params, message):
    S = np.random.default_rng(0).random((2, 8, 3))
    with pytest.raises(ValueError, match=message):
        ComplexityEntropyCurve(**SHANNON, **params).fit(S)


@pytest.mark.parametrize("distribution", ["ordinal", "ordinal2d"])
def test_bands_apply_to_spectral_only(distribution):
    S = np.random.default_rng(0).random((2, 8, 6))
    with pytest.raises(ValueError, match="apply to distribution='spectral' only"):
        ComplexityEntropyCurve(distribution=distribution, measure="shannon", band_width=4).fit(S)


@pytest.mark.parametrize(
    "fitted, changed",
    [
        ({}, dict(band_width=4)),
        (dict(band_width=4), dict(band_width=None)),
        (dict(band_width=4), dict(band_hop=2)),
        (dict(band_width=4), dict(band_width=20)),
    ],
)
def test_bands_changed_after_fit_need_a_new_fit(fitted, changed):
    S = np.random.default_rng(0).random((2, 8, 3))
    curve = ComplexityEntropyCurve(**SHANNON, **fitted).fit(S)
    curve.set_params(**changed)
    with pytest.raises(ValueError, match="band_width or band_hop changed after fit"):
        curve.transform(S)


def test_band_width_checked_again_in_transform():
    S = np.random.default_rng(0).random((2, 8, 3))
    curve = ComplexityEntropyCurve(**SHANNON).fit(S)
    with pytest.raises(ValueError, match="band_width"):
        curve.set_params(band_width=1).transform(S)
