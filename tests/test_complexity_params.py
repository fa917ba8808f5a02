"""ComplexityEntropyCurve: parameters re-checked in transform, and other hardening."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from whalefeat.complexity import ComplexityEntropyCurve

X = np.random.default_rng(50).standard_normal((3, 200))
S = np.random.default_rng(51).random((2, 12, 9))


@pytest.mark.parametrize(
    ("params", "exception", "message"),
    [
        (
            {"delay": 5000},
            ValueError,
            r"signals with 200 feature\(s\) \(samples per signal\) are too short for "
            r"dimension=4, delay=5000",
        ),
        ({"dimension": 9}, InvalidParameterError, "The 'dimension' parameter"),
        ({"window": 300}, ValueError, "window=300 exceeds the signal length"),
        ({"hop": 4}, ValueError, "hop=4 needs window"),
        ({"n_jobs": 0}, InvalidParameterError, "The 'n_jobs' parameter"),
        ({"delay": True}, InvalidParameterError, "The 'delay' parameter"),
        ({"measure": "gini"}, InvalidParameterError, "The 'measure' parameter"),
        ({"q": 2.0}, ValueError, "measure='shannon' takes no q"),
        (
            {"measure": "tsallis"},
            ValueError,
            "measure, q or disequilibrium changed after fit.*call fit again",
        ),
        (
            {"disequilibrium": "euclidean"},
            ValueError,
            "measure, q or disequilibrium changed after fit",
        ),
        ({"ties": "jitter"}, ValueError, "ties='jitter' was set after fit.*call fit again"),
        ({"distribution": "ordinal2d"}, ValueError, "distribution='ordinal2d' reads spectrograms"),
    ],
)
def test_set_params_after_fit_is_checked_in_transform(params, exception, message):
    curve = ComplexityEntropyCurve(measure="shannon").fit(X)
    with pytest.raises(exception, match=message):
        curve.set_params(**params).transform(X)


def test_set_params_after_fit_that_fits_is_used():
    curve = ComplexityEntropyCurve(measure="shannon").fit(X)
    np.testing.assert_array_equal(
        curve.set_params(delay=3).transform(X),
        ComplexityEntropyCurve(measure="shannon", delay=3).fit_transform(X),
    )


@pytest.mark.parametrize(
    "name", ["dimension", "delay", "window", "hop", "time_dimension", "time_delay", "n_jobs"]
)
@pytest.mark.parametrize("value", [True, np.True_])
def test_bools_are_not_integers(name, value):
    params = {name: value, "measure": "shannon"}
    if name == "hop":
        params["window"] = 50
    with pytest.raises(InvalidParameterError, match=f"The '{name}' parameter"):
        ComplexityEntropyCurve(**params).fit(X)


def test_n_jobs_zero_is_an_error_naming_n_jobs():
    with pytest.raises(
        InvalidParameterError,
        match="The 'n_jobs' parameter of ComplexityEntropyCurve must be an int in the range",
    ):
        ComplexityEntropyCurve(n_jobs=0).fit(X)


def test_pandas_output_needs_two_dimensional_output():
    frames = ComplexityEntropyCurve(measure="shannon").set_output(transform="pandas")
    with pytest.raises(
        ValueError,
        match="returns a 3-D array here.*cannot become a DataFrame; "
        r"set_output\(transform='pandas'\) or 'polars' needs "
        "2-D output",
    ):
        frames.fit_transform(S)
    windows = ComplexityEntropyCurve(measure="shannon", window=50).set_output(transform="pandas")
    with pytest.raises(ValueError, match="cannot become a DataFrame"):
        windows.fit_transform(X)
    table = ComplexityEntropyCurve(measure="shannon").set_output(transform="pandas")
    out = table.fit_transform(X)
    assert isinstance(out, pd.DataFrame) and out.columns.tolist() == ["H", "C"]
    spectra = ComplexityEntropyCurve(
        measure="shannon", distribution="spectral", disequilibrium=("euclidean", "jensen-shannon")
    )
    out = spectra.set_output(transform="pandas").fit_transform(S[:, :, 0])
    assert out.columns.tolist() == ["H", "C_euclidean", "C"] and out.shape == (2, 3)


def test_jitter_seed_is_drawn_in_fit():
    ties = np.random.default_rng(52).integers(0, 2, (4, 300)).astype(float)
    curve = ComplexityEntropyCurve(
        dimension=4, q=[0.5, 2.0], ties="jitter", random_state=np.random.RandomState(0)
    ).fit(ties)
    assert isinstance(curve.seed_, int)
    first = curve.transform(ties)
    np.testing.assert_array_equal(curve.transform(ties), first)
    np.testing.assert_array_equal(curve.transform(ties[1:3]), first[1:3])
    assert ComplexityEntropyCurve(measure="shannon").fit(ties).seed_ is None
    # an int seeds the same way on every fit
    a = ComplexityEntropyCurve(ties="jitter", random_state=5).fit(ties)
    b = ComplexityEntropyCurve(ties="jitter", random_state=5).fit(ties)
    assert a.seed_ == b.seed_


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"disequilibrium": "gini"}, "The 'disequilibrium' parameter"),
        ({"disequilibrium": ("euclidean", "gini")}, "disequilibrium must be one of"),
        ({"disequilibrium": ()}, "disequilibrium must name at least one"),
        ({"disequilibrium": ("euclidean", "euclidean")}, "each may appear only once"),
        (
            {"measure": "tsallis", "disequilibrium": "euclidean"},
            "disequilibrium='euclidean' applies to measure='shannon'",
        ),
        ({"distribution": "normal"}, "The 'distribution' parameter"),
        ({"time_dimension": 0}, "The 'time_dimension' parameter"),
        ({"time_delay": 0}, "The 'time_delay' parameter"),
    ],
)
def test_new_parameter_errors(params, message):
    params = {"measure": "shannon", **params}
    with pytest.raises(ValueError, match=message):
        ComplexityEntropyCurve(**params).fit(X)
