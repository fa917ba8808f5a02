"""
Complexity-entropy curves of both classes
=========================================

A single :math:`(H, C)` point throws information away: different pattern
distributions can share it. The Tsallis complexity-entropy curve (Ribeiro et
al. 2017) follows the point as the entropic index :math:`q` runs from small
values, which stress rare ordinal patterns, to large ones, which stress the
frequent patterns; the Rényi curve (Jauregui et al. 2018) does the same with
the Rényi entropy. Each clip becomes a curve, and the curves of up-calls and
of noise differ in shape.

This example computes both curves with
:class:`whalefeat.ComplexityEntropyCurve` and draws them with
:func:`whalefeat.plotting.plot_complexity_entropy_curves`.
"""

# %%
# Curves of whole clips
# ---------------------
# ``measure="tsallis"`` evaluates the curve on a grid of :math:`q`; by default
# 49 values from 0.01 to 100, including :math:`q = 1` where the curve passes
# through the Shannon pair. The features come in pairs
# ``[H_q0, C_q0, H_q1, C_q1, ...]``, so a reshape to ``(n_clips, n_q, 2)``
# separates the entropies from the complexities.

import matplotlib.pyplot as plt
import numpy as np

from whalefeat import ComplexityEntropyCurve
from whalefeat.datasets import make_clips
from whalefeat.plotting import plot_complexity_entropy_curves

X, y = make_clips(80, snr_db=10.0, random_state=1)
names = {0: "noise", 1: "up-call"}

tsallis = ComplexityEntropyCurve(dimension=4, measure="tsallis").fit(X)
curves = tsallis.transform(X).reshape(len(X), -1, 2)
print("q grid:", tsallis.q_[[0, 1, -2, -1]], f"... ({tsallis.q_.size} values)")
print("first features:", tsallis.get_feature_names_out()[:4])

renyi = ComplexityEntropyCurve(dimension=4, measure="renyi")
renyi_curves = renyi.fit_transform(X).reshape(len(X), -1, 2)

fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
plot_complexity_entropy_curves(curves[..., 0], curves[..., 1], y=y, class_names=names, ax=axes[0])
axes[0].set_title("Tsallis curves, d = 4")
plot_complexity_entropy_curves(
    renyi_curves[..., 0], renyi_curves[..., 1], y=y, class_names=names, ax=axes[1]
)
axes[1].set_title("Rényi curves, d = 4")
axes[1].set_xlabel(r"Entropy $H_\alpha$")
axes[1].set_ylabel(r"Complexity $C_\alpha$")
plt.show()

# %%
# Where the classes differ
# ------------------------
# The difference of the class means of :math:`C_q`, in units of its spread
# over clips, shows where along the curve the two classes separate, and in
# which direction: each :math:`q` weighs the ordinal patterns differently, so
# the curve carries more than its Shannon point at :math:`q = 1`.

mean_difference = curves[y == 1, :, 1].mean(0) - curves[y == 0, :, 1].mean(0)
spread = curves[:, :, 1].std(0)
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
ax.semilogx(tsallis.q_, mean_difference / spread)
ax.axhline(0, color="0.5", linewidth=0.8)
ax.set_xlabel("$q$")
ax.set_ylabel("(up-call - noise) mean $C_q$ / std")
plt.show()
best = np.argmax(np.abs(mean_difference / spread))
print(f"largest standardised difference at q = {tsallis.q_[best]:.3g}")

# %%
# Series of curves
# ----------------
# On spectrograms, or with ``window`` and ``hop`` on signals, the same
# transformer gives one curve per time frame: an array of shape
# ``(n_clips, n_frames, 2 n_q)`` whose channels a 1-D network such as
# :class:`whalefeat.models.Inception1DClassifier` takes as input.
