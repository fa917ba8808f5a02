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


def _benchmark_script(name: str):
    """A fresh import of ``benchmarks/<name>.py`` (its module-level tables can be patched)."""
    spec = importlib.util.spec_from_file_location(f"whalefeat_{name}", STUDY.parent / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A superset of 40 synthetic clips and its first 16 as the design clips."""
    return subset_and_superset(tmp_path_factory.mktemp("study-clips"), 40, 16, random_state=2)


def subset_and_superset(root: Path, n: int, n_subset: int, *, random_state: int):
    """``n`` synthetic clips in ``root/all`` and their first ``n_subset`` in ``root/some``."""
    import shutil

    X, y = make_clips(n, snr_db=10.0, random_state=random_state)
    superset, subset = root / "all", root / "some"
    write_clips(X, superset, y=y, layout="csv")
    (subset / "train").mkdir(parents=True)
    lines = (superset / "train.csv").read_text().splitlines()
    (subset / "train.csv").write_text("\n".join(lines[: n_subset + 1]) + "\n")
    for line in lines[1 : n_subset + 1]:
        shutil.copy(superset / "train" / line.split(",")[0], subset / "train")
    return subset, superset


def test_study_options(study, tmp_path):
    args = study.parse_args(["--data", "a", "--design", "b", "--out", "c"])
    assert vars(args) == {
        "data": Path("a"),
        "design": Path("b"),
        "out": Path("c"),
        "profile": "two-cores",
        "seed": 0,
        "snr_db": 10.0,
        "grow": 0.8,
        "pipelines": None,
        "ce_pipelines": ",".join(study.CE_PIPELINES),
        "network_seeds": None,
        "seed_pipelines": "fusion-inception,frames-inception",
        "splits": None,
        "split_pipelines": "templates,ce-inception,best",
        "curve_pipelines": ",".join(study.CURVE_PIPELINES),
        "sizes": None,
        "leak_seeds": 3,
        "xception_weights": None,
        "set": [],
        "max_test": None,
        "n_jobs": None,
        "workers": None,
        "resume": False,
        "summary_only": False,
    }
    # each profile fills what the options leave unset; an option given wins
    two_cores = study.apply_profile(args)
    assert (two_cores.network_seeds, two_cores.splits, two_cores.workers) == (1, 1, 2)
    assert two_cores.sizes == [375, 750, 1500]
    large = study.apply_profile(
        study.parse_args(["--data", "a", "--design", "b", "--out", "c", "--profile", "large",
                          "--splits", "2", "--sizes", "10"])
    )  # fmt: skip
    assert (large.network_seeds, large.splits, large.workers, large.sizes) == (5, 2, 1, [10])
    with pytest.raises(SystemExit, match="--workers must be at least 1, got 0"):
        study.main(
            ["--data", "a", "--design", "b", "--out", str(tmp_path / "c"), "--workers", "0"]
        )
    with pytest.raises(SystemExit, match="unknown pipeline"):
        study.main(
            ["--data", "a", "--design", "b", "--out", str(tmp_path / "c"), "--pipelines", "nope"]
        )
    assert not (tmp_path / "c").exists()  # nothing written before the options are checked
    with pytest.raises(SystemExit, match="--splits must be at least 1 .* got 0"):
        study.main(["--data", "a", "--design", "b", "--out", str(tmp_path / "c"), "--splits", "0"])
    assert not (tmp_path / "c").exists()


def test_study_runs_every_part_and_resumes(study, folders, tmp_path):
    design, superset = folders
    out = tmp_path / "out"
    argv = [
        "--data", str(superset), "--design", str(design), "--out", str(out),
        "--grow", "0.5", "--pipelines", "hgb,seed-xception",
        "--ce-pipelines", "seed-inception,hgb", "--curve-pipelines", "hgb",
        "--sizes", "12", "--leak-seeds", "1", "--snr-db", "5",
        "--splits", "2", "--split-pipelines", "hgb",
        "--network-seeds", "2", "--seed-pipelines", "hgb",
        "--set", "hgb:classifier__max_iter=5",
        "--set", "seed-inception:classifier__epochs=1", "--workers", "1",
    ]  # fmt: skip
    result = study.main(argv)

    # seed-xception downloads its weights when fitted: skipped, and said so
    assert set(result["skipped"]) == {"seed-xception"}
    assert "--xception-weights" in result["skipped"]["seed-xception"]
    columns, rows = read_csv(out / "study.csv")
    assert columns == study.STUDY_COLUMNS
    assert [(r["part"], r["pipeline"], r["condition"]) for r in rows] == [
        (part, name, condition)
        for part, names in (
            ("holdout", ("seed-inception", "hgb")),
            ("holdout-grow", ("hgb",)),
        )
        for name in names
        for condition in ("clean", "noisy")
    ]
    # design clips in training only: 16 + half of the 24 others in the grown part
    assert {(r["part"], r["n_train"], r["n_test"]) for r in rows} == {
        ("holdout", "16", "24"),
        ("holdout-grow", "28", "12"),
    }
    _, leak = read_csv(out / "holdout" / "leak.csv")
    assert [r["protocol"] for r in leak] == [
        "augment-then-split (published)",
        "split-then-augment (leak-free)",
    ]
    _, curve = read_csv(out / "learning-curve" / "learning_curve.csv")
    assert [(r["pipeline"], r["n_train"]) for r in curve] == [("hgb", "12"), ("hgb", "28")]
    _, published = read_csv(out / "published.csv")
    assert any("challenge" in r["pipeline"] for r in published)
    assert (out / "table.txt").read_text().count("holdout-grow") == 2
    env = json.loads((out / "environment.json").read_text())
    assert env["skipped"].keys() == {"seed-xception"} and "numpy" in env
    assert env["fit_and_predict_s"].keys() == {
        "holdout",
        "holdout-grow",
        "holdout-seeds",
        "holdout-splits",
        "learning-curve",
    }
    assert all(seconds > 0 for seconds in env["fit_and_predict_s"].values())
    commands = (out / "learning-curve" / "learning_curve_command.txt").read_text()
    assert "# 12 training clips" in commands and "--max-train 12" in commands
    # both parts again under seed 1: the grown part on another split, the other on the same
    assert env["repeat_seeds"] == {"holdout-seeds": [0, 1], "holdout-splits": [0, 1]}
    for folder, part, sizes in (
        ("holdout-splits", "holdout-grow", ("28", "12")),
        ("holdout-seeds", "holdout", ("16", "24")),
    ):
        _, second = read_csv(out / folder / "seed1" / "holdout.csv")
        assert [(r["pipeline"], r["n_train"], r["n_test"]) for r in second] == [
            ("hgb", *sizes),
            ("hgb", *sizes),
        ]
        columns, repeats = read_csv(out / folder / "repeats.csv")
        assert columns == study.REPEAT_COLUMNS
        first_auc = {
            r["condition"]: float(r["roc_auc"])
            for r in rows
            if (r["part"], r["pipeline"]) == (part, "hgb")
        }
        for repeat, other in zip(repeats, second, strict=True):
            assert (repeat["pipeline"], repeat["n_runs"], repeat["seeds"]) == ("hgb", "2", "0 1")
            per_run = [float(v) for v in repeat["roc_auc_per_run"].split()]
            expected = [first_auc[repeat["condition"]], float(other["roc_auc"])]
            assert per_run == pytest.approx(expected, abs=5e-5)
            assert float(repeat["roc_auc_mean"]) == pytest.approx(np.mean(per_run), abs=1e-4)
        commands = (out / folder / "repeats_command.txt").read_text()
        assert "# seed 1" in commands and "--seed 1" in commands

    import matplotlib.image

    for name in ("roc.png", "roc_noisy.png", "learning-curve/learning_curve.png"):
        image = matplotlib.image.imread(out / name)
        assert image.ndim == 3 and min(image.shape[:2]) > 300

    # --resume: nothing left to run, so nothing is refitted; a new pipeline joins
    first = json.loads((out / "environment.json").read_text())
    before = (out / "holdout-grow" / "holdout.csv").read_text()
    repeat_before = (out / "holdout-splits" / "seed1" / "holdout.csv").read_text()
    study.main([*argv, "--resume"])
    assert (out / "holdout-grow" / "holdout.csv").read_text() == before
    assert (out / "holdout-splits" / "seed1" / "holdout.csv").read_text() == repeat_before
    assert len((out / "holdout-grow" / "command.txt").read_text().splitlines()) == 1
    assert len((out / "command.txt").read_text().splitlines()) == 2
    grown = [*argv, "--resume"]
    grown[grown.index("hgb,seed-xception")] = "hgb,logistic"
    study.main(grown)
    commands = (out / "holdout-grow" / "command.txt").read_text().splitlines()
    assert len(commands) == 2 and "--pipelines logistic --replace" in commands[1]
    _, again = read_csv(out / "study.csv")
    assert again[: len(rows)] == rows
    # --summary-only fits nothing, even for a pipeline that is missing
    table = (out / "table.txt").read_text()
    summary = [*argv, "--summary-only", "--sizes", "12", "20"]
    summary[summary.index("hgb,seed-xception")] = "hgb,logistic,templates"
    study.main(summary)
    assert (out / "holdout-grow" / "command.txt").read_text().splitlines() == commands
    assert (out / "table.txt").read_text() == table
    # the timing of the first, full run is carried through every resumption
    env = json.loads((out / "environment.json").read_text())
    assert env["resumed"] and env["part_wall_s"] == {}
    assert env["first_run"] == {key: first[key] for key in study.FIRST_RUN_KEYS}
    assert [r["pipeline"] for r in again[len(rows) :]] == ["logistic", "logistic"]


def test_parallel_workers_write_what_one_worker_writes(study, folders, tmp_path):
    design, superset = folders
    argv = [
        "--data", str(superset), "--design", str(design), "--grow", "0.5",
        "--pipelines", "hgb", "--ce-pipelines", "hgb", "--curve-pipelines", "hgb",
        "--sizes", "12", "20", "--leak-seeds", "0", "--splits", "2", "--split-pipelines", "hgb",
        "--set", "hgb:classifier__max_iter=5",
    ]  # fmt: skip
    one, two = tmp_path / "one", tmp_path / "two"
    study.main([*argv, "--out", str(one), "--workers", "1"])
    study.main([*argv, "--out", str(two)])  # the two-cores profile: two worker processes
    env = json.loads((two / "environment.json").read_text())
    assert (env["profile"], env["workers"]) == ("two-cores", 2)
    assert set(env["part_wall_s"]) == {
        "holdout",
        "holdout-grow",
        "holdout-splits/seed1",
        "learning-curve/n12",
        "learning-curve/n20",
    }
    assert sorted(p.name for p in (two / "logs").iterdir()) == [
        "holdout-grow.log",
        "holdout-splits-seed1.log",
        "holdout.log",
        "learning-curve-n12.log",
        "learning-curve-n20.log",
    ]
    metrics = ("pipeline", "condition", "roc_auc", "accuracy", "n_train", "n_test")
    for name in ("study.csv", "targets.csv", "holdout-splits/repeats.csv"):
        _, first = read_csv(one / name)
        _, second = read_csv(two / name)
        assert [{k: r[k] for k in metrics if k in r} for r in first] == [
            {k: r[k] for k in metrics if k in r} for r in second
        ]
    _, first = read_csv(one / "learning-curve" / "learning_curve.csv")
    _, second = read_csv(two / "learning-curve" / "learning_curve.csv")
    assert [r["roc_auc"] for r in first] == [r["roc_auc"] for r in second]
    # the commands recorded are those a single worker records
    assert (two / "holdout-grow" / "command.txt").read_text() == (
        (one / "holdout-grow" / "command.txt").read_text().replace(str(one), str(two))
    )


def test_two_cores_profile_leaves_xception_out_of_the_grown_part(study, tmp_path):
    argv = ["--data", "a", "--design", "b", "--out", str(tmp_path), "--summary-only"]
    assert "xception" in study.main(argv)["skipped"]
    assert "two-cores profile" in study.main(argv)["skipped"]["xception"]
    assert "xception" not in study.main([*argv, "--profile", "large"])["skipped"]


def _row(part, pipeline, auc, *, n_train=3000, fit=10.0):
    return {
        "part": part,
        "pipeline": pipeline,
        "condition": "clean",
        "roc_auc": str(auc),
        "roc_auc_boot_sd": "0.003",
        "n_train": str(n_train),
        "n_test": "5761",
        "fit_time_s": str(fit),
    }


def test_compute_seconds_counts_each_fit_once(study):
    rows = [
        {"pipeline": "a", "fit_time_s": "10", "predict_time_s": "1"},
        {"pipeline": "a", "fit_time_s": "10", "predict_time_s": "2"},
        {"pipeline": "b", "fit_time_s": "5", "predict_time_s": "0.5"},
    ]
    assert study.compute_seconds(rows) == pytest.approx(18.5)


def test_targets_met_missed_and_about(study):
    rows = [
        _row("holdout", "ce-inception", 0.93),
        _row("holdout", "seed-inception", 0.83),
        _row("holdout", "fusion-inception", 0.945),
        _row("holdout", "frames-inception", 0.94),
        _row("holdout-grow", "best", 0.97, n_train=7608, fit=1900.0),
    ]
    compare = {
        "holdout": [
            {
                "first": "fusion-inception",
                "second": "frames-inception",
                "condition": "clean",
                "ci_low": "0.001",
                "ci_high": "0.009",
            }
        ]
    }
    found = {t["target"].split(" (")[0]: t for t in study.targets(rows, compare)}
    assert found["ce-inception ROC AUC >= 0.92"]["met"] is True
    assert found["ce-inception ROC AUC >= 0.92"]["gap"] == pytest.approx(0.01)
    # "about 0.85": met within 0.03 either way
    assert found["seed-inception reproduces about 0.85"]["met"] is True
    margin = found["fusion-inception beats frames-inception by >= 0.01"]
    assert margin["met"] is False and margin["gap"] == pytest.approx(-0.005)
    assert "+0.0010 to +0.0090" in margin["detail"]
    assert found["best ROC AUC >= 0.976"]["met"] is False
    assert found["best ROC AUC >= 0.976"]["gap"] == pytest.approx(-0.006)
    assert "trained on 7,608 clips" in found["best ROC AUC >= 0.976"]["target"]
    budget = [t for t in found.values() if t["pipeline"] == "best" and t["threshold"] == 1800]
    assert budget[0]["met"] is False and budget[0]["gap"] == pytest.approx(-100.0)
    # a target whose pipeline was not run has no row
    assert not any("xception" in key for key in found)

    # measured in several runs, a target is measured by their mean
    splits = [
        {"pipeline": "best", "condition": "clean", "n_runs": 3, "seeds": "0 1 2",
         "roc_auc_mean": 0.98, "roc_auc_sd": 0.004},
        {"pipeline": "best", "condition": "noisy", "n_runs": 3, "seeds": "0 1 2",
         "roc_auc_mean": 0.5, "roc_auc_sd": 0.1},
        {"pipeline": "ce-inception", "condition": "clean", "n_runs": 3, "seeds": "0 1 2",
         "roc_auc_mean": 0.5, "roc_auc_sd": 0.1},
    ]  # fmt: skip
    seeds = [
        {"first": "fusion-inception", "second": "frames-inception", "condition": "clean",
         "n_runs": 2, "seeds": "0 1", "difference_mean": 0.012, "difference_sd": 0.002,
         "n_runs_interval_above_zero": 2},
    ]  # fmt: skip
    repeats = {"holdout-splits": (splits, []), "holdout-seeds": ([], seeds)}
    over = {t["target"].split(" (")[0]: t for t in study.targets(rows, compare, repeats)}
    target = over["best ROC AUC >= 0.976"]
    assert target["met"] is True and target["gap"] == pytest.approx(0.004)
    assert target["part"] == "holdout-splits"
    assert "mean of 3 splits (seeds 0 1 2)" in target["detail"]
    assert "sd between them 0.0040" in target["detail"]
    assert "holdout-grow alone 0.9700" in target["detail"]
    # ce-inception's target is in the 3,000-clip part, whose repeats lack it
    assert over["ce-inception ROC AUC >= 0.92"] == found["ce-inception ROC AUC >= 0.92"]
    margin = over["fusion-inception beats frames-inception by >= 0.01"]
    assert margin["met"] is True and margin["gap"] == pytest.approx(0.002)
    assert margin["part"] == "holdout-seeds"
    assert "mean of 2 network seeds (seeds 0 1)" in margin["detail"]
    assert "interval above zero in 2 of 2" in margin["detail"]
    assert "holdout alone +0.0050 (paired bootstrap 95 % interval" in margin["detail"]


def test_repeat_summary_and_comparisons(study, tmp_path):
    columns = ["pipeline", "condition", "roc_auc", "accuracy", "n_train", "n_test"]
    compare_columns = ["first", "second", "condition", "roc_auc_difference", "ci_low"]
    folders = {}
    for seed, (auc_a, auc_b) in enumerate([(0.9, 0.8), (0.7, 0.85), (0.8, 0.9)]):
        folder = folders[seed] = tmp_path / f"seed{seed}"
        folder.mkdir()
        rows = [
            {"pipeline": "a", "condition": "clean", "roc_auc": auc_a, "accuracy": 0.5,
             "n_train": 10, "n_test": 5},
            {"pipeline": "b", "condition": "clean", "roc_auc": auc_b, "accuracy": 0.5,
             "n_train": 10, "n_test": 5},
        ]  # fmt: skip
        if seed == 2:  # "b" not scored on the last split
            rows = rows[:1]
        study.write_csv(folder / "holdout.csv", rows, columns)
        if seed < 2:
            difference = {
                "first": "a",
                "second": "b",
                "condition": "clean",
                "roc_auc_difference": auc_a - auc_b,
                "ci_low": auc_a - auc_b - 0.01,
            }
            study.write_csv(folder / "compare.csv", [difference], compare_columns)
    summary = study.repeat_summary(folders, ["b", "a"])
    assert [(r["pipeline"], r["n_runs"], r["seeds"]) for r in summary] == [
        ("b", 2, "0 1"),
        ("a", 3, "0 1 2"),
    ]
    a = summary[1]
    assert a["roc_auc_mean"] == pytest.approx(0.8)
    assert a["roc_auc_sd"] == pytest.approx(np.std([0.9, 0.7, 0.8], ddof=1))
    assert (a["roc_auc_min"], a["roc_auc_max"]) == (0.7, 0.9)
    assert a["roc_auc_per_run"] == "0.9000 0.7000 0.8000"
    (pair,) = study.repeat_comparisons(folders, ["a", "b"])
    assert (pair["first"], pair["second"], pair["n_runs"]) == ("a", "b", 2)
    assert pair["difference_mean"] == pytest.approx((0.1 - 0.15) / 2)
    assert pair["difference_per_run"] == "+0.1000 -0.1500"
    assert pair["n_runs_interval_above_zero"] == 1
    # a pair outside the repeated pipelines is left out
    assert study.repeat_comparisons(folders, ["a"]) == []
    # one run only: no spread
    (alone,) = study.repeat_summary({0: folders[0]}, ["a"])
    assert np.isnan(alone["roc_auc_sd"])


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

    from sklearn.metrics import roc_auc_score

    from whalefeat import AiffLoader, add_noise, pipelines
    from whalefeat.datasets import load_challenge

    training, superset = subset_and_superset(tmp_path, 24, 12, random_state=1)

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
    # a second comparison joins the first, which is kept as it was
    holdout.main([*common, "--pipelines", "", "--replace", "--compare", "logistic:hgb"])
    _, both = read_csv(out / "compare.csv")
    assert both[:2] == compared and [r["first"] for r in both[2:]] == ["logistic", "logistic"]
    assert float(both[2]["roc_auc_difference"]) == pytest.approx(-expected, abs=1e-6)
    with pytest.raises(SystemExit, match="both pipelines"):
        holdout.main([*common, "--pipelines", "", "--replace", "--compare", "hgb:nope"])

    # a copy without the scores file keeps the other rows as they were, not their scores
    (out / "holdout_scores.npz").unlink()
    holdout.main([*common, "--pipelines", "hgb", "--replace"])
    # hgb was fitted again: its earlier comparisons are dropped, not left beside new scores
    columns, stale = read_csv(out / "compare.csv")
    assert columns == holdout.COMPARE_COLUMNS and stale == []
    _, kept = read_csv(out / "holdout.csv")
    assert [r["pipeline"] for r in kept] == ["logistic", "logistic", "hgb", "hgb"]
    assert kept[:2] == again[2:]
    assert set(np.load(out / "holdout_scores.npz").files) == {
        "y",
        "clips",
        "hgb|clean",
        "hgb|noisy",
    }
    env = json.loads((out / "holdout_environment.json").read_text())
    assert env["kept_from_earlier_runs"] == ["logistic"] and env["scores_missing_for"] == [
        "logistic"
    ]
    with pytest.raises(SystemExit, match="both pipelines"):
        holdout.main([*common, "--pipelines", "", "--replace", "--compare", "hgb:logistic"])


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


def test_best_design_scores_candidates_votes_and_seeds(folders, tmp_path):
    design = _benchmark_script("best_design")
    _, superset = folders
    out = tmp_path / "design"
    argv = ["--data", str(superset), "--out", str(out), "--candidates", "logistic,hgb"]
    rows = design.main([*argv, "--folds", "2", "--seeds", "2"])
    assert [(r["members"], r["fold"], r["seed"]) for r in rows[:3]] == [
        ("logistic", 0, 0),
        ("hgb", 0, 0),
        ("logistic + hgb", 0, 0),
    ]
    assert len(rows) == 2 * 2 * 3
    _, saved = read_csv(out / "best_design.csv")
    assert len(saved) == 12 and {r["seed"] for r in saved} == {"0", "1"}
    _, summary = read_csv(out / "best_design_summary.csv")
    assert [r["members"] for r in summary] == ["logistic", "hgb", "logistic + hgb"]
    hgb = [r["roc_auc"] for r in rows if r["members"] == "hgb"]
    by_seed = [np.mean(hgb[0::2]), np.mean(hgb[1::2])]  # seed 0 on folds 0, 1; then seed 1
    assert float(summary[1]["roc_auc_mean"]) == pytest.approx(np.mean(by_seed), abs=1e-6)
    assert float(summary[1]["worst_seed"]) == pytest.approx(min(by_seed), abs=1e-6)
    assert summary[1]["n_folds"] == "2" and summary[1]["n_seeds"] == "2"
    assert "--seeds 2" in (out / "best_design_command.txt").read_text()


def test_seed_inception_design_scores_each_variant_against_the_recipe(folders, tmp_path):
    design = _benchmark_script("seed_inception_design")
    short = {"classifier__epochs": 2}  # the recipe's 70 epochs are not what is under test
    design.VARIANTS = {
        "recipe": short,
        "frames-as-steps": {**short, "features__layout": "frames"},
    }
    _, superset = folders
    out = tmp_path / "design"
    rows = design.main(["--data", str(superset), "--out", str(out)])
    assert [(r["variant"], r["fold"]) for r in rows[:2]] == [
        ("recipe", 0),
        ("frames-as-steps", 0),
    ]
    assert len(rows) == 3 * 2 and all(1 <= r["epochs_trained"] <= 2 for r in rows)
    _, summary = read_csv(out / "seed_inception_design_summary.csv")
    assert [r["variant"] for r in summary] == ["recipe", "frames-as-steps"]
    frames = [r["roc_auc"] for r in rows if r["variant"] == "frames-as-steps"]
    recipe = [r["roc_auc"] for r in rows if r["variant"] == "recipe"]
    assert float(summary[1]["roc_auc_mean"]) == pytest.approx(np.mean(frames), abs=1e-6)
    gain = np.mean(np.subtract(frames, recipe))
    assert float(summary[1]["gain_over_recipe"]) == pytest.approx(gain, abs=1e-6)
    assert float(summary[0]["gain_over_recipe"]) == 0
    assert "--out" in (out / "seed_inception_design_command.txt").read_text()


def test_classifier_design_scores_each_setting_against_the_defaults(tmp_path, monkeypatch):
    design = _benchmark_script("classifier_design")
    small = {**design.MOBY2_TREES, "n_estimators": 20, "max_features": 5}
    monkeypatch.setitem(design.SETTINGS, "moby2", (design.GradientBoostingClassifier, small))
    # every training part must hold the 16 positive clips that the templates are cut from
    _, superset = subset_and_superset(tmp_path / "clips", 60, 16, random_state=3)
    out = tmp_path / "design"
    argv = ["--data", str(superset), "--out", str(out), "--seeds", "2"]
    rows = design.main([*argv, "--settings", "default", "moby2"])
    assert [(r["setting"], r["fold"], r["seed"]) for r in rows[:3]] == [
        ("default", 0, 0),
        ("default", 0, 1),
        ("default", 0, "mean"),
    ]
    assert len(rows) == 3 * 2 * 3
    _, summary = read_csv(out / "classifier_design_summary.csv")
    assert [r["setting"] for r in summary] == ["default", "moby2"]
    members = [r for r in rows if r["setting"] == "moby2" and r["seed"] != "mean"]
    base = [r for r in rows if r["setting"] == "default" and r["seed"] != "mean"]
    gain = np.mean([m["roc_auc"] - b["roc_auc"] for m, b in zip(members, base, strict=True)])
    assert float(summary[1]["single_gain_over_default"]) == pytest.approx(gain, abs=1e-6)
    assert float(summary[0]["averaged_gain_over_default"]) == 0
    assert "--seeds 2" in (out / "classifier_design_command.txt").read_text()
