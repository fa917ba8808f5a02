"""Keras classifiers as scikit-learn estimators.

Importing this package is cheap: Keras (and TensorFlow) are imported on the
first ``fit``. They come with the ``keras`` extra::

    pip install "whalefeat[keras]"
"""

from .inception import Inception1DClassifier
from .xception import XceptionClassifier

__all__ = ["Inception1DClassifier", "XceptionClassifier"]
