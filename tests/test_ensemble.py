"""SeedAveragingClassifier: one model under several seeds, probabilities averaged."""

from __future__ import annotations

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from whalefeat.ensemble import SeedAveragingClassifier


@pytest.fixture(scope="module")
def data():
    return make_classification(300, n_features=8, n_informative=4, random_state=0)


def tree():
    return DecisionTreeClassifier(max_features=3, max_depth=4)


@parametrize_with_checks(
    [
        SeedAveragingClassifier(tree(), n_estimators=3),
        SeedAveragingClassifier(
            make_pipeline(StandardScaler(), LogisticRegression(solver="saga")), n_estimators=2
        ),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_members_are_the_estimator_under_the_drawn_seeds(data):
    X, y = data
    model = SeedAveragingClassifier(tree(), n_estimators=4, random_state=3).fit(X, y)
    expected_seeds = np.random.RandomState(3).randint(np.iinfo(np.int32).max, size=4)
    np.testing.assert_array_equal(model.seeds_, expected_seeds)
    singles = [tree().set_params(random_state=int(s)).fit(X, y) for s in expected_seeds]
    for member, single in zip(model.estimators_, singles, strict=True):
        np.testing.assert_array_equal(member.predict_proba(X), single.predict_proba(X))
    mean = np.mean([single.predict_proba(X) for single in singles], axis=0)
    np.testing.assert_allclose(model.predict_proba(X), mean, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(model.predict(X), model.classes_[mean.argmax(axis=1)])
    assert len({tuple(m.tree_.feature) for m in model.estimators_}) > 1  # they do differ


def test_every_random_state_of_a_pipeline_is_seeded(data):
    X, y = data
    inner = make_pipeline(StandardScaler(), tree())
    model = SeedAveragingClassifier(inner, n_estimators=2, random_state=0).fit(X, y)
    for member, seed in zip(model.estimators_, model.seeds_, strict=True):
        assert member.get_params()["decisiontreeclassifier__random_state"] == seed
    assert inner.get_params()["decisiontreeclassifier__random_state"] is None  # not touched
    assert not hasattr(inner[-1], "tree_")


def test_string_labels_and_three_classes():
    X, y = make_classification(240, n_features=6, n_informative=4, n_classes=3, random_state=1)
    labels = np.array(["call", "noise", "ship"])[y]
    model = SeedAveragingClassifier(tree(), n_estimators=3, random_state=0).fit(X, labels)
    assert model.classes_.tolist() == ["call", "noise", "ship"]
    proba = model.predict_proba(X)
    assert proba.shape == (240, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(X)) <= set(model.classes_)


@pytest.mark.parametrize("backend", ["loky", "threading", "multiprocessing", "sequential"])
def test_n_jobs_and_backends_do_not_change_the_result(data, backend):
    X, y = data
    reference = SeedAveragingClassifier(tree(), n_estimators=4, random_state=5).fit(X, y)
    with joblib.parallel_backend(backend, n_jobs=2):
        model = SeedAveragingClassifier(tree(), n_estimators=4, random_state=5, n_jobs=2)
        model.fit(X, y)
        proba = model.predict_proba(X)
    np.testing.assert_array_equal(proba, reference.predict_proba(X))
    np.testing.assert_array_equal(model.seeds_, reference.seeds_)


def test_averaging_beats_the_typical_member_on_held_out_data():
    X, y = make_classification(600, n_features=12, n_informative=5, flip_y=0.1, random_state=2)
    model = SeedAveragingClassifier(
        DecisionTreeClassifier(max_features=2, min_samples_leaf=5), n_estimators=8, random_state=0
    )
    ensemble = cross_val_score(model, X, y, cv=3, scoring="roc_auc").mean()
    members = [
        cross_val_score(
            DecisionTreeClassifier(max_features=2, min_samples_leaf=5, random_state=s),
            X,
            y,
            cv=3,
            scoring="roc_auc",
        ).mean()
        for s in range(8)
    ]
    assert ensemble > np.mean(members) + 0.02


def test_bad_parameters_are_named(data):
    X, y = data
    with pytest.raises(ValueError, match="has no random_state parameter"):
        SeedAveragingClassifier(StandardScalerClassifier()).fit(X, y)
    with pytest.raises(InvalidParameterError, match="n_estimators"):
        SeedAveragingClassifier(tree(), n_estimators=0).fit(X, y)
    with pytest.raises(InvalidParameterError, match="estimator"):
        SeedAveragingClassifier(StandardScaler()).fit(X, y)
    with pytest.raises(ValueError, match="'n_jobs' parameter of SeedAveragingClassifier must be"):
        SeedAveragingClassifier(tree(), n_jobs=0).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'n_jobs' parameter.*Got True instead"):
        SeedAveragingClassifier(tree(), n_jobs=True).fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        SeedAveragingClassifier(tree()).fit(X, np.linspace(0, 1, len(y)))
    model = SeedAveragingClassifier(tree(), n_estimators=2).fit(X, y)
    model.set_params(n_jobs=0)
    with pytest.raises(ValueError, match="'n_jobs' parameter of SeedAveragingClassifier"):
        model.predict_proba(X)


class StandardScalerClassifier(LogisticRegression):
    """A classifier with no random_state parameter."""

    def __init__(self, C=1.0):
        self.C = C

    def get_params(self, deep=True):
        return {"C": self.C}


def test_clone_pickle_and_cross_val_score(data):
    X, y = data
    model = SeedAveragingClassifier(tree(), n_estimators=3, random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    fresh = clone(model)
    assert not hasattr(fresh, "estimators_") and fresh.get_params()["n_estimators"] == 3
    scores = cross_val_score(clone(model), X, y, cv=3, scoring="roc_auc")
    assert scores.shape == (3,) and np.all(scores > 0.8)
