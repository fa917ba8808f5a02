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
        {"pipeline": "p", "condition": "clean", "fold": i, "roc_auc": a, "accuracy": 0.5,
         "f1": 0.5, "recall": 0.5, "precision": 0.5, "fit_time_s": 2.0 * i,
         "predict_time_s": 1.0}
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
    argv = ["--data", str(clip_dir), "--out", str(out), "--quick", "--folds", "2",
            "--models", models, "--snr-db", "5"]
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
    assert sum(int(f["n_test"]) for f in folds if f["pipeline"] == "baseline-logreg"
               and f["condition"] == "clean") == 16
    assert all(f["n_iter"] for f in folds if f["pipeline"].startswith("ce-"))

    _, oof = read_csv(out / "oof_scores.csv")
    assert len(oof) == 16
    assert {f"{p}|{c}" for p in models.split(",") for c in ("clean", "noisy")} <= set(oof[0])

    env = json.loads((out / "environment.json").read_text())
    for key in ("platform", "cpu", "numpy", "scipy", "scikit-learn", "tensorflow", "keras",
                "numba", "whalefeat", "wall_time_s", "settings", "snr_db"):
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
        "seed", "inceptiontime", "inceptiontime-nores"
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


def test_series_scaler_standardises_each_channel(study):
    from _study_helpers import SeriesScaler, frames_first

    rng = np.random.default_rng(0)
    X = rng.normal([0.95, 0.05, 3.0], [0.04, 0.01, 0.0], size=(20, 7, 3))
    scaler = SeriesScaler().fit(X)
    Z = scaler.transform(X)
    assert Z.shape == X.shape and Z.dtype == np.float32
    np.testing.assert_allclose(Z[..., :2].mean(axis=(0, 1)), 0.0, atol=1e-6)
    np.testing.assert_allclose(Z[..., :2].std(axis=(0, 1)), 1.0, atol=1e-5)
    np.testing.assert_array_equal(Z[..., 2], 0.0)  # a constant channel stays finite
    with pytest.raises(ValueError, match="n_steps, n_channels"):
        SeriesScaler().fit(X[:, :, 0])
    assert frames_first(np.zeros((2, 46, 118))).shape == (2, 118, 46)
