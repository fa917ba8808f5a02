"""How ``"best"`` was chosen: candidate members and their soft votes, on training clips only.

Fits each candidate pipeline of :mod:`whalefeat.pipelines` on the training part
of a stratified 3-fold split (seed 0) of one folder (the ``narw`` clips, never
the held-out clips of ``benchmarks/holdout.py``), scores the other part, and
reports the ROC AUC of every candidate and of the mean of the probabilities of
every pair and of all of them (what a soft
:class:`~sklearn.ensemble.VotingClassifier` of those members predicts)::

    python benchmarks/best_design.py --data ../shared/data/narw --out best-design \\
        --candidates templates,ce-inception,hgb --folds 1

``--folds N`` scores the first ``N`` folds only (for CPU time). ``--seeds K``
fits every candidate under ``random_state`` 0, ..., ``K - 1`` (votes join the
members of the same seed), and ``best_design_summary.csv`` gives each
candidate's mean ROC AUC over folds and seeds and the spread between seeds:
what one random draw (of templates, of a network's initialisation) is worth,
rather than the luck of one seed.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from whalefeat import pipelines

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the scripts beside this one
    sys.path.insert(0, str(HERE))

from _study_helpers import design_folds, write_command, write_csv  # noqa: E402


def main(argv: list[str] | None = None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--candidates", default="templates,ce-inception,hgb")
    p.add_argument("--folds", type=int, default=3, help="score the first N of the 3 folds")
    p.add_argument("--seed", type=int, default=0, help="seed of the folds (and of --seeds 1)")
    p.add_argument("--seeds", type=int, default=1, help="fit each candidate under K seeds")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    names = [n.strip() for n in args.candidates.split(",") if n.strip()]
    X, y, splits = design_folds(args.data, args.seed)
    model_seeds = [args.seed] if args.seeds == 1 else list(range(args.seeds))
    rows = []
    for fold, (train, test) in enumerate(splits[: args.folds]):
        for seed in model_seeds:
            rows += _score_fold(names, X, y, train, test, fold, seed)
            write_csv(args.out / "best_design.csv", rows, list(rows[0]))
    summary = _summary(rows)
    write_csv(args.out / "best_design_summary.csv", summary, list(summary[0]))
    write_command(args.out / "best_design_command.txt", "best_design.py", argv)
    return rows


def _score_fold(names, X, y, train, test, fold, seed) -> list[dict]:
    """Every candidate and every vote of them, fitted under ``seed`` on one fold."""
    rows, scores, seconds = [], {}, {}
    for name in names:
        start = time.process_time()
        model = pipelines.get(name, random_state=seed)[1:].fit(X[train], y[train])
        scores[name] = model.predict_proba(X[test])[:, 1]
        seconds[name] = time.process_time() - start
        print(
            f"fold {fold} seed {seed} {name:16s} AUC {roc_auc_score(y[test], scores[name]):.4f}",
            flush=True,
        )
    for size in range(1, len(names) + 1):
        for members in itertools.combinations(names, size):
            vote = np.mean([scores[m] for m in members], axis=0)
            rows.append(
                {
                    "members": " + ".join(members),
                    "fold": fold,
                    "seed": seed,
                    "roc_auc": roc_auc_score(y[test], vote),
                    "cpu_s": sum(seconds[m] for m in members),
                    "n_train": len(train),
                    "n_test": len(test),
                }
            )
            if size > 1:
                print(
                    f"fold {fold} seed {seed} {rows[-1]['members']:40s} "
                    f"AUC {rows[-1]['roc_auc']:.4f}",
                    flush=True,
                )
    return rows


def _summary(rows: list[dict]) -> list[dict]:
    """Per candidate: mean ROC AUC over folds and seeds; sd between the seeds' fold means."""
    out = []
    for members in dict.fromkeys(row["members"] for row in rows):
        own = [row for row in rows if row["members"] == members]
        seeds = sorted({row["seed"] for row in own})
        by_seed = [np.mean([r["roc_auc"] for r in own if r["seed"] == s]) for s in seeds]
        out.append(
            {
                "members": members,
                "n_folds": len({row["fold"] for row in own}),
                "n_seeds": len(seeds),
                "roc_auc_mean": float(np.mean(by_seed)),
                "roc_auc_sd_between_seeds": float(np.std(by_seed, ddof=1))
                if len(seeds) > 1
                else None,
                "best_seed": float(np.max(by_seed)),
                "worst_seed": float(np.min(by_seed)),
            }
        )
    return out


if __name__ == "__main__":
    main()
