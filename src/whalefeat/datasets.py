"""Synthetic right whale up-call clips, and the challenge's on-disk layouts.

- :func:`make_clips` draws labelled clips: North Atlantic right whale up-calls
  in coloured ocean-like noise, with distractors in both classes.
- :func:`write_clips` writes clips as AIFF files in either challenge layout.
- :func:`load_challenge` reads either layout back as paths and labels, ready for
  :class:`whalefeat.io.AiffLoader`.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import soundfile as sf
from numpy.typing import ArrayLike
from scipy.fft import irfft, rfft, rfftfreq

from ._compat import Interval, StrOptions, validate_params
from ._validation import check_generator

__all__ = ["load_challenge", "make_clips", "write_clips"]

#: band of the up-call's fundamental in Hz; the noise side of ``snr_db`` is measured in it
CALL_BAND = (50.0, 250.0)
_AUDIO_SUFFIXES = (".aif", ".aiff", ".aifc", ".wav", ".flac")


def _band_power(x: np.ndarray, sample_rate: int, band: tuple[float, float]) -> np.ndarray:
    """Mean square, per row, of ``x`` with every frequency outside ``band`` removed."""
    n = x.shape[-1]
    freqs = rfftfreq(n, 1.0 / sample_rate)
    spectrum = rfft(x, axis=-1)
    spectrum[..., (freqs < band[0]) | (freqs > band[1])] = 0.0
    return np.mean(irfft(spectrum, n, axis=-1) ** 2, axis=-1)


def _sweep(
    t: np.ndarray,
    length: float,
    f_start: float,
    f_end: float,
    curvature: float,
    harmonics: list[tuple[int, float]],
    peak: float,
) -> np.ndarray:
    """A frequency sweep of ``length`` seconds over relative time ``t`` in [0, 1].

    The instantaneous frequency is ``f_start + (f_end - f_start) * g(t)`` with
    ``g(t) = t + curvature * t * (1 - t)`` (monotone for |curvature| < 1:
    convex below 0, concave above); the envelope ``sin(pi * t**s)**2`` peaks
    at ``t = peak`` and starts and ends with zero slope.
    """
    span = f_end - f_start
    # integral over time of the instantaneous frequency, in cycles
    cycles = length * (f_start * t + span * (t**2 / 2 + curvature * (t**2 / 2 - t**3 / 3)))
    envelope = np.sin(np.pi * t ** (math.log(0.5) / math.log(peak))) ** 2
    wave = np.zeros_like(t)
    for order, level in harmonics:
        wave += level * np.sin(2 * np.pi * order * cycles)
    return envelope * wave


def _synthesise(
    n_clips: int,
    positive_fraction: float,
    snr_db,
    duration: float,
    sample_rate: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Draw the clips and return them with their parts (for tests and ``make_clips``).

    Returns ``X`` (the clips), ``y``, ``background``, ``call``, ``distractors``
    (all unscaled), ``gain`` (``X = gain * (background + call + distractors)``),
    ``call_span`` (first and last sample of each up-call, -1 for negatives) and
    ``snr_db`` (per clip, NaN for negatives).
    """
    n = round(duration * sample_rate)
    nyquist = sample_rate / 2
    t = np.arange(n) / sample_rate

    n_positive = round(n_clips * positive_fraction)
    y = rng.permutation(np.repeat(np.array([1, 0]), [n_positive, n_clips - n_positive]))

    # background: Gaussian noise with a 1/f**alpha power spectrum above ~10 Hz,
    # rolled off below (hydrophone high-pass), with a slowly varying level
    freqs = rfftfreq(n, 1.0 / sample_rate)
    alpha = rng.uniform(0.5, 2.0, size=(n_clips, 1))
    corner = rng.uniform(5.0, 15.0, size=(n_clips, 1))
    shape = np.maximum(freqs, 10.0) ** (-alpha / 2) * freqs**2 / (freqs**2 + corner**2)
    background = irfft(rfft(rng.standard_normal((n_clips, n)), axis=-1) * shape, n, axis=-1)
    depth = rng.uniform(0.0, 0.4, size=(n_clips, 1))
    period = rng.uniform(2.0, 8.0, size=(n_clips, 1))
    phase = rng.uniform(0.0, 2 * np.pi, size=(n_clips, 1))
    background *= np.exp(depth * np.sin(2 * np.pi * t / period + phase))
    noise_power = _band_power(background, sample_rate, CALL_BAND)

    if np.ndim(snr_db) == 0:
        snr = np.full(n_clips, float(snr_db))
    else:
        snr = rng.uniform(snr_db[0], snr_db[1], size=n_clips)

    def harmonics(f_max: float) -> list[tuple[int, float]]:
        levels = [(1, 1.0), (2, rng.uniform(0.1, 0.4))]
        if rng.random() < 0.5:
            levels.append((3, rng.uniform(0.05, 0.2)))
        return [(k, a) for k, a in levels if k * f_max < 0.9 * nyquist]

    def place(length: float, margin: float) -> tuple[int, np.ndarray]:
        """A random onset leaving ``margin`` s at both ends, and the relative time."""
        onset = rng.uniform(margin, max(margin, duration - length - margin))
        start = round(onset * sample_rate)
        stop = min(n, start + round(length * sample_rate))
        return start, np.linspace(0.0, 1.0, stop - start)

    call = np.zeros((n_clips, n))
    call_span = np.full((n_clips, 2), -1)
    distractors = np.zeros((n_clips, n))
    for i in range(n_clips):
        if y[i]:
            length = rng.uniform(0.6, min(1.2, 0.8 * duration))
            f_start, f_end = rng.uniform(50.0, 100.0), rng.uniform(150.0, 250.0)
            start, u = place(length, 0.05 * duration)
            wave = _sweep(
                u,
                (len(u) - 1) / sample_rate,
                f_start,
                f_end,
                rng.uniform(-0.6, 0.6),
                harmonics(f_end),
                rng.uniform(0.3, 0.7),
            )
            wave *= math.sqrt(noise_power[i] * 10 ** (snr[i] / 10) / np.mean(wave**2))
            call[i, start : start + len(u)] = wave
            call_span[i] = start, start + len(u) - 1
        noise_rms = math.sqrt(noise_power[i])
        if rng.random() < 0.35:  # ship hum: narrowband lines, some only for a while
            for _ in range(rng.integers(1, 3)):
                f_line = rng.uniform(30.0, min(400.0, 0.9 * nyquist))
                drift = rng.uniform(-1.0, 1.0)
                level = noise_rms * math.sqrt(2) * 10 ** (rng.uniform(-12.0, 0.0) / 20)
                line = level * np.sin(
                    2 * np.pi * (f_line * t + drift * t**2 / 2) + rng.uniform(0, 2 * np.pi)
                )
                if rng.random() < 0.3:
                    start, u = place(rng.uniform(0.3, 0.6 * duration), 0.0)
                    line[:start] = 0.0
                    line[start + len(u) :] = 0.0
                    line[start : start + len(u)] *= np.sin(np.pi * u) ** 2
                distractors[i] += line
        if rng.random() < 0.3:  # broadband impulsive pulses
            for _ in range(rng.integers(1, 6)):
                length = max(2, round(rng.uniform(0.002, 0.02) * sample_rate))
                start = rng.integers(0, n - length)
                decay = np.exp(-np.arange(length) / (length / 4))
                distractors[i, start : start + length] += (
                    rng.uniform(3.0, 15.0) * noise_rms * decay * rng.standard_normal(length)
                )
        if rng.random() < 0.2:  # a down-sweep at up-call levels
            length = rng.uniform(0.4, min(1.0, 0.8 * duration))
            f_start, f_end = rng.uniform(150.0, 250.0), rng.uniform(50.0, 100.0)
            start, u = place(length, 0.05 * duration)
            wave = _sweep(
                u,
                (len(u) - 1) / sample_rate,
                f_start,
                f_end,
                rng.uniform(-0.6, 0.6),
                harmonics(f_start),
                rng.uniform(0.3, 0.7),
            )
            level_db = rng.uniform(snr[i] - 3.0, snr[i] + 3.0)
            wave *= math.sqrt(noise_power[i] * 10 ** (level_db / 10) / np.mean(wave**2))
            distractors[i, start : start + len(u)] += wave

    total = background + call + distractors
    # each clip peaks at 0.1 to 0.5 (-20 to -6 dBFS): headroom for 16-bit files, and its
    # level carries no label
    peak_level = np.exp(rng.uniform(np.log(0.1), np.log(0.5), size=n_clips))
    gain = peak_level / np.max(np.abs(total), axis=1)
    return {
        "X": total * gain[:, None],
        "y": y.astype(np.int64),
        "background": background,
        "call": call,
        "distractors": distractors,
        "gain": gain,
        "call_span": call_span,
        "snr_db": np.where(y == 1, snr, np.nan),
    }


@validate_params(
    {
        "n_clips": [Interval(Integral, 1, None, closed="left")],
        "positive_fraction": [Interval(Real, 0, 1, closed="both")],
        "snr_db": [Real, tuple],
        "duration": [Interval(Real, 1.0, None, closed="left")],
        "sample_rate": [Interval(Integral, 600, None, closed="left")],
        "random_state": ["random_state", np.random.Generator],
    },
    prefer_skip_nested_validation=True,
)
def make_clips(
    n_clips: int = 200,
    *,
    positive_fraction: float = 0.5,
    snr_db: float | tuple[float, float] = -8.0,
    duration: float = 2.0,
    sample_rate: int = 2000,
    random_state: int | np.random.Generator | np.random.RandomState | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic labelled clips: right whale up-calls in ocean-like noise.

    A positive clip (label 1) holds one up-call: an upward frequency sweep of
    0.6 to 1.2 s from 50-100 Hz to 150-250 Hz, slightly convex or concave,
    with a second (and, for half the calls, a third) harmonic 8 to 26 dB
    lower and a smooth amplitude envelope, at a random onset inside the clip.

    Every clip has a background of Gaussian noise with a ``1/f**alpha`` power
    spectrum (``alpha`` drawn in [0.5, 2]) rolled off below about 10 Hz, with
    a slowly varying level; and, independently of its label, distractors: one
    or two ship-like tonal lines (35 % of clips; some last only part of the
    clip), one to five broadband pulses (30 %), and a down-sweep at up-call
    levels (20 %). A classifier therefore has to learn the up-call's shape,
    not the presence of tonal energy.

    The signal-to-noise ratio is ``snr_db = 10 log10(P_call / P_noise)``, where
    ``P_call`` is the mean square of the up-call (harmonics included) over its
    duration and ``P_noise`` is the mean square over the whole clip of the
    background noise band-limited to 50-250 Hz (distractors are not counted).
    Each clip is finally scaled to a peak between 0.1 and 0.5 (-20 to -6
    dBFS, log-uniform), so clips
    fit 16-bit files without clipping and their level says nothing of the
    label.

    Parameters
    ----------
    n_clips : int, default=200
        Number of clips.
    positive_fraction : float, default=0.5
        Fraction of clips holding an up-call; exactly
        ``round(n_clips * positive_fraction)`` of them do, in random order.
    snr_db : float or tuple of (float, float), default=-8.0
        SNR of every up-call in dB as defined above, or a ``(low, high)`` range
        to draw each clip's SNR from uniformly. At the default an up-call is
        plain in a spectrogram of most clips but buried in some.
    duration : float, default=2.0
        Clip duration in seconds (at least 1).
    sample_rate : int, default=2000
        Sample rate in Hz (at least 600 so that 250 Hz lies below Nyquist).
    random_state : int, numpy.random.Generator, RandomState or None, default=None
        Seed or generator; the same seed gives the same clips.

    Returns
    -------
    X : ndarray of shape (n_clips, round(duration * sample_rate)), float64
        The clips, in [-0.5, 0.5].
    y : ndarray of shape (n_clips,), int64
        1 for an up-call, 0 for noise only.

    Examples
    --------
    >>> from whalefeat.datasets import make_clips
    >>> X, y = make_clips(6, random_state=0)
    >>> X.shape, X.dtype, y.tolist()
    ((6, 4000), dtype('float64'), [0, 1, 0, 0, 1, 1])
    >>> bool(np.abs(X).max() <= 0.5)
    True
    """
    if isinstance(snr_db, tuple):
        if (
            len(snr_db) != 2
            or not all(isinstance(v, Real) for v in snr_db)
            or not snr_db[0] <= snr_db[1]
        ):
            raise ValueError(f"snr_db must be a number or a (low, high) pair, got {snr_db!r}")
    if not np.all(np.isfinite(snr_db)):
        raise ValueError(f"snr_db must be finite, got {snr_db!r}")
    parts = _synthesise(
        n_clips, positive_fraction, snr_db, duration, sample_rate, check_generator(random_state)
    )
    return parts["X"], parts["y"]


@validate_params(
    {
        "X": ["array-like"],
        "directory": [str, os.PathLike],
        "y": ["array-like", None],
        "sample_rate": [Interval(Integral, 1, None, closed="left")],
        "layout": [StrOptions({"csv", "suffix"})],
        "subtype": [str],
        "overwrite": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def write_clips(
    X: ArrayLike,
    directory: str | os.PathLike,
    *,
    y: ArrayLike | None = None,
    sample_rate: int = 2000,
    layout: str = "csv",
    subtype: str = "PCM_16",
    overwrite: bool = False,
) -> np.ndarray:
    """Write clips as AIFF files in one of the challenge layouts.

    Parameters
    ----------
    X : array-like of shape (n_clips, n_samples)
        The clips, in [-1, 1] for the integer subtypes.
    directory : str or os.PathLike
        Where to write; created if missing. The clips go in ``directory/train/``.
    y : array-like of shape (n_clips,) of 0/1, or None, default=None
        Labels. Required for ``layout="suffix"``.
    sample_rate : int, default=2000
        Sample rate written in the files, in Hz.
    layout : {"csv", "suffix"}, default="csv"
        ``"csv"``: files ``train1.aiff``, ``train2.aiff``, ... and, when ``y``
        is given, ``directory/train.csv`` with columns ``clip_name,label`` (the
        first challenge). ``"suffix"``: files ``train1_1.aif``,
        ``train2_0.aif``, ... whose names end in the label (the second
        challenge).
    subtype : str, default="PCM_16"
        The libsndfile subtype, e.g. ``"PCM_16"``, ``"PCM_24"``, ``"FLOAT"``.
    overwrite : bool, default=False
        Replace existing files. If False, an existing file raises
        :class:`FileExistsError` before anything is written.

    Returns
    -------
    paths : ndarray of shape (n_clips,), dtype object
        The paths written, as ``str``, in the order of ``X``.

    See Also
    --------
    load_challenge : Read either layout back.

    Examples
    --------
    >>> import tempfile
    >>> from whalefeat.datasets import make_clips, write_clips
    >>> X, y = make_clips(3, random_state=0)
    >>> folder = tempfile.TemporaryDirectory()
    >>> paths = write_clips(X, folder.name, y=y)
    >>> [Path(p).name for p in paths]
    ['train1.aiff', 'train2.aiff', 'train3.aiff']
    >>> print((Path(folder.name) / "train.csv").read_text().strip())
    clip_name,label
    train1.aiff,0
    train2.aiff,1
    train3.aiff,1
    >>> paths = write_clips(X, folder.name, y=y, layout="suffix")
    >>> [Path(p).name for p in paths]
    ['train1_0.aif', 'train2_1.aif', 'train3_1.aif']
    >>> folder.cleanup()
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0 or X.dtype.kind not in "fiu":
        raise ValueError(
            f"X must be a non-empty 2-D numeric array (n_clips, n_samples), got shape "
            f"{X.shape} and dtype {X.dtype}"
        )
    if not np.all(np.isfinite(X)):
        raise ValueError("X holds NaN or infinite values")
    if not sf.check_format("AIFF", subtype):
        raise ValueError(
            f"subtype {subtype!r} cannot be written to AIFF; see "
            "soundfile.available_subtypes('AIFF')"
        )
    if not subtype.upper().startswith(("FLOAT", "DOUBLE")) and X.size:
        peak = float(np.max(np.abs(X)))
        if peak > 1.0:
            raise ValueError(
                f"X has values outside [-1, 1] (largest magnitude {peak:g}); they would "
                f"clip in {subtype}: scale X first"
            )
    labels = None
    if y is not None:
        labels = np.asarray(y)
        if labels.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {labels.shape}")
        if not np.all(np.isin(labels, (0, 1))):
            raise ValueError(f"y must hold only 0 and 1, got values {np.unique(labels)!r}")
        labels = labels.astype(np.int64)
    elif layout == "suffix":
        raise ValueError("layout='suffix' writes the label in each file name, so y is required")

    directory = Path(directory)
    folder = directory / "train"
    if layout == "csv":
        names = [f"train{i}.aiff" for i in range(1, X.shape[0] + 1)]
    else:
        names = [f"train{i}_{label}.aif" for i, label in enumerate(labels, start=1)]
    targets = [folder / name for name in names]
    csv_path = directory / "train.csv" if layout == "csv" and labels is not None else None
    if not overwrite:
        existing = [p for p in [*targets, csv_path] if p is not None and p.exists()]
        if existing:
            raise FileExistsError(
                f"{len(existing)} file(s) to write already exist (first: {existing[0]}); "
                "pass overwrite=True to replace them"
            )
    folder.mkdir(parents=True, exist_ok=True)
    for target, clip in zip(targets, X, strict=True):
        sf.write(target, clip, sample_rate, subtype=subtype, format="AIFF")
    if csv_path is not None:
        with open(csv_path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["clip_name", "label"])
            writer.writerows(zip(names, labels.tolist(), strict=True))
    return np.asarray([str(p) for p in targets], dtype=object)


def _natural_key(name: str) -> list:
    """Sort key that orders numbers by value: train2 before train10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _preview(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def _audio_files(folder: Path) -> list[str]:
    return [
        entry.name
        for entry in os.scandir(folder)
        if entry.name.lower().endswith(_AUDIO_SUFFIXES) and entry.is_file()
    ]


#: columns naming the clip in a label file, in order of preference
NAME_COLUMNS = ("clip_name", "path")


def _label_text(csv_path: Path) -> str:
    """The text of a label file: UTF-8, with or without a byte-order mark."""
    if not csv_path.is_file():
        if csv_path.exists():
            raise ValueError(f"label file {csv_path} is not a regular file")
        raise FileNotFoundError(f"label file {csv_path} does not exist")
    data = csv_path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"{csv_path}, line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at "
            f"offset {exc.start}); label files must be UTF-8: re-save it as UTF-8 (from "
            "Latin-1, e.g. iconv -f latin1 -t utf-8)"
        ) from None


def _load_label_file(csv_path: Path, folder: Path, missing: str) -> tuple[np.ndarray, np.ndarray]:
    """Paths and labels of the clips a label file lists; see :func:`load_challenge`."""
    reader = csv.reader(io.StringIO(_label_text(csv_path), newline=""))
    try:
        header = [field.strip() for field in next(reader, [])]
        name_column = next((c for c in NAME_COLUMNS if c in header), None)
        if name_column is None or "label" not in header:
            raise ValueError(
                f"{csv_path}: the header must name the columns clip_name (or path) and "
                f"label, got {header!r}"
            )
        name_at, label_at = header.index(name_column), header.index("label")
        names, labels, unlabelled, bad, seen = [], [], [], [], {}
        for line, row in enumerate(reader, start=2):
            if not any(field.strip() for field in row):
                continue
            name = row[name_at].strip() if name_at < len(row) else ""
            label = row[label_at].strip() if label_at < len(row) else ""
            if not name:
                raise ValueError(f"{csv_path}, line {line}: no {name_column}")
            key = os.path.normpath(folder / name)
            if key in seen:
                raise ValueError(
                    f"{csv_path}, line {line}: clip {name!r} is listed twice "
                    f"(first on line {seen[key]})"
                )
            seen[key] = line
            if not label:
                unlabelled.append(f"{name} (line {line})")
            elif label not in ("0", "1"):
                bad.append(f"{name}={label!r} (line {line})")
            names.append(name)
            labels.append(label)
    except csv.Error as exc:
        raise ValueError(f"{csv_path}, line {reader.line_num}: not valid CSV ({exc})") from None
    if unlabelled:
        raise ValueError(
            f"{csv_path}: {len(unlabelled)} clip(s) have no label: {_preview(unlabelled)}"
        )
    if bad:
        raise ValueError(
            f"{csv_path}: labels must be 0 or 1; {len(bad)} clip(s) have other "
            f"values: {_preview(bad)}"
        )
    if not names:
        raise ValueError(f"{csv_path} lists no clips")
    present = [os.path.isfile(folder / name) for name in names]
    absent = [name for name, here in zip(names, present, strict=True) if not here]
    if absent:
        if missing == "error" or len(absent) == len(names):
            hint = (
                f"; pass missing='ignore' to load only the {len(names) - len(absent)} "
                "clips present"
                if len(absent) < len(names)
                else ""
            )
            raise FileNotFoundError(
                f"{len(absent)} of the {len(names)} clips listed in {csv_path} are missing "
                f"from {folder}: {_preview(absent)}{hint}"
            )
    unlisted = sorted(
        (name for name in _audio_files(folder) if os.path.normpath(folder / name) not in seen),
        key=_natural_key,
    )
    if unlisted:
        raise ValueError(
            f"{len(unlisted)} audio file(s) in {folder} are not listed in {csv_path}, so have "
            f"no label: {_preview(unlisted)}; list them or move them out of the folder"
        )
    keep = [i for i, here in enumerate(present) if here]
    paths = np.asarray([str(folder / names[i]) for i in keep], dtype=object)
    return paths, np.asarray([int(labels[i]) for i in keep], dtype=np.int64)


def _load_csv_layout(csv_path: Path, missing: str) -> tuple[np.ndarray, np.ndarray]:
    folder = csv_path.parent / "train"
    if not folder.is_dir():
        folder = csv_path.parent
    return _load_label_file(csv_path, folder, missing)


def _load_suffix_layout(directory: Path) -> tuple[np.ndarray, np.ndarray]:
    folder = directory
    names = _audio_files(folder)
    if not names and (directory / "train").is_dir():
        folder = directory / "train"
        names = _audio_files(folder)
    if not names:
        raise FileNotFoundError(
            f"no clips in {directory}: neither a train.csv nor audio files "
            f"({', '.join(_AUDIO_SUFFIXES)}) named with a _0/_1 label suffix, there or in "
            "its train/ folder"
        )
    names.sort(key=_natural_key)
    labels, unlabelled, bad = [], [], []
    for name in names:
        match = re.search(r"_(\d+)$", os.path.splitext(name)[0])
        if match is None:
            unlabelled.append(name)
        elif match.group(1) not in ("0", "1"):
            bad.append(name)
        else:
            labels.append(int(match.group(1)))
    if unlabelled:
        raise ValueError(
            f"{len(unlabelled)} clip(s) in {folder} have no label (names must end in _0 or "
            f"_1 before the extension, and there is no train.csv): {_preview(unlabelled)}"
        )
    if bad:
        raise ValueError(
            f"{len(bad)} clip(s) in {folder} have a label suffix other than _0 "
            f"or _1: {_preview(bad)}"
        )
    paths = np.asarray([str(folder / name) for name in names], dtype=object)
    return paths, np.asarray(labels, dtype=np.int64)


@validate_params(
    {
        "directory": [str, os.PathLike],
        "labels": [str, os.PathLike, None],
        "missing": [StrOptions({"error", "ignore"})],
    },
    prefer_skip_nested_validation=True,
)
def load_challenge(
    directory: str | os.PathLike,
    labels: str | os.PathLike | None = None,
    *,
    missing: str = "error",
) -> tuple[np.ndarray, np.ndarray]:
    r"""Read the paths and labels of labelled clips: a challenge layout, or a folder and labels.

    Two layouts are read when ``labels`` is None:

    - **csv**: ``directory/train.csv`` beside the clips, which lie in
      ``directory/train/`` if that folder exists and in ``directory`` itself
      otherwise. ``directory`` may also be the csv file.
    - **suffix**: no ``train.csv``; audio files whose names end in ``_1`` (up-call)
      or ``_0`` (noise) before the extension, in ``directory`` or, if it holds
      none, in ``directory/train/``. Clips are sorted by name, numbers by
      value (``train2`` before ``train10``).

    With ``labels``, that file labels the clips of the folder ``directory``.

    A label file (``train.csv`` or ``labels``) follows one set of rules:

    - UTF-8 text, with or without a byte-order mark (anything else is refused,
      naming the line).
    - A header row naming a ``clip_name`` column (or ``path``; ``clip_name``
      wins when both are present) and a ``label`` column; other columns are
      ignored, and spaces around header names and values are stripped.
    - One clip per row, in the order kept; blank rows are skipped. A name is a
      path relative to the folder of clips, or absolute. Every label is ``0``
      or ``1``; no clip is listed twice.
    - Every audio file in the folder of clips is listed (an unlisted one has
      no label, and is refused rather than dropped); listed clips that are
      absent raise unless ``missing="ignore"``.

    Parameters
    ----------
    directory : str or os.PathLike
        The folder (or, without ``labels``, the ``train.csv`` file).
    labels : str, os.PathLike or None, default=None
        A label file for the clips in ``directory``; None reads a challenge
        layout.
    missing : {"error", "ignore"}, default="error"
        What to do when clips listed in the label file are absent: raise,
        naming how many and which; or load only the clips present (at least
        one must be).

    Returns
    -------
    paths : ndarray of shape (n_clips,), dtype object
        Paths of the clips, as ``str``.
    y : ndarray of shape (n_clips,), int64
        Their labels, 1 for an up-call, 0 for noise.

    Raises
    ------
    FileNotFoundError
        If the folder or the label file does not exist, the folder holds no
        clips, or (with ``missing="error"``) listed clips are absent.
    ValueError
        If the label file is not UTF-8 or not CSV, lacks a column, a clip has
        no label or a label other than 0 or 1, a clip is listed twice, or an
        audio file in the folder has no label (unlisted in the label file, or
        without a ``_0``/``_1`` suffix).

    Examples
    --------
    >>> import tempfile
    >>> from whalefeat.datasets import load_challenge, make_clips, write_clips
    >>> X, y = make_clips(12, random_state=0)
    >>> folder = tempfile.TemporaryDirectory()
    >>> written = write_clips(X, folder.name, y=y, layout="suffix")
    >>> paths, labels = load_challenge(folder.name)
    >>> [Path(p).name for p in paths[:3]], labels.tolist() == y.tolist()
    (['train1_0.aif', 'train2_1.aif', 'train3_0.aif'], True)

    A folder of clips and a label file of its own:

    >>> csv_path = Path(folder.name) / "labels.csv"
    >>> _ = csv_path.write_text("path,label\ntrain1_0.aif,0\ntrain2_1.aif, 1\n"
    ...                         + "".join(f"{Path(p).name},{label}\n"
    ...                                   for p, label in zip(written[2:], y[2:])))
    >>> paths, labels = load_challenge(Path(folder.name) / "train", csv_path)
    >>> len(paths), labels[:2].tolist()
    (12, [0, 1])
    >>> folder.cleanup()
    """
    path = Path(directory)
    if labels is not None:
        if not path.is_dir():
            raise FileNotFoundError(f"{path}: no such folder")
        return _load_label_file(Path(labels), path, missing)
    if path.is_file() and path.suffix.lower() == ".csv":
        return _load_csv_layout(path, missing)
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such folder")
    if (path / "train.csv").is_file():
        return _load_csv_layout(path / "train.csv", missing)
    return _load_suffix_layout(path)
