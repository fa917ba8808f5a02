"""Tests for whalefeat.datasets: make_clips, write_clips, load_challenge."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import periodogram, stft
from sklearn.utils._param_validation import InvalidParameterError

from whalefeat.datasets import CALL_BAND, _synthesise, load_challenge, make_clips, write_clips
from whalefeat.io import AiffLoader

seeds = st.integers(0, 2**32 - 1)


def parts(
    n_clips=8, *, positive_fraction=0.5, snr_db=-8.0, duration=2.0, sample_rate=2000, seed=0
):
    return _synthesise(
        n_clips, positive_fraction, snr_db, duration, sample_rate, np.random.default_rng(seed)
    )


def band_power(x: np.ndarray, rate: int) -> float:
    """Power in CALL_BAND from a one-sided periodogram (Parseval)."""
    freqs, psd = periodogram(x, fs=rate, window="boxcar", detrend=False)
    keep = (freqs >= CALL_BAND[0]) & (freqs <= CALL_BAND[1])
    return float(np.sum(psd[keep]) * (freqs[1] - freqs[0]))


# ---------------------------------------------------------------- make_clips


@settings(max_examples=15, deadline=None)
@given(n_clips=st.integers(1, 12), fraction=st.floats(0, 1), seed=seeds)
def test_shape_labels_and_determinism(n_clips, fraction, seed):
    X, y = make_clips(n_clips, positive_fraction=fraction, random_state=seed)
    assert X.shape == (n_clips, 4000) and X.dtype == np.float64
    assert y.shape == (n_clips,) and y.dtype == np.int64
    assert set(np.unique(y)) <= {0, 1}
    assert y.sum() == round(n_clips * fraction)
    X2, y2 = make_clips(n_clips, positive_fraction=fraction, random_state=seed)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_seeds_differ_and_none_is_random():
    a, _ = make_clips(3, random_state=1)
    b, _ = make_clips(3, random_state=2)
    c, _ = make_clips(3)
    d, _ = make_clips(3)
    assert not np.array_equal(a, b)
    assert not np.array_equal(c, d)


def test_generator_and_randomstate_accepted():
    X1, _ = make_clips(2, random_state=np.random.default_rng(5))
    X2, _ = make_clips(2, random_state=np.random.default_rng(5))
    np.testing.assert_array_equal(X1, X2)
    X3, _ = make_clips(2, random_state=np.random.RandomState(5))
    assert X3.shape == (2, 4000)


@settings(max_examples=10, deadline=None)
@given(seed=seeds, snr=st.floats(-20, 20))
def test_no_clipping_and_16_bit_round_trip(tmp_path_factory, seed, snr):
    X, y = make_clips(4, snr_db=snr, random_state=seed)
    peaks = np.abs(X).max(axis=1)
    assert np.all(peaks <= 0.5 + 1e-12) and np.all(peaks >= 0.1 - 1e-12)
    folder = tmp_path_factory.mktemp("clips")
    paths = write_clips(X, folder, y=y)
    back = AiffLoader(dtype="float64").transform(paths)
    assert np.abs(back - X).max() <= 2.0**-15


@settings(max_examples=15, deadline=None)
@given(seed=seeds, snr=st.floats(-25, 25))
def test_snr_as_defined(seed, snr):
    p = parts(6, positive_fraction=1.0, snr_db=snr, seed=seed)
    for i in range(6):
        start, stop = p["call_span"][i]
        call = p["call"][i, start : stop + 1]
        noise = band_power(p["background"][i], 2000)
        measured = 10 * np.log10(np.mean(call**2) / noise)
        assert measured == pytest.approx(snr, abs=1e-6)
        # the call lies within its span, and the clip is the scaled sum of its parts
        assert not np.any(p["call"][i, :start]) and not np.any(p["call"][i, stop + 1 :])
    total = p["background"] + p["call"] + p["distractors"]
    np.testing.assert_allclose(p["X"], total * p["gain"][:, None], rtol=0, atol=1e-15)


def test_make_clips_is_synthesise():
    X, y = make_clips(10, snr_db=-3.0, random_state=7)
    p = parts(10, snr_db=-3.0, seed=7)
    np.testing.assert_array_equal(X, p["X"])
    np.testing.assert_array_equal(y, p["y"])


def test_snr_range_per_clip():
    p = parts(40, positive_fraction=0.5, snr_db=(-10.0, 0.0), seed=3)
    positive = p["y"] == 1
    assert np.all((p["snr_db"][positive] >= -10) & (p["snr_db"][positive] <= 0))
    assert np.ptp(p["snr_db"][positive]) > 3  # drawn, not constant
    assert np.all(np.isnan(p["snr_db"][~positive]))
    assert not np.any(p["call"][~positive])


def _ridge(x: np.ndarray, rate: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Frequency of the strongest bin in CALL_BAND per frame, and the frame energies."""
    freqs, _, spec = stft(x, fs=rate, nperseg=256, noverlap=224)
    power = np.abs(spec) ** 2
    band = (freqs >= 40) & (freqs <= 260)
    return freqs[band][np.argmax(power[band], axis=0)], power[band].sum(axis=0)


@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_up_call_in_band_and_rising(seed):
    p = parts(4, positive_fraction=1.0, seed=seed)
    for call, (start, stop) in zip(p["call"], p["call_span"], strict=True):
        freqs, psd = periodogram(call, fs=2000, window="boxcar", detrend=False)
        in_band = (freqs >= 45) & (freqs <= 255)
        assert psd[in_band].sum() / psd.sum() > 0.75  # harmonics carry the rest
        ridge, energy = _ridge(call[start : stop + 1])
        # the frames within 20 dB of the loudest: a call faded in and out slowly can spend
        # half its sweep 10-20 dB down (seed 87239 rises only 23 Hz within 10 dB)
        loud = energy > 0.01 * energy.max()
        first, last = np.flatnonzero(loud)[[0, -1]]
        assert ridge[last] - ridge[first] > 30
        third = max(1, (last - first + 1) // 3)
        assert ridge[last - third + 1 : last + 1].mean() > ridge[first : first + third].mean()


def test_up_call_visible_in_clips_at_high_snr():
    # a rising ridge over the call span of the noisy clip, for nearly every positive
    p = parts(40, positive_fraction=1.0, snr_db=10.0, seed=11)
    rising = []
    for x, (start, stop) in zip(p["X"], p["call_span"], strict=True):
        ridge, _ = _ridge(x[start : stop + 1])
        slope = np.polyfit(np.arange(len(ridge)), ridge, 1)[0]
        rising.append(slope > 0)
    assert np.mean(rising) >= 0.9


def test_distractors_in_both_classes():
    p = parts(200, seed=4)
    has_distractor = np.any(p["distractors"] != 0, axis=1)
    for label in (0, 1):
        share = has_distractor[p["y"] == label].mean()
        assert 0.4 < share < 0.9  # 1 - 0.65 * 0.7 * 0.8 = 0.64 expected


def test_background_is_coloured():
    # more power per Hz at low frequency (1/f^alpha), little below the 10 Hz roll-off
    p = parts(30, positive_fraction=0.0, seed=5)
    freqs, psd = periodogram(p["background"], fs=2000, axis=-1)
    mean_psd = psd.mean(axis=0)

    def density(lo, hi):
        return mean_psd[(freqs >= lo) & (freqs < hi)].mean()

    assert density(20, 60) > 3 * density(400, 800)
    assert density(0, 3) < density(20, 60)


@pytest.mark.parametrize(("duration", "rate"), [(1.0, 2000), (3.0, 2000), (2.0, 4000), (2.0, 600)])
def test_other_durations_and_rates(duration, rate):
    X, y = make_clips(6, duration=duration, sample_rate=rate, random_state=0)
    assert X.shape == (6, round(duration * rate))
    assert np.all(np.isfinite(X)) and np.abs(X).max() <= 0.5 + 1e-12


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_clips": 0}, InvalidParameterError, "n_clips"),
        ({"positive_fraction": 1.5}, InvalidParameterError, "positive_fraction"),
        ({"duration": 0.5}, InvalidParameterError, "duration"),
        ({"sample_rate": 500}, InvalidParameterError, "sample_rate"),
        ({"snr_db": "loud"}, InvalidParameterError, "snr_db"),
        ({"snr_db": (5.0, -5.0)}, ValueError, r"\(low, high\)"),
        ({"snr_db": (1.0, 2.0, 3.0)}, ValueError, r"\(low, high\)"),
        ({"snr_db": float("nan")}, ValueError, "finite"),
        ({"random_state": "seed"}, InvalidParameterError, "random_state"),
    ],
)
def test_make_clips_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_clips(**{"n_clips": 4, **kwargs})


# ---------------------------------------------------------------- write_clips


def test_write_csv_layout(tmp_path):
    X, y = make_clips(5, random_state=0)
    paths = write_clips(X, tmp_path, y=y)
    assert paths.dtype == object
    assert [Path(p).name for p in paths] == [f"train{i}.aiff" for i in range(1, 6)]
    assert all(Path(p).parent == tmp_path / "train" for p in paths)
    info = sf.info(paths[0])
    assert (info.format, info.subtype, info.samplerate, info.channels) == (
        "AIFF",
        "PCM_16",
        2000,
        1,
    )
    with open(tmp_path / "train.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["clip_name", "label"]] + [
        [f"train{i + 1}.aiff", str(v)] for i, v in enumerate(y)
    ]
    loaded, labels = load_challenge(tmp_path)
    np.testing.assert_array_equal(loaded, paths)
    np.testing.assert_array_equal(labels, y)


def test_write_suffix_layout_round_trip(tmp_path):
    X, y = make_clips(12, random_state=1)
    paths = write_clips(X, tmp_path, y=y, layout="suffix", subtype="FLOAT", sample_rate=2000)
    assert [Path(p).name for p in paths] == [f"train{i}_{v}.aif" for i, v in enumerate(y, 1)]
    assert not (tmp_path / "train.csv").exists()
    loaded, labels = load_challenge(tmp_path)
    np.testing.assert_array_equal(loaded, paths)  # natural order: train2 before train10
    np.testing.assert_array_equal(labels, y)
    np.testing.assert_allclose(AiffLoader(dtype="float64").transform(loaded), X, atol=1e-7)


def test_write_without_labels(tmp_path):
    X, _ = make_clips(2, random_state=0)
    write_clips(X, tmp_path)
    assert not (tmp_path / "train.csv").exists()
    with pytest.raises(ValueError, match="no label"):
        load_challenge(tmp_path)
    with pytest.raises(ValueError, match="y is required"):
        write_clips(X, tmp_path / "other", layout="suffix")


def test_write_refuses_to_overwrite(tmp_path):
    X, y = make_clips(3, random_state=0)
    write_clips(X, tmp_path, y=y)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    with pytest.raises(FileExistsError, match="4 file\\(s\\) to write already exist"):
        write_clips(X[::-1], tmp_path, y=y)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before
    paths = write_clips(X[::-1], tmp_path, y=y, overwrite=True)
    np.testing.assert_allclose(
        AiffLoader(dtype="float64").transform(paths), X[::-1], atol=2.0**-15
    )


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "match"),
    [
        (np.full((2, 10), 1.5), None, {}, "outside \\[-1, 1\\]"),
        (np.full((2, 10), np.nan), None, {}, "NaN or infinite"),
        (np.zeros(10), None, {}, "2-D"),
        (np.zeros((0, 10)), None, {}, "2-D"),
        (np.zeros((2, 10)), [0, 1, 1], {}, "shape \\(2,\\)"),
        (np.zeros((2, 10)), [0, 2], {}, "only 0 and 1"),
        (np.zeros((2, 10)), None, {"subtype": "VORBIS"}, "cannot be written to AIFF"),
    ],
)
def test_write_bad_input(tmp_path, X, y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        write_clips(X, tmp_path, y=y, **kwargs)
    assert not any(tmp_path.rglob("*.aif*"))


def test_write_float_subtype_allows_large_values(tmp_path):
    paths = write_clips(np.full((1, 10), 1.5), tmp_path, subtype="FLOAT")
    assert sf.read(paths[0])[0][0] == 1.5


# ---------------------------------------------------------------- load_challenge


def make_csv_folder(
    root: Path,
    rows: list[tuple[str, str]],
    files: list[str],
    subfolder: str | None = "train",
    header=("clip_name", "label"),
) -> Path:
    folder = root / subfolder if subfolder else root
    folder.mkdir(parents=True, exist_ok=True)
    for name in files:
        sf.write(folder / name, np.zeros(10), 2000, format="AIFF", subtype="PCM_16")
    with open(root / "train.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return root


def test_csv_beside_clips_and_csv_path(tmp_path):
    make_csv_folder(
        tmp_path, [("a.aiff", "1"), ("b.aiff", "0")], ["a.aiff", "b.aiff"], subfolder=None
    )
    paths, y = load_challenge(tmp_path)
    assert [Path(p).name for p in paths] == ["a.aiff", "b.aiff"] and y.tolist() == [1, 0]
    assert Path(paths[0]).parent == tmp_path
    paths2, y2 = load_challenge(tmp_path / "train.csv")
    np.testing.assert_array_equal(paths, paths2)


def test_csv_keeps_row_order_and_extra_columns(tmp_path):
    make_csv_folder(
        tmp_path,
        [("b.aiff", "0", "x"), ("a.aiff", "1", "y")],
        ["a.aiff", "b.aiff"],
        header=("clip_name", "label", "note"),
    )
    paths, y = load_challenge(str(tmp_path))
    assert [Path(p).name for p in paths] == ["b.aiff", "a.aiff"] and y.tolist() == [0, 1]


def test_csv_with_byte_order_mark(tmp_path):
    make_csv_folder(tmp_path, [("a.aiff", "1")], ["a.aiff"])
    csv_path = tmp_path / "train.csv"
    csv_path.write_bytes(b"\xef\xbb\xbf" + csv_path.read_bytes())
    paths, y = load_challenge(tmp_path)
    assert [Path(p).name for p in paths] == ["a.aiff"] and y.tolist() == [1]


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such folder"):
        load_challenge(tmp_path / "absent")


def test_no_clips(tmp_path):
    with pytest.raises(FileNotFoundError, match="no clips"):
        load_challenge(tmp_path)


def test_csv_row_naming_missing_file(tmp_path):
    make_csv_folder(tmp_path, [("a.aiff", "1"), ("b.aiff", "0"), ("c.aiff", "0")], ["a.aiff"])
    with pytest.raises(
        FileNotFoundError,
        match=r"2 of the 3 clips listed in .*train.csv are missing from "
        r".*train: b.aiff, c.aiff; pass missing='ignore' to load only "
        r"the 1 clips present",
    ):
        load_challenge(tmp_path)
    paths, y = load_challenge(tmp_path, missing="ignore")
    assert [Path(p).name for p in paths] == ["a.aiff"] and y.tolist() == [1]


def test_csv_all_missing_even_when_ignored(tmp_path):
    make_csv_folder(tmp_path, [("a.aiff", "1")], ["other.aiff"])
    with pytest.raises(FileNotFoundError, match="1 of the 1 clips"):
        load_challenge(tmp_path, missing="ignore")


def test_csv_clip_without_label(tmp_path):
    make_csv_folder(tmp_path, [("a.aiff", "1"), ("b.aiff", "")], ["a.aiff", "b.aiff"])
    with pytest.raises(ValueError, match=r"1 clip\(s\) have no label: b.aiff \(line 3\)"):
        load_challenge(tmp_path)


@pytest.mark.parametrize("label", ["2", "yes", "-1", "1.0"])
def test_csv_bad_label(tmp_path, label):
    make_csv_folder(tmp_path, [("a.aiff", "1"), ("b.aiff", label)], ["a.aiff", "b.aiff"])
    with pytest.raises(ValueError, match=rf"labels must be 0 or 1; .*b.aiff='{label}'"):
        load_challenge(tmp_path)


def test_csv_bad_header_and_duplicates(tmp_path):
    make_csv_folder(tmp_path, [("a.aiff", "1")], ["a.aiff"], header=("name", "label"))
    with pytest.raises(ValueError, match=r"clip_name \(or path\) and label"):
        load_challenge(tmp_path)
    make_csv_folder(tmp_path, [("a.aiff", "1"), ("a.aiff", "0")], ["a.aiff"])
    with pytest.raises(ValueError, match="listed twice"):
        load_challenge(tmp_path)


def test_csv_unlisted_clip(tmp_path):
    make_csv_folder(tmp_path, [("a.aiff", "1")], ["a.aiff", "stray.aiff"])
    with pytest.raises(ValueError, match="1 audio file\\(s\\) .* not listed .*: stray.aiff"):
        load_challenge(tmp_path)


def test_suffix_layout_errors_and_order(tmp_path):
    for name in ["x10_1.aif", "x2_0.aif", "x1_1.aiff"]:
        sf.write(tmp_path / name, np.zeros(10), 2000, format="AIFF")
    (tmp_path / "notes.txt").write_text("not a clip")
    paths, y = load_challenge(tmp_path)
    assert [Path(p).name for p in paths] == ["x1_1.aiff", "x2_0.aif", "x10_1.aif"]
    assert y.tolist() == [1, 0, 1]
    sf.write(tmp_path / "x11.aif", np.zeros(10), 2000, format="AIFF")
    with pytest.raises(ValueError, match=r"1 clip\(s\) in .* have no label .*: x11.aif"):
        load_challenge(tmp_path)
    (tmp_path / "x11.aif").rename(tmp_path / "x11_2.aif")
    with pytest.raises(ValueError, match="other than _0 or _1: x11_2.aif"):
        load_challenge(tmp_path)


def test_suffix_layout_in_train_folder(tmp_path):
    X, y = make_clips(3, random_state=0)
    paths = write_clips(X, tmp_path, y=y, layout="suffix")
    loaded, labels = load_challenge(tmp_path)
    assert Path(loaded[0]).parent == tmp_path / "train"
    np.testing.assert_array_equal(loaded, paths)


def test_bad_missing_option(tmp_path):
    with pytest.raises(InvalidParameterError, match="missing"):
        load_challenge(tmp_path, missing="skip")


@pytest.mark.realdata
def test_real_folder(narw_dir):
    paths, y = load_challenge(narw_dir)
    assert len(paths) == 3000 and paths.dtype == object and y.dtype == np.int64
    assert np.bincount(y).tolist() == [1500, 1500]
    with open(narw_dir / "train.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [Path(p).name for p in paths] == [row["clip_name"] for row in rows]
    assert y.tolist() == [int(row["label"]) for row in rows]
    assert all(Path(p).is_file() for p in paths[:50])


@pytest.mark.realdata
def test_real_original_folder(narw_dir):
    with pytest.raises(
        FileNotFoundError,
        match="29997 of the 30000 clips listed .* missing.*load only the 3 clips present",
    ):
        load_challenge(narw_dir / "original-aiff")
    paths, y = load_challenge(narw_dir / "original-aiff", missing="ignore")
    assert [Path(p).name for p in paths] == ["train1.aiff", "train6.aiff", "train168.aiff"]
    assert y.tolist() == [0, 1, 1]


# ---------------------------------------------------------------- label files


def _clips_folder(tmp_path, names=("a.aiff", "b.aiff", "c.aiff")) -> Path:
    folder = tmp_path / "clips"
    folder.mkdir()
    for name in names:
        sf.write(folder / name, np.zeros(10), 2000, format="AIFF", subtype="PCM_16")
    return folder


def test_label_file_for_a_folder(tmp_path):
    folder = _clips_folder(tmp_path)
    labels = tmp_path / "labels.csv"
    labels.write_text("path,label,note\nc.aiff,1,x\n a.aiff , 0 \n\nb.aiff,1,\n")
    paths, y = load_challenge(folder, labels)
    assert [Path(p).name for p in paths] == ["c.aiff", "a.aiff", "b.aiff"]
    assert y.tolist() == [1, 0, 1]
    labels.write_text("clip_name,path,label\na.aiff,zzz,0\nb.aiff,zzz,1\nc.aiff,zzz,0\n")
    assert [Path(p).name for p in load_challenge(folder, labels)[0]] == [
        "a.aiff",
        "b.aiff",
        "c.aiff",
    ]  # clip_name wins over path


def test_label_file_absolute_and_nested_names(tmp_path):
    folder = _clips_folder(tmp_path, ["a.aiff"])
    (folder / "sub").mkdir()
    sf.write(folder / "sub" / "d.aiff", np.zeros(10), 2000, format="AIFF")
    labels = tmp_path / "labels.csv"
    labels.write_text(f"clip_name,label\n{folder / 'a.aiff'},1\nsub/d.aiff,0\n")
    paths, y = load_challenge(folder, labels)
    assert paths.tolist() == [str(folder / "a.aiff"), str(folder / "sub" / "d.aiff")]
    labels.write_text(f"clip_name,label\n{folder / 'a.aiff'},1\na.aiff,0\nsub/d.aiff,0\n")
    with pytest.raises(
        ValueError,
        match=r"line 3: clip 'a.aiff' is listed twice \(first on "
        r"line 2\)",
    ):
        load_challenge(folder, labels)


@pytest.mark.parametrize("csv_name", ["train.csv", "labels.csv"])
def test_label_file_with_byte_order_mark(tmp_path, csv_name):
    folder = _clips_folder(tmp_path, ["a.aiff"])
    labels = (folder.parent / "train.csv") if csv_name == "train.csv" else tmp_path / csv_name
    labels.write_bytes(b"\xef\xbb\xbfclip_name,label\r\na.aiff,1\r\n")
    if csv_name == "train.csv":
        folder.rename(tmp_path / "train")
        paths, y = load_challenge(tmp_path)
    else:
        paths, y = load_challenge(folder, labels)
    assert y.tolist() == [1]


@pytest.mark.parametrize("csv_name", ["train.csv", "labels.csv"])
def test_label_file_not_utf8_names_the_file(tmp_path, csv_name):
    folder = _clips_folder(tmp_path, ["a.aiff"])
    labels = tmp_path / csv_name
    labels.write_bytes("clip_name,label\na.aiff,1\nbaleine_été.aiff,0\n".encode("latin-1"))
    with pytest.raises(ValueError, match=rf"{csv_name}, line 3: not UTF-8 text \(byte 0xe9"):
        if csv_name == "train.csv":
            load_challenge(tmp_path)
        else:
            load_challenge(folder, labels)


def test_label_file_missing_or_not_a_file(tmp_path):
    folder = _clips_folder(tmp_path, ["a.aiff"])
    with pytest.raises(FileNotFoundError, match="label file .*nope.csv does not exist"):
        load_challenge(folder, tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="is not a regular file"):
        load_challenge(folder, tmp_path)
    with pytest.raises(FileNotFoundError, match="no such folder"):
        load_challenge(tmp_path / "absent", tmp_path / "nope.csv")


def test_label_file_rules_are_those_of_train_csv(tmp_path):
    folder = _clips_folder(tmp_path)
    labels = tmp_path / "labels.csv"
    labels.write_text("clip_name,label\na.aiff,1\nb.aiff,0\n")  # c.aiff unlisted
    with pytest.raises(ValueError, match=r"1 audio file\(s\) .* not listed .*: c.aiff"):
        load_challenge(folder, labels)
    labels.write_text("clip_name,label\na.aiff,1\nb.aiff,0\nc.aiff,1\nd.aiff,0\n")
    with pytest.raises(FileNotFoundError, match="1 of the 4 clips listed"):
        load_challenge(folder, labels)
    assert len(load_challenge(folder, labels, missing="ignore")[0]) == 3
    labels.write_text("clip_name,label\na.aiff,1\nb.aiff,1.0\nc.aiff,1\n")
    with pytest.raises(ValueError, match=r"labels must be 0 or 1; .*b.aiff='1.0'"):
        load_challenge(folder, labels)
