"""How the complexity-entropy features of ``"ce-inception"`` were chosen.

Compares candidate per-frame complexity-entropy series on the training clips
only (stratified 3-fold cross-validation, seed 0, of the 3,000 clips of
``narw``; never on the held-out clips of ``benchmarks/holdout.py``), each
flattened into gradient-boosted trees (fast, and a fair probe of what the
series carry), and optionally through the seed 1-D network (``--network``)::

    python benchmarks/ce_design.py --data ../shared/data/narw --out ce-design

Candidates, all built from whalefeat's transformers:

* ``recipe``: the study's series (:class:`whalefeat.StudySpectralSeries`);
* ``ordinal``: Bandt-Pompe (H, C) along frequency in each dB frame (d = 4);
* ``ordinal2d``: 2-D Bandt-Pompe (H, C) of 3-bin by 2-frame patches of the dB
  spectrogram, per block of 8 frames every 4;
* ``mel-power``: spectral H and three complexities of each mel power frame;
* ``whitened``: the same after dividing every band by its median over time;
* ``plain+whitened``: both side by side (what ``"ce-inception"`` uses);
* ``plain+whitened+tsallis``: plus a Tsallis curve (q = 0.5, 2, 4) of the whitened frames;
* ``plain+whitened+bands``: plus the same four measures of 16-band sub-bands, 8 bands apart,
  of the whitened frames (``band_width``).

``--network-grid`` compares settings of the seed network on one or more series
(``--grid-series``, default ``plain+whitened``; also ``frames`` and ``fusion``,
the features of ``"frames-inception"`` and ``"fusion-inception"``, which only
the network sees, and ``fusion-32`` and ``fusion-16``, the latter with frames
of 32 or 16 mel bands), each given as ``name=value,...`` of
:class:`whalefeat.Inception1DClassifier` on top of the classifier of
``"ce-inception"`` (``default`` for that classifier as it is); ``--grid-folds
N`` scores only the first ``N`` folds of the same 3-fold split (for CPU time),
``--grid-seeds K`` fits every setting under the networks' seeds 0 to ``K - 1``
(one row per seed), for the spread between training runs; the setting
``lr_decay=F`` trains with the learning rate multiplied by ``F`` after every
epoch (:class:`whalefeat.models.WarmupDecaySchedule` without warm-up);
a value joined by ``+`` is a tuple (``channel_groups=8+64``: a branch for
the 8 complexity-entropy series of ``fusion`` and one for its 64 mel
bands); ``n_estimators=K`` scores the mean of ``K`` networks under seeds
drawn from the row's seed (:class:`whalefeat.SeedAveragingClassifier`);
written to ``ce_network_design.csv``::

    python benchmarks/ce_design.py --data ../shared/data/narw --out ce-design --no-trees \
        --network-grid filters=128,kernel_size=3 filters=64,kernel_size=15 --grid-folds 1
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from whalefeat import (
    AiffLoader,
    ComplexityEntropyCurve,
    SeedAveragingClassifier,
    SeriesUnion,
    Spectrogram,
    pipelines,
)
from whalefeat.datasets import load_challenge

MEL = dict(
    n_mels=64,
    fmin=50.0,
    fmax=300.0,
    mel_scale="htk",
    center=True,
    normalization="raw",
    scaling="power",
)
SPECTRAL = dict(
    distribution="spectral",
    measure="shannon",
    disequilibrium=("jensen-shannon", "euclidean", "total-variation"),
)


def _frames(series):
    return series.transpose(0, 2, 1)


def candidates() -> dict:
    plain = make_pipeline(Spectrogram(**MEL), ComplexityEntropyCurve(**SPECTRAL))
    whitened = make_pipeline(
        Spectrogram(**MEL, contrast="median"), ComplexityEntropyCurve(**SPECTRAL)
    )
    tsallis = make_pipeline(
        Spectrogram(**MEL, contrast="median"),
        ComplexityEntropyCurve(distribution="spectral", q=[0.5, 2.0, 4.0]),
    )
    bands = make_pipeline(
        Spectrogram(**MEL, contrast="median"),
        ComplexityEntropyCurve(**SPECTRAL, band_width=16, band_hop=8),
    )
    return {
        "recipe": pipelines.get("seed-inception")[1:-1].set_params(features__layout="frames"),
        "ordinal": make_pipeline(Spectrogram(), ComplexityEntropyCurve(measure="shannon")),
        "ordinal2d": make_pipeline(
            Spectrogram(),
            ComplexityEntropyCurve(
                distribution="ordinal2d",
                measure="shannon",
                dimension=3,
                time_dimension=2,
                window=8,
                hop=4,
            ),
        ),
        "mel-power": plain,
        "whitened": whitened,
        "plain+whitened": SeriesUnion([("plain", plain), ("whitened", whitened)]),
        "plain+whitened+tsallis": SeriesUnion(
            [("plain", plain), ("whitened", whitened), ("tsallis", tsallis)]
        ),
        "plain+whitened+bands": SeriesUnion(
            [("plain", plain), ("whitened", whitened), ("bands", bands)]
        ),
    }


def network_only_series() -> dict:
    """Series that are too wide for the tree probes: the features of two named pipelines."""
    fusion = pipelines.get("fusion-inception")["features"]
    return {
        "frames": pipelines.get("frames-inception")["features"],
        "fusion": fusion,
        # the same with fewer, wider mel bands in the frames: fewer channels beside the 8 series
        "fusion-32": clone(fusion).set_params(frames__spectrogram__n_mels=32),
        "fusion-16": clone(fusion).set_params(frames__spectrogram__n_mels=16),
    }


def _network_settings(spec: str, learning_rate: float = 1e-3) -> dict:
    """``"filters=64,kernel_size=15"`` -> ``{"filters": 64, "kernel_size": 15}``.

    ``lr_decay=F`` becomes a ``learning_rate_schedule`` that starts at
    ``learning_rate`` and multiplies it by ``F`` after every epoch; ``8+64``
    becomes ``(8, 64)``.
    """
    from whalefeat.models import WarmupDecaySchedule

    settings = {}
    if spec == "default":
        return settings
    for item in spec.split(","):
        key, _, value = item.partition("=")
        if "+" in value:
            settings[key] = tuple(int(part) for part in value.split("+"))
            continue
        try:
            settings[key] = int(value)
        except ValueError:
            settings[key] = float(value) if value.replace(".", "", 1).isdigit() else value
    if "lr_decay" in settings:
        rate = settings.get("learning_rate", learning_rate)
        settings["learning_rate_schedule"] = WarmupDecaySchedule(
            initial=rate, peak=rate, warmup_epochs=0, decay=float(settings.pop("lr_decay"))
        )
    return settings


def _write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: f"{v:.6g}" if isinstance(v, float) else v for k, v in row.items()})


def main(argv=None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument(
        "--network",
        action="store_true",
        help="also the seed network (20 epochs) on the plain+whitened series",
    )
    p.add_argument("--max-clips", type=int, default=None)
    p.add_argument("--no-trees", action="store_true", help="skip the tree probes")
    p.add_argument(
        "--series",
        nargs="+",
        default=None,
        metavar="NAME",
        help="the candidates of the tree probes (default: all)",
    )
    p.add_argument(
        "--network-grid",
        nargs="*",
        default=[],
        metavar="SETTINGS",
        help="seed-network settings to compare, each 'name=value,...'",
    )
    p.add_argument("--grid-series", nargs="+", default=["plain+whitened"])
    p.add_argument("--grid-seeds", type=int, default=1, help="fit each setting under seeds 0..K-1")
    p.add_argument(
        "--grid-folds",
        type=int,
        default=3,
        help="score the grid on the first N folds of the 3-fold split",
    )
    args = p.parse_args(argv)
    for names, known in (
        (args.series or [], list(candidates())),
        (args.grid_series, [*candidates(), *network_only_series()]),
    ):
        for name in names:
            if name not in known:
                p.error(f"unknown series {name!r}; expected one of {', '.join(known)}")
    args.out.mkdir(parents=True, exist_ok=True)
    paths, y = load_challenge(args.data)
    if args.max_clips:
        keep = np.sort(np.random.default_rng(0).permutation(len(y))[: args.max_clips])
        paths, y = paths[keep], y[keep]
    X = AiffLoader().fit_transform(paths)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    rows = []
    runs = (
        []
        if args.no_trees
        else [
            (name, features, "trees")
            for name, features in candidates().items()
            if args.series is None or name in args.series
        ]
    )
    if args.network:
        runs.append(("plain+whitened", candidates()["plain+whitened"], "seed network"))
    for name, features, model in runs:
        t = time.perf_counter()
        series = features.fit_transform(X)  # stateless transformers: no fitting on test folds
        if model == "trees":
            estimator = make_pipeline(
                FunctionTransformer(lambda S: S.reshape(len(S), -1)),
                HistGradientBoostingClassifier(random_state=0),
            )
        else:
            estimator = pipelines.get("ce-inception", random_state=0)[-1]
        scores = cross_val_score(estimator, series, y, cv=cv, scoring="roc_auc")
        rows.append(
            {
                "series": name,
                "model": model,
                "n_channels": series.shape[-1],
                "roc_auc_mean": scores.mean(),
                "roc_auc_std": scores.std(),
                "folds": " ".join(f"{s:.4f}" for s in scores),
                "seconds": time.perf_counter() - t,
            }
        )
        print(f"{name:24s} {model:13s} AUC {scores.mean():.4f} ± {scores.std():.4f}", flush=True)
        _write(args.out / "ce_design.csv", rows)
    grid_rows = []
    all_series = {**candidates(), **network_only_series()}
    for series_name in args.grid_series if args.network_grid else []:
        series = all_series[series_name].fit_transform(X)
        folds = list(cv.split(series, y))[: args.grid_folds]
        for spec, seed in [(s, k) for s in args.network_grid for k in range(args.grid_seeds)]:
            t = time.perf_counter()
            estimator = pipelines.get("ce-inception", random_state=seed)[-1]
            settings = _network_settings(spec, estimator.learning_rate)
            n_estimators = settings.pop("n_estimators", 1)
            estimator.set_params(**settings)
            if n_estimators > 1:
                estimator = SeedAveragingClassifier(
                    estimator, n_estimators=n_estimators, random_state=seed
                )
            scores = cross_val_score(estimator, series, y, cv=folds, scoring="roc_auc")
            grid_rows.append(
                {
                    "series": series_name,
                    "network": spec,
                    "seed": seed,
                    "n_channels": series.shape[-1],
                    "roc_auc_mean": scores.mean(),
                    "roc_auc_std": scores.std(),
                    "folds": " ".join(f"{s:.4f}" for s in scores),
                    "seconds": time.perf_counter() - t,
                }
            )
            print(
                f"{series_name:16s} {spec:40s} seed {seed} AUC {scores.mean():.4f} "
                f"({len(folds)} fold(s))",
                flush=True,
            )
            _write(args.out / "ce_network_design.csv", grid_rows)
    (args.out / "ce_design_command.txt").write_text(
        "python benchmarks/ce_design.py " + " ".join(argv or sys.argv[1:]) + "\n"
    )
    return rows


if __name__ == "__main__":
    main()
