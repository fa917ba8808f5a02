"""Tests for whalefeat.noise: add_noise and NoiseInjector."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import scipy.signal
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from whalefeat.noise import NoiseInjector, add_noise


def _snr_db(clean, noisy):
    clean = np.asarray(clean, dtype=np.float64)
    noise = np.asarray(noisy, dtype=np.float64) - clean
    return 10 * np.log10(np.mean(clean**2, axis=-1) / np.mean(noise**2, axis=-1))


def _expected_failed_checks(estimator):
    reason = (
        "the noise is drawn for the whole batch from one seeded generator, so a clip's noise "
        "depends on its row and a reordered or partial batch gets other noise"
    )
    return {
        "check_methods_subset_invariance": reason,
        "check_methods_sample_order_invariance": reason,
    }


@parametrize_with_checks(
    [NoiseInjector(random_state=0), NoiseInjector(snr_db=-5.0, kind="pink", random_state=0)],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("kind", ["white", "pink", "brown"])
@pytest.mark.parametrize("snr_db", [-10.0, 0.0, 7.5, 30.0])
def test_achieved_snr_is_the_requested_one(kind, snr_db):
    rng = np.random.default_rng(0)
    n_samples = 100_000
    t = np.arange(n_samples) / 2000
    X = np.stack([np.sin(2 * np.pi * 150 * t), 0.01 * rng.normal(size=n_samples) + 0.003])
    noisy = add_noise(X, snr_db, kind=kind, random_state=1)
    np.testing.assert_allclose(_snr_db(X, noisy), snr_db, atol=1e-9)


def test_per_clip_snr():
    X = np.random.default_rng(1).normal(size=(3, 4000))
    snr_db = np.array([-3.0, 10.0, 25.0])
    np.testing.assert_allclose(_snr_db(X, add_noise(X, snr_db, random_state=0)), snr_db, atol=1e-9)


def test_float32_kept_and_snr_to_float32_precision():
    X = np.random.default_rng(2).normal(size=(4, 50_000)).astype(np.float32)
    noisy = add_noise(X, 6.0, random_state=0)
    assert noisy.dtype == np.float32
    assert noisy.shape == X.shape
    np.testing.assert_allclose(_snr_db(X, noisy), 6.0, atol=1e-4)


def test_integer_input_gives_float64():
    X = np.arange(1, 41, dtype=np.int16).reshape(2, 20)
    noisy = add_noise(X, 10.0, random_state=0)
    assert noisy.dtype == np.float64
    np.testing.assert_allclose(_snr_db(X, noisy), 10.0, atol=1e-9)


def test_one_clip_as_1d():
    x = np.random.default_rng(3).normal(size=4000)
    noisy = add_noise(x, 3.0, random_state=0)
    assert noisy.shape == x.shape
    np.testing.assert_array_equal(noisy, add_noise(x[np.newaxis], 3.0, random_state=0)[0])


def test_input_left_unchanged():
    X = np.random.default_rng(4).normal(size=(2, 100))
    before = X.copy()
    add_noise(X, 0.0, random_state=0)
    np.testing.assert_array_equal(X, before)


def test_reproducible_with_a_seed_and_different_across_clips_and_seeds():
    X = np.tile(np.random.default_rng(5).normal(size=1000), (3, 1))  # three identical clips
    first = add_noise(X, 0.0, random_state=42)
    np.testing.assert_array_equal(first, add_noise(X, 0.0, random_state=42))
    assert not np.allclose(first[0], first[1])  # each clip has its own noise
    assert not np.allclose(first, add_noise(X, 0.0, random_state=43))
    rng = np.random.RandomState(0)
    assert not np.allclose(
        add_noise(X, 0.0, random_state=rng), add_noise(X, 0.0, random_state=rng)
    )


@pytest.mark.parametrize(("kind", "exponent"), [("white", 0.0), ("pink", -1.0), ("brown", -2.0)])
def test_noise_spectrum_has_the_slope_of_its_colour(kind, exponent):
    X = np.ones((8, 2**14))
    noise = add_noise(X, 0.0, kind=kind, random_state=0) - X
    frequencies, psd = scipy.signal.welch(noise, fs=2000, nperseg=1024, axis=-1)
    band = (frequencies >= 10) & (frequencies <= 800)
    slope = np.polyfit(np.log(frequencies[band]), np.log(psd.mean(axis=0)[band]), 1)[0]
    assert abs(slope - exponent) < 0.1


def test_white_noise_is_gaussian():
    X = np.ones((1, 200_000))
    noise = (add_noise(X, 0.0, random_state=0) - X)[0]
    assert abs(scipy.stats.skew(noise)) < 0.03
    assert abs(scipy.stats.kurtosis(noise)) < 0.06  # excess kurtosis of a Gaussian: 0


def test_all_zero_clip_is_left_unchanged_with_a_warning():
    X = np.random.default_rng(6).normal(size=(3, 500))
    X[1] = 0.0
    with pytest.warns(UserWarning, match=r"1 clip\(s\) are all zeros \(rows \[1\]\)"):
        noisy = add_noise(X, 5.0, random_state=0)
    np.testing.assert_array_equal(noisy[1], 0.0)
    np.testing.assert_allclose(_snr_db(X[[0, 2]], noisy[[0, 2]]), 5.0, atol=1e-9)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_error_on_non_finite_clips(bad):
    X = np.ones((2, 10))
    X[0, 3] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        add_noise(X, 0.0)
    with pytest.raises(ValueError, match="NaN|infinity"):
        NoiseInjector().fit_transform(X)


@pytest.mark.parametrize("snr_db", [np.nan, np.inf, -np.inf, [1.0, np.nan]])
def test_error_on_non_finite_snr(snr_db):
    with pytest.raises(ValueError, match="snr_db must be finite"):
        add_noise(np.ones((2, 10)), snr_db)


@pytest.mark.parametrize("snr_db", [[1.0, 2.0, 3.0], [[1.0, 2.0]]])
def test_error_on_snr_of_the_wrong_shape(snr_db):
    with pytest.raises(ValueError, match=r"one value per clip \(2\)"):
        add_noise(np.ones((2, 10)), snr_db)


def test_error_on_unknown_kind_and_bad_shape():
    with pytest.raises(ValueError, match="kind must be one of.*'violet'"):
        add_noise(np.ones((2, 10)), 0.0, kind="violet")
    with pytest.raises(ValueError, match="dim 3"):
        add_noise(np.ones((2, 3, 10)), 0.0)


@pytest.mark.parametrize(
    "params", [{"snr_db": np.nan}, {"snr_db": np.inf}, {"snr_db": "10"}, {"kind": "violet"}]
)
def test_injector_rejects_bad_parameters(params):
    with pytest.raises(InvalidParameterError):
        NoiseInjector(**params).fit(np.ones((2, 10)))
    with pytest.raises(InvalidParameterError):
        NoiseInjector(**params).transform(np.ones((2, 10)))


def test_injector_equals_add_noise_and_needs_no_fit():
    X = np.random.default_rng(7).normal(size=(5, 300))
    injector = NoiseInjector(snr_db=2.0, kind="brown", random_state=3)
    expected = add_noise(X, 2.0, kind="brown", random_state=3)
    np.testing.assert_array_equal(injector.transform(X), expected)
    np.testing.assert_array_equal(injector.fit(X).transform(X), expected)
    np.testing.assert_array_equal(injector.fit_transform(X), expected)


def test_injector_checks_the_clip_length_seen_in_fit():
    injector = NoiseInjector(random_state=0).fit(np.ones((2, 10)))
    assert injector.n_features_in_ == 10
    with pytest.raises(ValueError, match="9 features.*expecting 10"):
        injector.transform(np.ones((2, 9)))


def test_injector_clone_and_pickle():
    X = np.random.default_rng(8).normal(size=(2, 100))
    injector = NoiseInjector(snr_db=-1.0, kind="pink", random_state=0).fit(X)
    restored = pickle.loads(pickle.dumps(injector))
    np.testing.assert_array_equal(restored.transform(X), injector.transform(X))
    assert clone(injector).get_params() == injector.get_params()


@settings(max_examples=30, deadline=None)
@given(
    snr_db=st.floats(-40, 60),
    n_samples=st.integers(1, 300),
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(["white", "pink", "brown"]),
)
def test_snr_exact_for_any_clip(snr_db, n_samples, seed, kind):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(3, n_samples)) * rng.uniform(1e-3, 1e3, size=(3, 1)) + 1e-2
    noisy = add_noise(X, snr_db, kind=kind, random_state=seed)
    np.testing.assert_allclose(_snr_db(X, noisy), snr_db, atol=1e-8)


@pytest.mark.parametrize(
    "scale", [1e-300, 1e-200, 1e-160, 2.0**-1000, 1e-5, 1e5, 1e160, 1e200, 1e300]
)
@pytest.mark.parametrize("kind", ["white", "brown"])
def test_snr_exact_at_any_finite_scale(scale, kind):
    # squares of such clips under- or overflow float64; the SNR must not care
    X = np.random.default_rng(2).normal(size=(3, 500))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "all zeros" warning for tiny clips
        noisy = add_noise(X * scale, -3.0, kind=kind, random_state=0)
    assert np.all(np.isfinite(noisy))
    np.testing.assert_allclose(_snr_db(X, noisy / scale), -3.0, atol=1e-9)
    np.testing.assert_allclose(
        noisy / scale, add_noise(X, -3.0, kind=kind, random_state=0), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize("scale", [1e-30, 1e30])
def test_snr_exact_at_float32_extremes(scale):
    X = (np.random.default_rng(3).normal(size=(2, 400)) * scale).astype(np.float32)
    noisy = add_noise(X, 5.0, random_state=0)
    assert noisy.dtype == np.float32 and np.all(np.isfinite(noisy))
    np.testing.assert_allclose(_snr_db(X / scale, noisy / np.float64(scale)), 5.0, atol=1e-4)


def test_extreme_snr_does_not_overflow():
    X = np.random.default_rng(4).normal(size=(2, 300))
    quiet = add_noise(X, 600.0, random_state=0)  # 10**60 below: noise under the rounding
    np.testing.assert_allclose(quiet, X, rtol=1e-15)
    with pytest.raises(ValueError, match="the noisy clips overflow float64"):
        add_noise(X * 1e300, -200.0, random_state=0)


def test_injector_feature_names_and_pandas_output():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(np.random.default_rng(5).normal(size=(3, 4)), columns=["a", "b", "c", "d"])
    injector = NoiseInjector(random_state=0).fit(X)
    assert injector.get_feature_names_out().tolist() == ["a", "b", "c", "d"]
    out = NoiseInjector(random_state=0).set_output(transform="pandas").fit_transform(X)
    assert list(out.columns) == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(out.to_numpy(), injector.transform(X))
    unnamed = NoiseInjector(random_state=0).fit(X.to_numpy())
    assert unnamed.get_feature_names_out().tolist() == ["x0", "x1", "x2", "x3"]
