"""Training-time augmentation of ``XceptionClassifier``, measured on training clips only.

The spectrograms of ``whalefeat.pipelines.get("xception")`` (its loader and
``Spectrogram(contrast="row")``) of the 3,000 clips of ``narw``, split once
into an inner training set (80 %) and an inner validation set (20 %),
stratified with seed 0; no held-out clip of ``benchmarks/holdout.py`` is
read. The pipeline's own classifier (Xception from scratch, 71 px) is trained
on the inner training set with augmentation off and with each augmentation on
alone, with the same ``random_state``; after every epoch a callback scores the
inner validation set (ROC AUC, accuracy), so one run per setting also gives
the curve over epochs::

    python benchmarks/augmentation.py --data ../shared/data/narw \\
        --out docs/_static/study/augmentation.csv

(the published file: ``--settings off mixup time_mask frequency_mask
time_shift --max-train 800 --epochs 2``, stopped after ``mixup`` for lack of
CPU time).

One network per setting and one split make this a small experiment: with 600
validation clips, differences in AUC of about 0.01 are within the spread
between training runs. ``--max-train`` subsamples the inner training set
(stratified) where CPU time is short. TensorFlow is kept to
``--threads`` threads.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

SETTINGS = {
    "off": {},
    "time_shift": {"time_shift": 0.2},
    "time_mask": {"time_mask": 0.15},
    "frequency_mask": {"frequency_mask": 0.15},
    "mixup": {"mixup": 0.2},
    "spec_augment": {"time_mask": 0.15, "frequency_mask": 0.15},
}
COLUMNS = (
    "setting",
    "parameters",
    "epoch",
    "roc_auc",
    "accuracy",
    "loss",
    "fit_s",
    "n_train",
    "n_validation",
    "image_size",
    "threads",
)

#: per-epoch scores, filled by the callback's deep copies inside ``fit``
RECORD: list[dict] = []


def _parse(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--image-size", type=int, default=71)
    p.add_argument("--max-train", type=int, default=None)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def main(argv=None) -> list[dict]:
    args = _parse(argv)
    for name in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ[name] = str(args.threads)
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")

    import keras
    import numpy as np
    from sklearn.base import clone
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    from whalefeat import pipelines
    from whalefeat.datasets import load_challenge

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _study_helpers import write_csv

    class EpochScores(keras.callbacks.Callback):
        """Inner-validation ROC AUC after every epoch, into ``RECORD``."""

        def __init__(self, X, y, label):
            super().__init__()
            self.X, self.y, self.label = X, y, label
            self.start = self.scoring = None

        def on_train_begin(self, logs=None):
            self.start, self.scoring = time.perf_counter(), 0.0

        def on_epoch_end(self, epoch, logs=None):
            now = time.perf_counter()
            fit_s = now - self.start - self.scoring  # training time only
            proba = np.concatenate(
                [
                    keras.ops.convert_to_numpy(self.model(self.X[i : i + 64], training=False))
                    for i in range(0, len(self.X), 64)
                ]
            )[:, 1]
            RECORD.append(
                {
                    "setting": self.label,
                    "epoch": epoch + 1,
                    "roc_auc": roc_auc_score(self.y, proba),
                    "accuracy": float(np.mean((proba > 0.5) == self.y)),
                    "loss": float(logs["loss"]),
                    "fit_s": fit_s,
                }
            )
            print(
                f"{self.label} epoch {epoch + 1}: AUC {RECORD[-1]['roc_auc']:.4f} ({fit_s:.0f} s)",
                flush=True,
            )
            self.scoring += time.perf_counter() - now

    pipeline = pipelines.get("xception")
    features = pipeline[:-1]
    paths, y = load_challenge(args.data)
    started = time.perf_counter()
    X = features.fit_transform(paths, y).astype(np.float32)
    print(
        f"{len(y)} spectrograms {X.shape[1:]} in {time.perf_counter() - started:.0f} s", flush=True
    )
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=args.seed
    )
    if args.max_train is not None and args.max_train < len(y_train):
        X_train, _, y_train, _ = train_test_split(
            X_train, y_train, train_size=args.max_train, stratify=y_train, random_state=args.seed
        )
    rows = []
    for label in args.settings:
        params = SETTINGS[label]
        classifier = clone(pipeline[-1]).set_params(
            epochs=args.epochs,
            image_size=args.image_size,
            random_state=args.seed,
            callbacks=[EpochScores(X_val[..., np.newaxis], y_val, label)],
            **params,
        )
        first = len(RECORD)
        classifier.fit(X_train, y_train)
        for row in RECORD[first:]:
            rows.append(
                {
                    **row,
                    "parameters": " ".join(f"{k}={v}" for k, v in params.items()) or "none",
                    "n_train": len(y_train),
                    "n_validation": len(y_val),
                    "image_size": args.image_size,
                    "threads": args.threads,
                }
            )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_csv(args.out, rows, COLUMNS)  # after every setting: partial results survive
    return rows


if __name__ == "__main__":
    main()
