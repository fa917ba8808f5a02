"""scikit-learn's estimator checks for the Keras classifiers, with fast settings."""

from __future__ import annotations

import pytest

pytest.importorskip("keras")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from whalefeat.models import Inception1DClassifier, XceptionClassifier  # noqa: E402

pytestmark = [pytest.mark.keras, pytest.mark.slow]

ESTIMATORS = [
    # Enough steps for check_classifiers_train's 83 % training accuracy on make_blobs
    # (it reaches 0.89 to 0.98 over seeds 0-4).
    Inception1DClassifier(filters=8, epochs=2, batch_size=16, learning_rate=0.05, random_state=0),
    # Smallest Xception: minimum image size, frozen body, one epoch. Its tags set
    # poor_score (see XceptionClassifier.__sklearn_tags__), so the accuracy
    # thresholds are not applied; every other check runs in full.
    XceptionClassifier(
        image_size=71, weights=None, trainable="head", epochs=1, batch_size=64, random_state=0
    ),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
