"""SeriesStatistics: mean, spread, extremes and quantiles of each channel over the steps."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from whalefeat import SeriesUnion
from whalefeat.series_statistics import SeriesStatistics


def reference(X, statistics=("mean", "std", "min", "max"), quantiles=(0.1, 0.9)):
    """One pandas DataFrame (steps x channels) per sample: describe's numbers, by column."""
    rows = []
    for series in X:
        frame = pd.DataFrame(series)
        blocks = {
            "mean": frame.mean(),
            "std": frame.std(ddof=0),
            "min": frame.min(),
            "max": frame.max(),
        }
        row = [blocks[name].to_numpy() for name in statistics]
        row += [frame.quantile(q, interpolation="linear").to_numpy() for q in quantiles]
        rows.append(np.concatenate(row))
    return np.asarray(rows)


@parametrize_with_checks(
    [SeriesStatistics(), SeriesStatistics(statistics=("max",), quantiles=0.5)]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("shape", [(3, 126, 8), (2, 1, 1), (1, 2, 3), (4, 7, 1)])
def test_equals_pandas(shape):
    rng = np.random.default_rng(0)
    X = rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4, size=shape[2])
    out = SeriesStatistics().fit_transform(X)
    assert out.shape == (shape[0], 6 * shape[2])
    np.testing.assert_allclose(out, reference(X), rtol=1e-12, atol=1e-300)


def test_selection_order_and_names():
    X = np.random.default_rng(1).random((5, 9, 3))
    stats = SeriesStatistics(statistics=("max", "mean"), quantiles=(0.5, 0.0)).fit(X)
    np.testing.assert_allclose(
        stats.transform(X), reference(X, ("max", "mean"), (0.5, 0.0)), rtol=1e-12
    )
    assert stats.get_feature_names_out(["H", "C", "D"]).tolist() == [
        *("H_max", "C_max", "D_max", "H_mean", "C_mean", "D_mean"),
        *("H_q0.5", "C_q0.5", "D_q0.5", "H_q0", "C_q0", "D_q0"),
    ]
    assert stats.get_feature_names_out().tolist()[:3] == ["x0_max", "x1_max", "x2_max"]
    with pytest.raises(ValueError, match="input_features has 2 names .* 3 channel"):
        stats.get_feature_names_out(["H", "C"])


def test_names_through_a_pipeline_of_series():
    from sklearn.pipeline import make_pipeline

    from whalefeat import ComplexityEntropyCurve

    S = np.random.default_rng(2).random((4, 6, 10)) + 0.1  # 4 spectrograms, 6 bins, 10 frames
    union = SeriesUnion(
        [
            ("a", ComplexityEntropyCurve(distribution="spectral")),
            ("b", ComplexityEntropyCurve(distribution="spectral", measure="tsallis", q=2.0)),
        ]
    )
    series = union.fit_transform(S)
    model = make_pipeline(union, SeriesStatistics(statistics=("max",), quantiles=())).fit(S)
    names = model.get_feature_names_out().tolist()
    assert names == [f"{channel}_max" for channel in union.get_feature_names_out()]
    # series cannot be DataFrames, so no names reach the last step: it names channels x<j>
    model[-1].set_output(transform="pandas")
    out = model.transform(S)
    assert out.columns.tolist() == [f"x{j}_max" for j in range(len(names))]
    np.testing.assert_allclose(out.to_numpy(), series.max(axis=1))


def test_two_d_input_is_one_channel():
    X = np.arange(12.0).reshape(3, 4)
    stats = SeriesStatistics(quantiles=()).fit(X)
    assert (stats.input_ndim_, stats.n_channels_, stats.n_features_in_) == (2, 1, 4)
    np.testing.assert_array_equal(
        stats.transform(X), np.column_stack([X.mean(1), X.std(1), X.min(1), X.max(1)])
    )
    assert stats.get_feature_names_out().tolist() == ["x0_mean", "x0_std", "x0_min", "x0_max"]


def test_invariances_and_a_constant_series():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((4, 20, 3))
    stats = SeriesStatistics().fit(X)
    shuffled = X[:, rng.permutation(20)]
    np.testing.assert_allclose(stats.transform(shuffled), stats.transform(X), rtol=1e-12)
    shifted = stats.transform(X + 5.0).reshape(4, 6, 3)
    base = stats.transform(X).reshape(4, 6, 3)
    np.testing.assert_allclose(shifted[:, 1], base[:, 1], rtol=1e-9)  # std: shift-free
    np.testing.assert_allclose(np.delete(shifted, 1, axis=1), np.delete(base, 1, axis=1) + 5.0)
    flat = np.full((1, 7, 2), 2.5)
    np.testing.assert_array_equal(
        SeriesStatistics().fit_transform(flat).reshape(6, 2),
        [[2.5] * 2, [0.0] * 2, *[[2.5] * 2] * 4],
    )


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 3), st.integers(1, 12), st.integers(1, 4)),
        elements=st.floats(-1e6, 1e6, allow_nan=False),
    ),
    st.lists(st.floats(0, 1), max_size=3, unique=True),
)
def test_property_bounds_and_reference(X, quantiles):
    out = SeriesStatistics(quantiles=tuple(quantiles)).fit_transform(X)
    n, _, c = X.shape
    blocks = out.reshape(n, 4 + len(quantiles), c)
    low, high = X.min(axis=1), X.max(axis=1)
    tolerance = 1e-9 * (1.0 + np.abs(X).max())
    assert np.all(blocks[:, 2] <= blocks[:, 0] + tolerance)  # min <= mean
    assert np.all(blocks[:, 0] <= blocks[:, 3] + tolerance)  # mean <= max
    assert np.all(blocks[:, 1] >= 0)
    for k in range(len(quantiles)):
        assert np.all(
            (low - tolerance <= blocks[:, 4 + k]) & (blocks[:, 4 + k] <= high + tolerance)
        )
    np.testing.assert_allclose(
        out, reference(X, quantiles=tuple(quantiles)), rtol=1e-9, atol=tolerance
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"statistics": ("mean", "mean")}, "without repeats"),
        ({"statistics": ("median",)}, "without repeats of"),
        ({"quantiles": (0.5, 0.5)}, "quantiles must be numbers in"),
        ({"quantiles": (0.5, 1.5)}, "quantiles must be numbers in"),
        ({"statistics": (), "quantiles": ()}, "nothing to compute"),
    ],
)
def test_bad_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        SeriesStatistics(**params).fit(np.zeros((2, 3, 1)))


def test_bad_parameter_types_and_set_params_are_checked_in_fit():
    X = np.zeros((2, 3, 1))
    with pytest.raises(InvalidParameterError, match="quantiles"):
        SeriesStatistics(quantiles="high").fit(X)
    stats = SeriesStatistics().fit(X)
    stats.set_params(statistics=("mode",))
    with pytest.raises(ValueError, match="statistics must be"):
        stats.transform(X)


def test_bad_input_is_named():
    stats = SeriesStatistics().fit(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match=r"fitted on 3-D series of 5 steps and 3 channel"):
        stats.transform(np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match="X must be series"):
        SeriesStatistics().fit(np.zeros((2, 3, 4, 5)))
    with pytest.raises(ValueError, match="NaN"):
        SeriesStatistics().fit(np.array([[[0.0], [np.nan]]]))


def test_clone_and_pickle():
    X = np.random.default_rng(4).random((3, 8, 2))
    stats = SeriesStatistics(statistics=("min",), quantiles=(0.25,)).fit(X)
    again = pickle.loads(pickle.dumps(stats))
    np.testing.assert_array_equal(again.transform(X), stats.transform(X))
    assert clone(stats).get_params() == stats.get_params()
