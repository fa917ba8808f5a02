"""
Cross-validating each detection pipeline
========================================

Every step of whalefeat is a scikit-learn estimator, so a complete detector
is a :class:`~sklearn.pipeline.Pipeline` that
:func:`~sklearn.model_selection.cross_val_score` evaluates like any other.
This example cross-validates two pipelines of the method on synthetic clips
and draws their ROC curves, fold by fold:

1. a classical baseline: the flattened spectrogram fed to a logistic
   regression;
2. the complexity-entropy series of the spectrogram (one :math:`(H, C)` pair
   per frame) fed to the study's 1-D convolutional network,
   :class:`~whalefeat.models.Inception1DClassifier` with
   ``architecture="seed"``.

The method's third pipeline, the spectrogram image fed to
:class:`~whalefeat.models.XceptionClassifier`, is built the same way and
cross-validated by the same calls; it is shown at the end but not run here,
because training it takes minutes even at this page's sizes.

The sizes (90 clips, 10 epochs) are chosen so that the example runs in
under a minute on a laptop CPU, not for the best scores: the network is far
from fully trained here. The :doc:`/results` page reports the same pipelines,
Xception included, trained properly on thousands of real clips.
"""

# %%
# Data and folds
# --------------
# 90 synthetic clips, half with an up-call at 10 dB SNR, and one stratified
# 3-fold split shared by all pipelines, so that their scores are comparable.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from whalefeat import ComplexityEntropyCurve, Spectrogram
from whalefeat.datasets import make_clips
from whalefeat.models import Inception1DClassifier, XceptionClassifier
from whalefeat.plotting import plot_roc_curves

X, y = make_clips(90, snr_db=10.0, random_state=0)
cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)

# %%
# The classical baseline with ``cross_val_score``
# -----------------------------------------------
# ``Spectrogram(flatten=True)`` returns one row of ``n_freqs * n_frames``
# values per clip, the layout a linear model takes. ``contrast="row"``
# whitens the background of each clip first.

baseline = make_pipeline(
    Spectrogram(contrast="row", flatten=True),
    StandardScaler(),
    LogisticRegression(C=0.01, max_iter=2000),
)
scores = cross_val_score(baseline, X, y, cv=cv, scoring="roc_auc")
print(f"baseline ROC AUC per fold: {np.round(scores, 3)}, mean {scores.mean():.3f}")

# %%
# The complexity-entropy network
# ------------------------------
# The network sees a short series per clip (118 frames of two channels), so
# it trains in a few seconds per fold.

ce_network = make_pipeline(
    Spectrogram(contrast="row"),
    ComplexityEntropyCurve(dimension=4, measure="shannon"),
    Inception1DClassifier(architecture="seed", epochs=10, batch_size=32, random_state=0),
)
pipelines = {"logistic regression": baseline, "complexity-entropy + seed network": ce_network}

# %%
# Fold-by-fold ROC curves
# -----------------------
# :func:`~sklearn.model_selection.cross_validate` computes the same scores as
# ``cross_val_score`` and can also return each fold's fitted pipeline and
# test indices, from which :func:`whalefeat.plotting.plot_roc_curves` draws a
# curve per fold, their mean and a band of one standard deviation.

fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.6), layout="constrained")
for ax, (name, pipeline) in zip(axes, pipelines.items(), strict=True):
    result = cross_validate(
        pipeline, X, y, cv=cv, scoring="roc_auc", return_estimator=True, return_indices=True
    )
    tests = result["indices"]["test"]
    truths = [y[test] for test in tests]
    probabilities = [
        model.predict_proba(X[test])[:, 1]
        for model, test in zip(result["estimator"], tests, strict=True)
    ]
    plot_roc_curves(truths, probabilities, name="mean of 3 folds", ax=ax)
    ax.set_title(name)
    print(
        f"{name:34s} ROC AUC {result['test_score'].mean():.3f} "
        f"± {result['test_score'].std():.3f}, fit {result['fit_time'].mean():.1f} s per fold"
    )
plt.show()

# %%
# The Xception pipeline
# ---------------------
# Xception sees the spectrogram as an image, resized to its minimum input of
# 71 x 71 pixels. With about 20 million weights it is far more expensive than
# the two pipelines above: one epoch over 60 such images costs about half a
# minute of CPU time, so even two epochs on each of three folds take minutes.
# The pipeline is built here and would go through the same loop unchanged,
# for example ``cross_validate(xception, X, y, cv=cv, scoring="roc_auc")``;
# ``weights="imagenet"`` would start from pretrained weights (which Keras
# downloads once) instead of from scratch.

xception = make_pipeline(
    Spectrogram(contrast="row", hop_length=64),
    XceptionClassifier(weights=None, image_size=71, epochs=2, batch_size=16, random_state=0),
)
print(xception)
