"""Small input-validation helpers shared across whalefeat."""

from __future__ import annotations

import numbers
import os

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

from ._compat import Interval


class _IntegerInterval(Interval):
    """An :class:`Interval` of integers that a bool does not satisfy (to Python it is one)."""

    def is_satisfied_by(self, val) -> bool:
        return not isinstance(val, (bool, np.bool_)) and super().is_satisfied_by(val)


#: The ``_parameter_constraints`` entry of every ``n_jobs`` parameter, joblib's meaning:
#: None (one worker unless a ``joblib.parallel_config`` context says otherwise), a number of
#: workers, or -1, -2, ... for all processors, all but one, ...; 0 and bools are errors.
N_JOBS_CONSTRAINTS = [
    _IntegerInterval(numbers.Integral, 1, None, closed="left"),
    _IntegerInterval(numbers.Integral, None, -1, closed="right"),
    None,
]


def check_paths(X: ArrayLike, *, name: str = "X") -> np.ndarray:
    """Turn a 1-D sequence of file paths into a 1-D object array of ``str``.

    Accepts a list, tuple, NumPy array, pandas Series, a one-column pandas
    DataFrame or an ``(n, 1)`` array, holding ``str`` or :class:`os.PathLike`
    items (``bytes`` are decoded with :func:`os.fsdecode`).

    Parameters
    ----------
    X : array-like of shape (n_paths,) or (n_paths, 1)
        The paths.
    name : str, default="X"
        How to call ``X`` in error messages.

    Returns
    -------
    paths : ndarray of shape (n_paths,), dtype object
        The paths as ``str``.

    Raises
    ------
    ValueError
        If ``X`` is a single path, holds no paths, is not 1-D (or one column), or
        holds an item that is not a path.
    TypeError
        If ``X`` is a sparse matrix.

    Examples
    --------
    >>> from pathlib import Path
    >>> check_paths([Path("a.aiff"), "b.aiff"])
    array(['a.aiff', 'b.aiff'], dtype=object)
    """
    if isinstance(X, (str, bytes, os.PathLike)):
        raise ValueError(
            f"{name} must be a 1-D sequence of paths, got a single path {X!r}; wrap it in a list"
        )
    if sparse.issparse(X):
        raise TypeError(
            f"{name} is a sparse matrix; sparse input is not supported: "
            "pass a 1-D sequence of paths"
        )
    if hasattr(X, "columns") and hasattr(X, "iloc"):  # pandas DataFrame
        if X.shape[1] != 1:
            raise ValueError(
                f"{name} must be a one-column DataFrame of paths, got {X.shape[1]} columns "
                f"{list(X.columns)!r}"
            )
        X = X.iloc[:, 0]
    if hasattr(X, "to_numpy"):  # pandas Series (any dtype, including "string")
        X = X.to_numpy(dtype=object)
    try:
        array = np.asarray(X, dtype=object if isinstance(X, (list, tuple)) else None)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(f"{name} must be a 1-D sequence of paths: {exc}") from None
    if array.ndim == 2 and array.shape[1] == 0:
        raise ValueError(
            f"{name} has 0 feature(s) (shape={array.shape}) while a minimum of 1 is "
            "required: one column of paths"
        )
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be a 1-D sequence of paths (or one column), got an array of "
            f"shape {array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} holds no paths (0 items); at least one is required")
    if array.dtype.kind in "biufcmM":
        raise ValueError(
            f"{name} must hold paths (str or os.PathLike), got an array of dtype {array.dtype}"
        )
    if array.dtype.kind in "US":
        return np.asarray([os.fsdecode(item) for item in array.tolist()], dtype=object)
    out = np.empty(array.shape[0], dtype=object)
    for i, item in enumerate(array):
        if isinstance(item, str):
            out[i] = item
        elif isinstance(item, (bytes, os.PathLike)):
            out[i] = os.fsdecode(item)
        else:
            raise ValueError(
                f"{name}[{i}] is {item!r} of type {type(item).__name__}; expected a path "
                "(str or os.PathLike)"
            )
    return out


def check_generator(
    random_state: int | np.random.Generator | np.random.RandomState | None,
) -> np.random.Generator:
    """Turn ``random_state`` into a :class:`numpy.random.Generator`.

    Parameters
    ----------
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        ``None`` gives fresh OS entropy; an int seeds a new generator; a
        Generator is returned as is (so draws advance it); a RandomState seeds a
        new generator from one draw of it (so draws advance it too).

    Returns
    -------
    numpy.random.Generator

    Examples
    --------
    >>> check_generator(0).integers(10) == check_generator(0).integers(10)
    np.True_
    """
    if isinstance(random_state, (bool, np.bool_)):
        raise TypeError(f"random_state must be None, an int or a generator, not {random_state!r}")
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, numbers.Integral):
        if random_state < 0:
            raise ValueError(f"random_state must be non-negative, got {random_state}")
        return np.random.default_rng(int(random_state))
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    raise TypeError(
        "random_state must be None, an int, a numpy.random.Generator or a "
        f"numpy.random.RandomState, got {random_state!r}"
    )


def n_frames(X: np.ndarray) -> int:
    """Frames of spectrograms ``(n, n_bins, n_frames)``; a single spectrum is one frame."""
    return X.shape[2] if X.ndim == 3 else 1


def check_spectrograms(
    estimator: object, X: ArrayLike, *, reset: bool, dtype: object, rows: str = "bins"
) -> np.ndarray:
    """``validate_data`` for spectrograms ``(n, n_bins, n_frames)`` or spectra ``(n, n_bins)``.

    Without ``reset``, the input must have the ``input_ndim_`` and ``n_frames_``
    that ``fit`` recorded; ``rows`` names the second axis in the message.
    """
    from sklearn.utils.validation import validate_data

    X = validate_data(estimator, X, reset=reset, dtype=dtype, allow_nd=True)
    if X.ndim not in (2, 3):
        raise ValueError(
            "X must be spectrograms of shape (n_clips, n_bins, n_frames) or single "
            f"spectra (n_clips, n_bins), got an array of shape {X.shape}"
        )
    if not reset and (X.ndim != estimator.input_ndim_ or n_frames(X) != estimator.n_frames_):
        raise ValueError(
            f"X has shape {X.shape} but this {type(estimator).__name__} was fitted on "
            f"{estimator.input_ndim_}-D input with {estimator.n_features_in_} {rows} and "
            f"{estimator.n_frames_} frame(s)"
        )
    return X
