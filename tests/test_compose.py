"""SeriesUnion: transformers side by side, series joined along the feature axis."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import clone
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from whalefeat import ComplexityEntropyCurve, SeriesUnion


def frames_first(S):
    return S.transpose(0, 2, 1)


def frame_total(S):
    return S.sum(axis=1)[:, :, np.newaxis]


def spectrograms(seed=0, shape=(4, 8, 6)):
    return np.random.default_rng(seed).random(shape)


def test_series_are_joined_along_the_last_axis():
    S = spectrograms()
    union = SeriesUnion(
        [
            ("frames", FunctionTransformer(frames_first)),
            ("total", FunctionTransformer(frame_total)),
        ]
    )
    out = union.fit_transform(S)
    assert out.shape == (4, 6, 9)
    np.testing.assert_array_equal(out[..., :8], frames_first(S))
    np.testing.assert_array_equal(out[..., 8:], frame_total(S))
    np.testing.assert_array_equal(union.transform(S), out)


def test_feature_names_are_prefixed_by_the_transformer_names():
    S = spectrograms()
    union = SeriesUnion(
        [
            ("plain", ComplexityEntropyCurve(distribution="spectral", measure="shannon")),
            (
                "rich",
                ComplexityEntropyCurve(
                    distribution="spectral",
                    measure="shannon",
                    disequilibrium=("jensen-shannon", "euclidean"),
                ),
            ),
        ]
    ).fit(S)
    assert union.get_feature_names_out().tolist() == [
        "plain__H",
        "plain__C",
        "rich__H",
        "rich__C",
        "rich__C_euclidean",
    ]
    assert union.transform(S).shape == (4, 6, 5)


def test_two_dimensional_outputs_join_like_feature_union():
    X = np.random.default_rng(1).normal(size=(10, 3))
    union = SeriesUnion([("a", StandardScaler()), ("b", FunctionTransformer())])
    np.testing.assert_allclose(union.fit_transform(X)[:, 3:], X)


def test_mixed_or_mismatched_outputs_are_errors_naming_the_transformers():
    S = spectrograms()
    mixed = SeriesUnion(
        [
            ("frames", FunctionTransformer(frames_first)),
            ("flat", FunctionTransformer(lambda S: S.reshape(len(S), -1))),
        ]
    )
    with pytest.raises(ValueError, match=r"all series .* 'frames': \(4, 6, 8\), 'flat': "):
        mixed.fit_transform(S)
    steps = SeriesUnion(
        [("frames", FunctionTransformer(frames_first)), ("rows", FunctionTransformer())]
    )
    with pytest.raises(ValueError, match=r"same number of samples and steps.*'rows': \(4, 8, 6\)"):
        steps.fit_transform(S)


def test_nested_parameters_clone_pickle_and_drop():
    S = spectrograms()
    union = SeriesUnion(
        [
            ("ce", ComplexityEntropyCurve(distribution="spectral", measure="shannon")),
            ("frames", FunctionTransformer(frames_first)),
        ]
    )
    union.set_params(ce__disequilibrium="euclidean")
    assert union.get_params()["ce__disequilibrium"] == "euclidean"
    fitted = union.fit(S)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.transform(S), fitted.transform(S))
    assert clone(union).get_params()["ce__disequilibrium"] == "euclidean"
    union.set_params(frames="drop")
    assert union.fit_transform(S).shape == (4, 6, 2)


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_parallel_transformers_give_the_serial_result(backend):
    S = spectrograms(shape=(6, 16, 10))
    steps = [
        ("a", ComplexityEntropyCurve(distribution="spectral", measure="shannon")),
        ("b", FunctionTransformer(frames_first)),
    ]
    serial = SeriesUnion(steps).fit_transform(S)
    with parallel_config(backend=backend):
        parallel = SeriesUnion(steps, n_jobs=2).fit_transform(S)
    np.testing.assert_array_equal(parallel, serial)


_FEATURE_UNION_BEHAVIOUR = {
    # what scikit-learn's own FeatureUnion does, which SeriesUnion inherits unchanged
    "check_estimators_overwrite_params": "FeatureUnion fits its transformers in place, "
    "inside transformer_list",
    "check_dont_overwrite_parameters": "FeatureUnion fits its transformers in place, "
    "inside transformer_list",
    "check_estimators_nan_inf": "input checks are the inner transformers' (StandardScaler "
    "here accepts NaN)",
}


@parametrize_with_checks(
    [SeriesUnion([("scale", StandardScaler())])],
    expected_failed_checks=lambda est: _FEATURE_UNION_BEHAVIOUR,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
