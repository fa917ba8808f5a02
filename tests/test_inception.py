"""Inception1DClassifier: the seed and InceptionTime architectures, layer by layer."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from whalefeat.models import Inception1DClassifier  # noqa: E402

pytestmark = pytest.mark.keras


def build(input_shape=(30, 4), n_classes=2, **params):
    """The Keras model ``fit`` would build (built directly: no training needed)."""
    clf = Inception1DClassifier(**params)
    X = np.zeros((1, *input_shape), dtype=np.float32)
    clf._check_params(X)
    return clf._build_model(keras, X, n_classes)


def kinds(model):
    return [type(layer).__name__ for layer in model.layers]


def inbound(model, name):
    """Names of the layers feeding layer ``name``."""
    node = model.get_layer(name)._inbound_nodes[0]
    return [tensor._keras_history.operation.name for tensor in node.input_tensors]


# -------------------------------------------------------------------------------- seed


def test_seed_architecture_layer_by_layer():
    model = build(n_classes=3)
    assert kinds(model) == (
        ["InputLayer", "Normalization"]  # input standardisation, then the study's network
        + ["Conv1D", "BatchNormalization", "ReLU", "Dropout"] * 3
        + ["GlobalAveragePooling1D", "Dense"]
    )
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv1D)]
    for conv in convs:
        assert conv.filters == 128
        assert conv.kernel_size == (3,)
        assert conv.padding == "same"
        assert conv.strides == (1,)
    for dropout in (layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)):
        assert dropout.rate == 0.2
    for relu in (layer for layer in model.layers if isinstance(layer, keras.layers.ReLU)):
        assert relu.max_value is None and relu.negative_slope == 0.0
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert [bn.momentum for bn in norms] == [0.9] * 3
    output = model.layers[-1]
    assert output.units == 3
    assert output.activation is keras.activations.softmax
    assert model.input_shape == (None, 30, 4)
    assert model.output_shape == (None, 3)
    # a plain chain: every layer feeds the next
    for previous, layer in zip(model.layers[:-1], model.layers[1:], strict=False):
        assert inbound(model, layer.name) == [previous.name]


def test_without_standardisation_the_network_starts_at_the_input():
    model = build(standardize=False, batch_norm_momentum=0.99)
    assert kinds(model)[:3] == ["InputLayer", "Conv1D", "BatchNormalization"]
    assert model.get_layer("bn1").momentum == 0.99


def test_standardisation_uses_the_training_set_statistics():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=[5.0, -2.0], scale=[2.0, 0.01], size=(40, 25, 2))
    y = np.arange(40) % 2
    clf = Inception1DClassifier(filters=2, epochs=1, random_state=0).fit(X, y)
    layer = clf.model_.get_layer("standardize")
    np.testing.assert_allclose(np.ravel(layer.mean), X.mean(axis=(0, 1)), rtol=1e-5)
    np.testing.assert_allclose(np.ravel(layer.variance), X.var(axis=(0, 1)), rtol=1e-4)
    standardized = keras.ops.convert_to_numpy(layer(X.astype(np.float32)))
    np.testing.assert_allclose(standardized.mean(axis=(0, 1)), 0.0, atol=1e-4)
    np.testing.assert_allclose(standardized.std(axis=(0, 1)), 1.0, rtol=1e-3)


def test_seed_parameters_are_configurable():
    model = build(depth=2, filters=16, kernel_size=5, dropout=0.5)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv1D)]
    assert [(c.filters, c.kernel_size) for c in convs] == [(16, (5,)), (16, (5,))]
    rates = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert rates == [0.5, 0.5]


def test_two_dimensional_input_is_one_channel():
    X = np.random.default_rng(0).normal(size=(10, 15))
    clf = Inception1DClassifier(filters=2, epochs=1, random_state=0).fit(X, [0, 1] * 5)
    assert clf.model_.input_shape == (None, 15, 1)
    assert clf.input_shape_ == (15,)


# ----------------------------------------------------------------------- inceptiontime


def test_inceptiontime_default_structure():
    model = build(input_shape=(50, 1), architecture="inceptiontime")
    names = [layer.name for layer in model.layers]
    for i in range(1, 7):
        bottleneck = f"module{i}_bottleneck"
        # the reference skips the bottleneck where the input has a single channel
        assert (bottleneck in names) is (i > 1)
        if i > 1:
            layer = model.get_layer(bottleneck)
            assert (layer.filters, layer.kernel_size, layer.use_bias) == (32, (1,), False)
        convs = [model.get_layer(f"module{i}_conv{j}") for j in (1, 2, 3)]
        assert [c.kernel_size for c in convs] == [(40,), (20,), (10,)]
        assert all(c.filters == 32 and c.padding == "same" and not c.use_bias for c in convs)
        source = bottleneck if i > 1 else inbound(model, f"module{i}_maxpool")[0]
        assert all(inbound(model, c.name) == [source] for c in convs)
        pool = model.get_layer(f"module{i}_maxpool")
        assert (pool.pool_size, pool.strides, pool.padding) == ((3,), (1,), "same")
        poolconv = model.get_layer(f"module{i}_poolconv")
        assert (poolconv.filters, poolconv.kernel_size, poolconv.use_bias) == (32, (1,), False)
        assert inbound(model, poolconv.name) == [pool.name]
        assert inbound(model, f"module{i}_concat") == [c.name for c in convs] + [poolconv.name]
        assert inbound(model, f"module{i}_bn") == [f"module{i}_concat"]
        assert inbound(model, f"module{i}_relu") == [f"module{i}_bn"]
        assert model.get_layer(f"module{i}_concat").output.shape == (None, 50, 128)
    # residual shortcuts after modules 3 and 6, from the input and from the first shortcut
    assert inbound(model, "shortcut3_conv") == ["standardize"]
    assert inbound(model, "shortcut6_conv") == ["shortcut3_relu"]
    for i in (3, 6):
        conv = model.get_layer(f"shortcut{i}_conv")
        assert (conv.filters, conv.kernel_size, conv.use_bias) == (128, (1,), False)
        assert inbound(model, f"shortcut{i}_bn") == [conv.name]
        assert inbound(model, f"shortcut{i}_add") == [f"shortcut{i}_bn", f"module{i}_relu"]
        assert inbound(model, f"shortcut{i}_relu") == [f"shortcut{i}_add"]
    assert inbound(model, "module4_maxpool") == ["shortcut3_relu"]
    assert sum(isinstance(layer, keras.layers.Add) for layer in model.layers) == 2
    assert inbound(model, "pool") == ["shortcut6_relu"]
    assert type(model.get_layer("pool")).__name__ == "GlobalAveragePooling1D"
    assert model.layers[-1].activation is keras.activations.softmax


def test_inceptiontime_multichannel_input_gets_a_bottleneck_in_every_module():
    model = build(input_shape=(20, 3), architecture="inceptiontime", depth=3)
    assert inbound(model, "module1_bottleneck") == ["standardize"]
    assert "module4_conv1" not in [layer.name for layer in model.layers]


@pytest.mark.parametrize(
    "params, kernels, n_branches",
    [
        ({"kernel_size": 41}, [(41,), (20,), (10,)], 3),
        ({"kernel_size": (9, 5)}, [(9,), (5,)], 2),
        ({"kernel_size": [7]}, [(7,)], 1),
    ],
)
def test_inceptiontime_kernel_sizes(params, kernels, n_branches):
    model = build(architecture="inceptiontime", depth=1, filters=4, **params)
    convs = [layer for layer in model.layers if layer.name.startswith("module1_conv")]
    assert [c.kernel_size for c in convs] == kernels
    assert model.get_layer("module1_concat").output.shape[-1] == 4 * (n_branches + 1)


def test_inceptiontime_without_residuals_or_bottleneck():
    model = build(architecture="inceptiontime", residual=False, bottleneck_size=0)
    names = [layer.name for layer in model.layers]
    assert not any(name.startswith("shortcut") for name in names)
    assert not any(name.endswith("bottleneck") for name in names)
    assert inbound(model, "module2_conv1") == ["module1_relu"]


def test_inceptiontime_depth_filters_and_bottleneck_size():
    model = build(architecture="inceptiontime", depth=7, filters=8, bottleneck_size=5)
    names = [layer.name for layer in model.layers]
    assert "module7_relu" in names and "module8_relu" not in names
    assert [n for n in names if n.endswith("_add")] == ["shortcut3_add", "shortcut6_add"]
    assert inbound(model, "pool") == ["module7_relu"]
    assert model.get_layer("module2_bottleneck").filters == 5
    assert model.get_layer("module2_conv1").filters == 8


@pytest.mark.parametrize(
    "params, match",
    [
        ({"residual": True}, "residual=True does not apply to architecture='seed'"),
        ({"bottleneck_size": 8}, "bottleneck_size=8 does not apply"),
        ({"kernel_size": (3, 5)}, "single int kernel_size"),
        ({"architecture": "inceptiontime", "dropout": 0.3}, "dropout=0.3 does not apply"),
        ({"architecture": "inceptiontime", "kernel_size": ()}, "non-empty sequence"),
        ({"architecture": "inceptiontime", "kernel_size": (3, 0)}, "positive ints"),
    ],
)
def test_parameters_that_do_not_apply_are_errors(params, match):
    X = np.zeros((4, 10, 2))
    with pytest.raises(ValueError, match=match):
        Inception1DClassifier(**params).fit(X, [0, 1, 0, 1])


# ---------------------------------------------------------------------- channel groups


@pytest.mark.parametrize("architecture", ["seed", "inceptiontime"])
def test_each_channel_group_has_its_own_branch_of_the_architecture(architecture):
    params = {"filters": 4, "depth": 2}
    if architecture == "inceptiontime":
        params["kernel_size"] = (5, 3)
    single = build(input_shape=(30, 2), architecture=architecture, **params)
    model = build(input_shape=(30, 5), architecture=architecture, channel_groups=(2, 3), **params)
    names = [layer.name for layer in model.layers]
    for g, (start, stop) in enumerate([(0, 2), (2, 5)], start=1):
        channels = model.get_layer(f"branch{g}_channels")
        assert (channels.start, channels.stop) == (start, stop)
        assert inbound(model, channels.name) == ["standardize"]
        branch = [n for n in names if n.startswith(f"branch{g}_")]
        # each branch is the single-stack network's layers, renamed
        expected = [f"branch{g}_{layer.name}" for layer in single.layers[2:-2]]
        assert sorted(branch) == sorted([f"branch{g}_channels", *expected, f"branch{g}_pool"])
    assert inbound(model, "pool") == ["branch1_pool", "branch2_pool"]
    assert inbound(model, "output") == ["pool"]
    width = single.get_layer("pool").output.shape[-1]
    assert model.get_layer("pool").output.shape[-1] == 2 * width


def test_a_branch_sees_only_its_channels():
    X = np.random.default_rng(0).normal(size=(6, 12, 3)).astype(np.float32)
    model = build(input_shape=(12, 3), channel_groups=[1, 2], standardize=False)
    first = model.get_layer("branch1_channels")
    second = model.get_layer("branch2_channels")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(first(X)), X[..., :1])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(second(X)), X[..., 1:])
    assert model.get_layer("branch1_conv1").kernel.shape == (3, 1, 128)
    assert model.get_layer("branch2_conv1").kernel.shape == (3, 2, 128)


def test_a_branched_network_learns_from_its_small_group_and_survives_pickling():
    import pickle

    rng = np.random.default_rng(0)
    X = rng.normal(size=(48, 20, 9)).astype(np.float32)
    y = np.repeat([0, 1], 24)
    X[y == 1, 5:15, 0] += 2.0  # the signal is in the one-channel group only
    clf = Inception1DClassifier(
        filters=8,
        channel_groups=(1, 8),
        epochs=30,
        batch_size=4,
        learning_rate=0.01,
        random_state=0,
    ).fit(X, y)
    assert clf.score(X, y) == 1.0
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize(
    "groups, match",
    [
        ((2, 2), r"channel_groups=\[2, 2\] sums to 4 channels, but X has 5 channel"),
        ((5, 1), "sums to 6 channels"),
        ((), "non-empty sequence of positive ints"),
        ((0, 5), "positive ints, got \\(0, 5\\)"),
        ((2.0, 3), "positive ints"),
        ((True, 4), "positive ints"),
        ("23", "channel_groups"),
    ],
)
def test_channel_groups_must_cover_the_channels(groups, match):
    X = np.zeros((4, 10, 5))
    with pytest.raises((ValueError, TypeError), match=match):
        Inception1DClassifier(channel_groups=groups).fit(X, [0, 1, 0, 1])


def test_channel_groups_are_checked_again_after_set_params():
    X = np.random.default_rng(0).normal(size=(8, 10, 3))
    y = [0, 1] * 4
    clf = Inception1DClassifier(filters=2, epochs=1, channel_groups=(1, 2), random_state=0)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="sums to 4 channels"):
        clf.set_params(channel_groups=(2, 2)).fit(X, y)
    # two-dimensional input is one channel
    Inception1DClassifier(filters=2, epochs=1, channel_groups=[1]).fit(X[..., 0], y)


def test_probability_fusion_gives_each_branch_its_own_output_and_averages_them():
    model = build(
        input_shape=(12, 3), channel_groups=(1, 2), branch_fusion="probabilities", filters=4
    )
    assert inbound(model, "output") == ["branch1_output", "branch2_output"]
    assert inbound(model, "branch1_output") == ["branch1_pool"]
    assert "pool" not in [layer.name for layer in model.layers]
    X = np.random.default_rng(0).normal(size=(5, 12, 3)).astype(np.float32)
    heads = keras.Model(
        model.inputs[0], [model.get_layer(f"branch{g}_output").output for g in (1, 2)]
    )
    first, second = (keras.ops.convert_to_numpy(h) for h in heads(X))
    output = keras.ops.convert_to_numpy(model(X))
    np.testing.assert_allclose(output, (first + second) / 2, rtol=1e-6)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"output": "sigmoid"},
        {"loss": "squared-error"},
        {"class_weight": "balanced"},
        {"mixup": 0.2, "class_weight": {0: 2.0}},
        {"validation_split": 0.25, "patience": 2},
    ],
)
def test_under_probability_fusion_every_branch_learns_to_classify_alone(params):
    """Each branch is trained by its own loss: both heads separate the classes,
    each from the signal in its own channels."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 20, 4)).astype(np.float32)
    y = np.repeat([0, 1], 32)
    X[y == 1, 5:15, 0] += 2.0  # group 1: channel 0
    X[y == 1, 2:12, 3] -= 2.0  # group 2: channels 1-3
    clf = Inception1DClassifier(
        filters=8,
        channel_groups=(1, 3),
        branch_fusion="probabilities",
        epochs=25,
        batch_size=8,
        learning_rate=0.01,
        random_state=0,
        **params,
    ).fit(X, y)
    model = clf.model_
    for g in (1, 2):
        head = keras.Model(model.inputs[0], model.get_layer(f"branch{g}_output").output)
        output = keras.ops.convert_to_numpy(head(X, training=False))
        positive = output[:, 0] if clf.output == "sigmoid" else output[:, 1]
        assert np.all(positive[y == 1] > 0.5) and np.all(positive[y == 0] < 0.5), g
    assert clf.score(X, y) == 1.0
    assert len(clf.history_["loss"]) == clf.n_iter_


def test_probability_fusion_needs_channel_groups():
    X = np.zeros((4, 10, 2))
    with pytest.raises(ValueError, match="branch_fusion='probabilities' averages the branches"):
        Inception1DClassifier(branch_fusion="probabilities").fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="branch_fusion"):
        Inception1DClassifier(branch_fusion="mean").fit(X, [0, 1, 0, 1])


def test_a_probability_fused_network_survives_pickling_and_one_group():
    import pickle

    X = np.random.default_rng(0).normal(size=(12, 10, 3)).astype(np.float32)
    y = [0, 1] * 6
    clf = Inception1DClassifier(
        filters=2, epochs=1, channel_groups=(2, 1), branch_fusion="probabilities", random_state=0
    ).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    one = Inception1DClassifier(
        filters=2, epochs=1, channel_groups=[3], branch_fusion="probabilities", random_state=0
    ).fit(X, y)
    np.testing.assert_allclose(one.predict_proba(X).sum(axis=1), 1.0)


# ---------------------------------------------------------------------------- learning


@pytest.mark.parametrize(
    "params",
    [
        {"architecture": "seed", "filters": 8},
        {"architecture": "inceptiontime", "depth": 3, "filters": 4, "kernel_size": (5, 3)},
    ],
)
def test_both_architectures_learn_a_separable_problem(params):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(48, 20, 2)).astype(np.float32)
    y = np.repeat([0, 1], 24)
    X[y == 1, 5:15, 1] += 2.0  # a bump in the second channel
    clf = Inception1DClassifier(
        **params, epochs=30, batch_size=4, learning_rate=0.01, random_state=0
    ).fit(X, y)
    assert clf.history_["loss"][-1] < clf.history_["loss"][0]
    assert clf.score(X, y) == 1.0


# ------------------------------------------------------------ output, loss and schedule


def _separable(n=48, labels=("noise", "upcall")):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 12, 2)).astype(np.float32)
    y = np.repeat(np.asarray(labels), n // 2)
    X[y == labels[1]] += 1.0
    return X, y


def test_sigmoid_output_is_one_unit_giving_the_second_class_probability():
    model = build(output="sigmoid")
    assert model.output_shape == (None, 1)
    assert model.layers[-1].activation is keras.activations.sigmoid
    X, y = _separable()
    clf = Inception1DClassifier(
        filters=8, epochs=6, batch_size=8, output="sigmoid", random_state=0
    ).fit(X, y)
    proba = clf.predict_proba(X)
    unit = keras.ops.convert_to_numpy(clf.model_(X, training=False))[:, 0]
    np.testing.assert_allclose(proba[:, 1], unit, rtol=1e-6)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.score(X, y) > 0.9


@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_squared_error_loss_trains_on_the_probabilities(output):
    X, y = _separable()
    clf = Inception1DClassifier(
        filters=8,
        epochs=12,
        batch_size=8,
        output=output,
        loss="squared-error",
        learning_rate=1e-2,
        random_state=0,
    )
    assert clf._loss() == "mean_squared_error"
    targets = clf._fit_targets(np.array([0, 1, 1]), 2)
    expected = [[0.0], [1.0], [1.0]] if output == "sigmoid" else [[1, 0], [0, 1], [0, 1]]
    np.testing.assert_array_equal(targets, expected)
    clf.fit(X, y)
    # the mean squared error of the predicted probabilities is what was minimised
    assert clf.history_["loss"][-1] < clf.history_["loss"][0]
    assert clf.score(X, y) > 0.9


def test_sigmoid_output_needs_two_classes():
    X, _ = _separable(n=48)
    y = np.repeat([0, 1, 2], 16)
    with pytest.raises(ValueError, match="output='sigmoid' needs exactly 2 classes, y holds 3"):
        Inception1DClassifier(filters=4, epochs=1, output="sigmoid").fit(X, y)


def test_learning_rate_schedule_sets_each_epochs_learning_rate():
    from whalefeat.models import WarmupDecaySchedule

    schedule = WarmupDecaySchedule(initial=1e-3, peak=4e-3, warmup_epochs=2, decay=0.5)
    X, y = _separable()
    clf = Inception1DClassifier(
        filters=4, epochs=5, batch_size=16, random_state=0, learning_rate_schedule=schedule
    ).fit(X, y)
    np.testing.assert_allclose(
        clf.history_["learning_rate"], [1e-3, 2.5e-3, 4e-3, 2e-3, 1e-3], rtol=1e-6
    )
    assert clf.get_params()["learning_rate_schedule"] == schedule


def test_warmup_decay_schedule_values_and_errors():
    from whalefeat.models import WarmupDecaySchedule

    schedule = WarmupDecaySchedule()
    assert schedule(0) == 1e-3
    assert schedule(5) == 5e-3
    assert schedule(7) == pytest.approx(5e-3 * 0.85**2, rel=1e-15)
    assert WarmupDecaySchedule(warmup_epochs=0)(0) == 5e-3
    assert eval(repr(schedule), {"WarmupDecaySchedule": WarmupDecaySchedule}) == schedule
    for bad in (
        dict(initial=0),
        dict(peak=-1.0),
        dict(decay=True),
        dict(warmup_epochs=-1),
        dict(warmup_epochs=1.5),
    ):
        with pytest.raises(ValueError, match=next(iter(bad))):
            WarmupDecaySchedule(**bad)


def test_predictions_do_not_depend_on_row_order_beyond_float32_rounding():
    X, y = _separable()
    clf = Inception1DClassifier(filters=4, epochs=2, batch_size=16, random_state=0).fit(X, y)
    order = np.random.default_rng(1).permutation(len(X))
    np.testing.assert_allclose(
        clf.predict_proba(X[order]), clf.predict_proba(X)[order], rtol=1e-5, atol=1e-6
    )
