"""Tests for whalefeat.io: AiffLoader and read_clip."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import FunctionTransformer, make_pipeline
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from whalefeat.datasets import load_challenge
from whalefeat.io import AiffLoader, AudioFileError, read_clip

RATE = 2000


def write(path: Path, data, rate: int = RATE, subtype: str = "PCM_16", **kwargs) -> str:
    sf.write(path, np.asarray(data, dtype=np.float64), rate, subtype=subtype, **kwargs)
    return str(path)


def tone(n: int = 4000, rate: int = RATE, freq: float = 100.0, amplitude: float = 0.5):
    return amplitude * np.sin(2 * np.pi * freq * np.arange(n) / rate)


@pytest.fixture
def clips(tmp_path) -> list[str]:
    """Five valid 2-s clips with different content."""
    rng = np.random.default_rng(0)
    return [write(tmp_path / f"clip{i}.aiff", rng.uniform(-0.5, 0.5, 4000)) for i in range(5)]


# ---------------------------------------------------------------- scikit-learn API

_NUMERIC = (
    "feeds numeric arrays as X; AiffLoader reads file paths and rejects numbers "
    "(ValueError naming the item)"
)
_EXPECTED_FAILED = {
    "check_fit_score_takes_y": _NUMERIC + "; fit(paths, y) is tested with real paths",
    "check_estimators_overwrite_params": _NUMERIC + "; unchanged params are tested with paths",
    "check_dont_overwrite_parameters": _NUMERIC + "; unchanged params are tested with paths",
    "check_estimators_fit_returns_self": _NUMERIC + "; fit returning self is tested with paths",
    "check_readonly_memmap_input": _NUMERIC + " (a read-only memmap of numbers)",
    "check_n_features_in_after_fitting": _NUMERIC + "; n_features_in_ is tested with paths",
    "check_positive_only_tag_during_fit": _NUMERIC + " (iris features)",
    "check_estimators_dtypes": _NUMERIC + "; the output dtype follows the dtype parameter "
    "and is tested with paths",
    "check_complex_data": _NUMERIC + " (complex numbers are rejected like any number)",
    "check_dtype_object": _NUMERIC + " (numbers in an object array)",
    "check_pipeline_consistency": _NUMERIC + "; pipelines are tested with paths",
    "check_estimators_nan_inf": _NUMERIC + " (NaN and inf are rejected like any number)",
    "check_estimators_pickle": _NUMERIC + "; pickling is tested with paths",
    "check_f_contiguous_array_estimator": _NUMERIC + " (a Fortran-ordered array of numbers)",
    "check_transformer_data_not_an_array": _NUMERIC + "; list and pandas inputs are tested",
    "check_transformer_general": _NUMERIC + "; fit_transform == fit().transform is tested",
    "check_transformers_unfitted_stateless": _NUMERIC + "; transform before fit is tested",
    "check_methods_sample_order_invariance": _NUMERIC + "; row order is tested with paths",
    "check_methods_subset_invariance": _NUMERIC + "; subsets are tested with paths",
    "check_fit2d_1sample": _NUMERIC + "; one path is a valid input",
    "check_fit2d_1feature": _NUMERIC + "; one column of paths is a valid input",
    "check_dict_unchanged": _NUMERIC + "; an unchanged __dict__ is tested with paths",
    "check_fit_idempotent": _NUMERIC + "; repeated fits are tested with paths",
    "check_fit_check_is_fitted": _NUMERIC + " (AiffLoader is stateless: requires_fit=False)",
    "check_n_features_in": _NUMERIC + "; n_features_in_ is tested with paths",
    "check_fit2d_predict1d": _NUMERIC + "; 1-D paths are AiffLoader's usual input",
}


@parametrize_with_checks([AiffLoader()], expected_failed_checks=lambda est: _EXPECTED_FAILED)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_fit_checks_and_returns_self(clips):
    loader = AiffLoader()
    params = loader.get_params()
    assert loader.fit(clips, y=[0, 1, 0, 1, 0]) is loader
    assert loader.n_features_in_ == 1
    assert not hasattr(loader, "feature_names_in_")
    assert loader.get_params() == params
    state = dict(loader.__dict__)
    loader.transform(clips)
    assert loader.__dict__ == state
    assert loader.fit(clips).__dict__ == state  # idempotent


def test_stateless_transform_equals_fit_transform(clips):
    expected = np.stack([sf.read(p, dtype="float32")[0] for p in clips])
    np.testing.assert_array_equal(AiffLoader().transform(clips), expected)
    np.testing.assert_array_equal(AiffLoader().fit_transform(clips), expected)
    np.testing.assert_array_equal(AiffLoader().fit(clips[:2]).transform(clips), expected)


def test_order_and_subset(clips):
    full = AiffLoader().transform(clips)
    order = [3, 0, 4, 1, 2]
    np.testing.assert_array_equal(AiffLoader().transform([clips[i] for i in order]), full[order])
    np.testing.assert_array_equal(AiffLoader().transform(clips[1:2]), full[1:2])


@pytest.mark.parametrize("dtype", ["float32", "float64", np.float32, np.float64])
def test_dtype(clips, dtype):
    out = AiffLoader(dtype=dtype).transform(clips)
    assert out.dtype == np.dtype(dtype)
    expected = np.stack([sf.read(p, dtype=np.dtype(dtype).name)[0] for p in clips])
    np.testing.assert_array_equal(out, expected)


def test_clone_and_pickle(clips):
    loader = AiffLoader(duration=1.5, on_length="crop", dtype="float64", n_jobs=2)
    copy = clone(loader)
    assert copy.get_params() == loader.get_params()
    loader.fit(pd.DataFrame({"path": clips}))
    restored = pickle.loads(pickle.dumps(loader))
    assert restored.n_features_in_ == 1
    assert list(restored.feature_names_in_) == ["path"]
    np.testing.assert_array_equal(
        restored.transform(pd.DataFrame({"path": clips})),
        loader.transform(pd.DataFrame({"path": clips})),
    )


def test_audio_file_error_pickles():
    error = pickle.loads(pickle.dumps(AudioFileError("a.aiff", "is empty (0 frames)")))
    assert isinstance(error, AudioFileError)
    assert (error.path, error.reason, str(error)) == (
        "a.aiff",
        "is empty (0 frames)",
        "a.aiff: is empty (0 frames)",
    )


@pytest.mark.parametrize(
    "wrap",
    [
        list,
        tuple,
        lambda p: np.asarray(p),
        lambda p: np.asarray(p, dtype=object).reshape(-1, 1),
        lambda p: [Path(x) for x in p],
        lambda p: pd.Series(p, name="clip"),
        lambda p: pd.Series(p, dtype="string"),
        lambda p: pd.DataFrame({"clip": p}),
    ],
    ids=[
        "list",
        "tuple",
        "str-array",
        "column-array",
        "pathlib",
        "series",
        "string-series",
        "dataframe",
    ],
)
def test_path_containers(clips, wrap):
    expected = np.stack([sf.read(p, dtype="float32")[0] for p in clips])
    np.testing.assert_array_equal(AiffLoader().fit_transform(wrap(clips)), expected)


def test_feature_names(clips):
    loader = AiffLoader(duration=0.5, on_length="crop")
    names = loader.get_feature_names_out()
    assert names.dtype == object
    assert list(names[:2]) == ["sample_0", "sample_1"] and names[-1] == "sample_999"
    loader.fit(pd.DataFrame({"clip": clips}))
    assert len(loader.get_feature_names_out(["clip"])) == 1000
    with pytest.raises(ValueError, match="equal to \\['clip'\\]"):
        loader.get_feature_names_out(["other"])
    with pytest.raises(ValueError, match="duration=None"):
        AiffLoader(duration=None).get_feature_names_out()


def test_feature_names_checked_in_transform(clips):
    loader = AiffLoader().fit(pd.DataFrame({"clip": clips}))
    with pytest.raises(ValueError, match="feature names"):
        loader.transform(pd.DataFrame({"other": clips}))


def test_pandas_output(clips):
    out = AiffLoader(duration=1.0, on_length="crop").set_output(transform="pandas")
    frame = out.fit_transform(pd.Series(clips, index=[10, 11, 12, 13, 14]))
    assert isinstance(frame, pd.DataFrame)
    assert frame.shape == (5, 2000)
    assert list(frame.columns[:2]) == ["sample_0", "sample_1"]


def test_pipeline_cross_validation(tmp_path):
    # class 1 is louder: a pipeline from paths must learn it
    rng = np.random.default_rng(1)
    y = np.tile([0, 1], 10)
    paths = np.asarray(
        [
            write(tmp_path / f"c{i}.wav", rng.normal(0, 0.02 + 0.2 * label, 4000).clip(-1, 1))
            for i, label in enumerate(y)
        ]
    )
    level = FunctionTransformer(lambda X: np.log(np.mean(X**2, axis=1, keepdims=True)))
    scores = cross_val_score(
        make_pipeline(AiffLoader(), level, LogisticRegression()), paths, y, cv=4
    )
    assert scores.min() == 1.0


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"sample_rate": 0}, "sample_rate"),
        ({"sample_rate": 2000.5}, "sample_rate"),
        ({"duration": 0}, "duration"),
        ({"on_length": "trim"}, "on_length"),
        ({"dtype": "int16"}, "dtype"),
        ({"resample": "yes"}, "resample"),
        ({"n_jobs": 1.5}, "n_jobs"),
    ],
)
def test_bad_parameters(clips, params, match):
    with pytest.raises(InvalidParameterError, match=match):
        AiffLoader(**params).fit(clips)
    with pytest.raises(InvalidParameterError, match=match):
        AiffLoader(**params).transform(clips)


def test_duration_not_whole_samples(clips):
    with pytest.raises(ValueError, match="not a whole, positive number of samples"):
        AiffLoader(duration=1.0001).fit(clips)


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        ("clip.aiff", ValueError, "single path"),
        ([], ValueError, "no paths"),
        ([1.5, 2.5], ValueError, r"X\[0\] is 1.5 of type float; expected a path"),
        (np.array([1.5, 2.5]), ValueError, "must hold paths"),
        (["a.aiff", None], ValueError, r"X\[1\] is None"),
        (np.array([["a", "b"]]), ValueError, r"shape \(1, 2\)"),
        (pd.DataFrame({"a": ["x"], "b": ["y"]}), ValueError, "one-column DataFrame"),
    ],
)
def test_bad_path_input(X, error, match):
    with pytest.raises(error, match=match):
        AiffLoader().fit(X)
    with pytest.raises(error, match=match):
        AiffLoader().transform(X)


# ---------------------------------------------------------------- formats and files


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("c.aiff", {}),
        ("c.aif", {"format": "AIFF"}),
        ("c.AIFF", {}),
        ("c.wav", {}),
        ("c.flac", {}),
        ("c24.aiff", {"subtype": "PCM_24"}),
        ("cf.wav", {"subtype": "FLOAT"}),
    ],
)
def test_formats_equal_soundfile(tmp_path, name, kwargs):
    path = write(tmp_path / name, tone(), **kwargs)
    expected = sf.read(path, dtype="float64")[0]
    np.testing.assert_array_equal(AiffLoader(dtype="float64").transform([path])[0], expected)
    np.testing.assert_array_equal(read_clip(path, dtype="float64"), expected)


def test_missing_file(clips, tmp_path):
    missing = str(tmp_path / "nowhere.aiff")
    with pytest.raises(FileNotFoundError, match="nowhere.aiff: no such audio file"):
        AiffLoader().transform([*clips, missing])


@pytest.mark.parametrize("content", [b"", b"this is not audio at all" * 20, b"FORM\x00\x00"])
def test_not_audio(tmp_path, content):
    path = tmp_path / "fake.aiff"
    path.write_bytes(content)
    with pytest.raises(AudioFileError, match="fake.aiff: is not a readable audio file"):
        AiffLoader().transform([str(path)])


def test_directory_is_not_audio(tmp_path):
    with pytest.raises(AudioFileError, match="cannot be (opened|read)"):
        read_clip(tmp_path)


def test_empty_file(tmp_path):
    path = write(tmp_path / "empty.aiff", np.zeros(0))
    with pytest.raises(AudioFileError, match=r"empty.aiff: is empty \(0 frames\)"):
        AiffLoader().transform([path])


@pytest.mark.parametrize("channels", [2, 3])
def test_multichannel(tmp_path, channels):
    path = write(tmp_path / "multi.aiff", np.zeros((4000, channels)))
    with pytest.raises(
        AudioFileError, match=rf"multi.aiff: has {channels} channels; expected mono"
    ):
        AiffLoader().transform([path])


def test_wrong_rate(tmp_path):
    path = write(tmp_path / "fast.aiff", tone(8000, 4000), rate=4000)
    with pytest.raises(
        AudioFileError, match="fast.aiff: has sample rate 4000 Hz; expected 2000 Hz"
    ):
        AiffLoader().transform([path])


def _truncate(source: str, target: Path, n_bytes: int) -> str:
    target.write_bytes(Path(source).read_bytes()[:n_bytes])
    return str(target)


@pytest.mark.parametrize(("keep", "holds"), [(-1000, 3500), (-1, 3999), (54, 0), (60, 3)])
def test_truncated_aiff(tmp_path, keep, holds):
    source = write(tmp_path / "full.aiff", tone())
    size = Path(source).stat().st_size
    path = _truncate(source, tmp_path / "cut.aiff", keep if keep > 0 else size + keep)
    with pytest.raises(
        AudioFileError,
        match=rf"cut.aiff: is truncated: its header declares "
        rf"4000 frames but the file holds only {holds}",
    ):
        AiffLoader().transform([path])


def test_truncated_wav(tmp_path):
    source = write(tmp_path / "full.wav", tone())
    path = _truncate(source, tmp_path / "cut.wav", Path(source).stat().st_size - 1000)
    with pytest.raises(
        AudioFileError,
        match="cut.wav: is truncated: its header declares "
        "4000 frames but the file holds only 3500",
    ):
        read_clip(path)


def test_truncated_flac(tmp_path):
    rng = np.random.default_rng(0)
    source = write(tmp_path / "full.flac", rng.uniform(-0.5, 0.5, 4000))
    path = _truncate(source, tmp_path / "cut.flac", Path(source).stat().st_size * 2 // 3)
    with pytest.raises(AudioFileError, match="cut.flac: is truncated"):
        read_clip(path)


@pytest.mark.realdata
def test_truncated_real_clip(narw_dir, tmp_path):
    source = str(narw_dir / "train" / "wsml_train_1.aiff")
    path = _truncate(source, tmp_path / "cut.aiff", Path(source).stat().st_size - 2000)
    with pytest.raises(
        AudioFileError, match="header declares 4000 frames but the file holds only 3000"
    ):
        AiffLoader().transform([source, path])


def test_aiff_with_chunk_before_comm(tmp_path):
    # the header walker must skip unknown chunks, and see through them to COMM
    source = Path(write(tmp_path / "full.aiff", tone()))
    data = source.read_bytes()
    extra = b"ANNO" + (5).to_bytes(4, "big") + b"hello\x00"  # odd size: padded to even
    form_size = int.from_bytes(data[4:8], "big") + len(extra)
    patched = b"FORM" + form_size.to_bytes(4, "big") + data[8:12] + extra + data[12:]
    good = tmp_path / "anno.aiff"
    good.write_bytes(patched)
    np.testing.assert_array_equal(read_clip(good), read_clip(source))
    cut = _truncate(str(good), tmp_path / "anno_cut.aiff", len(patched) - 400)
    with pytest.raises(AudioFileError, match="declares 4000 frames but the file holds only 3800"):
        read_clip(cut)


# ---------------------------------------------------------------- length policy


@pytest.fixture
def short_long(tmp_path) -> tuple[str, str]:
    return (write(tmp_path / "short.aiff", tone(3000)), write(tmp_path / "long.aiff", tone(5000)))


def test_length_error_by_default(short_long):
    short, long = short_long
    with pytest.raises(
        AudioFileError,
        match=r"short.aiff: has 3000 samples \(1.5 s at 2000 Hz\)"
        r"; expected 4000 \(2 s\); set on_length to .pad.",
    ):
        AiffLoader().transform([short])
    with pytest.raises(AudioFileError, match=r"long.aiff: has 5000 samples .*on_length to .crop."):
        AiffLoader().transform([long])


def test_pad(short_long):
    short, long = short_long
    out = AiffLoader(on_length="pad").transform([short])[0]
    np.testing.assert_array_equal(out[:3000], sf.read(short, dtype="float32")[0])
    assert np.all(out[3000:] == 0)
    with pytest.raises(AudioFileError, match="long.aiff: has 5000 samples"):
        AiffLoader(on_length="pad").transform([long])


def test_crop(short_long):
    short, long = short_long
    out = AiffLoader(on_length="crop").transform([long])[0]
    np.testing.assert_array_equal(out, sf.read(long, dtype="float32")[0][:4000])
    with pytest.raises(AudioFileError, match="short.aiff: has 3000 samples"):
        AiffLoader(on_length="crop").transform([short])


def test_pad_or_crop(short_long, clips):
    short, long = short_long
    out = AiffLoader(on_length="pad_or_crop").transform([short, long, clips[0]])
    np.testing.assert_array_equal(out[0, :3000], sf.read(short, dtype="float32")[0])
    assert np.all(out[0, 3000:] == 0)
    np.testing.assert_array_equal(out[1], sf.read(long, dtype="float32")[0][:4000])
    np.testing.assert_array_equal(out[2], sf.read(clips[0], dtype="float32")[0])


def test_duration_none(tmp_path, short_long):
    a = write(tmp_path / "a.aiff", tone(3000))
    b = write(tmp_path / "b.aiff", tone(3000, freq=50))
    out = AiffLoader(duration=None).transform([a, b])
    assert out.shape == (2, 3000)
    np.testing.assert_array_equal(out[1], sf.read(b, dtype="float32")[0])
    short, long = short_long
    with pytest.raises(
        AudioFileError,
        match=r"long.aiff: has 5000 samples but the first clip "
        r"\(.*a.aiff\) has 3000; with duration=None",
    ):
        AiffLoader(duration=None, on_length="pad_or_crop", n_jobs=2).transform([a, b, long])


def test_read_clip(short_long):
    short, long = short_long
    assert read_clip(short).shape == (3000,)
    assert read_clip(long, duration=2.0, on_length="crop").shape == (4000,)
    with pytest.raises(AudioFileError, match="has 3000 samples"):
        read_clip(short, duration=2.0)
    with pytest.raises(InvalidParameterError, match="path"):
        read_clip(3)


# ---------------------------------------------------------------- resampling


def _peak_frequency(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spectrum)])


@pytest.mark.parametrize("rate", [4000, 8000, 44100, 1000, 3000])
def test_resample_keeps_frequency(tmp_path, rate):
    n = 2 * rate
    path = write(tmp_path / f"r{rate}.aiff", tone(n, rate, freq=125.0), rate=rate, subtype="FLOAT")
    out = AiffLoader(resample=True, dtype="float64").transform([path])[0]
    assert out.shape == (4000,)
    assert _peak_frequency(out, RATE) == pytest.approx(125.0, abs=0.5)
    # away from the edges the polyphase filter reproduces the sine closely
    np.testing.assert_allclose(out[200:-200], tone(4000, freq=125.0)[200:-200], atol=2e-3)


def test_resample_then_length_policy(tmp_path):
    path = write(tmp_path / "r.aiff", tone(8002, 4000), rate=4000)  # 4001 samples at 2000 Hz
    with pytest.raises(AudioFileError, match="has 4001 samples after resampling from 4000 Hz"):
        AiffLoader(resample=True).transform([path])
    assert AiffLoader(resample=True, on_length="crop").transform([path]).shape == (1, 4000)


def test_resample_not_needed_is_exact(clips):
    np.testing.assert_array_equal(
        AiffLoader(resample=True).transform(clips), AiffLoader().transform(clips)
    )


# ---------------------------------------------------------------- parallel reading


@pytest.mark.parametrize("n_jobs", [2, -1])
def test_n_jobs_equal(tmp_path, n_jobs):
    rng = np.random.default_rng(3)
    paths = [write(tmp_path / f"p{i}.aiff", rng.uniform(-0.9, 0.9, 4000)) for i in range(23)]
    np.testing.assert_array_equal(
        AiffLoader(n_jobs=n_jobs).transform(paths), AiffLoader().transform(paths)
    )


def test_n_jobs_error_names_file(clips, tmp_path):
    bad = write(tmp_path / "stereo.aiff", np.zeros((4000, 2)))
    with pytest.raises(AudioFileError, match="stereo.aiff: has 2 channels"):
        AiffLoader(n_jobs=2).transform([*clips, bad, *clips])


# ---------------------------------------------------------------- real clips


@pytest.mark.realdata
def test_real_clips(narw_dir):
    paths, y = load_challenge(narw_dir)
    X = AiffLoader().fit_transform(paths)
    assert X.shape == (3000, 4000) and X.dtype == np.float32
    assert np.bincount(y).tolist() == [1500, 1500]
    expected = np.stack([sf.read(p, dtype="float32")[0] for p in paths])
    np.testing.assert_array_equal(X, expected)
    np.testing.assert_array_equal(AiffLoader(n_jobs=2).transform(paths[:300]), X[:300])


@pytest.mark.realdata
def test_original_challenge_clips(narw_dir):
    paths, y = load_challenge(narw_dir / "original-aiff", missing="ignore")
    assert [Path(p).name for p in paths] == ["train1.aiff", "train6.aiff", "train168.aiff"]
    assert y.tolist() == [0, 1, 1]
    X = AiffLoader(dtype="float64").transform(paths)
    assert X.shape == (3, 4000)
    np.testing.assert_array_equal(X[2], sf.read(paths[2])[0])


# ---------------------------------------------------------------- hostile and damaged files

CODECS = [
    ("AIFF", "PCM_16", ".aiff"),
    ("AIFF", "PCM_24", ".aiff"),
    ("AIFF", "FLOAT", ".aiff"),
    ("AIFF", "GSM610", ".aifc"),
    ("AIFF", "IMA_ADPCM", ".aifc"),
    ("AIFF", "ULAW", ".aifc"),
    ("WAV", "PCM_16", ".wav"),
    ("WAV", "FLOAT", ".wav"),
    ("WAV", "IMA_ADPCM", ".wav"),
    ("WAV", "MS_ADPCM", ".wav"),
    ("WAV", "GSM610", ".wav"),
    ("WAVEX", "PCM_16", ".wav"),
    ("RF64", "PCM_16", ".wav"),
    ("W64", "PCM_16", ".w64"),
    ("AU", "PCM_16", ".au"),
    ("AU", "ULAW", ".au"),
    ("CAF", "PCM_16", ".caf"),
    ("CAF", "ALAC_16", ".caf"),
    ("FLAC", "PCM_16", ".flac"),
    ("NIST", "PCM_16", ".nist"),
    ("SVX", "PCM_16", ".svx"),
    ("VOC", "PCM_16", ".voc"),
    ("AVR", "PCM_16", ".avr"),
    ("MAT4", "PCM_16", ".mat"),
]


@pytest.mark.parametrize(
    ("container", "subtype", "suffix"), CODECS, ids=[f"{c}-{s}" for c, s, _ in CODECS]
)
@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_truncated_file_of_any_codec(tmp_path, container, subtype, suffix, fraction):
    # the issue's reproducer, for every codec: never zero-padded, always named
    rng = np.random.default_rng(0)
    source = write(
        tmp_path / f"full{suffix}", rng.uniform(-0.5, 0.5, 4000), subtype=subtype, format=container
    )
    np.testing.assert_array_equal(
        read_clip(source, dtype="float64"), sf.read(source, dtype="float64")[0]
    )
    size = Path(source).stat().st_size
    path = _truncate(source, tmp_path / f"cut{suffix}", int(size * fraction))
    for on_length in ("error", "pad"):
        with pytest.raises(AudioFileError, match=rf"cut\{suffix}: is (truncated|not a readable)"):
            read_clip(path, duration=2.0, on_length=on_length)


def test_truncated_gsm_aifc_reproducer(tmp_path):
    rng = np.random.default_rng(1)
    source = tmp_path / "gsm.aiff"
    sf.write(source, rng.uniform(-1, 1, 4000), 2000, format="AIFF", subtype="GSM610")
    path = _truncate(str(source), tmp_path / "half.aiff", source.stat().st_size // 2)
    with pytest.raises(AudioFileError, match=r"half.aiff: is truncated"):
        read_clip(path, duration=2.0, on_length="pad")
    with pytest.raises(AudioFileError, match=r"half.aiff: is truncated"):
        AiffLoader(on_length="pad", n_jobs=2).transform([path, path])


def test_trailing_bytes_are_not_truncation(tmp_path):
    source = Path(write(tmp_path / "full.wav", tone()))
    padded = tmp_path / "padded.wav"
    padded.write_bytes(source.read_bytes() + b"\x00" * 101)
    np.testing.assert_array_equal(read_clip(padded), read_clip(source))


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no named pipes here")
def test_named_pipe_is_refused_without_opening(tmp_path):
    import os
    import threading

    fifo = tmp_path / "f.aiff"
    os.mkfifo(fifo)
    outcome = []

    def read():
        try:
            read_clip(fifo)
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcome.append(error)

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():  # unblock the reader before failing
        with open(fifo, "wb"):
            pass
        pytest.fail("read_clip blocked on a named pipe")
    assert isinstance(outcome[0], AudioFileError)
    assert str(outcome[0]).endswith(
        "f.aiff: is not a regular file (a named pipe); cannot be opened as audio"
    )


def test_device_and_folder_are_refused(tmp_path):
    with pytest.raises(AudioFileError, match="is not a regular file \\(a folder\\)"):
        read_clip(tmp_path)
    if Path("/dev/zero").exists():
        with pytest.raises(
            AudioFileError, match="/dev/zero: is not a regular file \\(a character device\\)"
        ):
            AiffLoader().transform(["/dev/zero"])


def test_nul_byte_in_path_is_named(tmp_path):
    with pytest.raises(
        AudioFileError,
        match=r"^bad\\x00name.aiff: is not a valid path: it "
        r"holds a NUL byte$",
    ):
        AiffLoader().transform(["bad\x00name.aiff"])


def _with_rate(tmp_path, rate: int, n: int = 4000) -> str:
    return write(tmp_path / f"rate{rate}.aiff", tone(n), rate=rate)


@pytest.mark.parametrize("rate", [67_108_864, 16_777_216, 2_048_001, 1])
def test_resampling_ratio_is_bounded(tmp_path, rate):
    path = _with_rate(tmp_path, rate)
    with pytest.raises(
        AudioFileError,
        match=rf"rate{rate}.aiff: has sample rate {rate} Hz, "
        "which cannot be resampled",
    ):
        read_clip(path, resample=True)


@pytest.mark.parametrize("rate", [2_000 * 1024, 44_101, 192_000, 4])
def test_resampling_within_the_bounds(tmp_path, rate):
    from scipy.signal import resample_poly

    path = _with_rate(tmp_path, rate, n=5000)
    clip = read_clip(path, resample=True, dtype="float64")
    expected = resample_poly(sf.read(path)[0], *_factors(2000, rate))
    np.testing.assert_allclose(clip, expected)


def _factors(target: int, rate: int) -> tuple[int, int]:
    from math import gcd

    return target // gcd(target, rate), rate // gcd(target, rate)


def test_resampled_length_known_before_decoding(tmp_path):
    # the length policy runs on ceil(frames * up / down), resample_poly's output length
    for rate, n in [(3000, 4001), (4410, 8819), (1999, 3998)]:
        path = _with_rate(tmp_path, rate, n=n)
        up, down = _factors(2000, rate)
        with pytest.raises(
            AudioFileError,
            match=rf"has {-(-n * up // down)} samples after "
            rf"resampling from {rate} Hz",
        ):
            read_clip(path, duration=1.0, resample=True)


def test_flac_header_claiming_too_many_frames(tmp_path):
    source = Path(write(tmp_path / "ok.flac", tone()))
    data = bytearray(source.read_bytes())
    assert data[:4] == b"fLaC"
    fields = int.from_bytes(data[18:26], "big")
    data[18:26] = (fields | (2**36 - 1)).to_bytes(8, "big")  # total samples: 2**36 - 1
    path = tmp_path / "huge.flac"
    path.write_bytes(bytes(data))
    claimed = sf.info(str(path)).frames
    assert claimed == 2**36 - 1
    with pytest.raises(
        AudioFileError,
        match=rf"huge.flac: is truncated or corrupt: its header "
        rf"declares {claimed} frames",
    ):
        read_clip(path)
    with pytest.raises(AudioFileError, match="huge.flac"):
        read_clip(path, sample_rate=4000, resample=True)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("subtype", ["FLOAT", "DOUBLE"])
def test_non_finite_samples_are_refused(tmp_path, bad, subtype):
    clip = tone()
    clip[123] = bad
    path = write(tmp_path / "nan.aiff", clip, subtype=subtype, format="AIFF")
    with pytest.raises(
        AudioFileError,
        match=r"nan.aiff: holds a non-finite sample \(.* at "
        r"sample 123\)",
    ):
        AiffLoader(dtype="float64").transform([path])
    with pytest.raises(AudioFileError, match="nan.aiff: holds a non-finite sample"):
        read_clip(path, sample_rate=4000, resample=True)


def test_double_beyond_float32_needs_float64(tmp_path):
    clip = tone()
    clip[7] = 1e300
    path = write(tmp_path / "big.aiff", clip, subtype="DOUBLE", format="AIFF")
    with pytest.raises(AudioFileError, match="big.aiff: .*dtype='float64'"):
        read_clip(path)
    assert read_clip(path, dtype="float64")[7] == 1e300


def test_n_jobs_zero_names_the_parameter(clips):
    with pytest.raises(InvalidParameterError, match="'n_jobs' parameter of AiffLoader"):
        AiffLoader(n_jobs=0).transform(clips)


def test_au_data_offset_inside_the_header(tmp_path):
    # found by tests/test_fuzz.py: libsndfile decodes such a file differently from a
    # path and from a descriptor, so no answer would be the file's
    source = Path(write(tmp_path / "ok.au", tone(), format="AU"))
    data = bytearray(source.read_bytes())
    data[4:8] = (0).to_bytes(4, "big")
    path = tmp_path / "offset0.au"
    path.write_bytes(bytes(data))
    with pytest.raises(
        AudioFileError, match="offset0.au: is corrupt: its AU header puts the data at byte 0"
    ):
        read_clip(path)
