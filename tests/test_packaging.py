"""Packaging metadata and the private scikit-learn helpers behind ``whalefeat._compat``.

The compatibility tests pin down the behaviour whalefeat relies on (keyword
names, return values, the errors raised), so that a scikit-learn release that
changes one of these private helpers fails here, with the helper's name,
instead of somewhere deep in an estimator.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin

from whalefeat._compat import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    _check_feature_names_in,
    _fit_context,
    _get_output_config,
    validate_params,
)

ROOT = Path(__file__).resolve().parents[1]


class _Scaled(TransformerMixin, BaseEstimator):
    _parameter_constraints = {
        "factor": [Interval(Real, 0, None, closed="neither")],
        "mode": [StrOptions({"plain", "square"})],
        "n_rounds": [Interval(Integral, 1, None, closed="left"), None],
        "scaler": [HasMethods(["fit", "transform"]), None],
        "order": [Options(str, {"C", "F"})],
    }

    def __init__(self, factor=1.0, mode="plain", n_rounds=None, scaler=None, order="C"):
        self.factor = factor
        self.mode = mode
        self.n_rounds = n_rounds
        self.scaler = scaler
        self.order = order

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def transform(self, X):
        return np.asarray(X) * self.factor

    def get_feature_names_out(self, input_features=None):
        return _check_feature_names_in(self, input_features)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("factor", 0.0),
        ("factor", "1"),
        ("mode", "cube"),
        ("n_rounds", 0),
        ("n_rounds", 1.5),
        ("scaler", object()),
        ("order", "K"),
    ],
)
def test_fit_context_validates_each_constraint_kind(name, value):
    estimator = _Scaled().set_params(**{name: value})
    with pytest.raises(InvalidParameterError, match=rf"'{name}' parameter of _Scaled"):
        estimator.fit(np.ones((2, 3)))


def test_fit_context_accepts_valid_parameters():
    estimator = _Scaled(factor=2.0, mode="square", n_rounds=3, order="F").fit(np.ones((2, 3)))
    assert estimator.n_features_in_ == 3
    assert issubclass(InvalidParameterError, ValueError)


def test_validate_params_checks_function_arguments():
    @validate_params(
        {"k": [Interval(Integral, 1, None, closed="left")]}, prefer_skip_nested_validation=True
    )
    def twice(k):
        return 2 * k

    assert twice(3) == 6
    with pytest.raises(InvalidParameterError, match=r"'k' parameter of .*twice must be an int"):
        twice(0)


def test_get_output_config_follows_global_and_estimator_settings():
    estimator = _Scaled()
    assert _get_output_config("transform", estimator)["dense"] == "default"
    with sklearn.config_context(transform_output="pandas"):
        assert _get_output_config("transform", estimator)["dense"] == "pandas"
        assert _get_output_config("transform")["dense"] == "pandas"
    estimator.set_output(transform="default")
    assert _get_output_config("transform", estimator)["dense"] == "default"


def test_check_feature_names_in_generates_and_checks_names():
    estimator = _Scaled().fit(np.ones((2, 3)))
    names = _check_feature_names_in(estimator, None)
    assert list(names) == ["x0", "x1", "x2"]
    assert names.dtype == object
    assert _check_feature_names_in(estimator, None, generate_names=False) is None
    assert list(_check_feature_names_in(estimator, ["a", "b", "c"])) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="input_features"):
        _check_feature_names_in(estimator, ["a", "b"])
    estimator.feature_names_in_ = np.array(["p", "q", "r"], dtype=object)
    with pytest.raises(ValueError, match="feature_names_in_"):
        _check_feature_names_in(estimator, ["p", "q", "s"])


# -- distribution metadata (of the installed whalefeat) -------------------------------


def _metadata():
    return importlib.metadata.metadata("whalefeat")


def _requirements_of(extra: str) -> set[str]:
    marker = re.compile(rf";\s*extra\s*==\s*['\"]{re.escape(extra)}['\"]")
    return {
        re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower()
        for requirement in importlib.metadata.requires("whalefeat") or []
        if marker.search(requirement)
    }


def test_core_dependencies_have_no_keras_or_backend():
    core = {
        re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower()
        for requirement in importlib.metadata.requires("whalefeat") or []
        if "extra" not in requirement
    }
    assert core == {
        "numpy",
        "scipy",
        "numba",
        "soundfile",
        "scikit-learn",
        "joblib",
        "threadpoolctl",
    }


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("keras", {"keras"}),
        ("tensorflow", {"keras", "tensorflow"}),
        ("jax", {"keras", "jax"}),
        ("torch", {"keras", "torch"}),
    ],
)
def test_keras_extras_are_keras_plus_one_backend(extra, expected):
    assert _requirements_of(extra) == expected


@pytest.mark.parametrize(("extra", "expected"), [("detect", {"pandas"}), ("dask", {"dask"})])
def test_detection_extras(extra, expected):
    assert _requirements_of(extra) == expected


def test_python_classifiers_match_requires_python():
    metadata = _metadata()
    minimum = re.fullmatch(r">=3\.(\d+)", metadata["Requires-Python"])
    assert minimum is not None
    minors = sorted(
        int(m.group(1))
        for c in metadata.get_all("Classifier")
        if (m := re.fullmatch(r"Programming Language :: Python :: 3\.(\d+)", c))
    )
    assert minors[0] == int(minimum.group(1))
    assert minors == list(range(minors[0], minors[-1] + 1))


def test_dev_script_installs_existing_extras_with_a_keras_backend():
    dev = _load_dev()
    extras = set(dev.EXTRAS.split(","))
    assert extras <= set(_metadata().get_all("Provides-Extra"))
    assert "tensorflow" in extras  # dev.py sets KERAS_BACKEND=tensorflow
    assert {"test", "docs", "lint"} <= extras


# -- dev.py: what each form of `test` runs ----------------------------------------------


def _load_dev():
    spec = importlib.util.spec_from_file_location("_whalefeat_dev", ROOT / "dev.py")
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    return dev


def _steps(monkeypatch, argv):
    dev = _load_dev()
    steps = []
    monkeypatch.setattr(dev, "ensure_environment", lambda: Path("python"))
    monkeypatch.setattr(dev, "_run", lambda *args, **kwargs: steps.append(args[1:]))
    monkeypatch.setattr(dev, "package", lambda python: steps.append(("package",)))
    dev.main(argv)
    return steps


def test_dev_test_runs_lint_suite_package_and_docs(monkeypatch):
    steps = _steps(monkeypatch, ["test"])
    assert [step[:2] for step in steps] == [
        ("-m", "ruff"),
        ("-m", "ruff"),
        ("-m", "pytest"),
        ("package",),
        ("-m", "sphinx"),
    ]
    assert steps[0][2] == "check" and steps[1][2:4] == ("format", "--check")
    # the whole suite, on every core: no marker, no paths
    assert ("-m", "pytest", *_load_dev().PARALLEL) in steps
    assert "-W" in steps[-1]


def test_dev_test_fast_deselects_slow_and_skips_package_and_docs(monkeypatch):
    steps = _steps(monkeypatch, ["test", "--fast"])
    assert steps == [
        ("-m", "ruff", "check", *_load_dev().LINT_PATHS),
        ("-m", "ruff", "format", "--check", *_load_dev().LINT_PATHS),
        ("-m", "pytest", *_load_dev().PARALLEL, "-m", "not slow"),
    ]


def test_dev_test_with_arguments_runs_only_pytest(monkeypatch):
    assert _steps(monkeypatch, ["test", "--fast", "tests/test_io.py", "-x"]) == [
        ("-m", "pytest", "-m", "not slow", "tests/test_io.py", "-x")
    ]
    assert _steps(monkeypatch, ["test", "tests/test_io.py"]) == [
        ("-m", "pytest", "tests/test_io.py")
    ]


def test_dev_lint_checks_and_format_checks(monkeypatch):
    steps = _steps(monkeypatch, ["lint"])
    assert [step[:3] for step in steps] == [("-m", "ruff", "check"), ("-m", "ruff", "format")]
    assert "--check" in steps[1]
    with pytest.raises(SystemExit, match="takes no arguments"):
        _steps(monkeypatch, ["lint", "--fix"])
