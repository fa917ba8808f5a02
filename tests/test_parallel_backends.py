"""Every estimator that takes ``n_jobs`` gives the serial result under every joblib backend.

Workers of the loky, multiprocessing and dask backends are other processes, so
an estimator that writes into a shared output from its workers returns an
untouched (empty) array there: each case below compares the output under a
backend, with ``n_jobs=2`` and with ``n_jobs=None`` (the context's count), to
the serial run. The dask case needs ``distributed`` (``pip install
"dask[distributed]"``); it runs on a local two-worker cluster started once
for the module, and is skipped where the package is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest
from joblib import parallel_config

from whalefeat import AiffLoader, ComplexityEntropyCurve, Spectrogram
from whalefeat.datasets import make_clips, write_clips
from whalefeat.noise import NoiseInjector

BACKENDS = ["threading", "loky", "multiprocessing", "dask"]


@pytest.fixture(scope="module")
def dask_client():
    """A local dask cluster of two one-thread worker processes, or None without distributed."""
    try:
        distributed = pytest.importorskip("distributed")
    except pytest.skip.Exception:
        yield None
        return
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    X, y = make_clips(6, duration=1.0, random_state=0)
    folder = tmp_path_factory.mktemp("clips")
    paths = write_clips(X, folder, y=y)
    clips = AiffLoader(duration=1.0).transform(paths)
    spectra = Spectrogram(window_length=128, hop_length=64).fit_transform(clips)
    return {"paths": paths, "clips": clips, "spectra": spectra}


def _cases():
    """(name, estimator factory taking n_jobs, input key)."""
    return [
        ("AiffLoader", lambda n: AiffLoader(duration=1.0, n_jobs=n), "paths"),
        (
            "AiffLoader-float64-duration-None",
            lambda n: AiffLoader(duration=None, dtype="float64", n_jobs=n),
            "paths",
        ),
        (
            "Spectrogram",
            lambda n: Spectrogram(window_length=128, hop_length=64, n_jobs=n),
            "clips",
        ),
        (
            "ComplexityEntropyCurve-curve",
            lambda n: ComplexityEntropyCurve(dimension=3, n_jobs=n),
            "clips",
        ),
        (
            "ComplexityEntropyCurve-series",
            lambda n: ComplexityEntropyCurve(dimension=3, measure="shannon", n_jobs=n),
            "spectra",
        ),
        (
            "ComplexityEntropyCurve-windows-jitter",
            lambda n: ComplexityEntropyCurve(
                dimension=3,
                measure="renyi",
                window=200,
                hop=100,
                ties="jitter",
                random_state=0,
                n_jobs=n,
            ),
            "clips",
        ),
    ]


def test_every_n_jobs_estimator_is_covered():
    # an estimator with n_jobs added later must be added to the cases above
    covered = {name.split("-")[0] for name, _, _ in _cases()}
    for estimator in (AiffLoader, Spectrogram, ComplexityEntropyCurve, NoiseInjector):
        if "n_jobs" in estimator().get_params():
            assert estimator.__name__ in covered


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("name", "make", "key"), _cases(), ids=[c[0] for c in _cases()])
def test_backend_equals_serial(backend, name, make, key, data, dask_client):
    if backend == "dask" and dask_client is None:
        pytest.skip("distributed is not installed (pip install 'dask[distributed]')")
    X = data[key]
    serial = make(1).fit_transform(X)
    assert np.all(np.isfinite(serial))
    for n_jobs in (2, None):
        with parallel_config(backend=backend, n_jobs=2):
            out = make(n_jobs).fit_transform(X)
        assert out.dtype == serial.dtype
        np.testing.assert_array_equal(out, serial, err_msg=f"{name}, {backend}, n_jobs={n_jobs}")


@pytest.mark.parametrize("backend", ["loky", "multiprocessing"])
def test_loader_error_from_a_worker_process_names_the_file(backend, data, tmp_path):
    from whalefeat.io import AudioFileError

    bad = tmp_path / "broken.aiff"
    bad.write_bytes(b"FORM\x00\x00\x00\x04AIFF")
    paths = [*data["paths"], str(bad), *data["paths"]]
    with parallel_config(backend=backend, n_jobs=2):
        with pytest.raises(AudioFileError, match="broken.aiff: is not a readable audio file"):
            AiffLoader(duration=1.0, n_jobs=2).transform(paths)
