"""Mel spectrograms, centred frames and dB references of whalefeat.Spectrogram.

librosa is the reference (a test-only dependency); the filterbank is also checked
against an independent closed-form construction.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.optimize
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils._param_validation import InvalidParameterError

from whalefeat._mel import hz_to_mel, mel_filterbank, mel_frequencies, mel_to_hz
from whalefeat.spectrogram import Spectrogram

librosa = pytest.importorskip("librosa")

FS = 2000
RECIPE = {"n_mels": 64, "fmin": 50, "fmax": 300}


def _librosa_mel(X, **kwargs):
    kwargs.setdefault("sr", FS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty filters, n_fft larger than a short clip
        return librosa.feature.melspectrogram(
            y=np.asarray(X, np.float64), dtype=np.float64, **kwargs
        )


def _close_per_clip(actual, expected, rtol=1e-5):
    """Equal to float32 precision: error within ``rtol`` of each clip's largest value."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    assert actual.shape == expected.shape
    scale = np.max(np.abs(expected), axis=tuple(range(1, expected.ndim)), keepdims=True)
    error = np.abs(actual - expected) / scale
    assert error.max() < rtol, error.max()


# --------------------------------------------------------------------------------------
# The mel scales and the filterbank


def _closed_form_mel(f, scale):
    f = np.asarray(f, dtype=np.float64)
    if scale == "htk":
        return 2595.0 * np.log10(1.0 + f / 700.0)
    # Slaney: 3 mel per 200 Hz up to 1 kHz (15 mel), then 27 mel per factor 6.4
    return np.piecewise(
        f,
        [f < 1000.0],
        [lambda g: 3.0 * g / 200.0, lambda g: 15.0 + 27.0 * np.log(g / 1000.0) / np.log(6.4)],
    )


def _closed_form_filters(sample_rate, n_fft, n_mels, fmin, fmax, scale, norm):
    """Triangles by linear interpolation through (lower, 0), (centre, 1), (upper, 0)."""
    lo, hi = _closed_form_mel([fmin, fmax], scale)
    mels = lo + (hi - lo) * np.arange(n_mels + 2) / (n_mels + 1)
    # the edges in Hz: the scale inverted numerically (root of mel(f) = m)
    edges = np.array(
        [
            scipy.optimize.brentq(
                lambda f, m=m: _closed_form_mel(f, scale) - m, 0.0, 1e6, xtol=1e-12
            )
            if m > 0
            else 0.0
            for m in mels
        ]
    )
    bins = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    filters = np.zeros((n_mels, len(bins)))
    for m in range(n_mels):
        lower, centre, upper = edges[m : m + 3]
        filters[m] = np.interp(bins, [lower, centre, upper], [0.0, 1.0, 0.0], left=0.0, right=0.0)
        if norm == "slaney":
            filters[m] /= (upper - lower) / 2
    return filters, edges[1:-1]


@pytest.mark.parametrize("scale", ["htk", "slaney"])
def test_mel_scale_known_values(scale):
    if scale == "htk":
        assert hz_to_mel(700.0, scale) == pytest.approx(2595.0 * np.log10(2.0), rel=1e-15)
        assert hz_to_mel(1000.0, scale) == pytest.approx(1000.0, abs=0.02)  # by design
    else:
        np.testing.assert_allclose(
            hz_to_mel([0.0, 200.0, 1000.0, 6400.0]), [0, 3, 15, 42], rtol=1e-14
        )
    assert hz_to_mel(0.0, scale) == 0.0


@settings(max_examples=50, deadline=None)
@given(f=st.floats(0.0, 50_000.0), scale=st.sampled_from(["htk", "slaney"]))
def test_mel_scale_inverts_and_matches_closed_form(f, scale):
    m = hz_to_mel(f, scale)
    np.testing.assert_allclose(m, _closed_form_mel(f, scale), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mel_to_hz(m, scale), f, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(m, librosa.hz_to_mel(f, htk=scale == "htk"), rtol=1e-12, atol=1e-12)


def test_slaney_scale_is_continuous_at_1khz():
    below, above = hz_to_mel([1000.0 - 1e-9, 1000.0 + 1e-9])
    assert abs(above - below) < 1e-9


@pytest.mark.parametrize("scale", ["htk", "slaney"])
@pytest.mark.parametrize("norm", ["slaney", None])
@pytest.mark.parametrize(
    ("sample_rate", "n_fft", "n_mels", "fmin", "fmax"),
    [
        (2000, 256, 64, 50.0, 300.0),
        (2000, 512, 20, 0.0, 1000.0),
        (22050, 2048, 128, 30.0, 8000.0),
        (8000, 255, 40, 100.0, 3900.0),
        (2000, 64, 10, 0.0, 1500.0),
    ],
)
def test_filterbank_equals_closed_form_and_librosa(
    sample_rate, n_fft, n_mels, fmin, fmax, scale, norm
):
    filters, centres = mel_filterbank(sample_rate, n_fft, n_mels, fmin, fmax, scale, norm)
    expected, expected_centres = _closed_form_filters(
        sample_rate, n_fft, n_mels, fmin, fmax, scale, norm
    )
    assert filters.shape == (n_mels, n_fft // 2 + 1)
    np.testing.assert_allclose(centres, expected_centres, rtol=1e-10)
    np.testing.assert_allclose(filters, expected, rtol=1e-8, atol=1e-10 * expected.max())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = librosa.filters.mel(
            sr=sample_rate,
            n_fft=n_fft,
            n_mels=n_mels,
            fmin=fmin,
            fmax=fmax,
            htk=scale == "htk",
            norm=norm,
            dtype=np.float64,
        )
    np.testing.assert_allclose(filters, reference, rtol=1e-10, atol=1e-12 * reference.max())
    np.testing.assert_allclose(
        centres,
        librosa.mel_frequencies(n_mels + 2, fmin=fmin, fmax=fmax, htk=scale == "htk")[1:-1],
    )


@settings(max_examples=30, deadline=None)
@given(
    fmin=st.floats(0.0, 400.0),
    width=st.floats(50.0, 600.0),
    n_mels=st.integers(1, 12),
    scale=st.sampled_from(["htk", "slaney"]),
)
def test_slaney_normalised_filters_have_unit_area(fmin, width, n_mels, scale):
    # sampled finely enough, the trapezoidal area of every triangle is 1
    fmax = fmin + width
    n_fft = 1 << 17
    filters, _ = mel_filterbank(FS, n_fft, n_mels, fmin, fmax, scale, "slaney")
    area = filters.sum(axis=1) * FS / n_fft
    np.testing.assert_allclose(area, 1.0, rtol=2e-2)
    peaks, _ = mel_filterbank(FS, n_fft, n_mels, fmin, fmax, scale, None)
    np.testing.assert_allclose(peaks.max(axis=1), 1.0, atol=5e-3)  # a bin near every centre


def test_mel_frequencies_are_even_on_the_mel_scale():
    f = mel_frequencies(10, 20.0, 5000.0, "slaney")
    np.testing.assert_allclose(np.diff(hz_to_mel(f)), np.diff(hz_to_mel(f))[0], rtol=1e-10)
    assert f[0] == pytest.approx(20.0) and f[-1] == pytest.approx(5000.0)


def test_filterbank_errors():
    with pytest.raises(ValueError, match="must be below fmax"):
        mel_filterbank(FS, 256, 8, 300.0, 300.0)
    with pytest.raises(ValueError, match="mel scale"):
        mel_filterbank(FS, 256, 8, 0.0, 300.0, scale="mel")
    with pytest.raises(ValueError, match="norm"):
        mel_filterbank(FS, 256, 8, 0.0, 300.0, norm="l2")


# --------------------------------------------------------------------------------------
# Spectrogram against librosa


def _mel_params(scale="htk", norm="slaney", center=True, pad_mode="constant", **kwargs):
    params = {
        **RECIPE,
        "mel_scale": scale,
        "mel_norm": norm,
        "center": center,
        "pad_mode": pad_mode,
        "normalization": "raw",
        "scaling": "power",
    }
    params.update(kwargs)
    return params


def _librosa_kwargs(params):
    return {
        "n_fft": params.get("n_fft") or params.get("window_length", 256),
        "win_length": params.get("window_length", 256),
        "hop_length": params.get("hop_length", 32),
        "n_mels": params["n_mels"],
        "fmin": params["fmin"],
        "fmax": params["fmax"],
        "htk": params["mel_scale"] == "htk",
        "norm": params["mel_norm"],
        "center": params["center"],
        "pad_mode": params["pad_mode"],
        "window": params.get("window", "hann"),
    }


@pytest.mark.parametrize("scale", ["htk", "slaney"])
@pytest.mark.parametrize("norm", ["slaney", None])
@pytest.mark.parametrize(
    ("center", "pad_mode"), [(True, "constant"), (True, "reflect"), (False, "constant")]
)
def test_mel_power_equals_librosa(scale, norm, center, pad_mode):
    X = np.random.default_rng(0).normal(size=(3, 4000))
    params = _mel_params(scale, norm, center, pad_mode)
    spectrogram = Spectrogram(**params)
    S = spectrogram.fit_transform(X)
    expected = _librosa_mel(X, **_librosa_kwargs(params))
    assert S.dtype == np.float32
    assert S.shape == expected.shape == (3, 64, 126 if center else 118)
    _close_per_clip(S, expected)
    np.testing.assert_allclose(
        spectrogram.frequencies_,
        librosa.mel_frequencies(66, fmin=50, fmax=300, htk=scale == "htk")[1:-1],
    )
    if center:
        np.testing.assert_allclose(
            spectrogram.times_, librosa.times_like(expected[0], sr=FS, hop_length=32)
        )


_FRAMINGS = [
    # window_length, n_fft, hop_length, n_samples, n_mels, fmin, fmax, window
    (256, None, 64, 3999, 40, 0.0, None, "hann"),
    (128, 256, 16, 2000, 32, 20.0, 900.0, "hann"),  # window shorter than the FFT
    (255, 257, 17, 1001, 24, 40.0, 700.0, "hamming"),  # odd lengths of the same parity
    # hop = window; 1030 samples, not 1000: librosa reflects its last frame's padding off
    # a slice of the clip, which repeats the reflection when the slice is too short
    (100, 100, 100, 1030, 16, 0.0, 1000.0, ("kaiser", 8.0)),
    (64, None, 7, 517, 12, 100.0, 400.0, "blackman"),
]


@pytest.mark.parametrize(
    (
        "window_length",
        "n_fft",
        "hop_length",
        "n_samples",
        "n_mels",
        "fmin",
        "fmax",
        "window",
        "center",
        "pad_mode",
    ),
    [
        (*framing, center, pad_mode)
        for framing in _FRAMINGS
        for center, pad_mode in [(True, "constant"), (True, "reflect"), (False, "constant")]
        # uncentred, librosa's frames are n_fft long and whalefeat's window_length
        if center or framing[1] in (None, framing[0])
    ],
)
def test_other_framings_equal_librosa(
    window_length, n_fft, hop_length, n_samples, n_mels, fmin, fmax, window, center, pad_mode
):
    X = np.random.default_rng(1).normal(size=(2, n_samples))
    params = _mel_params(
        "slaney",
        "slaney",
        center,
        pad_mode,
        window_length=window_length,
        n_fft=n_fft,
        hop_length=hop_length,
        n_mels=n_mels,
        fmin=fmin,
        fmax=fmax,
        window=window,
    )
    S = Spectrogram(**params).fit_transform(X)
    kwargs = _librosa_kwargs(params)
    kwargs["fmax"] = FS / 2 if fmax is None else fmax
    _close_per_clip(S, _librosa_mel(X, **kwargs))


@pytest.mark.parametrize(
    ("ref", "librosa_ref"),
    [(1.0, 1.0), ("min", np.min), ("max", np.max), (0.37, 0.37), (1e-6, 1e-6)],
)
@pytest.mark.parametrize("top_db", [None, 80.0, 20.0])
@pytest.mark.parametrize("floor", [1e-10, 1e-20])
def test_db_equals_librosa_power_to_db(ref, librosa_ref, top_db, floor):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3, 4000)) * np.array([[1.0], [1e-3], [30.0]])  # levels differ per clip
    X[2, 1000:1400] = 0.0
    params = _mel_params(scaling="db", ref=ref, top_db=top_db, floor=floor)
    S = Spectrogram(**params).fit_transform(X)
    M = _librosa_mel(X, **_librosa_kwargs(params))
    # per clip: librosa's ref=np.max and top_db apply to the array it is given
    expected = np.stack(
        [librosa.power_to_db(m, ref=librosa_ref, amin=floor, top_db=top_db) for m in M]
    )
    np.testing.assert_allclose(S, expected, rtol=0, atol=1e-3)
    if top_db is not None:
        spread = S.max(axis=(1, 2)) - S.min(axis=(1, 2))
        assert np.all(spread <= top_db + 1e-4)
    if ref == "max":
        np.testing.assert_allclose(S.max(axis=(1, 2)), 0.0, atol=1e-6)


def test_the_study_recipe():
    X = np.random.default_rng(3).normal(size=(4, 4000))
    X -= X.mean(axis=1, keepdims=True)
    spectrogram = Spectrogram(
        n_mels=64,
        fmin=50,
        fmax=300,
        mel_scale="htk",
        center=True,
        normalization="raw",
        ref="min",
        top_db=80,
        floor=1e-10,
    )
    S = spectrogram.fit_transform(X)
    assert S.shape == (4, 64, 126)
    M = _librosa_mel(X, n_fft=256, hop_length=32, n_mels=64, fmin=50, fmax=300, htk=True)
    np.testing.assert_allclose(
        S, np.stack([librosa.power_to_db(m, ref=np.min) for m in M]), atol=1e-3
    )
    # the empty filters are kept: their rows sit at the floor, raised to 80 dB below the top
    empty = np.flatnonzero(spectrogram.mel_filters_.max(axis=1) == 0)
    assert empty.tolist() == [4, 13, 32]
    lowest = np.broadcast_to((S.max(axis=(1, 2)) - 80)[:, None, None], S[:, empty].shape)
    np.testing.assert_allclose(S[:, empty], lowest, atol=1e-4)
    assert np.all(S >= 0.0)
    names = spectrogram.get_feature_names_out()
    assert len(names) == 64 * 126
    assert (
        names[0] == f"f={np.format_float_positional(spectrogram.frequencies_[0], trim='-')}Hz,t=0s"
    )
    assert names[1].endswith(",t=0.016s")


def test_linear_bins_with_center_equal_librosa_stft():
    X = np.random.default_rng(4).normal(size=(2, 1500))
    for pad_mode in ("constant", "reflect"):
        spectrogram = Spectrogram(
            center=True, pad_mode=pad_mode, normalization="raw", scaling="power"
        )
        S = spectrogram.fit_transform(X)
        stft = librosa.stft(X, n_fft=256, hop_length=32, center=True, pad_mode=pad_mode)
        keep = (librosa.fft_frequencies(sr=FS, n_fft=256) >= 40) & (
            librosa.fft_frequencies(sr=FS, n_fft=256) <= 400
        )
        _close_per_clip(S, np.abs(stft[:, keep]) ** 2)
        np.testing.assert_allclose(spectrogram.times_, np.arange(S.shape[2]) * 32 / FS)


@pytest.mark.parametrize(
    ("window_length", "hop_length", "n_samples"), [(256, 32, 4000), (255, 17, 1001), (64, 64, 640)]
)
def test_density_with_center_equals_short_time_fft(window_length, hop_length, n_samples):
    # ShortTimeFFT centres slice p on sample p * hop and pads with zeros: center=True
    X = np.random.default_rng(5).normal(size=(2, n_samples))
    spectrogram = Spectrogram(
        window_length=window_length,
        hop_length=hop_length,
        fmin=None,
        fmax=None,
        center=True,
        scaling="power",
    )
    S = spectrogram.fit_transform(X)
    stft = scipy.signal.ShortTimeFFT(
        scipy.signal.get_window("hann", window_length),
        hop_length,
        FS,
        fft_mode="onesided2X",
        scale_to="psd",
    )
    expected = stft.spectrogram(X, p0=0, p1=S.shape[2], axis=-1)
    _close_per_clip(S, expected)
    assert S.shape[2] == 1 + (n_samples - window_length % 2) // hop_length
    # the window's centre (window_length / 2, between two samples for an odd length)
    np.testing.assert_allclose(
        spectrogram.times_, (np.arange(S.shape[2]) * hop_length + window_length % 2 / 2) / FS
    )


def test_mel_of_density_is_the_filterbank_of_the_band_power():
    X = np.random.default_rng(6).normal(size=(3, 4000))
    mel = Spectrogram(n_mels=30, fmin=40, fmax=400, scaling="power").fit(X)
    bins = Spectrogram(fmin=None, fmax=None, scaling="power").fit_transform(X).astype(np.float64)
    expected = np.einsum("mf,cft->cmt", mel.mel_filters_, bins)
    _close_per_clip(mel.transform(X), expected)


def test_mel_clips_are_independent_of_the_batch():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 4000)) * rng.uniform(1e-3, 1e3, size=(40, 1))  # more than a block
    spectrogram = Spectrogram(**_mel_params(scaling="db", ref="max", top_db=60.0))
    together = spectrogram.fit_transform(X)
    one_by_one = np.concatenate([spectrogram.transform(X[i : i + 1]) for i in range(len(X))])
    # equal to float32 rounding: the BLAS product may sum the last rows of a block apart
    np.testing.assert_allclose(together, one_by_one, rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(together.max(axis=(1, 2)), 0.0, atol=1e-6)


def test_n_jobs_gives_the_same_mel_result():
    X = np.random.default_rng(8).normal(size=(20, 4000))
    params = _mel_params(scaling="db")
    np.testing.assert_allclose(
        Spectrogram(**params).fit_transform(X),
        Spectrogram(**params, n_jobs=2).fit_transform(X),
        rtol=1e-6,
        atol=1e-4,
    )


def test_fmin_fmax_none_are_the_whole_spectrum_with_n_mels():
    X = np.random.default_rng(9).normal(size=(2, 2000))
    S = Spectrogram(
        n_mels=20, fmin=None, fmax=None, normalization="raw", scaling="power"
    ).fit_transform(X)
    _close_per_clip(S, _librosa_mel(X, n_fft=256, hop_length=32, n_mels=20, center=False))


def test_fmax_above_nyquist_gives_empty_filters():
    spectrogram = Spectrogram(n_mels=10, fmin=0, fmax=3000, scaling="power").fit(
        np.ones((1, 1000))
    )
    lower_edges = np.concatenate([[0.0], spectrogram.frequencies_[:-1]])
    beyond = lower_edges >= FS / 2
    assert beyond.sum() >= 3
    S = spectrogram.transform(np.random.default_rng(10).normal(size=(1, 1000)))
    assert np.all(S[0, beyond] == 0)
    assert np.all(S[0, ~beyond] > 0)


def test_center_with_clips_shorter_than_the_window():
    X = np.random.default_rng(11).normal(size=(2, 100))
    spectrogram = Spectrogram(
        center=True, normalization="raw", scaling="power", fmin=None, fmax=None
    )
    S = spectrogram.fit_transform(X)
    assert S.shape == (2, 129, 1 + 100 // 32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = np.abs(librosa.stft(X, n_fft=256, hop_length=32, pad_mode="constant")) ** 2
    _close_per_clip(S, expected)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_mels": 8, "fmin": 300.0, "fmax": 300.0}, "fmin=300.0 must be below fmax=300.0"),
        ({"n_mels": 8, "fmin": 400.0, "fmax": 100.0}, "must be below fmax"),
        ({"ref": "max", "scaling": "power"}, "ref='max' applies to scaling='db' only"),
        ({"ref": 2.0, "scaling": "log"}, "ref=2.0 applies to scaling='db' only"),
        ({"top_db": 80.0, "scaling": "magnitude"}, "top_db=80.0 applies to scaling='db' only"),
        ({"center": True, "pad_mode": "reflect"}, r"pad_mode='reflect'.*longer than 128 samples"),
    ],
)
def test_mel_and_db_parameter_errors(params, match):
    with pytest.raises(ValueError, match=match):
        Spectrogram(**params).fit(np.zeros((2, 100 if "pad_mode" in params else 4000)))


@pytest.mark.parametrize(
    "params",
    [
        {"n_mels": 0},
        {"n_mels": 2.5},
        {"mel_scale": "mel"},
        {"mel_norm": "l2"},
        {"pad_mode": "wrap"},
        {"center": "yes"},
        {"normalization": "psd"},
        {"ref": "mean"},
        {"ref": -1.0},
        {"ref": 0.0},
        {"top_db": 0.0},
        {"top_db": -80.0},
        {"ref": np.inf},
        {"floor": np.inf},
        {"fmax": np.inf},
        {"sample_rate": np.inf},
    ],
)
def test_invalid_mel_and_db_parameter_values(params):
    with pytest.raises(InvalidParameterError, match=next(iter(params))):
        Spectrogram(**params).fit(np.zeros((2, 4000)))


@pytest.mark.realdata
def test_real_clips_equal_librosa(narw_dir):
    soundfile = pytest.importorskip("soundfile")
    paths = sorted((narw_dir / "train").glob("*.aiff"))[:8]
    X = np.stack([soundfile.read(path)[0] for path in paths])
    X -= X.mean(axis=1, keepdims=True)
    params = _mel_params(scaling="power")
    spectrogram = Spectrogram(**params)
    M = _librosa_mel(X, **_librosa_kwargs(params))
    _close_per_clip(spectrogram.fit_transform(X), M)
    spectrogram.set_params(scaling="db", ref="min", top_db=80.0, floor=1e-10)
    S = spectrogram.transform(X).astype(np.float64)
    expected = np.stack([librosa.power_to_db(m, ref=np.min) for m in M])
    # float32 rounding of the spectra, set by the flow noise under 50 Hz, shows in the cells
    # far below each clip's maximum: about 1e-4 dB within 20 dB of it (1.3e-4 at most over
    # the first 200 clips), up to about 2e-3 dB at 80 dB below it
    near = expected > expected.max(axis=(1, 2), keepdims=True) - 20
    np.testing.assert_allclose(S[near], expected[near], rtol=0, atol=5e-4)
    np.testing.assert_allclose(S, expected, rtol=0, atol=5e-3)


@settings(max_examples=20, deadline=None)
@given(data=st.data(), window_length=st.integers(1, 64), extra=st.integers(0, 150))
def test_any_centred_framing_equals_short_time_fft(data, window_length, extra):
    hop_length = data.draw(st.integers(1, window_length), label="hop_length")
    n_samples = (window_length + 1) // 2 + extra  # ShortTimeFFT's shortest input
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    X = np.random.default_rng(seed).normal(size=(2, n_samples))
    S = Spectrogram(
        window_length=window_length,
        hop_length=hop_length,
        fmin=None,
        fmax=None,
        center=True,
        scaling="power",
    ).fit_transform(X)
    assert S.shape[2] == 1 + (n_samples - window_length % 2) // hop_length
    stft = scipy.signal.ShortTimeFFT(
        scipy.signal.get_window("hann", window_length),
        hop_length,
        FS,
        fft_mode="onesided2X",
        scale_to="psd",
    )
    _close_per_clip(S, stft.spectrogram(X, p0=0, p1=S.shape[2], axis=-1) + 1e-300)


@settings(max_examples=20, deadline=None)
@given(data=st.data(), window_length=st.integers(2, 64), extra=st.integers(0, 100))
def test_reflect_padding_equals_the_uncentred_transform_of_the_padded_clip(
    data, window_length, extra
):
    hop_length = data.draw(st.integers(1, window_length), label="hop_length")
    n_samples = window_length // 2 + 1 + extra
    X = np.random.default_rng(extra).normal(size=(2, n_samples))
    params = {
        "window_length": window_length,
        "hop_length": hop_length,
        "fmin": None,
        "fmax": None,
        "scaling": "power",
    }
    S = Spectrogram(center=True, pad_mode="reflect", **params).fit_transform(X)
    padded = np.pad(X, ((0, 0), (window_length // 2,) * 2), mode="reflect")
    expected = Spectrogram(**params).fit_transform(padded)
    np.testing.assert_array_equal(S, expected)


def test_a_filterbank_with_no_bin_gives_zeros():
    # one band from 1 to 5 Hz: no bin of 7.8 Hz spacing falls inside
    spectrogram = Spectrogram(n_mels=1, fmin=1.0, fmax=5.0, scaling="power")
    S = spectrogram.fit_transform(np.random.default_rng(12).normal(size=(2, 1000)))
    assert S.shape == (2, 1, 24)
    assert np.all(S == 0) and np.all(spectrogram.mel_filters_ == 0)
    db = spectrogram.set_params(scaling="db").transform(np.ones((2, 1000)))
    np.testing.assert_array_equal(db, -200.0)


# scikit-learn's finiteness check sums X first, which overflows here before it checks each value
@pytest.mark.filterwarnings("ignore:invalid value encountered in reduce:RuntimeWarning")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clips_at_the_ends_of_the_float_range(dtype):
    rng = np.random.default_rng(13)
    base = rng.uniform(-1, 1, size=(2, 1000))
    tiny = np.finfo(dtype).tiny
    X = np.stack([base[0] * np.finfo(dtype).max, base[1] * tiny * 2**-10]).astype(dtype)
    S = Spectrogram(n_mels=16, floor=1e-300).fit_transform(X)
    assert np.all(np.isfinite(S))
    reference = Spectrogram(n_mels=16, floor=1e-300).fit_transform(base).astype(np.float64)
    # the loud clip: the base level plus 20 log10 of the scale (exact up to float32 rounding
    # of the clip itself)
    np.testing.assert_allclose(S[0], reference[0] + 20 * np.log10(np.finfo(dtype).max), atol=2e-3)
    # the subnormal clip: in float32 its power is still above the floor (its loudest cells
    # near the base level minus 20 log10 of 1 / scale; few significant bits are left); in
    # float64 it lies below even 1e-300 and sits at the floor
    if dtype == np.float32:
        level = reference[1].max() + 20 * np.log10(tiny * 2**-10)
        assert np.all(S[1] > -3000.0)
        assert abs(S[1].max() - level) < 0.1
    else:
        np.testing.assert_array_equal(S[1], np.float32(-3000.0))
