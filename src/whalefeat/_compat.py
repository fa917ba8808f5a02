"""The private scikit-learn names whalefeat uses, imported in one place.

whalefeat follows scikit-learn's own estimator conventions, and some of the
helpers for them are private: the parameter-validation constraints and their
error, the ``_fit_context`` decorator, the ``set_output`` configuration and
the feature-name check behind ``get_feature_names_out``. Modules import them
from here, so a move in a future scikit-learn release is handled once.

Where each name lives was checked in scikit-learn 1.6.1 (the lower bound in
``pyproject.toml``, the first release with the public
:func:`sklearn.utils.validation.validate_data`), 1.7.2, 1.8.0 and 1.9.1: none
moved in that range, so each is imported from its single location. A name
that moves in a later release gets a ``try``/``except ImportError`` here,
newest location first.

There is deliberately no upper bound on scikit-learn: no supported release
breaks these imports, an upper bound on a library blocks users from security
and bug-fix releases and from resolving environments together with other
packages, and ``tests/test_packaging.py`` checks the behaviour whalefeat
relies on (signatures and return values, not just that the import works), so
a change surfaces as a failing test rather than a silent misbehaviour.
"""

from __future__ import annotations

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_params,
)
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import _check_feature_names_in

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "_check_feature_names_in",
    "_fit_context",
    "_get_output_config",
    "validate_params",
]
