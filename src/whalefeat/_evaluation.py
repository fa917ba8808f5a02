"""The evaluation core shared by ``whalefeat evaluate`` and ``benchmarks/study.py``.

One fold loop, one metric list and one record of the environment, so that the
command line and the study measure the same things the same way:

- :func:`stratified_splits` draws stratified K-fold splits with a fixed seed;
  any other list of ``(train, test)`` index pairs (a train/test split of one's
  own, say) can be given to :func:`cross_validate` instead.
- :func:`fit_and_score` fits a clone of an estimator on one training set and
  scores it on the test set under one or more *conditions*: ``"clean"`` (the
  test clips as they are) and any others, each a function of the test clips
  and the fold's index (:func:`noisy_condition` adds noise with
  :func:`whalefeat.add_noise`, seeded per fold).
- :func:`cross_validate` runs it over every split and returns an
  :class:`Evaluation`: one row per fold and condition, the out-of-fold scores
  of every clip, and the mean and standard deviation of every metric
  (:func:`summarise`).
- :func:`environment` records the machine and the versions of the packages;
  :func:`load_average` the load of the machine, which other processes share.

A fold's row holds ``fold`` (1 for the first split), ``condition``,
``n_train``, ``n_test``, the :data:`METRICS` (ROC AUC of the positive class's
probability; accuracy, F1, recall and precision of the class of highest
probability, which is what ``predict`` returns), ``fit_time_s``,
``predict_time_s`` and ``n_iter`` (the epochs or boosting iterations the last
step ran, when it says; else None).

Examples
--------
>>> import numpy as np
>>> from sklearn.linear_model import LogisticRegression
>>> from whalefeat._evaluation import cross_validate
>>> rng = np.random.default_rng(0)
>>> y = np.repeat([0, 1], 20)
>>> X = rng.normal(size=(40, 3)) + y[:, None]
>>> result = cross_validate(LogisticRegression(), X, y, n_folds=4, seed=0)
>>> [row["fold"] for row in result.rows]
[1, 2, 3, 4]
>>> summary = result.summary()[0]
>>> summary["condition"], bool(summary["roc_auc_mean"] > 0.8)
('clean', True)
"""

from __future__ import annotations

import os
import platform
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "METRICS",
    "METRIC_TITLES",
    "TIMES",
    "Evaluation",
    "cross_validate",
    "environment",
    "fit_and_score",
    "fold_metrics",
    "load_average",
    "n_iter",
    "noisy_condition",
    "positive_scores",
    "stratified_splits",
    "summarise",
    "versions",
]

#: the metrics of every fold, in the order reports show them
METRICS = ("roc_auc", "accuracy", "f1", "recall", "precision")
METRIC_TITLES = {
    "roc_auc": "ROC AUC",
    "accuracy": "accuracy",
    "f1": "F1",
    "recall": "recall",
    "precision": "precision",
}
#: the timings of every fold, in seconds
TIMES = ("fit_time_s", "predict_time_s")
#: packages whose versions :func:`versions` records (those installed)
PACKAGES = (
    "whalefeat",
    "numpy",
    "scipy",
    "scikit-learn",
    "numba",
    "soundfile",
    "joblib",
    "pandas",
    "keras",
    "tensorflow",
    "jax",
    "torch",
    "matplotlib",
    "dask",
    "distributed",
)

#: a condition: the test clips of a fold (and the fold's index, from 0) -> the clips scored
Condition = Callable[[np.ndarray, int], np.ndarray]


def stratified_splits(
    y: ArrayLike, n_folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified K-fold ``(train, test)`` index pairs, shuffled with ``seed``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels.
    n_folds : int
        Number of folds, at least 2.
    seed : int
        Seed of the shuffle: the same seed gives the same folds.

    Returns
    -------
    splits : list of (ndarray, ndarray)

    Examples
    --------
    >>> splits = stratified_splits([0, 0, 1, 1, 0, 1], 3, seed=0)
    >>> [len(test) for _, test in splits]
    [2, 2, 2]
    """
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y)
    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros((len(y), 1)), y))


def fold_metrics(y_true: ArrayLike, score: ArrayLike, y_pred: ArrayLike) -> dict[str, float]:
    """The :data:`METRICS` of one test set.

    Parameters
    ----------
    y_true : array-like of 0/1
        True labels.
    score : array-like of float
        Probability (or any score) of class 1, for the ROC AUC.
    y_pred : array-like of 0/1
        Predicted labels, for the others.

    Returns
    -------
    metrics : dict of str to float
        ROC AUC is NaN when ``y_true`` holds one class only.

    Examples
    --------
    >>> fold_metrics([0, 1, 1], [0.2, 0.9, 0.4], [0, 1, 0])["recall"]
    0.5
    """
    from sklearn.metrics import (
        accuracy_score,
        f1_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    y_true = np.asarray(y_true)
    auc = float(roc_auc_score(y_true, score)) if len(np.unique(y_true)) == 2 else float("nan")
    return {
        "roc_auc": auc,
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "f1": float(f1_score(y_true, y_pred, zero_division=0)),
        "recall": float(recall_score(y_true, y_pred, zero_division=0)),
        "precision": float(precision_score(y_true, y_pred, zero_division=0)),
    }


def positive_scores(model: object, X: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Probability of class 1 and the class of highest probability, for each row of ``X``.

    Parameters
    ----------
    model : fitted classifier with ``predict_proba`` and ``classes_``
        Its classes must include 1.
    X : array-like
        What the model predicts from.

    Returns
    -------
    score : ndarray of float
    y_pred : ndarray
        What ``model.predict(X)`` returns for a probabilistic classifier.
    """
    proba = np.asarray(model.predict_proba(X))
    classes = list(model.classes_)
    if 1 not in classes:
        raise ValueError(f"the model's classes are {classes}; evaluation needs class 1")
    return proba[:, classes.index(1)], np.asarray(classes)[np.argmax(proba, axis=1)]


def n_iter(model: object) -> int | None:
    """The epochs or boosting iterations the last step of ``model`` ran, if it says.

    Parameters
    ----------
    model : fitted estimator or pipeline
        Its last step's ``n_iter_`` is read (networks: epochs run after early
        stopping; histogram gradient boosting: iterations).

    Returns
    -------
    n_iter : int or None
        None when the step has no scalar ``n_iter_``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import HistGradientBoostingClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = np.arange(8.0)[:, None], np.array([0, 0, 0, 0, 1, 1, 1, 1])
    >>> n_iter(StandardScaler().fit(X)) is None
    True
    >>> model = make_pipeline(StandardScaler(), HistGradientBoostingClassifier(max_iter=3))
    >>> n_iter(model.fit(X, y))
    3
    """
    last = model[-1] if hasattr(model, "steps") else model
    value = getattr(last, "n_iter_", None)
    if value is None or np.ndim(value) != 0:
        return None
    return int(value)


def _take(X, indices: np.ndarray):
    if hasattr(X, "iloc"):
        return X.iloc[indices]
    return np.asarray(X)[indices] if not hasattr(X, "shape") else X[indices]


def fit_and_score(
    estimator: object,
    X: ArrayLike,
    y: ArrayLike,
    train: ArrayLike,
    test: ArrayLike,
    *,
    fold: int = 0,
    conditions: Mapping[str, Condition | None] | None = None,
) -> tuple[list[dict], dict[str, np.ndarray], object]:
    """Fit a clone of ``estimator`` on ``train`` and score it on ``test`` per condition.

    Parameters
    ----------
    estimator : classifier
        Cloned, never fitted itself.
    X : array-like
        Everything it can fit on: clip paths for a pipeline that starts with
        an :class:`~whalefeat.AiffLoader`, or decoded clips.
    y : array-like of 0/1
    train, test : array-like of int
        Row indices.
    fold : int, default=0
        The split's index from 0: rows report ``fold + 1``, and conditions get
        it to seed their randomness.
    conditions : mapping of str to callable or None, default=None
        How the test rows are presented: ``name -> f(X_test, fold)``, or None
        for the test rows as they are. The default is ``{"clean": None}``.

    Returns
    -------
    rows : list of dict
        One per condition, in order (see the module's description).
    scores : dict of str to ndarray
        Probability of class 1 of each test row, per condition.
    model : fitted estimator

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.arange(8.0)[:, None]
    >>> y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    >>> rows, scores, _ = fit_and_score(LogisticRegression(), X, y, [0, 1, 6, 7],
    ...                                 [2, 3, 4, 5])
    >>> rows[0]["accuracy"], rows[0]["n_test"]
    (1.0, 4)
    """
    from sklearn.base import clone

    conditions = {"clean": None} if conditions is None else dict(conditions)
    train, test = np.asarray(train), np.asarray(test)
    y = np.asarray(y)
    model = clone(estimator)
    start = time.perf_counter()
    model.fit(_take(X, train), y[train])
    fit_time = time.perf_counter() - start
    X_test = _take(X, test)
    rows, scores = [], {}
    for name, condition in conditions.items():
        data = X_test if condition is None else condition(X_test, fold)
        start = time.perf_counter()
        score, predicted = positive_scores(model, data)
        predict_time = time.perf_counter() - start
        scores[name] = score
        rows.append(
            {
                "fold": fold + 1,
                "condition": name,
                "n_train": int(len(train)),
                "n_test": int(len(test)),
                **fold_metrics(y[test], score, predicted),
                "fit_time_s": fit_time,
                "predict_time_s": predict_time,
                "n_iter": n_iter(model),
            }
        )
    return rows, scores, model


@dataclass
class Evaluation:
    """What :func:`cross_validate` measured.

    Attributes
    ----------
    rows : list of dict
        One per fold and condition, fold by fold.
    scores : dict of str to ndarray of shape (n_samples,)
        Out-of-fold probability of class 1 of every row, per condition (NaN
        for rows that no split tests).
    fold_of : ndarray of shape (n_samples,)
        The index (from 0) of the split that tests each row; -1 if none.
    """

    rows: list[dict] = field(default_factory=list)
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    fold_of: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int))

    def summary(self, by: Sequence[str] = ("condition",)) -> list[dict]:
        """:func:`summarise` of :attr:`rows`."""
        return summarise(self.rows, by=by)


def cross_validate(
    estimator: object,
    X: ArrayLike,
    y: ArrayLike,
    *,
    n_folds: int = 5,
    seed: int = 0,
    splits: Iterable[tuple[Sequence[int], Sequence[int]]] | None = None,
    conditions: Mapping[str, Condition | None] | None = None,
    on_fold: Callable[[list[dict]], None] | None = None,
) -> Evaluation:
    """Fit and score ``estimator`` on every split.

    Parameters
    ----------
    estimator : classifier
        A fresh clone is fitted on each training set.
    X : array-like
        Clip paths (for a pipeline with a loader) or decoded clips.
    y : array-like of 0/1
    n_folds : int, default=5
        Number of stratified folds, when ``splits`` is None.
    seed : int, default=0
        Seed of the stratified folds' shuffle, when ``splits`` is None.
    splits : iterable of (train, test) index pairs, default=None
        The splits to run instead of stratified K-fold (for example one
        train/test split).
    conditions : mapping of str to callable or None, default=None
        See :func:`fit_and_score`; the default scores the test rows as they are,
        as condition ``"clean"``.
    on_fold : callable, default=None
        Called with the rows of each fold once it is scored (progress).

    Returns
    -------
    evaluation : Evaluation

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> y = np.array([0, 1] * 5)
    >>> result = cross_validate(DummyClassifier(), np.zeros((10, 1)), y, n_folds=2,
    ...                         conditions={"clean": None, "shifted": lambda X, f: X + 1})
    >>> [(row["fold"], row["condition"]) for row in result.rows]
    [(1, 'clean'), (1, 'shifted'), (2, 'clean'), (2, 'shifted')]
    """
    y = np.asarray(y)
    if splits is None:
        splits = stratified_splits(y, n_folds, seed)
    names = ["clean"] if conditions is None else list(conditions)
    result = Evaluation(
        scores={name: np.full(len(y), np.nan) for name in names},
        fold_of=np.full(len(y), -1, dtype=int),
    )
    for fold, (train, test) in enumerate(splits):
        rows, scores, _ = fit_and_score(
            estimator, X, y, train, test, fold=fold, conditions=conditions
        )
        test = np.asarray(test)
        result.fold_of[test] = fold
        for name, score in scores.items():
            result.scores[name][test] = score
        result.rows += rows
        if on_fold is not None:
            on_fold(rows)
    return result


def summarise(
    rows: Sequence[Mapping],
    *,
    by: Sequence[str] = ("condition",),
    keys: Sequence[str] = (*METRICS, *TIMES),
) -> list[dict]:
    """Mean and (population) standard deviation of ``keys`` over rows that share ``by``.

    Parameters
    ----------
    rows : sequence of dict
        Fold rows, as :func:`fit_and_score` makes them.
    by : sequence of str, default=("condition",)
        Columns whose values form a group (for the study, pipeline and
        condition); groups come in order of first appearance.
    keys : sequence of str, default=METRICS + TIMES
        The columns to summarise.

    Returns
    -------
    summary : list of dict
        Per group: the ``by`` columns, ``n_folds``, and ``<key>_mean`` and
        ``<key>_std`` for each key.

    Examples
    --------
    >>> rows = [{"condition": "clean", "roc_auc": 0.8}, {"condition": "clean", "roc_auc": 0.9}]
    >>> summary = summarise(rows, keys=["roc_auc"])[0]
    >>> round(summary["roc_auc_mean"], 6), round(summary["roc_auc_std"], 6)
    (0.85, 0.05)
    """
    groups: dict[tuple, list[Mapping]] = {}
    for row in rows:
        groups.setdefault(tuple(row[column] for column in by), []).append(row)
    summary = []
    for group, members in groups.items():
        entry: dict = dict(zip(by, group, strict=True))
        entry["n_folds"] = len(members)
        for key in keys:
            values = np.array([member[key] for member in members], dtype=float)
            entry[f"{key}_mean"] = float(values.mean())
            entry[f"{key}_std"] = float(values.std())
        summary.append(entry)
    return summary


def noisy_condition(snr_db: float, *, seed: int, kind: str = "white") -> Condition:
    """A condition that adds noise to the (decoded) test clips of each fold.

    Fold ``f`` (from 0) draws its noise with ``random_state = seed * 1000 + f``,
    so every pipeline sees the same noisy clips.

    Parameters
    ----------
    snr_db : float
        Signal-to-noise ratio of :func:`whalefeat.add_noise`.
    seed : int
    kind : str, default="white"
        The noise's colour, as :func:`whalefeat.add_noise` takes it.

    Returns
    -------
    condition : callable
        ``condition(X_test, fold) -> noisy copy of X_test``.

    Examples
    --------
    >>> import numpy as np
    >>> noisy = noisy_condition(0.0, seed=1)
    >>> X = np.ones((2, 100))
    >>> bool(np.allclose(noisy(X, 0), noisy(X, 0))), bool(np.allclose(noisy(X, 0), noisy(X, 1)))
    (True, False)
    """
    from .noise import add_noise

    def condition(X_test, fold: int) -> np.ndarray:
        return add_noise(X_test, snr_db, kind=kind, random_state=seed * 1000 + fold)

    return condition


def versions(packages: Sequence[str] = PACKAGES) -> dict[str, str]:
    """Python's version and each installed package's, by distribution name.

    Parameters
    ----------
    packages : sequence of str, default=PACKAGES
        Distribution names; those not installed are left out.

    Returns
    -------
    versions : dict of str to str
        ``"python"`` first, then each installed package in the order given.

    Examples
    --------
    >>> "python" in versions() and "scikit-learn" in versions()
    True
    """
    found = {"python": platform.python_version()}
    for package in packages:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return found


def load_average() -> float | None:
    """The machine's load average over the last minute, rounded to 0.01.

    Runs share the CPU with other processes; a run records this at its start
    and end so that its timings can be read with the load they ran under.

    Returns
    -------
    load : float or None
        None where the system does not report it.

    Examples
    --------
    >>> load = load_average()
    >>> load is None or load >= 0
    True
    """
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git(repository: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=repository, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def _gpus() -> list[str]:
    try:
        import tensorflow as tf
    except ImportError:
        return []
    return [device.name for device in tf.config.list_physical_devices("GPU")]


def environment(
    *,
    packages: Sequence[str] = PACKAGES,
    repository: str | os.PathLike | None = None,
    gpus: bool = False,
) -> dict:
    """The machine and software a run used.

    Parameters
    ----------
    packages : sequence of str, default=PACKAGES
        Distributions whose versions to record (those not installed are
        left out).
    repository : path, default=None
        A git working tree: its commit (``git_commit``) and the files of its
        ``src`` folder that differ from it (``git_uncommitted_src``).
    gpus : bool, default=False
        Whether to list TensorFlow's GPUs (imports TensorFlow).

    Returns
    -------
    environment : dict
        ``platform``, ``machine``, ``cpu``, ``cpu_count``, ``keras_backend`` and
        ``versions`` (from :func:`versions`); ``gpu``, ``git_commit`` and
        ``git_uncommitted_src`` when asked.

    Examples
    --------
    >>> env = environment()
    >>> sorted(env)[:3]
    ['cpu', 'cpu_count', 'keras_backend']
    """
    env = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": _cpu_name(),
        "cpu_count": os.cpu_count(),
        "keras_backend": os.environ.get("KERAS_BACKEND"),
        "versions": versions(packages),
    }
    if gpus:
        env["gpu"] = _gpus()
    if repository is not None:
        repository = Path(repository)
        env["git_commit"] = _git(repository, "rev-parse", "HEAD")
        env["git_uncommitted_src"] = _git(
            repository, "status", "--porcelain", "--", str(repository / "src")
        )
    return env
