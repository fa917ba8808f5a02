"""Forward passes of the Keras classifiers' networks in batches (private).

``predict_proba`` of a Keras classifier runs its network over the input
``batch_size`` samples at a time. Called eagerly, every layer of every batch
goes through Python dispatch, which on small batches costs as much as the
arithmetic: about half the speed of ``model.predict``, which runs a traced
graph. Tracing costs too, though (a fraction of a second for the 1-D networks,
seconds for Xception), and a fitted model that only ever predicts a few
batches, as in the estimator checks, would pay it for nothing.

:func:`forward` therefore runs a model's first :data:`EAGER_BATCHES` batches
eagerly and then, on the TensorFlow backend, switches to a graph of the
model's inference call traced once per model for any batch size (the batch
dimension left open, so the last, partial batch of a call is not traced
again). On other backends every batch stays eager, as before.

The traced graph computes what the eager calls compute: the outputs are the
same to the bit on the CPUs tested (``tests/test_inference.py`` checks them to
float32 rounding). The graph is kept beside the model, not in it: it is not
pickled, and it goes when the model goes.
"""

from __future__ import annotations

import threading
import weakref

import numpy as np

#: batches a model runs eagerly before its inference call is traced
EAGER_BATCHES = 8

# per model: {"batches": eager batches run so far, "function": traced call or None}
_STATE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _traced_call(model, sample_shape: tuple[int, ...], dtype):
    """``model(x, training=False)`` as a ``tf.function`` for any number of samples."""
    import tensorflow as tf

    reference = weakref.ref(model)  # the function must not keep the model alive

    def call(x):
        return reference()(x, training=False)

    signature = [tf.TensorSpec((None, *sample_shape), tf.as_dtype(dtype))]
    return tf.function(call, input_signature=signature, reduce_retracing=False, jit_compile=False)


def _function_for(keras, model, X: np.ndarray, n_batches: int):
    """The traced call to use for this call's batches, or None to run them eagerly."""
    if keras.backend.backend() != "tensorflow":
        return None
    with _LOCK:
        state = _STATE.setdefault(model, {"batches": 0, "function": None})
        function = state["function"]
        if function is not None and function.input_signature[0].shape[1:] == X.shape[1:]:
            return function
        if state["batches"] + n_batches <= EAGER_BATCHES:
            state["batches"] += n_batches
            return None
        state["function"] = _traced_call(model, X.shape[1:], X.dtype)
        return state["function"]


def forward(keras, model, X: np.ndarray, batch_size: int) -> np.ndarray:
    """The network's output on ``X``, ``batch_size`` samples at a time.

    Parameters
    ----------
    keras : module
        The imported ``keras`` package.
    model : keras.Model
        The fitted network.
    X : ndarray of shape (n_samples, ...)
        The network's input (already in the model's layout).
    batch_size : int
        Samples per forward pass.

    Returns
    -------
    output : ndarray of shape (n_samples, ...)
        The model's outputs, concatenated in the order of ``X``, in the
        model's dtype.

    Examples
    --------
    >>> import keras
    >>> import numpy as np
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> X = np.ones((5, 3), dtype=np.float32)
    >>> forward(keras, model, X, 2).shape
    (5, 2)
    """
    starts = range(0, X.shape[0], batch_size)
    function = _function_for(keras, model, X, len(starts))
    if function is None:
        outputs = [
            keras.ops.convert_to_numpy(model(X[start : start + batch_size], training=False))
            for start in starts
        ]
    else:
        outputs = [function(X[start : start + batch_size]).numpy() for start in starts]
    return np.concatenate(outputs)
