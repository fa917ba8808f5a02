"""The batched forward pass of the Keras classifiers: eager first, then one traced graph."""

from __future__ import annotations

import gc
import threading
import weakref

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from whalefeat.models import Inception1DClassifier, _inference  # noqa: E402
from whalefeat.models._inference import EAGER_BATCHES, forward  # noqa: E402

pytestmark = pytest.mark.keras
tensorflow_only = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="the traced call is the TensorFlow backend's"
)


def _network(seed=0):
    """A small network with the layers of the classifiers: convolution, normalisation."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((16, 3)),
            keras.layers.Conv1D(8, 3, padding="same"),
            keras.layers.BatchNormalization(),
            keras.layers.ReLU(),
            keras.layers.Dropout(0.5),  # must be off: inference
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    # moving statistics away from 0 and 1, so that training=True would differ
    norm = model.layers[1]
    norm.moving_mean.assign(np.linspace(-1, 1, 8).astype(np.float32))
    norm.moving_variance.assign(np.linspace(0.5, 2, 8).astype(np.float32))
    return model


def _reference(model, X, batch_size):
    """The eager loop that predict_proba ran before: one model call per batch."""
    return np.concatenate(
        [
            keras.ops.convert_to_numpy(model(X[a : a + batch_size], training=False))
            for a in range(0, len(X), batch_size)
        ]
    )


def _data(n, seed=1):
    return np.random.default_rng(seed).normal(size=(n, 16, 3)).astype(np.float32)


@pytest.mark.parametrize("n", [1, 7, 8, 9, 40, 61])
def test_equals_the_eager_loop_before_and_after_tracing(n):
    model = _network()
    X = _data(n)
    expected = _reference(model, X, 8)
    for _ in range(EAGER_BATCHES + 2):  # the first calls eager, the later ones traced
        np.testing.assert_allclose(forward(keras, model, X, 8), expected, rtol=1e-6, atol=1e-7)


@tensorflow_only
def test_traced_once_for_every_batch_size():
    model = _network()
    X = _data(EAGER_BATCHES * 4 + 3)  # more batches than run eagerly, and a partial one
    forward(keras, model, X, 4)
    function = _inference._STATE[model]["function"]
    assert function is not None
    for n, batch_size in ((5, 4), (17, 5), (1, 1)):
        forward(keras, model, X[:n], batch_size)
    assert function.experimental_get_tracing_count() == 1
    assert _inference._STATE[model]["function"] is function


@tensorflow_only
def test_a_few_batches_stay_eager():
    model = _network()
    X = _data(3 * 8)
    for _ in range(EAGER_BATCHES // 3):
        forward(keras, model, X, 8)
    assert _inference._STATE[model]["function"] is None
    assert _inference._STATE[model]["batches"] == 3 * (EAGER_BATCHES // 3)
    forward(keras, model, X, 8)
    assert _inference._STATE[model]["function"] is not None


def test_the_model_is_not_kept_alive():
    model = _network()
    forward(keras, model, _data(8 * (EAGER_BATCHES + 1)), 8)  # traced
    reference = weakref.ref(model)
    del model
    gc.collect()
    assert reference() is None


@tensorflow_only
def test_threads_share_one_trace_and_agree():
    model = _network()
    X = _data(8 * (EAGER_BATCHES + 1) + 5)
    expected = _reference(model, X, 8)
    results, errors = [], []

    def work():
        try:
            results.append(forward(keras, model, X, 8))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert _inference._STATE[model]["function"].experimental_get_tracing_count() == 1
    for result in results:
        np.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-7)


def test_classifier_probabilities_unchanged_through_forward():
    """On a fitted classifier, forward gives the probabilities its network gives eagerly."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 20, 2)).astype(np.float32)
    y = np.arange(80) % 2
    X[y == 1, 5:10, 0] += 1.0
    clf = Inception1DClassifier(filters=4, epochs=1, batch_size=8, random_state=0).fit(X, y)
    inputs = clf._to_model_input(X)
    expected = _reference(clf.model_, inputs, 8)
    out = forward(keras, clf.model_, inputs, clf.batch_size)  # 10 batches: traced
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(out.astype(np.float64), clf.predict_proba(X), rtol=1e-6, atol=1e-7)
