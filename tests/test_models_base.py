"""Behaviour shared by the Keras classifiers (through the small Inception1DClassifier)."""

from __future__ import annotations

import inspect
import io
import pickle
import random
import warnings

import joblib
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from numpy.testing import assert_array_equal  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402

from whalefeat.models import Inception1DClassifier, XceptionClassifier  # noqa: E402

pytestmark = pytest.mark.keras


def series(n=24, n_steps=12, n_channels=2, labels=(0, 1), shift=1.5, seed=0):
    """Series whose first channel is shifted by ``shift * class index``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_steps, n_channels)).astype(np.float32)
    index = np.arange(n) % len(labels)
    X[:, :, 0] += shift * index[:, np.newaxis]
    return X, np.asarray(labels)[index]


def small(**params):
    defaults = dict(filters=4, epochs=1, batch_size=8, random_state=0)
    return Inception1DClassifier(**{**defaults, **params})


LEARN = dict(epochs=30, batch_size=4, learning_rate=0.02)


# ----------------------------------------------------------------------------- labels


def test_string_labels_binary():
    X, y = series(labels=("noise", "upcall"))
    clf = small().fit(X, y)
    assert clf.classes_.tolist() == ["noise", "upcall"]
    proba = clf.predict_proba(X)
    assert proba.shape == (24, 2) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    predicted = clf.predict(X)
    assert set(predicted) <= {"noise", "upcall"}
    assert_array_equal(predicted, clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, y) == np.mean(predicted == y)


def test_multiclass_integer_labels():
    X, y = series(n=48, labels=(11, 3, 7), shift=3.0)
    clf = small(**LEARN).fit(X, y)
    assert clf.classes_.tolist() == [3, 7, 11]
    assert clf.predict_proba(X).shape == (48, 3)
    assert clf.model_.output_shape == (None, 3)
    assert clf.score(X, y) == 1.0


def test_one_class_is_an_error():
    X, _ = series()
    with pytest.raises(ValueError, match="at least 2 classes"):
        small().fit(X, np.ones(len(X)))


def test_continuous_target_is_an_error():
    X, _ = series()
    with pytest.raises(ValueError, match="Unknown label type"):
        small().fit(X, np.linspace(0, 1, len(X)))


def test_y_none_is_an_error():
    X, _ = series()
    with pytest.raises(ValueError, match="requires y"):
        small().fit(X, None)


# ----------------------------------------------------------------------------- shapes


def test_input_shape_is_remembered_and_checked():
    X, y = series()
    clf = small(epochs=1).fit(X, y)
    assert clf.input_shape_ == (12, 2)
    assert clf.n_features_in_ == 12
    with pytest.raises(ValueError, match=r"per-sample shape \(12, 3\).*\(12, 2\)"):
        clf.predict(np.zeros((3, 12, 3)))
    with pytest.raises(ValueError, match="X has 13 features"):
        clf.predict(np.zeros((3, 13, 2)))
    with pytest.raises(ValueError, match=r"per-sample shape \(12,\)"):
        clf.predict(np.zeros((3, 12)))


def test_wrong_dimensions_are_errors():
    X, y = series()
    with pytest.raises(ValueError, match="Expected 2D array"):
        small().fit(X[:, 0, 0], y)
    with pytest.raises(ValueError, match=r"expects a 2-D or 3-D array X.*\(24, 12, 2, 1\)"):
        small().fit(X[..., np.newaxis], y)


def test_non_finite_input_is_an_error():
    X, y = series()
    X[3, 4, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        small().fit(X, y)


# ------------------------------------------------------------------- params and clone


@pytest.mark.parametrize("cls", [Inception1DClassifier, XceptionClassifier])
def test_get_set_params_cover_every_constructor_argument(cls):
    names = list(inspect.signature(cls).parameters)
    estimator = cls()
    assert sorted(estimator.get_params()) == sorted(names)
    for name in names:
        sentinel = object()
        estimator.set_params(**{name: sentinel})
        assert estimator.get_params()[name] is sentinel


def test_clone_of_fitted_is_unfitted_with_same_params():
    X, y = series()
    clf = small(epochs=1, class_weight="balanced").fit(X, y)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "model_") and not hasattr(copy, "classes_")
    with pytest.raises(NotFittedError):
        copy.predict(X)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"validation_split": 1.0}, "validation_split"),
        ({"class_weight": "even"}, "class_weight"),
        ({"verbose": 3}, "verbose"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"architecture": "resnet"}, "architecture"),
    ],
)
def test_invalid_parameters(params, match):
    X, y = series()
    with pytest.raises(InvalidParameterError, match=match):
        small(**params).fit(X, y)


# --------------------------------------------------------------- pickling and state


def test_pickle_round_trip_predicts_exactly_the_same():
    X, y = series()
    clf = small(epochs=2).fit(X, y)
    state = clf.__getstate__()
    assert "model_" not in state
    assert state["_model_keras_bytes"][:2] == b"PK"  # a .keras file is a zip archive
    assert hasattr(clf, "model_")  # pickling leaves the estimator untouched
    restored = pickle.loads(pickle.dumps(clf))
    assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.history_ == clf.history_
    buffer = io.BytesIO()
    joblib.dump(clf, buffer)
    buffer.seek(0)
    assert_array_equal(joblib.load(buffer).predict_proba(X), clf.predict_proba(X))
    assert_array_equal(restored.classes_, clf.classes_)
    # the restored network trains on
    restored.set_params(warm_start=True).fit(X, y)
    assert restored.n_iter_ == 4


def test_same_random_state_gives_identical_predictions():
    X, y = series()
    first = small(epochs=3, random_state=7).fit(X, y).predict_proba(X)
    second = small(epochs=3, random_state=7).fit(X, y).predict_proba(X)
    other = small(epochs=3, random_state=8).fit(X, y).predict_proba(X)
    assert_array_equal(first, second)
    assert not np.array_equal(first, other)


def test_random_state_instance_draws_new_seeds():
    X, y = series()
    a = small(random_state=np.random.RandomState(3)).fit(X, y).predict_proba(X)
    b = small(random_state=np.random.RandomState(3)).fit(X, y).predict_proba(X)
    assert_array_equal(a, b)
    rs = np.random.RandomState(3)
    clf = small(random_state=rs)
    assert not np.array_equal(clf.fit(X, y).predict_proba(X), clf.fit(X, y).predict_proba(X))


def test_fit_leaves_global_random_streams_alone():
    X, y = series()
    random.seed(123)
    np.random.seed(123)  # noqa: NPY002
    expected = (random.random(), np.random.random())  # noqa: NPY002
    random.seed(123)
    np.random.seed(123)  # noqa: NPY002
    small(epochs=1, random_state=0).fit(X, y)
    assert (random.random(), np.random.random()) == expected  # noqa: NPY002


def test_interleaved_estimators_do_not_interfere():
    X, y = series()
    X2, y2 = series(n=30, n_steps=9, n_channels=3, labels=("a", "b", "c"), seed=1)

    def run(order):
        """Fit a and b, then train each one more epoch (warm start), in ``order``."""
        a, b = small(random_state=1), small(random_state=2)
        steps = {"a": lambda: a.fit(X, y), "b": lambda: b.fit(X2, y2)}
        predictions = {}
        for name in order:
            estimator = steps[name]()
            if name in predictions:  # second visit: record after the warm start
                predictions[name] = estimator.predict_proba(X if name == "a" else X2)
            else:
                predictions[name] = None
                estimator.set_params(warm_start=True)
        return predictions

    one_after_the_other = run("aabb")
    interleaved = run("abab")
    assert_array_equal(interleaved["a"], one_after_the_other["a"])
    assert_array_equal(interleaved["b"], one_after_the_other["b"])

    a = small(random_state=1).fit(X, y)
    before = a.predict_proba(X)
    small(random_state=1).fit(X2, y2)  # same seed, another estimator
    assert_array_equal(a.predict_proba(X), before)


# ------------------------------------------------------------------ training options


def test_history_and_n_iter():
    X, y = series()
    clf = small(epochs=3).fit(X, y)
    assert set(clf.history_) == {"loss", "accuracy"}
    assert all(len(v) == 3 for v in clf.history_.values())
    assert all(isinstance(v, float) for v in clf.history_["loss"])
    assert clf.n_iter_ == 3


def test_validation_split_with_early_stopping():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 10, 1)).astype(np.float32)
    y = rng.permutation(np.repeat([0, 1], 20))  # nothing to learn: val_loss soon rises
    clf = small(epochs=40, validation_split=0.25, patience=2, learning_rate=0.05, filters=16).fit(
        X, y
    )
    assert set(clf.history_) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert clf.n_iter_ < 40
    assert len(clf.history_["val_loss"]) == clf.n_iter_
    # the validation set is a quarter of the samples, stratified: 5 of each class
    assert {round(a * 10) for a in clf.history_["val_accuracy"]} <= set(range(11))


def test_early_stopping_without_validation_monitors_the_training_loss():
    X, y = series()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras warns when the monitored metric is missing
        clf = small(epochs=3, patience=1).fit(X, y)
    assert "val_loss" not in clf.history_


def test_validation_split_is_stratified_and_seeded():
    X, y = series(n=20)
    clf = small(validation_split=0.2)
    (X_train, y_train), (X_val, y_val) = clf._split_validation(X, y)
    assert np.bincount(y_val).tolist() == [2, 2]
    assert np.bincount(y_train).tolist() == [8, 8]
    (_, _), (X_val2, _) = clf._split_validation(X, y)
    assert_array_equal(X_val, X_val2)


def test_validation_split_too_small_is_a_clear_error():
    X, y = series(n=4)
    with pytest.raises(ValueError, match="validation_split=0.9 cannot split 4 samples"):
        small(validation_split=0.9).fit(X, y)


def test_class_weight_encoding():
    classes = np.array(["a", "b", "c"])
    y_encoded = np.array([0, 0, 0, 0, 1, 1, 2, 2])
    balanced = small(class_weight="balanced")._encoded_class_weight(classes, y_encoded)
    assert balanced == {0: 8 / 12, 1: 8 / 6, 2: 8 / 6}
    given = small(class_weight={"b": 3.0})._encoded_class_weight(classes, y_encoded)
    assert given == {0: 1.0, 1: 3.0, 2: 1.0}
    assert small()._encoded_class_weight(classes, y_encoded) is None
    with pytest.raises(ValueError, match=r"class_weight has labels \['z'\]"):
        small(class_weight={"z": 2.0})._encoded_class_weight(classes, y_encoded)


def test_class_weight_shifts_predictions_to_the_weighted_class():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 8, 1)).astype(np.float32)  # uninformative
    y = np.array(["common"] * 30 + ["rare"] * 10)
    params = dict(epochs=15, learning_rate=0.01)
    plain = small(**params).fit(X, y).predict(X)
    weighted = small(**params, class_weight={"rare": 20.0}).fit(X, y).predict(X)
    assert np.mean(plain == "rare") < 0.5 < np.mean(weighted == "rare")


def test_callbacks_are_copied_and_used(tmp_path):
    log = tmp_path / "log.csv"
    callback = keras.callbacks.CSVLogger(str(log))
    X, y = series()
    clf = small(epochs=3, callbacks=[callback]).fit(X, y)
    assert len(log.read_text().strip().splitlines()) == 1 + 3  # header + one row per epoch
    assert callback.model is None  # the object passed in was never attached
    clone(clf).fit(X, y)  # and can be reused


def test_optimizer_specifications():
    X, y = series()
    instance = keras.optimizers.SGD(learning_rate=0.2, momentum=0.5)
    for optimizer in ["sgd", {"class_name": "SGD", "config": {"momentum": 0.9}}, instance]:
        small(epochs=1, optimizer=optimizer).fit(X, y)
    assert not instance.built  # a fresh copy was trained, not the instance
    built = small(optimizer=instance, learning_rate=0.05)._optimizer(keras, 0.05)
    assert type(built) is keras.optimizers.SGD and built is not instance
    assert float(built.learning_rate) == pytest.approx(0.05)
    assert float(built.momentum) == pytest.approx(0.5)
    own = small(optimizer=instance)._optimizer(keras, None)
    assert float(own.learning_rate) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="optimizer='nope'"):
        small(optimizer="nope").fit(X, y)


@pytest.mark.parametrize("verbose, printed", [(0, False), (2, True)])
def test_verbose(verbose, printed, capsys):
    X, y = series()
    small(epochs=1, verbose=verbose).fit(X, y)
    assert ("loss:" in capsys.readouterr().out) is printed


def test_warm_start_continues_training():
    X, y = series(labels=("x", "y"))
    clf = small(epochs=2).fit(X, y)
    model = clf.model_
    weights = [w.copy() for w in model.get_weights()]
    clf.set_params(warm_start=True).fit(X, y)
    assert clf.model_ is model
    assert clf.n_iter_ == 4 and len(clf.history_["loss"]) == 4
    assert any(not np.array_equal(a, b) for a, b in zip(weights, model.get_weights(), strict=True))
    with pytest.raises(ValueError, match=r"labels \['z'\] that were not seen"):
        clf.fit(X, np.where(y == "x", "z", y))
    with pytest.raises(ValueError, match="X has 11 features"):
        clf.fit(X[:, :11], y)
    clf.set_params(warm_start=False).fit(X, y)
    assert clf.model_ is not model and clf.n_iter_ == 2


# ------------------------------------------------------------------ model selection


def test_grid_search_over_one_parameter_with_string_labels():
    X, y = series(n=48, labels=("noise", "upcall"))
    search = GridSearchCV(
        small(epochs=10), {"learning_rate": [1e-5, 0.05]}, cv=2, scoring="roc_auc"
    ).fit(X, y)
    assert search.best_params_ == {"learning_rate": 0.05}
    assert search.cv_results_["mean_test_score"][1] > 0.9
    assert search.best_estimator_.classes_.tolist() == ["noise", "upcall"]
    assert search.score(X, y) > 0.9
