"""The evaluation core's helpers that the study and the held-out script share."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from whalefeat import _evaluation


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 15)
    return rng.normal(size=(30, 2)) + y[:, None], y


def test_n_iter_reads_the_last_steps_scalar_count(data):
    X, y = data
    boosting = make_pipeline(StandardScaler(), HistGradientBoostingClassifier(max_iter=4))
    assert _evaluation.n_iter(boosting.fit(X, y)) == 4
    assert _evaluation.n_iter(HistGradientBoostingClassifier(max_iter=2).fit(X, y)) == 2
    # LogisticRegression's n_iter_ is an array (one count per class problem): not reported
    logistic = LogisticRegression().fit(X, y)
    assert np.ndim(logistic.n_iter_) == 1
    assert _evaluation.n_iter(logistic) is None
    assert _evaluation.n_iter(StandardScaler().fit(X)) is None


def test_fold_rows_carry_n_iter(data):
    X, y = data
    result = _evaluation.cross_validate(
        HistGradientBoostingClassifier(max_iter=3), X, y, n_folds=3, seed=0
    )
    assert [row["n_iter"] for row in result.rows] == [3, 3, 3]


def test_load_average(monkeypatch):
    monkeypatch.setattr(_evaluation.os, "getloadavg", lambda: (1.23456, 0.5, 0.25))
    assert _evaluation.load_average() == 1.23

    def unavailable():
        raise OSError("no load average here")

    monkeypatch.setattr(_evaluation.os, "getloadavg", unavailable)
    assert _evaluation.load_average() is None
