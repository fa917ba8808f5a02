"""Smoke tests of the real-data study script on a few synthetic clips."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from whalefeat.datasets import make_clips, write_clips

STUDY = Path(__file__).resolve().parents[1] / "benchmarks" / "study.py"


@pytest.fixture(scope="module")
def study():
    spec = importlib.util.spec_from_file_location("whalefeat_study", STUDY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory):
    X, y = make_clips(16, snr_db=10.0, random_state=0)
    directory = tmp_path_factory.mktemp("clips")
    write_clips(X, directory, y=y, layout="csv")
    return directory


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def test_select_by_name_prefix_and_glob(study):
    names = ["xception", "ce-raw-shannon/seed", "ce-spec-tsallis/seed", "baseline-hgb"]
    assert study.select(names, None) == names
    assert study.select(names, "xception") == ["xception"]
    assert study.select(names, "ce-") == names[1:3]
    assert study.select(names, "*/seed,baseline") == names[1:]
    with pytest.raises(SystemExit, match="matches none"):
        study.select(names, "nothing")


def test_summarise_mean_and_population_std(study):
    folds = [
        {
            "pipeline": "p",
            "condition": "clean",
            "fold": i,
            "roc_auc": a,
            "accuracy": 0.5,
            "f1": 0.5,
            "recall": 0.5,
            "precision": 0.5,
            "fit_time_s": 2.0 * i,
            "predict_time_s": 1.0,
        }
        for i, a in enumerate([0.8, 0.9, 1.0])
    ]
    (row,) = study.summarise(folds)
    assert row["roc_auc_mean"] == pytest.approx(0.9)
    assert row["roc_auc_std"] == pytest.approx(np.std([0.8, 0.9, 1.0]))
    assert row["accuracy_std"] == 0.0
    assert row["fit_time_s"] == pytest.approx(2.0)


def test_stratified_subset_keeps_both_classes(study):
    y = np.array([0] * 30 + [1] * 10)
    keep = study._stratified_subset(y, 8, seed=0)
    assert len(keep) == 8
    assert np.sum(y[keep] == 1) == 2
    assert np.array_equal(keep, np.unique(keep))


def test_quick_study_writes_every_output(study, clip_dir, tmp_path):
    out = tmp_path / "out"
    models = "baseline-logreg,ce-raw-shannon/seed"
    argv = [
        "--data",
        str(clip_dir),
        "--out",
        str(out),
        "--quick",
        "--folds",
        "2",
        "--models",
        models,
        "--snr-db",
        "5",
    ]
    result = study.main(argv)

    columns, rows = read_csv(out / "results.csv")
    assert columns == study.RESULT_COLUMNS
    assert {(r["pipeline"], r["condition"]) for r in rows} == {
        (p, c) for p in models.split(",") for c in ("clean", "noisy")
    }
    for r in rows:
        assert 0.0 <= float(r["roc_auc_mean"]) <= 1.0
        assert float(r["fit_time_s"]) > 0.0

    columns, folds = read_csv(out / "folds.csv")
    assert columns == study.FOLD_COLUMNS
    assert len(folds) == 2 * 2 * 2
    assert (
        sum(
            int(f["n_test"])
            for f in folds
            if f["pipeline"] == "baseline-logreg" and f["condition"] == "clean"
        )
        == 16
    )
    assert all(f["n_iter"] for f in folds if f["pipeline"].startswith("ce-"))

    _, oof = read_csv(out / "oof_scores.csv")
    assert len(oof) == 16
    assert {f"{p}|{c}" for p in models.split(",") for c in ("clean", "noisy")} <= set(oof[0])

    env = json.loads((out / "environment.json").read_text())
    for key in (
        "platform",
        "cpu",
        "numpy",
        "scipy",
        "scikit-learn",
        "tensorflow",
        "keras",
        "numba",
        "whalefeat",
        "wall_time_s",
        "settings",
        "snr_db",
    ):
        assert key in env
    assert env["snr_db"] == 5.0 and env["n_clips"] == 16

    assert (out / "command.txt").read_text().strip().endswith("--snr-db 5")
    saved = json.loads((out / "results.json").read_text())
    assert saved["results"] == json.loads(json.dumps(result["results"]))
    assert any(p["pipeline"].startswith("published") for p in saved["published"])

    import matplotlib.image

    image = matplotlib.image.imread(out / "roc.png")
    assert image.ndim == 3 and image.shape[0] > 300 and image.shape[1] > 300


def test_every_pipeline_clones_with_its_settings(study):
    from sklearn.base import clone

    settings = study.Settings()
    pipelines = study.build_pipelines(settings, seed=3, n_jobs=None)
    names = list(pipelines)
    assert "xception" in names and "baseline-logreg" in names
    assert {n.split("/")[1] for n in names if n.startswith("ce-")} == {
        "seed",
        "inceptiontime",
        "inceptiontime-nores",
    }
    for name, pipeline in pipelines.items():
        params = clone(pipeline).get_params()
        final = pipeline.steps[-1][0]
        if name.startswith("ce-") or name == "xception":
            assert params[f"{final}__random_state"] == 3
        if name.startswith("ce-"):
            assert params[f"{final}__validation_split"] == settings.validation_split
            assert params[f"{final}__batch_norm_momentum"] == settings.ce_bn_momentum
            assert params[f"{final}__patience"] == settings.ce_patience
        if name.endswith("inceptiontime-nores"):
            assert params[f"{final}__residual"] is False
    xception = clone(pipelines["xception"])[-1]
    assert xception.weights is None
    assert xception.image_size == settings.xception_image_size
    assert xception.epochs == settings.xception_epochs
    assert xception.batch_norm_momentum == settings.xception_bn_momentum


def test_networks_standardise_their_input_once(study):
    """The series networks standardise in their own first layer; no scaler runs before it."""
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    from whalefeat.models import Inception1DClassifier

    pipelines = study.build_pipelines(study.Settings.quick(), seed=0, n_jobs=None)
    networks = {
        name: p for name, p in pipelines.items() if isinstance(p[-1], Inception1DClassifier)
    }
    assert set(networks) == {n for n in pipelines if n.startswith("ce-")} | {
        "baseline-spectrogram/seed"
    }
    for pipeline in networks.values():
        assert pipeline[-1].standardize is True
        assert not any(isinstance(step, StandardScaler) for step in pipeline[:-1])
    frames = networks["baseline-spectrogram/seed"][-2]
    assert isinstance(frames, FunctionTransformer)
    assert frames.fit_transform(np.zeros((2, 46, 118))).shape == (2, 118, 46)


@pytest.fixture(scope="module")
def holdout():
    path = STUDY.parent / "holdout.py"
    spec = importlib.util.spec_from_file_location("whalefeat_holdout", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_holdout_options(holdout):
    args = holdout.parse_args(["--train", "a", "--test", "b", "--out", "c"])
    assert vars(args) == {
        "train": Path("a"),
        "test": Path("b"),
        "out": Path("c"),
        "pipelines": ",".join(holdout.DEFAULT_PIPELINES),
        "seed": 0,
        "snr_db": 10.0,
        "max_test": None,
        "max_train": None,
        "grow": None,
        "leak": False,
        "leak_seeds": 3,
        "leak_ratio": 0.4,
        "shift": 0.1,
        "set": [],
        "n_jobs": None,
        "replace": False,
        "compare": [],
    }
    args = holdout.parse_args(
        [
            "--train",
            "a",
            "--test",
            "b",
            "--out",
            "c",
            "--grow",
            "0.8",
            "--set",
            "hgb:classifier__max_iter=5",
            "--leak",
        ]
    )
    assert args.grow == 0.8 and args.leak
    assert holdout._overrides(args.set) == {"hgb": {"classifier__max_iter": 5}}


def test_holdout_scores_the_clips_the_training_folder_lacks(holdout, tmp_path):
    import shutil

    from sklearn.metrics import roc_auc_score

    from whalefeat import AiffLoader, add_noise, pipelines
    from whalefeat.datasets import load_challenge

    X, y = make_clips(24, snr_db=10.0, random_state=1)
    superset, training = tmp_path / "all", tmp_path / "some"
    write_clips(X, superset, y=y, layout="csv")
    (training / "train").mkdir(parents=True)
    lines = (superset / "train.csv").read_text().splitlines()
    (training / "train.csv").write_text("\n".join(lines[:13]) + "\n")
    for line in lines[1:13]:
        shutil.copy(superset / "train" / line.split(",")[0], training / "train")

    out = tmp_path / "out"
    result = holdout.main(
        [
            "--train",
            str(training),
            "--test",
            str(superset),
            "--out",
            str(out),
            "--pipelines",
            "hgb",
            "--snr-db",
            "5",
        ]
    )
    columns, rows = read_csv(out / "holdout.csv")
    assert columns == holdout.HOLDOUT_COLUMNS
    assert [(r["pipeline"], r["condition"]) for r in rows] == [("hgb", "clean"), ("hgb", "noisy")]
    assert all(int(r["n_train"]) == 12 and int(r["n_test"]) == 12 for r in rows)

    # the same numbers as fitting the named pipeline by hand on the decoded clips
    train_paths, y_train = load_challenge(training)
    test_paths, y_test = load_challenge(superset)
    test_paths, y_test = test_paths[12:], y_test[12:]
    loader = AiffLoader()
    X_test = loader.fit_transform(test_paths)
    model = pipelines.get("hgb", random_state=0)[1:].fit(loader.transform(train_paths), y_train)
    for row, data in zip(
        result["rows"], (X_test, add_noise(X_test, 5.0, random_state=0)), strict=True
    ):
        score = model.predict_proba(data)[:, 1]
        assert row["roc_auc"] == pytest.approx(roc_auc_score(y_test, score))
    saved = np.load(out / "holdout_scores.npz")
    np.testing.assert_allclose(saved["hgb|clean"], model.predict_proba(X_test)[:, 1])
    env = json.loads((out / "holdout_environment.json").read_text())
    assert env["n_train"] == 12 and env["pipelines"].keys() == {"hgb"}
    assert "load_average_start" in env and "numpy" in env

    # --replace: a second pipeline joins the first one's results, which are kept as they were
    common = [
        "--train",
        str(training),
        "--test",
        str(superset),
        "--out",
        str(out),
        "--snr-db",
        "5",
    ]
    holdout.main([*common, "--pipelines", "logistic", "--replace"])
    columns, again = read_csv(out / "holdout.csv")
    assert [(r["pipeline"], r["condition"]) for r in again] == [
        ("hgb", "clean"),
        ("hgb", "noisy"),
        ("logistic", "clean"),
        ("logistic", "noisy"),
    ]
    assert again[:2] == rows
    saved = np.load(out / "holdout_scores.npz")
    assert set(saved.files) == {
        "y",
        "clips",
        "hgb|clean",
        "hgb|noisy",
        "logistic|clean",
        "logistic|noisy",
    }
    np.testing.assert_allclose(saved["hgb|clean"], model.predict_proba(X_test)[:, 1])
    assert len((out / "command.txt").read_text().splitlines()) == 2
    assert json.loads((out / "holdout_environment.json").read_text())[
        "kept_from_earlier_runs"
    ] == ["hgb"]
    # results of other test clips are never mixed in
    with pytest.raises(SystemExit, match="other test clips"):
        holdout.main([*common, "--pipelines", "logistic", "--replace", "--max-test", "6"])

    # --compare from the saved scores alone: nothing is fitted, the environment is kept
    holdout.main([*common, "--pipelines", "", "--replace", "--compare", "hgb:logistic"])
    columns, compared = read_csv(out / "compare.csv")
    assert columns == holdout.COMPARE_COLUMNS
    assert [(r["first"], r["second"], r["condition"]) for r in compared] == [
        ("hgb", "logistic", "clean"),
        ("hgb", "logistic", "noisy"),
    ]
    expected = roc_auc_score(y_test, saved["hgb|clean"]) - roc_auc_score(
        y_test, saved["logistic|clean"]
    )
    assert float(compared[0]["roc_auc_difference"]) == pytest.approx(expected)
    assert json.loads((out / "holdout_environment.json").read_text())["n_train"] == 12
    with pytest.raises(SystemExit, match="both pipelines"):
        holdout.main([*common, "--pipelines", "", "--replace", "--compare", "hgb:nope"])


def test_paired_bootstrap_difference(holdout):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 200)
    a = y + rng.normal(0, 1.0, y.size)
    b = a + rng.normal(0, 1.0, y.size)  # a noisier copy of a: the two share most of their noise
    # a score against itself: no difference on any resample
    assert holdout.paired_bootstrap_difference(y, a, a) == (0.0, 0.0, 0.0, 0.0)
    difference, sd, low, high = holdout.paired_bootstrap_difference(y, a, b, n_boot=300)
    assert difference == pytest.approx(_auc(y, a) - _auc(y, b))
    assert 0 < sd < 0.1 and low < difference < high
    # pairing removes the resampling noise the two AUCs share: the spread of the
    # difference is below that of the two AUCs' own spreads added in quadrature
    sd_a, sd_b = holdout.bootstrap_auc(y, a, 300)[0], holdout.bootstrap_auc(y, b, 300)[0]
    assert sd < np.hypot(sd_a, sd_b)


def _auc(y, score):
    from sklearn.metrics import roc_auc_score

    return roc_auc_score(y, score)
