"""Statistics of each frequency row of a spectrogram over time: :class:`RowStatistics`."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._compat import _fit_context
from ._validation import check_spectrograms, n_frames

__all__ = ["RowStatistics"]

_STATISTICS = ("centroid", "bandwidth", "skew", "total_variation")


class RowStatistics(TransformerMixin, BaseEstimator):
    """Time centroid, bandwidth, skewness and total variation of every frequency row.

    The per-row ("time metrics") features of the winning entry of the right
    whale detection challenge (``nmkridler/moby2``, ``metrics.timeMetrics``).
    For each clip and each frequency row ``x = S[i, b, :]`` (non-negative
    powers over frames ``t = 0, 1, ..., n_frames - 1``):

    - ``"centroid"``: ``sum(x t) / sum(x)``, the frame around which the row's
      energy lies;
    - ``"bandwidth"``: ``sqrt(sum(x (t - centroid)^2) / sum(x))``, the spread of
      that energy in time, in frames (moby2's code returns its square, which
      ranks clips identically);
    - ``"skew"``: the sample skewness of the row's values (``scipy.stats.skew``
      of ``x``, biased, as moby2 computes it): a row with a few loud frames
      over a quiet floor is strongly right-skewed;
    - ``"total_variation"``: ``sum |x[t + 1] - x[t]|``.

    A row whose values are all zero has no centroid: its energy is taken as
    spread evenly, so its centroid is the middle frame and its bandwidth that
    of the uniform distribution. A row whose values are all equal has skewness
    0 (scipy returns NaN). Positions are in frames; multiply by the hop (for
    instance ``Spectrogram.times_[1] - times_[0]``) for seconds.

    Parameters
    ----------
    statistics : tuple of str, default=("centroid", "bandwidth", "skew", "total_variation")
        Which statistics, in the order of the output blocks; any non-empty
        selection without repeats of the four.

    Attributes
    ----------
    n_features_in_ : int
        Number of frequency rows (axis 1 of the input) seen in :meth:`fit`.
    n_frames_ : int
        Number of frames seen in :meth:`fit`; 1 for 2-D input (single spectra).
    input_ndim_ : int
        3 for spectrograms ``(n_clips, n_bins, n_frames)``, 2 for single spectra.

    See Also
    --------
    whalefeat.templates.TemplateMatcher : The challenge winners' other features.

    Examples
    --------
    >>> import numpy as np
    >>> from whalefeat.rowstats import RowStatistics
    >>> S = np.zeros((1, 2, 5))
    >>> S[0, 0] = [0, 0, 1, 3, 0]                 # row 0: energy in frames 2 and 3
    >>> S[0, 1] = 1.0                             # row 1: flat
    >>> stats = RowStatistics().fit(S)
    >>> stats.transform(S).round(3)
    array([[2.75 , 2.   , 0.433, 1.414, 1.15 , 0.   , 6.   , 0.   ]])
    >>> stats.get_feature_names_out().tolist()[:3]
    ['centroid_b0', 'centroid_b1', 'bandwidth_b0']
    """

    _parameter_constraints: dict = {"statistics": [tuple, list, str]}

    def __init__(self, *, statistics: str | tuple[str, ...] | list[str] = _STATISTICS) -> None:
        self.statistics = statistics

    def _statistics(self) -> tuple[str, ...]:
        chosen = (self.statistics,) if isinstance(self.statistics, str) else tuple(self.statistics)
        unknown = [s for s in chosen if s not in _STATISTICS]
        if not chosen or unknown or len(set(chosen)) != len(chosen):
            raise ValueError(
                f"statistics must be a non-empty selection without repeats of "
                f"{_STATISTICS!r}, got {self.statistics!r}"
            )
        return chosen

    def _validate_input(self, X, reset: bool) -> np.ndarray:
        X = check_spectrograms(self, X, reset=reset, dtype=np.float64, rows="rows")
        if (X < 0).any() and {"centroid", "bandwidth"} & set(self._statistics()):
            clip = int(np.flatnonzero((X < 0).reshape(len(X), -1).any(axis=1))[0])
            raise ValueError(
                "Negative values in data passed to RowStatistics: the centroid and the "
                f"bandwidth weigh frames by their values, which must be powers (>= 0); clip "
                f"{clip} is not (dB input? use Spectrogram(scaling='power'))"
            )
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> RowStatistics:
        """Check the parameters and record the shape of the spectrograms.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_bins, n_frames) or (n_clips, n_bins)
            Spectrograms of non-negative values (or single spectra).
        y : None
            Ignored.

        Returns
        -------
        self : RowStatistics
            This transformer.
        """
        self._statistics()
        X = self._validate_input(X, reset=True)
        self.input_ndim_ = X.ndim
        self.n_frames_ = n_frames(X)
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """The chosen statistics of every row of every clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_bins, n_frames) or (n_clips, n_bins)
            Spectrograms of the shape seen in :meth:`fit`.

        Returns
        -------
        features : ndarray of shape (n_clips, len(statistics) * n_bins), float64
            One block of ``n_bins`` columns per statistic, in the order of
            ``statistics``.
        """
        check_is_fitted(self)
        self._validate_params()
        chosen = self._statistics()
        X = self._validate_input(X, reset=False)
        S = X if X.ndim == 3 else X[:, :, np.newaxis]
        return np.concatenate([_row_statistic(S, name) for name in chosen], axis=1)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Get the names of the output features.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``"<statistic>_b<i>"`` for every statistic and row ``i``.
        """
        check_is_fitted(self)
        return np.asarray(
            [f"{name}_b{i}" for name in self._statistics() for i in range(self.n_features_in_)],
            dtype=object,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.positive_only = True
        return tags


def _row_statistic(S: np.ndarray, name: str) -> np.ndarray:
    """One statistic of every row: (n_clips, n_bins, n_frames) -> (n_clips, n_bins)."""
    n_frames = S.shape[2]
    if name == "total_variation":
        return np.abs(np.diff(S, axis=2)).sum(axis=2)
    if name == "skew":
        # skewness is scale-free: each row over its largest magnitude cannot overflow
        level = np.max(np.abs(S), axis=2, keepdims=True)
        scaled = S / np.where(level > 0, level, 1.0)
        centred = scaled - scaled.mean(axis=2, keepdims=True)
        m2 = (centred**2).mean(axis=2)
        m3 = (centred**3).mean(axis=2)
        flat = m2 <= 1e-28  # a row flat to rounding (spread below 1e-14 of its level)
        return np.where(flat, 0.0, m3 / np.where(flat, 1.0, m2) ** 1.5)
    t = np.arange(n_frames, dtype=np.float64)
    total = S.sum(axis=2)
    empty = total == 0
    weights = np.where(
        empty[:, :, np.newaxis], 1.0 / n_frames, S / np.where(empty, 1.0, total)[:, :, np.newaxis]
    )
    centroid = weights @ t
    if name == "centroid":
        return centroid
    return np.sqrt(np.einsum("cbt,cbt->cb", weights, (t - centroid[:, :, np.newaxis]) ** 2))
