"""Training-time augmentation of the Keras classifiers (``models/_augment.py``, ``fit``)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

keras = pytest.importorskip("keras")

from numpy.testing import assert_allclose, assert_array_equal  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402

from whalefeat.models import Inception1DClassifier, XceptionClassifier, _augment  # noqa: E402
from whalefeat.models._augment import (  # noqa: E402
    Augmentation,
    augment,
    mask,
    mask_spans,
    mixup,
    shift_time,
    training_batches,
)

pytestmark = pytest.mark.keras

ALL_ON = dict(time_shift=0.25, time_mask=0.2, channel_mask=0.5, n_masks=2, mixup=0.4)


def series(n=24, n_steps=12, n_channels=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_steps, n_channels)).astype(np.float32)
    y = np.arange(n) % 2
    X[:, :, 0] += 1.5 * y[:, np.newaxis]
    return X, y


def small(**params):
    # one epoch of three batches: few enough steps to run eagerly, without tracing
    defaults = dict(filters=4, epochs=1, batch_size=8, random_state=0)
    return Inception1DClassifier(**{**defaults, **params})


@pytest.fixture
def spy(monkeypatch):
    """Record every call of ``augment`` (its clean inputs and augmented outputs)."""
    calls = []
    original = _augment.augment

    def recording(X, targets, weights, rng, augmentation):
        out = original(X, targets, weights, rng, augmentation)
        calls.append(
            {
                "X": X.copy(),
                "targets": targets.copy(),
                "weights": None if weights is None else weights.copy(),
                "X_out": out[0],
                "targets_out": out[1],
                "weights_out": out[2],
            }
        )
        return out

    monkeypatch.setattr(_augment, "augment", recording)
    return calls


# ------------------------------------------------------------------ the batch functions


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 6),
    size=st.integers(1, 30),
    other=st.integers(1, 4),
    fraction=st.floats(0, 0.99),
    axis=st.sampled_from([1, 2]),
    seed=st.integers(0, 2**32 - 1),
)
def test_time_shift_is_a_bounded_circular_roll_of_each_sample(
    n, size, other, fraction, axis, seed
):
    shape = (n, size, other) if axis == 1 else (n, other, size)
    X = np.random.default_rng(seed).normal(size=shape).astype(np.float32)
    shifted = shift_time(X, np.random.default_rng(seed), fraction, axis)
    limit = int(np.floor(fraction * size))
    assert shifted.shape == X.shape and shifted.dtype == X.dtype
    for original, result in zip(X, shifted, strict=True):
        matches = [
            s
            for s in range(-limit, limit + 1)
            if np.array_equal(np.roll(original, s, axis=axis - 1), result)
        ]
        assert matches, "each sample is np.roll of itself by at most the limit"


def test_time_shift_draws_every_shift_up_to_the_limit():
    X = np.tile(np.arange(10, dtype=np.float32), (400, 1))[:, :, np.newaxis]
    shifted = shift_time(X, np.random.default_rng(0), 0.3, axis=1)
    shifts = (-shifted[:, 0, 0].astype(int)) % 10  # output[0] = input[-shift mod 10]
    assert set(shifts.tolist()) == {0, 1, 2, 3, 7, 8, 9}  # -3 ... 3
    assert shift_time(X, np.random.default_rng(0), 0.05, axis=1) is X  # limit 0: untouched


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(1, 8),
    size=st.integers(1, 40),
    fraction=st.floats(0, 0.99),
    n_masks=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_mask_spans_are_within_bounds(n, size, fraction, n_masks, seed):
    spans = mask_spans(np.random.default_rng(seed), n, size, fraction, n_masks)
    limit = int(np.floor(fraction * size))
    assert spans.shape == (n, size) and spans.dtype == bool
    for row in spans:
        # the masked positions form at most n_masks runs, covering at most n_masks * limit
        edges = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(int), [0]])))
        runs = edges.reshape(-1, 2)
        assert len(runs) <= n_masks
        assert row.sum() <= n_masks * limit
        if n_masks == 1:
            assert all(end - start <= limit for start, end in runs)


def test_single_mask_widths_and_starts_cover_their_whole_range():
    spans = mask_spans(np.random.default_rng(0), 3000, 20, 0.25, 1)
    widths = spans.sum(axis=1)
    assert set(widths.tolist()) == set(range(6))  # 0 ... floor(0.25 * 20)
    assert spans[:, 0].any() and spans[:, -1].any()  # both ends can be masked


def test_masked_values_are_the_samples_mean_over_time_and_the_rest_is_unchanged():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 6, 30, 2)).astype(np.float32)  # (n, freq, time, channel)
    before = X.copy()
    spec = Augmentation(time_axis=2, feature_axis=1, time_mask=0.2, feature_mask=0.34)
    out = mask(X, np.random.default_rng(2), spec)
    fill = X.astype(np.float64).mean(axis=2, keepdims=True)  # float64 reference
    changed = out != X
    assert changed.any()
    expected_fill = np.broadcast_to(fill, X.shape)
    assert_allclose(
        np.where(changed, out, 0), np.where(changed, expected_fill, 0), rtol=1e-6, atol=1e-7
    )
    # a time mask takes whole frames (every bin and channel), a frequency mask whole
    # bins: at most floor(0.2 * 30) = 6 frames and floor(0.34 * 6) = 2 bins
    for sample in changed:
        frames = sample.all(axis=(0, 2))
        bins = sample.all(axis=(1, 2))
        expected = frames[np.newaxis, :, np.newaxis] | bins[:, np.newaxis, np.newaxis]
        assert_array_equal(sample, np.broadcast_to(expected, sample.shape))
        assert frames.sum() <= 6 and bins.sum() <= 2
    assert_array_equal(X, before)  # the input itself is not modified


def test_mixup_mixes_inputs_targets_and_weights_with_the_same_coefficient():
    n = 16
    X = np.eye(n, dtype=np.float32)[:, :, np.newaxis]  # sample i is the unit vector e_i
    y = np.eye(2, dtype=np.float32)[np.arange(n) % 2]
    w = np.arange(1, n + 1, dtype=np.float32)
    X_mix, y_mix, w_mix, lam, partner = mixup(X, y, w, np.random.default_rng(3), 0.4)
    assert ((lam >= 0) & (lam <= 1)).all() and sorted(partner.tolist()) == list(range(n))
    for i in range(n):
        expected = lam[i] * X[i] + (1 - lam[i]) * X[partner[i]]
        assert_allclose(X_mix[i], expected, rtol=1e-6, atol=1e-7)
        # the coefficient read off the input gives the target and the weight
        own = X_mix[i, i, 0] if partner[i] != i else 1.0
        other = X_mix[i, partner[i], 0] if partner[i] != i else 0.0
        assert_allclose(y_mix[i], own * y[i] + other * y[partner[i]], rtol=1e-5, atol=1e-6)
        assert_allclose(w_mix[i], own * w[i] + other * w[partner[i]], rtol=1e-5)
    assert_allclose(y_mix.sum(axis=1), 1.0, rtol=1e-6)  # still class probabilities
    assert mixup(X, y, None, np.random.default_rng(3), 0.4)[2] is None


def test_augment_with_nothing_on_returns_the_batch_itself():
    X, _ = series()
    spec = Augmentation(time_axis=1, feature_axis=2)
    assert not spec.active
    out = augment(X, np.zeros(len(X)), None, np.random.default_rng(0), spec)
    assert out[0] is X


def test_training_batches_cover_every_sample_once_per_epoch_whatever_the_call_order():
    X = np.arange(20, dtype=np.float32).reshape(20, 1, 1)
    spec = Augmentation(time_axis=1, feature_axis=2, time_mask=0.5)
    batches = training_batches(
        keras, X, np.arange(20), None, batch_size=8, augmentation=spec, seed=[5, 0]
    )
    assert batches.steps_per_epoch == 3 and batches.num_batches is None
    epoch0 = [batches[i][1] for i in range(3)]
    assert sorted(np.concatenate(epoch0).tolist()) == list(range(20))
    epoch1 = np.concatenate([batches[i][1] for i in (5, 4, 3)][::-1])
    assert sorted(epoch1.tolist()) == list(range(20))
    assert not np.array_equal(np.concatenate(epoch0), epoch1)  # a new order every epoch
    for i in (0, 4):  # a batch depends only on its index
        assert_array_equal(batches[i][1], batches[i][1])
        assert_array_equal(
            batches[i][0],
            training_batches(
                keras, X, np.arange(20), None, batch_size=8, augmentation=spec, seed=[5, 0]
            )[i][0],
        )


# ------------------------------------------------------------------ in the estimators


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"time_shift": 1.0}, "time_shift"),
        ({"time_shift": -0.1}, "time_shift"),
        ({"time_mask": 1.0}, "time_mask"),
        ({"channel_mask": 1.5}, "channel_mask"),
        ({"n_masks": 0}, "n_masks"),
        ({"mixup": -1.0}, "mixup"),
        ({"mixup": "yes"}, "mixup"),
    ],
)
def test_invalid_augmentation_parameters(params, name):
    X, y = series()
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        small(**params).fit(X, y)


def test_invalid_frequency_mask_of_xception():
    with pytest.raises(InvalidParameterError, match="'frequency_mask' parameter"):
        XceptionClassifier(frequency_mask=1.0, weights=None).fit(np.zeros((4, 8, 8)), [0, 1] * 2)


def test_off_by_default_and_the_plain_training_path_is_kept(spy):
    for cls in (Inception1DClassifier, XceptionClassifier):
        params = cls().get_params()
        assert all(params[p] == 0.0 for p in ("time_shift", "time_mask", "mixup"))
        assert params["n_masks"] == 1
    assert XceptionClassifier().frequency_mask == 0.0
    assert Inception1DClassifier().channel_mask == 0.0
    X, y = series()
    small().fit(X, y)
    assert spy == []


def test_axes_of_each_classifier():
    xception = XceptionClassifier(time_mask=0.1, frequency_mask=0.2)._augmentation()
    assert (xception.time_axis, xception.feature_axis, xception.feature_mask) == (2, 1, 0.2)
    inception = Inception1DClassifier(time_mask=0.1, channel_mask=0.3)._augmentation()
    assert (inception.time_axis, inception.feature_axis, inception.feature_mask) == (1, 2, 0.3)
    # on a spectrogram (n, n_freqs, n_frames), a time mask takes frames and a frequency mask bins
    X = XceptionClassifier()._to_model_input(np.random.default_rng(0).normal(size=(40, 8, 20)))
    out = mask(
        X, np.random.default_rng(0), Augmentation(time_axis=2, feature_axis=1, time_mask=0.3)
    )
    changed = (out != X)[..., 0]
    assert changed.any() and (changed.all(axis=1) == changed.any(axis=1)).all()  # whole frames


def test_augmentation_changes_training_inputs_but_not_predictions(spy):
    X, y = series()
    clf = small(**ALL_ON).fit(X, y)
    assert spy, "fit augments its training batches"
    assert sum(len(call["X"]) for call in spy) >= len(X)  # every sample
    assert any(not np.array_equal(call["X"], call["X_out"]) for call in spy)
    n_calls = len(spy)
    proba = clf.predict_proba(X)
    clf.predict(X)
    clf.score(X, y)
    assert len(spy) == n_calls  # predict never augments
    direct = keras.ops.convert_to_numpy(clf.model_(X, training=False)).astype(np.float64)
    assert_allclose(proba, direct / direct.sum(axis=1, keepdims=True), rtol=1e-5)
    assert_array_equal(proba, clf.predict_proba(X))


def test_validation_data_is_never_augmented_and_scored_clean(spy):
    X, y = series(n=40)
    X[:, 0, 1] = np.arange(40)  # a unique tag per sample, to follow it into the batches
    clf = small(validation_split=0.25, epochs=2, batch_size=16, **ALL_ON)
    clf.fit(X, y)
    (X_train, _), (X_val, y_val) = clf._split_validation(X, np.arange(40) % 2)
    seen = {int(tag) for call in spy for tag in call["X"][:, 0, 1]}
    assert seen == {int(tag) for tag in X_train[:, 0, 1]}
    assert seen.isdisjoint(int(tag) for tag in X_val[:, 0, 1])
    # the last val_loss is the clean cross-entropy of the final network on the held-out samples
    proba = keras.ops.convert_to_numpy(clf.model_(X_val, training=False))
    clean_loss = -np.mean(np.log(np.clip(proba[np.arange(len(y_val)), y_val], 1e-7, 1)))
    assert_allclose(clf.history_["val_loss"][-1], clean_loss, rtol=1e-4)


def test_class_weights_become_mixed_sample_weights(spy):
    X, y = series()
    small(mixup=0.4, class_weight={0: 1.0, 1: 3.0}).fit(X, y)
    for call in spy:
        labels = call["targets"].argmax(axis=1)
        assert_array_equal(call["weights"], np.where(labels == 1, 3.0, 1.0))
        assert ((call["weights_out"] >= 1.0 - 1e-6) & (call["weights_out"] <= 3.0 + 1e-6)).all()


@pytest.mark.parametrize("params", [{}, {"output": "sigmoid"}, {"loss": "squared-error"}])
def test_mixup_targets_in_every_output_layout(params, spy):
    X, y = series()
    clf = small(mixup=0.4, **params).fit(X, y)
    targets = spy[0]["targets_out"]
    assert targets.dtype == np.float32 and ((targets >= 0) & (targets <= 1)).all()
    assert targets.shape[1] == (1 if params.get("output") == "sigmoid" else 2)
    assert not np.isin(targets, [0.0, 1.0]).all()  # soft targets
    assert clf.predict_proba(X).shape == (24, 2)


def test_reproducible_with_a_fixed_random_state(spy):
    X, y = series()
    first = small(**ALL_ON).fit(X, y)
    batches = [call["X_out"] for call in spy]
    spy.clear()
    second = small(**ALL_ON).fit(X, y)
    assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    assert first.history_ == second.history_
    # the same augmented batches (Keras asks for them in index order, after one or
    # two to infer shapes; TensorFlow prefetches a varying number past the end)
    assert min(len(batches), len(spy)) >= 3
    for a, b in zip(batches, (call["X_out"] for call in spy), strict=False):
        assert_array_equal(a, b)
    spy.clear()
    other = small(**{**ALL_ON, "random_state": 1}).fit(X, y)
    assert not np.array_equal(first.predict_proba(X), other.predict_proba(X))
    assert not np.array_equal(batches[0], spy[0]["X_out"])


def test_clone_and_pickle_keep_augmentation():
    X, y = series()
    clf = small(**ALL_ON)
    assert clone(clf).get_params() == clf.get_params()
    clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    assert restored.get_params() == clf.get_params()
    assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


def test_warm_start_with_augmentation_extends_history():
    X, y = series()
    clf = small(warm_start=True, mixup=0.2, time_mask=0.2).fit(X, y)
    clf.fit(X, y)
    assert clf.n_iter_ == 2 and len(clf.history_["loss"]) == 2


def test_xception_trains_with_every_augmentation(spy):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 12, 20)).astype(np.float32)
    y = np.array([0, 1] * 4)
    clf = XceptionClassifier(
        image_size=71,
        weights=None,
        trainable="head",
        epochs=1,
        batch_size=8,
        random_state=0,
        time_shift=0.2,
        time_mask=0.2,
        frequency_mask=0.25,
        mixup=0.3,
    ).fit(X, y)
    assert spy and spy[0]["X"].shape == (8, 12, 20, 1)
    changed = spy[0]["X_out"] != spy[0]["X"]
    assert changed.any()
    assert clf.predict_proba(X).shape == (8, 2)
