"""
Scanning an hour of audio for up-calls
======================================

A clip detector scores 2-second clips; :func:`whalefeat.detect.scan` slides
it over a long recording, :func:`whalefeat.detect.events` merges the windows
that score high into detections, and :func:`whalefeat.detect.write_selections`
writes them as a Raven Pro selection table.

This example builds a synthetic hour of ocean noise with eight up-calls at
known times, trains a fast detector on synthetic clips, scans the hour at a
hop of 0.5 s and draws the score trace over the spectrogram with the events
found.
"""

# %%
# An hour with a few calls
# ------------------------
# :func:`~whalefeat.datasets.make_clips` with ``duration=3600`` and
# ``positive_fraction=0`` gives one hour of ocean-like noise. Eight loud up-call
# clips are added to it at random times, each faded in and out (a Hann
# window), so that no edge shows where a clip was added. The hour is written
# as a 16-bit WAV file, as a hydrophone would record it.

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import soundfile as sf
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from whalefeat import AiffLoader, Spectrogram
from whalefeat.datasets import make_clips
from whalefeat.detect import events, read_selections, scan, write_selections
from whalefeat.plotting import plot_spectrogram

RATE = 2000
(hour,), _ = make_clips(1, duration=3600.0, positive_fraction=0.0, random_state=0)
calls, _ = make_clips(8, positive_fraction=1.0, snr_db=20.0, random_state=1)
truth = np.sort(np.random.default_rng(2).choice(np.arange(10, 1790), 8, replace=False)) * 2.0
fade = np.hanning(calls.shape[1])
level = 4 * hour.std() / calls.std(axis=1, keepdims=True)
for start, call in zip((truth * RATE).astype(int), calls * level * fade, strict=True):
    hour[start : start + len(call)] += call
hour *= 0.5 / np.abs(hour).max()

folder = tempfile.TemporaryDirectory()
recording = Path(folder.name) / "hour.wav"
sf.write(recording, hour, RATE, subtype="PCM_16")
print(f"{len(hour) / RATE / 60:.0f} minutes; calls added at {truth.tolist()} s")

# %%
# A fast detector
# ---------------
# A window of a scan holds a call anywhere in it, often cut by its edge, so
# the detector here describes each band of the contrast-normalised
# spectrogram by its largest value, mean and spread over the window, which do
# not depend on where in the window the call lies, and weighs them by
# logistic regression: it trains in a second. (The flattened spectrogram of
# the ``"logistic"`` and ``"hgb"`` pipelines ties each weight to a time in the
# clip and scores shifted calls poorly.) It is fitted on decoded synthetic
# clips, so its first step, the loader, only tells the scanner the clip format
# (2000 Hz, 2 s).


def band_statistics(S):
    """Largest value, mean and standard deviation of each band over the window."""
    return np.concatenate([S.max(axis=2), S.mean(axis=2), S.std(axis=2)], axis=1)


X, y = make_clips(600, snr_db=(0.0, 10.0), random_state=3)
detector = make_pipeline(
    AiffLoader(),
    Spectrogram(contrast="row"),
    FunctionTransformer(band_statistics),
    StandardScaler(),
    LogisticRegression(C=0.01, max_iter=2000),
)
detector[1:].fit(X, y)

# %%
# Scan, events, selection table
# -----------------------------
# Every 0.5 s a window of 2 s is scored: 7,197 windows. Windows scored at
# least 0.7 and no more than 1 s apart merge into one event.

windows = scan(detector, recording, hop=0.5)
found = events(windows, threshold=0.7, min_gap=1.0)
print(f"{len(windows)} windows, {len(found)} events")
print(found[["start", "end", "score", "n_windows"]].round(2).to_string())

table = write_selections(found, Path(folder.name) / "hour.selections.txt")
print(read_selections(table)[["Selection", "Begin Time (s)", "End Time (s)", "Score"]])

# %%
# Events found against the calls placed: a call is found when an event covers
# its clip for at least half of it.

found_calls = [
    any(
        min(end, t + 2) - max(start, t) >= 1.0
        for start, end in zip(found["start"], found["end"], strict=True)
    )
    for t in truth
]
print(f"calls found: {sum(found_calls)} of {len(truth)}")

# %%
# The score over the hour
# -----------------------
# The score trace of the whole hour, with the events (shaded) and the calls
# placed (triangles); below, two minutes of its spectrogram around the first
# call, with the windows' scores over it.

fig, axes = plt.subplots(2, 1, figsize=(9, 6), layout="constrained")
minutes = windows["start"] / 60
axes[0].plot(minutes, windows["score"], linewidth=0.4)
for start, end in zip(found["start"], found["end"], strict=True):
    axes[0].axvspan(start / 60, end / 60, color="tab:orange", alpha=0.4)
axes[0].plot(truth / 60, np.full(len(truth), 1.05), "v", color="tab:red", label="call placed")
axes[0].axhline(0.7, color="grey", linestyle="--", linewidth=0.8, label="threshold")
axes[0].set(xlabel="Time (min)", ylabel="Score", title="Scores of the hour", ylim=(0, 1.12))
axes[0].legend(loc="center right")

first = truth[0]
excerpt = slice(int(max(0, first - 60) * RATE), int((first + 60) * RATE))
offset = excerpt.start / RATE
plot_spectrogram(
    hour[excerpt],
    spectrogram=Spectrogram(fmin=40, fmax=400),
    ax=axes[1],
    colorbar=False,
    title="Two minutes around the first call",
)
near = windows[(windows["start"] >= offset) & (windows["start"] < offset + 120)]
score_axis = axes[1].twinx()
score_axis.plot(near["start"] - offset + 1.0, near["score"], color="white", linewidth=1.0)
score_axis.set(ylim=(0, 1), ylabel="Score (centre of window)")
for start, end in zip(found["start"], found["end"], strict=True):
    if end > offset and start < offset + 120:
        axes[1].axvspan(
            start - offset,
            end - offset,
            ymin=0.02,
            ymax=0.98,
            fill=False,
            edgecolor="tab:cyan",
            linewidth=1.5,
        )
axes[1].set_xlabel(f"Time from {offset:.0f} s (s)")
plt.show()

folder.cleanup()
