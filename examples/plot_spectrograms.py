"""
An up-call and a noise clip, with their spectrograms
====================================================

A North Atlantic right whale up-call is a short upward frequency sweep,
roughly from 80 to 200 Hz over about one second. In a 2-s clip sampled at
2000 Hz it is hard to see in the waveform but plain in a spectrogram.

This example draws one synthetic clip of each class from
:func:`whalefeat.datasets.make_clips`, with its waveform and its spectrogram
computed by :class:`whalefeat.Spectrogram` and drawn by
:func:`whalefeat.plotting.plot_spectrogram`.
"""

# %%
# Synthetic clips
# ---------------
# :func:`~whalefeat.datasets.make_clips` places up-calls in coloured,
# ocean-like noise, and adds distractors (tonal lines, broadband pulses,
# down-sweeps) to clips of both classes, so that a detector has to learn the
# shape of the call. ``snr_db`` sets how loud the calls are against the
# background in their band.

import matplotlib.pyplot as plt
import numpy as np

from whalefeat import Spectrogram
from whalefeat.datasets import make_clips
from whalefeat.plotting import plot_spectrogram

X, y = make_clips(20, snr_db=0.0, random_state=3)
upcall, noise = X[np.flatnonzero(y == 1)[0]], X[np.flatnonzero(y == 0)[0]]
print(f"{X.shape[0]} clips of {X.shape[1]} samples, {y.sum()} with an up-call")

# %%
# Waveforms and spectrograms
# --------------------------
# The spectrogram keeps the band where up-calls live (40-400 Hz by default),
# with frames of 256 samples (128 ms) every 32 samples, in decibels. The
# up-call shows as a rising line; the noise clip has none.

spectrogram = Spectrogram(fmin=40, fmax=400)
time = np.arange(X.shape[1]) / 2000

fig, axes = plt.subplots(2, 2, figsize=(9, 5.5), sharex="col", layout="constrained")
for row, (clip, name) in enumerate([(upcall, "up-call"), (noise, "noise only")]):
    axes[row, 0].plot(time, clip, linewidth=0.5)
    axes[row, 0].set_title(f"Waveform: {name}")
    axes[row, 0].set_ylabel("Amplitude")
    plot_spectrogram(clip, spectrogram=spectrogram, ax=axes[row, 1], title=f"Spectrogram: {name}")
axes[1, 0].set_xlabel("Time (s)")
for ax in axes[0, :]:
    ax.set_xlabel("")
plt.show()

# %%
# Contrast normalisation
# ----------------------
# Ocean noise is louder at some frequencies than at others, all the time.
# ``contrast="row"`` removes each frequency row's median over the clip and
# divides by its spread, which flattens steady background and tonal lines and
# leaves the transient call standing out.

whitened = Spectrogram(fmin=40, fmax=400, contrast="row")
fig, axes = plt.subplots(1, 2, figsize=(9, 3), layout="constrained")
plot_spectrogram(upcall, spectrogram=whitened, ax=axes[0], cmap="viridis", title="up-call")
plot_spectrogram(noise, spectrogram=whitened, ax=axes[1], cmap="viridis", title="noise only")
plt.show()

# %%
# Mel spectrograms
# ----------------
# With ``n_mels`` set, the power of the FFT bins goes through a bank of
# triangular filters spaced evenly on the mel scale between ``fmin`` and
# ``fmax``. These are the settings of the study whose complexity-entropy
# series whalefeat reproduces: 64 HTK mel bands from 50 to 300 Hz, frames
# centred on every 32nd sample (126 per clip), librosa's raw periodogram, and
# decibels relative to each clip's smallest power, clipped 80 dB below its
# largest. The band centres lie 3 to 4.5 Hz apart, closer than the 7.8 Hz
# spacing of the FFT bins, so three bands hold no bin: their rows are kept
# and sit at the bottom of the range.

mel = Spectrogram(
    n_mels=64,
    fmin=50,
    fmax=300,
    mel_scale="htk",
    center=True,
    normalization="raw",
    ref="min",
    top_db=80,
    floor=1e-10,
)
fig, axes = plt.subplots(1, 2, figsize=(9, 3), layout="constrained")
plot_spectrogram(upcall, spectrogram=mel, ax=axes[0], cmap="magma", title="up-call (mel)")
plot_spectrogram(noise, spectrogram=mel, ax=axes[1], cmap="magma", title="noise only (mel)")
print(
    f"{len(mel.frequencies_)} bands x {len(mel.times_)} frames; empty bands:",
    np.flatnonzero(mel.mel_filters_.max(axis=1) == 0),
)
plt.show()
