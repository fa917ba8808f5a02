"""LocalContrast: the challenge winners' clipped, locally demeaned spectrograms."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import (
    check_get_feature_names_out_error,
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    parametrize_with_checks,
)

from whalefeat.contrast import LocalContrast


def moby2_reference(P, *, clip_sd=1.5, axis="frequency", window=64, exclusion=3, rectify=True):
    """moby2's slidingWindowV / slidingWindowH loops (numpy.convolve, mode="same").

    Without its band handling (statistics over rows 7:maxM, rows below 7 set to the mean,
    output cropped to maxM): those are the spectrogram's band crop here.
    """
    out = []
    for image in np.asarray(P, dtype=np.float64):
        Q = image.copy()
        if clip_sd is not None:
            mval, sval = np.mean(Q), np.std(Q)
            Q[Q > mval + clip_sd * sval] = mval + clip_sd * sval
            Q[Q < mval - clip_sd * sval] = mval - clip_sd * sval
        w_inner, w_outer = np.ones(exclusion), np.ones(window)
        ring = window - exclusion
        if axis == "frequency":
            for i in range(Q.shape[1]):
                Q[:, i] = (
                    Q[:, i]
                    - (
                        np.convolve(Q[:, i], w_outer, "same")
                        - np.convolve(Q[:, i], w_inner, "same")
                    )
                    / ring
                )
        else:
            for i in range(Q.shape[0]):
                Q[i, :] = (
                    Q[i, :]
                    - (
                        np.convolve(Q[i, :], w_outer, "same")
                        - np.convolve(Q[i, :], w_inner, "same")
                    )
                    / ring
                )
        if rectify:
            Q[Q < 0] = 0.0
        out.append(Q)
    return np.stack(out)


def cell_reference(P, *, clip_sd, axis, window, exclusion, rectify, padding="inside"):
    """Cell by cell: the ring's cells inside the spectrogram, averaged ("inside") or summed
    over window - exclusion with the cells outside counted as zeros ("zeros")."""
    out = np.array(P, dtype=np.float64)
    for c, image in enumerate(out):
        if clip_sd is not None:
            m, s = image.mean(), image.std()
            image = np.minimum(np.maximum(image, m - clip_sd * s), m + clip_sd * s)
        result = image.copy()
        lines = image.T if axis == "frequency" else image
        target = result.T if axis == "frequency" else result
        for j, line in enumerate(lines):
            n = len(line)
            for i in range(n):
                inner = range(i - exclusion // 2, i + (exclusion - 1) // 2 + 1)
                ring = [
                    line[k]
                    for k in range(i - window // 2, i + (window - 1) // 2 + 1)
                    if 0 <= k < n and k not in inner
                ]
                if padding == "zeros":
                    local = sum(ring) / (window - exclusion)
                else:
                    local = sum(ring) / len(ring) if ring else 0.0
                target[j, i] = line[i] - local
        if rectify:
            result = np.maximum(result, 0.0)
        out[c] = result
    return out


@parametrize_with_checks(
    [
        LocalContrast(window=2, exclusion=1),
        LocalContrast(axis="time", window=3, exclusion=1, padding="inside", rectify=False),
        LocalContrast(clip_sd=None, window=4, exclusion=2, flatten=True),
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
    estimator = LocalContrast(window=2, exclusion=1)
    check(type(estimator).__name__, estimator)


@pytest.mark.parametrize(
    ("axis", "window", "exclusion", "clip_sd", "rectify"),
    [
        ("frequency", 64, 3, 1.5, True),  # moby2's vertical enhancement
        ("time", 32, 3, 1.5, True),  # moby2's horizontal enhancement
        ("frequency", 7, 2, 0.5, False),
        ("time", 4, 3, None, False),
        ("time", 5, 1, 3.0, True),
    ],
)
def test_zero_padding_equals_moby2_loops(axis, window, exclusion, clip_sd, rectify):
    S = np.random.default_rng(0).gamma(2.0, size=(3, 70, 59))
    out = LocalContrast(
        axis=axis, window=window, exclusion=exclusion, clip_sd=clip_sd, rectify=rectify
    ).fit_transform(S)
    expected = moby2_reference(
        S, axis=axis, window=window, exclusion=exclusion, clip_sd=clip_sd, rectify=rectify
    )
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)


def test_default_windows_are_moby2s_per_axis():
    S = np.random.default_rng(1).random((2, 70, 40))
    np.testing.assert_allclose(
        LocalContrast().fit_transform(S),
        moby2_reference(S, axis="frequency", window=64),
        atol=1e-12,
    )
    np.testing.assert_allclose(
        LocalContrast(axis="time").fit_transform(S),
        moby2_reference(S, axis="time", window=32),
        atol=1e-12,
    )


@pytest.mark.parametrize("shape", [(2, 1, 1), (1, 2, 3), (3, 5, 4), (2, 9, 30)])
@pytest.mark.parametrize("axis", ["frequency", "time"])
@pytest.mark.parametrize(("window", "exclusion"), [(2, 1), (5, 3), (64, 3)])
@pytest.mark.parametrize("padding", ["zeros", "inside"])
def test_equals_cell_by_cell_reference(shape, axis, window, exclusion, padding):
    # tiny spectrograms and windows far longer than the axis included
    S = np.random.default_rng(2).normal(size=shape)
    for clip_sd, rectify in ((1.5, True), (None, False)):
        out = LocalContrast(
            axis=axis,
            window=window,
            exclusion=exclusion,
            clip_sd=clip_sd,
            padding=padding,
            rectify=rectify,
        ).fit_transform(S)
        expected = cell_reference(
            S,
            axis=axis,
            window=window,
            exclusion=exclusion,
            clip_sd=clip_sd,
            rectify=rectify,
            padding=padding,
        )
        np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-12)


def test_constant_spectrograms_and_rows():
    S = np.full((2, 6, 8), 4.0)
    # sd 0: clipping keeps the constant; interior cells have local mean 4
    inside = LocalContrast(window=3, exclusion=1, padding="inside").fit_transform(S)
    np.testing.assert_array_equal(inside, 0.0)
    zeros = LocalContrast(window=3, exclusion=1, rectify=False).fit_transform(S)
    np.testing.assert_allclose(zeros[:, 1:-1], 0.0)
    np.testing.assert_allclose(zeros[:, [0, -1]], 2.0)  # half the ring outside, counted 0
    # a constant row along time: nothing left of it once its own mean is removed
    S = np.random.default_rng(4).random((1, 6, 12))
    S[0, 2] = 0.5
    out = LocalContrast(
        axis="time", clip_sd=None, window=5, exclusion=1, padding="inside"
    ).fit_transform(S)
    np.testing.assert_allclose(out[0, 2], 0.0, atol=1e-15)


def test_a_call_stands_out_of_coloured_noise():
    rng = np.random.default_rng(5)
    S = rng.gamma(2.0, size=(1, 46, 59)) * np.linspace(5, 1, 46)[:, None]  # red noise
    rows = 10 + np.arange(20) // 2
    S[0, rows, 20 + np.arange(20)] += 30.0
    for axis in ("frequency", "time"):
        Q = LocalContrast(axis=axis).fit_transform(S)[0]
        on_call = Q[rows, 20 + np.arange(20)].mean()
        assert on_call > 5 * np.median(Q)


def test_float32_is_preserved_and_computed_in_float64():
    S = np.random.default_rng(6).random((2, 10, 12))
    out32 = LocalContrast(window=4, exclusion=1).fit_transform(S.astype(np.float32))
    out64 = LocalContrast(window=4, exclusion=1).fit_transform(
        S.astype(np.float32).astype(np.float64)
    )
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32, out64, rtol=1e-6, atol=1e-7)


def test_flatten_names_and_single_spectra():
    S = np.random.default_rng(7).random((3, 4, 5))
    flat = LocalContrast(window=3, exclusion=1, flatten=True).fit(S)
    out = flat.transform(S)
    assert out.shape == (3, 20)
    np.testing.assert_array_equal(
        out, LocalContrast(window=3, exclusion=1).fit_transform(S).reshape(3, -1)
    )
    assert flat.get_feature_names_out()[:6].tolist() == [
        "b0_t0",
        "b0_t1",
        "b0_t2",
        "b0_t3",
        "b0_t4",
        "b1_t0",
    ]
    spectra = LocalContrast(window=3, exclusion=1).fit(S[:, :, 0])
    np.testing.assert_array_equal(
        spectra.transform(S[:, :, 0]),
        LocalContrast(window=3, exclusion=1).fit_transform(S[:, :, :1])[:, :, 0],
    )
    assert spectra.get_feature_names_out().tolist() == ["x0", "x1", "x2", "x3"]


def test_errors_name_the_problem():
    S = np.random.default_rng(8).random((2, 6, 8))
    with pytest.raises(ValueError, match="window=3 .* must exceed exclusion=3"):
        LocalContrast(window=3, exclusion=3).fit(S)
    with pytest.raises(ValueError, match="window=32 .*the default.* exclusion=40"):
        LocalContrast(axis="time", exclusion=40).fit(S)
    with pytest.raises(InvalidParameterError):
        LocalContrast(axis="both").fit(S)
    fitted = LocalContrast(window=3, exclusion=1).fit(S)
    with pytest.raises(ValueError, match="fitted on 3-D input with 6 bins and 8 frame"):
        fitted.transform(S[:, :, :5])
    with pytest.raises(ValueError, match="shape"):
        fitted.transform(S[..., np.newaxis])
    fitted.set_output(transform="pandas")
    pytest.importorskip("pandas")
    with pytest.raises(ValueError, match="flatten=True"):
        fitted.transform(S)
    with pytest.raises(ValueError, match="must exceed exclusion"):
        fitted.set_params(exclusion=5).transform(S)


def test_clone_and_pickle():
    S = np.random.default_rng(9).random((2, 6, 8))
    fitted = LocalContrast(window=4, exclusion=1).fit(S)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.transform(S), fitted.transform(S))
    assert clone(fitted).get_params() == fitted.get_params()


spectrograms = arrays(
    np.float64,
    st.tuples(st.integers(1, 3), st.integers(1, 9), st.integers(1, 9)),
    elements=st.floats(0, 1e3, allow_subnormal=False),
)


@settings(max_examples=60, deadline=None)
@given(
    S=spectrograms,
    axis=st.sampled_from(["frequency", "time"]),
    window=st.integers(2, 12),
    scale=st.floats(1e-3, 1e3),
    offset=st.floats(-100, 100),
)
def test_properties(S, axis, window, scale, offset):
    contrast = LocalContrast(axis=axis, window=window, exclusion=1)
    out = contrast.fit_transform(S)
    assert out.shape == S.shape and np.all(out >= 0) and np.all(np.isfinite(out))
    # equivariant to the scale of the spectrogram
    tol = 1e-9 * (1 + np.max(np.abs(S))) * scale
    np.testing.assert_allclose(contrast.fit_transform(scale * S), scale * out, atol=tol)
    # with "inside" padding, blind to an offset of the whole spectrogram wherever each
    # cell's ring holds a cell inside it (window >= 3 takes both neighbours)
    inside = LocalContrast(
        axis=axis, window=max(window, 3), exclusion=1, padding="inside", rectify=False
    )
    n_axis = S.shape[1] if axis == "frequency" else S.shape[2]
    if n_axis > 1:
        np.testing.assert_allclose(
            inside.fit_transform(S + offset),
            inside.fit_transform(S),
            atol=1e-9 * (1 + np.max(np.abs(S)) + abs(offset)),
        )
    # clipping bounds the output: no value above (1 + clip_sd) * sd + |local mean| span
    m, s = S.mean(axis=(1, 2)), S.std(axis=(1, 2))
    upper = (m + 1.5 * s)[:, None, None]
    assert np.all(out <= upper + 1e-9 * (1 + np.max(S)))
