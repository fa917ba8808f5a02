"""The average of one model fitted under several seeds: :class:`SeedAveragingClassifier`."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._compat import HasMethods, Interval, _fit_context
from ._validation import N_JOBS_CONSTRAINTS

__all__ = ["SeedAveragingClassifier"]


class SeedAveragingClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Fit one classifier under several seeds on the same data and average its probabilities.

    Each of the ``n_estimators`` members is a clone of ``estimator`` whose
    every ``random_state`` parameter (its own and, for a pipeline or another
    meta-estimator, those of its steps: every key of ``get_params()`` that ends
    in ``random_state``) is set to a seed of its own, drawn from
    ``random_state`` in :meth:`fit`; every member is fitted on all the training
    data, in the same order. :meth:`predict_proba` is the mean of the members'
    probabilities (a soft vote of equal weights), :meth:`predict` its most
    probable class.

    Unlike bagging (:class:`sklearn.ensemble.BaggingClassifier`), no member
    sees a resample or a subset of the training data; the members differ only
    where the model itself is random, for example the up-call templates that
    :class:`~whalefeat.TemplateMatcher` draws. Averaging them removes part of
    the variance that a single seed leaves in the scores.

    Parameters
    ----------
    estimator : classifier
        The model to fit under each seed; it must have ``predict_proba`` and
        at least one ``random_state`` parameter (otherwise every member would
        be the same model). It is cloned, never fitted itself.
    n_estimators : int, default=5
        Number of members.
    random_state : int, RandomState instance or None, default=None
        Draws the members' seeds (one 31-bit integer each) in :meth:`fit`.
    n_jobs : int or None, default=None
        Members fitted and applied in parallel by joblib (``-1``: one worker
        per core; None: one, unless in a :func:`joblib.parallel_backend`
        context). The result does not depend on it nor on the backend.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members, in the order of ``seeds_``.
    seeds_ : ndarray of shape (n_estimators,)
        The seed each member's ``random_state`` parameters were set to.
    classes_ : ndarray of shape (n_classes,)
        Class labels, those of the members.
    n_features_in_ : int
        Number of features seen in :meth:`fit`, where the estimator records it.
    feature_names_in_ : ndarray of str
        Names of the features seen in :meth:`fit`, where the estimator records
        them.

    See Also
    --------
    sklearn.ensemble.VotingClassifier : A soft vote of different models.
    sklearn.ensemble.BaggingClassifier : Members fitted on resamples of the data.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from whalefeat.ensemble import SeedAveragingClassifier
    >>> X, y = make_classification(200, n_features=6, random_state=0)
    >>> model = SeedAveragingClassifier(
    ...     DecisionTreeClassifier(max_features=2), n_estimators=4, random_state=0
    ... ).fit(X, y)
    >>> len(model.estimators_), model.predict_proba(X[:1]).shape
    (4, (1, 2))
    >>> len(set(model.seeds_))
    4
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": N_JOBS_CONSTRAINTS,
    }

    def __init__(
        self,
        estimator: BaseEstimator,
        *,
        n_estimators: int = 5,
        random_state: int | np.random.RandomState | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _seed_keys(self) -> list[str]:
        keys = [
            key
            for key in self.estimator.get_params(deep=True)
            if key == "random_state" or key.endswith("__random_state")
        ]
        if not keys:
            raise ValueError(
                f"estimator {type(self.estimator).__name__} has no random_state parameter: "
                "its members would all be the same model"
            )
        return keys

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: ArrayLike, y: ArrayLike, **fit_params) -> SeedAveragingClassifier:
        """Fit ``n_estimators`` clones of ``estimator``, each under a seed of its own.

        Parameters
        ----------
        X : array-like or list
            Training data, in any form ``estimator`` takes (clip paths for a
            pipeline of :mod:`whalefeat.pipelines`).
        y : array-like of shape (n_samples,)
            Class labels.
        **fit_params
            Passed to every member's ``fit``.

        Returns
        -------
        self : SeedAveragingClassifier
            This classifier, fitted.
        """
        keys = self._seed_keys()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        generator = check_random_state(self.random_state)
        seeds = generator.randint(np.iinfo(np.int32).max, size=self.n_estimators)
        members = [
            clone(self.estimator).set_params(**{key: int(seed) for key in keys}) for seed in seeds
        ]
        self.estimators_ = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_member)(member, X, y, fit_params) for member in members
        )
        self.seeds_ = seeds
        self.classes_ = self.estimators_[0].classes_
        for member in self.estimators_[1:]:
            if not np.array_equal(member.classes_, self.classes_):
                raise ValueError(
                    f"the members learned different classes ({self.classes_} and "
                    f"{member.classes_}): {type(self.estimator).__name__} is not "
                    "deterministic in its classes"
                )
        first = self.estimators_[0]
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(first, name):
                setattr(self, name, getattr(first, name))
        return self

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """The mean of the members' class probabilities.

        Parameters
        ----------
        X : array-like or list
            Data in the form seen in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        self._validate_params()
        probabilities = Parallel(n_jobs=self.n_jobs)(
            delayed(member.predict_proba)(X) for member in self.estimators_
        )
        return np.mean(probabilities, axis=0)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The class of largest mean probability.

        Parameters
        ----------
        X : array-like or list
            Data in the form seen in :meth:`fit`.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            One of ``classes_`` for every sample.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags = inner.input_tags
        tags.non_deterministic = inner.non_deterministic
        return tags


def _fit_member(member, X, y, fit_params):
    return member.fit(X, y, **fit_params)
