#!/usr/bin/env python3
"""One-command set-up and tasks for whalefeat.

Run with any Python >= 3.10 (3.11 recommended); it needs nothing but the
standard library. Each task creates, or reuses, a virtual environment in
``.venv`` (override with ``WHALEFEAT_VENV``), installs whalefeat in editable
mode with every extra into it whenever ``pyproject.toml`` changed, and then
runs the task inside it::

    python3 dev.py demo    # the main job: cross-validated detection on synthetic clips
    python3 dev.py test    # the whole test suite, then the documentation build
    python3 dev.py docs    # only the documentation build (warnings are errors)
    python3 dev.py bench   # the speed benchmarks (prints one table)

Arguments after the task name are passed on (to pytest for ``test``, to
``whalefeat demo`` for ``demo``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("WHALEFEAT_VENV", ROOT / ".venv"))
EXTRAS = "tensorflow,plot,test,docs,lint"


def _venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return VENV / scripts / ("python.exe" if os.name == "nt" else "python")


def _run(*args: str | os.PathLike, env: dict | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    completed = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def ensure_environment() -> Path:
    """Create the virtual environment and install the project if needed."""
    if sys.version_info < (3, 10):
        sys.exit(f"whalefeat needs Python >= 3.10, this is {sys.version.split()[0]}")
    python = _venv_python()
    if not python.exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        _run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    fingerprint = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / ".whalefeat-installed"
    if not stamp.exists() or stamp.read_text().strip() != fingerprint:
        _run(python, "-m", "pip", "install", "--quiet", "-e", f".[{EXTRAS}]")
        stamp.write_text(fingerprint)
    return python


def _task_env() -> dict:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("KERAS_BACKEND", "tensorflow")
    env.setdefault("MPLBACKEND", "Agg")
    return env


def main(argv: list[str]) -> None:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return
    task, rest = argv[0], argv[1:]
    if task not in {"demo", "test", "docs", "bench", "setup"}:
        sys.exit(f"unknown task {task!r}; expected one of demo, test, docs, bench, setup")
    python = ensure_environment()
    env = _task_env()
    if task == "demo":
        _run(python, "-m", "whalefeat", "demo", *rest, env=env)
    elif task == "test":
        _run(python, "-m", "pytest", *rest, env=env)
        if not rest:
            _run(python, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
                 "docs", "docs/_build/html", env=env)
    elif task == "docs":
        _run(python, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
             "docs", "docs/_build/html", *rest, env=env)
    elif task == "bench":
        _run(python, "benchmarks/run_benchmarks.py", *rest, env=env)


if __name__ == "__main__":
    main(sys.argv[1:])
