"""Parallel reading with AiffLoader: one worker against two, threads against processes.

Reads the 3,000 real clips of ``../shared/data/narw/train`` (or
``$WHALEFEAT_NARW_DATA``; synthetic 16-bit AIFF clips from
:func:`whalefeat.datasets.make_clips`, written to a temporary folder, where
absent), and 30,000 by reading those files ten times over (the page cache
holds them, so this measures decoding and the per-file work, not the disk),
with ``AiffLoader(n_jobs=1)`` and ``AiffLoader(n_jobs=2)``:

- ``default``: what ``n_jobs=2`` does with no :func:`joblib.parallel_config`
  around it;
- ``threading`` and ``loky``: the same inside ``parallel_config(backend=...)``.

Each line gives the first call (for a process backend this includes starting
its workers, which joblib then keeps for later calls) and the best of
``--repeat`` calls after it, and the speed-up of that best over one worker.
Every output is checked equal to the serial one.

Usage::

    python benchmarks/loader_scaling.py --out docs/_static/benchmarks
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
NARW = Path(os.environ.get("WHALEFEAT_NARW_DATA", HERE.parents[1] / "shared" / "data" / "narw"))
COLUMNS = ["clips", "n_jobs", "backend", "first_s", "best_s", "speed_up", "load_start", "load_end"]


def _paths(folder: Path) -> tuple[np.ndarray, str]:
    from whalefeat.datasets import load_challenge, make_clips, write_clips

    if (NARW / "train.csv").is_file():
        paths, _ = load_challenge(NARW)
        return paths, f"{len(paths)} real clips of {NARW.name}"
    print(f"loader_scaling.py: no clips at {NARW}; writing synthetic ones", file=sys.stderr)
    X, y = make_clips(3000, random_state=0)
    return write_clips(X, folder, y=y), "3000 synthetic clips (make_clips)"


def _time(function, repeat: int) -> tuple[float, float, np.ndarray]:
    start = time.perf_counter()
    out = function()
    first = time.perf_counter() - start
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return first, best, out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "loader-out")
    parser.add_argument("--repeat", type=int, default=3, help="timed calls after the first")
    parser.add_argument(
        "--times",
        type=int,
        nargs="+",
        default=[1, 10],
        help="how many times over the clips are read, one row each",
    )
    args = parser.parse_args(argv)

    from joblib import parallel_config

    from whalefeat._evaluation import environment, load_average
    from whalefeat.io import AiffLoader

    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="whalefeat-bench-loader-") as folder:
        base, source = _paths(Path(folder))
        AiffLoader().transform(base)  # into the page cache
        for times in args.times:
            paths = np.tile(base, times)
            repeat = args.repeat if times == 1 else max(1, args.repeat - 1)
            serial = None
            for n_jobs, backend in ((1, "default"), (2, "default"), (2, "threading"), (2, "loky")):
                loader = AiffLoader(n_jobs=n_jobs)
                load_start = load_average()
                read = functools.partial(loader.transform, paths)
                if backend == "default":
                    first, best, out = _time(read, repeat)
                else:
                    with parallel_config(backend=backend):
                        first, best, out = _time(read, repeat)
                if serial is None:
                    serial, one = out, best
                np.testing.assert_array_equal(out, serial)
                row = {
                    "clips": len(paths),
                    "n_jobs": n_jobs,
                    "backend": backend,
                    "first_s": round(first, 3),
                    "best_s": round(best, 3),
                    "speed_up": round(one / best, 2),
                    "load_start": load_start,
                    "load_end": load_average(),
                }
                rows.append(row)
                print(row, flush=True)
    with open(args.out / "loader_scaling.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    record = {
        "command": "python "
        + shlex.join(
            ["benchmarks/loader_scaling.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "clips": source,
        "environment": environment(repository=HERE.parent),
        "results": rows,
    }
    (args.out / "loader_scaling.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {args.out / 'loader_scaling.csv'} and {args.out / 'loader_scaling.json'}")


if __name__ == "__main__":
    main()
