"""Run every speed benchmark and print one table: ours, the peer's, the ratio.

Each ``benchmarks/bench_*.py`` module defines ``cases(quick: bool)`` returning a
list of :class:`Case`. Both sides of a case run in this same process, on the
same input, and each is timed as the best of ``repeat`` runs after one warm-up
call (which also triggers numba compilation).

Usage::

    python benchmarks/run_benchmarks.py            # full sizes
    python benchmarks/run_benchmarks.py --quick    # small sizes, a smoke run
    python benchmarks/run_benchmarks.py -k ordpy   # only cases whose name matches
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass
class Case:
    """One comparison: our callable against a peer's on the same input."""

    name: str
    ours: Callable[[], object]
    peer_name: str
    peer: Callable[[], object]
    repeat: int = 3
    peer_repeat: int | None = None
    #: the peer's time is measured on ``peer_scale`` times less work than ours and scaled up
    peer_scale: float = 1.0


def best_time(function: Callable[[], object], repeat: int) -> float:
    function()  # warm-up: compilation, caches, lazy imports
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def load_cases(quick: bool) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
        cases.extend(module.cases(quick))
    return cases


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("-k", default="", help="only run cases whose name contains this")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    cases = [c for c in load_cases(args.quick) if args.k.lower() in c.name.lower()]
    print(
        f"# {platform.platform()}, Python {platform.python_version()}, "
        f"{platform.processor() or platform.machine()}"
    )
    header = f"{'case':<58} {'ours (s)':>10} {'peer':<26} {'peer (s)':>10} {'speed-up':>9}"
    print(header)
    print("-" * len(header))
    for case in cases:
        ours = best_time(case.ours, case.repeat)
        peer = best_time(case.peer, case.peer_repeat or case.repeat) * case.peer_scale
        print(
            f"{case.name:<58} {ours:>10.4f} {case.peer_name:<26} {peer:>10.4f} "
            f"{peer / ours:>8.1f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
