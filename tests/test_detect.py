"""Tests of whalefeat.detect: scanning long recordings, events, selection tables, saved models.

The long recordings are made of real clips of known labels from the shared NARW sample
(synthetic clips where it is absent), laid end to end, so every window's truth is known.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import resample_poly

from whalefeat import pipelines
from whalefeat.datasets import load_challenge, make_clips, write_clips
from whalefeat.detect import (
    RAVEN_COLUMNS,
    ModelVersionWarning,
    StreamResampler,
    events,
    load_model,
    read_selections,
    save_model,
    scan,
    write_selections,
)
from whalefeat.io import AudioFileError

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "narw"
CLIP = 2.0  # seconds
RATE = 2000


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """Paths and labels of labelled clips: the real sample, or synthetic ones."""
    if (DATA / "train.csv").is_file():
        paths, y = load_challenge(DATA)
        order = np.random.default_rng(0).permutation(len(y))[:700]
        return paths[order], y[order]
    folder = tmp_path_factory.mktemp("synthetic")
    X, y = make_clips(400, snr_db=5.0, random_state=0)
    return write_clips(X, folder, y=y), y


@pytest.fixture(scope="module")
def detector(clips):
    paths, y = clips
    return pipelines.get("logistic", random_state=0).fit(paths[:300], y[:300])


@pytest.fixture(scope="module")
def recording(tmp_path_factory, clips, detector, pooled):
    """A 40-s recording of 8 up-call and 12 noise clips that the detectors tell apart.

    The clips are chosen among those both detectors score confidently, so the test is of
    the scanner (times, windows, merging), not of the classifiers.
    """
    paths, y = clips
    rest, labels = paths[300:], y[300:]
    low = np.minimum(detector.predict_proba(rest)[:, 1], pooled.predict_proba(rest)[:, 1])
    high = np.maximum(detector.predict_proba(rest)[:, 1], pooled.predict_proba(rest)[:, 1])
    positives = rest[(labels == 1) & (low > 0.8)][:8]
    negatives = rest[(labels == 0) & (high < 0.2)][:12]
    assert len(positives) == 8 and len(negatives) == 12
    chosen = np.concatenate([positives, negatives])
    truth = np.array([1] * 8 + [0] * 12)
    order = np.random.default_rng(1).permutation(20)
    chosen, truth = chosen[order], truth[order]
    audio = np.concatenate([sf.read(path, dtype="float64")[0] for path in chosen])
    path = tmp_path_factory.mktemp("recording") / "long.wav"
    sf.write(path, audio, RATE, subtype="PCM_16")
    # least event recall and precision at a hop of 0.5 s: on synthetic clips, whose
    # up-calls start anywhere in the clip, windows across two clips hold more partial calls
    bounds = (0.85, 0.7) if (DATA / "train.csv").is_file() else (0.85, 0.55)
    return {"path": str(path), "clips": chosen, "truth": truth, "audio": audio, "bounds": bounds}


@pytest.fixture(scope="module")
def pooled(clips):
    """A detector that tolerates shifts: band statistics over time of the spectrogram.

    The flattened spectrogram of "logistic" ties every weight to a time in the clip, so
    windows that straddle two clips are out of its reach; at a hop of 0.5 s this one is
    used.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    from whalefeat import AiffLoader, Spectrogram

    paths, y = clips
    return make_pipeline(
        AiffLoader(),
        Spectrogram(contrast="row"),
        FunctionTransformer(_band_statistics),
        StandardScaler(),
        LogisticRegression(C=0.01, max_iter=2000),
    ).fit(paths[:300], y[:300])


def _band_statistics(S):
    return np.concatenate([S.max(axis=2), S.mean(axis=2), S.std(axis=2)], axis=1)


def _event_quality(found: pd.DataFrame, truth: np.ndarray) -> tuple[float, float, str]:
    """Event recall and precision against the clips' labels.

    Recall: the up-call clips that events cover for at least 1 s (half a clip). Precision:
    the events that lie at least half on up-call clips. One event over everything, or events
    at the wrong times, fail one or the other.
    """
    edges = np.arange(len(truth) + 1) * CLIP
    covered = np.zeros(len(truth))
    good = 0
    for start, end in zip(found["start"], found["end"], strict=True):
        overlap = np.clip(np.minimum(end, edges[1:]) - np.maximum(start, edges[:-1]), 0, None)
        covered += overlap
        good += overlap[truth == 1].sum() >= 0.5 * (end - start)
    recall = float(np.mean(covered[truth == 1] >= CLIP / 2))
    precision = good / max(len(found), 1)
    text = (
        f"event recall {recall:.2f}, precision {precision:.2f} ({len(found)} events; "
        f"up-calls at clips {np.flatnonzero(truth).tolist()}; events at "
        f"{found[['start', 'end']].to_numpy().round(2).tolist()})"
    )
    return recall, precision, text


# ------------------------------------------------------------------------------ resampler


@settings(max_examples=40, deadline=None)
@given(
    rates=st.sampled_from(
        [(4000, 2000), (44100, 2000), (1000, 2000), (3000, 7000), (2000, 44100), (96000, 2000)]
    ),
    n=st.integers(1, 3000),
    cuts=st.lists(st.integers(0, 3000), max_size=6),
    seed=st.integers(0, 2**16),
)
def test_stream_resampler_equals_resample_poly_of_the_whole(rates, n, cuts, seed):
    rate, target = rates
    x = np.random.default_rng(seed).normal(size=n)
    reference = resample_poly(x, target, rate)
    stream = StreamResampler(target, rate, n)
    parts = np.split(x, sorted(c for c in cuts if c <= n))
    out = np.concatenate(
        [stream.push(part, final=i == len(parts) - 1) for i, part in enumerate(parts)]
    )
    assert len(out) == len(reference) == stream.n_out
    np.testing.assert_allclose(out, reference, rtol=0, atol=1e-13 * max(1, np.abs(x).max()))


# ------------------------------------------------------------------------------ scanning


def test_windows_on_the_clips_score_as_the_clips(recording, detector):
    windows = scan(detector, recording["path"], hop=CLIP)
    assert list(windows.columns) == ["file", "channel", "start", "end", "score"]
    np.testing.assert_array_equal(windows["start"], np.arange(20) * CLIP)
    np.testing.assert_array_equal(windows["end"], np.arange(1, 21) * CLIP)
    assert (windows["file"] == recording["path"]).all() and (windows["channel"] == 1).all()
    # sample for sample the same audio as the clip files: the same scores
    np.testing.assert_allclose(
        windows["score"], detector.predict_proba(recording["clips"])[:, 1], rtol=1e-6, atol=1e-9
    )
    assert windows.attrs["durations"] == {recording["path"]: 40.0}


def test_scan_finds_the_up_calls(recording, detector, pooled):
    # windows on the clips: every up-call found, nothing else
    found = events(scan(detector, recording["path"], hop=CLIP), threshold=0.5)
    recall, precision, text = _event_quality(found, recording["truth"])
    assert recall == 1.0 and precision == 1.0, text
    windows = scan(pooled, recording["path"])  # hop 0.5 s
    assert len(windows) == 1 + (40 - 2) * 2
    found = events(windows, threshold=0.8)
    recall, precision, text = _event_quality(found, recording["truth"])
    least_recall, least_precision = recording["bounds"]
    assert recall >= least_recall and precision >= least_precision, text
    # a scanner that put the windows at the wrong times would miss them
    shifted = found.assign(start=found["start"] + 3.0, end=found["end"] + 3.0)
    recall_shifted, precision_shifted, text = _event_quality(shifted, recording["truth"])
    assert recall_shifted < least_recall or precision_shifted < least_precision, text


def test_block_size_does_not_change_the_result(recording, detector):
    whole = scan(detector, recording["path"])
    blocks = scan(detector, recording["path"], block_duration=0.37, batch_size=7)
    pd.testing.assert_frame_equal(whole, blocks)


def test_memory_is_bounded_by_the_block(recording, detector, monkeypatch):
    asked = []
    original = sf.SoundFile.read

    def read(self, frames=-1, *args, **kwargs):
        asked.append(frames)
        return original(self, frames, *args, **kwargs)

    monkeypatch.setattr(sf.SoundFile, "read", read)
    scan(detector, recording["path"], block_duration=1.5)
    assert asked and max(asked) == 3000 and -1 not in asked


@pytest.mark.parametrize("rate", [4000, 44100])
def test_resampled_recordings(recording, pooled, tmp_path, rate):
    audio = resample_poly(recording["audio"], rate, RATE)
    path = tmp_path / f"long-{rate}.flac"
    sf.write(path, audio / max(1.0, np.abs(audio).max()), rate, subtype="PCM_24")
    stored = sf.read(path, dtype="float64")[0]
    windows = scan(pooled, path, hop=0.5, block_duration=3.3)
    # the stream is resampled as the whole file would be
    back = resample_poly(stored, RATE, rate)
    starts = np.arange(len(windows) - 1) * 1000
    expected = pooled[1:].predict_proba(
        np.stack([back[s : s + 4000] for s in starts]).astype(np.float32)
    )[:, 1]
    np.testing.assert_allclose(windows["score"][:-1], expected, rtol=1e-5, atol=1e-7)
    recall, precision, text = _event_quality(events(windows, threshold=0.8), recording["truth"])
    least_recall, least_precision = recording["bounds"]
    assert recall >= least_recall and precision >= least_precision, f"at {rate} Hz: {text}"


def test_every_channel_or_one(recording, detector, tmp_path):
    stereo = np.column_stack([recording["audio"], recording["audio"][::-1]])
    path = tmp_path / "stereo.wav"
    sf.write(path, stereo, RATE, subtype="PCM_16")
    reversed_path = tmp_path / "reversed.wav"
    sf.write(reversed_path, stereo[:, 1], RATE, subtype="PCM_16")
    both = scan(detector, path)
    assert both["channel"].tolist() == [1] * 77 + [2] * 77
    mono = scan(detector, recording["path"])
    # windows of both channels share batches: the last bits may differ
    np.testing.assert_allclose(both["score"][:77], mono["score"], rtol=1e-6)
    second = scan(detector, path, channel=2)
    np.testing.assert_allclose(second["score"], scan(detector, reversed_path)["score"], rtol=1e-6)
    assert (second["channel"] == 2).all()
    with pytest.raises(ValueError, match="has 2 channels; channel 3 does not exist"):
        scan(detector, path, channel=3)


def test_last_partial_window_padded_or_dropped(recording, detector, tmp_path):
    path = tmp_path / "short.wav"
    sf.write(path, recording["audio"][:14600], RATE, subtype="PCM_16")  # 7.3 s
    dropped = scan(detector, path, partial="drop")
    assert dropped["start"].tolist() == [i * 0.5 for i in range(11)]
    assert dropped["end"].max() == 7.0
    padded = scan(detector, path, partial="pad")
    assert padded["start"].tolist() == [i * 0.5 for i in range(12)]
    assert padded["end"].iloc[-1] == pytest.approx(7.3)
    window = np.zeros(4000, dtype=np.float32)
    window[:3600] = recording["audio"][11000:14600]
    assert padded["score"].iloc[-1] == pytest.approx(
        detector[1:].predict_proba(window[None])[0, 1], rel=1e-6
    )
    tiny = tmp_path / "tiny.wav"
    sf.write(tiny, recording["audio"][:1000], RATE, subtype="PCM_16")
    assert len(scan(detector, tiny, partial="drop")) == 0
    assert scan(detector, tiny, partial="pad")["end"].tolist() == [0.5]


def test_several_recordings_in_order_and_in_parallel(recording, detector, tmp_path):
    other = tmp_path / "other.wav"
    sf.write(other, recording["audio"][:20000], RATE, subtype="PCM_16")
    serial = scan(detector, [recording["path"], other])
    assert serial["file"].unique().tolist() == [recording["path"], str(other)]
    assert serial.attrs["durations"] == {recording["path"]: 40.0, str(other): 10.0}
    seen = []
    parallel = scan(
        detector,
        [recording["path"], other],
        n_jobs=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    pd.testing.assert_frame_equal(serial, parallel)
    assert seen[-1] == (50.0, 50.0)


def test_windows_equal_a_brute_force_scan(recording, pooled):
    """Every window, the padded last one included, cut from the audio by hand and scored."""
    audio, hop, T = recording["audio"], 1500, int(CLIP * RATE)
    audio = audio[:-700]  # the last window then runs past the end
    path = Path(recording["path"]).with_name("cut.wav")
    sf.write(path, audio, RATE, subtype="PCM_16")
    audio = sf.read(path, dtype="float64")[0]
    starts = np.arange(0, len(audio) - T + 1, hop)
    windows = [audio[a : a + T] for a in starts]
    last = np.zeros(T)
    last[: len(audio) - starts[-1] - hop] = audio[starts[-1] + hop :]
    expected = pooled[1:].predict_proba(np.stack(windows + [last]).astype(np.float32))[:, 1]
    found = scan(pooled, path, hop=hop / RATE, batch_size=10, n_threads=2)
    np.testing.assert_allclose(found["start"], np.append(starts, starts[-1] + hop) / RATE)
    # float32 spectrograms: sums over other batch compositions round differently
    np.testing.assert_allclose(found["score"], expected, rtol=0, atol=1e-6)


def test_threads_do_not_change_the_result(recording, detector, tmp_path):
    from threadpoolctl import threadpool_info

    stereo = tmp_path / "stereo.wav"
    sf.write(
        stereo,
        np.stack([recording["audio"], recording["audio"][::-1]], axis=1),
        4000 // 2 * 3,
        subtype="PCM_16",
    )  # 3000 Hz: resampled
    pools = [(pool["internal_api"], pool["num_threads"]) for pool in threadpool_info()]
    one = scan(detector, stereo, batch_size=9, n_threads=1, block_duration=2.3)
    for n_threads in (2, 3):
        threaded = scan(detector, stereo, batch_size=9, n_threads=n_threads, block_duration=2.3)
        pd.testing.assert_frame_equal(one, threaded)
    assert [(pool["internal_api"], pool["num_threads"]) for pool in threadpool_info()] == pools


class _FailsOnBatch:
    """A transformer whose n-th transform call raises."""

    def __init__(self, n):
        self.n, self.calls = n, 0

    def __call__(self, X):
        self.calls += 1
        if self.calls == self.n:
            raise RuntimeError(f"batch {self.n} fails")
        return X


@pytest.mark.parametrize("n_threads", [1, 2])
def test_an_error_while_scoring_stops_the_scan(recording, detector, n_threads):
    import threading

    before = threading.active_count()
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    failing = make_pipeline(
        FunctionTransformer(_FailsOnBatch(3)), *detector[1:].named_steps.values()
    )
    with pytest.raises(RuntimeError, match="batch 3 fails"):
        scan(
            failing,
            recording["path"],
            sample_rate=RATE,
            duration=CLIP,
            batch_size=5,
            n_threads=n_threads,
        )
    assert threading.active_count() == before


def test_scan_on_a_local_dask_cluster_equals_serial(recording, detector, tmp_path):
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_config

    other = tmp_path / "other.wav"
    sf.write(other, recording["audio"][::-1], RATE, subtype="PCM_16")
    files = [recording["path"], str(other), recording["path"]]
    serial = scan(detector, files)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        parallel_config(backend="dask"),
    ):
        on_dask = scan(detector, files, n_jobs=-1)
    pd.testing.assert_frame_equal(serial, on_dask)
    assert on_dask.attrs == serial.attrs


def test_scan_errors(recording, detector, tmp_path):
    with pytest.raises(FileNotFoundError, match="no/such.wav: no such recording"):
        scan(detector, "no/such.wav")
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio")
    with pytest.raises(AudioFileError, match="junk.wav: cannot be read as audio"):
        scan(detector, [recording["path"], junk])
    with pytest.raises(ValueError, match=r"hop=0.0001 s is not a whole number of samples"):
        scan(detector, recording["path"], hop=0.0001)
    with pytest.raises(ValueError, match="partial must be 'pad' or 'drop'"):
        scan(detector, recording["path"], partial="keep")
    with pytest.raises(ValueError, match="channel must be None or an integer from 1"):
        scan(detector, recording["path"], channel=0)
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="n_threads must be a positive integer"):
            scan(detector, recording["path"], n_threads=bad)
    with pytest.raises(ValueError, match="pass sample_rate and duration"):
        scan(detector[-1], recording["path"])
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        scan(pipelines.get("logistic"), recording["path"])
    nan = tmp_path / "nan.wav"
    audio = np.zeros(5000)
    audio[4321] = np.nan
    sf.write(nan, audio, RATE, subtype="FLOAT")
    with pytest.raises(AudioFileError, match="NaN or infinite sample"):
        scan(detector, nan)


# ------------------------------------------------------------------------------ events


def _reference_events(windows, threshold, min_gap, min_duration, hop):
    """Events by brute force: label every window, split where too many in a row fall below."""
    out = []
    for (file, channel), group in windows.groupby(["file", "channel"], sort=False):
        group = group.sort_values("start")
        above = (group["score"] >= threshold).to_numpy()
        members, gap = [], 0
        runs = []
        for row, keep in zip(group.itertuples(), above, strict=True):
            if not keep:
                gap += 1
                continue
            if members and gap * hop > min_gap:
                runs.append(members)
                members = []
            members.append(row)
            gap = 0
        if members:
            runs.append(members)
        for rows in runs:
            start, end = rows[0].start, max(r.end for r in rows)
            if end - start >= min_duration:
                best = max(rows, key=lambda r: (r.score, -r.start))
                out.append((file, channel, start, end, best.score, best.start, len(rows)))
    return out


@settings(max_examples=60, deadline=None)
@given(
    scores=st.lists(st.floats(0, 1), min_size=1, max_size=40),
    threshold=st.floats(0, 1),
    min_gap=st.sampled_from([0.0, 0.5, 1.0, 3.0]),
    min_duration=st.sampled_from([0.0, 2.0, 3.5]),
    hop=st.sampled_from([0.5, 1.0, 3.0]),
)
def test_events_match_a_brute_force_merge(scores, threshold, min_gap, min_duration, hop):
    n = len(scores)
    windows = pd.DataFrame(
        {
            "file": "a.wav",
            "channel": [1] * n,
            "start": np.arange(n) * hop,
            "end": np.arange(n) * hop + 2.0,
            "score": scores,
        }
    )
    windows = pd.concat(
        [windows, windows.assign(channel=2, score=windows["score"][::-1].values)],
        ignore_index=True,
    )
    found = events(windows, threshold=threshold, min_gap=min_gap, min_duration=min_duration)
    expected = _reference_events(windows, threshold, min_gap, min_duration, hop)
    # the hop that scan records gives the same events as the one read from the starts
    windows.attrs["hop"] = hop
    assert found.equals(
        events(windows, threshold=threshold, min_gap=min_gap, min_duration=min_duration)
    )
    assert [tuple(row) for row in found.itertuples(index=False)] == expected
    assert (found["end"] - found["start"] >= min_duration).all()
    assert found["n_windows"].sum() <= (windows["score"] >= threshold).sum()


def test_events_reject_bad_arguments():
    windows = pd.DataFrame(
        {"file": ["a"], "channel": [1], "start": [0.0], "end": [2.0], "score": [0.9]}
    )
    with pytest.raises(ValueError, match="threshold must be a finite number"):
        events(windows, threshold=float("nan"))
    with pytest.raises(ValueError, match="must not be negative"):
        events(windows, min_gap=-1)
    with pytest.raises(ValueError, match="lacks the columns"):
        events(windows.drop(columns="score"))


# ------------------------------------------------------------------------------ tables


def test_raven_table_round_trip(tmp_path):
    found = pd.DataFrame(
        {
            "file": ["/data/a.wav", "/data/a.wav", "/data/b.flac"],
            "channel": [1, 2, 1],
            "start": [12.5, 0.1 + 0.2, 3.0],
            "end": [14.5, 2.3, 5.0],
            "score": [0.93, 0.5000000001, 1.0],
        }
    )
    path = write_selections(
        found, tmp_path / "selections.txt", durations={"/data/a.wav": 60.0, "/data/b.flac": 30.0}
    )
    lines = path.read_text().splitlines()
    assert lines[0].split("\t") == list(RAVEN_COLUMNS)
    table = read_selections(path)
    assert list(table.columns) == list(RAVEN_COLUMNS)
    assert table["Selection"].tolist() == [1, 2, 3]
    assert table["View"].tolist() == ["Spectrogram 1"] * 3
    assert table["Channel"].tolist() == [1, 2, 1]
    assert table["Begin File"].tolist() == ["a.wav", "a.wav", "b.flac"]
    # exact numbers back, and the second file's times follow the first file's 60 s
    assert table["File Offset (s)"].tolist() == [12.5, 0.1 + 0.2, 3.0]
    assert table["Begin Time (s)"].tolist() == [12.5, 0.1 + 0.2, 63.0]
    assert table["End Time (s)"].tolist() == [14.5, 2.3, 65.0]
    assert table["Score"].tolist() == [0.93, 0.5000000001, 1.0]
    assert table["Low Freq (Hz)"].tolist() == [50.0] * 3
    assert table["High Freq (Hz)"].tolist() == [250.0] * 3


def test_csv_round_trip_and_atomic_refusal(tmp_path):
    found = pd.DataFrame(
        {
            "file": ["a, b.wav"],
            "channel": [1],
            "start": [1 / 3],
            "end": [2.5],
            "score": [0.7],
            "peak_start": [1 / 3],
            "n_windows": [2],
        }
    )
    path = write_selections(found, tmp_path / "events.csv")
    pd.testing.assert_frame_equal(read_selections(path), found)
    with pytest.raises(FileExistsError, match="already exists"):
        write_selections(found, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv"]
    with pytest.raises(ValueError, match="low_freq < high_freq"):
        write_selections(found, tmp_path / "x.txt", low_freq=300, high_freq=100)


def test_raven_times_from_the_scan_durations(recording, detector, tmp_path):
    other = tmp_path / "other.wav"
    sf.write(other, recording["audio"], RATE, subtype="PCM_16")
    found = events(scan(detector, [recording["path"], other], hop=CLIP))
    table = read_selections(write_selections(found, tmp_path / "s.txt"))
    second = table["Begin File"] == "other.wav"
    assert second.any()
    np.testing.assert_allclose(
        table["Begin Time (s)"][second], table["File Offset (s)"][second] + 40.0
    )


# ------------------------------------------------------------------------------ saved models


def test_saved_model_round_trip_and_version_warnings(detector, clips, tmp_path):
    import joblib

    paths = clips[0][300:310]
    path = save_model(detector, tmp_path / "model.joblib", name="logistic", n_clips=300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model, info = load_model(path, with_metadata=True)
    assert info["name"] == "logistic" and info["n_clips"] == 300
    np.testing.assert_array_equal(model.predict_proba(paths), detector.predict_proba(paths))
    record = joblib.load(path)
    record["versions"]["scikit-learn"] = "0.1"
    joblib.dump(record, tmp_path / "old.joblib")
    with pytest.warns(ModelVersionWarning, match=r"saved with scikit-learn 0.1 \(now "):
        load_model(tmp_path / "old.joblib")
    joblib.dump(detector, tmp_path / "bare.joblib")
    with pytest.warns(ModelVersionWarning, match="records no versions"):
        load_model(tmp_path / "bare.joblib")
    joblib.dump({"a": 1}, tmp_path / "junk.joblib")
    with pytest.raises(TypeError, match="not a detector"), pytest.warns(ModelVersionWarning):
        load_model(tmp_path / "junk.joblib")


def test_no_temporary_files_left(tmp_path, detector):
    save_model(detector, tmp_path / "m.joblib")
    assert [p.name for p in tmp_path.iterdir()] == ["m.joblib"]
    assert not any(name.endswith(".tmp") for name in os.listdir(tmp_path))
