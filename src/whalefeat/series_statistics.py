"""Statistics of each channel of a series over its steps: :class:`SeriesStatistics`."""

from __future__ import annotations

from numbers import Real

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._compat import Interval, _fit_context

__all__ = ["SeriesStatistics"]

_STATISTICS = ("mean", "std", "min", "max")


class SeriesStatistics(TransformerMixin, BaseEstimator):
    """Mean, spread, extremes and quantiles of every channel of a series over time.

    Turns series ``(n_samples, n_steps, n_channels)`` (the output of
    :class:`~whalefeat.ComplexityEntropyCurve` over the frames of a
    spectrogram, or of :class:`~whalefeat.SeriesUnion`) into fixed-length
    rows for models that take tabular features, such as gradient-boosted
    trees: for each channel, the chosen statistics of its values over the
    steps, then the chosen quantiles. The statistics ignore the order of the
    steps, so they do not depend on where in a clip a call lies.

    - ``"mean"``, ``"std"`` (population standard deviation, ``ddof=0``),
      ``"min"``, ``"max"``: those of ``numpy`` over the steps axis;
    - each ``q`` in ``quantiles``: ``numpy.quantile(x, q)`` with linear
      interpolation between the ordered values.

    Parameters
    ----------
    statistics : tuple of str, default=("mean", "std", "min", "max")
        Which statistics, in the order of the output blocks; any selection
        without repeats of the four (empty when ``quantiles`` is not).
    quantiles : tuple of float, default=(0.1, 0.9)
        Quantiles in ``[0, 1]``, without repeats, after the statistics.

    Attributes
    ----------
    n_features_in_ : int
        Size of the second axis of ``X`` seen in :meth:`fit` (the number of
        steps), as for every estimator of series in whalefeat.
    n_channels_ : int
        Number of channels (the last axis) seen in :meth:`fit`; 1 for 2-D
        input, which is read as single-channel series ``(n_samples, n_steps)``.
    input_ndim_ : int
        3 for series ``(n_samples, n_steps, n_channels)``, 2 for
        single-channel series ``(n_samples, n_steps)``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X`` (2-D input), if it had string column
        names.

    See Also
    --------
    whalefeat.rowstats.RowStatistics : Statistics of each frequency row of a spectrogram.

    Examples
    --------
    >>> import numpy as np
    >>> from whalefeat.series_statistics import SeriesStatistics
    >>> series = np.array([[[0.0, 10.0], [1.0, 20.0], [2.0, 30.0], [3.0, 40.0]]])
    >>> series.shape                              # 1 series, 4 steps, 2 channels
    (1, 4, 2)
    >>> stats = SeriesStatistics(statistics=("mean", "max"), quantiles=(0.5,)).fit(series)
    >>> stats.transform(series)
    array([[ 1.5, 25. ,  3. , 40. ,  1.5, 25. ]])
    >>> stats.get_feature_names_out(["H", "C"]).tolist()
    ['H_mean', 'C_mean', 'H_max', 'C_max', 'H_q0.5', 'C_q0.5']
    """

    _parameter_constraints: dict = {
        "statistics": [tuple, list, str],
        "quantiles": [tuple, list, Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        *,
        statistics: str | tuple[str, ...] | list[str] = _STATISTICS,
        quantiles: float | tuple[float, ...] | list[float] = (0.1, 0.9),
    ) -> None:
        self.statistics = statistics
        self.quantiles = quantiles

    def _chosen(self) -> tuple[tuple[str, ...], tuple[float, ...]]:
        statistics = (
            (self.statistics,) if isinstance(self.statistics, str) else tuple(self.statistics)
        )
        unknown = [s for s in statistics if s not in _STATISTICS]
        if unknown or len(set(statistics)) != len(statistics):
            raise ValueError(
                f"statistics must be a selection without repeats of {_STATISTICS!r}, "
                f"got {self.statistics!r}"
            )
        quantiles = (
            (self.quantiles,) if isinstance(self.quantiles, Real) else tuple(self.quantiles)
        )
        if any(
            isinstance(q, bool) or not isinstance(q, Real) or not 0 <= q <= 1 for q in quantiles
        ) or len(set(quantiles)) != len(quantiles):
            raise ValueError(
                f"quantiles must be numbers in [0, 1] without repeats, got {self.quantiles!r}"
            )
        if not statistics and not quantiles:
            raise ValueError("statistics and quantiles are both empty: nothing to compute")
        return statistics, tuple(float(q) for q in quantiles)

    def _series(self, X, reset: bool) -> np.ndarray:
        """``validate_data`` for series; returns them 3-D."""
        X = validate_data(self, X, reset=reset, dtype=np.float64, allow_nd=True)
        if X.ndim not in (2, 3):
            raise ValueError(
                "X must be series of shape (n_samples, n_steps, n_channels) or "
                f"(n_samples, n_steps), got an array of shape {X.shape}"
            )
        channels = 1 if X.ndim == 2 else X.shape[2]
        if reset:
            self.input_ndim_, self.n_channels_ = X.ndim, channels
        elif X.ndim != self.input_ndim_ or channels != self.n_channels_:
            raise ValueError(
                f"X has shape {X.shape} but this SeriesStatistics was fitted on "
                f"{self.input_ndim_}-D series of {self.n_features_in_} steps and "
                f"{self.n_channels_} channel(s)"
            )
        return X if X.ndim == 3 else X[:, :, np.newaxis]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> SeriesStatistics:
        """Check the parameters and record the shape of the series.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_channels) or (n_samples, n_steps)
            Finite series.
        y : None
            Ignored.

        Returns
        -------
        self : SeriesStatistics
            This transformer.
        """
        self._chosen()
        self._series(X, reset=True)
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """The chosen statistics and quantiles of every channel of every series.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_channels) or (n_samples, n_steps)
            Series with the steps and channels seen in :meth:`fit`.

        Returns
        -------
        features : ndarray of shape (n_samples, (len(statistics) + len(quantiles)) * n_channels)
            One block of ``n_channels`` columns per statistic, then per
            quantile, in the order of the parameters.
        """
        check_is_fitted(self)
        self._validate_params()
        statistics, quantiles = self._chosen()
        X = self._series(X, reset=False)
        blocks = [getattr(np, name)(X, axis=1) for name in statistics]
        if quantiles:
            blocks.extend(np.quantile(X, quantiles, axis=1))
        return np.concatenate(blocks, axis=1)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Get the names of the output features.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Names of the channels of 3-D series (for example the output of a
            :class:`~whalefeat.SeriesUnion`'s ``get_feature_names_out``);
            ``"x0"``, ``"x1"``, ... when None. Ignored for 2-D input, whose
            one channel is ``"x0"``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``"<channel>_<statistic>"`` and ``"<channel>_q<quantile>"``.
        """
        check_is_fitted(self)
        statistics, quantiles = self._chosen()
        if input_features is None or self.input_ndim_ == 2:
            channels = [f"x{j}" for j in range(self.n_channels_)]
        else:
            channels = [str(name) for name in input_features]
            if len(channels) != self.n_channels_:
                raise ValueError(
                    f"input_features has {len(channels)} names but this SeriesStatistics "
                    f"was fitted on series of {self.n_channels_} channel(s)"
                )
        labels = [*statistics, *(f"q{q:g}" for q in quantiles)]
        return np.asarray(
            [f"{channel}_{label}" for label in labels for channel in channels], dtype=object
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags
