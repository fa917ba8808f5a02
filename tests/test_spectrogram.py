"""Tests for whalefeat.spectrogram.Spectrogram."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import (
    check_get_feature_names_out_error,
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    parametrize_with_checks,
)

from whalefeat.spectrogram import Spectrogram

FS = 2000.0


def _float32_close(actual, expected, rtol=1e-5):
    """Equal to float32 precision: absolute error within ``rtol`` of the largest value."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    scale = np.max(np.abs(expected))
    np.testing.assert_array_less(np.max(np.abs(actual - expected)), rtol * scale + 1e-30)


def _scipy_power(X, window, window_length, hop_length, n_fft=None, fs=FS):
    frequencies, times, power = scipy.signal.spectrogram(
        np.asarray(X, dtype=np.float64),
        fs=fs,
        window=window,
        nperseg=window_length,
        noverlap=window_length - hop_length,
        nfft=n_fft,
        detrend=False,
        scaling="density",
        mode="psd",
        axis=-1,
    )
    return frequencies, times, power


def _tone(frequency, n_samples=4000, amplitude=1.0, phase=0.0, fs=FS):
    t = np.arange(n_samples) / fs
    return amplitude * np.sin(2 * np.pi * frequency * t + phase)


@parametrize_with_checks(
    [
        # the checks' inputs have 1 to 5 columns: a 2-sample window, no band crop
        Spectrogram(window_length=2, hop_length=1, fmin=None, fmax=None),
        Spectrogram(
            window_length=2, hop_length=1, fmin=None, fmax=None, contrast="both", flatten=True
        ),
        # mel bands of centred frames, in dB relative to each clip's maximum
        Spectrogram(
            window_length=2,
            hop_length=1,
            n_fft=8,
            n_mels=2,
            fmin=None,
            fmax=None,
            center=True,
            normalization="raw",
            ref="max",
            top_db=60.0,
        ),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "check",
    [
        check_transformer_get_feature_names_out,
        check_transformer_get_feature_names_out_pandas,
        check_set_output_transform,
        check_set_output_transform_pandas,
        check_get_feature_names_out_error,
    ],
)
@pytest.mark.filterwarnings("ignore:X (does not have valid|has) feature names:UserWarning")
def test_sklearn_feature_names_and_set_output(check):
    pytest.importorskip("pandas")
    estimator = Spectrogram(window_length=2, hop_length=1, fmin=None, fmax=None, flatten=True)
    check(type(estimator).__name__, estimator)


@pytest.mark.parametrize(
    ("window", "window_length", "hop_length", "n_fft", "n_samples"),
    [
        ("hann", 256, 32, None, 4000),
        ("hann", 256, 64, None, 3999),
        ("hamming", 255, 17, None, 1001),
        (("kaiser", 8.0), 128, 128, None, 1000),
        ("boxcar", 64, 1, None, 300),
        ("blackman", 100, 30, 256, 2001),
        ("hann", 33, 7, 40, 517),
    ],
)
def test_power_equals_scipy_spectrogram(window, window_length, hop_length, n_fft, n_samples):
    X = np.random.default_rng(0).normal(size=(3, n_samples))
    spectrogram = Spectrogram(
        window_length=window_length,
        hop_length=hop_length,
        n_fft=n_fft,
        window=window,
        fmin=None,
        fmax=None,
        scaling="power",
    )
    S = spectrogram.fit_transform(X)
    frequencies, times, expected = _scipy_power(X, window, window_length, hop_length, n_fft)
    assert S.dtype == np.float32
    assert S.shape == expected.shape
    np.testing.assert_allclose(spectrogram.frequencies_, frequencies)
    np.testing.assert_allclose(spectrogram.times_, times)
    _float32_close(S, expected)


@pytest.mark.parametrize(
    ("fmin", "fmax"), [(40.0, 400.0), (50.0, 250.0), (None, 100.0), (900, None)]
)
def test_band_crop_equals_the_rows_of_scipy(fmin, fmax):
    X = np.random.default_rng(1).normal(size=(2, 4000))
    spectrogram = Spectrogram(fmin=fmin, fmax=fmax, scaling="power")
    S = spectrogram.fit_transform(X)
    frequencies, _, expected = _scipy_power(X, "hann", 256, 32)
    keep = np.ones(len(frequencies), dtype=bool)
    if fmin is not None:
        keep &= frequencies >= fmin
    if fmax is not None:
        keep &= frequencies <= fmax
    np.testing.assert_array_equal(spectrogram.frequencies_, frequencies[keep])
    _float32_close(S, expected[:, keep])


def test_default_band_and_axes():
    spectrogram = Spectrogram().fit(np.zeros((1, 4000)))
    assert spectrogram.frequencies_[0] == 46.875  # first bin at or above 40 Hz
    assert spectrogram.frequencies_[-1] == 398.4375  # last bin at or below 400 Hz
    assert len(spectrogram.frequencies_) == 46
    assert len(spectrogram.times_) == 1 + (4000 - 256) // 32 == 118
    np.testing.assert_allclose(np.diff(spectrogram.times_), 32 / FS)
    assert spectrogram.times_[0] == 128 / FS


@pytest.mark.parametrize(
    ("window_length", "hop_length", "n_samples"), [(256, 32, 4000), (255, 17, 1001), (64, 64, 640)]
)
def test_power_equals_short_time_fft_inside_the_signal(window_length, hop_length, n_samples):
    X = np.random.default_rng(2).normal(size=(2, n_samples))
    S = Spectrogram(
        window_length=window_length,
        hop_length=hop_length,
        fmin=None,
        fmax=None,
        scaling="power",
    ).fit_transform(X)
    stft = scipy.signal.ShortTimeFFT(
        scipy.signal.get_window("hann", window_length),
        hop_length,
        FS,
        fft_mode="onesided2X",
        scale_to="psd",
    )
    # ShortTimeFFT centres slice p on sample p * hop; with the signal's first sample placed at
    # index m_num_mid, slice p starts at sample p * hop of the clip, like frame p here.
    expected = stft.spectrogram(X, p0=0, p1=S.shape[2], k_offset=stft.m_num_mid, axis=-1)
    _float32_close(S, expected)


def test_hop_longer_than_the_window_skips_samples():
    X = np.random.default_rng(15).normal(size=(2, 1000))
    spectrogram = Spectrogram(window_length=256, hop_length=300, fmin=None, fmax=None)
    S = spectrogram.set_params(scaling="power").fit_transform(X)
    starts = [0, 300, 600]  # 856 + 300 > 1000: no fourth frame
    expected = np.concatenate(
        [_scipy_power(X[:, s : s + 256], "hann", 256, 256)[2] for s in starts], axis=-1
    )
    _float32_close(S, expected)
    np.testing.assert_allclose(spectrogram.times_, (np.array(starts) + 128) / FS)


def test_array_window_equals_named_window():
    X = np.random.default_rng(3).normal(size=(2, 1000))
    named = Spectrogram(window="hamming", fmin=None, fmax=None).fit_transform(X)
    values = scipy.signal.get_window("hamming", 256)
    given_values = Spectrogram(window=values, fmin=None, fmax=None).fit_transform(X)
    np.testing.assert_array_equal(named, given_values)


def test_sine_peaks_at_its_bin_with_the_expected_density():
    k = 16  # 125 Hz with 256-sample frames at 2 kHz
    amplitude = 0.3
    X = _tone(k * FS / 256, amplitude=amplitude)[np.newaxis]
    spectrogram = Spectrogram(scaling="power")
    S = spectrogram.fit_transform(X)[0]
    assert spectrogram.frequencies_[S.argmax(axis=0)].tolist() == [125.0] * S.shape[1]
    # a bin-centred tone: the one-sided PSD peak is A^2 w(0)^2 / (2 fs sum w^2)
    window = scipy.signal.get_window("hann", 256)
    expected_peak = amplitude**2 * window.sum() ** 2 / (2 * FS * np.sum(window**2))
    np.testing.assert_allclose(S.max(axis=0), expected_peak, rtol=1e-5)


def test_scalings_derive_from_power():
    X = np.random.default_rng(4).normal(size=(2, 1000)) * 1e-3
    X[1, :300] = 0.0  # digital silence: bins of exactly zero power
    power = Spectrogram(scaling="power", fmin=None).fit_transform(X)
    magnitude = Spectrogram(scaling="magnitude", fmin=None).fit_transform(X)
    db = Spectrogram(scaling="db", fmin=None).fit_transform(X)
    log = Spectrogram(scaling="log", fmin=None, floor=1e-12).fit_transform(X)
    np.testing.assert_allclose(magnitude**2, power, rtol=1e-6)
    np.testing.assert_allclose(db, 10 * np.log10(np.maximum(power, 1e-20)), rtol=1e-6)
    np.testing.assert_allclose(log, np.log(power.astype(np.float64) + 1e-12), rtol=1e-6)
    assert np.all(np.isfinite(db))
    np.testing.assert_allclose(db.min(), -200.0, rtol=1e-6)


def test_db_floor_of_silence():
    S = Spectrogram(floor=1e-12).fit_transform(np.zeros((2, 4000)))
    np.testing.assert_allclose(S, -120.0, rtol=1e-6)


def test_row_contrast_zero_median_unit_std_per_row():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(3, 4000)) + 0.5 * _tone(60.0) + 0.2 * _tone(310.0)
    S = Spectrogram(contrast="row").fit_transform(X)
    np.testing.assert_allclose(np.median(S, axis=2), 0.0, atol=1e-5)
    np.testing.assert_allclose(S.std(axis=2, dtype=np.float64), 1.0, rtol=1e-5)


def test_frame_contrast_zero_median_unit_std_per_frame():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(3, 4000))
    X[:, 2000:2010] += 30.0  # a broadband click
    S = Spectrogram(contrast="frame").fit_transform(X)
    np.testing.assert_allclose(np.median(S, axis=1), 0.0, atol=1e-5)
    np.testing.assert_allclose(S.std(axis=1, dtype=np.float64), 1.0, rtol=1e-5)


def test_both_contrast_is_row_then_frame():
    X = np.random.default_rng(7).normal(size=(2, 4000))
    raw = Spectrogram().fit_transform(X).astype(np.float64)
    rows = (raw - np.median(raw, axis=2, keepdims=True)) / raw.std(axis=2, keepdims=True)
    both = (rows - np.median(rows, axis=1, keepdims=True)) / rows.std(axis=1, keepdims=True)
    np.testing.assert_allclose(Spectrogram(contrast="both").fit_transform(X), both, atol=1e-4)


@pytest.mark.parametrize("contrast", ["row", "frame", "both"])
def test_contrast_in_db_removes_the_recording_gain(contrast):
    # a gain g adds 20 log10(g) dB to every bin, which each contrast mode subtracts
    X = np.random.default_rng(8).normal(size=(2, 4000)) + _tone(125.0)
    spectrogram = Spectrogram(contrast=contrast)
    np.testing.assert_allclose(
        spectrogram.fit_transform(30.0 * X), spectrogram.fit_transform(X), atol=2e-4
    )
    assert not np.allclose(
        Spectrogram().fit_transform(30.0 * X), Spectrogram().fit_transform(X), atol=1.0
    )


def test_constant_rows_become_zero_under_contrast():
    S = Spectrogram(contrast="both").fit_transform(np.zeros((2, 1000)))
    assert np.all(S == 0)


def test_flatten_and_feature_names_order():
    X = np.random.default_rng(9).normal(size=(2, 4000))
    spectrogram = Spectrogram().fit(X)
    grid = spectrogram.transform(X)
    flat = clone(spectrogram).set_params(flatten=True).fit_transform(X)
    np.testing.assert_array_equal(flat, grid.reshape(2, -1))
    names = spectrogram.get_feature_names_out()
    assert names.dtype == object
    assert len(names) == flat.shape[1] == 46 * 118
    assert names[0] == "f=46.875Hz,t=0.064s"
    assert names[1] == "f=46.875Hz,t=0.08s"
    assert names[118] == "f=54.6875Hz,t=0.064s"
    assert names[-1] == "f=398.4375Hz,t=1.936s"
    f, t = 7, 33  # name of value [f, t] sits at f * n_frames + t
    assert spectrogram.frequencies_[f] == 101.5625
    assert spectrogram.times_[t] == 0.592
    assert names[f * 118 + t] == "f=101.5625Hz,t=0.592s"


def test_pandas_output_with_flatten():
    pd = pytest.importorskip("pandas")
    X = np.random.default_rng(10).normal(size=(3, 600))
    spectrogram = Spectrogram(flatten=True).set_output(transform="pandas")
    frame = spectrogram.fit_transform(X)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(spectrogram.get_feature_names_out())


def test_pandas_output_of_a_grid_is_refused():
    spectrogram = Spectrogram().set_output(transform="pandas")
    with pytest.raises(ValueError, match="flatten=True"):
        spectrogram.fit_transform(np.ones((2, 600)))


def test_input_dtypes_and_blocks():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(40, 4000))  # more clips than one block holds
    expected = Spectrogram(scaling="power").fit_transform(X)
    one_by_one = np.concatenate(
        [Spectrogram(scaling="power").fit_transform(X[i : i + 1]) for i in range(len(X))]
    )
    np.testing.assert_array_equal(expected, one_by_one)
    from_float32 = Spectrogram(scaling="power").fit_transform(X.astype(np.float32))
    np.testing.assert_array_equal(expected, from_float32)
    X_int = np.round(X * 1000).astype(np.int16)
    from_int = Spectrogram(scaling="power").fit_transform(X_int)
    assert from_int.dtype == np.float32
    _float32_close(from_int, Spectrogram(scaling="power").fit_transform(X_int / 1.0))


def test_threads_give_the_same_result():
    X = np.random.default_rng(12).normal(size=(20, 4000))
    np.testing.assert_array_equal(
        Spectrogram().fit_transform(X), Spectrogram(n_jobs=2).fit_transform(X)
    )


def test_clone_and_pickle_round_trip():
    X = np.random.default_rng(13).normal(size=(3, 2000))
    spectrogram = Spectrogram(window=np.hanning(128), window_length=128, contrast="row").fit(X)
    restored = pickle.loads(pickle.dumps(spectrogram))
    np.testing.assert_array_equal(restored.transform(X), spectrogram.transform(X))
    np.testing.assert_array_equal(restored.frequencies_, spectrogram.frequencies_)
    cloned = clone(spectrogram)
    assert not hasattr(cloned, "frequencies_")
    np.testing.assert_array_equal(cloned.fit_transform(X), spectrogram.transform(X))


def test_cross_val_score_in_a_pipeline():
    rng = np.random.default_rng(14)
    n = 40
    y = np.arange(n) % 2
    X = rng.normal(size=(n, 2000))
    t = np.arange(1000) / FS
    X[y == 1, 500:1500] += scipy.signal.chirp(t, f0=80.0, t1=0.5, f1=200.0)  # an up-sweep
    pipeline = make_pipeline(
        Spectrogram(flatten=True, contrast="row"), LogisticRegression(max_iter=500)
    )
    scores = cross_val_score(pipeline, X, y, cv=2)
    assert scores.shape == (2,)
    assert scores.mean() > 0.9


def test_error_on_clips_shorter_than_the_window():
    with pytest.raises(ValueError, match=r"window_length=256.*100 feature\(s\)"):
        Spectrogram().fit(np.zeros((2, 100)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_error_on_non_finite_input(bad):
    X = np.zeros((2, 600))
    X[1, 5] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        Spectrogram().fit(X)
    spectrogram = Spectrogram().fit(np.zeros((2, 600)))
    with pytest.raises(ValueError, match="NaN|infinity"):
        spectrogram.transform(X)


def test_error_on_1d_and_3d_input():
    with pytest.raises(ValueError, match="2D array"):
        Spectrogram().fit(np.zeros(4000))
    with pytest.raises(ValueError, match="dim 3"):
        Spectrogram().fit(np.zeros((2, 3, 4000)))


def test_error_on_a_different_clip_length_in_transform():
    spectrogram = Spectrogram().fit(np.zeros((2, 4000)))
    with pytest.raises(ValueError, match="3999 features.*expecting 4000"):
        spectrogram.transform(np.zeros((2, 3999)))


def test_error_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        Spectrogram().transform(np.zeros((2, 4000)))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"fmin": 300.0, "fmax": 100.0}, "fmin=300.0 must not exceed fmax=100.0"),
        ({"fmin": 50.0, "fmax": 52.0}, "holds no frequency bin.*7.8125 Hz apart"),
        ({"fmin": 1500.0, "fmax": None}, "holds no frequency bin"),
        ({"window": "no-such-window"}, "window='no-such-window'"),
        ({"window": np.ones(100)}, r"window_length=256 finite values, got shape \(100,\)"),
        ({"window": np.full(256, np.nan)}, "finite values"),
        ({"n_fft": 128}, "n_fft=128 must be at least window_length=256"),
    ],
)
def test_parameter_errors_name_the_parameter(params, match):
    with pytest.raises(ValueError, match=match):
        Spectrogram(**params).fit(np.zeros((2, 4000)))


@pytest.mark.parametrize(
    "params",
    [
        {"scaling": "dB"},
        {"contrast": "rows"},
        {"window_length": 0},
        {"hop_length": 1.5},
        {"sample_rate": -1},
        {"floor": 0.0},
        {"fmin": -5.0},
    ],
)
def test_invalid_parameter_values(params):
    with pytest.raises(InvalidParameterError):
        Spectrogram(**params).fit(np.zeros((2, 4000)))


@pytest.mark.realdata
def test_real_clips_equal_scipy(narw_dir):
    soundfile = pytest.importorskip("soundfile")
    paths = sorted((narw_dir / "train").glob("*.aiff"))[:4]
    X = np.stack([soundfile.read(path, dtype="float32")[0] for path in paths])
    spectrogram = Spectrogram(scaling="power")
    S = spectrogram.fit_transform(X)
    frequencies, _, expected = _scipy_power(X, "hann", 256, 32)
    keep = (frequencies >= 40) & (frequencies <= 400)
    _float32_close(S, expected[:, keep])
    # the documented floor lies below every real in-band value
    assert S.min() > 1e-20


@settings(max_examples=25, deadline=None)
@given(
    amplitude=st.floats(1e-3, 1e3),
    seed=st.integers(0, 2**32 - 1),
)
def test_power_scales_with_amplitude_squared(amplitude, seed):
    x = np.random.default_rng(seed).normal(size=(1, 700))
    spectrogram = Spectrogram(window_length=128, hop_length=48, fmin=None, scaling="power")
    base = spectrogram.fit_transform(x).astype(np.float64)
    scaled = spectrogram.transform(amplitude * x)
    _float32_close(scaled, amplitude**2 * base, rtol=3e-5)


@settings(max_examples=25, deadline=None)
@given(
    k=st.integers(8, 48),
    shift=st.integers(-5, 5),
    phase=st.floats(0, 2 * np.pi),
)
def test_shifting_a_tone_moves_its_peak(k, shift, phase):
    spectrogram = Spectrogram(fmin=None, fmax=None, scaling="power")
    X = np.stack([_tone(k * FS / 256, phase=phase), _tone((k + shift) * FS / 256, phase=phase)])
    S = spectrogram.fit_transform(X)
    peaks = S.mean(axis=2).argmax(axis=1)
    assert peaks[0] == k
    assert peaks[1] - peaks[0] == shift


@settings(max_examples=20, deadline=None)
@given(data=st.data(), window_length=st.integers(1, 64), extra=st.integers(0, 100))
def test_any_framing_equals_scipy(data, window_length, extra):
    hop_length = data.draw(st.integers(1, window_length), label="hop_length")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    n_samples = window_length + extra
    X = np.random.default_rng(seed).normal(size=(2, n_samples))
    S = Spectrogram(
        window_length=window_length,
        hop_length=hop_length,
        fmin=None,
        fmax=None,
        scaling="power",
    ).fit_transform(X)
    assert S.shape[2] == 1 + (n_samples - window_length) // hop_length
    _, _, expected = _scipy_power(X, "hann", window_length, hop_length)
    _float32_close(S, expected)


# --------------------------------------------------------------------------------------
# Extreme values and parameter changes (each of these once gave a wrong result silently)


@pytest.mark.parametrize(
    ("amplitude", "floor"),
    [(1e20, 1e-20), (1e30, 1e-20), (1e200, 1e-20), (1e-25, 1e-80), (1e-100, 1e-300)],
)
def test_extreme_amplitudes_give_exact_finite_db_and_log(amplitude, floor):
    # squaring in float32 overflows above about 1e19 and underflows below about 1e-19
    X = np.random.default_rng(20).normal(size=(2, 2000))
    base = Spectrogram(floor=floor).fit_transform(X).astype(np.float64)
    scaled = Spectrogram(floor=floor).fit_transform(amplitude * X)
    assert np.all(np.isfinite(scaled))
    np.testing.assert_allclose(scaled, base + 20 * np.log10(amplitude), rtol=0, atol=2e-3)
    log = Spectrogram(scaling="log", floor=floor).fit_transform(amplitude * X)
    expected = np.log(10.0) * (base + 20 * np.log10(amplitude)) / 10  # floor negligible here
    np.testing.assert_allclose(log, expected, rtol=0, atol=5e-4)


@pytest.mark.parametrize("amplitude", [1e20, 1e150, 1e-30])
def test_extreme_amplitudes_keep_contrast_finite(amplitude):
    X = np.random.default_rng(21).normal(size=(2, 2000))
    for scaling in ("power", "magnitude", "db"):
        spectrogram = Spectrogram(scaling=scaling, contrast="both", floor=1e-300)
        expected = spectrogram.fit_transform(X)
        scaled = spectrogram.transform(amplitude * X)
        assert np.all(np.isfinite(scaled))
        np.testing.assert_allclose(scaled, expected, atol=2e-4)


def test_large_power_and_magnitude_equal_the_scaled_values():
    X = np.random.default_rng(22).normal(size=(2, 2000))
    power = Spectrogram(scaling="power").fit_transform(X).astype(np.float64)
    _float32_close(Spectrogram(scaling="power").fit_transform(1e18 * X), 1e36 * power)
    magnitude = Spectrogram(scaling="magnitude").fit_transform(1e30 * X)
    _float32_close(magnitude, 1e30 * np.sqrt(power))
    _float32_close(Spectrogram(scaling="power").fit_transform(1e-30 * X), 1e-60 * power)


@pytest.mark.parametrize("scaling", ["power", "magnitude"])
def test_power_beyond_float32_names_the_clip(scaling):
    X = np.random.default_rng(23).normal(size=(3, 2000))
    X[2] *= 1e25 if scaling == "power" else 1e300
    with pytest.raises(ValueError, match=r"Clip 2 \(row 2 of X\) has .* beyond the float32 range"):
        Spectrogram(scaling=scaling).fit_transform(X)
    # in dB the same clip is representable
    assert np.all(np.isfinite(Spectrogram().fit_transform(X)))


@pytest.mark.parametrize(
    ("floor", "db", "log"),
    [(1e-50, -500.0, -115.12925), (1e-300, -3000.0, -690.7755), (1e50, 500.0, 115.12925)],
)
def test_floor_outside_float32_is_honoured(floor, db, log):
    silence = np.zeros((2, 1000))
    np.testing.assert_allclose(Spectrogram(floor=floor).fit_transform(silence), db, rtol=1e-6)
    np.testing.assert_allclose(
        Spectrogram(floor=floor, scaling="log").fit_transform(silence), log, rtol=1e-6
    )
    # a loud clip under a huge floor sits at the floor too
    if floor > 1:
        X = np.random.default_rng(24).normal(size=(2, 1000))
        np.testing.assert_allclose(Spectrogram(floor=floor).fit_transform(X), db, rtol=1e-6)


def test_all_zero_window_is_refused():
    with pytest.raises(ValueError, match=r"window=<array of shape \(256,\)> is all zeros"):
        Spectrogram(window=np.zeros(256)).fit(np.ones((2, 1000)))
    spectrogram = Spectrogram().fit(np.ones((2, 1000)))
    spectrogram.set_params(window=np.zeros(256))
    with pytest.raises(ValueError, match="is all zeros"):
        spectrogram.transform(np.ones((2, 1000)))


@pytest.mark.parametrize(
    "change",
    [
        {"hop_length": 64},
        {"window_length": 128},
        {"n_fft": 512},
        {"center": True},
        {"fmin": 50.0},
        {"fmax": 300.0},
        {"sample_rate": 4000},
        {"n_mels": 32},
    ],
)
def test_changing_a_fitted_parameter_asks_for_a_new_fit(change):
    X = np.random.default_rng(25).normal(size=(2, 4000))
    spectrogram = Spectrogram().fit(X)
    spectrogram.set_params(**change)
    (name,) = change
    with pytest.raises(
        ValueError, match=rf"changed since fit: {name} \(fitted with .*call fit again"
    ):
        spectrogram.transform(X)
    refitted = spectrogram.fit(X).transform(X)  # a new fit takes the new value
    np.testing.assert_array_equal(refitted, clone(spectrogram).fit_transform(X))


def test_changing_mel_parameters_asks_for_a_new_fit():
    X = np.random.default_rng(26).normal(size=(2, 4000))
    spectrogram = Spectrogram(n_mels=16).fit(X)
    for change in ({"mel_scale": "htk"}, {"mel_norm": None}, {"n_mels": None}):
        with pytest.raises(ValueError, match=f"changed since fit: {next(iter(change))}"):
            clone(spectrogram).fit(X).set_params(**change).transform(X)


@pytest.mark.parametrize(
    "change",
    [
        {"scaling": "power"},
        {"floor": 1e-5},
        {"contrast": "row"},
        {"window": "hamming"},
        {"normalization": "raw"},
        {"ref": "max", "top_db": 30.0},
        {"flatten": True},
        {"n_jobs": 2},
        {"pad_mode": "reflect", "center": True},
    ],
)
def test_other_parameters_take_effect_at_the_next_transform(change):
    X = np.random.default_rng(27).normal(size=(2, 4000))
    base = {"center": True} if "pad_mode" in change else {}
    spectrogram = Spectrogram(**base).fit(X)
    spectrogram.set_params(**change)
    expected = Spectrogram(**{**base, **change}).fit_transform(X)
    np.testing.assert_array_equal(spectrogram.transform(X), expected)


@pytest.mark.parametrize(
    "change",
    [
        {"scaling": "decibel"},
        {"contrast": "rows"},
        {"floor": -1.0},
        {"n_jobs": 0},
        {"ref": "mean"},
    ],
)
def test_parameters_are_validated_again_in_transform(change):
    X = np.zeros((2, 1000))
    spectrogram = Spectrogram().fit(X).set_params(**change)
    with pytest.raises(InvalidParameterError, match=next(iter(change))):
        spectrogram.transform(X)


def test_n_jobs_zero_is_refused_and_negative_counts_from_the_cpus():
    X = np.random.default_rng(28).normal(size=(4, 1000))
    with pytest.raises(InvalidParameterError, match="'n_jobs' parameter"):
        Spectrogram(n_jobs=0).fit(X)
    expected = Spectrogram().fit_transform(X)
    for n_jobs in (-1, -2, -1000):  # -1000: more than the processors, so one thread
        np.testing.assert_array_equal(Spectrogram(n_jobs=n_jobs).fit_transform(X), expected)


# ------------------------------------------------------------------ median contrast, dtype


def _tone_clips(n=3, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(4000) / 2000
    return rng.normal(size=(n, 4000)) * 0.1 + np.sin(2 * np.pi * 120 * t)


@pytest.mark.parametrize("scaling", ["power", "magnitude", "db", "log"])
def test_median_contrast_is_each_row_relative_to_its_median(scaling):
    X = _tone_clips()
    plain = Spectrogram(scaling=scaling).fit_transform(X).astype(np.float64)
    median = np.median(plain, axis=2, keepdims=True)
    got = Spectrogram(scaling=scaling, contrast="median").fit_transform(X)
    expected = plain / median if scaling in ("power", "magnitude") else plain - median
    np.testing.assert_allclose(got, expected, rtol=2e-5, atol=2e-5)
    if scaling in ("power", "magnitude"):
        np.testing.assert_allclose(np.median(got, axis=2), 1.0, rtol=1e-5)
        assert (got >= 0).all()


def test_median_contrast_leaves_empty_mel_rows_as_they_are():
    X = _tone_clips()
    S = Spectrogram(
        n_mels=64,
        fmin=50,
        fmax=300,
        mel_scale="htk",
        center=True,
        normalization="raw",
        scaling="power",
        contrast="median",
    ).fit_transform(X)
    empty = np.flatnonzero(~S.any(axis=(0, 2)))
    assert empty.size > 0 and np.isfinite(S).all()
    np.testing.assert_allclose(np.median(np.delete(S, empty, axis=1), axis=2), 1.0, rtol=1e-5)


@pytest.mark.parametrize("params", [{}, {"n_mels": 32, "center": True}, {"scaling": "power"}])
def test_float64_output_agrees_with_float32_and_scipy(params):
    X = _tone_clips()
    single = Spectrogram(**params).fit_transform(X)
    double = Spectrogram(dtype="float64", **params).fit_transform(X)
    assert single.dtype == np.float32 and double.dtype == np.float64
    scale = np.abs(double).max()
    np.testing.assert_allclose(single, double, atol=1e-5 * scale)
    if not params:
        from scipy.signal import spectrogram

        f, _, P = spectrogram(
            X, fs=2000, window="hann", nperseg=256, noverlap=224, detrend=False, scaling="density"
        )
        keep = (f >= 40) & (f <= 400)
        expected = 10 * np.log10(np.maximum(P[:, keep], 1e-20))
        np.testing.assert_allclose(double, expected, atol=1e-9)


def test_dtype_is_validated():
    with pytest.raises(ValueError, match="dtype"):
        Spectrogram(dtype="float16").fit(_tone_clips())
