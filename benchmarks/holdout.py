"""Held-out study of the named pipelines, and a measurement of the published study's leak.

Trains every selected pipeline of :mod:`whalefeat.pipelines` on all clips of
one folder and scores it on the clips of a second folder that the first does
not hold (a superset in the same layout, such as ``narw-large`` beside
``narw``), clean and with :func:`whalefeat.add_noise` at ``--snr-db``::

    python benchmarks/holdout.py --train ../shared/data/narw \\
        --test ../shared/data/narw-large --out holdout-out

With ``--grow F`` a stratified fraction ``F`` of those other clips joins the
training clips and the rest is the test set (a Kaggle-like amount of training
data, for example ``--grow 0.8``: 3,000 + 4,609 training clips, 1,152 test
clips that no setting was chosen on).

No setting is tuned on the test clips: the pipelines' settings were chosen by
cross-validation inside the training folder, and the networks stop early only
on a validation split of the training clips where their pipeline says so. The
spread given for each AUC is that of 1,000 bootstrap resamples of the test
clips (stratified), i.e. how much the figure would move on another test set of
this size; it does not include the variation between training runs.

``--replace`` runs the given pipelines into an existing output folder of the
same clips (the same ``--train``, ``--test``, ``--grow`` and ``--seed``): their
rows and scores replace any of the same name and the others are kept, and the
command is added to ``command.txt``. A folder whose scores file
(``holdout_scores.npz``) was not kept, for instance a copy of the published
results that holds the tables only, keeps its rows but not their scores, and
the run says so (``holdout_environment.json``: ``"scores_missing_for"``):
``--compare`` then needs both pipelines rerun.

``--compare A:B`` (repeatable) adds the difference of ROC AUC between two
pipelines of the run, ``A`` minus ``B``, on the same test clips, with the
spread of 1,000 *paired* bootstrap resamples (both scored on each resample),
to ``compare.csv`` (with ``--replace``, beside the earlier comparisons of other
pairs); ``--replace --pipelines ""`` computes it from the scores
already in ``--out`` without fitting anything.

``--leak`` also measures what the published evaluation of the study's recipe
gained from its protocol: ``"seed-inception"`` evaluated (a) as published,
with augmented copies of positive clips (each circularly shifted by a random
offset of at most ``--shift`` seconds) added to the data *before* a stratified
90/10 split, so most test positives have a near-copy in training, and (b) with
the same augmentation inside the training part only; each over ``--leak-seeds``
splits of the training folder.
"""

from __future__ import annotations

import argparse
import csv
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from whalefeat import AiffLoader, add_noise, pipelines
from whalefeat._evaluation import (
    METRICS,
    TIMES,
    fit_and_score,
    fold_metrics,
    load_average,
    n_iter,
)
from whalefeat.datasets import load_challenge

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from _study_helpers import environment, write_csv  # noqa: E402  (the study's files)

HOLDOUT_COLUMNS = [
    "pipeline",
    "condition",
    *METRICS,
    "roc_auc_boot_sd",
    "roc_auc_ci_low",
    "roc_auc_ci_high",
    "fit_time_s",
    "predict_time_s",
    "n_train",
    "n_test",
    "n_iter",
]
COMPARE_COLUMNS = [
    "first",
    "second",
    "condition",
    "roc_auc_difference",
    "paired_boot_sd",
    "ci_low",
    "ci_high",
]
LEAK_COLUMNS = [
    "protocol",
    "seed",
    "roc_auc",
    "accuracy",
    "n_train",
    "n_test",
    "n_augmented",
    "n_iter",
]
DEFAULT_PIPELINES = (
    "hgb",
    "seed-inception",
    "frames-inception",
    "ce-inception",
    "fusion-inception",
)


def _stratified_resamples(y: np.ndarray, n_boot: int, seed: int):
    """``n_boot`` index arrays, each the positives and the negatives drawn with replacement."""
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    for _ in range(n_boot):
        yield np.concatenate([rng.choice(pos, pos.size), rng.choice(neg, neg.size)])


def bootstrap_auc(
    y: np.ndarray, score: np.ndarray, n_boot: int = 1000, seed: int = 0
) -> tuple[float, float, float]:
    """Standard deviation and 95 % interval of ROC AUC over stratified bootstrap resamples."""
    from sklearn.metrics import roc_auc_score

    values = np.array(
        [roc_auc_score(y[idx], score[idx]) for idx in _stratified_resamples(y, n_boot, seed)]
    )
    return (
        float(values.std()),
        float(np.quantile(values, 0.025)),
        float(np.quantile(values, 0.975)),
    )


def paired_bootstrap_difference(
    y: np.ndarray, a: np.ndarray, b: np.ndarray, n_boot: int = 1000, seed: int = 0
) -> tuple[float, float, float, float]:
    """ROC AUC of ``a`` minus that of ``b`` on the same clips, with its paired bootstrap spread.

    Returns the difference on all clips, and the standard deviation and 95 %
    interval of the differences over stratified resamples of the clips, each
    resample scoring both.
    """
    from sklearn.metrics import roc_auc_score

    values = np.array(
        [
            roc_auc_score(y[idx], a[idx]) - roc_auc_score(y[idx], b[idx])
            for idx in _stratified_resamples(y, n_boot, seed)
        ]
    )
    return (
        float(roc_auc_score(y, a) - roc_auc_score(y, b)),
        float(values.std()),
        float(np.quantile(values, 0.025)),
        float(np.quantile(values, 0.975)),
    )


def compare_pipelines(
    pairs: list[str], y: np.ndarray, scores: dict[str, np.ndarray], seed: int = 0
) -> list[dict]:
    """One row per ``"A:B"`` pair and condition: AUC of A minus AUC of B, paired bootstrap."""
    rows = []
    for pair in pairs:
        first, _, second = pair.partition(":")
        conditions = [key.split("|")[1] for key in scores if key.startswith(first + "|")]
        if not conditions or not any(key.startswith(second + "|") for key in scores):
            raise SystemExit(
                f"--compare {pair}: both pipelines must be in this run's results "
                f"(found {sorted({key.split('|')[0] for key in scores})})"
            )
        for condition in conditions:
            difference, sd, low, high = paired_bootstrap_difference(
                y, scores[f"{first}|{condition}"], scores[f"{second}|{condition}"], seed=seed
            )
            rows.append(
                {
                    "first": first,
                    "second": second,
                    "condition": condition,
                    "roc_auc_difference": difference,
                    "paired_boot_sd": sd,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    return rows


def shifted_copies(X: np.ndarray, n: int, max_shift: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` clips drawn from ``X`` (with replacement), each rolled by a random offset."""
    picks = rng.integers(0, len(X), size=n)
    shifts = rng.integers(-max_shift, max_shift + 1, size=n)
    return np.stack([np.roll(X[i], s) for i, s in zip(picks, shifts, strict=True)])


def leak_study(
    X: np.ndarray, y: np.ndarray, *, seeds: int, ratio: float, max_shift: int, params: dict
) -> list[dict]:
    """The published protocol (augment, then split) against augmenting inside training only."""
    rows = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        positives = X[y == 1]
        n_aug = round(ratio * len(y))
        for protocol in ("augment-then-split (published)", "split-then-augment (leak-free)"):
            if protocol.startswith("augment"):
                extra = shifted_copies(positives, n_aug, max_shift, rng)
                X_all = np.concatenate([X, extra])
                y_all = np.concatenate([y, np.ones(n_aug, dtype=y.dtype)])
                X_tr, X_te, y_tr, y_te = train_test_split(
                    X_all, y_all, test_size=0.1, stratify=y_all, random_state=seed
                )
            else:
                X_tr, X_te, y_tr, y_te = train_test_split(
                    X, y, test_size=0.1, stratify=y, random_state=seed
                )
                n_here = round(ratio * len(y_tr))
                extra = shifted_copies(X_tr[y_tr == 1], n_here, max_shift, rng)
                X_tr = np.concatenate([X_tr, extra])
                y_tr = np.concatenate([y_tr, np.ones(n_here, dtype=y.dtype)])
            model = pipelines.get("seed-inception", random_state=seed, **params)[1:]
            model.fit(X_tr, y_tr)
            proba = model.predict_proba(X_te)
            metrics = fold_metrics(y_te, proba[:, 1], model.classes_[proba.argmax(axis=1)])
            rows.append(
                {
                    "protocol": protocol,
                    "seed": seed,
                    "roc_auc": metrics["roc_auc"],
                    "accuracy": metrics["accuracy"],
                    "n_train": len(y_tr),
                    "n_test": len(y_te),
                    "n_augmented": len(extra),
                    "n_iter": n_iter(model),
                }
            )
            print(f"   leak {protocol} seed {seed}: AUC {metrics['roc_auc']:.3f}", flush=True)
    return rows


def _earlier_comparisons(out: Path, compared: list[dict], refitted: set[str]) -> list[dict]:
    """The comparisons in ``out`` to keep beside ``compared``, for ``--replace``.

    Those of other pairs are kept, as the rows of other pipelines are, unless a pipeline of
    the pair was fitted again in this run: its earlier difference no longer describes its
    scores, so it is dropped (and named), to be recomputed with ``--compare``.
    """
    new_pairs = {(row["first"], row["second"]) for row in compared}
    with open(out / "compare.csv", newline="") as handle:
        earlier = [row for row in csv.DictReader(handle)]
    kept, stale = [], set()
    for row in earlier:
        pair = (row["first"], row["second"])
        if pair in new_pairs:
            continue
        if refitted & set(pair):
            stale.add(pair)
        else:
            kept.append(row)
    for first, second in sorted(stale):
        again = first if first in refitted else second
        print(
            f"   dropped the comparison {first} - {second}: {again} was fitted again "
            f"(--compare {first}:{second} recomputes it)",
            flush=True,
        )
    return kept


def _previous(
    out: Path, names: list[str], test_paths: np.ndarray, y_test: np.ndarray
) -> tuple[list[dict], dict[str, np.ndarray], list[str]]:
    """The rows and scores in ``out`` of pipelines other than ``names``, for ``--replace``."""
    with open(out / "holdout.csv", newline="") as handle:
        rows = [dict(row) for row in csv.DictReader(handle) if row["pipeline"] not in names]
    if any(int(row["n_test"]) != len(y_test) for row in rows):
        raise SystemExit(f"--replace: {out} holds the results of other test clips")
    scores: dict[str, np.ndarray] = {}
    if (out / "holdout_scores.npz").is_file():
        with np.load(out / "holdout_scores.npz") as saved:
            clips = [Path(p).name for p in test_paths]
            if saved["clips"].tolist() != clips or not np.array_equal(saved["y"], y_test):
                raise SystemExit(f"--replace: {out} holds the results of other test clips")
            scores = {
                k: saved[k]
                for k in saved.files
                if k not in ("y", "clips") and k.split("|")[0] not in names
            }
    elif rows:
        print(
            f"--replace: {out} has no holdout_scores.npz; the rows of "
            f"{sorted({row['pipeline'] for row in rows})} are kept without their scores",
            flush=True,
        )
    return rows, scores, sorted({row["pipeline"] for row in rows})


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", required=True, type=Path, help="training folder (challenge layout)")
    p.add_argument(
        "--test",
        required=True,
        type=Path,
        help="folder whose clips not in --train are the test set",
    )
    p.add_argument("--out", required=True, type=Path)
    p.add_argument(
        "--pipelines",
        default=",".join(DEFAULT_PIPELINES),
        help=f"comma-separated names of whalefeat.pipelines "
        f"(default {','.join(DEFAULT_PIPELINES)})",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--snr-db", type=float, default=10.0)
    p.add_argument(
        "--max-test",
        type=int,
        default=None,
        help="score a stratified subset of this many test clips (smoke runs)",
    )
    p.add_argument("--max-train", type=int, default=None)
    p.add_argument(
        "--grow",
        type=float,
        default=None,
        metavar="F",
        help="move this stratified fraction of the test clips into training",
    )
    p.add_argument("--leak", action="store_true", help="also run the leak measurement")
    p.add_argument("--leak-seeds", type=int, default=3)
    p.add_argument(
        "--leak-ratio",
        type=float,
        default=0.4,
        help="augmented positives per clip (the study: 12,000 on 30,000)",
    )
    p.add_argument("--shift", type=float, default=0.1, help="largest shift in seconds")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME:KEY=VALUE",
        help="override a pipeline parameter, e.g. ce-inception:classifier__epochs=2",
    )
    p.add_argument("--n-jobs", type=int, default=None)
    p.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="A:B",
        help="ROC AUC of pipeline A minus that of B, paired bootstrap (compare.csv)",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="add to (or replace in) the results already in --out, of the same clips",
    )
    return p.parse_args(argv)


def _overrides(items: list[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for item in items:
        name, _, assignment = item.partition(":")
        key, _, value = assignment.partition("=")
        out.setdefault(name, {})[key] = json.loads(value)
    return out


def _subset(y: np.ndarray, n: int | None, seed: int) -> np.ndarray:
    if n is None or n >= len(y):
        return np.arange(len(y))
    keep, _ = train_test_split(np.arange(len(y)), train_size=n, stratify=y, random_state=seed)
    return np.sort(keep)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    start = time.perf_counter()
    env = environment()
    env["load_average_start"] = load_average()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", "benchmarks/holdout.py", *(argv or sys.argv[1:])])
    earlier = (out / "command.txt").read_text() if args.replace else ""
    (out / "command.txt").write_text(earlier + command + "\n")
    overrides = _overrides(args.set)

    train_paths, y_train = load_challenge(args.train)
    all_paths, y_all = load_challenge(args.test)
    seen = {Path(p).name for p in train_paths}
    unseen = np.array([Path(p).name not in seen for p in all_paths])
    test_paths, y_test = all_paths[unseen], y_all[unseen]
    if args.grow is not None:
        moved, kept = train_test_split(
            np.arange(len(y_test)), train_size=args.grow, stratify=y_test, random_state=args.seed
        )
        train_paths = np.concatenate([train_paths, test_paths[moved]])
        y_train = np.concatenate([y_train, y_test[moved]])
        test_paths, y_test = test_paths[np.sort(kept)], y_test[np.sort(kept)]
    keep = _subset(y_train, args.max_train, args.seed)
    train_paths, y_train = train_paths[keep], y_train[keep]
    keep = _subset(y_test, args.max_test, args.seed)
    test_paths, y_test = test_paths[keep], y_test[keep]
    loader = AiffLoader(n_jobs=args.n_jobs)
    X_train = loader.fit_transform(train_paths)
    X_test = loader.transform(test_paths)
    X_noisy = add_noise(X_test, args.snr_db, random_state=args.seed)
    print(
        f"train {len(y_train)} clips ({int(y_train.sum())} up-calls), test {len(y_test)} "
        f"({int(y_test.sum())} up-calls)",
        flush=True,
    )

    # one array of training then test clips, so that the evaluation core's fit-and-score
    # runs on it; the noisy condition is the one noisy copy of the test clips made above
    X_all, y_all = np.concatenate([X_train, X_test]), np.concatenate([y_train, y_test])
    train, test = np.arange(len(y_train)), np.arange(len(y_train), len(y_all))
    conditions = {"clean": None, "noisy": lambda X, fold: X_noisy}
    names = [n.strip() for n in args.pipelines.split(",") if n.strip()]
    rows, scores, kept = [], {}, []
    if args.replace:
        rows, scores, kept = _previous(out, names, test_paths, y_test)
    for name in names:
        print(f"== {name}", flush=True)
        # the loader is stateless: the clips are decoded once, the rest is fitted here
        model = pipelines.get(name, random_state=args.seed, **overrides.get(name, {}))[1:]
        measured, test_scores, _ = fit_and_score(
            model, X_all, y_all, train, test, conditions=conditions
        )
        for found in measured:
            condition, score = found["condition"], test_scores[found["condition"]]
            scores[f"{name}|{condition}"] = score
            sd, low, high = bootstrap_auc(y_test, score, seed=args.seed)
            row = {
                "pipeline": name,
                "condition": condition,
                **{metric: found[metric] for metric in METRICS},
                "roc_auc_boot_sd": sd,
                "roc_auc_ci_low": low,
                "roc_auc_ci_high": high,
                **{key: found[key] for key in (*TIMES, "n_train", "n_test", "n_iter")},
            }
            rows.append(row)
            print(
                f"   {condition}: AUC {row['roc_auc']:.4f} ± {sd:.4f} (bootstrap), "
                f"accuracy {row['accuracy']:.3f}, fit {row['fit_time_s']:.0f} s",
                flush=True,
            )
        write_csv(out / "holdout.csv", rows, HOLDOUT_COLUMNS)
        np.savez_compressed(
            out / "holdout_scores.npz",
            y=y_test,
            clips=np.array([Path(p).name for p in test_paths]),
            **scores,
        )

    compared = []
    if args.compare:
        compared = compare_pipelines(args.compare, y_test, scores, seed=args.seed)
        for row in compared:
            print(
                f"   {row['first']} - {row['second']} ({row['condition']}): "
                f"{row['roc_auc_difference']:+.4f} ± {row['paired_boot_sd']:.4f} "
                f"[{row['ci_low']:+.4f}, {row['ci_high']:+.4f}]",
                flush=True,
            )
    earlier = args.replace and (out / "compare.csv").is_file()
    if earlier:
        compared = _earlier_comparisons(out, compared, refitted=set(names)) + compared
    if args.compare or earlier:
        write_csv(out / "compare.csv", compared, COMPARE_COLUMNS)

    leak_rows = []
    if args.leak:
        print("== leak", flush=True)
        leak_rows = leak_study(
            X_train,
            y_train,
            seeds=args.leak_seeds,
            ratio=args.leak_ratio,
            max_shift=round(args.shift * 2000),
            params=overrides.get("seed-inception", {}),
        )
        write_csv(out / "leak.csv", leak_rows, LEAK_COLUMNS)

    env.update(
        {
            "wall_time_s": time.perf_counter() - start,
            "load_average_end": load_average(),
            "n_train": int(len(y_train)),
            "n_test": int(len(y_test)),
            "train": str(args.train),
            "test": str(args.test),
            "seed": args.seed,
            "grow": args.grow,
            "snr_db": args.snr_db,
            "overrides": overrides,
            "kept_from_earlier_runs": kept,
            "scores_missing_for": sorted(
                name for name in kept if not any(k.startswith(name + "|") for k in scores)
            ),
            "pipelines": {
                r["pipeline"]: repr(pipelines.get(r["pipeline"]))
                for r in rows
                if r["condition"] == "clean"
            },
        }
    )
    if names or args.leak or not (out / "holdout_environment.json").exists():
        # a comparison of earlier scores alone keeps the environment of the runs it read
        (out / "holdout_environment.json").write_text(json.dumps(env, indent=2) + "\n")
    print(f"wall time {(time.perf_counter() - start) / 60:.1f} min; outputs in {out}")
    return {"rows": rows, "leak": leak_rows}


if __name__ == "__main__":
    main()
