"""Real-data study: cross-validated up-call detection on the challenge clips.

One command runs stratified k-fold cross-validation (fixed seed) of every
pipeline below on a folder in the challenge's layout, then writes the tables,
the ROC figure and the environment it ran in::

    python benchmarks/study.py --data ../shared/data/narw --out study-out
    python benchmarks/study.py --data ../shared/data/narw --out /tmp/q --quick   # smoke run

Pipelines (all built from whalefeat's public API, the way a user would write them):

* ``xception``: ``Spectrogram -> XceptionClassifier`` trained from scratch
  (``--xception-weights imagenet`` where Keras can download the weights);
* ``ce-<source>-<measure>/<architecture>``: complexity-entropy series ->
  ``Inception1DClassifier``. ``source`` is ``raw`` (sliding windows over the
  waveform) or ``spec`` (one vector per spectrogram frame, computed along
  frequency); ``measure`` is ``shannon`` (the (H, C) pair) or ``tsallis`` /
  ``renyi`` (a curve of (H_q, C_q) pairs as channels); ``architecture`` is the
  study's ``seed`` network or InceptionTime with or without residual connections;
* ``baseline-*``: classical scikit-learn classifiers on the flattened spectrogram
  (and on clip-level complexity-entropy curves).

The clips are decoded once with :class:`whalefeat.AiffLoader` before the split:
loading is stateless and deterministic (nothing is fitted), so doing it once is
equivalent to putting the loader first in every pipeline, only faster. Every
step that depends on data is fitted inside the training fold. Choices such as
the number of epochs are made by early stopping on a validation split taken
from the training fold; the test fold is only ever predicted.

A second condition evaluates the same fitted models on the test fold corrupted
with :func:`whalefeat.noise.add_noise` at ``--snr-db`` (seeded per fold). The
models never see noisy clips during training.

The folds, the fit-and-score loop, the metrics and the environment capture are
those of :mod:`whalefeat._evaluation`, which ``whalefeat evaluate`` runs on too.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shlex
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegressionCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from whalefeat import AiffLoader, ComplexityEntropyCurve, Spectrogram
from whalefeat._evaluation import (
    METRICS,
    TIMES,
    cross_validate,
    load_average,
    noisy_condition,
    stratified_splits,
)
from whalefeat._evaluation import summarise as summarise_rows
from whalefeat.datasets import load_challenge

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the helper module beside this script
    sys.path.insert(0, str(HERE))

from _study_helpers import environment, write_csv  # noqa: E402  (beside this script)

RESULT_COLUMNS = [
    "pipeline",
    "condition",
    *[f"{m}_{s}" for m in METRICS for s in ("mean", "std")],
    "fit_time_s",
    "predict_time_s",
]
FOLD_COLUMNS = [
    "pipeline",
    "condition",
    "fold",
    *METRICS,
    "fit_time_s",
    "predict_time_s",
    "n_train",
    "n_test",
    "n_iter",
]

#: Numbers reported by the original study and by the challenge: quoted, never measured here.
PUBLISHED = [
    {
        "pipeline": "published: study, best complexity-entropy network",
        "condition": "clean",
        "roc_auc": 0.909,
        "accuracy": 0.814,
        "note": "reported by the study (AUC 0.909, accuracy 0.814)",
    },
    {
        "pipeline": "published: study, Xception",
        "condition": "clean",
        "roc_auc": None,
        "accuracy": 0.90,
        "note": "reported by the study as 'over 90%' accuracy",
    },
    {
        "pipeline": "published: study, Xception",
        "condition": "noisy",
        "roc_auc": None,
        "accuracy": 0.893,
        "note": "reported by the study on noised clips (its noise level, not ours)",
    },
    {
        "pipeline": "published: challenge, best fair clip-level entry",
        "condition": "clean",
        "roc_auc": 0.976,
        "accuracy": None,
        "note": "about 0.976 (higher leaderboard scores exploited clip order)",
    },
]


@dataclass
class Settings:
    """Every size the study uses, recorded in the output."""

    # spectrogram fed to Xception and to the classical baselines
    spec_window: int = 256
    spec_hop: int = 32
    spec_fmin: float = 40.0
    spec_fmax: float = 400.0
    spec_contrast: str | None = "both"
    # complexity-entropy series along frequency in each frame of that same spectrogram
    ce_spec_dimension: int = 4
    # sliding windows over the raw signal (the study's framing)
    ce_raw_window: int = 256
    ce_raw_hop: int = 32
    ce_raw_dimension: int = 4
    # q grid of the Tsallis / Renyi curves used as channels
    q_values: list[float] = field(default_factory=lambda: [0.25, 0.5, 1.0, 2.0, 4.0, 8.0])
    # networks
    xception_image_size: int = 71
    # Fixed epochs, no early stopping: in a pilot on the first training fold (its own
    # inner validation split) val_loss rose from the first epoch while val_accuracy
    # kept climbing (0.87 -> 0.91 by epoch 9), so early stopping on val_loss stops too soon.
    xception_epochs: int = 8
    xception_batch_size: int = 32
    xception_patience: int | None = None
    xception_validation_split: float = 0.0
    xception_weights: str | None = None
    xception_bn_momentum: float = 0.9
    ce_epochs: int = 12
    ce_batch_size: int = 64
    ce_patience: int = 3
    inceptiontime_epochs: int = 8
    inceptiontime_depth: int = 6
    inceptiontime_filters: int = 16
    ce_bn_momentum: float = 0.9
    # series: source (raw windows / spectrogram frames), measure, delay (tau1 unless
    # given). tau = 4 makes a d = 4 pattern span 12 samples (6 ms), about one period
    # in the middle of the up-call band; tau = 1 (the study's) spans 1.5 ms.
    ce_series: list[str] = field(
        default_factory=lambda: [
            "raw-shannon",
            "raw-tsallis-tau4",
            "raw-renyi-tau4",
            "spec-shannon",
            "spec-tsallis",
            "spec-renyi",
        ]
    )
    inceptiontime_series: list[str] = field(default_factory=lambda: ["raw-tsallis-tau4"])
    ce_curve_delay: int = 4
    validation_split: float = 0.1
    # classical baselines
    logreg_cs: int = 5
    hgb_max_iter: int = 200

    @classmethod
    def quick(cls) -> Settings:
        return cls(
            q_values=[0.5, 1.0, 2.0],
            xception_epochs=1,
            xception_batch_size=8,
            xception_patience=None,
            ce_epochs=2,
            inceptiontime_epochs=2,
            ce_batch_size=8,
            ce_patience=1,
            inceptiontime_depth=3,
            inceptiontime_filters=8,
            validation_split=0.25,
            logreg_cs=2,
            hgb_max_iter=10,
        )


def build_pipelines(s: Settings, seed: int, n_jobs: int | None) -> dict[str, object]:
    """Every pipeline of the study, by name (unfitted)."""
    from whalefeat.models import Inception1DClassifier, XceptionClassifier
    from whalefeat.pipelines import _frames_first

    def spectrogram(flatten: bool = False):
        return Spectrogram(
            window_length=s.spec_window,
            hop_length=s.spec_hop,
            fmin=s.spec_fmin,
            fmax=s.spec_fmax,
            scaling="db",
            contrast=s.spec_contrast,
            flatten=flatten,
        )

    pipelines: dict[str, object] = {}
    pipelines["xception"] = make_pipeline(
        spectrogram(),
        XceptionClassifier(
            weights=s.xception_weights,
            image_size=s.xception_image_size,
            epochs=s.xception_epochs,
            batch_size=s.xception_batch_size,
            validation_split=s.xception_validation_split,
            patience=s.xception_patience,
            batch_norm_momentum=s.xception_bn_momentum,
            random_state=seed,
        ),
    )

    def series(name: str) -> list:
        """Steps from clips to a complexity-entropy series, e.g. "raw-tsallis-tau4"."""
        source, measure, *rest = name.split("-")
        delay = int(rest[0].removeprefix("tau")) if rest else 1
        q = None if measure == "shannon" else s.q_values
        if source == "raw":
            steps = [
                ComplexityEntropyCurve(
                    dimension=s.ce_raw_dimension,
                    delay=delay,
                    measure=measure,
                    q=q,
                    window=s.ce_raw_window,
                    hop=s.ce_raw_hop,
                    n_jobs=n_jobs,
                )
            ]
        else:
            steps = [
                spectrogram(),
                ComplexityEntropyCurve(
                    dimension=s.ce_spec_dimension,
                    delay=delay,
                    measure=measure,
                    q=q,
                    n_jobs=n_jobs,
                ),
            ]
        return steps

    def network(arch_name: str):
        arch = {"architecture": "seed"}
        if arch_name != "seed":
            arch = {
                "architecture": "inceptiontime",
                "residual": arch_name == "inceptiontime",
                "depth": s.inceptiontime_depth,
                "filters": s.inceptiontime_filters,
            }
        return Inception1DClassifier(
            **arch,
            epochs=s.ce_epochs if arch_name == "seed" else s.inceptiontime_epochs,
            batch_size=s.ce_batch_size,
            validation_split=s.validation_split,
            patience=s.ce_patience,
            batch_norm_momentum=s.ce_bn_momentum,
            random_state=seed,
        )

    # The grid, sized for a CPU: the seed network on every series (which series
    # works best), and InceptionTime with and without residual connections on one
    # curve series (which architecture works best).
    for series_name in s.ce_series:
        for arch_name in ("seed", "inceptiontime", "inceptiontime-nores"):
            if arch_name != "seed" and series_name not in s.inceptiontime_series:
                continue
            pipelines[f"ce-{series_name}/{arch_name}"] = make_pipeline(
                *series(series_name), network(arch_name)
            )
    # The same seed network on the spectrogram frames themselves: what the
    # complexity-entropy reduction of each frame keeps of the information.
    pipelines["baseline-spectrogram/seed"] = make_pipeline(
        spectrogram(), FunctionTransformer(_frames_first), network("seed")
    )

    pipelines["baseline-logreg"] = make_pipeline(
        spectrogram(flatten=True),
        StandardScaler(),
        LogisticRegressionCV(
            Cs=s.logreg_cs,
            cv=3,
            scoring="roc_auc",
            l1_ratios=(0.0,),
            max_iter=2000,
            use_legacy_attributes=False,
            random_state=seed,
        ),
    )
    pipelines["baseline-hgb"] = make_pipeline(
        spectrogram(flatten=True),
        HistGradientBoostingClassifier(
            max_iter=s.hgb_max_iter,
            early_stopping=True,
            validation_fraction=s.validation_split,
            random_state=seed,
        ),
    )
    pipelines["baseline-ce-curve-hgb"] = make_pipeline(
        ComplexityEntropyCurve(
            dimension=s.ce_raw_dimension,
            delay=s.ce_curve_delay,
            measure="tsallis",
            q=s.q_values,
            n_jobs=n_jobs,
        ),
        HistGradientBoostingClassifier(
            max_iter=s.hgb_max_iter,
            early_stopping=True,
            validation_fraction=s.validation_split,
            random_state=seed,
        ),
    )
    return pipelines


def select(names: list[str], patterns: str | None) -> list[str]:
    """Names matching any comma-separated pattern (a prefix or an fnmatch glob)."""
    if not patterns:
        return names
    chosen = []
    wanted = [p.strip() for p in patterns.split(",") if p.strip()]
    for name in names:
        if any(name == p or name.startswith(p) or fnmatch.fnmatchcase(name, p) for p in wanted):
            chosen.append(name)
    if not chosen:
        raise SystemExit(f"--models {patterns!r} matches none of: {', '.join(names)}")
    return chosen


def summarise(folds: list[dict]) -> list[dict]:
    """Mean and population std of each metric per pipeline and condition; mean times.

    The rows of :func:`whalefeat._evaluation.summarise`, with the times' means
    under their own names (``fit_time_s``, ``predict_time_s``), as
    ``results.csv`` and ``results.json`` hold them.
    """
    rows = []
    for entry in summarise_rows(folds, by=("pipeline", "condition")):
        del entry["n_folds"]
        for key in TIMES:
            entry[key] = entry.pop(f"{key}_mean")
            del entry[f"{key}_std"]
        rows.append(entry)
    return rows


def format_table(rows: list[dict]) -> str:
    header = (
        f"{'pipeline':<40} {'condition':<9} {'ROC AUC':>15} {'accuracy':>15} {'F1':>15} "
        f"{'recall':>15} {'precision':>15} {'fit s':>8} {'pred s':>7}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        cells = " ".join(f"{r[f'{m}_mean']:.3f} ± {r[f'{m}_std']:.3f}".rjust(15) for m in METRICS)
        lines.append(
            f"{r['pipeline']:<40} {r['condition']:<9} {cells} "
            f"{r['fit_time_s']:>8.1f} {r['predict_time_s']:>7.2f}"
        )
    return "\n".join(lines)


def plot_roc(
    path: Path, y: np.ndarray, fold_of: np.ndarray, scores: dict[str, np.ndarray], title: str
) -> None:
    """Mean out-of-fold ROC curve (+/- one std over folds) of each pipeline."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from whalefeat.plotting import plot_roc_curves

    folds = np.unique(fold_of)
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    for i, (name, score) in enumerate(scores.items()):
        plot_roc_curves(
            [y[fold_of == f] for f in folds],
            [score[fold_of == f] for f in folds],
            name=name,
            ax=ax,
            show_folds=False,
            chance=i == 0,
        )
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def best_per_group(rows: list[dict]) -> dict[str, dict]:
    """Best clean-condition pipeline (by mean ROC AUC) of each group."""
    groups = {"xception": "xception", "ce": "ce-", "baseline": "baseline-"}
    best = {}
    for group, prefix in groups.items():
        mine = [r for r in rows if r["condition"] == "clean" and r["pipeline"].startswith(prefix)]
        if mine:
            best[group] = max(mine, key=lambda r: r["roc_auc_mean"])
    return best


def compare_with_targets(rows: list[dict]) -> list[dict]:
    best = best_per_group(rows)
    baseline = best.get("baseline", {}).get("roc_auc_mean")
    out = []
    for group, target in (("xception", 0.97), ("ce", 0.91)):
        if group not in best:
            continue
        measured = best[group]["roc_auc_mean"]
        out.append(
            {
                "target": f"{group} ROC AUC >= {target}",
                "pipeline": best[group]["pipeline"],
                "measured": measured,
                "met": bool(measured >= target),
                "gap": measured - target,
                "above_baseline": None if baseline is None else bool(measured > baseline),
                "baseline_roc_auc": baseline,
            }
        )
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--data", required=True, type=Path, help="folder in the challenge layout")
    p.add_argument("--out", required=True, type=Path, help="folder for the output files")
    p.add_argument("--quick", action="store_true", help="tiny sizes and few clips (smoke run)")
    p.add_argument("--folds", type=int, default=5, help="stratified folds (default 5)")
    p.add_argument("--seed", type=int, default=0, help="seed for folds, noise and networks")
    p.add_argument("--snr-db", type=float, default=10.0, help="SNR of the noisy test folds")
    p.add_argument(
        "--models",
        default=None,
        help="comma-separated names, prefixes or globs (e.g. xception,ce-raw,baseline)",
    )
    p.add_argument("--n-jobs", type=int, default=None, help="jobs for loading and CE features")
    p.add_argument(
        "--max-clips",
        type=int,
        default=None,
        help="stratified subset of this many clips (default: all; 40 with --quick)",
    )
    p.add_argument(
        "--xception-weights",
        default=None,
        help="'imagenet' (needs the internet) or a weights file; default: from scratch",
    )
    p.add_argument("--xception-epochs", type=int, default=None)
    p.add_argument("--ce-epochs", type=int, default=None)
    p.add_argument("--list", action="store_true", help="list the pipeline names and exit")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    start = time.perf_counter()
    load_at_start = load_average()
    env = environment()  # before anything runs: the code this run uses
    settings = Settings.quick() if args.quick else Settings()
    settings.xception_weights = args.xception_weights
    if args.xception_epochs is not None:
        settings.xception_epochs = args.xception_epochs
    if args.ce_epochs is not None:
        settings.ce_epochs = args.ce_epochs
    pipelines = build_pipelines(settings, args.seed, args.n_jobs)
    names = select(list(pipelines), args.models)
    # The longest (Xception) last: the cheaper results are on disk early.
    names.sort(key=lambda n: (not n.startswith("baseline"), n.startswith("xception")))
    if args.list:
        print("\n".join(names))
        return {}
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    command = (
        shlex.join([Path(sys.executable).name, *sys.argv])
        if argv is None
        else shlex.join(["python", "benchmarks/study.py", *argv])
    )
    (out / "command.txt").write_text(command + "\n")

    paths, y = load_challenge(args.data)
    max_clips = args.max_clips or (40 if args.quick else None)
    if max_clips is not None and max_clips < len(y):
        keep = _stratified_subset(y, max_clips, args.seed)
        paths, y = paths[keep], y[keep]
    t0 = time.perf_counter()
    X = AiffLoader(n_jobs=args.n_jobs).fit_transform(paths)
    load_time = time.perf_counter() - t0
    print(f"loaded {len(y)} clips ({int(y.sum())} up-calls) in {load_time:.1f} s", flush=True)

    splits = stratified_splits(y, args.folds, args.seed)
    # the noisy test fold f: add_noise with random_state = seed * 1000 + f
    conditions = {"clean": None, "noisy": noisy_condition(args.snr_db, seed=args.seed)}

    folds: list[dict] = []
    oof = {}
    fold_of = np.full(len(y), -1, dtype=int)
    for name in names:
        print(f"== {name}", flush=True)

        def progress(rows: list[dict]) -> None:
            clean, noisy = rows
            print(
                f"   fold {clean['fold'] - 1}: AUC {clean['roc_auc']:.3f} "
                f"(noisy {noisy['roc_auc']:.3f}), fit {clean['fit_time_s']:.1f} s, "
                f"n_iter {clean['n_iter']}",
                flush=True,
            )

        result = cross_validate(
            pipelines[name], X, y, splits=splits, conditions=conditions, on_fold=progress
        )
        # folds.csv and oof_scores.csv number the folds from 0
        folds += [{"pipeline": name, **row, "fold": row["fold"] - 1} for row in result.rows]
        fold_of = result.fold_of
        oof[name] = result.scores
        write_csv(out / "folds.csv", folds, FOLD_COLUMNS)  # progress, rewritten as it grows

    rows = summarise(folds)
    rows.sort(key=lambda r: (r["condition"] != "clean", -r["roc_auc_mean"]))
    write_csv(out / "results.csv", rows, RESULT_COLUMNS)
    write_csv(
        out / "published.csv", PUBLISHED, ["pipeline", "condition", "roc_auc", "accuracy", "note"]
    )
    comparison = compare_with_targets(rows)
    write_csv(
        out / "targets.csv",
        comparison,
        ["target", "pipeline", "measured", "met", "gap", "above_baseline", "baseline_roc_auc"],
    )

    import csv

    with open(out / "oof_scores.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["clip", "label", "fold", *[f"{n}|{c}" for n in names for c in ("clean", "noisy")]]
        )
        for i in range(len(y)):
            writer.writerow(
                [
                    Path(paths[i]).name,
                    int(y[i]),
                    int(fold_of[i]),
                    *[f"{oof[n][c][i]:.6g}" for n in names for c in ("clean", "noisy")],
                ]
            )

    best = best_per_group(rows)
    shown = [b["pipeline"] for b in best.values()]
    for condition, label in (
        ("clean", "clean test folds"),
        ("noisy", f"test folds with noise at {args.snr_db:g} dB SNR"),
    ):
        plot_roc(
            out / ("roc.png" if condition == "clean" else "roc_noisy.png"),
            y,
            fold_of,
            {n: oof[n][condition] for n in shown},
            f"Out-of-fold ROC, {args.folds}-fold CV, {label}",
        )
    grid = [n for n in names if n.startswith("ce-")]
    if len(grid) > 1:
        plot_roc(
            out / "roc_ce_grid.png",
            y,
            fold_of,
            {n: oof[n]["clean"] for n in grid},
            "Complexity-entropy series grid, clean test folds",
        )

    wall = time.perf_counter() - start
    env.update(
        {
            "wall_time_s": wall,
            # other processes share the CPU: the 1-min load average at start and end
            "load_average_start": load_at_start,
            "load_average_end": load_average(),
            "load_time_s": load_time,
            "n_clips": int(len(y)),
            "n_positive": int(y.sum()),
            "folds": args.folds,
            "seed": args.seed,
            "snr_db": args.snr_db,
            "quick": args.quick,
            "loading": "clips decoded once with AiffLoader before the split (stateless, "
            "deterministic); every fitted step runs inside the training fold",
            "noise": "whalefeat.noise.add_noise on the test fold only, "
            "random_state = seed * 1000 + fold",
            "predictions": "scores are predict_proba of class 1; labels are the class of "
            "highest probability (what predict returns)",
            "times": "fit_time_s and predict_time_s are means per fold (predict: the clean "
            "test fold)",
            "settings": asdict(settings),
        }
    )
    (out / "environment.json").write_text(json.dumps(env, indent=2) + "\n")
    table = format_table(rows)
    (out / "table.txt").write_text(table + "\n")
    result = {
        "command": command,
        "environment": env,
        "results": rows,
        "published": PUBLISHED,
        "targets": comparison,
        "best": {k: v["pipeline"] for k, v in best.items()},
    }
    (out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    print()
    print(table)
    print()
    for c in comparison:
        verdict = "met" if c["met"] else f"missed by {-c['gap']:.3f}"
        print(f"{c['target']}: {c['pipeline']} {c['measured']:.3f} ({verdict})")
    print(f"wall time {wall / 60:.1f} min; outputs in {out}")
    return result


def _stratified_subset(y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Indices of a class-stratified random subset of ``n`` clips."""
    rng = np.random.default_rng(seed)
    keep = []
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        k = max(2, round(n * len(idx) / len(y)))
        keep.append(rng.choice(idx, size=min(k, len(idx)), replace=False))
    return np.sort(np.concatenate(keep))


if __name__ == "__main__":
    main()
