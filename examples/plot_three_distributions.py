"""
Three distributions: ordinal, ordinal2d and spectral
====================================================

Entropy and complexity are functions of a probability distribution;
``distribution`` of :class:`whalefeat.ComplexityEntropyCurve` says where that
distribution comes from. On a spectrogram all three give a series over time,
one :math:`(H, C)` per frame or block of frames:

- ``"ordinal"``: the 1-D Bandt-Pompe patterns along frequency within each
  frame (the order of neighbouring bins);
- ``"ordinal2d"``: the 2-D patterns of small patches of the spectrogram
  (order across frequency *and* time), one distribution per sliding block of
  frames;
- ``"spectral"``: the normalised power of each frame is itself the
  distribution over its frequency bands.

This example draws the three series for one up-call clip and one noise clip.

**Which data this page shows.** The example looks for the real challenge
clips in the folder named by the environment variable
``WHALEFEAT_NARW_DATA``, or in ``shared/data/narw`` beside the source
repository. Where they are absent (as on a machine without the data), it uses
synthetic clips from :func:`whalefeat.datasets.make_clips` with up-calls at
6 dB signal-to-noise ratio. The first printed line below says which it used.
"""

# %%
# The clips
# ---------
# Twenty up-calls and twenty noise clips, drawn with a fixed seed. The
# figures follow one clip of each class, chosen below as a typical rather
# than a hand-picked one, and all forty are summarised at the end.

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from whalefeat import AiffLoader, ComplexityEntropyCurve, Spectrogram
from whalefeat.datasets import load_challenge, make_clips
from whalefeat.plotting import plot_spectrogram


def find_real_clips():
    """The folder of real clips (train.csv + train/), or None."""
    candidates = [
        os.environ.get("WHALEFEAT_NARW_DATA"),
        "../shared/data/narw",
        "../../shared/data/narw",
    ]
    for candidate in filter(None, candidates):
        folder = Path(candidate)
        if (folder / "train.csv").is_file() and (folder / "train").is_dir():
            return folder
    return None


n_per_class = 20
folder = find_real_clips()
if folder is not None:
    paths, labels = load_challenge(folder)
    rng = np.random.default_rng(0)
    chosen = np.concatenate(
        [
            rng.choice(np.flatnonzero(labels == label), n_per_class, replace=False)
            for label in (1, 0)
        ]
    )
    X, y = AiffLoader().fit_transform(paths[chosen]), labels[chosen]
    print(f"Using the real challenge clips in {folder.resolve()}")
else:
    X, y = make_clips(2 * n_per_class, snr_db=6, random_state=0)
    print("Real clips not found: using synthetic clips from make_clips(snr_db=6)")
names = ["up-call", "noise"]
colours = ["C3", "C0"]
print(f"{np.sum(y == 1)} up-calls and {np.sum(y == 0)} noise clips of {X.shape[1]} samples")

# %%
# Ordinal patterns along frequency
# --------------------------------
# On a batch of spectrograms ``(n_clips, n_bins, n_frames)`` the default
# ``distribution="ordinal"`` reads each frame as a signal along frequency and
# counts its ordinal patterns (``dimension=4``, so 24 patterns, over windows
# of 4 neighbouring bins). Here the spectrogram is the default one, in
# decibels: FFT bins from 40 to 400 Hz, frames of 256 samples every 32. The
# patterns ignore the levels, only the order of neighbouring bins matters:
# a frame crossed by the call has one peak that rises and falls smoothly
# over several bins, a run of ordered patterns among the noisy ones.

spectrogram = Spectrogram().fit(X)
S_db = spectrogram.transform(X)
ordinal = ComplexityEntropyCurve(measure="shannon")
ordinal_series = ordinal.fit_transform(S_db)
print(
    "spectrograms",
    S_db.shape,
    "-> ordinal series",
    ordinal_series.shape,
    ordinal.get_feature_names_out(),
)
print(f"{S_db.shape[1] - ordinal.dimension + 1} windows of {ordinal.dimension} bins per frame")

# %%
# 2-D ordinal patterns of patches
# -------------------------------
# ``distribution="ordinal2d"`` takes patches of ``dimension=2`` bins by
# ``time_dimension=2`` frames: the order of their four values is one of
# :math:`4! = 24` patterns, which sees whether the spectrum moves up or down
# from one frame to the next, not only how it is shaped within a frame. One
# frame alone holds no such patches, so ``window=16`` and ``hop=4`` count
# them in blocks of 16 frames, starting every 4 frames (the printed line
# gives their span in seconds). Each block is placed at the mean time of its
# frames.

window, hop = 16, 4
ordinal2d = ComplexityEntropyCurve(
    distribution="ordinal2d",
    measure="shannon",
    dimension=2,
    time_dimension=2,
    window=window,
    hop=hop,
)
ordinal2d_series = ordinal2d.fit_transform(S_db)
n_blocks = ordinal2d_series.shape[1]
block_times = np.array(
    [spectrogram.times_[k * hop : k * hop + window].mean() for k in range(n_blocks)]
)
print("spectrograms", S_db.shape, "-> ordinal2d series", ordinal2d_series.shape)
span = (window - 1) * spectrogram.hop_length + spectrogram.window_length
print(
    f"each block spans {span / spectrogram.sample_rate:.3f} s of signal; blocks start every "
    f"{hop * spectrogram.hop_length / spectrogram.sample_rate:.3f} s"
)

# %%
# The spectrum as the distribution
# --------------------------------
# ``distribution="spectral"`` needs powers, never decibels
# (``scaling="power"``): each frame's power over its 64 mel bands, divided by
# its sum, is the distribution. A frame of white noise spreads its power
# evenly (:math:`H` near 1); a tonal frame puts it in a few bands (low
# :math:`H`). ``disequilibrium`` asks for the three normalised distances
# from the uniform distribution at once: the columns are ``H`` and one
# complexity per distance. It is computed on the plain mel power and on the
# mel power whitened by ``contrast="median"``, which divides each band by its
# median over the clip (shown in the next figure).

mel_settings = dict(
    n_mels=64, fmin=50, fmax=300, mel_scale="htk", center=True, normalization="raw"
)
spectral = ComplexityEntropyCurve(
    distribution="spectral",
    measure="shannon",
    disequilibrium=("jensen-shannon", "euclidean", "total-variation"),
)
spectral_series = {}
for contrast in (None, "median"):
    mel_power = Spectrogram(**mel_settings, scaling="power", contrast=contrast).fit(X)
    S_power = mel_power.transform(X)
    spectral_series[contrast] = spectral.fit_transform(S_power)
print(
    "mel power",
    S_power.shape,
    "-> spectral series",
    spectral_series[None].shape,
    spectral.get_feature_names_out(),
)

# %%
# The pair of clips in the figures
# --------------------------------
# Within each class, the clip drawn is the one whose lowest whitened spectral
# entropy over its frames (the summary of the last figure) is the median of
# its class: neither the clearest call nor the quietest noise.

lowest_whitened = spectral_series["median"][:, :, 0].min(axis=1)
pair = []
for value in (1, 0):
    members = np.flatnonzero(y == value)
    pair.append(members[np.argsort(lowest_whitened[members])[members.size // 2]])
pair = np.array(pair)
print("clips drawn:", pair, "lowest whitened H:", lowest_whitened[pair].round(2))

# %%
# Their mel spectrograms
# ----------------------
# The spectral distribution is computed on 64 HTK mel bands from 50 to 300 Hz
# (frames centred on every 32nd sample), the bands in which the study's
# spectral series live. The top row shows these bands in decibels; the bottom
# row the same bands with ``contrast="median"``: each band is divided by its
# median over the clip (in decibels, the median is subtracted). This whitens
# the stationary background (a coloured noise floor, a steady tonal line
# becomes flat), and what is left is what changes over time, such as the
# sweep of the call. The dark lines of the top row are bands narrower than
# the 7.8 Hz spacing of the FFT bins, which catch little or no power.

fig, axes = plt.subplots(2, 2, figsize=(10, 5.5), sharex=True, sharey=True, layout="constrained")
for column, (index, name) in enumerate(zip(pair, names, strict=True)):
    plot_spectrogram(
        X[index],
        spectrogram=Spectrogram(**mel_settings, ref="max", top_db=60),
        ax=axes[0, column],
        title=f"{name}: mel bands (dB)",
    )
    plot_spectrogram(
        X[index],
        spectrogram=Spectrogram(**mel_settings, contrast="median"),
        ax=axes[1, column],
        cmap="viridis",
        title=f"{name}: whitened, contrast='median' (dB)",
    )
for ax in axes[0]:
    ax.set_xlabel("")
for ax in axes[:, 1]:
    ax.set_ylabel("")
plt.show()

# %%
# The four series over time
# -------------------------
# Each row is one distribution, the entropy :math:`H` on the left and the
# Jensen-Shannon complexity :math:`C` on the right, up-call in red, noise in
# blue, on the time axis of the spectrograms above.
#
# - The 1-D ordinal series jumps from frame to frame in both clips: the
#   windows of 4 bins in one frame (printed above) are few for 24 patterns,
#   and a call changes the order of only the few bins it crosses.
# - The 2-D series is smoother, since each value counts the patches of 16
#   frames, but in a single clip it shows little of the call either; its
#   values stay within a few hundredths of those of the noise clip.
# - The spectral entropy of the plain mel frames dips when the call is
#   loudest, but it also moves with the background, whose power is not spread
#   evenly over the bands even without a call.
# - Once the frames are whitened, the noise clip's spectral entropy stays
#   high and nearly flat, and the up-call's dips while the call sweeps, with
#   a matching rise of :math:`C`: the power left is then in the few bands
#   the call crosses.

rows = [
    ("ordinal (1-D, along frequency)", spectrogram.times_, ordinal_series),
    (f"ordinal2d (2x2 patches, blocks of {window} frames)", block_times, ordinal2d_series),
    ("spectral (mel power)", mel_power.times_, spectral_series[None]),
    ("spectral (whitened mel power)", mel_power.times_, spectral_series["median"]),
]
fig, axes = plt.subplots(len(rows), 2, figsize=(10, 9), sharex=True, layout="constrained")
for (title, times, series), row_axes in zip(rows, axes, strict=True):
    for index, name, colour in zip(pair, names, colours, strict=True):
        row_axes[0].plot(times, series[index, :, 0], color=colour, label=name)
        row_axes[1].plot(times, series[index, :, 1], color=colour, label=name)
    row_axes[0].set_ylabel("$H$")
    row_axes[1].set_ylabel("$C$")
    row_axes[0].set_title(title, loc="left", fontsize="medium")
axes[0, 1].legend(loc="upper right")
for ax in axes[-1]:
    ax.set_xlabel("Time (s)")
plt.show()

# %%
# Three disequilibria of the whitened spectrum
# --------------------------------------------
# The three complexities of the whitened spectral series use different
# distances from the uniform distribution (Jensen-Shannon, Euclidean as in the
# LMC complexity, total variation), each normalised to at most 1. They move
# together but weigh a concentrated frame differently: the Euclidean distance
# is small unless a few bands hold most of the power.

whitened = spectral_series["median"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3), sharey=True, layout="constrained")
for ax, index, name in zip(axes, pair, names, strict=True):
    for column, feature in enumerate(spectral.get_feature_names_out()[1:], start=1):
        ax.plot(mel_power.times_, whitened[index, :, column], label=feature)
    ax.set_title(f"{name}: whitened spectral complexities")
    ax.set_xlabel("Time (s)")
axes[0].set_ylabel("Complexity")
axes[1].legend(loc="upper right")
plt.show()

# %%
# Over all forty clips
# --------------------
# The dip gives a per-clip summary: the lowest spectral entropy over the
# frames of each clip, plain and whitened, for the twenty clips of each
# class. The printed lines give the median of each class and the fraction of
# (up-call, noise) pairs in which the up-call has the lower value (the area
# under the ROC curve of this one number; 0.5 is chance). Whitening raises
# the lowest entropy of the noise clips towards that of a flat spectrum,
# while the frames of a call stay concentrated. A dip only says
# that some narrow-band sound comes and goes, not that it sweeps upwards:
# down-sweeps, short tonal lines and other sounds in noise clips (the
# synthetic clips of :func:`~whalefeat.datasets.make_clips` hold such
# distractors on purpose) make dips too.

rng = np.random.default_rng(1)
fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
for position, (contrast, label) in enumerate(
    [(None, "mel power"), ("median", "whitened mel power")]
):
    lowest = spectral_series[contrast][:, :, 0].min(axis=1)
    for offset, (value, name, colour) in enumerate(zip((1, 0), names, colours, strict=True)):
        values = lowest[y == value]
        ax.scatter(
            2 * position + 0.6 * offset + rng.uniform(-0.12, 0.12, values.size),
            values,
            s=14,
            color=colour,
            label=name if position == 0 else None,
        )
        print(f"{label:>18}, {name:>7}: median lowest H = {np.median(values):.2f}")
    difference = lowest[y == 0][None, :] - lowest[y == 1][:, None]
    auc = np.mean(difference > 0) + 0.5 * np.mean(difference == 0)
    print(f"{label:>18}: up-call lower in {auc:.2f} of (up-call, noise) pairs")
ax.set_xticks([0.3, 2.3], ["mel power", "whitened mel power"])
ax.set_ylabel("lowest $H$ over frames")
ax.legend()
plt.show()
