"""End-to-end tests of the ``whalefeat`` command line, through its real entry points."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from whalefeat import AiffLoader, Spectrogram
from whalefeat.cli import build_parser, build_pipeline, main
from whalefeat.datasets import make_clips, write_clips

ENV = {
    **os.environ,
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "KERAS_BACKEND": "tensorflow",
    "MPLBACKEND": "Agg",
    "PYTHONWARNINGS": "ignore",
}


def whalefeat(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -m whalefeat ARGS`` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "whalefeat", *map(str, args)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def clips():
    return make_clips(24, snr_db=6.0, random_state=0)


@pytest.fixture(scope="module")
def labelled(tmp_path_factory, clips):
    """A folder in the challenge's csv layout: train.csv + train/*.aiff."""
    folder = tmp_path_factory.mktemp("labelled")
    X, y = clips
    write_clips(X, folder, y=y, layout="csv")
    return folder


# ------------------------------------------------------------------------------ help, usage


def test_help_lists_the_subcommands():
    result = whalefeat("--help")
    assert result.returncode == 0
    for command in ("extract", "evaluate", "demo", "train", "predict", "scan"):
        assert command in result.stdout
    assert "Exit status" in result.stdout


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("extract", ["--features", "--jobs", "--output", ".parquet"]),
        (
            "evaluate",
            [
                "--model",
                "--labels",
                "--folds",
                "--json",
                "--save",
                "--set",
                "ce-inception",
                "hgb",
                "logistic",
                "xception",
                "seed-inception",
                "deprecated names",
                "inception-seed",
                "inceptiontime",
            ],
        ),
        ("demo", ["--clips", "--snr-db", "--keep", "--model"]),
        ("train", ["--model", "--output", "--set", "--labels", "hgb"]),
        ("predict", ["--recursive", "--output", "--jobs", "--scheduler", "--dask-workers"]),
        (
            "scan",
            [
                "--hop",
                "--threshold",
                "--channel",
                "--min-gap",
                "--partial",
                "--band",
                "--windows",
                "--scheduler",
            ],
        ),
    ],
)
def test_subcommand_help(command, expected, capsys):
    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    for word in expected:
        assert word in text


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "whalefeat"
    if not script.exists():
        pytest.skip("the whalefeat console script is not installed next to this interpreter")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, env=ENV)
    assert result.returncode == 0
    assert result.stdout.startswith("whalefeat ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "required: COMMAND"),
        (["fit"], "invalid choice: 'fit'"),
        (["evaluate", ".", "--model", "resnet"], "invalid choice: 'resnet'"),
        (["evaluate", ".", "--folds", "1"], "at least 2 folds"),
        (["extract", "."], "required: -o/--output"),
        (["demo", "--clips", "-3"], "positive integer"),
        (["extract", ".", "-o", "x.npz", "--q", "a,b"], "comma-separated numbers"),
    ],
)
def test_usage_errors_exit_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_unknown_model_through_the_entry_point(labelled):
    result = whalefeat("evaluate", labelled, "--model", "resnet")
    assert result.returncode == 2
    assert "invalid choice: 'resnet'" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------------------ bad inputs


def test_missing_folder_exit_1():
    result = whalefeat("evaluate", "no/such/folder", "--model", "hgb")
    assert result.returncode == 1
    assert result.stderr.strip() == "whalefeat: error: folder no/such/folder does not exist"


def test_empty_folder_exit_1(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path), "--model", "hgb"]) == 1
    assert f"no clips in {tmp_path}" in capsys.readouterr().err
    assert main(["extract", str(tmp_path), "-o", str(tmp_path / "f.npz")]) == 1
    assert f"folder {tmp_path} holds no clips" in capsys.readouterr().err


def test_unlabelled_folder_exit_1(tmp_path, clips, capsys):
    write_clips(clips[0][:4], tmp_path)  # clips only: no train.csv
    assert main(["evaluate", str(tmp_path), "--model", "hgb"]) == 1
    assert "no label" in capsys.readouterr().err


def test_unreadable_clip_is_named(tmp_path, clips, capsys):
    X, y = clips
    written = write_clips(X, tmp_path, y=y)
    Path(written[3]).write_bytes(b"not audio at all")
    assert main(["evaluate", str(tmp_path), "--model", "logistic", "--folds", "2", "-q"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("whalefeat: error: ")
    assert Path(written[3]).name in error


def test_too_few_clips_per_class(labelled, capsys):
    assert main(["evaluate", str(labelled), "--model", "logistic", "--folds", "20"]) == 1
    assert "at least 20 clips of each class" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,label\na.aiff,1\n", "clip_name (or path)"),
        ("clip_name,label\n", "lists no clips"),
        ("clip_name,label\ntrain1.aiff,2\n", "labels must be 0 or 1"),
        ("clip_name,label\nmissing.aiff,1\n", "are missing from"),
    ],
)
def test_bad_label_file(labelled, tmp_path, content, message, capsys):
    labels = tmp_path / "labels.csv"
    labels.write_text(content)
    assert (
        main(["evaluate", str(labelled / "train"), "--labels", str(labels), "--model", "hgb"]) == 1
    )
    assert message in capsys.readouterr().err


def test_bad_output_paths(labelled, tmp_path, capsys):
    assert main(["extract", str(labelled), "-o", str(tmp_path / "features.csv")]) == 1
    assert "must end in .npz or .parquet" in capsys.readouterr().err
    assert main(["extract", str(labelled), "-o", str(tmp_path / "no" / "f.npz")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert (
        main(
            [
                "evaluate",
                str(labelled),
                "--model",
                "hgb",
                "--save",
                str(tmp_path / "no" / "m.joblib"),
            ]
        )
        == 1
    )
    assert "does not exist" in capsys.readouterr().err


# ------------------------------------------------------------------------------ extract


def test_extract_spectrograms_to_npz(labelled, tmp_path):
    output = tmp_path / "spectrograms.npz"
    result = whalefeat(
        "extract",
        labelled,
        "-o",
        output,
        "--features",
        "spectrogram",
        "--fmin",
        "50",
        "--fmax",
        "250",
        "--batch",
        "10",
    )
    assert result.returncode == 0, result.stderr
    # the progress bar counts the clips in steps of --batch
    assert "[" in result.stderr and "24/24 clips" in result.stderr
    assert "10/24 clips" in result.stderr
    data = np.load(output)
    paths = data["paths"]
    expected_paths = np.array(
        sorted(map(str, (labelled / "train").iterdir()), key=lambda p: int(Path(p).stem[5:]))
    )
    np.testing.assert_array_equal(paths, expected_paths)
    spectrogram = Spectrogram(fmin=50, fmax=250, contrast="row")
    expected = spectrogram.fit_transform(AiffLoader().fit_transform(paths))
    np.testing.assert_array_equal(data["features"], expected)
    np.testing.assert_array_equal(data["feature_names"], spectrogram.get_feature_names_out())
    labels = np.loadtxt(labelled / "train.csv", delimiter=",", skiprows=1, usecols=1)
    np.testing.assert_array_equal(data["labels"], labels)


def test_extract_ce_curve_from_files_and_a_list_to_parquet(labelled, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    from whalefeat import ComplexityEntropyCurve

    files = sorted((labelled / "train").iterdir())
    listing = tmp_path / "clips.txt"
    listing.write_text("# two clips\n" + "\n".join(str(p) for p in files[2:4]) + "\n")
    output = tmp_path / "curves.parquet"
    assert (
        main(
            [
                "extract",
                str(files[0]),
                str(listing),
                "-o",
                str(output),
                "-q",
                "--features",
                "ce-curve",
                "--measure",
                "tsallis",
                "--q",
                "0.5,1,2",
                "--dimension",
                "3",
            ]
        )
        == 0
    )
    table = pq.read_table(output)
    curve = ComplexityEntropyCurve(dimension=3, measure="tsallis", q=[0.5, 1.0, 2.0])
    expected = curve.fit_transform(AiffLoader().fit_transform([str(files[i]) for i in (0, 2, 3)]))
    names = list(curve.get_feature_names_out())
    assert table.column_names == ["path", *names]  # no labels for a list of files
    assert table.column("path").to_pylist() == [str(files[i]) for i in (0, 2, 3)]
    np.testing.assert_allclose(
        np.column_stack([table.column(n).to_numpy() for n in names]), expected
    )
    shape = json.loads(table.schema.metadata[b"whalefeat.feature_shape"])
    assert shape == [len(names)]


def test_extract_ce_series(labelled, tmp_path):
    from whalefeat import ComplexityEntropyCurve

    output = tmp_path / "series.npz"
    assert (
        main(
            [
                "extract",
                str(labelled),
                "-o",
                str(output),
                "-q",
                "--features",
                "ce-series",
                "--hop-length",
                "128",
            ]
        )
        == 0
    )
    data = np.load(output)
    loader_output = AiffLoader().fit_transform(data["paths"])
    spectra = Spectrogram(hop_length=128, contrast="row").fit_transform(loader_output)
    expected = ComplexityEntropyCurve(dimension=4, measure="shannon").fit_transform(spectra)
    np.testing.assert_allclose(data["features"], expected)
    assert data["features"].shape == (24, spectra.shape[2], 2)

    # the study's framing: windows of the raw signal instead of spectrogram frames
    assert (
        main(
            [
                "extract",
                str(labelled),
                "-o",
                str(output),
                "-q",
                "--features",
                "ce-series",
                "--series-from",
                "signal",
                "--ce-window",
                "256",
                "--ce-hop",
                "64",
                "--force",
            ]
        )
        == 0
    )
    framed = ComplexityEntropyCurve(dimension=4, measure="shannon", window=256, hop=64)
    np.testing.assert_allclose(np.load(output)["features"], framed.fit_transform(loader_output))
    assert np.load(output)["features"].shape == (24, 1 + (4000 - 256) // 64, 2)


# ------------------------------------------------------------------------------ evaluate


def _expected_folds(labelled, n_folds, seed):
    """The metrics of each fold, recomputed here with scikit-learn alone."""
    from whalefeat.datasets import load_challenge

    paths, y = load_challenge(labelled)
    args = build_parser().parse_args(["evaluate", str(labelled), "--model", "logistic"])
    pipeline = build_pipeline(args)
    folds = []
    for train, test in StratifiedKFold(n_folds, shuffle=True, random_state=seed).split(paths, y):
        model = clone(pipeline).fit(paths[train], y[train])
        proba = model.predict_proba(paths[test])
        folds.append(
            (
                roc_auc_score(y[test], proba[:, 1]),
                accuracy_score(y[test], model.predict(paths[test])),
            )
        )
    return folds


def test_evaluate_logistic_json_matches_scikit_learn(labelled):
    result = whalefeat(
        "evaluate", labelled, "--model", "logistic", "--folds", "3", "--seed", "7", "--json"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["model"] == "logistic"
    assert (report["n_clips"], report["n_positive"], report["n_folds"]) == (24, 12, 3)
    assert report["pipeline"] == [
        "AiffLoader",
        "Spectrogram",
        "StandardScaler",
        "LogisticRegression",
    ]
    expected = _expected_folds(labelled, 3, 7)
    for fold, (auc, accuracy) in zip(report["folds"], expected, strict=True):
        assert fold["roc_auc"] == pytest.approx(auc)
        assert fold["accuracy"] == pytest.approx(accuracy)
        assert fold["n_train"] + fold["n_test"] == 24
        for metric in ("f1", "recall", "precision"):
            assert 0.0 <= fold[metric] <= 1.0
    for metric in ("roc_auc", "accuracy", "f1", "recall", "precision", "fit_time_s"):
        values = [fold[metric] for fold in report["folds"]]
        assert report["mean"][metric] == pytest.approx(np.mean(values))
        assert report["std"][metric] == pytest.approx(np.std(values))
    assert "scikit-learn" in report["versions"]
    assert report["settings"] == {} and report["description"].endswith("logistic regression")
    assert report["machine"]["cpu_count"] >= 1
    # progress goes to stderr, one line per fold
    assert "fold 3/3: ROC AUC" in result.stderr


def test_evaluate_table_report_file_and_saved_pipeline(labelled, tmp_path, capsys):
    report_path, model_path = tmp_path / "report.json", tmp_path / "model.joblib"
    status = main(
        [
            "evaluate",
            str(labelled),
            "--model",
            "logistic",
            "--folds",
            "2",
            "-q",
            "--json",
            str(report_path),
            "--save",
            str(model_path),
        ]
    )
    assert status == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # --quiet
    lines = captured.out.splitlines()
    assert lines[0].startswith("logistic on 24 clips (12 with an up-call), 2-fold")
    assert lines[1].split()[:3] == ["fold", "ROC", "AUC"]
    assert [line.split()[0] for line in lines[2:]] == ["1", "2", "----", "mean", "std"]
    report = json.loads(report_path.read_text())
    assert lines[5].split()[1] == f"{report['mean']['roc_auc']:.3f}"
    assert report["saved"] == str(model_path)
    from whalefeat.detect import load_model

    model = load_model(model_path)
    paths = sorted(str(p) for p in (labelled / "train").iterdir())
    proba = model.predict_proba(paths)
    assert proba.shape == (24, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_evaluate_with_a_label_file(labelled, tmp_path, capsys):
    rows = (labelled / "train.csv").read_text().splitlines()
    labels = tmp_path / "labels.csv"
    labels.write_text("path,label\n" + "\n".join(rows[1:]) + "\n")
    assert (
        main(
            [
                "evaluate",
                str(labelled / "train"),
                "--labels",
                str(labels),
                "--model",
                "logistic",
                "--folds",
                "2",
                "-q",
                "--json",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["n_clips"] == 24 and len(report["folds"]) == 2


# ------------------------------------------------------------------------------ demo


def test_demo_keeps_its_clips_and_evaluates_them(tmp_path):
    folder = tmp_path / "demo"
    result = whalefeat(
        "demo", "--model", "logistic", "--clips", "20", "--folds", "2", "--keep", folder, "--json"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["data"] == str(folder)
    assert report["n_clips"] == 20 and report["n_positive"] == 10
    assert len(list((folder / "train").glob("*.aiff"))) == 20
    assert (folder / "train.csv").is_file()
    assert "wrote 20 synthetic clips" in result.stderr


@pytest.mark.keras
def test_demo_runs_the_keras_pipeline_end_to_end():
    pytest.importorskip("tensorflow")
    result = whalefeat("demo", "--clips", "16", "--folds", "2", "--epochs", "1", timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ce-inception on 16 clips (8 with an up-call), 2-fold")
    mean = lines[-2].split()
    assert mean[0] == "mean"
    assert 0.0 <= float(mean[1]) <= 1.0
    assert "evaluating ce-inception on 16 clips" in result.stderr


def test_demo_rejects_too_few_clips(capsys):
    assert main(["demo", "--clips", "6", "--folds", "5", "--model", "hgb"]) == 1
    assert "too few for 5 folds" in capsys.readouterr().err


# ------------------------------------------------------------------------------ hardening


def _one_error_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert lines[0].startswith("whalefeat: error: "), text
    assert "Traceback" not in text
    return lines[0]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--window-length", "5000"], "argument --window-length: 5000 samples is longer"),
        (["--fmin", "500", "--fmax", "100"], "argument --fmin: 500 Hz must lie below --fmax"),
        (["--fmin", "-5"], "argument --fmin: expected a finite, non-negative frequency"),
        (["--fmin", "nan"], "argument --fmin: expected a finite, non-negative frequency"),
        (["--fmax", "inf"], "argument --fmax: expected a finite, non-negative frequency"),
        (["--fmax", "1500"], "argument --fmax: 1500 Hz lies above the Nyquist"),
        (["--dimension", "9"], "argument --dimension: The 'dimension' parameter"),
        (["--delay", "100"], "arguments --dimension, --delay: spectrograms with"),
        (["--features", "ce-curve", "--delay", "2000"], "--delay: signals with 4000"),
        (["--measure", "tsallis", "--q", "0"], "argument --q: q values must be positive"),
        (["--q", "2"], "argument --q: q values apply to --measure tsallis or renyi"),
        (["--jobs", "0"], "argument --jobs: expected a positive number of jobs"),
        (["--seed", "-1"], "argument --seed: expected a non-negative integer"),
        (
            ["--series-from", "signal", "--ce-window", "3"],
            "arguments --ce-window, --dimension, --delay: window=3 is too short",
        ),
        (["--on-length", "stretch"], "argument --on-length: invalid choice"),
    ],
)
def test_option_values_are_usage_errors(labelled, tmp_path, options, message, capsys):
    output = tmp_path / "out.npz"
    assert main(["extract", str(labelled), "-o", str(output), *options]) == 2
    assert message in _one_error_line(capsys.readouterr().err)
    assert not output.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--snr-db", "nan"],
        ["demo", "--snr-db", "-inf"],
        ["evaluate", "{folder}", "--model", "logistic", "--window-length", "5000"],
        ["evaluate", "{folder}", "--delay", "100"],
        ["demo", "--jobs", "0"],
        ["evaluate", "{folder}", "--model", "hgb", "--epochs", "3"],
        ["evaluate", "{folder}", "--model", "logistic", "--set", "classifier__nope=1"],
        ["evaluate", "{folder}", "--model", "logistic", "--set", "classifier_C"],
        ["evaluate", "{folder}", "--model", "logistic", "--set", "classifier__C=-1"],
        ["evaluate", "{folder}", "--model", "ce-inception", "--contrast", "row"],
    ],
)
def test_evaluate_and_demo_usage_errors(labelled, argv, capsys):
    argv = [arg.format(folder=labelled) for arg in argv]
    assert main(argv) == 2
    _one_error_line(capsys.readouterr().err)


def test_usage_errors_are_one_line_through_the_entry_point(labelled, tmp_path):
    result = whalefeat("extract", labelled, "-o", tmp_path / "o.npz", "--fmax", "inf")
    assert result.returncode == 2
    assert "argument --fmax" in _one_error_line(result.stderr)


@pytest.mark.parametrize("command", [["evaluate", "{folder}"], ["demo", "--clips", "10"]])
def test_keras_model_without_the_extra(labelled, command):
    argv = [arg.format(folder=labelled) for arg in command]
    code = (
        "import sys; sys.modules['keras'] = None; from whalefeat.cli import main; "
        f"sys.exit(main({argv!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=ENV, timeout=300
    )
    assert result.returncode == 2, result.stderr
    line = _one_error_line(result.stderr)
    assert "argument --model: ce-inception cannot be used" in line
    assert "pip install" in line and "whalefeat[" in line


def test_output_under_proc_and_naming_a_folder(labelled, tmp_path, capsys):
    if Path("/proc").is_dir():
        assert main(["extract", str(labelled), "-o", "/proc/whalefeat-out.npz"]) == 1
        assert "cannot write /proc/whalefeat-out.npz" in _one_error_line(capsys.readouterr().err)
    folder = tmp_path / "features.npz"
    folder.mkdir()
    assert main(["extract", str(labelled), "-o", str(folder)]) == 1
    assert "is a folder" in _one_error_line(capsys.readouterr().err)
    assert main(["evaluate", str(labelled), "--model", "logistic", "--json", str(folder)]) == 1
    assert "is a folder" in _one_error_line(capsys.readouterr().err)


def test_full_disk_leaves_no_file(labelled, tmp_path, monkeypatch, capsys):
    import errno

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", full)
    output = tmp_path / "out.npz"
    assert (
        main(["extract", str(labelled), "-o", str(output), "-q", "--features", "spectrogram"]) == 1
    )
    line = _one_error_line(capsys.readouterr().err)
    assert f"cannot write {output}: No space left on device (the disk is full)" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_full_device_through_atomic_write(tmp_path):
    # /dev/full is the real ENOSPC: fsync of the temporary file cannot hide it
    from whalefeat._atomic import atomic_write

    def write(handle):
        with open("/dev/full", "wb") as device:
            device.write(b"x" * 10)
            device.flush()

    with pytest.raises(OSError, match="No space left"):
        atomic_write(tmp_path / "out.bin", write)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit])
def test_interrupted_write_leaves_nothing(tmp_path, interrupt):
    from whalefeat._atomic import atomic_write

    target = tmp_path / "out.npz"
    target.write_bytes(b"old")

    def write(handle):
        handle.write(b"partial")
        raise interrupt

    with pytest.raises(interrupt):
        atomic_write(target, write, overwrite=True)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.npz"]


def test_sigterm_during_extract_leaves_no_output(labelled, tmp_path, monkeypatch, capsys):
    import signal

    output = tmp_path / "out.npz"

    def killed(handle, **arrays):
        handle.write(b"PK partial")
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(np, "savez_compressed", killed)
    previous = signal.getsignal(signal.SIGTERM)
    assert (
        main(["extract", str(labelled), "-o", str(output), "-q", "--features", "spectrogram"])
        == 143
    )
    assert "terminated" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is previous


def test_output_name_is_exact_and_not_overwritten(labelled, tmp_path, capsys):
    output = tmp_path / "out.NPZ"
    argv = ["extract", str(labelled), "-o", str(output), "--features", "spectrogram"]
    assert main(argv) == 0
    assert f"to {output}" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["out.NPZ"]
    first = np.load(output)["features"]
    before = output.read_bytes()
    assert main([*argv, "--hop-length", "64"]) == 1
    assert "already exists; pass --force" in _one_error_line(capsys.readouterr().err)
    assert output.read_bytes() == before
    assert main([*argv, "--hop-length", "64", "--overwrite", "-q"]) == 0
    assert np.load(output)["features"].shape != first.shape


def test_existing_report_and_saved_model_refused(labelled, tmp_path, capsys):
    report = tmp_path / "report.json"
    report.write_text("{}")
    assert main(["evaluate", str(labelled), "--model", "logistic", "--json", str(report)]) == 1
    assert "report.json already exists" in _one_error_line(capsys.readouterr().err)
    assert report.read_text() == "{}"


def test_demo_keep_on_an_existing_folder(tmp_path, capsys):
    folder = tmp_path / "kept"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    argv = [
        "demo",
        "--model",
        "logistic",
        "--clips",
        "10",
        "--folds",
        "2",
        "-q",
        "--keep",
        str(folder),
    ]
    assert main(argv) == 1
    assert "already exists and is not empty; pass --force" in _one_error_line(
        capsys.readouterr().err
    )
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    (folder / "notes.txt").unlink()
    assert main(argv) == 0
    capsys.readouterr()
    assert main([*argv, "--force", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_clips"] == 10


def test_label_files_with_bom_and_latin1(labelled, tmp_path, capsys):
    rows = (labelled / "train.csv").read_text().splitlines()
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + ("\n".join(rows) + "\n").encode())
    assert (
        main(
            [
                "evaluate",
                str(labelled / "train"),
                "--labels",
                str(bom),
                "--model",
                "logistic",
                "--folds",
                "2",
                "-q",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["n_clips"] == 24
    latin = tmp_path / "latin.csv"
    latin.write_bytes("clip_name,label\nbaleine_été.aiff,1\n".encode("latin-1"))
    assert (
        main(["evaluate", str(labelled / "train"), "--labels", str(latin), "--model", "hgb"]) == 1
    )
    line = _one_error_line(capsys.readouterr().err)
    assert f"{latin}, line 2: not UTF-8 text" in line


def test_list_file_not_utf8(labelled, tmp_path, capsys):
    listing = tmp_path / "clips.txt"
    listing.write_bytes("train/trainé.aiff\n".encode("latin-1"))
    assert main(["extract", str(listing), "-o", str(tmp_path / "o.npz")]) == 1
    assert f"list file {listing} is not UTF-8" in _one_error_line(capsys.readouterr().err)


def test_label_file_rules_match_the_library(labelled, tmp_path, capsys):
    # one parser: the CLI and load_challenge accept and refuse the same files
    from whalefeat.datasets import load_challenge

    rows = (labelled / "train.csv").read_text().splitlines()
    spaced = tmp_path / "spaced.csv"
    spaced.write_text(
        " path , label \n"
        + "\n".join(f"{name}, {label}" for name, label in (row.split(",") for row in rows[1:]))
        + "\n"
    )
    paths, y = load_challenge(labelled / "train", spaced)
    assert (
        main(
            [
                "evaluate",
                str(labelled / "train"),
                "--labels",
                str(spaced),
                "--model",
                "logistic",
                "--folds",
                "2",
                "-q",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["n_positive"] == int(y.sum())
    subset = tmp_path / "subset.csv"
    subset.write_text("\n".join(rows[:-1]) + "\n")  # the last clip is unlisted
    with pytest.raises(ValueError, match="not listed"):
        load_challenge(labelled / "train", subset)
    assert (
        main(["evaluate", str(labelled / "train"), "--labels", str(subset), "--model", "hgb"]) == 1
    )
    assert "not listed" in _one_error_line(capsys.readouterr().err)


def test_length_error_names_the_option(tmp_path, capsys):
    short = tmp_path / "short.aiff"
    import soundfile as sf

    sf.write(short, np.full(3000, 0.1), 2000, format="AIFF", subtype="PCM_16")
    output = tmp_path / "o.npz"
    assert main(["extract", str(short), "-o", str(output), "--features", "spectrogram", "-q"]) == 1
    assert "--on-length" in _one_error_line(capsys.readouterr().err)
    assert (
        main(
            [
                "extract",
                str(short),
                "-o",
                str(output),
                "--features",
                "spectrogram",
                "--on-length",
                "pad",
                "-q",
            ]
        )
        == 0
    )
    assert np.load(output)["features"].shape[0] == 1


def test_clip_whose_features_fail_is_named(labelled, tmp_path, monkeypatch, capsys):
    from whalefeat.spectrogram import Spectrogram as Spec

    paths = sorted((labelled / "train").glob("*.aiff"))
    bad = tmp_path / "huge.aiff"
    import soundfile as sf

    clip = np.full(4000, 0.1)
    clip[100] = 1e36
    sf.write(bad, clip, 2000, format="AIFF", subtype="FLOAT")
    original = Spec.transform

    def fails_on_huge(self, X):
        if np.abs(X).max() > 1e30:
            raise ValueError("X overflows")
        return original(self, X)

    monkeypatch.setattr(Spec, "transform", fails_on_huge)
    listing = tmp_path / "clips.txt"
    listing.write_text("\n".join(map(str, [*paths[:3], bad])) + "\n")
    assert (
        main(
            [
                "extract",
                str(listing),
                "-o",
                str(tmp_path / "o.npz"),
                "--features",
                "spectrogram",
                "-q",
            ]
        )
        == 1
    )
    line = _one_error_line(capsys.readouterr().err)
    assert f"{bad}: its features cannot be computed (X overflows)" in line


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_does_not_hang(tmp_path):
    fifo = tmp_path / "pipe.aiff"
    os.mkfifo(fifo)
    result = whalefeat(
        "extract", fifo, "-o", tmp_path / "o.npz", "-q", "--features", "spectrogram", timeout=120
    )
    assert result.returncode == 1
    assert "pipe.aiff: is not a regular file (a named pipe)" in _one_error_line(result.stderr)


def test_star_import_without_the_keras_extra():
    code = (
        "import sys; sys.modules['keras'] = None\n"
        "from whalefeat import *\n"
        "print(sorted(n for n in dir() if not n.startswith('_')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=ENV, timeout=120
    )
    assert result.returncode == 0, result.stderr
    for name in (
        "AiffLoader",
        "Spectrogram",
        "ComplexityEntropyCurve",
        "NoiseInjector",
        "add_noise",
    ):
        assert name in result.stdout
    assert "XceptionClassifier" not in result.stdout


# ------------------------------------------------------------------------------ evaluation core


def test_evaluation_core_matches_scikit_learn_and_add_noise():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    from whalefeat import add_noise
    from whalefeat._evaluation import cross_validate, noisy_condition, stratified_splits

    X, y = make_clips(30, snr_db=0.0, random_state=1)
    X = X[:, ::20]
    estimator = LogisticRegression(max_iter=500)
    result = cross_validate(
        estimator,
        X,
        y,
        n_folds=3,
        seed=4,
        conditions={"clean": None, "noisy": noisy_condition(0.0, seed=4)},
    )
    assert [(r["fold"], r["condition"]) for r in result.rows] == [
        (f, c) for f in (1, 2, 3) for c in ("clean", "noisy")
    ]
    for fold, (train, test) in enumerate(stratified_splits(y, 3, 4)):
        model = clone(estimator).fit(X[train], y[train])
        clean, noisy = result.rows[2 * fold], result.rows[2 * fold + 1]
        assert clean["roc_auc"] == pytest.approx(
            roc_auc_score(y[test], model.predict_proba(X[test])[:, 1])
        )
        assert clean["f1"] == pytest.approx(f1_score(y[test], model.predict(X[test])))
        noised = add_noise(X[test], 0.0, random_state=4 * 1000 + fold)
        np.testing.assert_allclose(result.scores["noisy"][test], model.predict_proba(noised)[:, 1])
        assert noisy["accuracy"] == pytest.approx(accuracy_score(y[test], model.predict(noised)))
        assert np.all(result.fold_of[test] == fold)
    summary = {row["condition"]: row for row in result.summary()}
    assert summary["noisy"]["n_folds"] == 3
    assert summary["clean"]["roc_auc_mean"] == pytest.approx(
        np.mean([r["roc_auc"] for r in result.rows if r["condition"] == "clean"])
    )


def test_evaluation_core_takes_a_split_of_its_own():
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier

    from whalefeat._evaluation import cross_validate, environment

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 25)
    X = rng.normal(size=(50, 4)) + 2 * y[:, None]
    train, test = train_test_split(np.arange(50), test_size=0.2, stratify=y, random_state=0)
    result = cross_validate(DecisionTreeClassifier(random_state=0), X, y, splits=[(train, test)])
    assert len(result.rows) == 1 and result.rows[0]["n_test"] == 10
    assert np.isnan(result.scores["clean"][train]).all()
    assert (result.fold_of[train] == -1).all() and (result.fold_of[test] == 0).all()
    env = environment()
    assert {"numpy", "scikit-learn", "whalefeat", "python"} <= set(env["versions"])
    assert env["cpu_count"] >= 1


# ------------------------------------------------------------------------------ models


def _pipeline_of(*argv):
    return build_pipeline(build_parser().parse_args(["evaluate", ".", *argv]))


def test_model_options_set_the_pipelines_parameters():
    from whalefeat import pipelines

    pipeline = _pipeline_of(
        "--model",
        "hgb",
        "--fmin",
        "50",
        "--contrast",
        "none",
        "--jobs",
        "2",
        "--seed",
        "3",
        "--set",
        "classifier__max_iter=20",
        "--on-length",
        "pad",
    )
    expected = pipelines.get(
        "hgb",
        random_state=3,
        spectrogram__fmin=50.0,
        spectrogram__contrast=None,
        classifier__max_iter=20,
    )
    params, reference = pipeline.get_params(), expected.get_params()
    for key in (
        "spectrogram__fmin",
        "spectrogram__contrast",
        "spectrogram__fmax",
        "classifier__max_iter",
        "classifier__random_state",
    ):
        assert params[key] == reference[key], key
    assert params["loader__n_jobs"] == params["spectrogram__n_jobs"] == 2
    assert params["loader__on_length"] == "pad"
    # a spectrogram option reaches every spectrogram of a union, and epochs the network
    ce = _pipeline_of("--model", "ce-inception", "--fmax", "280", "--epochs", "2").get_params()
    mels = [key for key, value in ce.items() if isinstance(value, Spectrogram)]
    assert len(mels) == 2 and all(ce[f"{key}__fmax"] == 280.0 for key in mels)
    assert ce["classifier__epochs"] == 2


def test_demo_trains_few_epochs_and_untouched_options_keep_the_pipelines_defaults():
    from whalefeat import pipelines
    from whalefeat.cli import DEMO_EPOCHS

    demo = build_pipeline(build_parser().parse_args(["demo", "--model", "frames-inception"]))
    assert demo.get_params()["classifier__epochs"] == DEMO_EPOCHS
    plain = _pipeline_of("--model", "frames-inception").get_params()
    reference = pipelines.get("frames-inception", random_state=0).get_params()
    assert {k: repr(v) for k, v in plain.items() if "__" in k} == {
        k: repr(v) for k, v in reference.items() if "__" in k
    }


def test_deprecated_model_name_warns_and_maps(labelled, capsys):
    pipeline = _pipeline_of("--model", "inceptiontime")
    assert pipeline.get_params()["classifier__architecture"] == "inceptiontime"
    assert [name for name, _ in pipeline.steps] == ["loader", "features", "classifier"]
    # the warning comes before anything runs (here a usage error stops it)
    assert (
        main(["evaluate", str(labelled), "--model", "inception-seed", "--image-size", "80"]) == 2
    )
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "whalefeat: warning: --model inception-seed is deprecated; it runs --model ce-inception"
    )
    assert err[1].startswith(
        "whalefeat: error: argument --image-size: model inception-seed has no image_size"
    )
