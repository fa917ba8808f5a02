#!/usr/bin/env python3
"""One-command set-up and tasks for whalefeat.

Run with any Python >= 3.10 (3.11 recommended); it needs nothing but the
standard library. Each task creates, or reuses, a virtual environment in
``.venv`` (override with ``WHALEFEAT_VENV``), installs whalefeat in editable
mode with the extras of ``EXTRAS`` into it whenever ``pyproject.toml``
changed, and then runs the task inside it::

    python3 dev.py demo          # the main job: cross-validated detection on synthetic clips
    python3 dev.py test          # everything CI runs: lint, the whole test suite,
                                 # the packaging smoke test and the documentation build
    python3 dev.py test --fast   # the edit loop: lint, then the tests not marked slow
    python3 dev.py lint          # ruff check and ruff format --check
    python3 dev.py package       # build the sdist and wheel, try the wheel in a fresh venv
    python3 dev.py docs          # only the documentation build (warnings are errors)
    python3 dev.py bench         # the speed benchmarks (prints one table)

Arguments after the task name are passed on: to pytest for ``test`` (then
only pytest runs, e.g. ``python3 dev.py test tests/test_io.py -x``), to
``whalefeat demo`` for ``demo``, to sphinx for ``docs`` and to
``benchmarks/run_benchmarks.py`` for ``bench``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("WHALEFEAT_VENV", ROOT / ".venv"))
# tensorflow: the Keras backend the tests and the gallery run on (KERAS_BACKEND below)
EXTRAS = "tensorflow,plot,test,docs,lint"
TASKS = ("demo", "test", "lint", "package", "docs", "bench", "setup")
LINT_PATHS = ("src", "tests", "benchmarks", "examples", "docs", "dev.py")
# pytest-xdist workers for the whole suite (a targeted run with arguments stays serial)
PARALLEL = ("-n", "auto")

# Run by the fresh virtual environment's Python, outside the source tree: the
# installed wheel alone, with only the core dependencies.
_SMOKE_TEST = r"""
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

for backend in ("keras", "tensorflow", "jax", "torch"):
    assert importlib.util.find_spec(backend) is None, f"{backend} is installed in the smoke venv"

import whalefeat

assert Path(whalefeat.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()), (
    f"whalefeat imported from {whalefeat.__file__}, not from the wheel")
assert "tensorflow" not in sys.modules and "keras" not in sys.modules

namespace = {}
exec("from whalefeat import *", namespace)
assert {"AiffLoader", "Spectrogram", "ComplexityEntropyCurve"} <= set(namespace)
try:
    whalefeat.XceptionClassifier
except ImportError as error:
    assert "whalefeat[" in str(error), f"no install hint in {error}"
else:
    raise AssertionError("XceptionClassifier imported without Keras")

from sklearn.pipeline import make_pipeline

from whalefeat import AiffLoader, ComplexityEntropyCurve, Spectrogram
from whalefeat.datasets import make_clips, write_clips

X, y = make_clips(6, random_state=0)
with tempfile.TemporaryDirectory() as folder:
    paths = write_clips(X, folder, y=y)
    features = make_pipeline(AiffLoader(), Spectrogram(), ComplexityEntropyCurve()).fit_transform(
        paths, y)
assert features.shape[0] == 6 and features.ndim >= 2, features.shape
assert (features == features).all(), "NaN in the features"
assert "tensorflow" not in sys.modules and "keras" not in sys.modules

help_text = subprocess.run(
    [str(Path(sys.executable).with_name("whalefeat")), "--help"],
    check=True, capture_output=True, text=True,
).stdout
assert "extract" in help_text and "evaluate" in help_text, help_text
print(f"wheel smoke test passed: whalefeat {whalefeat.__version__}, features {features.shape}")
"""


def _venv_python(root: Path = VENV) -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return root / scripts / ("python.exe" if os.name == "nt" else "python")


def _run(*args: str | os.PathLike, env: dict | None = None, cwd: Path = ROOT) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    completed = subprocess.run([str(a) for a in args], cwd=cwd, env=env)
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def ensure_environment() -> Path:
    """Create the virtual environment and install the project if needed."""
    # dev.py runs on whatever python3 is at hand, which may be older than the package's floor
    if sys.version_info < (3, 10):  # noqa: UP036
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


def _one_thread_per_worker(env: dict) -> dict:
    """``env`` with TensorFlow, OpenMP and BLAS on one thread each, unless set already.

    pytest-xdist starts a worker per core; a worker whose libraries each start
    a thread per core as well makes the cores switch between threads instead of
    running them. Tests that ask for threads (``n_jobs``, ``n_threads``) still
    get them.
    """
    env = dict(env)
    for name in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "TF_NUM_INTRAOP_THREADS",
        "TF_NUM_INTEROP_THREADS",
    ):
        env.setdefault(name, "1")
    return env


def lint(python: Path) -> None:
    """ruff check and ruff format --check on the whole tree."""
    _run(python, "-m", "ruff", "check", *LINT_PATHS)
    _run(python, "-m", "ruff", "format", "--check", *LINT_PATHS)


def package(python: Path) -> None:
    """Build the sdist and, from it, the wheel; install the wheel alone in a fresh venv.

    The fresh environment gets the core dependencies only (no Keras, no
    backend), and the smoke test runs there outside the source tree.
    """
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="whalefeat-package-") as tmp:
        tmp = Path(tmp)
        dist = tmp / "dist"
        # isolated build: also checks that [build-system] requires is enough
        _run(python, "-m", "build", "--outdir", dist, ROOT)  # the sdist, then the wheel from it
        wheels = sorted(dist.glob("whalefeat-*.whl"))
        sdists = sorted(dist.glob("whalefeat-*.tar.gz"))
        if len(wheels) != 1 or len(sdists) != 1:
            sys.exit(f"expected one wheel and one sdist in {dist}, found {sorted(dist.iterdir())}")
        built = time.perf_counter()
        fresh = tmp / "venv"
        print(f"creating a fresh virtual environment in {fresh}", flush=True)
        venv.EnvBuilder(with_pip=False).create(fresh)
        fresh_python = _venv_python(fresh)
        env = {k: v for k, v in _task_env().items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
        # Bytecode is written lazily, for the modules the smoke test imports: compiling
        # every installed module at install time (pip's default) quadruples the install.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        _run(
            python,
            "-m",
            "pip",
            "--python",
            fresh_python,
            "install",
            "--quiet",
            "--no-compile",
            wheels[0],
            env=env,
        )
        installed = time.perf_counter()
        script = tmp / "smoke_test.py"
        script.write_text(_SMOKE_TEST)
        _run(fresh_python, script, env=env, cwd=tmp)
    done = time.perf_counter()
    print(
        f"packaging smoke step: {done - start:.0f} s (build {built - start:.0f} s, install "
        f"{installed - built:.0f} s, smoke test {done - installed:.0f} s)",
        flush=True,
    )


def _sphinx(python: Path, *args: str, env: dict) -> None:
    _run(
        python,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "docs",
        "docs/_build/html",
        *args,
        env=env,
    )


def main(argv: list[str]) -> None:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return
    task, rest = argv[0], argv[1:]
    if task not in TASKS:
        sys.exit(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    python = ensure_environment()
    env = _task_env()
    if task == "demo":
        _run(python, "-m", "whalefeat", "demo", *rest, env=env)
    elif task == "test":
        fast = "--fast" in rest
        rest = [arg for arg in rest if arg != "--fast"]
        marker = ["-m", "not slow"] if fast else []
        if rest:  # a targeted run: only pytest, with the given arguments
            _run(python, "-m", "pytest", *marker, *rest, env=env)
            return
        lint(python)
        # the whole suite on every core (pytest-xdist): CI has two
        _run(python, "-m", "pytest", *PARALLEL, *marker, env=_one_thread_per_worker(env))
        if not fast:
            package(python)
            _sphinx(python, env=env)
    elif task == "lint":
        if rest:
            sys.exit("dev.py lint takes no arguments")
        lint(python)
    elif task == "package":
        if rest:
            sys.exit("dev.py package takes no arguments")
        package(python)
    elif task == "docs":
        _sphinx(python, *rest, env=env)
    elif task == "bench":
        _run(python, "benchmarks/run_benchmarks.py", *rest, env=env)


if __name__ == "__main__":
    main(sys.argv[1:])
