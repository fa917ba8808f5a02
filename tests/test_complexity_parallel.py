"""ComplexityEntropyCurve gives the serial result under every joblib backend and n_jobs."""

from __future__ import annotations

import numpy as np
import pytest
from joblib import parallel_config

from whalefeat.complexity import ComplexityEntropyCurve


def _data():
    rng = np.random.default_rng(40)
    signals = rng.integers(0, 4, (9, 200)).astype(float)
    spectrograms = rng.random((5, 12, 7))
    return signals, spectrograms


def _curves():
    return [
        ComplexityEntropyCurve(dimension=3, q=[0.5, 2.0], ties="jitter", random_state=2),
        ComplexityEntropyCurve(dimension=3, measure="shannon", window=50, hop=30),
    ]


def _serial():
    signals, spectrograms = _data()
    return [
        [
            curve.fit(X).transform(X)
            for X in (signals, spectrograms)
            if not (curve.window and X.ndim == 3)
        ]
        for curve in _curves()
    ]


def _under_backend(backend, n_jobs, **backend_kwargs):
    signals, spectrograms = _data()
    results = []
    for curve in _curves():
        curve.set_params(n_jobs=n_jobs)
        row = []
        for X in (signals, spectrograms):
            if curve.window and X.ndim == 3:
                continue
            curve.fit(X)
            with parallel_config(backend=backend, **backend_kwargs):
                row.append(curve.transform(X))
        results.append(row)
    return results


def _assert_same(results, expected):
    for row, expected_row in zip(results, expected, strict=True):
        for values, serial in zip(row, expected_row, strict=True):
            np.testing.assert_array_equal(values, serial)


@pytest.mark.parametrize(
    ("backend", "n_jobs"),
    [("threading", 2), ("threading", -1), ("loky", 2), ("multiprocessing", 2)],
)
def test_every_backend_gives_the_serial_result(backend, n_jobs):
    _assert_same(_under_backend(backend, n_jobs), _serial())


@pytest.mark.parametrize("processes", [False, True])
def test_dask_gives_the_serial_result(processes):
    distributed = pytest.importorskip("distributed")
    expected = _serial()
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=processes, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        # n_jobs=None counts the dask workers: the blocks go to them too
        for n_jobs in (None,) if processes else (None, 2):
            _assert_same(_under_backend("dask", n_jobs), expected)
