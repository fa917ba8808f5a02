"""scikit-learn's estimator checks for the Keras classifiers, with fast settings.

Both classifiers share their scikit-learn glue (``models/_base.py``: input and
label validation, label encoding, class weights, the training loop, pickling).
That contract gets the full set of checks through ``Inception1DClassifier``, the
cheaper network; ``XceptionClassifier`` gets the checks of its own API and of
what it adds on top of the base (its input layout, image resizing and custom
layer, which pickling exercises), and ``tests/test_xception.py`` tests the rest
of what is specific to it. The checks left out for Xception (training accuracy,
which its ``poor_score`` tag switched off anyway, label types, class weights,
``y`` layouts, NaN, dtypes, idempotence, sample order and subsets, ...) test
code that Inception1D's run covers line for line.
"""

from __future__ import annotations

import functools

import pytest

pytest.importorskip("keras")

from sklearn.base import clone  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from whalefeat.models import Inception1DClassifier, XceptionClassifier  # noqa: E402

pytestmark = [pytest.mark.keras, pytest.mark.slow]

# Enough steps for check_classifiers_train's 83 % training accuracy on make_blobs
# (it reaches 0.89 to 0.98 over seeds 0-4).
INCEPTION = Inception1DClassifier(
    filters=8, epochs=2, batch_size=16, learning_rate=0.05, random_state=0
)
# Probability fusion with one group (the checks' inputs are one-channel series): its
# per-branch outputs, repeated targets and sample-weighted class weights.
INCEPTION_BRANCHED = clone(INCEPTION).set_params(channel_groups=[1], branch_fusion="probabilities")
# Smallest Xception: minimum image size, frozen body, one epoch.
XCEPTION = XceptionClassifier(
    image_size=71, weights=None, trainable="head", epochs=1, batch_size=64, random_state=0
)

XCEPTION_CHECKS = {
    # the estimator API itself
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
    "check_mixin_order",
    "check_estimators_unfitted",
    "check_fit_check_is_fitted",
    "check_n_features_in",
    "check_requires_y_none",
    "check_estimators_empty_data_messages",
    # what Xception adds: 2-D input laid out as images, resizing, its custom layer
    "check_estimators_pickle",
    "check_fit2d_1feature",
    "check_fit2d_predict1d",
}

INCEPTION_EXPECTED_FAILURES = {
    # float32 forward passes round differently with the composition of a batch (about
    # 1e-7 relative, above the check's rtol=1e-7); tests/test_inception.py checks row
    # order at float32 precision instead
    "check_methods_sample_order_invariance": "float32 rounding depends on the batch",
}


def _name(check) -> str:
    return (check.func if isinstance(check, functools.partial) else check).__name__


@parametrize_with_checks(
    [INCEPTION, INCEPTION_BRANCHED], expected_failed_checks=lambda est: INCEPTION_EXPECTED_FAILURES
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


_XCEPTION_PARAMS = [
    param
    for param in parametrize_with_checks([XCEPTION]).mark.args[1]
    if _name(param[1] if isinstance(param, tuple) else param.values[1]) in XCEPTION_CHECKS
]


@pytest.mark.parametrize(
    ("estimator", "check"),
    _XCEPTION_PARAMS,
    ids=lambda value: (
        _name(value) if callable(value) and not hasattr(value, "fit") else type(value).__name__
    ),
)
def test_xception_api(estimator, check):
    check(estimator)


# Augmentation trains through a PyDataset of mixed one-hot targets and sample
# weights instead of arrays: the checks of everything that path changes. On the
# checks' tabular data (one-channel series of a few steps) only mixup acts.
AUGMENTED = clone(INCEPTION).set_params(time_shift=0.25, time_mask=0.25, mixup=0.2)
# (Training itself, and that it is reproducible, tests/test_augmentation.py tests.)
AUGMENTED_CHECKS = {
    "check_classifiers_classes",
    "check_class_weight_classifiers",
    "check_supervised_y_2d",
    "check_classifiers_one_label_sample_weights",
    "check_estimators_pickle",
    "check_dont_overwrite_parameters",
    "check_dict_unchanged",
    "check_fit2d_1sample",
    "check_fit2d_1feature",
    "check_classifiers_regression_target",
    "check_estimators_dtypes",
}
_AUGMENTED_PARAMS = [
    param
    for param in parametrize_with_checks([AUGMENTED]).mark.args[1]
    if _name(param[1] if isinstance(param, tuple) else param.values[1]) in AUGMENTED_CHECKS
]


@pytest.mark.parametrize(
    ("estimator", "check"),
    _AUGMENTED_PARAMS,
    ids=lambda value: (
        _name(value) if callable(value) and not hasattr(value, "fit") else type(value).__name__
    ),
)
def test_augmented_training(estimator, check):
    check(estimator)


def test_every_chosen_augmented_check_exists():
    assert {
        _name(p[1] if isinstance(p, tuple) else p.values[1]) for p in _AUGMENTED_PARAMS
    } == AUGMENTED_CHECKS


def test_every_chosen_xception_check_exists():
    assert {
        _name(p[1] if isinstance(p, tuple) else p.values[1]) for p in _XCEPTION_PARAMS
    } == XCEPTION_CHECKS
