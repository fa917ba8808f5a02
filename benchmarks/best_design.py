"""How ``"best"`` was chosen: candidate members and their soft votes, on training clips only.

Fits each candidate pipeline of :mod:`whalefeat.pipelines` on the training part
of a stratified 3-fold split (seed 0) of one folder (the ``narw`` clips, never
the held-out clips of ``benchmarks/holdout.py``), scores the other part, and
reports the ROC AUC of every candidate and of the mean of the probabilities of
every pair and of all of them (what a soft
:class:`~sklearn.ensemble.VotingClassifier` of those members predicts)::

    python benchmarks/best_design.py --data ../shared/data/narw --out best-design \\
        --candidates templates,ce-inception,hgb --folds 1

``--folds N`` scores the first ``N`` folds only (for CPU time).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import shlex
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from whalefeat import AiffLoader, pipelines
from whalefeat.datasets import load_challenge


def main(argv: list[str] | None = None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--candidates", default="templates,ce-inception,hgb")
    p.add_argument("--folds", type=int, default=3, help="score the first N of the 3 folds")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    names = [n.strip() for n in args.candidates.split(",") if n.strip()]
    paths, y = load_challenge(args.data)
    X = AiffLoader().fit_transform(paths)
    splits = list(StratifiedKFold(3, shuffle=True, random_state=args.seed).split(X, y))
    rows = []
    for fold, (train, test) in enumerate(splits[: args.folds]):
        scores, seconds = {}, {}
        for name in names:
            start = time.process_time()
            model = pipelines.get(name, random_state=args.seed)[1:].fit(X[train], y[train])
            scores[name] = model.predict_proba(X[test])[:, 1]
            seconds[name] = time.process_time() - start
            print(
                f"fold {fold} {name:16s} AUC {roc_auc_score(y[test], scores[name]):.4f}",
                flush=True,
            )
        for size in range(1, len(names) + 1):
            for members in itertools.combinations(names, size):
                vote = np.mean([scores[m] for m in members], axis=0)
                rows.append(
                    {
                        "members": " + ".join(members),
                        "fold": fold,
                        "roc_auc": roc_auc_score(y[test], vote),
                        "cpu_s": sum(seconds[m] for m in members),
                        "n_train": len(train),
                        "n_test": len(test),
                    }
                )
                if size > 1:
                    print(
                        f"fold {fold} {rows[-1]['members']:40s} AUC {rows[-1]['roc_auc']:.4f}",
                        flush=True,
                    )
        with open(args.out / "best_design.csv", "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            for row in rows:
                writer.writerow(
                    {k: f"{v:.6g}" if isinstance(v, float) else v for k, v in row.items()}
                )
    (args.out / "best_design_command.txt").write_text(
        shlex.join(["python", "benchmarks/best_design.py", *(argv or sys.argv[1:])]) + "\n"
    )
    return rows


if __name__ == "__main__":
    main()
