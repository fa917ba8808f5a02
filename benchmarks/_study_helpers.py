"""Output helpers shared by ``study.py`` and ``holdout.py``.

The fold loop, the metrics and the environment capture are
:mod:`whalefeat._evaluation`'s (the command line's too); this module only
writes them in the files these two scripts have always written: CSV tables with
six significant digits, and an environment record with the package versions as
top-level keys.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from whalefeat._evaluation import environment as capture_environment

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
