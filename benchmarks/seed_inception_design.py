"""What limits ``"seed-inception"``: its recipe's choices, one at a time, on training clips.

The study's recipe leaves a few things a re-implementation has to decide or could read
otherwise: whether early stopping restores the best epoch's weights, whether the series are
standardised, whether the warm-up-and-decay learning rate matters, how patient early stopping
is, and how its ``(4, n_frames)`` series (the four measures as steps, the frames as channels)
reach the 1-D network. Each setting of :data:`VARIANTS` changes one of them (as ``set_params``
keys of the ``"seed-inception"`` pipeline) and is fitted on the training part of a stratified
3-fold split (seed 0) of one folder (the ``narw`` clips, never the held-out clips of
``benchmarks/holdout.py``) and scored on the other part, under the same network seed::

    python benchmarks/seed_inception_design.py --data ../shared/data/narw \\
        --out seed-inception-design

The series are computed once per fold and layout (they have no randomness), the networks on
them. ``seed_inception_design_summary.csv`` gives each setting's mean ROC AUC over the folds
and its gain over the recipe, paired by fold.
"""

from __future__ import annotations

import argparse
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

#: name -> ``set_params`` keys of the ``"seed-inception"`` pipeline ("recipe": none)
VARIANTS: dict[str, dict] = {
    "recipe": {},
    "no-restore-best-weights": {"classifier__restore_best_weights": False},
    "patience-10": {"classifier__patience": 10},
    "constant-learning-rate": {"classifier__learning_rate_schedule": None},
    "standardized": {"classifier__standardize": True},
    "frames-as-steps": {"features__layout": "frames"},
    "frames-as-steps-standardized": {
        "features__layout": "frames",
        "classifier__standardize": True,
    },
    "frames-as-steps-standardized-patience-10": {
        "features__layout": "frames",
        "classifier__standardize": True,
        "classifier__patience": 10,
    },
}


def main(argv: list[str] | None = None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--seed", type=int, default=0, help="seed of the folds and of the networks")
    p.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    X, y, splits = design_folds(args.data, args.seed)
    rows: list[dict] = []
    for fold, (train, test) in enumerate(splits):
        series: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name in args.variants:
            pipeline = pipelines.get("seed-inception", random_state=args.seed)
            pipeline.set_params(**VARIANTS[name])
            features, network = pipeline[1:-1], pipeline[-1]
            layout = features.named_steps["features"].layout
            if layout not in series:
                series[layout] = (
                    features.fit_transform(X[train], y[train]),
                    features.transform(X[test]),
                )
            train_series, test_series = series[layout]
            start = time.process_time()
            network.fit(train_series, y[train])
            scores = network.predict_proba(test_series)[:, 1]
            rows.append(
                {
                    "variant": name,
                    "fold": fold,
                    "seed": args.seed,
                    "roc_auc": roc_auc_score(y[test], scores),
                    "epochs_trained": len(network.history_["loss"]),
                    "cpu_s": time.process_time() - start,
                    "n_train": len(train),
                    "n_test": len(test),
                }
            )
            print(
                f"fold {fold} {name:30s} AUC {rows[-1]['roc_auc']:.4f} "
                f"({rows[-1]['epochs_trained']} epochs, {rows[-1]['cpu_s']:.0f} s)",
                flush=True,
            )
            write_csv(args.out / "seed_inception_design.csv", rows, list(rows[0]))
    summary = _summary(rows)
    write_csv(args.out / "seed_inception_design_summary.csv", summary, list(summary[0]))
    write_command(args.out / "seed_inception_design_command.txt", "seed_inception_design.py", argv)
    return rows


def _summary(rows: list[dict]) -> list[dict]:
    """Per variant: mean ROC AUC over the folds, and its gain over the recipe paired by fold."""
    base = {row["fold"]: row["roc_auc"] for row in rows if row["variant"] == "recipe"}
    out = []
    for variant in dict.fromkeys(row["variant"] for row in rows):
        own = {row["fold"]: row["roc_auc"] for row in rows if row["variant"] == variant}
        gains = [own[fold] - base[fold] for fold in own if fold in base]
        out.append(
            {
                "variant": variant,
                "n_folds": len(own),
                "roc_auc_mean": float(np.mean(list(own.values()))),
                "roc_auc_min": float(np.min(list(own.values()))),
                "roc_auc_max": float(np.max(list(own.values()))),
                "gain_over_recipe": float(np.mean(gains)) if gains else None,
                "gain_min": float(np.min(gains)) if gains else None,
                "gain_max": float(np.max(gains)) if gains else None,
            }
        )
    return out


if __name__ == "__main__":
    main()
