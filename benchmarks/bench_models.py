"""Speed of the Keras classifiers against plain Keras code for the same networks.

"ours" is the scikit-learn estimator: input validation, label encoding, model
building, seeding, training through ``model.fit`` and prediction in eager
batches. The peer builds the same network with plain Keras calls, compiles it
and runs ``model.fit``, or ``model.predict`` on an already trained model (its
tracing happens in the warm-up call, so the timed calls reuse the traced
function). The ratio is the cost or gain of the wrapper.

The "forward" cases time ``predict_proba`` with its network run by
:func:`whalefeat.models._inference.forward` (eager for a model's first
batches, then one traced graph), patched in for the duration of the case, at
the sizes a scan uses: :func:`whalefeat.detect.scan` asks for 256 windows per
call, which the classifier runs in its ``batch_size`` (64 in the Inception
pipelines, 32 in "xception"); the inputs are those of ``"frames-inception"``
(126 frames of 64 mel bands), ``"ce-inception"`` (126 frames of 8 series) and
``"xception"`` (46 x 118 spectrograms at 71 px). Their peer is ``model.predict``
of the very same fitted network, at the same batch size.
"""

from __future__ import annotations

import numpy as np
from run_benchmarks import Case


def _series(n: int):
    rng = np.random.default_rng(0)
    X = rng.normal(0.88, 0.04, size=(n, 118, 2)).astype(np.float32)  # like H, C per frame
    y = np.arange(n) % 2
    X[y == 1, 40:60, 0] -= 0.05
    return X, y


def _images(n: int):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 46, 118)).astype(np.float32)  # like a 2-s spectrogram
    y = np.arange(n) % 2
    return X, y


def _plain_seed(keras, X):
    layers = keras.layers
    model = keras.Sequential([keras.Input(X.shape[1:])])
    model.add(layers.Normalization(mean=X.mean(axis=(0, 1)), variance=X.var(axis=(0, 1))))
    for _ in range(3):
        model.add(layers.Conv1D(128, 3, padding="same"))
        model.add(layers.BatchNormalization(momentum=0.9))
        model.add(layers.ReLU())
        model.add(layers.Dropout(0.2))
    model.add(layers.GlobalAveragePooling1D())
    model.add(layers.Dense(2, activation="softmax"))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _plain_xception(keras, shape):
    layers = keras.layers
    inputs = keras.Input(shape)
    x = layers.Resizing(71, 71)(inputs)
    x = layers.Concatenate()([x, x, x])
    base = keras.applications.Xception(include_top=False, weights=None, input_shape=(71, 71, 3))
    base.trainable = False
    x = layers.GlobalAveragePooling2D()(base(x))
    x = layers.Dropout(0.1)(layers.Dense(100, activation="relu")(x))
    model = keras.Model(inputs, layers.Dense(2, activation="softmax")(x))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _minmax(X):
    low = X.min(axis=(1, 2), keepdims=True)
    return (2 * (X - low) / (X.max(axis=(1, 2), keepdims=True) - low) - 1)[..., np.newaxis]


def _predict_proba_with_forward(self, X):
    """``_KerasClassifier.predict_proba`` with its batch loop replaced by ``forward``."""
    from sklearn.utils.validation import check_is_fitted

    from whalefeat.models._base import _import_keras
    from whalefeat.models._inference import forward

    check_is_fitted(self)
    X = self._validate_X(X, reset=False)
    keras = _import_keras(type(self).__name__)
    X = self._to_model_input(X)
    output = forward(keras, self.model_, X, self.batch_size).astype(np.float64)
    proba = self._proba_from_output(output)
    return proba / proba.sum(axis=1, keepdims=True)


def _forward_case(name: str, fitted, X, repeat: int) -> Case:
    """predict_proba through ``forward`` (patched in while timed) against model.predict."""
    from whalefeat.models._base import _KerasClassifier

    original = _KerasClassifier.predict_proba

    def ours():
        _KerasClassifier.predict_proba = _predict_proba_with_forward
        try:
            return fitted.predict_proba(X)
        finally:
            _KerasClassifier.predict_proba = original

    inputs = fitted._to_model_input(fitted._validate_X(X, reset=False))
    np.testing.assert_allclose(ours(), original(fitted, X), rtol=1e-5, atol=1e-6)
    return Case(
        name,
        ours,
        "keras model.predict (same network)",
        lambda: fitted.model_.predict(inputs, batch_size=fitted.batch_size, verbose=0),
        repeat=repeat,
    )


def cases(quick: bool) -> list[Case]:
    import keras

    from whalefeat.models import Inception1DClassifier, XceptionClassifier

    out = []
    n, epochs = (64, 2) if quick else (512, 5)
    X, y = _series(n)
    seed = Inception1DClassifier(epochs=epochs, batch_size=32, random_state=0)
    out.append(
        Case(
            f"Inception1D seed: fit {n} x (118, 2), {epochs} epochs",
            lambda: seed.fit(X, y),
            "keras Sequential.fit",
            lambda: _plain_seed(keras, X).fit(X, y, epochs=epochs, batch_size=32, verbose=0),
        )
    )
    fitted = Inception1DClassifier(epochs=1, random_state=0).fit(X, y)
    plain = _plain_seed(keras, X)
    out.append(
        Case(
            f"Inception1D seed: predict_proba {n} x (118, 2)",
            lambda: fitted.predict_proba(X),
            "keras model.predict",
            lambda: plain.predict(X, batch_size=32, verbose=0),
        )
    )

    n = 32 if quick else 256
    images, labels = _images(n)
    scaled = _minmax(images)
    xception = XceptionClassifier(
        image_size=71, weights=None, trainable="head", epochs=1, batch_size=32, random_state=0
    )
    out.append(
        Case(
            f"Xception 71 px, head only: fit {n} x (46, 118), 1 epoch",
            lambda: xception.fit(images, labels),
            "keras Model.fit",
            lambda: _plain_xception(keras, scaled.shape[1:]).fit(
                scaled, labels, epochs=1, batch_size=32, verbose=0
            ),
            repeat=1,
        )
    )
    fitted_x = XceptionClassifier(
        image_size=71, weights=None, trainable="head", epochs=1, batch_size=32, random_state=0
    ).fit(images, labels)
    plain_x = _plain_xception(keras, scaled.shape[1:])
    out.append(
        Case(
            f"Xception 71 px: predict_proba {n} x (46, 118)",
            lambda: fitted_x.predict_proba(images),
            "keras model.predict",
            lambda: plain_x.predict(scaled, batch_size=32, verbose=0),
            repeat=2,
        )
    )

    # the same fitted networks through forward, and scan-sized calls (256 windows)
    out.append(
        _forward_case(
            f"Inception1D seed: predict_proba {len(X)} x (118, 2), forward", fitted, X, repeat=3
        )
    )
    n_windows = 64 if quick else 256
    for shape, label in (((126, 64), "frames-inception"), ((126, 8), "ce-inception")):
        rng = np.random.default_rng(1)
        windows = rng.normal(size=(n_windows, *shape)).astype(np.float32)
        labels = np.arange(n_windows) % 2
        windows[labels == 1, 40:60, 0] += 1.0
        model = Inception1DClassifier(epochs=1, batch_size=64, random_state=0).fit(windows, labels)
        out.append(
            _forward_case(
                f"Inception1D seed ({label}): predict_proba {n_windows} x {shape}, forward",
                model,
                windows,
                repeat=3,
            )
        )
    out.append(
        _forward_case(
            f"Xception 71 px: predict_proba {n} x (46, 118), forward", fitted_x, images, repeat=2
        )
    )
    return out
