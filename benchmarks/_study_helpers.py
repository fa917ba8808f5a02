"""Keras callback used by the real-data study (passed through ``callbacks=``)."""

from __future__ import annotations

import keras


class BatchNormMomentum(keras.callbacks.Callback):
    """Set the momentum of every BatchNormalization layer when training starts.

    Keras's default momentum of 0.99 averages the batch statistics over about
    a hundred steps. Trained from scratch for a few epochs on a few thousand
    clips (about 70 steps per epoch), Xception's moving statistics then lag far
    behind the weights, and the network in inference mode predicts one class
    for every clip although it fits its training batches well. A momentum of
    0.9 (about ten steps) keeps the inference statistics current.

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
