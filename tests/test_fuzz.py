"""Fuzzing of the audio reader: damaged and hostile files never crash, hang or lie.

Real clips (``../shared/data/narw``, where present; synthetic clips from
:func:`whalefeat.datasets.make_clips` otherwise) and short synthetic clips of
many containers and codecs are mutated by byte flips, overwritten header
words, truncations, insertions and deletions. Whatever comes out, reading
one must

- finish (each read runs under a timeout),
- raise nothing but :class:`~whalefeat.io.AudioFileError` naming the file, and
- when it succeeds, return exactly what soundfile (libsndfile) decodes, after
  the resampling and length policy asked for.

The budget is fixed and small (a few hundred examples in all, no database),
so the test stays fast and every run draws the same examples.
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, event, given, seed, settings
from hypothesis import strategies as st
from scipy.signal import resample_poly

from conftest import narw_path
from whalefeat.datasets import make_clips
from whalefeat.io import AiffLoader, AudioFileError, read_clip

RATE = 2000
TIMEOUT_S = 30.0
CODECS = [
    ("AIFF", "PCM_16"),
    ("AIFF", "PCM_24"),
    ("AIFF", "PCM_32"),
    ("AIFF", "FLOAT"),
    ("WAV", "PCM_16"),
    ("WAV", "PCM_24"),
    ("WAV", "PCM_32"),
    ("WAV", "FLOAT"),
    ("AIFF", "GSM610"),
    ("AIFF", "IMA_ADPCM"),
    ("WAV", "IMA_ADPCM"),
    ("WAV", "MS_ADPCM"),
    ("WAV", "GSM610"),
    ("W64", "PCM_16"),
    ("AU", "PCM_16"),
    ("CAF", "PCM_16"),
    ("FLAC", "PCM_16"),
]
SUFFIX = {
    "AIFF": ".aiff",
    "WAV": ".wav",
    "W64": ".w64",
    "AU": ".au",
    "CAF": ".caf",
    "FLAC": ".flac",
}
#: examples per test run by default; WHALEFEAT_FUZZ_EXAMPLES runs a longer campaign
EXAMPLES = int(os.environ.get("WHALEFEAT_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@lru_cache(maxsize=1)
def seed_files() -> tuple[tuple[str, bytes], ...]:
    """(suffix, bytes) of the clips to mutate: real ones first, then one per codec."""
    folder = Path(tempfile.mkdtemp(prefix="whalefeat-fuzz-seeds-"))
    seeds = []
    real = sorted((narw_path() / "train").glob("*.aiff"))[:2]
    if real:
        seeds += [(".aiff", path.read_bytes()) for path in real]
    else:
        X, _ = make_clips(2, random_state=0)
        for i, clip in enumerate(X):
            path = folder / f"synthetic{i}.aiff"
            sf.write(path, clip, RATE, format="AIFF", subtype="PCM_16")
            seeds.append((".aiff", path.read_bytes()))
    clip = make_clips(1, duration=1.0, random_state=1)[0][0][:1000]
    for container, subtype in CODECS:
        path = folder / f"{container}-{subtype}{SUFFIX[container]}"
        sf.write(path, clip, RATE, format=container, subtype=subtype)
        seeds.append((SUFFIX[container], path.read_bytes()))
    return tuple(seeds)


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    suffix, data = draw(st.sampled_from(seed_files()))
    data = bytearray(data)
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        kind = draw(st.sampled_from(["flip", "word", "truncate", "insert", "delete"]))
        # half of the damage where the headers are, past the magic number that
        # every mutation there would otherwise break
        if draw(st.booleans()) or len(data) < 8:
            at = draw(st.integers(0, max(0, len(data) - 1)))
        else:
            at = draw(st.integers(4, min(len(data), 128) - 1))
        if kind == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "word":
            word = draw(
                st.sampled_from(
                    [
                        b"\xff\xff\xff\xff",
                        b"\x00\x00\x00\x00",
                        b"\x7f\xff\xff\xff",
                        b"\x00\x00\x00\x01",
                        b"\x80\x00\x00\x00",
                    ]
                )
            )
            data[at : at + 4] = word
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
    return suffix, bytes(data)


def _run_with_timeout(function, *args, **kwargs):
    """``function(*args, **kwargs)`` in a thread; a call still running after TIMEOUT_S fails."""
    outcome = {}

    def target():
        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            outcome["error"] = error

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(TIMEOUT_S)
    if worker.is_alive():
        pytest.fail(f"{function.__name__} still running after {TIMEOUT_S} s (a hang)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _expected(path: Path, *, duration, on_length: str, resample: bool) -> np.ndarray:
    """What reading ``path`` must give, from soundfile alone."""
    data, rate = sf.read(path, dtype="float64", always_2d=True)
    assert data.shape[1] == 1, "a clip of several channels was read as mono"
    data = data[:, 0]
    if rate != RATE:
        assert resample, f"a clip at {rate} Hz was accepted without resample"
        divisor = math.gcd(RATE, rate)
        data = resample_poly(data, RATE // divisor, rate // divisor)
    if duration is None:
        return data
    n = round(duration * RATE)
    if len(data) < n:
        assert on_length in ("pad", "pad_or_crop"), "a short clip was padded unasked"
        return np.concatenate([data, np.zeros(n - len(data))])
    if len(data) > n:
        assert on_length in ("crop", "pad_or_crop"), "a long clip was cropped unasked"
    return data[:n]


def _write(directory: Path, suffix: str, data: bytes) -> Path:
    path = directory / f"mutant{suffix}"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def directory(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@seed(20261201)
@given(
    file=mutated(),
    duration=st.sampled_from([None, None, 0.5, 2.0]),
    on_length=st.sampled_from(["pad_or_crop", "pad_or_crop", "error", "pad", "crop"]),
    resample=st.booleans(),
)
def test_read_clip_on_mutated_files(directory, file, duration, on_length, resample):
    path = _write(directory, *file)
    try:
        clip = _run_with_timeout(
            read_clip,
            path,
            duration=duration,
            on_length=on_length,
            resample=resample,
            dtype="float64",
        )
    except AudioFileError as error:
        assert error.path == str(path)
        assert str(error).startswith(f"{path}: ")
        event(f"refused: {error.reason.split(':')[0].split(' (')[0][:40]}")
        return
    event("read")
    assert np.all(np.isfinite(clip))
    expected = _expected(path, duration=duration, on_length=on_length, resample=resample)
    if sf.info(str(path)).samplerate == RATE:
        np.testing.assert_array_equal(clip, expected)
    else:
        np.testing.assert_allclose(clip, expected, rtol=1e-12, atol=1e-12)


@settings(FUZZ, max_examples=max(1, EXAMPLES // 3))
@seed(20261202)
@given(files=st.lists(mutated(), min_size=1, max_size=3), n_jobs=st.sampled_from([None, 2]))
def test_loader_on_mutated_files(directory, files, n_jobs):
    paths = []
    for i, (suffix, data) in enumerate(files):
        path = directory / f"batch{i}{suffix}"
        path.write_bytes(data)
        paths.append(str(path))
    loader = AiffLoader(duration=0.5, on_length="pad_or_crop", dtype="float64", n_jobs=n_jobs)
    try:
        clips = _run_with_timeout(loader.transform, paths)
    except AudioFileError as error:
        assert error.path in paths
        assert str(error).startswith(f"{error.path}: ")
        # the clip it names fails alone too; the others before it read alone
        with pytest.raises(AudioFileError):
            read_clip(error.path, duration=0.5, on_length="pad_or_crop")
        return
    for path, clip in zip(paths, clips, strict=True):
        expected = _expected(Path(path), duration=0.5, on_length="pad_or_crop", resample=False)
        np.testing.assert_array_equal(clip, expected)
