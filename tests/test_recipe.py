"""StudySpectralSeries: the study's spectral recipe against an independent per-frame evaluation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial.distance import jensenshannon
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from whalefeat import StudySpectralSeries

librosa = pytest.importorskip("librosa")


def reference(M, amin=1e-10, top_db=80.0):
    """The recipe frame by frame with librosa.power_to_db and scipy's jensenshannon."""
    out = np.empty((M.shape[0], M.shape[2], 4))
    for i, clip in enumerate(M):
        db = librosa.power_to_db(clip, ref=np.min, amin=amin, top_db=top_db) ** 2
        for j in range(clip.shape[1]):
            p = db[:, j] / db[:, j].sum()
            p = p[p > 0]
            n = p.size
            if n == 1:
                out[i, j] = 0.0
                continue
            h = -(p * np.log2(p)).sum() / np.log2(n)
            u = np.full(n, 1.0 / n)
            q0 = -2.0 / ((n + 1) / n * np.log2(n + 1) - 2 * np.log2(2 * n) + np.log2(n))
            out[i, j] = (
                h,
                h * ((p - u) ** 2).sum(),
                h * jensenshannon(p, u) ** 2 * q0,
                h * np.abs(p - u).sum() ** 2 / 4,
            )
    return out


def mel_like(seed, shape=(3, 64, 20), empty_rows=(0, 5)):
    rng = np.random.default_rng(seed)
    M = rng.lognormal(-8, 3, size=shape)
    M[:, list(empty_rows)] = 0.0  # empty mel filters, as at 64 bands from 256-point frames
    return M


@pytest.mark.parametrize("top_db", [80.0, 20.0, None])
def test_equals_a_per_frame_reference(top_db):
    M = mel_like(0)
    got = StudySpectralSeries(top_db=top_db, layout="frames").fit_transform(M)
    np.testing.assert_allclose(got, reference(M, top_db=top_db), rtol=1e-12, atol=1e-15)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (2, 7, 4), elements=st.floats(0, 1e3, allow_subnormal=False)))
def test_equals_the_reference_on_arbitrary_powers(M):
    M[:, :, :] += np.arange(7)[None, :, None] * 1e-3  # each frame some spread above the minimum
    got = StudySpectralSeries(layout="frames").fit_transform(M)
    np.testing.assert_allclose(got, reference(M), rtol=1e-9, atol=1e-12)
    assert (got[..., 0] >= 0).all() and (got[..., 0] <= 1 + 1e-12).all()


def test_layouts_and_feature_names():
    M = mel_like(1)
    study = StudySpectralSeries().fit(M)
    frames = StudySpectralSeries(layout="frames").fit(M)
    np.testing.assert_array_equal(study.transform(M), frames.transform(M).transpose(0, 2, 1))
    assert study.transform(M).shape == (3, 4, 20)
    assert frames.get_feature_names_out().tolist() == ["H", "C_SQ", "C_JSD", "C_TV"]
    assert study.get_feature_names_out()[[0, -1]].tolist() == ["H_t0", "H_t19"]


def test_a_frame_with_one_band_above_the_minimum_has_zero_entropy():
    M = np.tile(np.logspace(-6, -3, 8)[:, None], (1, 1, 3))
    M[0, :, 1] = 1e-6
    M[0, 2, 1] = 1.0
    got = StudySpectralSeries(layout="frames").fit_transform(M)
    np.testing.assert_array_equal(got[0, 1], 0.0)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="clip 1 does not"):
        StudySpectralSeries().fit(np.concatenate([mel_like(0)[:1], -mel_like(0)[:1]]))
    with pytest.raises(ValueError, match=r"\(n_clips, n_mels, n_frames\)"):
        StudySpectralSeries().fit(np.ones((3, 4, 5, 6)))
    with pytest.raises(ValueError, match="fitted on 3-D input"):
        StudySpectralSeries().fit(mel_like(0)).transform(mel_like(0)[:, :, 0])
    with pytest.raises(ValueError, match="clip 0, frame 0: every band is at the clip's smallest"):
        StudySpectralSeries().fit_transform(np.ones((1, 8, 3)))
    fitted = StudySpectralSeries().fit(mel_like(0))
    with pytest.raises(ValueError, match="layout"):
        clone(fitted).set_params(layout="bands").fit(mel_like(0))
    with pytest.raises(ValueError, match="layout"):
        fitted.set_params(layout="bands").transform(mel_like(0))


@pytest.mark.realdata
def test_reproduces_the_reference_values_of_the_recipe(narw_dir):
    """DESIGN.md's float64 evaluation of the recipe on the first two real clips."""
    import soundfile as sf

    from whalefeat import pipelines

    paths = [str(narw_dir / "train" / f"wsml_train_{i}.aiff") for i in (1, 2)]
    pipeline = pipelines.get("seed-inception")
    series = pipeline[:-1].set_params(features__layout="frames").fit_transform(paths)
    expected = {
        (0, 0): (0.9812134016, 0.0019040738, 0.0234270775, 0.0202719576),
        (0, 60): (0.9718394848, 0.0029191803, 0.0342016608, 0.0328909519),
        (1, 0): (0.9809173487, 0.0017508765, 0.0251712498, 0.0159807852),
    }
    for (clip, frame), values in expected.items():
        np.testing.assert_allclose(series[clip, frame], values, rtol=1e-6)
    np.testing.assert_allclose(
        series[0].mean(axis=0), (0.9758904591, 0.0024963950, 0.0295458651, 0.0261236985), rtol=1e-6
    )
    # and the pipeline's mel power is librosa's, so the features are the recipe's throughout
    x = sf.read(paths[0])[0]
    M = librosa.feature.melspectrogram(
        y=x - x.mean(), sr=2000, n_fft=256, hop_length=32, n_mels=64, fmin=50, fmax=300, htk=True
    )
    np.testing.assert_allclose(series[0], reference(M[None])[0], rtol=1e-6, atol=1e-12)


def test_single_spectra_are_one_frame_each():
    M = mel_like(2)
    frames = StudySpectralSeries(layout="frames").fit_transform(M[:, :, :1])[:, 0]
    spectra = StudySpectralSeries().fit(M[:, :, 0])
    np.testing.assert_array_equal(spectra.transform(M[:, :, 0]), frames)
    assert spectra.get_feature_names_out().tolist() == ["H", "C_SQ", "C_JSD", "C_TV"]


_EXPECTED_FAILURES = {
    "check_estimators_dtypes": "its integer data hold spectra whose bins all equal the "
    "clip's minimum: no distribution, an error by design (tested above)",
}


@parametrize_with_checks(
    [StudySpectralSeries()], expected_failed_checks=lambda est: _EXPECTED_FAILURES
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
