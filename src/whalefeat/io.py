"""Load mono audio clips (AIFF, WAV, FLAC, ...) into a 2-D array.

:class:`AiffLoader` is a stateless scikit-learn transformer that turns a 1-D
sequence of file paths into an array of shape ``(n_clips, n_samples)``;
:func:`read_clip` reads one file with the same checks. Both read through
`soundfile <https://python-soundfile.readthedocs.io>`_ (libsndfile) straight
into a preallocated output, and every problem with a file is reported with its
path and what was wrong.
"""

from __future__ import annotations

import math
import os
import re
import stat
import struct
from dataclasses import dataclass, replace
from numbers import Integral, Real

import numpy as np
import soundfile as sf
from joblib import Parallel, delayed, effective_n_jobs
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import validate_data

from ._compat import Interval, Options, StrOptions, _fit_context, validate_params
from ._validation import N_JOBS_CONSTRAINTS, check_paths

__all__ = ["AiffLoader", "AudioFileError", "read_clip"]

_LENGTH_POLICIES = ("error", "pad", "crop", "pad_or_crop")
_DTYPE_OPTIONS = [
    StrOptions({"float32", "float64"}),
    Options(type, {np.float32, np.float64}),
]
_HEADER_BYTES = 1024
# AIFF-C compression types whose COMM frame count is a plain sample-frame count
_AIFC_PCM = frozenset(
    {
        b"NONE",
        b"none",
        b"sowt",
        b"twos",
        b"raw ",
        b"in24",
        b"in32",
        b"fl32",
        b"FL32",
        b"fl64",
        b"FL64",
        b"alaw",
        b"ulaw",
        b"ALAW",
        b"ULAW",
    }
)
# WAVE format tags whose block align is one sample frame
_WAV_PCM = frozenset({0x0001, 0x0003, 0x0006, 0x0007, 0xFFFE})
# libsndfile is handed an already open descriptor where the C runtime allows it
# (one open() per file); on Windows it opens the path itself.
_POSIX = hasattr(os, "pread")


class AudioFileError(ValueError):
    """An audio file that exists but cannot be used as asked.

    Parameters
    ----------
    path : str
        The file.
    reason : str
        What is wrong with it; the message reads ``"{path}: {reason}"``.

    Examples
    --------
    >>> error = AudioFileError("clip.aiff", "is empty (0 frames)")
    >>> str(error)
    'clip.aiff: is empty (0 frames)'
    >>> isinstance(error, ValueError)
    True
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[AudioFileError], tuple[str, str]]:
        return type(self), (self.path, self.reason)


@dataclass(frozen=True)
class _Spec:
    """What every clip must be; ``n_samples=None`` keeps each file's own length."""

    sample_rate: int
    n_samples: int | None
    on_length: str
    resample: bool
    dtype: np.dtype
    #: with duration=None, the clip whose length every other clip must match
    reference: str | None = None


def _n_samples(duration: float | None, sample_rate: int) -> int | None:
    if duration is None:
        return None
    exact = duration * sample_rate
    n = round(exact)
    if n < 1 or not math.isclose(exact, n, rel_tol=1e-9, abs_tol=1e-9):
        raise ValueError(
            f"duration * sample_rate = {duration!r} * {sample_rate} = {exact!r} is not a "
            "whole, positive number of samples"
        )
    return n


def _declared_frames(header: bytes, read_at) -> int | None:
    """Frame count an AIFF/AIFF-C or WAV header declares; ``None`` when unknown.

    libsndfile silently shortens a truncated AIFF or WAV file to the frames it
    holds, so the header's own count is the only trace of the missing part.
    """
    if len(header) < 12:
        return None
    if header[:4] == b"FORM" and header[8:12] in (b"AIFF", b"AIFC"):
        chunk_format = ">4sI"
    elif header[:4] == b"RIFF" and header[8:12] == b"WAVE":
        chunk_format = "<4sI"
    else:
        return None
    aiff = chunk_format[0] == ">"

    def read(offset: int, size: int) -> bytes:
        if offset + size <= len(header):
            return header[offset : offset + size]
        return read_at(offset, size)

    offset = 12
    block_align = None
    while True:
        chunk = read(offset, 8)
        if len(chunk) < 8:
            return None
        chunk_id, size = struct.unpack(chunk_format, chunk)
        if aiff and chunk_id == b"COMM":
            data = read(offset + 8, min(size, 22))
            if len(data) < 6:
                return None
            if header[8:12] == b"AIFC" and data[18:22] not in _AIFC_PCM:
                return None
            return struct.unpack(">I", data[2:6])[0]
        if not aiff and chunk_id == b"fmt ":
            data = read(offset + 8, 14)
            if len(data) < 14:
                return None
            tag, block_align = struct.unpack("<H10xH", data)
            if tag not in _WAV_PCM or block_align == 0:
                return None
        elif not aiff and chunk_id == b"data":
            if block_align is None or size in (0, 0xFFFFFFFF):  # streamed: size unknown
                return None
            return size // block_align
        offset += 8 + size + (size & 1)


def _display(path: str) -> str:
    """``path`` as printed in messages: control characters such as NUL escaped."""
    if path.isprintable():
        return path
    return repr(path)[1:-1]


# Least bytes one sample of a subtype takes in a file; for the codecs left out
# (FLAC, ALAC, Vorbis, Opus, MPEG, DWVW) a bound no real file comes near.
_MIN_SAMPLE_BYTES = {
    "PCM_S8": 1.0,
    "PCM_U8": 1.0,
    "ULAW": 1.0,
    "ALAW": 1.0,
    "DPCM_8": 1.0,
    "PCM_16": 2.0,
    "DPCM_16": 2.0,
    "PCM_24": 3.0,
    "PCM_32": 4.0,
    "FLOAT": 4.0,
    "DOUBLE": 8.0,
    "IMA_ADPCM": 0.5,
    "MS_ADPCM": 0.5,
    "VOX_ADPCM": 0.5,
    "G721_32": 0.5,
    "G723_24": 3 / 8,
    "G723_40": 5 / 8,
    "GSM610": 65 / 320,
    "NMS_ADPCM_16": 0.25,
    "NMS_ADPCM_24": 0.375,
    "NMS_ADPCM_32": 0.5,
}
_MIN_COMPRESSED_SAMPLE_BYTES = 1 / 8192
_COMPRESSED_FORMATS = frozenset({"FLAC", "OGG", "MPEG"})
_SIZE_SLACK_BYTES = 4096
#: the largest factor by which a clip's sample rate may differ from the one asked
MAX_RESAMPLING_RATIO = 1024
#: the largest up or down factor (after reduction) of the polyphase filter
MAX_RESAMPLING_FACTOR = 2**16
_BLOCK_FRAMES = 2**16
# "NAME : 8000 (should be 3988)": a chunk or data size libsndfile found larger
# than the file; sizes 0 and all-ones mean "unknown" (streamed files)
_LOG_SHOULD_BE = re.compile(r"^\s*([^:\n]+?)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.M)
_LOG_FRAMES = re.compile(r"^\s*frames\s*:\s*(\d+)\s*$", re.M | re.I)
_LOG_TRUNCATED = re.compile(
    r"Chunk size (\d+) > file length (\d+)|File seems to be truncated|"
    r"Seems to be a truncated file|Calculated frame count (\d+) does not match value "
    r"from '\w+' chunk of (\d+)"
)
_UNKNOWN_SIZES = frozenset({0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF})
_NIST_COUNT = re.compile(rb"\nsample_count -i (\d+)\s")


def _log_truncation(log: str, header: bytes, frames: int) -> str | None:
    """Why libsndfile's header log shows a file shorter than it declares, or None.

    libsndfile shortens a file whose data chunk runs past its end to the frames
    it holds (for every codec), and notes the mismatch only in its log; a
    header's frame count (AIFF COMM, WAV fact, ds64, FLAC STREAMINFO, ...)
    beyond the frames present means the same.
    """
    for match in _LOG_SHOULD_BE.finditer(log):
        declared, present = int(match.group(2)), int(match.group(3))
        if declared > present and declared not in _UNKNOWN_SIZES:
            return (
                f"its header gives {match.group(1)} as {declared} bytes but only "
                f"{present} are in the file"
            )
    match = _LOG_TRUNCATED.search(log)
    if match is not None:
        if match.group(3) is not None:
            if int(match.group(4)) > int(match.group(3)):
                return (
                    f"its header declares {match.group(4)} frames but the file holds "
                    f"only {match.group(3)}"
                )
        else:
            return "its data end before the size its header declares"
    counts = [int(count) for count in _LOG_FRAMES.findall(log)]
    if header.startswith(b"NIST_1A"):
        counts += [int(count) for count in _NIST_COUNT.findall(header)]
    declared = max(counts, default=0)
    if declared > frames:
        return f"its header declares {declared} frames but the file holds only {frames}"
    return None


def _length_reason(path: str, n_have: int, spec: _Spec, note: str) -> AudioFileError:
    if spec.reference is not None:
        return AudioFileError(
            path,
            f"has {n_have} samples{note} but the first clip ({spec.reference}) has "
            f"{spec.n_samples}; with duration=None all clips must have the same length "
            "(set duration, and on_length to pad or crop)",
        )
    shorter = n_have < spec.n_samples
    fix = (
        "'pad' or 'pad_or_crop' to zero-pad it"
        if shorter
        else "'crop' or 'pad_or_crop' to crop it"
    )
    return AudioFileError(
        path,
        f"has {n_have} samples{note} ({n_have / spec.sample_rate:g} s at "
        f"{spec.sample_rate} Hz); expected {spec.n_samples} "
        f"({spec.n_samples / spec.sample_rate:g} s); set on_length to {fix} "
        "(--on-length on the command line)",
    )


def _n_to_keep(path: str, n_have: int, spec: _Spec, note: str = "") -> int:
    """How many leading samples of an ``n_have``-sample clip fill the output row."""
    n_want = spec.n_samples
    if n_want is None or n_have == n_want:
        return n_have
    policy = spec.on_length if spec.reference is None else "error"
    if n_have < n_want and policy in ("pad", "pad_or_crop"):
        return n_have
    if n_have > n_want and policy in ("crop", "pad_or_crop"):
        return n_want
    raise _length_reason(path, n_have, spec, note)


def _check_size(path: str, sound: sf.SoundFile, file_size: int) -> None:
    """Refuse a frame count the file is too small to hold, before anything is allocated."""
    per_sample = (
        _MIN_COMPRESSED_SAMPLE_BYTES
        if sound.format in _COMPRESSED_FORMATS
        else _MIN_SAMPLE_BYTES.get(sound.subtype, _MIN_COMPRESSED_SAMPLE_BYTES)
    )
    needed = sound.frames * sound.channels * per_sample
    # slack for codecs whose frame count libsndfile rounds up to whole blocks
    if needed > 2 * file_size + _SIZE_SLACK_BYTES:
        raise AudioFileError(
            path,
            f"is truncated or corrupt: its header declares {sound.frames} frames of "
            f"{sound.subtype}, which take at least {math.ceil(needed)} bytes, but the file "
            f"is {file_size} bytes long",
        )


def _resampling_factors(path: str, rate: int, spec: _Spec) -> tuple[int, int]:
    ratio = max(rate / spec.sample_rate, spec.sample_rate / rate)
    divisor = math.gcd(spec.sample_rate, rate)
    up, down = spec.sample_rate // divisor, rate // divisor
    if ratio > MAX_RESAMPLING_RATIO or max(up, down) > MAX_RESAMPLING_FACTOR:
        raise AudioFileError(
            path,
            f"has sample rate {rate} Hz, which cannot be resampled to {spec.sample_rate} Hz: "
            f"rates may differ by a factor of at most {MAX_RESAMPLING_RATIO}, and the "
            f"reduced ratio up/down = {up}/{down} may have factors of at most "
            f"{MAX_RESAMPLING_FACTOR}",
        )
    return up, down


def _read_open(
    path: str,
    sound: sf.SoundFile,
    header: bytes,
    file_size: int,
    declared: int | None,
    out: np.ndarray | None,
    spec: _Spec,
) -> np.ndarray:
    channels = sound.channels
    if channels != 1:
        raise AudioFileError(path, f"has {channels} channels; expected mono (1 channel)")
    frames = sound.frames
    if declared is not None and declared > frames:
        raise AudioFileError(
            path,
            f"is truncated: its header declares {declared} frames but the file holds "
            f"only {frames}",
        )
    _check_size(path, sound, file_size)
    if header[:4] in (b".snd", b"dns.") and len(header) >= 24:
        # libsndfile reads an AU file whose data would start inside its 24-byte
        # header differently from a path and from a descriptor: refuse it
        offset = int.from_bytes(header[4:8], "big" if header[0] == 0x2E else "little")
        if offset < 24:
            raise AudioFileError(
                path,
                f"is corrupt: its AU header puts the data at byte "
                f"{offset}, inside the 24-byte header",
            )
    truncation = _log_truncation(sound.extra_info, header, frames)
    if truncation is not None:
        raise AudioFileError(path, f"is truncated: {truncation}")
    if frames == 0:
        raise AudioFileError(path, "is empty (0 frames)")
    rate = sound.samplerate
    if rate != spec.sample_rate:
        if not spec.resample:
            raise AudioFileError(
                path,
                f"has sample rate {rate} Hz; expected {spec.sample_rate} Hz "
                "(pass resample=True to convert it)",
            )
        up, down = _resampling_factors(path, rate, spec)
        note = f" after resampling from {rate} Hz"
        # resample_poly's output length, known before anything is decoded
        n_keep = _n_to_keep(path, -(-frames * up // down), spec, note)
        from scipy.signal import resample_poly  # slow to import; only resampling needs it

        data = resample_poly(_decode(path, sound, frames, "float64"), up, down)
        out = _output_row(out, n_keep, spec)
        out[:n_keep] = data[:n_keep]
        _check_finite(path, out[:n_keep], note)
    else:
        n_keep = _n_to_keep(path, frames, spec)
        if out is None and spec.n_samples is None:
            out = _decode(path, sound, n_keep, spec.dtype)
        else:
            out = _output_row(out, n_keep, spec)
            _decode(path, sound, n_keep, spec.dtype, out=out[:n_keep])
        _check_finite(path, out[:n_keep])
    out[n_keep:] = 0
    return out


def _check_finite(path: str, clip: np.ndarray, note: str = "") -> None:
    finite = np.isfinite(clip)
    if not finite.all():
        first = int(np.argmin(finite))
        raise AudioFileError(
            path,
            f"holds a non-finite sample ({clip[first]} at sample {first}{note}); NaN and "
            "infinite samples are refused (a large value of a float file may also overflow "
            f"{clip.dtype}: then read with dtype='float64')",
        )


def _output_row(out: np.ndarray | None, n_keep: int, spec: _Spec) -> np.ndarray:
    if out is not None:
        return out
    return np.empty(n_keep if spec.n_samples is None else spec.n_samples, dtype=spec.dtype)


def _decode(
    path: str, sound: sf.SoundFile, n_frames: int, dtype, out: np.ndarray | None = None
) -> np.ndarray:
    """Read ``n_frames`` from the start of ``sound``; fewer means the file is cut short.

    Without ``out`` the frames are read in blocks, so the memory taken follows
    the data actually decoded, not the count a header claims.
    """
    try:
        if out is not None:
            data = sound.read(out=out)
        else:
            blocks, n_read = [], 0
            while n_read < n_frames:
                block = sound.read(min(_BLOCK_FRAMES, n_frames - n_read), dtype=dtype)
                if len(block) == 0:
                    break
                blocks.append(block)
                n_read += len(block)
            data = np.concatenate(blocks) if blocks else np.empty(0, dtype=dtype)
    except sf.LibsndfileError as exc:
        raise AudioFileError(
            path, f"is truncated or corrupt: decoding failed ({exc.error_string})"
        ) from None
    if len(data) < n_frames:
        raise AudioFileError(
            path, f"is truncated: only {len(data)} of its {sound.frames} frames could be decoded"
        )
    return data


def _open_regular(path: str) -> tuple[int, int]:
    """Open a regular file for reading; its descriptor and size.

    Anything else (a folder, a named pipe, a device, a socket) is refused
    before it is opened, so that nothing blocks waiting on a writer.
    """
    if "\x00" in path:
        raise AudioFileError(_display(path), "is not a valid path: it holds a NUL byte")
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"{_display(path)}: no such audio file") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise AudioFileError(_display(path), f"cannot be opened ({reason})") from None
    if not stat.S_ISREG(status.st_mode):
        raise AudioFileError(
            _display(path),
            f"is not a regular file ({_file_kind(status)}); cannot be opened as audio",
        )
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileNotFoundError(f"{_display(path)}: no such audio file") from None
    except OSError as exc:
        raise AudioFileError(_display(path), f"cannot be opened ({exc.strerror})") from None
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode):  # replaced between stat and open
        os.close(fd)
        raise AudioFileError(
            _display(path),
            f"is not a regular file ({_file_kind(status)}); cannot be opened as audio",
        )
    return fd, status.st_size


def _file_kind(status: os.stat_result) -> str:
    mode = status.st_mode
    for test, kind in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "not a plain file"


def _read_into(path: str, out: np.ndarray | None, spec: _Spec) -> np.ndarray:
    """Read the clip at ``path`` into ``out`` (or a new array) and return it."""
    fd, file_size = _open_regular(path)
    try:
        if _POSIX:

            def read_at(offset: int, size: int) -> bytes:
                return os.pread(fd, size, offset)
        else:  # pragma: no cover - exercised on Windows only

            def read_at(offset: int, size: int) -> bytes:
                os.lseek(fd, offset, os.SEEK_SET)
                return os.read(fd, size)

        try:
            header = read_at(0, _HEADER_BYTES)
        except OSError as exc:
            raise AudioFileError(path, f"cannot be read ({exc.strerror})") from None
        try:
            sound = sf.SoundFile(fd if _POSIX else path, closefd=False)
        except sf.LibsndfileError as exc:
            raise AudioFileError(
                path, f"is not a readable audio file ({exc.error_string})"
            ) from None
        with sound:
            return _read_open(
                path, sound, header, file_size, _declared_frames(header, read_at), out, spec
            )
    finally:
        os.close(fd)


def _read_range(paths: np.ndarray, spec: _Spec) -> np.ndarray:
    """The rows of ``paths`` (a block of the input); returned, so any joblib backend can run it."""
    block = np.empty((len(paths), spec.n_samples), dtype=spec.dtype)
    for i, path in enumerate(paths):
        _read_into(path, block[i], spec)
    return block


def _read_all(paths: np.ndarray, spec: _Spec, n_jobs: int | None) -> np.ndarray:
    start = 0
    if spec.n_samples is None:
        first = _read_into(paths[0], None, spec)
        spec = replace(spec, n_samples=len(first), reference=paths[0])
        start = 1
    n_workers = min(effective_n_jobs(n_jobs), len(paths) - start)
    if n_workers <= 1:
        out = np.empty((len(paths), spec.n_samples), dtype=spec.dtype)
        for i in range(start, len(paths)):
            _read_into(paths[i], out[i], spec)
    else:
        # a few blocks per worker keep the workers busy when some files are slower;
        # each worker gets its block's paths only and returns its rows as an array
        # (workers may be processes, or on other machines), copied into place here
        bounds = np.linspace(start, len(paths), 4 * n_workers + 1).astype(int)
        ranges = [(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
        blocks = Parallel(n_jobs=n_workers, prefer="processes")(
            delayed(_read_range)(paths[a:b], spec) for a, b in ranges
        )
        out = np.empty((len(paths), spec.n_samples), dtype=spec.dtype)
        for (a, b), block in zip(ranges, blocks, strict=True):
            out[a:b] = block
    if start:
        out[0] = first
    return out


@validate_params(
    {
        "path": [str, os.PathLike],
        "sample_rate": [Interval(Integral, 1, None, closed="left")],
        "duration": [Interval(Real, 0, None, closed="neither"), None],
        "on_length": [StrOptions(set(_LENGTH_POLICIES))],
        "resample": ["boolean"],
        "dtype": _DTYPE_OPTIONS,
    },
    prefer_skip_nested_validation=True,
)
def read_clip(
    path: str | os.PathLike,
    *,
    sample_rate: int = 2000,
    duration: float | None = None,
    on_length: str = "error",
    resample: bool = False,
    dtype: str | type = "float32",
) -> np.ndarray:
    """Read one mono clip, with the checks of :class:`AiffLoader`.

    Parameters
    ----------
    path : str or os.PathLike
        An audio file that libsndfile reads (AIFF/AIF, WAV, FLAC, ...).
    sample_rate : int, default=2000
        Expected sample rate in Hz.
    duration : float or None, default=None
        Expected duration in seconds; ``None`` keeps the file's own length.
    on_length : {"error", "pad", "crop", "pad_or_crop"}, default="error"
        What to do with a clip whose length differs from ``duration``; see
        :class:`AiffLoader`.
    resample : bool, default=False
        Convert a file at another rate to ``sample_rate`` (polyphase filter)
        instead of raising.
    dtype : {"float32", "float64"}, default="float32"
        Output dtype.

    Returns
    -------
    clip : ndarray of shape (n_samples,)
        Samples in [-1, 1] as soundfile returns them for PCM files.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    AudioFileError
        If the file is not a regular file, not audio, truncated, empty, not
        mono, holds non-finite samples, is at another sample rate (unless
        ``resample``; with it, at a rate more than
        ``MAX_RESAMPLING_RATIO`` times away), or of another length than
        asked.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> import soundfile as sf
    >>> from whalefeat.io import read_clip
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = f"{folder.name}/tone.aiff"
    >>> sf.write(path, np.full(3000, 0.5), 2000, subtype="PCM_16")
    >>> read_clip(path).shape
    (3000,)
    >>> clip = read_clip(path, duration=2.0, on_length="pad")
    >>> clip.shape, clip[2999], clip[3000]
    ((4000,), np.float32(0.5), np.float32(0.0))
    >>> read_clip(path, sample_rate=4000, resample=True).shape
    (6000,)
    >>> folder.cleanup()
    """
    spec = _Spec(
        sample_rate, _n_samples(duration, sample_rate), on_length, resample, np.dtype(dtype)
    )
    return _read_into(os.fspath(path), None, spec)


class AiffLoader(TransformerMixin, BaseEstimator):
    """Load mono audio clips from file paths into an array.

    A stateless transformer: a 1-D sequence of paths in, an array of shape
    ``(n_clips, n_samples)`` out, with ``n_samples = duration * sample_rate``.
    Files are read with libsndfile (AIFF/AIF, WAV, FLAC, ...) straight into the
    output array; samples of PCM files lie in [-1, 1].

    Every file is checked, and a problem raises an error that names the file
    and says what was wrong: missing (:class:`FileNotFoundError`); not a
    regular file (a folder, a named pipe, a device: refused before it is
    opened), not audio, truncated (its header declares more data than it
    holds, for every codec), a frame count the file is too small to hold,
    empty, more than one channel, NaN or infinite samples, another sample rate
    (or, with ``resample``, one too far from ``sample_rate``), or another
    length (:class:`AudioFileError`, a :class:`ValueError`). Nothing is
    padded, cropped or resampled unless asked. The user guide's "Errors and
    limits" page lists every check.

    Parameters
    ----------
    sample_rate : int, default=2000
        Expected sample rate in Hz.
    duration : float or None, default=2.0
        Clip duration in seconds. ``None`` uses the files' own length, which
        then must be the same for every file (``on_length`` does not apply).
    on_length : {"error", "pad", "crop", "pad_or_crop"}, default="error"
        Policy for a clip whose length differs from ``duration``: ``"error"``
        raises; ``"pad"`` appends zeros to a shorter clip (a longer one
        raises); ``"crop"`` keeps the first ``n_samples`` of a longer clip (a
        shorter one raises); ``"pad_or_crop"`` does both.
    resample : bool, default=False
        Whether a file at another sample rate is converted to ``sample_rate``
        with :func:`scipy.signal.resample_poly` (up/down factors reduced by
        their greatest common divisor). The length policy then applies to the
        resampled clip. If False, such a file raises. Rates more than
        ``MAX_RESAMPLING_RATIO`` (1024) times away from ``sample_rate``, or
        whose reduced factors exceed ``MAX_RESAMPLING_FACTOR`` (65536), raise
        either way.
    dtype : {"float32", "float64"}, default="float32"
        Output dtype.
    n_jobs : int or None, default=None
        Number of workers reading files (joblib; ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context, -1 means all processors; 0 is
        refused). Worker processes (joblib's loky) unless a
        :func:`joblib.parallel_config` context asks for another backend
        (threading, multiprocessing, dask): each worker returns its block of
        rows, so every backend gives the serial result. Each file needs some
        Python work (soundfile's opening, the header checks) that holds the
        GIL, so threads run no faster than one worker; processes avoid the GIL
        but pay for their start (a few seconds, on the first call of a
        session) and for sending the rows back: on two free cores, two
        processes read 30,000 clips 1.3 times as fast as one worker (see
        ``benchmarks/loader_scaling.py``).

    Attributes
    ----------
    n_features_in_ : int
        Always 1 (one path per clip); set by :meth:`fit`.
    feature_names_in_ : ndarray of shape (1,)
        Name of the column of paths, when :meth:`fit` was given a DataFrame
        with a string column name.

    See Also
    --------
    read_clip : Read one file with the same checks.
    whalefeat.datasets.load_challenge : Paths and labels from a challenge folder.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from whalefeat.datasets import make_clips, write_clips
    >>> from whalefeat.io import AiffLoader
    >>> X, y = make_clips(4, random_state=0)
    >>> folder = tempfile.TemporaryDirectory()
    >>> paths = write_clips(X, folder.name, y=y)
    >>> loader = AiffLoader()
    >>> clips = loader.fit_transform(paths)
    >>> clips.shape, clips.dtype
    ((4, 4000), dtype('float32'))
    >>> bool(np.abs(clips - X).max() < 2 ** -15)
    True
    >>> loader.get_feature_names_out()[:3]
    array(['sample_0', 'sample_1', 'sample_2'], dtype=object)
    >>> folder.cleanup()
    """

    _parameter_constraints: dict = {
        "sample_rate": [Interval(Integral, 1, None, closed="left")],
        "duration": [Interval(Real, 0, None, closed="neither"), None],
        "on_length": [StrOptions(set(_LENGTH_POLICIES))],
        "resample": ["boolean"],
        "dtype": _DTYPE_OPTIONS,
        "n_jobs": N_JOBS_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        sample_rate: int = 2000,
        duration: float | None = 2.0,
        on_length: str = "error",
        resample: bool = False,
        dtype: str | type = "float32",
        n_jobs: int | None = None,
    ) -> None:
        self.sample_rate = sample_rate
        self.duration = duration
        self.on_length = on_length
        self.resample = resample
        self.dtype = dtype
        self.n_jobs = n_jobs

    def _spec(self) -> _Spec:
        self._validate_params()
        return _Spec(
            self.sample_rate,
            _n_samples(self.duration, self.sample_rate),
            self.on_length,
            bool(self.resample),
            np.dtype(self.dtype),
        )

    @staticmethod
    def _column(X, paths: np.ndarray):
        """``X`` as the 2-D, one-column input that ``validate_data`` inspects."""
        if hasattr(X, "columns"):
            return X
        if hasattr(X, "to_frame"):
            return X.to_frame()
        return paths.reshape(-1, 1)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> AiffLoader:
        """Check the parameters and the paths; no file is read.

        Parameters
        ----------
        X : array-like of shape (n_clips,) or (n_clips, 1)
            Paths (str or os.PathLike): list, array, pandas Series or one-column
            DataFrame.
        y : None
            Ignored.

        Returns
        -------
        self : AiffLoader
            This transformer.
        """
        self._spec()
        paths = check_paths(X)
        validate_data(self, self._column(X, paths), skip_check_array=True, reset=True)
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Read the clips.

        Parameters
        ----------
        X : array-like of shape (n_clips,) or (n_clips, 1)
            Paths (str or os.PathLike): list, array, pandas Series or one-column
            DataFrame.

        Returns
        -------
        clips : ndarray of shape (n_clips, n_samples)
            One row per path, in the order given, of dtype ``dtype``.

        Raises
        ------
        FileNotFoundError
            If a file does not exist.
        AudioFileError
            If a file is not a regular file, not audio, truncated, empty, not
            mono, holds non-finite samples, is at another sample rate (unless
            ``resample``, within its bounds), or of another length than
            ``duration`` allows under ``on_length``.
        """
        spec = self._spec()
        paths = check_paths(X)
        if hasattr(self, "n_features_in_"):
            validate_data(self, self._column(X, paths), skip_check_array=True, reset=False)
        return _read_all(paths, spec, self.n_jobs)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Get the names of the output columns: ``sample_0`` ... ``sample_{n-1}``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked: one name, equal to ``feature_names_in_`` if set.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per sample.

        Raises
        ------
        ValueError
            If ``duration`` is None: the number of samples is then known only
            once files are read.
        """
        spec = self._spec()
        if input_features is not None:
            names = np.asarray(input_features, dtype=object)
            expected = getattr(self, "feature_names_in_", None)
            if names.shape != (1,) or (
                expected is not None and not np.array_equal(names, expected)
            ):
                raise ValueError(
                    "input_features must be one name (the column of paths)"
                    + (f" equal to {list(expected)!r}" if expected is not None else "")
                    + f", got {list(names.ravel())!r}"
                )
        if spec.n_samples is None:
            raise ValueError(
                "AiffLoader has no fixed output length with duration=None, so no feature "
                "names; set duration"
            )
        return np.asarray([f"sample_{i}" for i in range(spec.n_samples)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = []
        return tags
