"""Design of the ``"templates"`` pipeline: the challenge winners' features into gradient boosting.

Cross-validation on the 3,000 clips of ``../shared/data/narw`` only (stratified folds, one seed),
comparing feature blocks and settings of :class:`whalefeat.contrast.LocalContrast`,
:class:`whalefeat.templates.TemplateMatcher` and :class:`whalefeat.rowstats.RowStatistics`
in front of :class:`sklearn.ensemble.HistGradientBoostingClassifier`.

The spectrograms, their contrast images and their row statistics are computed once for all
clips: each is a per-clip function with nothing fitted, so computing it before the split is
the same as computing it inside each fold. The templates (cut from positive clips and ranked
on training clips) and the classifier are fitted on the training folds only.

With ``--holdout DIR`` (``../shared/data/narw-large``) the recommended pipeline
(:func:`templates_pipeline`) is also fitted on all 3,000 narw clips and scored on the
narw-large clips that are not in narw, with a bootstrap standard deviation of the ROC AUC.

Usage (every variant and the held-out score: about 15 CPU-minutes on one thread)::

    OMP_NUM_THREADS=1 python benchmarks/templates_design.py --data ../shared/data/narw \\
        --holdout ../shared/data/narw-large --cache /tmp/tmplfeat \\
        --out docs/_static/study/templates_design.csv

``--variants NAME ...`` runs some of the variants only and ``--append`` adds the rows to those
already in ``--out``; ``docs/_static/study/templates_design.csv`` was written in three such
runs (``moby2 grey``; ``db-inside inside random16`` with ``--holdout``; ``more32 small large``),
on the same folds (``--seed 0``), 12 CPU-minutes in all.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline

from whalefeat import AiffLoader, Spectrogram
from whalefeat.contrast import LocalContrast
from whalefeat.rowstats import RowStatistics
from whalefeat.templates import TemplateMatcher

# moby2's spectrogram: 256-sample Hann frames 64 samples apart (59 frames of a 2-s clip),
# linear power spectral density; here cropped to 40-400 Hz (46 bins)
SPECTROGRAM = dict(window_length=256, hop_length=64, fmin=40.0, fmax=400.0, scaling="power")


class Variant(NamedTuple):
    """One set of settings of the features compared by :func:`cv_rows`."""

    scaling: str  # of the spectrogram: "power" or "db"
    padding: str  # of LocalContrast
    n_templates: int
    n_candidates: int
    binarize: float | None
    template_shape: tuple[int, int] = (14, 24)
    n_noise: int = 0  # templates cut from the noise clips too, per image (4 candidates each)


def templates_pipeline(
    *,
    n_templates=16,
    n_candidates=64,
    binarize=0.5,
    scaling="power",
    row_statistics=True,
    classifier=None,
) -> Pipeline:
    """Clip paths -> spectrogram -> [templates on two contrast images, row statistics] -> trees."""
    branches = [
        (
            name,
            make_pipeline(
                LocalContrast(axis=axis),
                TemplateMatcher(
                    n_templates=n_templates, n_candidates=n_candidates, binarize=binarize
                ),
            ),
        )
        for name, axis in (("frequency", "frequency"), ("time", "time"))
    ]
    if row_statistics:
        branches.append(("rows", RowStatistics()))
    return Pipeline(
        [
            ("loader", AiffLoader()),
            ("spectrogram", Spectrogram(**{**SPECTROGRAM, "scaling": scaling})),
            ("features", FeatureUnion(branches)),
            ("classifier", classifier or HistGradientBoostingClassifier()),
        ]
    )


def load(folder: Path, cache: Path | None):
    labels = pd.read_csv(folder / "train.csv")
    cached = cache / f"{folder.name}_X.npy" if cache else None
    if cached is not None and cached.is_file():
        X = np.load(cached)
    else:
        X = AiffLoader().fit_transform([str(folder / "train" / c) for c in labels.clip_name])
        if cached is not None:
            cache.mkdir(parents=True, exist_ok=True)
            np.save(cached, X)
    return X, labels.label.to_numpy(), labels.clip_name.to_numpy()


def cv_rows(X, y, folds, seed, only=None, draws=1):
    rows = []
    split = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y))
    power = Spectrogram(**SPECTROGRAM).fit_transform(X)
    db = Spectrogram(**{**SPECTROGRAM, "scaling": "db"}).fit_transform(X)
    rowstats = RowStatistics().fit_transform(power)
    images = {
        ("power", axis, padding): LocalContrast(axis=axis, padding=padding).fit_transform(S)
        for S in (power,)
        for axis in ("frequency", "time")
        for padding in ("zeros", "inside")
    }
    for axis in ("frequency", "time"):
        images[("db", axis, "inside")] = LocalContrast(axis=axis, padding="inside").fit_transform(
            db
        )

    variants = {
        "moby2": Variant("power", "zeros", 16, 64, 0.5),
        "grey": Variant("power", "zeros", 16, 64, None),
        # zeros padding on dB values (all negative) rectifies everything to 0: dB needs "inside"
        "db-inside": Variant("db", "inside", 16, 64, 0.5),
        "inside": Variant("power", "inside", 16, 64, 0.5),
        "random16": Variant("power", "zeros", 16, 16, 0.5),
        "more32": Variant("power", "zeros", 32, 128, 0.5),
        "small": Variant("power", "zeros", 16, 64, 0.5, (10, 16)),
        "large": Variant("power", "zeros", 16, 64, 0.5, (18, 32)),
        # moby2's hand-cut templates included noise shapes (5 of its 25): templates cut from
        # the noise clips too, ranked by how well they pick those out
        "noise8": Variant("power", "zeros", 16, 64, 0.5, n_noise=8),
        "noise16": Variant("power", "zeros", 16, 64, 0.5, n_noise=16),
    }
    if only:
        variants = {name: variants[name] for name in only}
    for name, variant in variants.items():
        for fold, (train, test) in enumerate(split):
            for draw in range(draws):
                rows += _variant_fold_rows(
                    name, variant, images, rowstats, y, train, test, fold, draw, seed
                )
    return rows


def _variant_fold_rows(
    name, variant, images, rowstats, y, train, test, fold, draw, seed
) -> list[dict]:
    """One variant on one fold under one draw of templates (draw 0: the seed of one-draw runs)."""
    rows = []
    start = time.process_time()
    blocks = {}
    template_seed = seed + fold + 1000 * draw
    kinds = [(variant.n_templates, variant.n_candidates, None)]
    if variant.n_noise:
        kinds.append((variant.n_noise, 4 * variant.n_noise, 0))
    for axis in ("frequency", "time"):
        image = images[(variant.scaling, axis, variant.padding)]
        matched = []
        for count, pool, cut_from in kinds:
            matcher = TemplateMatcher(
                n_templates=count,
                n_candidates=pool,
                binarize=variant.binarize,
                template_shape=variant.template_shape,
                positive_class=cut_from,
                random_state=template_seed,
            )
            matcher.fit(image[train], y[train])
            matched.append(matcher.transform(image))
        blocks[axis] = np.hstack(matched)
    template_cpu = time.process_time() - start
    combos = {"frequency+time+rows": ("frequency", "time", "rows")}
    if name == "moby2" and draw == 0:
        combos.update(
            {
                "frequency": ("frequency",),
                "time": ("time",),
                "rows": ("rows",),
                "frequency+time": ("frequency", "time"),
            }
        )
    blocks["rows"] = rowstats
    for combo, names in combos.items():
        features = np.hstack([blocks[n] for n in names])
        classifiers = {"hgb": HistGradientBoostingClassifier(random_state=seed + 1000 * draw)}
        if name == "moby2" and combo == "frequency+time+rows" and draw == 0:
            classifiers["hgb-slow"] = HistGradientBoostingClassifier(
                learning_rate=0.05, max_iter=400, random_state=seed
            )
        for label, classifier in classifiers.items():
            t0 = time.process_time()
            classifier.fit(features[train], y[train])
            score = classifier.predict_proba(features[test])[:, 1]
            rows.append(
                dict(
                    variant=name,
                    features=combo,
                    classifier=label,
                    template_shape="x".join(map(str, variant.template_shape)),
                    fold=fold,
                    draw=draw,
                    roc_auc=roc_auc_score(y[test], score),
                    n_features=features.shape[1],
                    template_cpu_s=template_cpu,
                    classifier_cpu_s=time.process_time() - t0,
                )
            )
            print(rows[-1], flush=True)
    return rows


def holdout_rows(X, y, names, large: Path, cache, seed, n_boot=200):
    X_large, y_large, names_large = load(large, cache)
    other = ~np.isin(names_large, names)
    pipeline = templates_pipeline()
    pipeline.set_params(**{k: seed for k in pipeline.get_params() if k.endswith("random_state")})
    model = Pipeline(pipeline.steps[1:])  # the clips are already loaded
    t0 = time.process_time()
    model.fit(X, y)
    fit_cpu = time.process_time() - t0
    t0 = time.process_time()
    score = model.predict_proba(X_large[other])[:, 1]
    predict_cpu = time.process_time() - t0
    truth = y_large[other]
    auc = roc_auc_score(truth, score)
    rng = np.random.default_rng(seed)
    boot = []
    for _ in range(n_boot):
        i = rng.integers(0, len(truth), len(truth))
        if truth[i].min() != truth[i].max():
            boot.append(roc_auc_score(truth[i], score[i]))
    accuracy = float(np.mean((score >= 0.5) == truth))
    return [
        dict(
            variant="recommended",
            features="frequency+time+rows",
            classifier="hgb",
            fold="holdout",
            roc_auc=auc,
            roc_auc_boot_sd=float(np.std(boot)),
            accuracy=accuracy,
            n_train=len(y),
            n_test=int(other.sum()),
            fit_cpu_s=fit_cpu,
            predict_cpu_s=predict_cpu,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/narw"))
    parser.add_argument("--holdout", type=Path, default=None)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument(
        "--append", action="store_true", help="add the rows to those already in --out"
    )
    parser.add_argument("--variants", nargs="*", default=None)
    parser.add_argument(
        "--draws", type=int, default=1, help="draws of templates (and trees) per fold"
    )
    parser.add_argument("--limit", type=int, default=None, help="first N clips (smoke runs)")
    parser.add_argument("--out", type=Path, default=Path("templates_design.csv"))
    args = parser.parse_args()
    X, y, names = load(args.data, args.cache)
    if args.limit:
        X, y, names = X[: args.limit], y[: args.limit], names[: args.limit]
    rows = [] if args.skip_cv else cv_rows(X, y, args.folds, args.seed, args.variants, args.draws)
    if args.holdout is not None:
        rows += holdout_rows(X, y, names, args.holdout, args.cache, args.seed)
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    if args.append and args.out.is_file():
        table = pd.concat([pd.read_csv(args.out), table], ignore_index=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    if not args.skip_cv:
        cv = table[table.fold.astype(str) != "holdout"]
        print(
            cv.groupby(["variant", "features", "classifier"])
            .roc_auc.agg(["mean", "std"])
            .round(4)
            .to_string()
        )


if __name__ == "__main__":
    main()
