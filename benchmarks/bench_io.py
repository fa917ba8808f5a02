"""Loading clips: AiffLoader against a plain ``soundfile.read`` loop.

Both sides produce the same float32 array of shape (n_clips, n_samples). The
peer is the loop anyone would write: ``np.stack([sf.read(p, dtype="float32")[0]
for p in paths])``.

- Real clips: the 3000 clips of ``../shared/data/narw/train`` (or
  ``$WHALEFEAT_NARW_DATA/train``); skipped, with a message, where absent.
- 30,000 clips: synthetic 2-s clips from :func:`whalefeat.datasets.make_clips`
  (30 batches of 1000, each batch its own seed), written once as 16-bit AIFF to
  a temporary folder that is removed at exit. The files are in the page cache
  after writing, so this measures decoding and per-file overhead, not disk.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import soundfile as sf
from run_benchmarks import Case

from whalefeat.datasets import load_challenge, make_clips, write_clips
from whalefeat.io import AiffLoader

NARW = Path(
    os.environ.get(
        "WHALEFEAT_NARW_DATA", Path(__file__).resolve().parents[2] / "shared" / "data" / "narw"
    )
)


def soundfile_loop(paths: Sequence[str]) -> np.ndarray:
    return np.stack([sf.read(path, dtype="float32")[0] for path in paths])


def synthetic_paths(n_clips: int, batch: int = 1000) -> np.ndarray:
    folder = tempfile.mkdtemp(prefix="whalefeat-bench-io-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    paths = []
    for k in range(0, n_clips, batch):
        X, y = make_clips(min(batch, n_clips - k), random_state=k)
        paths.append(write_clips(X, Path(folder) / f"batch{k // batch}", y=y))
    return np.concatenate(paths)


def comparison(label: str, paths: np.ndarray, repeat: int) -> list[Case]:
    ours = AiffLoader()
    np.testing.assert_array_equal(ours.transform(paths[:200]), soundfile_loop(paths[:200]))
    return [
        Case(
            f"load {label} (AiffLoader)",
            lambda: ours.transform(paths),
            "soundfile.read loop",
            lambda: soundfile_loop(paths),
            repeat=repeat,
        ),
        Case(
            f"load {label} (AiffLoader, n_jobs=2)",
            lambda: AiffLoader(n_jobs=2).transform(paths),
            "soundfile.read loop",
            lambda: soundfile_loop(paths),
            repeat=repeat,
        ),
    ]


def cases(quick: bool) -> list[Case]:
    found: list[Case] = []
    if (NARW / "train.csv").is_file() and (NARW / "train").is_dir():
        paths, _ = load_challenge(NARW)
        if quick:
            paths = paths[:300]
        found += comparison(f"{len(paths)} real clips", paths, repeat=5)
    else:
        print(
            f"bench_io: real clips not found at {NARW} (set WHALEFEAT_NARW_DATA); "
            "skipping the real-clip cases",
            file=sys.stderr,
        )
    n_synthetic = 3000 if quick else 30_000
    found += comparison(f"{n_synthetic} synthetic clips", synthetic_paths(n_synthetic), repeat=3)
    return found
