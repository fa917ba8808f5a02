"""Helpers of the real-data study: a Keras callback and a series scaler.

Both are ordinary user-side code: the callback goes through the Keras
estimators' ``callbacks=`` parameter, the scaler is a pipeline step fitted on
the training fold like any other.
"""

from __future__ import annotations

import keras
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data


class BatchNormMomentum(keras.callbacks.Callback):
    """Set the momentum of every BatchNormalization layer when training starts.

    Keras's default momentum of 0.99 averages the batch statistics over about
    a hundred steps. Trained from scratch for a few epochs on a few thousand
    clips (tens of steps per epoch), the moving statistics then lag far behind
    the weights, and the network in inference mode can predict one class for
    every clip although it fits its training batches well. A momentum of 0.9
    (about ten steps) keeps the inference statistics current.

    Parameters
    ----------
    momentum : float, default=0.9
        Momentum of the moving mean and variance.
    """

    def __init__(self, momentum: float = 0.9):
        super().__init__()
        self.momentum = momentum

    def on_train_begin(self, logs=None):
        # Runs before the training step is traced, so the traced step uses the new momentum.
        stack = [self.model]
        while stack:
            layer = stack.pop()
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.momentum = self.momentum
            stack.extend(getattr(layer, "layers", []))


class SeriesScaler(TransformerMixin, BaseEstimator):
    """Standardise each channel of series ``(n, n_steps, n_channels)``.

    The mean and standard deviation of each channel are taken over all samples
    and steps of the training data. Complexity-entropy features vary little
    around their mean (``H`` about 0.95 +/- 0.04 on the real clips), which a
    network trained from scratch for a few epochs does not pick up unscaled.
    """

    def fit(self, X, y=None):
        X = validate_data(self, X, allow_nd=True, dtype=np.float64)
        if X.ndim != 3:
            raise ValueError(f"SeriesScaler expects (n, n_steps, n_channels), got {X.shape}")
        self.mean_ = X.mean(axis=(0, 1))
        scale = X.std(axis=(0, 1))
        self.scale_ = np.where(scale > 0, scale, 1.0)
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, allow_nd=True, dtype=np.float64, reset=False)
        return ((X - self.mean_) / self.scale_).astype(np.float32)


def frames_first(S: np.ndarray) -> np.ndarray:
    """Spectrograms ``(n, n_freqs, n_frames)`` as series ``(n, n_frames, n_freqs)``."""
    return np.swapaxes(np.asarray(S), 1, 2)
