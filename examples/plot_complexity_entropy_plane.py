"""
The complexity-entropy plane
============================

Bandt-Pompe ordinal patterns turn a signal into a distribution over the
:math:`d!` possible orderings of :math:`d` consecutive samples. Its
normalised permutation entropy :math:`H` and statistical complexity
:math:`C` place the signal as a point in the *complexity-entropy plane*,
which for a given :math:`d` is bounded by a minimum and a maximum complexity
curve. Noise sits near :math:`(1, 0)`; structure moves a signal to lower
entropy and higher complexity.

This example computes :math:`(H, C)` with
:class:`whalefeat.ComplexityEntropyCurve` (``measure="shannon"``) and draws
the plane with :func:`whalefeat.plotting.plot_complexity_entropy_plane`.
"""

# %%
# Clips of both classes
# ---------------------
# One point per clip, from the ordinal patterns of its whole waveform
# (:math:`d = 4`, 24 patterns, about 4000 windows per clip). The synthetic
# up-calls are placed at 10 dB SNR, clearly visible in a spectrogram.

import matplotlib.pyplot as plt
import numpy as np

from whalefeat import ComplexityEntropyCurve
from whalefeat.datasets import make_clips
from whalefeat.plotting import plot_complexity_entropy_plane

X, y = make_clips(200, snr_db=10.0, random_state=0)
names = {0: "noise", 1: "up-call"}
dimension = 4

clip_features = ComplexityEntropyCurve(dimension=dimension, measure="shannon").fit_transform(X)
H, C = clip_features[:, 0], clip_features[:, 1]

fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
plot_complexity_entropy_plane(
    H, C, dimension=dimension, y=y, class_names=names, ax=axes[0], s=12, alpha=0.7
)
axes[0].set_title("Whole clips, d = 4")
plot_complexity_entropy_plane(
    H, C, dimension=dimension, y=y, class_names=names, ax=axes[1], s=12, alpha=0.7
)
axes[1].set_xlim(0.8, 1.0)
axes[1].set_ylim(0.0, 0.2)
axes[1].get_legend().remove()
axes[1].set_title("Zoom on the clips")
plt.show()

# %%
# Whole clips sit close to the noise corner: the coloured background noise
# dominates the 2-s waveform, and its colour (how fast its spectrum falls)
# moves a clip along the lower bound. The up-calls still pull their clips
# towards lower entropy and higher complexity:

for label, name in names.items():
    print(
        f"{name:8s} median H = {np.median(H[y == label]):.4f}, "
        f"median C = {np.median(C[y == label]):.4f}"
    )

# %%
# Windows within clips
# --------------------
# With ``window`` and ``hop``, :class:`~whalefeat.ComplexityEntropyCurve`
# returns one point per window instead: here windows of 256 samples (128 ms)
# every 32 samples, as in the original study, for ten clips of each class. A
# window holding an up-call is more predictable than background noise and
# moves towards lower entropy and higher complexity, near the upper bound.
# Noise windows move there too when the background is dominated by low
# frequencies or a tonal distractor, which is why a classifier needs the shape
# of the whole series over time and not a single point.

framed = ComplexityEntropyCurve(dimension=dimension, measure="shannon", window=256, hop=32)
chosen = np.concatenate([np.flatnonzero(y == 0)[:10], np.flatnonzero(y == 1)[:10]])
series = framed.fit_transform(X[chosen])  # (20 clips, 118 windows, 2)
points = series.reshape(-1, 2)
which = np.repeat(y[chosen], series.shape[1])

fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
plot_complexity_entropy_plane(
    points[:, 0],
    points[:, 1],
    dimension=dimension,
    y=which,
    class_names={0: "windows of noise clips", 1: "windows of up-call clips"},
    ax=ax,
    s=4,
    alpha=0.4,
)
ax.set_title("One point per 128-ms window, d = 4")
plt.show()

# %%
# These series of :math:`(H, C)` pairs over time are what the 1-D
# convolutional network of :class:`whalefeat.models.Inception1DClassifier`
# classifies.
