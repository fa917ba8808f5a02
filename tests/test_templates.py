"""TemplateMatcher and the normalised cross-correlation behind it."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from whalefeat.templates import TemplateMatcher, normalized_cross_correlation


def direct_ncc(image, template):
    """Pearson correlation of the template with every window inside the image, by loops."""
    h, w = template.shape
    image = image / max(np.ptp(image), 1e-300)  # scale-free; keeps tiny images from underflow
    t = template - template.mean()
    out = np.zeros((image.shape[0] - h + 1, image.shape[1] - w + 1))
    with np.errstate(all="ignore"):  # flat windows' 0/0, replaced by 0 below
        _fill_direct(out, image, t, h, w)
    return out


def _fill_direct(out, image, t, h, w):
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            window = image[r : r + h, c : c + w]
            d = window - window.mean()
            denominator = np.sqrt((d * d).sum() * (t * t).sum())
            flat = np.ptp(window) <= 1e-6 * np.ptp(image) or np.ptp(image) == 0
            out[r, c] = 0.0 if flat else (d * t).sum() / denominator


def noise_with_calls(n=60, shape=(12, 20), seed=0):
    rng = np.random.default_rng(seed)
    S = rng.random((n,) + shape)
    y = np.arange(n) % 2
    for i in np.flatnonzero(y):
        start = rng.integers(0, shape[1] - 8)
        S[i, 2 + np.arange(6), start + np.arange(6)] += 3.0
    return S, y


@parametrize_with_checks(
    [
        TemplateMatcher(n_templates=1, template_shape=(2, 1), n_candidates=1, random_state=0),
        TemplateMatcher(
            n_templates=2,
            template_shape=(2, 1),
            n_candidates=3,
            n_ranking_clips=10,
            binarize=None,
            random_state=0,
        ),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    ("image_shape", "template_shape"),
    [
        ((46, 59), (14, 24)),
        ((5, 7), (5, 7)),
        ((3, 9), (1, 4)),
        ((8, 2), (3, 1)),
        ((6, 6), (2, 2)),
    ],
)
def test_ncc_equals_direct_computation_and_skimage(image_shape, template_shape):
    skimage = pytest.importorskip("skimage.feature")
    rng = np.random.default_rng(1)
    S = rng.gamma(2.0, size=(3,) + image_shape) * 1e3
    T = rng.random((2,) + template_shape)
    ncc = normalized_cross_correlation(S, T)
    assert ncc.shape == (
        3,
        2,
        image_shape[0] - template_shape[0] + 1,
        image_shape[1] - template_shape[1] + 1,
    )
    for i in range(3):
        for k in range(2):
            np.testing.assert_allclose(ncc[i, k], direct_ncc(S[i], T[k]), atol=1e-10)
            np.testing.assert_allclose(ncc[i, k], skimage.match_template(S[i], T[k]), atol=1e-10)


def test_ncc_on_flat_and_adversarial_images():
    T = np.array([[0.0, 1.0], [1.0, 0.0]])
    # a constant image, and one flat except for a corner: flat windows give 0, not noise
    S = np.full((2, 6, 7), 5.0)
    S[1, 4:, 5:] = [[1.0, 9.0], [9.0, 1.0]]
    S[1, :2, :2] = 1e-9 + 5.0  # flat to within 1e-6 of the image's range
    ncc = normalized_cross_correlation(S, T)
    np.testing.assert_array_equal(ncc[0], 0.0)
    for i in range(2):
        np.testing.assert_allclose(ncc[i], direct_ncc(S[i], T), atol=1e-10)
    assert ncc[1, 4, 5] == pytest.approx(1.0)
    # huge and tiny magnitudes: the correlation is scale-free
    rng = np.random.default_rng(2)
    image, template = rng.random((1, 9, 11)), rng.random((3, 4))
    reference = normalized_cross_correlation(image, template)
    np.testing.assert_allclose(reference[0], direct_ncc(image[0], template), atol=1e-12)
    for scale in (1e-150, 1e150):
        np.testing.assert_allclose(
            normalized_cross_correlation(image * scale, template), reference, atol=1e-10
        )
    with pytest.raises(ValueError, match="flat"):
        normalized_cross_correlation(image, np.ones((3, 4)))
    with pytest.raises(ValueError, match="do not fit"):
        normalized_cross_correlation(image, rng.random((10, 2)))


def test_templates_come_from_positive_training_clips_at_their_brightest_window():
    S, y = noise_with_calls()
    matcher = TemplateMatcher(
        n_templates=3, template_shape=(6, 6), n_candidates=3, random_state=0
    ).fit(S, y)
    assert matcher.templates_.shape == (3, 6, 6)
    assert np.isnan(matcher.template_scores_).all()
    for template, (clip, row, col) in zip(
        matcher.templates_, matcher.template_origins_, strict=True
    ):
        assert y[clip] == 1
        sums = np.array(
            [[S[clip, r : r + 6, c : c + 6].sum() for c in range(15)] for r in range(7)]
        )
        assert (row, col) == np.unravel_index(sums.argmax(), sums.shape)
        window = S[clip, row : row + 6, col : col + 6]
        np.testing.assert_array_equal(
            template, (window >= window.mean() + 0.5 * window.std()).astype(float)
        )
    grey = TemplateMatcher(
        n_templates=3, template_shape=(6, 6), n_candidates=3, binarize=None, random_state=0
    ).fit(S, y)
    clip, row, col = grey.template_origins_[0]
    np.testing.assert_array_equal(grey.templates_[0], S[clip, row : row + 6, col : col + 6])


def test_positive_class_and_labels():
    S, y = noise_with_calls()
    labels = np.where(y == 1, "call", "noise")
    matcher = TemplateMatcher(
        n_templates=2, template_shape=(6, 6), n_candidates=2, positive_class="call", random_state=0
    ).fit(S, labels)
    assert matcher.positive_class_ == "call"
    assert (labels[matcher.template_origins_[:, 0]] == "call").all()
    default = TemplateMatcher(
        n_templates=2, template_shape=(6, 6), n_candidates=2, random_state=0
    ).fit(S, labels)
    assert default.positive_class_ == "noise"  # the largest label
    with pytest.raises(ValueError, match="positive_class='whale' is not a label"):
        TemplateMatcher(positive_class="whale", template_shape=(6, 6)).fit(S, labels)


def test_ranking_keeps_the_discriminative_candidates():
    S, y = noise_with_calls(n=80)
    ranked = TemplateMatcher(
        n_templates=2, template_shape=(6, 6), n_candidates=8, random_state=0
    ).fit(S, y)
    assert np.all(np.diff(ranked.template_scores_) <= 0)
    assert ranked.template_scores_.min() > 0.9
    # the score is the training ROC AUC of the template's peak correlation
    from sklearn.metrics import roc_auc_score

    peaks = ranked.transform(S)[:, 0]
    assert ranked.template_scores_[0] == pytest.approx(roc_auc_score(y, peaks))


def test_transform_finds_the_planted_call():
    S, y = noise_with_calls(n=40, seed=3)
    matcher = TemplateMatcher(
        n_templates=1, template_shape=(6, 6), n_candidates=1, binarize=None, random_state=0
    ).fit(S, y)
    clip, row, col = matcher.template_origins_[0]
    features = matcher.transform(S[[clip]])
    assert features[0, 0] == pytest.approx(1.0)
    assert features[0, 1:].tolist() == [row + 2.5, col + 2.5]
    assert matcher.get_feature_names_out().tolist() == [
        "template0_peak",
        "template0_frequency",
        "template0_time",
    ]
    # shifted in time and frequency, the same call peaks at the shifted position
    shifted = np.roll(S[clip], (1, 3), axis=(0, 1))[np.newaxis]
    moved = matcher.transform(shifted)[0]
    assert moved[0] == pytest.approx(1.0)
    assert moved[1:].tolist() == [row + 3.5, col + 5.5]


@pytest.mark.parametrize("binarize", [0.5, None])
def test_fft_and_skimage_methods_agree(binarize):
    pytest.importorskip("skimage")
    S, y = noise_with_calls(n=30, shape=(10, 16), seed=4)
    fft = TemplateMatcher(
        n_templates=3, template_shape=(5, 7), n_candidates=6, binarize=binarize, random_state=1
    ).fit(S, y)
    sk = clone(fft).set_params(method="skimage").fit(S, y)
    np.testing.assert_array_equal(fft.templates_, sk.templates_)
    np.testing.assert_allclose(fft.transform(S), sk.transform(S), atol=1e-10)


def test_random_state_float32_threads_and_pickle():
    S, y = noise_with_calls(n=50)
    params = dict(n_templates=2, template_shape=(6, 6), n_candidates=4)
    a = TemplateMatcher(**params, random_state=0).fit(S, y)
    b = TemplateMatcher(**params, random_state=0).fit(S, y)
    c = TemplateMatcher(**params, random_state=5).fit(S, y)
    np.testing.assert_array_equal(a.template_origins_, b.template_origins_)
    assert not np.array_equal(
        np.sort(a.template_origins_[:, 0]), np.sort(c.template_origins_[:, 0])
    )
    threaded = TemplateMatcher(**params, random_state=0, n_jobs=2).fit(S, y)
    np.testing.assert_allclose(threaded.transform(S), a.transform(S), atol=1e-12)
    f32 = TemplateMatcher(**params, random_state=0).fit(S.astype(np.float32), y)
    np.testing.assert_allclose(f32.transform(S.astype(np.float32)), a.transform(S), atol=1e-5)
    again = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(again.transform(S), a.transform(S))


def test_float32_spectrograms_are_correlated_in_float64():
    S, y = noise_with_calls(n=20)
    S = 1e-3 * S
    S[:, 0, 0] = 10.0  # one loud cell: every window away from it is quiet beside it
    S32 = S.astype(np.float32)
    matcher = TemplateMatcher(
        n_templates=2, template_shape=(6, 6), n_candidates=4, random_state=0
    ).fit(S32, y)
    exact = matcher.transform(S32.astype(np.float64))
    np.testing.assert_allclose(matcher.transform(S32), exact, rtol=0, atol=1e-12)
    for clip in range(3):
        for k, template in enumerate(matcher.templates_):
            assert exact[clip, 3 * k] == pytest.approx(
                direct_ncc(S32[clip].astype(np.float64), template).max(), abs=1e-12
            )


def test_errors_name_the_problem():
    S, y = noise_with_calls(n=20)
    with pytest.raises(ValueError, match="requires y to be passed.*supervised"):
        TemplateMatcher(template_shape=(6, 6)).fit(S, None)
    with pytest.raises(ValueError, match="Unknown label type"):
        TemplateMatcher(template_shape=(6, 6)).fit(S, np.linspace(0, 1, 20))
    with pytest.raises(ValueError, match=r"template_shape=\(13, 6\) does not fit .* 12 bins"):
        TemplateMatcher(template_shape=(13, 6)).fit(S, y)
    with pytest.raises(ValueError, match="two positive integers"):
        TemplateMatcher(template_shape=(6,)).fit(S, y)
    with pytest.raises(ValueError, match="n_candidates=2 must be at least n_templates=3"):
        TemplateMatcher(n_templates=3, n_candidates=2, template_shape=(6, 6)).fit(S, y)
    with pytest.raises(ValueError, match=r"only 10 of the 10 clips of class 1 \(X has 20 sample"):
        TemplateMatcher(n_templates=11, n_candidates=12, template_shape=(6, 6)).fit(S, y)
    flat = np.ones_like(S)
    with pytest.raises(ValueError, match="only 0 of the 10 clips .* not flat"):
        TemplateMatcher(n_templates=1, n_candidates=1, template_shape=(6, 6)).fit(flat, y)
    with pytest.raises(ValueError, match="needs clips of a class other than 1"):
        TemplateMatcher(n_templates=1, n_candidates=2, template_shape=(6, 6)).fit(
            S[y == 1], y[y == 1]
        )
    fitted = TemplateMatcher(n_templates=1, n_candidates=1, template_shape=(6, 6)).fit(S, y)
    with pytest.raises(ValueError, match="fitted on 3-D input with 12 bins and 20 frame"):
        fitted.transform(S[:, :, :10])


images = arrays(
    np.float64,
    st.tuples(st.integers(1, 3), st.integers(3, 8), st.integers(3, 8)),
    elements=st.floats(-1e3, 1e3, allow_subnormal=False),
)


@settings(max_examples=60, deadline=None)
@given(
    S=images, scale=st.floats(1e-2, 1e2), offset=st.floats(-1e3, 1e3), seed=st.integers(0, 2**16)
)
# a quiet window beside a loud cell: integral images alone lost 1.6e-7 of its correlation
@example(
    S=np.array([[[963.0, 0.0, 0.0], [0.0, 0.015625, 0.0], [0.0, 0.0, 0.0]]]),
    scale=1.0,
    offset=0.0,
    seed=0,
)
def test_ncc_properties(S, scale, offset, seed):
    template = np.random.default_rng(seed).random((3, 2))
    ncc = normalized_cross_correlation(S, template)
    assert np.all(np.abs(ncc) <= 1.0)
    # the correlation ignores the image's level and gain
    same = normalized_cross_correlation(scale * S + offset, template)
    changed = np.abs(same - ncc) > 1e-6
    # only windows at the edge of flatness (1e-6 of the range) may switch to 0
    assert np.all(
        (same[changed] == 0) | (ncc[changed] == 0) | (np.abs(same - ncc)[changed] < 1e-3)
    )
    for i in range(len(S)):
        np.testing.assert_allclose(ncc[i], direct_ncc(S[i], template), atol=1e-7)


def test_winners_pipeline_detects_synthetic_upcalls():
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import FeatureUnion, make_pipeline

    from whalefeat import Spectrogram
    from whalefeat.contrast import LocalContrast
    from whalefeat.datasets import make_clips
    from whalefeat.rowstats import RowStatistics

    X, y = make_clips(240, snr_db=0.0, random_state=0)
    union = FeatureUnion(
        [
            (
                axis,
                make_pipeline(
                    LocalContrast(axis=axis),
                    TemplateMatcher(n_templates=4, n_candidates=8, random_state=0),
                ),
            )
            for axis in ("frequency", "time")
        ]
        + [("rows", RowStatistics())]
    )
    detector = make_pipeline(
        Spectrogram(hop_length=64, scaling="power"),
        union,
        HistGradientBoostingClassifier(max_iter=50, random_state=0),
    )
    detector.fit(X[:160], y[:160])
    names = detector[1].get_feature_names_out()
    assert names[0] == "frequency__template0_peak" and len(names) == 2 * 12 + 4 * 46
    assert roc_auc_score(y[160:], detector.predict_proba(X[160:])[:, 1]) > 0.85
    # the templates come from the training clips' positives
    matcher = detector[1].transformer_list[0][1][-1]
    assert (y[:160][matcher.template_origins_[:, 0]] == 1).all()
