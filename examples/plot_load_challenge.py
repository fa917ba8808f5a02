"""
Loading the challenge's folder layout
=====================================

The whale detection challenge ships its training clips as a folder of AIFF
files next to a ``train.csv`` of ``clip_name,label``.
:func:`whalefeat.datasets.load_challenge` reads that layout (and the other
one, where file names end in ``_1.aif`` for an up-call and ``_0.aif`` for
noise) and returns the file paths and labels; :class:`whalefeat.AiffLoader`
then reads the clips, checking every file's sample rate, length and channels.

**Which data this page shows.** The example looks for the real challenge
clips in the folder named by the environment variable
``WHALEFEAT_NARW_DATA``, or in ``shared/data/narw`` beside the source
repository. Where they are absent (as on a machine without the data), it
writes synthetic clips in the same layout with
:func:`whalefeat.datasets.write_clips` and uses those instead. The first
printed line below says which it used.
"""

# %%
# Find the folder
# ---------------
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from whalefeat import AiffLoader, Spectrogram
from whalefeat.datasets import load_challenge, make_clips, write_clips
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


folder = find_real_clips()
if folder is not None:
    print(f"Using the real challenge clips in {folder.resolve()}")
else:
    temporary = tempfile.TemporaryDirectory()
    folder = Path(temporary.name)
    X_synthetic, y_synthetic = make_clips(60, random_state=0)
    write_clips(X_synthetic, folder, y=y_synthetic, layout="csv")
    print("Real clips not found: using 60 synthetic clips written in the same layout")

# %%
# The layout on disk
# ------------------
# A ``train.csv`` of ``clip_name,label`` and a ``train/`` folder of clips.

print(sorted(p.name for p in folder.iterdir())[:5])
print((folder / "train.csv").read_text().splitlines()[:3])

# %%
# Paths and labels
# ----------------
# ``load_challenge`` keeps the order of ``train.csv`` and checks that every
# listed clip exists and that every clip in the folder is labelled.

paths, y = load_challenge(folder)
print(f"{len(paths)} clips: {np.sum(y == 1)} up-calls, {np.sum(y == 0)} noise")
print(paths[:2])

# %%
# Reading the clips
# -----------------
# :class:`~whalefeat.AiffLoader` is a stateless scikit-learn transformer: it
# turns any one-dimensional sequence of paths into an array of shape
# ``(n_clips, n_samples)`` with samples in [-1, 1]. Here it reads four clips of
# each class; in a pipeline it comes first and the pipeline is fitted on paths.

rng = np.random.default_rng(0)
chosen = np.concatenate(
    [rng.choice(np.flatnonzero(y == label), 4, replace=False) for label in (1, 0)]
)
clips = AiffLoader().fit_transform(paths[chosen])
print(clips.shape, clips.dtype, float(np.abs(clips).max()))

# %%
# Their spectrograms
# ------------------
# The top row holds up-calls, the bottom row noise. Real clips are noisier
# and more varied than the synthetic ones: some calls are faint, and the
# background holds other sounds.

spectrogram = Spectrogram(fmin=40, fmax=400, contrast="row")
fig, axes = plt.subplots(2, 4, figsize=(11, 5), sharex=True, sharey=True, layout="constrained")
for ax, clip, label in zip(axes.ravel(), clips, y[chosen], strict=True):
    plot_spectrogram(
        clip,
        spectrogram=spectrogram,
        ax=ax,
        colorbar=False,
        cmap="viridis",
        title="up-call" if label == 1 else "noise",
    )
for ax in axes[:, 1:].ravel():
    ax.set_ylabel("")
for ax in axes[0]:
    ax.set_xlabel("")
plt.show()
