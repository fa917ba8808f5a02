"""End-to-end tests of ``whalefeat train``, ``predict`` and ``scan``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from whalefeat import pipelines
from whalefeat.cli import main
from whalefeat.datasets import load_challenge, make_clips, write_clips
from whalefeat.detect import RAVEN_COLUMNS, events, load_model, read_selections, scan

ENV = {
    **os.environ,
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "KERAS_BACKEND": "tensorflow",
    "MPLBACKEND": "Agg",
    "PYTHONWARNINGS": "ignore",
}


def whalefeat(*args, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "whalefeat", *map(str, args)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=timeout,
    )


def _one_error_line(text: str) -> str:
    lines = [
        line for line in text.strip().splitlines() if not line.startswith("whalefeat: warning: ")
    ]
    assert len(lines) == 1, text
    assert lines[0].startswith("whalefeat: error: "), text
    return lines[0]


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("labelled")
    X, y = make_clips(40, snr_db=10.0, random_state=0)
    write_clips(X, folder, y=y)
    return folder


@pytest.fixture(scope="module")
def model_file(labelled, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "detector.joblib"
    assert main(["train", str(labelled), "--model", "logistic", "-o", str(path), "-q"]) == 0
    return path


@pytest.fixture(scope="module")
def recordings(labelled, tmp_path_factory):
    """A mono 2-kHz recording of the 40 clips end to end, and a stereo 44.1-kHz one."""
    paths, y = load_challenge(labelled)
    audio = np.concatenate([sf.read(path, dtype="float64")[0] for path in paths])
    folder = tmp_path_factory.mktemp("recordings")
    mono = folder / "mono.wav"
    sf.write(mono, audio, 2000, subtype="PCM_16")
    fast = resample_poly(audio, 441, 20)
    stereo = folder / "nested" / "stereo.flac"
    stereo.parent.mkdir()
    sf.write(
        stereo,
        np.column_stack([fast, fast[::-1]]) / np.abs(fast).max() / 1.01,
        44100,
        subtype="PCM_24",
    )
    return {"mono": mono, "stereo": stereo, "folder": folder, "y": y, "paths": paths}


# ------------------------------------------------------------------------------ train


def test_train_saves_the_fitted_pipeline_with_versions(labelled, model_file):
    import sklearn

    import whalefeat

    model, info = load_model(model_file, with_metadata=True)
    assert info["name"] == "logistic"
    assert info["versions"]["whalefeat"] == whalefeat.__version__
    assert info["versions"]["scikit-learn"] == sklearn.__version__
    assert (info["n_clips"], info["n_positive"], info["seed"]) == (40, 20, 0)
    paths, y = load_challenge(labelled)
    expected = pipelines.get("logistic", random_state=0).fit(paths, y)
    np.testing.assert_allclose(model.predict_proba(paths), expected.predict_proba(paths))


def test_train_usage_and_input_errors(labelled, model_file, tmp_path, capsys):
    assert main(["train", str(labelled), "--model", "logistic", "-o", str(model_file)]) == 1
    assert "already exists; pass --force" in _one_error_line(capsys.readouterr().err)
    assert (
        main(
            [
                "train",
                str(labelled),
                "--model",
                "hgb",
                "--epochs",
                "3",
                "-o",
                str(tmp_path / "m.joblib"),
            ]
        )
        == 2
    )
    assert "argument --epochs: model hgb has no epochs" in _one_error_line(capsys.readouterr().err)
    assert main(["train", str(tmp_path), "--model", "hgb", "-o", str(tmp_path / "m.joblib")]) == 1
    assert "no clips" in _one_error_line(capsys.readouterr().err)
    assert main(["train", str(labelled), "--model", "hgb"]) == 2
    assert "required: -o/--output" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_train_hgb_with_a_setting(labelled, tmp_path, capsys):
    path = tmp_path / "hgb.joblib"
    assert (
        main(
            [
                "train",
                str(labelled),
                "--model",
                "hgb",
                "--set",
                "classifier__max_iter=5",
                "--hop-length",
                "256",
                "--seed",
                "3",
                "-o",
                str(path),
            ]
        )
        == 0
    )
    assert "fitting hgb on 40 clips" in capsys.readouterr().err
    model, info = load_model(path, with_metadata=True)
    assert model.get_params()["classifier__max_iter"] == 5
    assert model.get_params()["classifier__random_state"] == 3
    assert model.get_params()["spectrogram__hop_length"] == 256
    assert info["settings"] == {"spectrogram__hop_length": 256, "classifier__max_iter": 5}


def test_evaluate_save_writes_the_same_format(labelled, tmp_path, capsys):
    path = tmp_path / "evaluated.joblib"
    assert (
        main(
            [
                "evaluate",
                str(labelled),
                "--model",
                "logistic",
                "--folds",
                "2",
                "-q",
                "--save",
                str(path),
            ]
        )
        == 0
    )
    capsys.readouterr()
    model, info = load_model(path, with_metadata=True)
    assert info["name"] == "logistic" and info["n_clips"] == 40


# ------------------------------------------------------------------------------ predict


def test_predict_writes_clip_scores(labelled, model_file, tmp_path):
    output = tmp_path / "scores.csv"
    result = whalefeat("predict", model_file, labelled / "train", "-o", output, "--batch", "16")
    assert result.returncode == 0, result.stderr
    assert "40/40 clips" in result.stderr and "16/40 clips" in result.stderr
    table = pd.read_csv(output)
    assert list(table.columns) == ["path", "score", "prediction"]
    paths = sorted(str(p) for p in (labelled / "train").glob("*.aiff"))
    assert table["path"].tolist() == paths
    model = load_model(model_file)
    proba = model.predict_proba(paths)[:, 1]
    np.testing.assert_array_equal(table["score"], proba)  # written with every digit
    np.testing.assert_array_equal(table["prediction"], (proba > 0.5).astype(int))


def test_predict_recursive_and_errors(labelled, model_file, tmp_path, capsys):
    output = tmp_path / "scores.csv"
    assert main(["predict", str(model_file), str(labelled), "-o", str(output), "-q"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "holds no clips" in line and "--recursive" in line
    assert (
        main(["predict", str(model_file), str(labelled), "-o", str(output), "-q", "--recursive"])
        == 0
    )
    assert len(pd.read_csv(output)) == 40
    serial, threaded = tmp_path / "serial.csv", tmp_path / "threaded.csv"
    for target, jobs in ((serial, "1"), (threaded, "2")):
        assert (
            main(
                [
                    "predict",
                    str(model_file),
                    str(labelled),
                    "-o",
                    str(target),
                    "-q",
                    "--recursive",
                    "--jobs",
                    jobs,
                    "--batch",
                    "9",
                ]
            )
            == 0
        )
    assert threaded.read_bytes() == serial.read_bytes()
    assert main(["predict", str(model_file), str(labelled), "-o", str(tmp_path / "s.txt")]) == 1
    assert "must end in .csv" in _one_error_line(capsys.readouterr().err)
    assert (
        main(
            [
                "predict",
                str(tmp_path / "none.joblib"),
                str(labelled),
                "-o",
                str(tmp_path / "x.csv"),
            ]
        )
        == 1
    )
    assert "model file" in _one_error_line(capsys.readouterr().err)
    junk = tmp_path / "junk.joblib"
    junk.write_bytes(b"not a model")
    assert main(["predict", str(junk), str(labelled), "-o", str(tmp_path / "x.csv")]) == 1
    assert "is not a saved whalefeat model" in _one_error_line(capsys.readouterr().err)
    bad = tmp_path / "bad.aiff"
    bad.write_bytes(b"FORM nonsense")
    assert main(["predict", str(model_file), str(bad), "-o", str(tmp_path / "x.csv"), "-q"]) == 1
    assert "bad.aiff" in _one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "x.csv").exists()


def test_model_saved_under_other_versions_warns(model_file, labelled, tmp_path, capsys):
    record = joblib.load(model_file)
    record["versions"]["whalefeat"] = "0.0.1"
    old = tmp_path / "old.joblib"
    joblib.dump(record, old)
    assert (
        main(["predict", str(old), str(labelled), "-r", "-o", str(tmp_path / "s.csv"), "-q"]) == 0
    )
    warning = capsys.readouterr().err.strip().splitlines()
    assert len(warning) == 1
    assert warning[0].startswith(f"whalefeat: warning: {old} was saved with whalefeat 0.0.1 (now ")


# ------------------------------------------------------------------------------ scan


def test_scan_writes_a_raven_table(recordings, model_file, tmp_path):
    output, windows_path = tmp_path / "selections.txt", tmp_path / "windows.csv"
    result = whalefeat(
        "scan",
        model_file,
        recordings["mono"],
        "-o",
        output,
        "--hop",
        "2",
        "--windows",
        windows_path,
    )
    assert result.returncode == 0, result.stderr
    assert "scan [" in result.stderr and "80/80 s of audio" in result.stderr
    table = read_selections(output)
    assert list(table.columns) == list(RAVEN_COLUMNS)
    model = load_model(model_file)
    expected = events(scan(model, recordings["mono"], hop=2.0))
    np.testing.assert_array_equal(table["Begin Time (s)"], expected["start"])
    np.testing.assert_array_equal(table["End Time (s)"], expected["end"])
    np.testing.assert_array_equal(table["Score"], expected["score"])
    assert (table["Begin File"] == "mono.wav").all()
    # the boxes span the band of the detector's spectrogram
    spectrogram = model.named_steps["spectrogram"]
    assert table["Low Freq (Hz)"].unique().tolist() == [spectrogram.fmin]
    assert table["High Freq (Hz)"].unique().tolist() == [spectrogram.fmax]
    # windows on the clips: the clips' labels are found
    windows = pd.read_csv(windows_path)
    assert len(windows) == 40
    truth = recordings["y"]
    predicted = (windows["score"].to_numpy() >= 0.5).astype(int)
    assert np.mean(predicted == truth) >= 0.8, (predicted, truth)


def test_scan_stereo_resampled_folder_one_channel(recordings, model_file, tmp_path, capsys):
    output = tmp_path / "events.csv"
    assert (
        main(
            [
                "scan",
                str(model_file),
                str(recordings["folder"]),
                "-r",
                "-o",
                str(output),
                "--channel",
                "2",
                "--threshold",
                "0.6",
                "--min-gap",
                "0.5",
                "-q",
            ]
        )
        == 1
    )
    # the mono recording has no channel 2: an input error, named
    assert "mono.wav: has 1 channel; channel 2 does not exist" in _one_error_line(
        capsys.readouterr().err
    )
    assert (
        main(
            [
                "scan",
                str(model_file),
                str(recordings["stereo"]),
                "-o",
                str(output),
                "--channel",
                "2",
                "--threshold",
                "0.6",
                "--min-gap",
                "0.5",
                "-q",
            ]
        )
        == 0
    )
    table = pd.read_csv(output)
    expected = events(
        scan(load_model(model_file), recordings["stereo"], channel=2), threshold=0.6, min_gap=0.5
    )
    assert (table["channel"] == 2).all()
    np.testing.assert_allclose(
        table[["start", "end", "score"]], expected[["start", "end", "score"]]
    )


def test_scan_usage_and_input_errors(recordings, model_file, tmp_path, capsys):
    output = str(tmp_path / "s.txt")
    for argv, status, message in [
        (["--hop", "0.0001"], 2, "argument --hop: hop=0.0001 s is not a whole number"),
        (["--hop", "-1"], 2, "argument --hop: expected a positive number"),
        (["--threshold", "2"], 2, "argument --threshold: expected a number in [0, 1]"),
        (["--channel", "0"], 2, "argument --channel: expected a positive integer"),
        (["--band", "300", "100"], 2, "argument --band: 300 Hz must lie below 100 Hz"),
        (["--scheduler", "x", "--dask-workers", "2"], 2, "not allowed with argument"),
        (["--windows", output], 2, "-o and --windows name the same file"),
    ]:
        assert (
            main(["scan", str(model_file), str(recordings["mono"]), "-o", output, *argv]) == status
        ), argv
        assert message in _one_error_line(capsys.readouterr().err), argv
    assert main(["scan", str(model_file), str(tmp_path / "none.wav"), "-o", output]) == 1
    assert "none.wav does not exist" in _one_error_line(capsys.readouterr().err)
    assert not Path(output).exists()


# ------------------------------------------------------------------------------ Dask


def test_scan_and_predict_on_a_local_dask_cluster(
    recordings, model_file, labelled, tmp_path, capsys
):
    distributed = pytest.importorskip("distributed")
    serial, parallel = tmp_path / "serial.txt", tmp_path / "dask.txt"
    inputs = [str(recordings["mono"]), str(recordings["stereo"])]
    assert main(["scan", str(model_file), *inputs, "-o", str(serial), "-q"]) == 0
    scores_serial, scores_dask = tmp_path / "a.csv", tmp_path / "b.csv"
    assert (
        main(
            [
                "predict",
                str(model_file),
                str(labelled),
                "-r",
                "-o",
                str(scores_serial),
                "-q",
                "--batch",
                "10",
            ]
        )
        == 0
    )
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        assert (
            main(
                [
                    "scan",
                    str(model_file),
                    *inputs,
                    "-o",
                    str(parallel),
                    "-q",
                    "--scheduler",
                    cluster.scheduler_address,
                ]
            )
            == 0
        )
        assert parallel.read_bytes() == serial.read_bytes()
        assert (
            main(
                [
                    "predict",
                    str(model_file),
                    str(labelled),
                    "-r",
                    "-o",
                    str(scores_dask),
                    "--batch",
                    "10",
                    "-q",
                    "--scheduler",
                    cluster.scheduler_address,
                ]
            )
            == 0
        )
        assert scores_dask.read_bytes() == scores_serial.read_bytes()
    # a cluster of its own, started and stopped by the command
    parallel.unlink()
    assert (
        main(["scan", str(model_file), inputs[0], "-o", str(parallel), "--dask-workers", "1"]) == 0
    )
    assert "starting a local Dask cluster of 1 worker\n" in capsys.readouterr().err
    assert parallel.read_bytes().splitlines()[1:] == [
        line for line in serial.read_bytes().splitlines()[1:] if b"mono.wav" in line
    ]


def test_extract_on_a_local_dask_cluster(labelled, tmp_path):
    distributed = pytest.importorskip("distributed")
    serial, parallel = tmp_path / "serial.npz", tmp_path / "dask.npz"
    argv = ["extract", str(labelled), "--features", "ce-series", "--batch", "7", "-q"]
    assert main([*argv, "-o", str(serial)]) == 0
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        assert main([*argv, "-o", str(parallel), "--scheduler", cluster.scheduler_address]) == 0
    a, b = np.load(serial), np.load(parallel)
    for key in ("features", "paths", "labels", "feature_names"):
        np.testing.assert_array_equal(a[key], b[key])


def test_unreachable_scheduler_is_an_input_error(
    recordings, model_file, tmp_path, capsys, monkeypatch
):
    pytest.importorskip("distributed")
    monkeypatch.setattr("whalefeat.cli._SCHEDULER_TIMEOUT", "1s")
    assert (
        main(
            [
                "scan",
                str(model_file),
                str(recordings["mono"]),
                "-o",
                str(tmp_path / "s.txt"),
                "--scheduler",
                "tcp://127.0.0.1:9",
                "-q",
            ]
        )
        == 1
    )
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in _one_error_line(
        capsys.readouterr().err
    )


def test_scan_without_pandas_is_a_usage_error(recordings, model_file, tmp_path):
    code = (
        "import sys; sys.modules['pandas'] = None; from whalefeat.cli import main; "
        f"sys.exit(main(['scan', {str(model_file)!r}, {str(recordings['mono'])!r}, '-o', "
        f"{str(tmp_path / 's.txt')!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=ENV, timeout=120
    )
    assert result.returncode == 2, result.stderr
    assert "needs pandas: pip install pandas" in _one_error_line(result.stderr)
