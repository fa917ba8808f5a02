"""Detection in long recordings with a fitted clip detector.

A clip detector (a fitted pipeline from :mod:`whalefeat.pipelines`, as
``whalefeat train`` or ``whalefeat evaluate --save`` writes it) scores
2-second clips. :func:`scan` slides a window of the detector's clip length
over hours of audio and scores every position; :func:`events` merges the
windows above a threshold into detections; :func:`write_selections` writes
them as a Raven Pro selection table (or CSV), and :func:`read_selections`
reads such a table back::

    recording --blocks--> (n_windows, T) --pipeline[1:]--> scores --> events --> table

A recording is streamed in blocks, so memory does not grow with its length;
any sample rate is converted to the detector's with the polyphase resampler of
:func:`scipy.signal.resample_poly`, applied to the stream exactly as it would
be to the whole file at once; every channel is scanned, or a chosen one.

:func:`save_model` and :func:`load_model` store a fitted detector with the
versions of whalefeat and scikit-learn it was made with, and warn when it is
loaded under others.

Examples
--------
>>> import tempfile
>>> import numpy as np
>>> import soundfile as sf
>>> from whalefeat import pipelines
>>> from whalefeat.datasets import make_clips
>>> from whalefeat.detect import events, scan
>>> X, y = make_clips(40, snr_db=10.0, random_state=0)
>>> detector = pipelines.get("logistic", random_state=0)
>>> detector = detector[1:].fit(X, y)   # fitted on decoded clips, so give the clip format
>>> folder = tempfile.TemporaryDirectory()
>>> sf.write(f"{folder.name}/long.wav", np.concatenate(X[:6]), 2000)
>>> windows = scan(detector, f"{folder.name}/long.wav", hop=2.0, sample_rate=2000,
...                duration=2.0)
>>> windows[["channel", "start", "end"]].head(2).to_numpy().tolist()
[[1.0, 0.0, 2.0], [1.0, 2.0, 4.0]]
>>> len(windows), bool(np.all((windows["score"] > 0.5) == (y[:6] == 1)))
(6, True)
>>> found = events(windows, threshold=0.5)
>>> list(found.columns)
['file', 'channel', 'start', 'end', 'score', 'peak_start', 'n_windows']
>>> folder.cleanup()
"""

from __future__ import annotations

import csv
import io
import math
import os
import stat
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas comes with the detect extra, scikit-learn when needed
    import pandas as pd
    from sklearn.base import BaseEstimator
    from sklearn.pipeline import Pipeline

__all__ = [
    "RAVEN_COLUMNS",
    "ModelVersionWarning",
    "StreamResampler",
    "events",
    "load_model",
    "read_selections",
    "save_model",
    "scan",
    "write_selections",
]

#: The columns of a Raven Pro selection table, as :func:`write_selections` writes them.
RAVEN_COLUMNS = (
    "Selection",
    "View",
    "Channel",
    "Begin Time (s)",
    "End Time (s)",
    "Low Freq (Hz)",
    "High Freq (Hz)",
    "Begin File",
    "File Offset (s)",
    "Score",
)
_WINDOW_COLUMNS = ["file", "channel", "start", "end", "score"]
_EVENT_COLUMNS = ["file", "channel", "start", "end", "score", "peak_start", "n_windows"]
_MODEL_FORMAT = "whalefeat-model"


def _pandas():
    """pandas, or an ImportError that says how to install it."""
    try:
        import pandas
    except ImportError:
        raise ImportError(
            "whalefeat.detect returns pandas DataFrames and needs pandas: pip install pandas"
        ) from None
    return pandas


# --------------------------------------------------------------------------------------
# Streaming resampler


class StreamResampler:
    """:func:`scipy.signal.resample_poly` of a signal that arrives in blocks.

    The output equals ``resample_poly(x, up, down)`` of the whole signal
    (its default Kaiser window and zero padding at both ends), to the last
    bits of floating point, whatever the block sizes: each block is filtered
    together with the input samples that the filter still needs from before it,
    starting at a multiple of ``down`` so that the polyphase branches line up
    with those of the whole signal.

    Parameters
    ----------
    up, down : int
        The rate ratio, ``up / down``, reduced or not.
    n_in : int
        Length of the whole input (it sets the output length,
        ``ceil(n_in * up / down)``).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.signal import resample_poly
    >>> x = np.random.default_rng(0).normal(size=1000)
    >>> stream = StreamResampler(2, 3, len(x))
    >>> y = np.concatenate([stream.push(x[:123]), stream.push(x[123:700]),
    ...                     stream.push(x[700:], final=True)])
    >>> bool(np.allclose(y, resample_poly(x, 2, 3), rtol=0, atol=1e-12))
    True
    """

    def __init__(self, up: int, down: int, n_in: int) -> None:
        from scipy.signal import firwin

        divisor = math.gcd(up, down)
        self.up, self.down = up // divisor, down // divisor
        self.n_out = -(-n_in * self.up // self.down)
        if self.up == self.down == 1:
            return
        max_rate = max(self.up, self.down)
        half_len = 10 * max_rate
        taps = firwin(2 * half_len + 1, 1.0 / max_rate, window=("kaiser", 5.0)) * self.up
        pre_pad = self.down - half_len % self.down
        self._filter = np.concatenate([np.zeros(pre_pad), taps])
        self._first = (half_len + pre_pad) // self.down
        self._stop = self._first + self.n_out
        self._next = self._first  # next output index (in the filter's full output)
        self._buffer = np.empty(0)
        self._start = 0  # input index of _buffer[0], a multiple of down
        self._received = 0

    def push(self, x: np.ndarray, *, final: bool = False) -> np.ndarray:
        """Resample the next block of the input.

        Parameters
        ----------
        x : ndarray of shape (n,)
            The input samples that follow those already pushed.
        final : bool, default=False
            Whether ``x`` is the last block: then all the output left is returned.

        Returns
        -------
        y : ndarray of shape (m,)
            The output samples that the input so far completes, after those
            already returned.
        """
        x = np.asarray(x, dtype=np.float64)
        if self.up == self.down == 1:
            return x.copy()
        from scipy.signal import upfirdn

        self._buffer = np.concatenate([self._buffer, x]) if len(self._buffer) else x
        self._received += len(x)
        up, down = self.up, self.down
        if final:
            stop = self._stop
        else:
            # output m is complete once input floor(m * down / up) has arrived
            stop = min(self._stop, (self._received * up - 1) // down + 1)
        if stop <= self._next:
            return np.empty(0)
        offset = self._start * up // down
        full = upfirdn(self._filter, self._buffer, up, down)
        out = full[self._next - offset : stop - offset]
        if len(out) < stop - self._next:  # past the input's end the filter sees zeros
            out = np.concatenate([out, np.zeros(stop - self._next - len(out))])
        self._next = stop
        # keep the inputs the next output still needs, from a multiple of down
        needed = max(0, -(-(self._next * down - len(self._filter) + 1) // up))
        start = max(self._start, needed // down * down)
        self._buffer = self._buffer[start - self._start :]
        self._start = start
        return out


# --------------------------------------------------------------------------------------
# The detector


@dataclass(frozen=True)
class _Detector:
    model: object  # what scores (n_windows, n_samples) arrays: the pipeline after its loader
    sample_rate: int
    n_window: int
    dtype: np.dtype
    positive: int  # column of predict_proba of the detected class


def _detector(detector, sample_rate, duration) -> _Detector:
    from sklearn.utils.validation import check_is_fitted

    from .io import AiffLoader

    model = detector
    loader = None
    if hasattr(detector, "steps") and isinstance(detector.steps[0][1], AiffLoader):
        loader = detector.steps[0][1]
        model = detector[1:]
    if sample_rate is None:
        if loader is None:
            raise ValueError(
                "the detector does not start with an AiffLoader, so pass "
                "sample_rate and duration: the clips it was fitted on"
            )
        sample_rate = loader.sample_rate
    if duration is None:
        duration = None if loader is None else loader.duration
        if duration is None:
            raise ValueError("pass duration: the length in seconds of the detector's clips")
    if not isinstance(sample_rate, Integral) or isinstance(sample_rate, bool) or sample_rate < 1:
        raise ValueError(f"sample_rate must be a positive integer, got {sample_rate!r}")
    n_window = _whole_samples(duration, sample_rate, "duration")
    if not hasattr(model, "predict_proba"):
        raise TypeError(f"the detector {type(model).__name__} has no predict_proba")
    check_is_fitted(model)
    classes = list(getattr(model, "classes_", [0, 1]))
    positive = classes.index(1) if 1 in classes else len(classes) - 1
    dtype = np.dtype(loader.dtype if loader is not None else np.float64)
    return _Detector(model, int(sample_rate), n_window, dtype, positive)


def _whole_samples(seconds, sample_rate: int, name: str) -> int:
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, Real)
        or not math.isfinite(seconds)
        or seconds <= 0
    ):
        raise ValueError(f"{name} must be a positive number of seconds, got {seconds!r}")
    exact = seconds * sample_rate
    n = round(exact)
    if n < 1 or not math.isclose(exact, n, rel_tol=1e-9, abs_tol=1e-9):
        raise ValueError(
            f"{name}={seconds!r} s is not a whole number of samples at the detector's "
            f"{sample_rate} Hz ({exact!r} samples)"
        )
    return n


# --------------------------------------------------------------------------------------
# Reading recordings


def _open(path: str):
    import soundfile as sf

    from .io import AudioFileError

    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such recording") from None
    if not stat.S_ISREG(status.st_mode):
        raise AudioFileError(path, "is not a regular file; cannot be opened as audio")
    try:
        return sf.SoundFile(path)
    except (sf.LibsndfileError, RuntimeError, TypeError) as error:
        raise AudioFileError(path, f"cannot be read as audio ({error})") from None


def _resampling(path: str, rate: int, target: int) -> tuple[int, int]:
    from .io import MAX_RESAMPLING_FACTOR, MAX_RESAMPLING_RATIO, AudioFileError

    divisor = math.gcd(rate, target)
    up, down = target // divisor, rate // divisor
    if (
        max(rate / target, target / rate) > MAX_RESAMPLING_RATIO
        or max(up, down) > MAX_RESAMPLING_FACTOR
    ):
        raise AudioFileError(
            path,
            f"has sample rate {rate} Hz, which cannot be resampled to "
            f"the detector's {target} Hz (factors up to "
            f"{MAX_RESAMPLING_FACTOR}, ratios up to "
            f"{MAX_RESAMPLING_RATIO})",
        )
    return up, down


def _channels(path: str, n_channels: int, channel) -> list[int]:
    if channel is None:
        return list(range(1, n_channels + 1))
    if not 1 <= channel <= n_channels:
        raise ValueError(
            f"{path}: has {n_channels} channel{'s' * (n_channels != 1)}; "
            f"channel {channel} does not exist (channels count from 1)"
        )
    return [channel]


@dataclass
class _Track:
    """Windows of one channel of one recording, as its samples arrive."""

    resampler: StreamResampler
    pending: np.ndarray  # detector-rate samples from index `offset` on
    offset: int = 0
    next_window: int = 0  # index of the next window


class _Scorer:
    """Scores windows in batches of exactly ``batch_size``, in order, on ``n_threads`` threads.

    Windows arrive as 2-D arrays (often strided views of the stream) and are copied
    into the next batch's buffer, cast to the detector's dtype once. A full batch
    goes to ``predict_proba`` at once (``n_threads=1``) or to a pool of threads;
    at most ``2 * n_threads`` batches are in flight, so memory stays bounded. The
    batches are the same whatever ``n_threads``, so the scores are too.
    """

    def __init__(self, detector: _Detector, batch_size: int, n_threads: int) -> None:
        self.detector = detector
        self.batch_size = batch_size
        self.n_threads = n_threads
        self.scores: list[np.ndarray] = []
        self.channels: list[np.ndarray] = []
        self.firsts: list[np.ndarray] = []
        self._in_flight: list = []
        self._new_batch()
        self._pool = None
        if n_threads > 1:
            from concurrent.futures import ThreadPoolExecutor

            # OpenMP's thread count is a per-thread setting: hold each worker's to one
            self._pool = ThreadPoolExecutor(
                n_threads, thread_name_prefix="whalefeat-scan", initializer=_one_thread_pools
            )

    def _new_batch(self) -> None:
        self._windows = np.empty(
            (self.batch_size, self.detector.n_window), dtype=self.detector.dtype
        )
        self._channel = np.empty(self.batch_size, dtype=np.int64)
        self._first = np.empty(self.batch_size, dtype=np.int64)
        self._count = 0

    def add(self, windows: np.ndarray, channel: int, first: int, hop: int) -> None:
        """Queue ``windows`` (n, T) of ``channel``, the first starting at sample ``first``."""
        done = 0
        while done < len(windows):
            k = min(len(windows) - done, self.batch_size - self._count)
            at = slice(self._count, self._count + k)
            self._windows[at] = windows[done : done + k]
            self._channel[at] = channel
            self._first[at] = first + hop * np.arange(done, done + k)
            self._count += k
            done += k
            if self._count == self.batch_size:
                self._submit()

    def _submit(self) -> None:
        if self._count == 0:
            return
        X = self._windows[: self._count]
        self.channels.append(self._channel[: self._count])
        self.firsts.append(self._first[: self._count])
        if self._pool is None:
            self.scores.append(self._score(X))
        else:
            if len(self._in_flight) >= 2 * self.n_threads:
                self.scores.append(self._in_flight.pop(0).result())
            self._in_flight.append(self._pool.submit(self._score, X))
        self._new_batch()

    def _score(self, X: np.ndarray) -> np.ndarray:
        proba = np.asarray(self.detector.model.predict_proba(X))
        return np.asarray(proba[:, self.detector.positive], dtype=np.float64)

    def finish(self) -> None:
        """Score the last, partial batch and wait for every batch in flight."""
        self._submit()
        for future in self._in_flight:
            self.scores.append(future.result())
        self._in_flight = []
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            for future in self._in_flight:
                future.cancel()
            self._pool.shutdown(wait=True)
            self._pool = None


def _one_thread_pools() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def _scan_file(
    detector: _Detector,
    path: str,
    *,
    hop: int,
    channel,
    partial: str,
    batch_size: int,
    block_frames: int,
    n_threads: int = 1,
    progress: Callable[[float], None] | None = None,
) -> tuple[dict, float]:
    from threadpoolctl import threadpool_limits

    from .io import AudioFileError

    # BLAS and OpenMP pools held to one thread, whatever n_threads: the scores then do
    # not depend on it, and threads scoring batches side by side do not oversubscribe
    with _open(path) as sound, threadpool_limits(1):
        rate, n_frames = sound.samplerate, sound.frames
        if n_frames == 0:
            raise AudioFileError(path, "is empty (0 frames)")
        chosen = _channels(path, sound.channels, channel)
        up, down = _resampling(path, rate, detector.sample_rate)
        tracks = {c: _Track(StreamResampler(up, down, n_frames), np.empty(0)) for c in chosen}
        n_total = tracks[chosen[0]].resampler.n_out if up != down else n_frames
        T = detector.n_window
        scorer = _Scorer(detector, batch_size, n_threads)

        def take(c: int, track: _Track, final: bool) -> None:
            first = track.next_window * hop
            available = track.offset + len(track.pending)
            if available - first >= T:  # every full window at once, as a strided view
                n = (available - first - T) // hop + 1
                stream = track.pending[
                    first - track.offset : first - track.offset + (n - 1) * hop + T
                ]
                scorer.add(
                    np.lib.stride_tricks.sliding_window_view(stream, T)[::hop], c, first, hop
                )
                track.next_window += n
            while final and partial == "pad":
                first = track.next_window * hop
                if not (first < n_total and (track.next_window == 0 or first - hop + T < n_total)):
                    break
                window = np.zeros((1, T))
                part = track.pending[first - track.offset :]
                window[0, : len(part)] = part
                scorer.add(window, c, first, hop)
                track.next_window += 1
            keep = track.next_window * hop - track.offset
            if keep > 0:
                track.pending = track.pending[keep:]
                track.offset += keep

        read = 0
        try:
            while True:
                block = sound.read(
                    min(block_frames, n_frames - read), dtype="float64", always_2d=True
                )
                read += len(block)
                final = read >= n_frames or len(block) == 0
                if len(block) and not np.isfinite(block).all():
                    bad = (
                        int(np.flatnonzero(~np.isfinite(block).all(axis=1))[0]) + read - len(block)
                    )
                    raise AudioFileError(path, f"holds a NaN or infinite sample (frame {bad})")
                for c in chosen:
                    track = tracks[c]
                    samples = block[:, c - 1]
                    if up != down:
                        samples = track.resampler.push(samples, final=final)
                    track.pending = (
                        np.concatenate([track.pending, samples]) if len(track.pending) else samples
                    )
                    take(c, track, final)
                if progress is not None:
                    progress(len(block) / rate)
                if final:
                    break
            scorer.finish()
        finally:
            scorer.close()
        if n_frames and read < n_frames:
            raise AudioFileError(
                path, f"is truncated: it declares {n_frames} frames but holds {read}"
            )

    def joined(parts: list[np.ndarray], dtype) -> np.ndarray:
        return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)

    columns = {
        "channel": joined(scorer.channels, np.int64),
        "first": joined(scorer.firsts, np.int64),
        "score": joined(scorer.scores, np.float64),
        "n_total": n_total,
    }
    return columns, n_frames / rate


def _recording_list(recordings) -> list[str]:
    if isinstance(recordings, (str, os.PathLike)):
        recordings = [recordings]
    paths = [os.fspath(path) for path in recordings]
    if not paths:
        raise ValueError("no recordings to scan")
    return paths


def scan(
    detector: Pipeline | BaseEstimator,
    recordings: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    hop: float = 0.5,
    channel: int | None = None,
    partial: str = "pad",
    sample_rate: int | None = None,
    duration: float | None = None,
    batch_size: int = 256,
    block_duration: float = 30.0,
    n_jobs: int | None = None,
    n_threads: int | None = None,
    progress: Callable[[float, float], None] | None = None,
) -> pd.DataFrame:
    """Score every window of a clip detector's length in long recordings.

    Parameters
    ----------
    detector : fitted classifier
        A fitted pipeline whose first step is an :class:`~whalefeat.AiffLoader`
        (its ``sample_rate`` and ``duration`` define the windows, and the steps
        after it score them), or any fitted classifier of decoded clips, with
        ``sample_rate`` and ``duration`` given. Its ``predict_proba`` column of
        class 1 is the score.
    recordings : path or iterable of paths
        Audio files of any length, rate and number of channels that libsndfile
        reads (WAV, FLAC, AIFF, ...).
    hop : float, default=0.5
        Seconds between window starts; a whole number of samples at the
        detector's rate.
    channel : int or None, default=None
        The channel to scan, counting from 1 as Raven does; None scans each.
    partial : {"pad", "drop"}, default="pad"
        The windows that would run past a recording's end: ``"pad"`` scores
        one more window, zero-padded, so that every sample is scanned (also a
        recording shorter than one window); ``"drop"`` scores full windows only.
    sample_rate : int, default=None
        The detector's sample rate in Hz; only for a detector without a loader.
    duration : float, default=None
        The detector's clip length in seconds; only for a detector without a
        loader.
    batch_size : int, default=256
        Windows scored per call of ``predict_proba``; the batches are the
        same whatever ``n_threads`` and ``block_duration``.
    block_duration : float, default=30.0
        Seconds of audio read at a time: memory is about this block plus
        ``batch_size`` windows, whatever the recording's length.
    n_jobs : int or None, default=None
        Recordings scanned in parallel with joblib (in a
        :func:`joblib.parallel_config` context, for example ``backend="dask"``,
        on that backend); the result is the serial one.
    n_threads : int or None, default=None
        Threads scoring the batches of windows of one recording side by side
        (the spectrogram's FFTs and most of the classifier's work release
        the GIL, so this uses several cores on one long recording). None: as
        many as the CPUs this process may use (:func:`joblib.cpu_count`)
        when the recordings are scanned one at a time (or there is one),
        else 1. During a scan
        the BLAS and OpenMP thread pools (threadpoolctl) are held to one
        thread, so the scores are the same whatever ``n_threads``.
    progress : callable, default=None
        Called as ``progress(seconds_done, seconds_total)`` of audio while
        scanning (after each block, or each recording when parallel).

    Returns
    -------
    windows : pandas.DataFrame
        One row per window: ``file`` (as given), ``channel``, ``start`` and
        ``end`` in seconds from the recording's start (``end`` of a padded
        window is the recording's end), and ``score``; in order of recording,
        channel and start. ``windows.attrs["durations"]`` maps each recording
        to its length in seconds, ``attrs["sample_rate"]`` is the detector's
        rate and ``attrs["hop"]`` the hop in seconds.

    Raises
    ------
    FileNotFoundError
        A recording that does not exist.
    whalefeat.io.AudioFileError
        A recording that cannot be read (not audio, not a regular file, NaN
        samples, truncated, a rate too far from the detector's).
    ValueError
        Bad parameters, or a channel that a recording does not have.

    Notes
    -----
    The resampled stream equals :func:`scipy.signal.resample_poly` of the
    whole recording (see :class:`StreamResampler`), and a recording at the
    detector's rate is scanned sample for sample: windows that fall exactly
    on clips give those clips' scores.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> import soundfile as sf
    >>> from sklearn.dummy import DummyClassifier
    >>> detector = DummyClassifier(strategy="prior").fit(np.zeros((4, 4000)), [0, 1, 1, 1])
    >>> folder = tempfile.TemporaryDirectory()
    >>> sf.write(f"{folder.name}/stereo.wav", np.zeros((30000, 2)), 8000)  # 3.75 s
    >>> windows = scan(detector, f"{folder.name}/stereo.wav", hop=1.0, sample_rate=2000,
    ...                duration=2.0)
    >>> windows[["channel", "start", "end", "score"]].to_numpy().tolist()[:3]
    [[1.0, 0.0, 2.0, 0.75], [1.0, 1.0, 3.0, 0.75], [1.0, 2.0, 3.75, 0.75]]
    >>> len(scan(detector, f"{folder.name}/stereo.wav", hop=1.0, sample_rate=2000,
    ...          duration=2.0, channel=2, partial="drop"))
    2
    >>> folder.cleanup()
    """
    pd = _pandas()
    from joblib import Parallel, delayed

    if partial not in ("pad", "drop"):
        raise ValueError(f"partial must be 'pad' or 'drop', got {partial!r}")
    if channel is not None and (
        isinstance(channel, bool) or not isinstance(channel, Integral) or channel < 1
    ):
        raise ValueError(f"channel must be None or an integer from 1, got {channel!r}")
    for name, value in (("batch_size", batch_size), ("n_threads", n_threads)):
        if name == "n_threads" and value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if (
        isinstance(block_duration, bool)
        or not isinstance(block_duration, Real)
        or not block_duration > 0
    ):
        raise ValueError(
            f"block_duration must be a positive number of seconds, got {block_duration!r}"
        )
    spec = _detector(detector, sample_rate, duration)
    hop_samples = _whole_samples(hop, spec.sample_rate, "hop")
    paths = _recording_list(recordings)
    total = 0.0
    for path in paths:  # every recording checked before any is scanned
        with _open(path) as sound:
            total += sound.frames / sound.samplerate
            _channels(path, sound.channels, channel)
            _resampling(path, sound.samplerate, spec.sample_rate)

    serial = n_jobs in (None, 1)
    if n_threads is None:
        from joblib import cpu_count

        n_threads = cpu_count() if serial or len(paths) == 1 else 1

    def settings(path: str) -> dict:
        with _open(path) as sound:
            rate = sound.samplerate
        return dict(
            hop=hop_samples,
            channel=channel,
            partial=partial,
            batch_size=batch_size,
            block_frames=max(1, int(block_duration * rate)),
            n_threads=n_threads,
        )

    done = 0.0
    results = []
    if serial:

        def advance(seconds: float) -> None:
            nonlocal done
            done += seconds
            if progress is not None:
                progress(min(done, total), total)

        for path in paths:
            results.append(_scan_file(spec, path, progress=advance, **settings(path)))
    else:
        tasks = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_scan_file)(spec, path, **settings(path)) for path in paths
        )
        for result in tasks:
            results.append(result)
            done += result[1]
            if progress is not None:
                progress(min(done, total), total)
    frames = []
    durations = {}
    for path, (columns, length) in zip(paths, results, strict=True):
        durations[path] = length
        first = np.asarray(columns["first"], dtype=np.int64)
        order = np.lexsort((first, np.asarray(columns["channel"], dtype=np.int64)))
        start = first[order] / spec.sample_rate
        frames.append(
            pd.DataFrame(
                {
                    "file": path,
                    "channel": np.asarray(columns["channel"], dtype=np.int64)[order],
                    "start": start,
                    "end": np.minimum(
                        start + spec.n_window / spec.sample_rate,
                        columns["n_total"] / spec.sample_rate,
                    ),
                    "score": np.asarray(columns["score"], dtype=np.float64)[order],
                },
                columns=_WINDOW_COLUMNS,
            )
        )
    windows = pd.concat(frames, ignore_index=True)
    windows.attrs = {
        "durations": durations,
        "sample_rate": spec.sample_rate,
        "hop": hop_samples / spec.sample_rate,
    }
    return windows


# --------------------------------------------------------------------------------------
# Events


def events(
    windows: pd.DataFrame,
    *,
    threshold: float = 0.5,
    min_gap: float = 0.0,
    min_duration: float = 0.0,
) -> pd.DataFrame:
    """Merge runs of windows scored at or above ``threshold`` into events.

    Within each file and channel, the windows in order of start form runs of
    consecutive windows at or above the threshold; each run is an event from
    its first window's start to its last window's end. Two runs separated by
    windows below the threshold whose starts span at most ``min_gap`` seconds
    (``n_below * hop``) join into one event.

    Parameters
    ----------
    windows : pandas.DataFrame
        As :func:`scan` returns it (columns file, channel, start, end, score):
        every window, its hop in ``attrs["hop"]`` (else the smallest spacing
        of the starts in each file and channel).
    threshold : float, default=0.5
        Windows whose score is at least this are detections.
    min_gap : float, default=0.0
        Longest stretch of window starts below the threshold, in seconds,
        that does not end an event; 0 ends an event at the first window below.
    min_duration : float, default=0.0
        Events shorter than this (seconds, from the first window's start to
        the last one's end) are left out.

    Returns
    -------
    events : pandas.DataFrame
        One row per event: ``file``, ``channel``, ``start``, ``end``, ``score``
        (the highest window score), ``peak_start`` (the start of the first
        window with that score) and ``n_windows`` (those at or above the
        threshold); ``attrs`` as ``windows``'.

    Examples
    --------
    >>> import pandas as pd
    >>> windows = pd.DataFrame({"file": "a.wav", "channel": 1,
    ...                         "start": [0.0, 0.5, 1.0, 1.5, 2.0, 2.5],
    ...                         "end": [2.0, 2.5, 3.0, 3.5, 4.0, 4.5],
    ...                         "score": [0.9, 0.95, 0.2, 0.7, 0.8, 0.1]})
    >>> events(windows)[["start", "end", "score", "n_windows"]].to_numpy().tolist()
    [[0.0, 2.5, 0.95, 2.0], [1.5, 4.0, 0.8, 2.0]]
    >>> events(windows, min_gap=0.5)[["start", "end", "n_windows"]].to_numpy().tolist()
    [[0.0, 4.0, 4.0]]
    """
    pd = _pandas()

    for name, value in (
        ("threshold", threshold),
        ("min_gap", min_gap),
        ("min_duration", min_duration),
    ):
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    if min_gap < 0 or min_duration < 0:
        raise ValueError("min_gap and min_duration must not be negative")
    missing = set(_WINDOW_COLUMNS) - set(windows.columns)
    if missing:
        raise ValueError(f"windows lacks the columns {sorted(missing)}; pass what scan returns")
    rows = []
    for (file, channel), group in windows.groupby(["file", "channel"], sort=False):
        group = group.sort_values("start", kind="stable")
        starts = group["start"].to_numpy(dtype=np.float64)
        steps = np.diff(starts)
        hop = windows.attrs.get("hop")
        if hop is None:  # not from scan: the spacing of the starts
            hop = float(steps[steps > 0].min()) if np.any(steps > 0) else 0.0
        current = None
        below = 0  # windows below the threshold since the current event's last window
        for start, end, score in zip(starts, group["end"], group["score"], strict=True):
            if score < threshold:
                below += 1
                continue
            if current is not None and below * hop <= min_gap + 1e-9 * hop:
                current["end"] = max(current["end"], end)
                current["n_windows"] += 1
                if score > current["score"]:
                    current["score"], current["peak_start"] = score, start
            else:
                if current is not None:
                    rows.append(current)
                current = {
                    "file": file,
                    "channel": channel,
                    "start": start,
                    "end": end,
                    "score": score,
                    "peak_start": start,
                    "n_windows": 1,
                }
            below = 0
        if current is not None:
            rows.append(current)
    found = pd.DataFrame(rows, columns=_EVENT_COLUMNS)
    found = found[found["end"] - found["start"] >= min_duration].reset_index(drop=True)
    found = found.astype(
        {
            "channel": np.int64,
            "n_windows": np.int64,
            "start": np.float64,
            "end": np.float64,
            "score": np.float64,
            "peak_start": np.float64,
        }
    )
    found.attrs = dict(windows.attrs)
    return found


# --------------------------------------------------------------------------------------
# Selection tables


def _format(value) -> str:
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


def _file_offsets(found, durations: Mapping[str, float] | None) -> dict[str, float]:
    """Start of each file on the time line of all the files one after the other."""
    import soundfile as sf

    durations = dict(durations if durations is not None else found.attrs.get("durations", {}))
    files = list(dict.fromkeys(found["file"]))
    order = list(durations) + [file for file in files if file not in durations]
    offsets, elapsed = {}, 0.0
    for file in order:
        offsets[file] = elapsed
        if file not in durations:
            durations[file] = sf.info(file).duration
        elapsed += float(durations[file])
    return offsets


def write_selections(
    found: pd.DataFrame,
    path: str | os.PathLike,
    *,
    kind: str | None = None,
    low_freq: float = 50.0,
    high_freq: float = 250.0,
    durations: Mapping[str, float] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write events as a Raven Pro selection table or as CSV, atomically.

    Parameters
    ----------
    found : pandas.DataFrame
        Events (from :func:`events`) or windows (from :func:`scan`): columns
        file, channel, start, end and score.
    path : str or os.PathLike
        The file to write (written to a temporary file beside it, then renamed).
    kind : {"raven", "csv"} or None, default=None
        None: ``"csv"`` for a ``.csv`` name, else ``"raven"``.
    low_freq, high_freq : float, default=50.0, 250.0
        The frequency band of every selection box in a Raven table, Hz (the
        band of a right whale up-call).
    durations : mapping of str to float, default=None
        Length in seconds of every scanned recording, in the order Raven opens
        them: ``Begin Time (s)`` counts from the start of the first. Defaults
        to ``found.attrs["durations"]`` (set by :func:`scan`), else the
        lengths of the files named.
    overwrite : bool, default=False
        Whether an existing file may be replaced.

    Returns
    -------
    path : pathlib.Path
        The file written.

    Notes
    -----
    The Raven table is tab-separated text with the columns of
    :data:`RAVEN_COLUMNS` (``View`` is "Spectrogram 1", ``Begin File`` the
    recording's file name and ``File Offset (s)`` the time in it), which
    Raven Pro opens with File > Open Selection Table. The CSV file has one row
    per event with the columns of ``found``. Numbers are written with all their
    digits, so :func:`read_selections` reads back what was written.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> folder = tempfile.TemporaryDirectory()
    >>> found = pd.DataFrame({"file": ["a.wav", "b.wav"], "channel": [1, 1],
    ...                       "start": [3.0, 1.5], "end": [5.0, 3.5], "score": [0.9, 0.8]})
    >>> path = write_selections(found, f"{folder.name}/s.txt",
    ...                         durations={"a.wav": 60.0, "b.wav": 60.0})
    >>> print(" | ".join(path.read_text().splitlines()[2].split(chr(9))))  # tab-separated
    2 | Spectrogram 1 | 1 | 61.5 | 63.5 | 50.0 | 250.0 | b.wav | 1.5 | 0.8
    >>> folder.cleanup()
    """
    from ._atomic import atomic_write

    if kind is None:
        kind = "csv" if Path(path).suffix.lower() == ".csv" else "raven"
    if kind not in ("raven", "csv"):
        raise ValueError(f"kind must be 'raven' or 'csv', got {kind!r}")
    missing = {"file", "channel", "start", "end", "score"} - set(found.columns)
    if missing:
        raise ValueError(f"found lacks the columns {sorted(missing)}")
    if not (math.isfinite(low_freq) and math.isfinite(high_freq) and 0 <= low_freq < high_freq):
        raise ValueError(f"need 0 <= low_freq < high_freq, got {low_freq!r}, {high_freq!r}")
    text = io.StringIO()
    if kind == "csv":
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(list(found.columns))
        for row in found.itertuples(index=False):
            writer.writerow([_format(value) for value in row])
    else:
        offsets = _file_offsets(found, durations)
        text.write("\t".join(RAVEN_COLUMNS) + "\n")
        for number, row in enumerate(found.itertuples(index=False), start=1):
            start, end = float(row.start), float(row.end)
            file = str(row.file)
            values = [
                number,
                "Spectrogram 1",
                int(row.channel),
                offsets[file] + start,
                offsets[file] + end,
                float(low_freq),
                float(high_freq),
                Path(file).name,
                start,
                float(row.score),
            ]
            if any("\t" in str(value) or "\n" in str(value) for value in values):
                raise ValueError(
                    f"{file}: a file name with a tab or newline cannot go in a Raven table"
                )
            text.write("\t".join(_format(value) for value in values) + "\n")
    data = text.getvalue().encode("utf-8")
    return atomic_write(path, lambda handle: handle.write(data), overwrite=overwrite)


def read_selections(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Raven selection table or a CSV table that :func:`write_selections` wrote.

    Parameters
    ----------
    path : str or os.PathLike
        A tab-separated Raven table (any Raven table: its header names the
        columns) or a CSV file.

    Returns
    -------
    table : pandas.DataFrame
        The columns of the file, numbers as numbers.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> folder = tempfile.TemporaryDirectory()
    >>> found = pd.DataFrame({"file": ["a.wav"], "channel": [1], "start": [12.5],
    ...                       "end": [14.5], "score": [0.93]})
    >>> table = read_selections(write_selections(found, f"{folder.name}/a.txt",
    ...                                          durations={"a.wav": 60.0}))
    >>> table[["Begin Time (s)", "End Time (s)", "Begin File", "Score"]].to_numpy().tolist()
    [[12.5, 14.5, 'a.wav', 0.93]]
    >>> folder.cleanup()
    """
    pd = _pandas()

    path = Path(path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header = handle.readline()
    separator = "\t" if "\t" in header else ","
    return pd.read_csv(path, sep=separator, encoding="utf-8-sig")


# --------------------------------------------------------------------------------------
# Saved models


class ModelVersionWarning(UserWarning):
    """A saved model loaded under versions it was not made with.

    :func:`load_model` issues it when the whalefeat or scikit-learn version
    recorded with the model differs from the running one, or when the file
    records none.

    Examples
    --------
    >>> issubclass(ModelVersionWarning, UserWarning)
    True
    """


def save_model(
    pipeline: BaseEstimator,
    path: str | os.PathLike,
    *,
    name: str | None = None,
    overwrite: bool = False,
    **metadata: object,
) -> Path:
    """Save a fitted detector with joblib, with the versions it was made with.

    Parameters
    ----------
    pipeline : fitted estimator
        Usually a fitted pipeline of :mod:`whalefeat.pipelines`.
    path : str or os.PathLike
        The file to write, atomically.
    name : str, default=None
        The pipeline's name, recorded.
    overwrite : bool, default=False
        Whether an existing file may be replaced.
    **metadata
        More to record (JSON-like values), such as the training data.

    Returns
    -------
    path : pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.dummy import DummyClassifier
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = save_model(DummyClassifier().fit([[0], [1]], [0, 1]), f"{folder.name}/m.joblib",
    ...                   name="dummy")
    >>> model, info = load_model(path, with_metadata=True)
    >>> import sklearn
    >>> info["name"], info["versions"]["scikit-learn"] == sklearn.__version__
    ('dummy', True)
    >>> folder.cleanup()
    """
    import joblib

    from ._atomic import atomic_write
    from ._evaluation import versions

    record = {
        "format": _MODEL_FORMAT,
        "format_version": 1,
        "pipeline": pipeline,
        "name": name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "versions": versions(
            ("whalefeat", "scikit-learn", "numpy", "scipy", "keras", "tensorflow", "jax", "torch")
        ),
        **metadata,
    }
    return atomic_write(path, lambda handle: joblib.dump(record, handle), overwrite=overwrite)


def load_model(
    path: str | os.PathLike, *, with_metadata: bool = False
) -> BaseEstimator | tuple[BaseEstimator, dict]:
    """Load a detector that :func:`save_model` (or ``whalefeat evaluate --save``) wrote.

    Warns with :class:`ModelVersionWarning` when the whalefeat or
    scikit-learn version it was saved with differs from the one running (its
    predictions may then differ, or fail), or when the file records no
    versions. Only load files you trust: joblib files can run code.

    Parameters
    ----------
    path : str or os.PathLike
        The model file.
    with_metadata : bool, default=False
        Whether to return what was recorded with it too.

    Returns
    -------
    model : fitted estimator
        The detector, as it was saved.
    metadata : dict
        Only with ``with_metadata``: ``name``, ``created``, ``versions`` and
        what was passed to :func:`save_model`.

    Examples
    --------
    >>> import tempfile
    >>> import warnings
    >>> import joblib
    >>> from sklearn.dummy import DummyClassifier
    >>> folder = tempfile.TemporaryDirectory()
    >>> model = DummyClassifier().fit([[0], [1]], [0, 1])
    >>> _ = joblib.dump(model, f"{folder.name}/bare.joblib")   # no versions recorded
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     loaded = load_model(f"{folder.name}/bare.joblib")
    >>> caught[0].category.__name__
    'ModelVersionWarning'
    >>> folder.cleanup()
    """
    import joblib

    from ._evaluation import versions

    try:
        from sklearn.exceptions import InconsistentVersionWarning
    except ImportError:  # pragma: no cover - scikit-learn < 1.3
        InconsistentVersionWarning = UserWarning  # noqa: N806
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        record = joblib.load(path)
    inconsistent = [w for w in caught if issubclass(w.category, InconsistentVersionWarning)]
    if isinstance(record, dict) and record.get("format") == _MODEL_FORMAT:
        model = record["pipeline"]
        metadata = {key: value for key, value in record.items() if key != "pipeline"}
        saved = metadata.get("versions", {})
        now = versions(("whalefeat", "scikit-learn"))
        changed = [
            f"{package} {saved.get(package, 'unknown')} (now {now.get(package)})"
            for package in ("whalefeat", "scikit-learn")
            if saved.get(package) != now.get(package)
        ]
        if changed:
            warnings.warn(
                f"{path} was saved with {' and '.join(changed)}; its predictions "
                "may differ or fail: refit it with these versions",
                ModelVersionWarning,
                stacklevel=2,
            )
        else:
            inconsistent = []
    else:
        model, metadata = record, {}
        warnings.warn(
            f"{path} records no versions (it predates whalefeat.detect.save_model); "
            "if it was made with other versions of whalefeat or scikit-learn, its "
            "predictions may differ",
            ModelVersionWarning,
            stacklevel=2,
        )
    for warning in caught:
        if warning in inconsistent and isinstance(record, dict):
            continue  # said once, above
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    if not hasattr(model, "predict_proba"):
        raise TypeError(
            f"{path} holds a {type(model).__name__}, not a detector with predict_proba"
        )
    return (model, metadata) if with_metadata else model
