"""XceptionClassifier: preprocessing layers, head, weights, transfer-learning control."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from numpy.testing import assert_array_equal  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402

from whalefeat.models import XceptionClassifier  # noqa: E402
from whalefeat.models.xception import _layer_blocks, _sample_scaling_class  # noqa: E402

pytestmark = pytest.mark.keras

FAST = dict(image_size=71, weights=None, trainable="head", epochs=1, batch_size=16)


def images(n=12, shape=(20, 24), seed=0):
    """Noise images; class 1 holds a bright rising line."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, *shape)).astype(np.float32)
    y = np.arange(n) % 2
    rows = np.linspace(shape[0] - 3, 2, shape[1]).astype(int)
    X[np.ix_(y == 1)[0][:, np.newaxis], rows, np.arange(shape[1])] += 4.0
    return X, y


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory):
    """A weights file for Xception without its top, with its own random weights."""
    keras.utils.set_random_seed(123)
    base = keras.applications.Xception(include_top=False, weights=None, input_shape=(71, 71, 3))
    path = tmp_path_factory.mktemp("weights") / "xception_notop.weights.h5"
    base.save_weights(path)
    return path, base.get_weights()


@pytest.fixture(scope="module")
def fitted():
    X, y = images()
    return XceptionClassifier(**FAST, random_state=0).fit(X, y), X, y


def build(input_shape=(20, 24, 1), n_classes=2, **params):
    clf = XceptionClassifier(**{**FAST, **params})
    return clf._build_model(keras, np.zeros((1, *input_shape), dtype=np.float32), n_classes)


# --------------------------------------------------------------------------- structure


def test_model_layers_and_head(fitted):
    clf, X, _ = fitted
    model = clf.model_
    assert [layer.name for layer in model.layers] == [
        "image",
        "sample_minmax",
        "resize",
        "to_rgb",
        "xception",
        "head_pool",
        "head_dense",
        "head_dropout",
        "output",
    ]
    assert model.input_shape == (None, 20, 24, 1)
    resize = model.get_layer("resize")
    assert (resize.height, resize.width, resize.interpolation) == (71, 71, "bilinear")
    assert model.get_layer("to_rgb").output.shape == (None, 71, 71, 3)
    base = model.get_layer("xception")
    assert base.input_shape == (None, 71, 71, 3)
    assert base.output_shape == (None, 3, 3, 2048)  # include_top=False
    assert "predictions" not in [layer.name for layer in base.layers]
    assert type(model.get_layer("head_pool")).__name__ == "GlobalAveragePooling2D"
    dense = model.get_layer("head_dense")
    assert dense.units == 100 and dense.activation is keras.activations.relu
    assert model.get_layer("head_dropout").rate == 0.1
    output = model.get_layer("output")
    assert output.units == 2 and output.activation is keras.activations.softmax


def test_head_is_configurable():
    model = build(head_units=7, head_activation="tanh", head_dropout=0.4, n_classes=4)
    assert model.get_layer("head_dense").units == 7
    assert model.get_layer("head_dense").activation is keras.activations.tanh
    assert model.get_layer("head_dropout").rate == 0.4
    assert model.output_shape == (None, 4)


def test_sample_minmax_maps_each_sample_onto_minus_one_one():
    layer = _sample_scaling_class(keras)()
    ramp = np.arange(12.0).reshape(3, 4, 1)
    x = np.stack([ramp, -5 * ramp + 2, np.full((3, 4, 1), 7.0)]).astype(np.float32)
    out = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(out[0].ravel(), np.linspace(-1, 1, 12), atol=1e-6)
    np.testing.assert_allclose(out[1].ravel(), np.linspace(1, -1, 12), atol=1e-6)
    assert_array_equal(out[2], 0.0)  # a constant sample maps to zeros


def test_no_sample_scaling_layer_when_disabled():
    model = build(sample_scaling=None)
    assert "sample_minmax" not in [layer.name for layer in model.layers]


@pytest.mark.parametrize(
    "X_shape, model_input, has_to_rgb",
    [
        ((6, 10), (None, 1, 10, 1), True),  # tabular: a one-row image
        ((6, 20, 24), (None, 20, 24, 1), True),
        ((6, 20, 24, 1), (None, 20, 24, 1), True),
        ((6, 20, 24, 3), (None, 20, 24, 3), False),
    ],
)
def test_accepted_input_shapes(X_shape, model_input, has_to_rgb):
    clf = XceptionClassifier(**FAST)
    X = np.zeros(X_shape, dtype=np.float32)
    clf._check_params(X)
    model_X = clf._to_model_input(X)
    model = clf._build_model(keras, model_X, 2)
    assert model.input_shape == model_input
    assert ("to_rgb" in [layer.name for layer in model.layers]) is has_to_rgb


def test_rejected_input_shapes(fitted):
    clf, X, y = fitted
    with pytest.raises(ValueError, match="1 or 3 channels, got 2"):
        XceptionClassifier(**FAST).fit(np.zeros((4, 20, 24, 2)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"2-D or 3-D or 4-D array X.*\(4, 2, 3, 4, 1\)"):
        XceptionClassifier(**FAST).fit(np.zeros((4, 2, 3, 4, 1)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"per-sample shape \(20, 25\).*\(20, 24\)"):
        clf.predict(np.zeros((2, 20, 25)))
    with pytest.raises(ValueError, match=r"per-sample shape \(20, 24, 1\)"):
        clf.predict(X[..., np.newaxis])


def test_image_size():
    model = build(image_size=(72, 90))
    resize = model.get_layer("resize")
    assert (resize.height, resize.width) == (72, 90)
    assert XceptionClassifier().image_size == 128


@pytest.mark.parametrize("size", [(71,), (71, 70), (71.0, 80), (71, 80, 3)])
def test_bad_image_size_is_a_clear_error(size):
    with pytest.raises(ValueError, match="at least 71"):
        XceptionClassifier(**{**FAST, "image_size": size}).fit(*images(n=4))


def test_image_size_below_the_minimum_is_an_invalid_parameter():
    with pytest.raises(InvalidParameterError, match="image_size"):
        XceptionClassifier(**{**FAST, "image_size": 70}).fit(*images(n=4))


# ------------------------------------------------------------------------- trainability


def test_trainable_head_freezes_the_whole_body():
    model = build()
    XceptionClassifier._set_trainable(model, "head")
    assert not model.get_layer("xception").trainable
    assert not model.get_layer("xception").trainable_weights
    names = {w.path.split("/")[0] for w in model.trainable_weights}
    assert names == {"head_dense", "output"}


def test_trainable_all():
    model = build()
    XceptionClassifier._set_trainable(model, "all")
    base = model.get_layer("xception")
    assert len(base.trainable_weights) == len(
        [w for layer in base.layers for w in layer.trainable_weights]
    )
    assert sum(int(np.prod(w.shape)) for w in base.trainable_weights) > 20_000_000


@pytest.mark.parametrize("n_blocks", [1, 2, 4])
def test_trainable_last_blocks_includes_their_residual_branches(n_blocks):
    model = build()
    XceptionClassifier._set_trainable(model, n_blocks)
    base = model.get_layer("xception")
    first = 15 - n_blocks
    for layer in base.layers:
        if not layer.weights:
            continue
        if layer.name.startswith("block"):
            block = int(layer.name[5:].split("_")[0])
            assert layer.trainable is (block >= first), layer.name
    # the unnamed residual 1x1 convolutions: 128, 256, 728 filters (blocks 2-4), 1024 (block 13)
    residual = {
        layer.filters: layer.trainable
        for layer in base.layers
        if isinstance(layer, keras.layers.Conv2D)
        and not isinstance(layer, keras.layers.SeparableConv2D)
        and not layer.name.startswith("block")
    }
    assert residual == {128: False, 256: False, 728: False, 1024: n_blocks >= 2}


def test_layer_blocks_assigns_every_layer_of_xception():
    base = keras.applications.Xception(include_top=False, weights=None, input_shape=(71, 71, 3))
    blocks = _layer_blocks(base)
    assert blocks[0] == 0  # the input
    assert sorted(set(blocks[1:])) == list(range(1, 15))
    assert blocks == sorted(blocks)


# ------------------------------------------------------------------------------ weights


def body_weights(clf):
    return clf.model_.get_layer("xception").get_weights()


def test_weights_file_is_loaded_and_frozen_body_stays_unchanged(weights_file):
    path, saved = weights_file
    X, y = images()
    clf = XceptionClassifier(**{**FAST, "weights": path}, random_state=0)
    head_before = None

    class Snapshot(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            nonlocal head_before
            head_before = self.model.get_layer("head_dense").get_weights()[0].copy()

    clf.set_params(callbacks=[Snapshot()]).fit(X, y)
    for expected, got in zip(saved, body_weights(clf), strict=True):
        assert_array_equal(got, expected)
    assert head_before is not None
    assert not np.array_equal(head_before, clf.model_.get_layer("head_dense").get_weights()[0])
    # the path may also be a str
    again = XceptionClassifier(**{**FAST, "weights": str(path)}, random_state=0).fit(X, y)
    assert_array_equal(body_weights(again)[0], saved[0])


def test_missing_weights_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "nope.weights.h5"
    with pytest.raises(ValueError, match="no file at .*nope.weights.h5"):
        XceptionClassifier(**{**FAST, "weights": missing}).fit(*images(n=4))


def test_imagenet_weights_come_from_keras_download(weights_file, monkeypatch):
    from keras.src.applications import xception as keras_xception

    path, saved = weights_file
    requested = []

    def fake_get_file(fname, origin, **kwargs):
        requested.append(fname)
        return str(path)

    monkeypatch.setattr(keras_xception.file_utils, "get_file", fake_get_file)
    clf = XceptionClassifier(**{**FAST, "weights": "imagenet"}, random_state=0).fit(*images())
    assert requested == ["xception_weights_tf_dim_ordering_tf_kernels_notop.h5"]
    assert_array_equal(body_weights(clf)[0], saved[0])


def test_imagenet_download_failure_is_explained(monkeypatch):
    from keras.src.applications import xception as keras_xception

    def offline(*args, **kwargs):
        raise Exception("URL fetch failure on https://storage.googleapis.com/...")

    monkeypatch.setattr(keras_xception.file_utils, "get_file", offline)
    with pytest.raises(RuntimeError, match="internet access.*URL fetch failure"):
        XceptionClassifier(**{**FAST, "weights": "imagenet"}).fit(*images(n=4))


# --------------------------------------------------------------------- two-phase training


class LearningRateLog(keras.callbacks.Callback):
    """Appends the optimizer's learning rate at each epoch to a file."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def on_epoch_begin(self, epoch, logs=None):
        with open(self.path, "a") as handle:
            handle.write(f"{float(self.model.optimizer.learning_rate)!r}\n")


def test_two_phase_schedule(weights_file, tmp_path):
    path, saved = weights_file
    log = tmp_path / "lr.txt"
    X, y = images()
    clf = XceptionClassifier(
        **{**FAST, "weights": path, "trainable": 1, "epochs": 2},
        fine_tune_epochs=1,
        learning_rate=1e-3,
        fine_tune_learning_rate=1e-5,
        callbacks=[LearningRateLog(str(log))],
        random_state=0,
    ).fit(X, y)
    rates = [float(line) for line in log.read_text().split()]
    np.testing.assert_allclose(rates, [1e-3, 1e-3, 1e-5], rtol=1e-6)
    assert clf.n_iter_ == 3 and len(clf.history_["loss"]) == 3
    # phase 2 trained block 14 only: every earlier block keeps the loaded weights
    base = clf.model_.get_layer("xception")
    changed = {
        layer.name
        for layer, before in zip(base.layers, _split(saved, base), strict=True)
        if any(not np.array_equal(a, b) for a, b in zip(layer.get_weights(), before, strict=True))
    }
    assert changed and all(name.startswith("block14_") for name in changed)


def _split(flat, model):
    """Split a model-level weight list into per-layer lists."""
    out, start = [], 0
    for layer in model.layers:
        out.append(flat[start : start + len(layer.weights)])
        start += len(layer.weights)
    return out


def test_fine_tuning_needs_more_than_the_head():
    with pytest.raises(ValueError, match="fine_tune_epochs=1 needs trainable"):
        XceptionClassifier(**FAST, fine_tune_epochs=1).fit(*images(n=4))


# ----------------------------------------------------------------- pickling, determinism


def test_pickle_round_trip_predicts_exactly_the_same(fitted):
    clf, X, _ = fitted
    restored = pickle.loads(pickle.dumps(clf))
    assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert [layer.name for layer in restored.model_.layers] == [
        layer.name for layer in clf.model_.layers
    ]


def test_same_random_state_gives_identical_predictions():
    X, y = images()
    params = {**FAST, "trainable": 1, "epochs": 2, "batch_size": 4}  # traced, dropout on
    first = XceptionClassifier(**params, random_state=3).fit(X, y).predict_proba(X)
    second = XceptionClassifier(**params, random_state=3).fit(X, y).predict_proba(X)
    assert_array_equal(first, second)
    other = XceptionClassifier(**params, random_state=4).fit(X, y).predict_proba(X)
    assert not np.array_equal(first, other)
