"""Keras classifiers as scikit-learn estimators.

They need Keras 3 and one of its backends, from a backend extra::

    pip install "whalefeat[tensorflow]"   # or whalefeat[jax], whalefeat[torch]

Without them, importing this package raises an :class:`ImportError` that
says so. Importing it is nevertheless cheap: Keras (and TensorFlow) are only
imported on the first ``fit`` or unpickling.
"""

import importlib.util

from ._base import _INSTALL_HINT

if importlib.util.find_spec("keras") is None:
    raise ImportError(
        "whalefeat.models needs Keras 3 and a backend (TensorFlow, JAX or PyTorch), which "
        "are not installed. "
        f"Install them with: {_INSTALL_HINT}"
    )

from ._schedules import WarmupDecaySchedule  # noqa: E402
from .inception import Inception1DClassifier  # noqa: E402
from .xception import XceptionClassifier  # noqa: E402

__all__ = ["Inception1DClassifier", "WarmupDecaySchedule", "XceptionClassifier"]
