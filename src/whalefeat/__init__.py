"""whalefeat: whale-call feature extraction and classification for scikit-learn.

The public names are imported lazily, so ``import whalefeat`` stays light and
never imports TensorFlow; the Keras estimators load Keras only when they are
first used.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

from ._version import __version__

_LAZY = {
    "AiffLoader": "whalefeat.io",
    "Spectrogram": "whalefeat.spectrogram",
    "ComplexityEntropyCurve": "whalefeat.complexity",
    "SeriesUnion": "whalefeat.compose",
    "StudySpectralSeries": "whalefeat.recipe",
    "LocalContrast": "whalefeat.contrast",
    "TemplateMatcher": "whalefeat.templates",
    "RowStatistics": "whalefeat.rowstats",
    "SeriesStatistics": "whalefeat.series_statistics",
    "SeedAveragingClassifier": "whalefeat.ensemble",
    "NoiseInjector": "whalefeat.noise",
    "add_noise": "whalefeat.noise",
    "XceptionClassifier": "whalefeat.models",
    "Inception1DClassifier": "whalefeat.models",
}

# without the keras extra, `from whalefeat import *` leaves out the Keras estimators
# (importing them raises an ImportError that says what to install)
__all__ = [
    "__version__",
    *(
        name
        for name, module in _LAZY.items()
        if module != "whalefeat.models" or importlib.util.find_spec("keras") is not None
    ),
]

if TYPE_CHECKING:  # pragma: no cover
    from .complexity import ComplexityEntropyCurve  # noqa: F401
    from .compose import SeriesUnion  # noqa: F401
    from .contrast import LocalContrast  # noqa: F401
    from .ensemble import SeedAveragingClassifier  # noqa: F401
    from .io import AiffLoader  # noqa: F401
    from .models import Inception1DClassifier, XceptionClassifier  # noqa: F401
    from .noise import NoiseInjector, add_noise  # noqa: F401
    from .recipe import StudySpectralSeries  # noqa: F401
    from .rowstats import RowStatistics  # noqa: F401
    from .series_statistics import SeriesStatistics  # noqa: F401
    from .spectrogram import Spectrogram  # noqa: F401
    from .templates import TemplateMatcher  # noqa: F401


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'whalefeat' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
