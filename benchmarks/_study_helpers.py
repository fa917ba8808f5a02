"""Helpers shared by the scripts of ``benchmarks/``.

The fold loop, the metrics and the environment capture are
:mod:`whalefeat._evaluation`'s (the command line's too); this module writes
them in the files ``study.py`` and ``holdout.py`` have always written (CSV
tables with six significant digits, and an environment record with the package
versions as top-level keys), and gives the design scripts (``*_design.py``)
their common split of the design clips and their command file.
"""

from __future__ import annotations

import csv
import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from whalefeat import AiffLoader
from whalefeat._evaluation import environment as capture_environment
from whalefeat.datasets import load_challenge

HERE = Path(__file__).resolve().parent
#: packages whose versions the environment record names (None where not installed)
PACKAGES = (
    "numpy",
    "scipy",
    "scikit-learn",
    "tensorflow",
    "keras",
    "numba",
    "soundfile",
    "joblib",
    "matplotlib",
)


def environment() -> dict:
    """The machine, the commit of this checkout and the package versions, flat.

    Keys: ``platform``, ``python``, ``cpu``, ``cpu_count``, ``gpu``,
    ``whalefeat``, ``git_commit``, ``git_uncommitted_src`` (the library's files
    that differ from that commit), then one key per package of
    :data:`PACKAGES`.
    """
    env = capture_environment(packages=("whalefeat", *PACKAGES), repository=HERE.parent, gpus=True)
    found = env["versions"]
    return {
        "platform": env["platform"],
        "python": found["python"],
        "cpu": env["cpu"],
        "cpu_count": env["cpu_count"],
        "gpu": env["gpu"],
        "whalefeat": found.get("whalefeat"),
        "git_commit": env["git_commit"],
        "git_uncommitted_src": env["git_uncommitted_src"],
        **{name: found.get(name) for name in PACKAGES},
    }


def write_csv(path: str | os.PathLike, rows: Sequence[Mapping], columns: Sequence[str]) -> None:
    """Write ``rows`` under ``columns`` (others ignored); floats to 6 significant digits."""
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _fmt(row.get(key)) for key in columns})


def _fmt(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return value


def design_folds(
    folder: str | os.PathLike, seed: int
) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """The decoded clips of ``folder``, their labels, and the design scripts' split of them.

    The split is a stratified 3-fold one, shuffled with ``seed``: a list of
    ``(train, test)`` index arrays.
    """
    paths, y = load_challenge(folder)
    X = AiffLoader().fit_transform(paths)
    return X, y, list(StratifiedKFold(3, shuffle=True, random_state=seed).split(X, y))


def write_command(path: str | os.PathLike, script: str, argv: Sequence[str] | None) -> None:
    """Write the command line that ran ``benchmarks/<script>`` with ``argv`` to ``path``."""
    arguments = sys.argv[1:] if argv is None else argv
    Path(path).write_text(shlex.join(["python", f"benchmarks/{script}", *arguments]) + "\n")
