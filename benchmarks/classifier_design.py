"""How the trees of ``"templates-ce"`` (and so of ``"best"``) were set: on training clips only.

The features of ``"templates-ce"`` (templates cut and ranked on the training part, the
deterministic contrast images, row statistics and complexity-entropy statistics) are computed
once per fold and per seed, on a stratified 3-fold split (seed 0) of one folder (the ``narw``
clips, never the held-out clips of ``benchmarks/holdout.py``). Every setting of
:class:`~sklearn.ensemble.HistGradientBoostingClassifier` in :data:`SETTINGS` (and the challenge
winner's own stochastic gradient boosting, :data:`MOBY2_TREES`) is then fitted
on the same features of each training part and scored on its test part, under every seed (a
seed draws the templates and the trees' randomness), and the mean of the seeds' probabilities
gives what ``"best"`` (:class:`~whalefeat.ensemble.SeedAveragingClassifier`) would predict
with that setting::

    OMP_NUM_THREADS=1 python benchmarks/classifier_design.py --data ../shared/data/narw \\
        --out docs/_static/study/classifier-design --seeds 3

``classifier_design.csv`` has one row per setting, fold and member (``seed`` 0, 1, ... or
``"mean"`` for the average of the seeds), ``classifier_design_summary.csv`` the mean ROC AUC
over folds of each setting, single-seed and averaged, and its difference from the default
setting paired by fold and seed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from whalefeat import pipelines

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the scripts beside this one
    sys.path.insert(0, str(HERE))

from _study_helpers import design_folds, write_command, write_csv  # noqa: E402

#: The challenge winner's trees (nmkridler/moby2, driver.py): stochastic gradient boosting, each
#: tree on half of the clips and each split on 15 features, 12,000 trees at a learning rate of
#: 0.002 (what HistGradientBoostingClassifier, which has no row subsampling, cannot do).
MOBY2_TREES = dict(
    max_depth=6,
    subsample=0.5,
    min_samples_split=25,
    min_samples_leaf=25,
    max_features=15,
    n_estimators=12000,
    learning_rate=0.002,
)

#: name -> (classifier, parameters); "default" is the pipeline's own
SETTINGS: dict[str, tuple[type, dict]] = {
    "default": (HistGradientBoostingClassifier, {}),
    **{
        name: (HistGradientBoostingClassifier, params)
        for name, params in {
            "lr0.05-it200": dict(learning_rate=0.05, max_iter=200),
            "lr0.05-it400": dict(learning_rate=0.05, max_iter=400),
            "lr0.03-it600": dict(learning_rate=0.03, max_iter=600),
            "lr0.05-it400-leaf15": dict(learning_rate=0.05, max_iter=400, max_leaf_nodes=15),
            "lr0.05-it400-l2": dict(learning_rate=0.05, max_iter=400, l2_regularization=1.0),
            "lr0.05-it400-min40": dict(learning_rate=0.05, max_iter=400, min_samples_leaf=40),
            "lr0.05-it400-feat0.5": dict(learning_rate=0.05, max_iter=400, max_features=0.5),
            "lr0.05-it400-feat0.25": dict(learning_rate=0.05, max_iter=400, max_features=0.25),
            "lr0.03-it800-feat0.25": dict(learning_rate=0.03, max_iter=800, max_features=0.25),
        }.items()
    },
    "moby2": (GradientBoostingClassifier, MOBY2_TREES),
    "moby2-lr0.02": (
        GradientBoostingClassifier,
        {**MOBY2_TREES, "n_estimators": 1200, "learning_rate": 0.02},
    ),
}


def main(argv: list[str] | None = None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--seed", type=int, default=0, help="seed of the folds")
    p.add_argument("--seeds", type=int, default=3, help="members (template draws) per fold")
    p.add_argument("--settings", nargs="*", default=list(SETTINGS), choices=list(SETTINGS))
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    X, y, splits = design_folds(args.data, args.seed)
    rows: list[dict] = []
    for fold, (train, test) in enumerate(splits):
        features = _fold_features(X, y, train, test, range(args.seeds), fold)
        for name in args.settings:
            rows += _score_setting(name, features, y[train], y[test], fold)
            write_csv(args.out / "classifier_design.csv", rows, list(rows[0]))
    summary = _summary(rows)
    write_csv(args.out / "classifier_design_summary.csv", summary, list(summary[0]))
    write_command(args.out / "classifier_design_command.txt", "classifier_design.py", argv)
    return rows


def _fold_features(X, y, train, test, seeds, fold) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per seed: the ``"templates-ce"`` features of the training and test part of one fold."""
    out = {}
    for seed in seeds:
        start = time.process_time()
        union = pipelines.get("templates-ce", random_state=seed).named_steps["features"]
        out[seed] = (union.fit_transform(X[train], y[train]), union.transform(X[test]))
        print(f"fold {fold} seed {seed} features {time.process_time() - start:.0f} s", flush=True)
    return out


def _score_setting(name, features, y_train, y_test, fold) -> list[dict]:
    rows, probabilities = [], []
    for seed, (train_features, test_features) in features.items():
        start = time.process_time()
        classifier, params = SETTINGS[name]
        model = classifier(random_state=seed, **params)
        model.fit(train_features, y_train)
        probabilities.append(model.predict_proba(test_features)[:, 1])
        rows.append(
            {
                "setting": name,
                "fold": fold,
                "seed": seed,
                "roc_auc": roc_auc_score(y_test, probabilities[-1]),
                "cpu_s": time.process_time() - start,
                "n_train": len(y_train),
                "n_test": len(y_test),
            }
        )
    rows.append(
        {
            "setting": name,
            "fold": fold,
            "seed": "mean",
            "roc_auc": roc_auc_score(y_test, np.mean(probabilities, axis=0)),
            "cpu_s": sum(row["cpu_s"] for row in rows),
            "n_train": len(y_train),
            "n_test": len(y_test),
        }
    )
    print(
        f"fold {fold} {name:24s} single {np.mean([r['roc_auc'] for r in rows[:-1]]):.4f} "
        f"averaged {rows[-1]['roc_auc']:.4f} ({rows[-1]['cpu_s']:.0f} s)",
        flush=True,
    )
    return rows


def _summary(rows: list[dict]) -> list[dict]:
    """Per setting: mean AUC of one member and of the average, and the paired gain over default."""

    def auc(setting, member):
        return {
            (r["fold"], r["seed"]): r["roc_auc"]
            for r in rows
            if r["setting"] == setting and (r["seed"] == "mean") == member
        }

    out = []
    for setting in dict.fromkeys(r["setting"] for r in rows):
        entry = {"setting": setting}
        for label, averaged in (("single", False), ("averaged", True)):
            own, base = auc(setting, averaged), auc("default", averaged)
            entry[f"{label}_roc_auc_mean"] = float(np.mean(list(own.values())))
            entry[f"{label}_roc_auc_sd_folds"] = float(
                np.std(
                    [
                        np.mean([v for (f, _), v in own.items() if f == fold])
                        for fold in sorted({f for f, _ in own})
                    ],
                    ddof=1,
                )
            )
            if base:
                gains = [own[key] - base[key] for key in own if key in base]
                entry[f"{label}_gain_over_default"] = float(np.mean(gains))
                entry[f"{label}_gain_min"] = float(np.min(gains))
                entry[f"{label}_gain_max"] = float(np.max(gains))
        entry["cpu_s_per_member"] = float(
            np.mean([r["cpu_s"] for r in rows if r["setting"] == setting and r["seed"] != "mean"])
        )
        out.append(entry)
    return out


if __name__ == "__main__":
    main()
