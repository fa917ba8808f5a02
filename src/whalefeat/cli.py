"""The ``whalefeat`` command line: extract features, evaluate, train and apply detectors.

::

    whalefeat extract CLIPS... -o features.npz [--features spectrogram|ce-curve|ce-series]
    whalefeat evaluate FOLDER [--labels labels.csv] [--model ce-inception] [--folds 5]
    whalefeat demo [--clips 300] [--model ce-inception]
    whalefeat train FOLDER --model hgb -o detector.joblib
    whalefeat predict detector.joblib CLIPS... -o scores.csv [--recursive]
    whalefeat scan detector.joblib RECORDINGS... -o selections.txt [--hop 0.5] [--threshold 0.5]

``python -m whalefeat`` is the same command. Every error is reported on one
line, ``whalefeat: error: ...``. Exit status: 0 on success, 1 when an input or
output is unusable (a missing path, an empty folder, a bad label file, a clip
that cannot be read, an output that exists or cannot be written), 2 for a
command-line usage error (an unknown subcommand, option or model name, an
option value out of range or options that do not fit together, a model whose
extra is not installed), 130 when interrupted (143 on SIGTERM). Outputs are
written atomically: to a temporary file beside the target, renamed over it
once complete, so an interrupted run leaves no partial file.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import os
import re
import signal
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import numpy as np

from ._evaluation import METRIC_TITLES, METRICS, TIMES

if TYPE_CHECKING:  # scikit-learn is imported when a command needs it
    from sklearn.pipeline import Pipeline

__all__ = ["main"]

PROG = "whalefeat"
AUDIO_SUFFIXES = (".aif", ".aiff", ".aifc", ".wav", ".flac")
#: the model of evaluate, demo and train unless --model says otherwise
DEFAULT_MODEL = "ce-inception"
#: epochs of the demo's network unless --epochs says otherwise: the demo stays short
DEMO_EPOCHS = 8
#: former model names, still accepted with a warning: the pipeline and settings they mean now
DEPRECATED_MODELS = {
    "inception-seed": ("ce-inception", {}),
    "inceptiontime": ("ce-inception", {"classifier__architecture": "inceptiontime"}),
}
#: options of evaluate, demo and train that set a parameter of every spectrogram of the model
_SPECTROGRAM_OVERRIDES = {
    "window_length": "--window-length",
    "hop_length": "--hop-length",
    "fmin": "--fmin",
    "fmax": "--fmax",
    "scaling": "--scaling",
    "contrast": "--contrast",
}
#: options that set a parameter of the model's classifier
_CLASSIFIER_OVERRIDES = {
    "epochs": "--epochs",
    "batch_size": "--batch-size",
    "image_size": "--image-size",
    "verbose": "--keras-verbose",
}
_SUFFIX_LABEL = re.compile(r"_[01]\.[A-Za-z0-9]+$")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143
#: samples of every clip the command reads: 2 s at 2000 Hz (AiffLoader's defaults)
CLIP_SAMPLES = 4000
#: command-line option of each estimator parameter, to name it in error messages
_OPTION_OF = {
    "window_length": "--window-length",
    "hop_length": "--hop-length",
    "fmin": "--fmin",
    "fmax": "--fmax",
    "dimension": "--dimension",
    "delay": "--delay",
    "q": "--q",
    "measure": "--measure",
    "window": "--ce-window",
    "hop": "--ce-hop",
    "n_jobs": "--jobs",
    "random_state": "--seed",
    "epochs": "--epochs",
    "batch_size": "--batch-size",
    "image_size": "--image-size",
}


class CommandError(Exception):
    """An unusable input: reported as ``whalefeat: error: <message>``, exit status 1."""


class UsageError(Exception):
    """Options that cannot work together: ``whalefeat: error: <message>``, exit status 2."""


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread so that temporary outputs are removed."""


# --------------------------------------------------------------------------------------
# Finding clips and labels


def _audio_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and path.suffix.lower() in AUDIO_SUFFIXES
    )


def _is_labelled_folder(folder: Path) -> bool:
    """True for the challenge's layouts: a train.csv, or clips named *_1.aif / *_0.aif."""
    if (folder / "train.csv").is_file():
        return True
    files = _audio_files(folder)
    if not files and (folder / "train").is_dir():
        files = _audio_files(folder / "train")
    return bool(files) and all(_SUFFIX_LABEL.search(path.name) for path in files)


def _load_labelled_folder(
    folder: Path, labels: Path | None = None
) -> tuple[np.ndarray, np.ndarray]:
    from .datasets import load_challenge

    try:
        paths, y = load_challenge(folder, labels)
    except (OSError, ValueError) as error:
        raise CommandError(str(error)) from None
    if len(paths) == 0:
        raise CommandError(f"no labelled clips found in {folder}")
    return np.asarray(paths), np.asarray(y)


def labelled_clips(folder: Path, labels: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """Paths and 0/1 labels of the clips to evaluate on.

    The label file (``--labels``, or the folder's ``train.csv``) is read by
    :func:`whalefeat.datasets.load_challenge`, with its rules.
    """
    if not folder.exists():
        raise CommandError(f"folder {folder} does not exist")
    if not folder.is_dir():
        raise CommandError(f"{folder} is not a folder")
    return _load_labelled_folder(folder, labels)


def clips_to_extract(inputs: Sequence[Path]) -> tuple[np.ndarray, np.ndarray | None]:
    """Paths (and labels, for one labelled folder) from folders, clip files and list files."""
    if len(inputs) == 1 and inputs[0].is_dir() and _is_labelled_folder(inputs[0]):
        return _load_labelled_folder(inputs[0])
    paths: list[str] = []
    for item in inputs:
        if not item.exists():
            raise CommandError(f"{item} does not exist")
        if item.is_dir():
            files = _audio_files(item)
            if not files:
                raise CommandError(
                    f"folder {item} holds no clips (looked for {', '.join(AUDIO_SUFFIXES)})"
                )
            paths += [str(path) for path in files]
        elif item.suffix.lower() in AUDIO_SUFFIXES:
            paths.append(str(item))
        elif item.suffix.lower() == ".txt":
            try:
                text = item.read_bytes().decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise CommandError(
                    f"list file {item} is not UTF-8 text (byte offset {error.start}); save "
                    "it as UTF-8"
                ) from None
            listed = [
                line.strip()
                for line in text.splitlines()
                if line.strip() and not line.lstrip().startswith("#")
            ]
            if not listed:
                raise CommandError(f"list file {item} names no clips")
            for name in listed:
                path = Path(name) if Path(name).is_absolute() else item.parent / name
                if not path.is_file():
                    raise CommandError(f"{path} (listed in {item}) does not exist")
                paths.append(str(path))
        else:
            raise CommandError(
                f"{item} is neither a folder, a clip ({', '.join(AUDIO_SUFFIXES)}) nor a "
                ".txt list of clips"
            )
    return np.asarray(paths), None


# --------------------------------------------------------------------------------------
# Pipelines


def _spectrogram(args: argparse.Namespace, *, flatten: bool = False):
    from .spectrogram import Spectrogram

    return Spectrogram(
        window_length=args.window_length,
        hop_length=args.hop_length,
        fmin=args.fmin,
        fmax=args.fmax,
        scaling=args.scaling,
        contrast=None if args.contrast == "none" else args.contrast,
        flatten=flatten,
        n_jobs=args.jobs,
    )


def feature_steps(args: argparse.Namespace, features: str) -> list:
    """The transformers after the loader that compute ``features``."""
    spectrogram = _spectrogram(args)
    if features == "spectrogram":
        return [spectrogram]
    from .complexity import ComplexityEntropyCurve

    curve = ComplexityEntropyCurve(
        dimension=args.dimension,
        delay=args.delay,
        measure=args.measure,
        q=args.q,
        ties=args.ties,
        random_state=args.seed,
        n_jobs=args.jobs,
    )
    if features == "ce-curve":
        return [curve]
    if args.series_from == "signal":
        curve.set_params(window=args.ce_window, hop=args.ce_hop)
        return [curve]
    return [spectrogram, curve]


def _model_name(args: argparse.Namespace) -> tuple[str, dict]:
    """The pipeline name ``--model`` means, and the settings a deprecated name implies."""
    if args.model in DEPRECATED_MODELS:
        name, settings = DEPRECATED_MODELS[args.model]
        return name, dict(settings)
    return args.model, {}


def _is_keras(estimator) -> bool:
    return type(estimator).__module__.startswith("whalefeat.models")


def _parse_setting(text: str) -> tuple[str, object]:
    import ast

    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UsageError(
            f"argument --set: expected KEY=VALUE (such as classifier__max_iter=50), got {text!r}"
        )
    try:
        return key, ast.literal_eval(value.strip())
    except (ValueError, SyntaxError):
        return key, value.strip()


def model_settings(args: argparse.Namespace) -> tuple[str, dict]:
    """The pipeline name and the ``set_params`` settings the options of a model command ask.

    Spectrogram options apply to every :class:`~whalefeat.Spectrogram` of the
    chosen pipeline (refused when it has none, or when its spectrograms differ
    in that setting); ``--epochs``, ``--batch-size``, ``--image-size`` and
    ``--keras-verbose`` to its classifier (refused when it has no such
    parameter); ``--jobs`` to every whalefeat step that takes ``n_jobs``;
    ``--set KEY=VALUE`` to any parameter.
    """
    from . import pipelines
    from .spectrogram import Spectrogram

    name, settings = _model_name(args)
    template = pipelines.get(name)
    params = template.get_params(deep=True)
    spectrograms = [key for key, value in params.items() if isinstance(value, Spectrogram)]
    for parameter, option in _SPECTROGRAM_OVERRIDES.items():
        if not hasattr(args, parameter):
            continue
        value = getattr(args, parameter)
        if parameter == "contrast" and value == "none":
            value = None
        if not spectrograms:
            raise UsageError(
                f"argument {option}: model {args.model} has no spectrogram to apply it to"
            )
        current = list(dict.fromkeys(repr(params[f"{key}__{parameter}"]) for key in spectrograms))
        if len(current) > 1:
            raise UsageError(
                f"argument {option}: the spectrograms of model {args.model} differ in "
                f"{parameter} ({', '.join(current)}); set each one with --set "
                f"{spectrograms[0]}__{parameter}=VALUE"
            )
        settings.update({f"{key}__{parameter}": value for key in spectrograms})
    classifier = template.steps[-1][1]
    for parameter, option in _CLASSIFIER_OVERRIDES.items():
        value = getattr(args, parameter, None)
        if value is None and parameter == "epochs" and args.command == "demo":
            value = DEMO_EPOCHS if f"classifier__{parameter}" in params else None
        if value is None:
            continue
        if f"classifier__{parameter}" not in params or (
            parameter == "verbose" and not _is_keras(classifier)
        ):
            raise UsageError(
                f"argument {option}: model {args.model} has no {parameter} (its "
                f"classifier is {type(classifier).__name__})"
            )
        settings[f"classifier__{parameter}"] = value
    if args.jobs is not None:
        settings.update(
            {
                key: args.jobs
                for key in params
                if key.endswith("__n_jobs")
                and type(params[key[: -len("__n_jobs")]]).__module__.startswith("whalefeat")
            }
        )
    if args.on_length != "error":
        settings["loader__on_length"] = args.on_length
    for text in args.set or ():
        key, value = _parse_setting(text)
        if key not in params:
            import difflib

            close = difflib.get_close_matches(key, list(params), n=3)
            hint = (
                f"; did you mean {', '.join(close)}?"
                if close
                else f"; its parameters are pipelines.get({name!r}).get_params()"
            )
            raise UsageError(f"argument --set: model {args.model} has no parameter {key!r}{hint}")
        settings[key] = value
    return name, settings


def build_pipeline(args: argparse.Namespace) -> Pipeline:
    """The model ``args.model`` from :mod:`whalefeat.pipelines`, with the options applied."""
    from . import pipelines

    name, settings = model_settings(args)
    try:
        return pipelines.get(name, random_state=args.seed, **settings)
    except (ValueError, TypeError) as error:
        raise UsageError(f"argument --set: {_one_line(error)}") from None


def _start_keras_quietly() -> None:
    """Import Keras and start its backend with the C++ start-up messages hidden.

    TensorFlow prints several lines on the standard error file descriptor when
    it loads and when it first looks for devices, whatever TF_CPP_MIN_LOG_LEVEL
    says; they are noise next to the report. A missing Keras is left for the
    estimators to report, with the extra to install.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            try:
                import keras

                keras.ops.zeros(1)
            except ImportError:
                pass
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    finally:
        os.close(saved)


# --------------------------------------------------------------------------------------
# Progress and tables


class Progress:
    """A plain-text progress bar on a stream (stderr by default)."""

    def __init__(
        self,
        total: int,
        label: str,
        *,
        stream: TextIO | None = None,
        enabled: bool = True,
        width: int = 30,
        unit: str = "clips",
    ) -> None:
        self.total = total
        self.unit = unit
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.width = width
        self.start = time.perf_counter()
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_tenth = -1

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        fraction = done / self.total if self.total else 1.0
        tenth = int(fraction * 10)
        if not self.interactive and tenth == self._last_tenth and done < self.total:
            return
        self._last_tenth = tenth
        elapsed = time.perf_counter() - self.start
        filled = int(round(fraction * self.width))
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"{self.label} [{bar}] {done:.0f}/{self.total:.0f} {self.unit}, {elapsed:.1f} s"
        if 0 < done < self.total:
            line += f", about {elapsed / done * (self.total - done):.0f} s left"
        if self.interactive:
            self.stream.write("\r" + line + ("\n" if done >= self.total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _say(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr, flush=True)


def format_report(report: dict) -> str:
    """A fixed-width table of the per-fold metrics, their mean and standard deviation."""
    columns = ["fold", *[METRIC_TITLES[m] for m in METRICS], "fit (s)", "predict (s)"]
    rows = []
    for fold in report["folds"]:
        rows.append(
            [
                str(fold["fold"]),
                *[f"{fold[m]:.3f}" for m in METRICS],
                f"{fold['fit_time_s']:.1f}",
                f"{fold['predict_time_s']:.2f}",
            ]
        )
    for statistic in ("mean", "std"):
        values = report[statistic]
        rows.append(
            [
                statistic,
                *[f"{values[m]:.3f}" for m in METRICS],
                f"{values['fit_time_s']:.1f}",
                f"{values['predict_time_s']:.2f}",
            ]
        )
    widths = [max(len(row[i]) for row in [columns, *rows]) for i in range(len(columns))]
    lines = [
        f"{report['model']} on {report['n_clips']} clips ({report['n_positive']} with an "
        f"up-call), {report['n_folds']}-fold stratified cross-validation, seed {report['seed']}",
        "  ".join(title.rjust(width) for title, width in zip(columns, widths, strict=True)),
    ]
    for number, row in enumerate(rows):
        if number == len(report["folds"]):
            lines.append("  ".join("-" * width for width in widths))
        lines.append("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Subcommands


def _write_output(target: Path, write, *, overwrite: bool) -> None:
    """Write ``target`` atomically through ``write(handle)``; OSError -> CommandError."""
    from ._atomic import atomic_write

    try:
        atomic_write(target, write, overwrite=overwrite)
    except FileExistsError as error:
        raise CommandError(f"{error.strerror}; pass --force to replace it") from None
    except OSError as error:
        raise CommandError(f"cannot write {target}: {_os_reason(error)}") from None


def _os_reason(error: OSError) -> str:
    if error.strerror:
        return error.strerror + (" (the disk is full)" if error.errno == errno.ENOSPC else "")
    return str(error)


def _check_writable(target: Path, args: argparse.Namespace) -> None:
    from ._atomic import check_writable

    try:
        check_writable(target, overwrite=args.force)
    except FileExistsError as error:
        raise CommandError(f"{error.strerror}; pass --force to replace it") from None
    except OSError as error:
        raise CommandError(f"cannot write {target}: {_os_reason(error)}") from None


def _save_features(
    path: Path, features: np.ndarray, paths: np.ndarray, labels, names, *, overwrite: bool = False
) -> None:
    suffix = path.suffix.lower()
    if suffix == ".npz":
        arrays = {
            "features": features,
            "paths": paths.astype(str),
            "feature_names": np.asarray(names, dtype=str),
        }
        if labels is not None:
            arrays["labels"] = labels
        # to an open file, numpy writes exactly this name (to a path it adds .npz)
        _write_output(
            path, lambda handle: np.savez_compressed(handle, **arrays), overwrite=overwrite
        )
        return
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise CommandError(
            f"writing {path.name} needs pyarrow (pip install pyarrow); or use a .npz file"
        ) from None
    flat = features.reshape(len(features), -1)
    flat_names = _flat_names(names, features.shape)
    table = {"path": pa.array(paths.astype(str))}
    if labels is not None:
        table["label"] = pa.array(labels)
    for column, name in enumerate(flat_names):
        table[name] = pa.array(flat[:, column])
    metadata = {b"whalefeat.feature_shape": json.dumps(list(features.shape[1:])).encode()}
    table = pa.table(table).replace_schema_metadata(metadata)
    _write_output(path, lambda handle: pq.write_table(table, handle), overwrite=overwrite)


def _flat_names(names, shape: tuple[int, ...]) -> list[str]:
    """One column name per value of a feature row, whatever the row's shape."""
    names = [str(name) for name in names]
    if len(shape) == 2 or len(names) == int(np.prod(shape[1:])):
        return names
    # (n, n_frames, n_features): the transformer names the features; number the frames
    return [f"frame{frame}:{name}" for frame in range(shape[1]) for name in names]


def _transform_naming_the_clip(pipeline, block: np.ndarray, *, fit: bool) -> np.ndarray:
    """Features of ``block``; a failure is reported with the clip that causes it."""
    from .io import AudioFileError

    step = pipeline.fit_transform if fit else pipeline.transform
    try:
        return step(block)
    except AudioFileError:
        raise
    except (ValueError, ArithmeticError) as error:
        for path in block:
            try:
                (pipeline.fit_transform if fit else pipeline.transform)(np.asarray([path]))
            except (ValueError, ArithmeticError) as single:
                raise CommandError(
                    f"{path}: its features cannot be computed ({_one_line(single)})"
                ) from None
        raise CommandError(
            f"the features of clips {block[0]} ... {block[-1]} cannot be computed "
            f"({_one_line(error)})"
        ) from None


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _check_features(args: argparse.Namespace, steps: list) -> None:
    """Run the feature steps on two synthetic clips: bad option values fail here, early.

    Constraints between options (fmin below fmax, a window no longer than a
    clip, patterns that fit the series) are the estimators' own; a dry run
    reports them before any clip is read, as usage errors.
    """
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline

    if not steps:
        return
    rng = np.random.default_rng(0)
    clips = rng.uniform(-0.5, 0.5, size=(2, CLIP_SAMPLES))
    try:
        make_pipeline(*[clone(step) for step in steps]).fit_transform(clips)
    except (ValueError, TypeError) as error:
        message = _one_line(error)
        found = sorted(
            (position, option)
            for parameter, option in _OPTION_OF.items()
            for position in [max(message.find(f"'{parameter}'"), message.find(f"{parameter}="))]
            if position >= 0
        )
        if found:
            options = [option for _, option in found]
            message = f"argument{'s' if len(options) > 1 else ''} {', '.join(options)}: {message}"
        raise UsageError(message) from None


def _check_options(args: argparse.Namespace) -> None:
    """Cross-option checks that argparse's per-option types cannot make."""
    if args.window_length > CLIP_SAMPLES:
        raise UsageError(
            f"argument --window-length: {args.window_length} samples is longer than a clip "
            f"({CLIP_SAMPLES} samples: 2 s at 2000 Hz)"
        )
    if args.fmin is not None and args.fmax is not None and not args.fmin < args.fmax:
        raise UsageError(
            f"argument --fmin: {args.fmin:g} Hz must lie below --fmax ({args.fmax:g} Hz)"
        )
    if args.fmax is not None and args.fmax > 1000.0:
        raise UsageError(
            f"argument --fmax: {args.fmax:g} Hz lies above the Nyquist "
            "frequency of the clips (1000 Hz at 2000 Hz)"
        )
    if args.q is not None and args.measure == "shannon":
        raise UsageError("argument --q: q values apply to --measure tsallis or renyi, not shannon")


def command_extract(args: argparse.Namespace) -> int:
    output = args.output
    if output.suffix.lower() not in (".npz", ".parquet"):
        raise CommandError(f"output {output} must end in .npz or .parquet")
    _check_options(args)
    from sklearn.pipeline import make_pipeline

    from .io import AiffLoader

    steps = feature_steps(args, args.features)
    _check_features(args, steps)
    _check_writable(output, args)
    paths, labels = clips_to_extract(args.inputs)
    pipeline = make_pipeline(AiffLoader(on_length=args.on_length, n_jobs=args.jobs), *steps)
    _say(args, f"extracting {args.features} features from {len(paths)} clips")
    progress = Progress(len(paths), "extract", enabled=not args.quiet)
    progress.update(0)
    blocks = []
    starts = list(range(0, len(paths), args.batch))
    with _Engine(args) as n_jobs:
        # the first block fits the (stateless) steps; the others only transform, so on a
        # cluster they run in parallel with the serial result
        first = paths[: args.batch]
        blocks.append(_transform_naming_the_clip(pipeline, first, fit=True))
        progress.update(len(first))
        rest = [paths[start : start + args.batch] for start in starts[1:]]
        if n_jobs == -1 and _dask_requested(args):
            from joblib import Parallel, delayed

            results = Parallel(n_jobs=-1, return_as="generator")(
                delayed(_transform_naming_the_clip)(pipeline, block, fit=False) for block in rest
            )
        else:
            results = (_transform_naming_the_clip(pipeline, block, fit=False) for block in rest)
        done = len(first)
        for block, features in zip(rest, results, strict=True):
            blocks.append(features)
            done += len(block)
            progress.update(done)
    features = np.concatenate(blocks)
    names = pipeline[-1].get_feature_names_out()
    _save_features(output, features, paths, labels, names, overwrite=args.force)
    _say(args, f"wrote features of shape {features.shape} to {output}")
    return EXIT_OK


def cross_validate(
    pipeline: Pipeline,
    paths: np.ndarray,
    y: np.ndarray,
    *,
    n_folds: int,
    seed: int,
    say: Callable[[str], None] = lambda message: None,
) -> list[dict]:
    """Fit and score ``pipeline`` on each stratified fold; one dict of metrics per fold."""
    from ._evaluation import cross_validate as run_folds

    def progress(rows: list[dict]) -> None:
        row = rows[0]
        say(
            f"fold {row['fold']}/{n_folds}: ROC AUC {row['roc_auc']:.3f}, accuracy "
            f"{row['accuracy']:.3f} (fit {row['fit_time_s']:.1f} s)"
        )

    result = run_folds(pipeline, paths, y, n_folds=n_folds, seed=seed, on_fold=progress)
    return [
        {key: value for key, value in row.items() if key != "condition"} for row in result.rows
    ]


def run_evaluation(args: argparse.Namespace, paths: np.ndarray, y: np.ndarray, data: str) -> int:
    """Cross-validate ``args.model`` on the clips, print the report, optionally save."""
    counts = np.bincount(y, minlength=2)
    if len(np.unique(y)) != 2:
        raise CommandError(f"{data}: evaluation needs clips of both classes; all are {y[0]}")
    if counts.min() < args.folds:
        raise CommandError(
            f"{data}: {args.folds}-fold cross-validation needs at least {args.folds} clips of "
            f"each class; found {counts[1]} with an up-call and {counts[0]} without"
        )
    name, settings = model_settings(args)
    pipeline = _pipeline_or_usage_error(args)
    if _is_keras(pipeline.steps[-1][1]) and not getattr(args, "verbose", None):
        _start_keras_quietly()
    _say(args, f"evaluating {name} on {len(y)} clips from {data}")
    folds = cross_validate(
        pipeline,
        paths,
        y,
        n_folds=args.folds,
        seed=args.seed,
        say=lambda message: _say(args, message),
    )
    from ._evaluation import environment as capture_environment
    from ._evaluation import summarise
    from .pipelines import describe

    keys = [*METRICS, *TIMES]
    summary = summarise(folds, by=())[0]
    environment = capture_environment()
    report = {
        "model": name,
        "description": describe(name),
        "settings": {key: _jsonable(value) for key, value in settings.items()},
        "pipeline": [type(step).__name__ for _, step in pipeline.steps],
        "data": data,
        "n_clips": int(len(y)),
        "n_positive": int(counts[1]),
        "n_folds": args.folds,
        "seed": args.seed,
        "folds": folds,
        "mean": {key: summary[f"{key}_mean"] for key in keys},
        "std": {key: summary[f"{key}_std"] for key in keys},
        "versions": environment["versions"],
        "machine": {key: value for key, value in environment.items() if key != "versions"},
    }
    if args.save is not None:
        _say(args, f"fitting {name} on all {len(y)} clips to save it")
        fitted = build_pipeline(args).fit(paths, y)
        _save_model(args, fitted, args.save, name, settings, y, data)
        report["saved"] = str(args.save)
        _say(args, f"saved the fitted pipeline to {args.save}")
    if args.json == "-":
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report))
        if args.json is not None:
            text = (json.dumps(report, indent=2) + "\n").encode("utf-8")
            _write_output(Path(args.json), lambda handle: handle.write(text), overwrite=args.force)
            _say(args, f"wrote the report to {args.json}")
    return EXIT_OK


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return repr(value)


def _pipeline_or_usage_error(args: argparse.Namespace):
    """``build_pipeline(args)``; a model whose extra is missing is a usage error."""
    try:
        return build_pipeline(args)
    except ImportError as error:
        raise UsageError(
            f"argument --model: {args.model} cannot be used: {_one_line(error)}"
        ) from None


def _check_model_options(args: argparse.Namespace) -> None:
    """Cross-option checks of the spectrogram overrides that the estimators leave to us."""
    window = getattr(args, "window_length", None)
    if window is not None and window > CLIP_SAMPLES:
        raise UsageError(
            f"argument --window-length: {window} samples is longer than a clip "
            f"({CLIP_SAMPLES} samples: 2 s at 2000 Hz)"
        )
    fmin, fmax = getattr(args, "fmin", None), getattr(args, "fmax", None)
    if fmin is not None and fmax is not None and not fmin < fmax:
        raise UsageError(f"argument --fmin: {fmin:g} Hz must lie below --fmax ({fmax:g} Hz)")
    if fmax is not None and fmax > 1000.0:
        raise UsageError(
            f"argument --fmax: {fmax:g} Hz lies above the Nyquist "
            "frequency of the clips (1000 Hz at 2000 Hz)"
        )


def _check_parameters(pipeline) -> None:
    """Validate every step's parameters as fit would: a bad --set is a usage error now."""
    from ._compat import InvalidParameterError

    estimators = [step for _, step in pipeline.steps] + [
        value
        for value in pipeline.get_params(deep=True).values()
        if hasattr(value, "get_params") and not isinstance(value, type)
    ]
    for step in estimators:
        if not hasattr(step, "_parameter_constraints") or not hasattr(step, "_validate_params"):
            continue
        try:
            step._validate_params()
        except InvalidParameterError as error:
            raise UsageError(f"argument --set: {_one_line(error)}") from None


def _warn_deprecated_model(args: argparse.Namespace) -> None:
    if args.model in DEPRECATED_MODELS:
        name, settings = DEPRECATED_MODELS[args.model]
        extra = "".join(f" --set {key}={value}" for key, value in settings.items())
        print(
            f"{PROG}: warning: --model {args.model} is deprecated; it runs --model {name}{extra}",
            file=sys.stderr,
        )


def _check_outputs(args: argparse.Namespace) -> None:
    """Check options, outputs and the model before any clip is read or written."""
    _warn_deprecated_model(args)
    _check_model_options(args)
    pipeline = _pipeline_or_usage_error(args)
    _check_parameters(pipeline)
    _check_features(args, list(pipeline[1:-1]))
    targets = [
        getattr(args, "save", None) or getattr(args, "output", None),
        None if getattr(args, "json", None) in (None, "-") else Path(args.json),
    ]
    if (
        all(target is not None for target in targets)
        and Path(targets[0]).resolve() == Path(targets[1]).resolve()
    ):
        raise UsageError(f"--save and --json name the same file {targets[0]}")
    for target in targets:
        if target is not None:
            _check_writable(Path(target), args)


def command_evaluate(args: argparse.Namespace) -> int:
    _check_outputs(args)
    paths, y = labelled_clips(args.folder, args.labels)
    return run_evaluation(args, paths, y, str(args.folder))


def command_demo(args: argparse.Namespace) -> int:
    from .datasets import make_clips, write_clips

    _check_outputs(args)
    if args.clips < 2 * args.folds:
        raise CommandError(
            f"--clips {args.clips} is too few for {args.folds} folds: give at least "
            f"{2 * args.folds}"
        )
    keep = args.keep
    if keep is not None:
        if keep.exists() and not keep.is_dir():
            raise CommandError(f"--keep {keep} exists and is not a folder")
        if keep.is_dir() and any(keep.iterdir()) and not args.force:
            raise CommandError(
                f"--keep folder {keep} already exists and is not empty; pass "
                "--force to write the clips over its files"
            )
    X, y = make_clips(args.clips, snr_db=args.snr_db, random_state=args.seed)
    with tempfile.TemporaryDirectory(prefix="whalefeat-demo-") as temporary:
        folder = Path(keep) if keep is not None else Path(temporary)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_clips(X, folder, y=y, overwrite=args.force)
        except OSError as error:
            raise CommandError(
                f"cannot write the clips to {folder}: {_os_reason(error)}"
            ) from None
        _say(
            args,
            f"wrote {len(y)} synthetic clips ({int(np.sum(y))} with an up-call, "
            f"SNR {args.snr_db:g} dB) as AIFF files to {folder}",
        )
        paths, labels = labelled_clips(folder, None)
        return run_evaluation(args, paths, labels, str(folder))


def _save_model(
    args: argparse.Namespace,
    fitted,
    target: Path,
    name: str,
    settings: dict,
    y: np.ndarray,
    data: str,
) -> None:
    from .detect import save_model

    try:
        save_model(
            fitted,
            target,
            name=name,
            overwrite=args.force,
            settings={key: _jsonable(value) for key, value in settings.items()},
            seed=args.seed,
            data=data,
            n_clips=int(len(y)),
            n_positive=int(np.sum(y == 1)),
        )
    except FileExistsError as error:
        raise CommandError(f"{error.strerror}; pass --force to replace it") from None
    except OSError as error:
        raise CommandError(f"cannot write {target}: {_os_reason(error)}") from None


def command_train(args: argparse.Namespace) -> int:
    _check_outputs(args)
    paths, y = labelled_clips(args.folder, args.labels)
    if len(np.unique(y)) != 2:
        raise CommandError(f"{args.folder}: training needs clips of both classes; all are {y[0]}")
    name, settings = model_settings(args)
    pipeline = _pipeline_or_usage_error(args)
    if _is_keras(pipeline.steps[-1][1]) and not getattr(args, "verbose", None):
        _start_keras_quietly()
    _say(
        args,
        f"fitting {name} on {len(y)} clips ({int(np.sum(y))} with an up-call) from {args.folder}",
    )
    start = time.perf_counter()
    pipeline.fit(paths, y)
    _save_model(args, pipeline, args.output, name, settings, y, str(args.folder))
    _say(
        args,
        f"saved the fitted {name} pipeline to {args.output} ({time.perf_counter() - start:.1f} s)",
    )
    return EXIT_OK


def _load_model(args: argparse.Namespace, *, step_jobs: bool = True):
    """The saved detector; its warnings as one line each, problems as input errors."""
    import pickle
    import warnings

    from .detect import load_model

    path = args.model_file
    if not path.is_file():
        raise CommandError(
            f"model file {path} does not exist"
            if not path.exists()
            else f"model file {path} is not a file"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = load_model(path)
        except (
            pickle.UnpicklingError,
            EOFError,
            TypeError,
            ValueError,
            KeyError,
            AttributeError,
            ImportError,
            IndexError,
        ) as error:
            raise CommandError(
                f"{path} is not a saved whalefeat model ({_one_line(error)})"
            ) from None
    for warning in caught:
        if issubclass(warning.category, (UserWarning, FutureWarning)):
            print(f"{PROG}: warning: {_one_line(warning.message)}", file=sys.stderr)
    if step_jobs and args.jobs is not None and hasattr(model, "get_params"):
        params = model.get_params(deep=True)
        model.set_params(
            **{
                key: args.jobs
                for key in params
                if key.endswith("__n_jobs")
                and type(params[key[: -len("__n_jobs")]]).__module__.startswith("whalefeat")
            }
        )
    return model


def _files_in(inputs: Sequence[Path], *, recursive: bool, what: str) -> list[str]:
    """Audio files named, in folders (and their subfolders with --recursive), or listed."""
    paths: list[str] = []
    for item in inputs:
        if item.is_dir():
            found = (
                sorted(
                    p
                    for p in item.rglob("*")
                    if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
                )
                if recursive
                else _audio_files(item)
            )
            if not found:
                raise CommandError(
                    f"folder {item} holds no {what} (looked for "
                    f"{', '.join(AUDIO_SUFFIXES)}{' in it and its subfolders' * recursive}"
                    f"{'' if recursive else '; --recursive looks in subfolders'})"
                )
            paths += [str(path) for path in found]
        elif item.suffix.lower() == ".txt" and item.is_file():
            paths += [str(path) for path in clips_to_extract([item])[0]]
        elif not item.exists():
            raise CommandError(f"{item} does not exist")
        else:
            paths.append(str(item))
    return paths


#: how long --scheduler waits for the scheduler to answer
_SCHEDULER_TIMEOUT = "20s"


def _dask_requested(args: argparse.Namespace) -> bool:
    return (
        getattr(args, "scheduler", None) is not None
        or getattr(args, "dask_workers", None) is not None
    )


class _Engine:
    """Where the parallel work runs: joblib's default, or a Dask cluster (--scheduler,
    --dask-workers) through joblib's dask backend."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.client = self.cluster = None
        self.context = None

    def __enter__(self):
        args = self.args
        address, workers = getattr(args, "scheduler", None), getattr(args, "dask_workers", None)
        if address is None and workers is None:
            return args.jobs
        try:
            import joblib
            from distributed import Client, LocalCluster
        except ImportError:
            raise UsageError(
                "--scheduler and --dask-workers need dask.distributed: pip "
                "install 'dask[distributed]'"
            ) from None
        if workers is not None:
            _say(args, f"starting a local Dask cluster of {workers} worker{'s' * (workers != 1)}")
            self.cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, dashboard_address=None
            )
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(address, timeout=_SCHEDULER_TIMEOUT)
            except (OSError, TimeoutError, ValueError) as error:
                raise CommandError(
                    f"cannot reach the Dask scheduler at {address}: {_one_line(error)}"
                ) from None
        self.context = joblib.parallel_config(backend="dask")
        self.context.__enter__()
        return -1

    def __exit__(self, *exc) -> None:
        if self.context is not None:
            self.context.__exit__(*exc)
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _predict_block(model, block):
    from ._evaluation import positive_scores

    return positive_scores(model, block)


def command_predict(args: argparse.Namespace) -> int:
    output = args.output
    if output.suffix.lower() != ".csv":
        raise CommandError(f"output {output} must end in .csv")
    _check_writable(output, args)
    model = _load_model(args)
    paths = np.asarray(_files_in(args.inputs, recursive=args.recursive, what="clips"))
    if args.on_length != "error" and "loader__on_length" in model.get_params():
        model.set_params(loader__on_length=args.on_length)
    _say(args, f"scoring {len(paths)} clips with {args.model_file}")
    progress = Progress(len(paths), "predict", enabled=not args.quiet)
    progress.update(0)
    blocks = [paths[start : start + args.batch] for start in range(0, len(paths), args.batch)]
    scores, labels = [], []
    with _Engine(args) as n_jobs:
        if n_jobs in (None, 1):
            results = (_predict_block(model, block) for block in blocks)
        else:
            from joblib import Parallel, delayed

            results = Parallel(n_jobs=n_jobs, return_as="generator")(
                delayed(_predict_block)(model, block) for block in blocks
            )
        done = 0
        for block, (score, predicted) in zip(blocks, results, strict=True):
            scores.append(score)
            labels.append(predicted)
            done += len(block)
            progress.update(done)
    score, predicted = np.concatenate(scores), np.concatenate(labels)
    rows = ["path,score,prediction"] + [
        f"{_csv_field(path)},{value!r},{label}"
        for path, value, label in zip(paths, score.tolist(), predicted.tolist(), strict=True)
    ]
    data = ("\n".join(rows) + "\n").encode("utf-8")
    _write_output(output, lambda handle: handle.write(data), overwrite=args.force)
    _say(args, f"wrote the scores of {len(paths)} clips to {output}")
    return EXIT_OK


def _csv_field(text: str) -> str:
    if any(character in text for character in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def command_scan(args: argparse.Namespace) -> int:
    from .detect import _pandas, _whole_samples, events, scan, write_selections

    try:
        _pandas()
    except ImportError as error:
        raise UsageError(_one_line(error)) from None

    output = args.output
    if args.band is not None and not args.band[0] < args.band[1]:
        raise UsageError(
            f"argument --band: {args.band[0]:g} Hz must lie below {args.band[1]:g} Hz"
        )
    targets = [output] + ([args.windows] if args.windows is not None else [])
    if args.windows is not None and output.resolve() == args.windows.resolve():
        raise UsageError(f"-o and --windows name the same file {output}")
    for target in targets:
        _check_writable(target, args)
    model = _load_model(args, step_jobs=False)  # --jobs: recordings at once
    loader = model.steps[0][1] if hasattr(model, "steps") else None
    rate = getattr(loader, "sample_rate", None)
    if rate is None:
        raise CommandError(
            f"{args.model_file} holds a detector without a loader, so its clip "
            "rate and length are unknown; save a pipeline of "
            "whalefeat.pipelines"
        )
    try:
        _whole_samples(args.hop, rate, "hop")
    except ValueError as error:
        raise UsageError(f"argument --hop: {_one_line(error)}") from None
    recordings = _files_in(args.inputs, recursive=args.recursive, what="recordings")
    band = args.band if args.band is not None else _detector_band(model)
    progress = None
    bar = None
    with _Engine(args) as n_jobs:
        if not args.quiet:
            import soundfile as sf

            try:
                total = sum(sf.info(path).duration for path in recordings)
            except (sf.LibsndfileError, RuntimeError):
                total = 0.0
            bar = Progress(total, "scan", enabled=not args.quiet, unit="s of audio")
            bar.update(0)
            progress = lambda done, total: bar.update(done)  # noqa: E731
        _say(
            args,
            f"scanning {len(recordings)} recording{'s' * (len(recordings) != 1)} "
            f"with {args.model_file} (hop {args.hop:g} s)",
        )
        try:
            windows = scan(
                model,
                recordings,
                hop=args.hop,
                channel=args.channel,
                partial=args.partial,
                batch_size=args.batch,
                n_jobs=n_jobs,
                progress=progress,
            )
        except ValueError as error:
            from .io import AudioFileError

            if isinstance(error, AudioFileError):
                raise
            raise CommandError(_one_line(error)) from None
    found = events(
        windows, threshold=args.threshold, min_gap=args.min_gap, min_duration=args.min_duration
    )
    if args.windows is not None:
        try:
            write_selections(windows, args.windows, kind="csv", overwrite=args.force)
        except OSError as error:
            raise CommandError(f"cannot write {args.windows}: {_os_reason(error)}") from None
    try:
        write_selections(found, output, low_freq=band[0], high_freq=band[1], overwrite=args.force)
    except FileExistsError as error:
        raise CommandError(f"{error.strerror}; pass --force to replace it") from None
    except OSError as error:
        raise CommandError(f"cannot write {output}: {_os_reason(error)}") from None
    _say(args, f"found {len(found)} events in {len(windows)} windows; wrote them to {output}")
    return EXIT_OK


def _detector_band(model) -> tuple[float, float]:
    """The band the detector's spectrograms keep, for the selection boxes (else 50-250 Hz)."""
    from .spectrogram import Spectrogram

    if not hasattr(model, "get_params"):
        return (50.0, 250.0)
    params = model.get_params(deep=True)
    lows, highs = [], []
    for key, value in params.items():
        if isinstance(value, Spectrogram):
            lows.append(params.get(f"{key}__fmin"))
            highs.append(params.get(f"{key}__fmax"))
    if lows and None not in lows and None not in highs:
        return (float(min(lows)), float(max(highs)))
    return (50.0, 250.0)


# --------------------------------------------------------------------------------------
# Argument parsing


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _folds(text: str) -> int:
    value = _positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"cross-validation needs at least 2 folds, got {value}")
    return value


def _q_values(text: str) -> list[float]:
    try:
        values = [float(item) for item in text.split(",") if item.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers such as 0.5,1,2, got {text!r}"
        ) from None
    if not values:
        raise argparse.ArgumentTypeError("expected at least one q value")
    bad = [value for value in values if not (math.isfinite(value) and value > 0)]
    if bad:
        raise argparse.ArgumentTypeError(
            f"q values must be positive and finite, got {', '.join(map(str, bad))}"
        )
    return values


def _none_or_frequency(text: str) -> float | None:
    if text.lower() == "none":
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a frequency in Hz or 'none', got {text!r}"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(
            f"expected a finite, non-negative frequency in Hz or 'none', got {text!r}"
        )
    return value


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError(
            "expected a positive number of jobs, or a negative one (-1: all cores), not 0"
        )
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {value}")
    return value


class _Parser(argparse.ArgumentParser):
    """Reports a usage error on one line, ``whalefeat: error: ...``, with exit status 2."""

    def error(self, message: str) -> None:
        command = self.prog[len(PROG) :].strip()
        hint = f"; see '{self.prog} --help'" if command else f"; see '{PROG} --help'"
        self.exit(EXIT_USAGE, f"{PROG}: error: {' '.join(message.split())}{hint}\n")


class _Formatter(argparse.HelpFormatter):
    """Wraps each paragraph on its own, keeps indented lines, shows meaningful defaults."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.split("\n\n"):
            if any(line.startswith("  ") for line in paragraph.splitlines()):
                paragraphs.append(textwrap.indent(paragraph, indent))
            else:
                paragraphs.append(
                    textwrap.fill(
                        " ".join(paragraph.split()),
                        width,
                        initial_indent=indent,
                        subsequent_indent=indent,
                    )
                )
        return "\n\n".join(paragraphs)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default not in (None, False, argparse.SUPPRESS) and "%(default)" not in text:
            text += " (default: %(default)s)"
        return text


def _models_text() -> str:
    from . import pipelines

    names = pipelines.available()
    width = max(len(name) for name in (*names, *DEPRECATED_MODELS))
    lines = ["models (whalefeat.pipelines):"]
    for name in names:
        wrapped = textwrap.wrap(pipelines.describe(name), 76 - width - 4)
        lines.append(f"  {name:<{width}}  {wrapped[0]}")
        lines += [f"  {'':<{width}}  {line}" for line in wrapped[1:]]
    lines.append("deprecated names:")
    for old, (name, settings) in DEPRECATED_MODELS.items():
        extra = "".join(f" --set {key}={value}" for key, value in settings.items())
        lines.append(f"  {old:<{width}}  {name}{extra}")
    return "\n".join(lines)


def _feature_options(parser: argparse.ArgumentParser, *, series_default: str) -> None:
    group = parser.add_argument_group("spectrogram")
    group.add_argument(
        "--window-length", type=_positive_int, default=256, metavar="N", help="samples per frame"
    )
    group.add_argument(
        "--hop-length", type=_positive_int, default=32, metavar="N", help="samples between frames"
    )
    group.add_argument(
        "--fmin",
        type=_none_or_frequency,
        default=40.0,
        metavar="HZ",
        help="lowest frequency kept, Hz ('none': from 0 Hz)",
    )
    group.add_argument(
        "--fmax",
        type=_none_or_frequency,
        default=400.0,
        metavar="HZ",
        help="highest frequency kept, Hz ('none': up to Nyquist)",
    )
    group.add_argument(
        "--scaling",
        choices=["db", "power", "magnitude", "log"],
        default="db",
        help="value of each cell",
    )
    group.add_argument(
        "--contrast",
        choices=["row", "frame", "both", "none"],
        default="row",
        help="contrast normalisation per frequency row, frame, or both",
    )
    group = parser.add_argument_group("complexity-entropy")
    group.add_argument(
        "--dimension",
        type=_positive_int,
        default=4,
        metavar="D",
        help="embedding dimension d of the ordinal patterns",
    )
    group.add_argument(
        "--delay", type=_positive_int, default=1, metavar="TAU", help="embedding delay"
    )
    group.add_argument(
        "--measure",
        choices=["shannon", "tsallis", "renyi"],
        default="shannon",
        help="the (H, C) pair, or a Tsallis or Renyi curve over --q",
    )
    group.add_argument(
        "--q",
        type=_q_values,
        default=None,
        metavar="Q[,Q...]",
        help="comma-separated q (or alpha) values of a curve; default: the "
        "library's log-spaced grid",
    )
    group.add_argument(
        "--ties",
        choices=["stable", "jitter"],
        default="stable",
        help="how equal values in a window are ranked",
    )
    group.add_argument(
        "--series-from",
        choices=["spectrogram", "signal"],
        default=series_default,
        help="CE series: one vector per spectrogram frame (along frequency), or "
        "per sliding window of the raw signal",
    )
    group.add_argument(
        "--ce-window",
        type=_positive_int,
        default=256,
        metavar="N",
        help="window length in samples for --series-from signal",
    )
    group.add_argument(
        "--ce-hop",
        type=_positive_int,
        default=32,
        metavar="N",
        help="hop in samples for --series-from signal",
    )


def _dask_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "Dask",
        "Run the work on a Dask cluster, through joblib's dask backend (needs "
        "'dask[distributed]'); the results are those of a serial run.",
    )
    where = group.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="address of a running Dask scheduler, such as tcp://10.0.0.5:8786",
    )
    where.add_argument(
        "--dask-workers",
        type=_positive_int,
        default=None,
        metavar="N",
        help="start a local Dask cluster of N worker processes",
    )


def _positive_float(text: str) -> float:
    value = _finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    value = _finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of at least 0, got {text!r}")
    return value


def _probability(text: str) -> float:
    value = _finite_float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}")
    return value


def _common_options(
    parser: argparse.ArgumentParser,
    *,
    seed: bool = True,
    on_length: bool = True,
    jobs: str = "loading and features",
) -> None:
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help=f"parallel jobs for {jobs} (-1: all cores; not 0)",
    )
    if seed:
        parser.add_argument(
            "--seed",
            type=_seed,
            default=0,
            metavar="N",
            help="random seed, at least 0 (folds, networks, tie jitter, synthetic clips)",
        )
    if on_length:
        parser.add_argument(
            "--on-length",
            choices=["error", "pad", "crop", "pad_or_crop"],
            default="error",
            help="what to do with a clip that is not 2 s long: refuse it, "
            "zero-pad a shorter one, crop a longer one, or both",
        )
    parser.add_argument(
        "-f",
        "--force",
        "--overwrite",
        action="store_true",
        help="replace output files that exist (and, for demo --keep, clips)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print only the result (no progress on stderr)"
    )


def _model_options(parser: argparse.ArgumentParser, *, demo: bool = False) -> None:
    from . import pipelines

    group = parser.add_argument_group(
        "model",
        "The model is one of whalefeat.pipelines, with its own settings; the "
        "options below change them (an option that does not apply to the chosen "
        "model is a usage error).",
    )
    group.add_argument(
        "--model",
        choices=[*pipelines.available(), *DEPRECATED_MODELS],
        default=DEFAULT_MODEL,
        metavar="NAME",
        help="the pipeline, one of the models listed below",
    )
    group.add_argument(
        "--set",
        action="append",
        default=None,
        metavar="KEY=VALUE",
        help="set any parameter of the pipeline, as set_params takes it "
        "(such as classifier__max_iter=50 or "
        "spectrogram__n_fft=512); repeatable; VALUE is a Python literal "
        "or a string",
    )
    epochs = (
        f"training epochs of a network (default: {DEMO_EPOCHS} for the demo)"
        if demo
        else "training epochs of a network (default: the pipeline's)"
    )
    group.add_argument("--epochs", type=_positive_int, default=None, metavar="N", help=epochs)
    group.add_argument(
        "--batch-size",
        type=_positive_int,
        default=None,
        metavar="N",
        help="training batch size of a network (default: the pipeline's)",
    )
    group.add_argument(
        "--image-size",
        type=_positive_int,
        default=None,
        metavar="PX",
        help="side of the square image Xception sees, at least 71 (default: the pipeline's)",
    )
    group.add_argument(
        "--keras-verbose",
        dest="verbose",
        type=int,
        choices=[0, 1, 2],
        default=None,
        metavar="{0,1,2}",
        help="Keras's own training output",
    )
    group = parser.add_argument_group(
        "spectrogram overrides",
        "Each sets that parameter of every spectrogram of the "
        "model; unset, the pipeline's own values apply.",
    )
    group.add_argument(
        "--window-length",
        type=_positive_int,
        default=argparse.SUPPRESS,
        metavar="N",
        help="samples per frame",
    )
    group.add_argument(
        "--hop-length",
        type=_positive_int,
        default=argparse.SUPPRESS,
        metavar="N",
        help="samples between frames",
    )
    group.add_argument(
        "--fmin",
        type=_none_or_frequency,
        default=argparse.SUPPRESS,
        metavar="HZ",
        help="lowest frequency kept, Hz ('none': from 0 Hz)",
    )
    group.add_argument(
        "--fmax",
        type=_none_or_frequency,
        default=argparse.SUPPRESS,
        metavar="HZ",
        help="highest frequency kept, Hz ('none': up to Nyquist)",
    )
    group.add_argument(
        "--scaling",
        choices=["db", "power", "magnitude", "log"],
        default=argparse.SUPPRESS,
        help="value of each cell",
    )
    group.add_argument(
        "--contrast",
        choices=["row", "frame", "both", "median", "none"],
        default=argparse.SUPPRESS,
        help="contrast normalisation per frequency row, frame, both, or none",
    )


def _evaluation_options(
    parser: argparse.ArgumentParser, *, default_folds: int, demo: bool = False
) -> None:
    _model_options(parser, demo=demo)
    group = parser.add_argument_group("cross-validation and output")
    group.add_argument(
        "--folds",
        type=_folds,
        default=default_folds,
        metavar="K",
        help="number of stratified folds",
    )
    group.add_argument(
        "--json",
        nargs="?",
        const="-",
        default=None,
        metavar="PATH",
        help="write the report as JSON to PATH; alone, print JSON instead of the table",
    )
    group.add_argument(
        "--save",
        type=Path,
        default=None,
        metavar="PATH",
        help="after cross-validation, fit the pipeline on all clips and save "
        "it to PATH (as 'whalefeat train' does)",
    )


_EXIT_TEXT = (
    "Exit status: 0 success, 1 unusable input (a missing path, an empty folder, bad labels, "
    "an unreadable clip), 2 usage error, 130 interrupted."
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``whalefeat`` command."""
    from . import __version__

    parser = _Parser(
        prog=PROG,
        description=(
            "Detect North Atlantic right whale up-calls in 2-s audio clips: extract "
            "spectrogram and complexity-entropy features, and cross-validate detectors."
        ),
        epilog=("Run 'whalefeat COMMAND --help' for the options of a command.\n\n" + _EXIT_TEXT),
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    extract = commands.add_parser(
        "extract",
        formatter_class=_Formatter,
        help="compute features of clips and write them to a .npz or .parquet file",
        description=(
            "Compute features of clips and write them to a file.\n\n"
            "INPUT is a folder of clips (.aif, .aiff, .wav, .flac), a clip file, or a .txt "
            "file listing one clip path per line. A single folder in the challenge's layout "
            "(train.csv, or names ending in _1.aif/_0.aif) also stores the labels.\n\n"
            "The .npz file holds 'features', 'paths', 'feature_names' (and 'labels'); the "
            ".parquet file (needs pyarrow) one row per clip with a path column and one "
            "column per feature value."
        ),
        epilog=_EXIT_TEXT,
    )
    extract.add_argument(
        "inputs", nargs="+", type=Path, metavar="INPUT", help="folder, clip or .txt list of clips"
    )
    extract.add_argument(
        "-o", "--output", type=Path, required=True, help="output file, .npz or .parquet"
    )
    extract.add_argument(
        "--features",
        choices=["spectrogram", "ce-curve", "ce-series"],
        default="ce-series",
        help="spectrogram (n, freqs, frames); ce-curve: one complexity-entropy "
        "vector per clip (n, K); ce-series: one per frame (n, frames, K)",
    )
    extract.add_argument(
        "--batch",
        type=_positive_int,
        default=256,
        metavar="N",
        help="clips per step of the progress bar",
    )
    _feature_options(extract, series_default="spectrogram")
    _dask_options(extract)
    _common_options(extract)
    extract.set_defaults(handler=command_extract)

    evaluate = commands.add_parser(
        "evaluate",
        formatter_class=_Formatter,
        help="cross-validate a detection pipeline on a labelled folder of clips",
        description=(
            "Cross-validate a detection pipeline on labelled clips and report ROC AUC, "
            "accuracy, F1, recall and precision for each fold, with their mean and "
            "standard deviation.\n\n"
            "FOLDER is in the challenge's layout (a train.csv of clip_name,label next to "
            "the clips, or clip names ending in _1.aif/_0.aif), or any folder of clips with "
            "a label file given by --labels (columns clip_name or path, and label 0/1; "
            "relative names are taken inside FOLDER)."
        ),
        epilog=_models_text() + "\n\n" + _EXIT_TEXT,
    )
    evaluate.add_argument("folder", type=Path, metavar="FOLDER", help="folder of clips")
    evaluate.add_argument(
        "--labels",
        type=Path,
        default=None,
        metavar="CSV",
        help="label file, when FOLDER is not in the challenge's layout",
    )
    _evaluation_options(evaluate, default_folds=5)
    _common_options(evaluate)
    evaluate.set_defaults(handler=command_evaluate)

    demo = commands.add_parser(
        "demo",
        formatter_class=_Formatter,
        help="synthesise labelled clips as AIFF files and evaluate a pipeline on them",
        description=(
            "Synthesise labelled up-call and noise clips, write them as AIFF files in the "
            "challenge's layout to a temporary folder, and run 'evaluate' on that folder: "
            "the whole path from files to a cross-validated score. With the defaults it "
            "takes a minute or two on a laptop CPU."
        ),
        epilog=_models_text() + "\n\n" + _EXIT_TEXT,
    )
    demo.add_argument(
        "--clips", type=_positive_int, default=300, metavar="N", help="clips to synthesise"
    )
    demo.add_argument(
        "--snr-db",
        type=_finite_float,
        default=10.0,
        metavar="DB",
        help="signal-to-noise ratio of the up-calls, dB",
    )
    demo.add_argument(
        "--keep",
        type=Path,
        default=None,
        metavar="FOLDER",
        help="write the clips to FOLDER and keep them",
    )
    _evaluation_options(demo, default_folds=3, demo=True)
    _common_options(demo)
    demo.set_defaults(handler=command_demo)

    train = commands.add_parser(
        "train",
        formatter_class=_Formatter,
        help="fit a detection pipeline on all labelled clips of a folder and save it",
        description=(
            "Fit a pipeline of whalefeat.pipelines on every labelled clip of FOLDER (the "
            "layouts of 'evaluate') and save it with joblib, with the whalefeat and "
            "scikit-learn versions it was made with, for 'predict' and 'scan'."
        ),
        epilog=_models_text() + "\n\n" + _EXIT_TEXT,
    )
    train.add_argument("folder", type=Path, metavar="FOLDER", help="folder of labelled clips")
    train.add_argument(
        "--labels",
        type=Path,
        default=None,
        metavar="CSV",
        help="label file, when FOLDER is not in the challenge's layout",
    )
    train.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="MODEL",
        help="the model file to write (such as detector.joblib)",
    )
    _model_options(train)
    _common_options(train)
    train.set_defaults(handler=command_train)

    predict = commands.add_parser(
        "predict",
        formatter_class=_Formatter,
        help="score clips with a saved model and write the scores to a CSV file",
        description=(
            "Score clips with a model from 'train' (or 'evaluate --save'). PATH is a clip, a "
            "folder of clips (with --recursive, its subfolders too) or a .txt list of "
            "clips. The CSV file has one row per clip: path, score (the probability of an "
            "up-call) and prediction (1 for an up-call)."
        ),
        epilog=_EXIT_TEXT,
    )
    predict.add_argument("model_file", type=Path, metavar="MODEL", help="a saved model")
    predict.add_argument(
        "inputs", nargs="+", type=Path, metavar="PATH", help="clip, folder or .txt list of clips"
    )
    predict.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="CSV",
        help="the scores file to write, .csv",
    )
    predict.add_argument(
        "-r",
        "--recursive",
        action="store_true",
        help="look for clips in the subfolders of folders too",
    )
    predict.add_argument(
        "--batch",
        type=_positive_int,
        default=256,
        metavar="N",
        help="clips scored at a time (a step of the progress bar)",
    )
    _dask_options(predict)
    _common_options(predict, seed=False, jobs="reading clips and features")
    predict.set_defaults(handler=command_predict)

    scan = commands.add_parser(
        "scan",
        formatter_class=_Formatter,
        help="scan long recordings with a saved model and write a Raven selection table",
        description=(
            "Slide a window of the model's clip length (2 s) over long recordings, every "
            "--hop seconds, score each position, merge runs of windows scoring at least "
            "--threshold into events, and write them as a Raven Pro selection table (tab-"
            "separated; open it in Raven with File > Open Selection Table) or, for a .csv "
            "name, as CSV. Recordings may have any sample rate (resampled to the model's) "
            "and any number of channels (each is scanned, or the one --channel names). "
            "RECORDING is an audio file or a folder of them (--recursive: with its "
            "subfolders)."
        ),
        epilog=_EXIT_TEXT,
    )
    scan.add_argument("model_file", type=Path, metavar="MODEL", help="a saved model")
    scan.add_argument(
        "inputs",
        nargs="+",
        type=Path,
        metavar="RECORDING",
        help="recording, folder or .txt list of recordings",
    )
    scan.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="TABLE",
        help="the selection table to write (.txt: Raven; .csv: CSV)",
    )
    scan.add_argument(
        "--hop",
        type=_positive_float,
        default=0.5,
        metavar="S",
        help="seconds between window starts",
    )
    scan.add_argument(
        "--threshold",
        type=_probability,
        default=0.5,
        metavar="T",
        help="lowest score of a detection, in [0, 1]",
    )
    scan.add_argument(
        "--min-gap",
        type=_non_negative_float,
        default=0.0,
        metavar="S",
        help="windows below the threshold, in seconds of starts, that do not end an event",
    )
    scan.add_argument(
        "--min-duration",
        type=_non_negative_float,
        default=0.0,
        metavar="S",
        help="shortest event kept, seconds",
    )
    scan.add_argument(
        "--channel",
        type=_positive_int,
        default=None,
        metavar="C",
        help="scan only channel C (from 1); default: every channel",
    )
    scan.add_argument(
        "--partial",
        choices=["pad", "drop"],
        default="pad",
        help="the last window that runs past a recording's end: scored zero-padded, or left out",
    )
    scan.add_argument(
        "--band",
        type=_finite_float,
        nargs=2,
        default=None,
        metavar=("LOW", "HIGH"),
        help="frequency band of the selection boxes, Hz (default: the model's spectrogram band)",
    )
    scan.add_argument(
        "--windows",
        type=Path,
        default=None,
        metavar="CSV",
        help="also write the score of every window to this CSV file",
    )
    scan.add_argument(
        "-r",
        "--recursive",
        action="store_true",
        help="look for recordings in the subfolders of folders too",
    )
    scan.add_argument(
        "--batch", type=_positive_int, default=256, metavar="N", help="windows scored at a time"
    )
    _dask_options(scan)
    _common_options(scan, seed=False, on_length=False, jobs="recordings scanned at once")
    scan.set_defaults(handler=command_scan)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``whalefeat`` command line.

    Parameters
    ----------
    argv : sequence of str, default=None
        The arguments after the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    status : int
        The exit status: 0 on success, 1 for an unusable input (a missing
        path, an empty folder, bad labels, an unreadable clip), 2 for a usage
        error, 130 when interrupted.

    Examples
    --------
    >>> from whalefeat.cli import main
    >>> main(["evaluate", "no/such/folder", "--model", "hgb"])
    1
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    from .io import AudioFileError

    previous = _catch_sigterm()
    try:
        return args.handler(args)
    except UsageError as error:
        print(f"{PROG}: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    except (CommandError, AudioFileError) as error:
        print(f"{PROG}: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as error:  # a file the command reads or writes, named by the error
        print(f"{PROG}: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _Terminated:
        print(f"{PROG}: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _catch_sigterm():
    """Turn SIGTERM into an exception, so outputs in progress are cleaned up."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def terminate(signum, frame):
        raise _Terminated

    return signal.signal(signal.SIGTERM, terminate)
