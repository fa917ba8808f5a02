"""The right whale challenge winners' contrast enhancement of spectrograms: LocalContrast."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._compat import (
    Interval,
    StrOptions,
    _check_feature_names_in,
    _fit_context,
    _get_output_config,
)
from ._validation import check_spectrograms, n_frames

__all__ = ["LocalContrast", "local_contrast"]

# moby2's windows (metrics.slidingWindowV and slidingWindowH as computeMetrics calls them)
_DEFAULT_WINDOW = {"frequency": 64, "time": 32}


class LocalContrast(TransformerMixin, BaseEstimator):
    """Clip each spectrogram and subtract a local mean with an inner exclusion zone along one axis.

    The contrast enhancement of the winning entry of the Marinexplore and
    Cornell University Whale Detection Challenge (2013, the public code
    ``nmkridler/moby2``, ``metrics.slidingWindowV`` and ``slidingWindowH``).
    For each clip's spectrogram ``S`` (frequency along axis 1, time along axis 2,
    as :class:`~whalefeat.Spectrogram` returns it):

    1. **Clip** (if ``clip_sd`` is set): with ``m`` and ``s`` the mean and the
       (population) standard deviation of all the clip's values, every value is
       clipped to ``[m - clip_sd * s, m + clip_sd * s]``, which caps loud
       transients and the deep floor alike.
    2. **Local mean with an exclusion zone**: along ``axis``, cell ``i``'s
       local mean is the mean over the cells ``i - window // 2`` to ``i +
       (window - 1) // 2`` (``window`` cells) *minus* the cells ``i -
       exclusion // 2`` to ``i + (exclusion - 1) // 2`` (the ``exclusion``
       cells around ``i``, which hold the call itself), i.e. over a ring of
       ``window - exclusion`` cells; the windows are placed as
       ``numpy.convolve(..., mode="same")`` places them. This local background
       is subtracted from the cell. Along ``"frequency"`` it flattens the
       spectrum of each frame (coloured noise, broadband clicks), along
       ``"time"`` each frequency row (tonal lines, a stationary floor), while a
       narrow-band sweep such as an up-call stands out in both.
    3. **Rectify** (if ``rectify``): negative results become 0.

    moby2 made two images of every clip this way, one along frequency
    (window 64 bins, exclusion 3) and one along time (window 32 frames,
    exclusion 3), and matched its templates on both: two :class:`LocalContrast`
    side by side in a :class:`~sklearn.pipeline.FeatureUnion`. Its spectrogram
    was the linear power spectral density of 256-sample Hann frames, 64 samples
    apart (``Spectrogram(hop_length=64, scaling="power")`` here).

    Parameters
    ----------
    clip_sd : float or None, default=1.5
        Clip each spectrogram at its mean plus and minus ``clip_sd`` standard
        deviations before the local mean is taken (moby2's 1.5); ``None`` does
        not clip.
    axis : {"frequency", "time"}, default="frequency"
        Direction of the local mean: along the frequency bins of each frame
        (axis 1 of the input, moby2's "vertical" enhancement) or along the
        frames of each frequency row (axis 2, its "horizontal" one).
    window : int or None, default=None
        Length in cells (bins or frames) of the window of the local mean,
        exclusion zone included. ``None`` takes moby2's: 64 bins along
        ``"frequency"``, 32 frames along ``"time"``. Must exceed
        ``exclusion``.
    exclusion : int, default=3
        Length in cells of the inner exclusion zone around each cell, left out
        of its local mean (moby2's 3).
    padding : {"zeros", "inside"}, default="zeros"
        The local mean of cells near the ends of the axis, whose window reaches
        past them: ``"zeros"`` counts the cells outside as zeros and always
        divides by ``window - exclusion`` (``numpy.convolve(..., mode="same")``,
        moby2's); ``"inside"`` averages the ring cells that lie inside the
        spectrogram (a cell whose ring lies wholly outside it has a local mean
        of 0, as with zeros). Zeros suit non-negative values whose background
        is small, such as moby2's linear power; on decibels, which are
        negative, they pull every local mean towards 0, above the values, and
        where the window is longer than the axis (64 bins along a band of 46)
        that happens to every cell, so that rectification leaves nothing: use
        ``"inside"`` for dB or log input.
    rectify : bool, default=True
        Set negative values to 0 after the local mean is subtracted (moby2's
        ``Q[Q < 0] = 0``).
    flatten : bool, default=False
        Return each clip's grid flattened to one row of ``n_bins * n_frames``
        values (C order, frames varying fastest, as ``Spectrogram(flatten=True)``),
        for estimators that take 2-D input.

    Attributes
    ----------
    n_features_in_ : int
        Number of frequency bins (axis 1 of the input) seen in :meth:`fit`.
    n_frames_ : int
        Number of frames (axis 2) seen in :meth:`fit`; 1 for 2-D input.
    input_ndim_ : int
        3 for spectrograms ``(n_clips, n_bins, n_frames)``, 2 for single
        spectra ``(n_clips, n_bins)``, which are taken as spectrograms of one
        frame.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of 2-D ``X`` when it was a DataFrame with string column
        names.

    See Also
    --------
    whalefeat.Spectrogram : Its ``contrast`` option whitens rows or frames by their
        median and standard deviation instead.
    whalefeat.templates.TemplateMatcher : Template matching, usually on these images.

    Notes
    -----
    Differences from moby2's code, all at the edges of its choices: it took
    the clipping statistics over the rows from 55 Hz to the top of its output
    band and set the rows below 55 Hz to the mean (here the band is
    :class:`~whalefeat.Spectrogram`'s ``fmin``/``fmax`` crop, and the
    statistics are those of the whole input); it computed the local mean along
    frequency over all 129 bins up to 1 kHz before cropping (here over the
    bins given); and it shortened a time window longer than the clip to the
    number of frames. The transform is computed in float64 and returned in the
    input's float dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from whalefeat.contrast import LocalContrast
    >>> S = np.ones((1, 8, 10))
    >>> S[0, 3, 4] = 5.0                      # one bright cell over a flat background
    >>> Q = LocalContrast(clip_sd=None, window=5, exclusion=1, padding="inside").fit_transform(S)
    >>> Q.shape
    (1, 8, 10)
    >>> Q[0, 3, 4], Q[0, 3, 0]                # the cell stands out, the background is 0
    (np.float64(4.0), np.float64(0.0))
    >>> Q[0, 1, 4], Q[0, 2, 4]                # its neighbours lose part of it: rectified to 0
    (np.float64(0.0), np.float64(0.0))
    """

    _parameter_constraints: dict = {
        "clip_sd": [Interval(Real, 0, None, closed="neither"), None],
        "axis": [StrOptions({"frequency", "time"})],
        "window": [Interval(Integral, 2, None, closed="left"), None],
        "exclusion": [Interval(Integral, 1, None, closed="left")],
        "padding": [StrOptions({"zeros", "inside"})],
        "rectify": ["boolean"],
        "flatten": ["boolean"],
    }

    def __init__(
        self,
        *,
        clip_sd: float | None = 1.5,
        axis: str = "frequency",
        window: int | None = None,
        exclusion: int = 3,
        padding: str = "zeros",
        rectify: bool = True,
        flatten: bool = False,
    ) -> None:
        self.clip_sd = clip_sd
        self.axis = axis
        self.window = window
        self.exclusion = exclusion
        self.padding = padding
        self.rectify = rectify
        self.flatten = flatten

    def _window(self) -> int:
        window = _DEFAULT_WINDOW[self.axis] if self.window is None else int(self.window)
        if window <= self.exclusion:
            raise ValueError(
                f"window={window} (cells along {self.axis!r}"
                f"{', the default' if self.window is None else ''}) must exceed "
                f"exclusion={self.exclusion}: the local mean is taken over the "
                "window minus the exclusion zone."
            )
        return window

    def _validate_input(self, X, reset: bool) -> np.ndarray:
        X = check_spectrograms(self, X, reset=reset, dtype=[np.float64, np.float32])
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> LocalContrast:
        """Check the parameters and record the shape of the spectrograms.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_bins, n_frames) or (n_clips, n_bins)
            Spectrograms (or single spectra).
        y : None
            Ignored.

        Returns
        -------
        self : LocalContrast
            This transformer.
        """
        X = self._validate_input(X, reset=True)
        self._window()
        self.input_ndim_ = X.ndim
        self.n_frames_ = n_frames(X)
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Clip, subtract the local mean along ``axis`` and rectify every spectrogram.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_bins, n_frames) or (n_clips, n_bins)
            Spectrograms of the shape seen in :meth:`fit`.

        Returns
        -------
        Q : ndarray of the shape of ``X``, or (n_clips, n_bins * n_frames) if ``flatten``
            The enhanced spectrograms, in ``X``'s float dtype.
        """
        check_is_fitted(self)
        self._validate_params()
        window = self._window()
        X = self._validate_input(X, reset=False)
        if (
            X.ndim == 3
            and not self.flatten
            and _get_output_config("transform", self)["dense"] != "default"
        ):
            raise ValueError(
                "LocalContrast returns 3-D spectrograms, which cannot become a DataFrame; set "
                "flatten=True to use set_output(transform='pandas') or 'polars'."
            )
        S = X if X.ndim == 3 else X[:, :, np.newaxis]
        Q = local_contrast(
            S,
            clip_sd=self.clip_sd,
            axis=self.axis,
            window=window,
            exclusion=int(self.exclusion),
            padding=self.padding,
            rectify=self.rectify,
        ).astype(X.dtype, copy=False)
        if X.ndim == 2:
            return Q[:, :, 0]
        return Q.reshape(len(Q), -1) if self.flatten else Q

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Get the names of the output values.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            2-D input only: the input's names (checked against
            ``feature_names_in_`` when set); the output is one-to-one.

        Returns
        -------
        feature_names_out : ndarray of str objects
            For 2-D input, the input's names (``x0``, ``x1``, ... if it had
            none); for spectrograms, ``"b<i>_t<j>"`` for bin ``i`` and frame
            ``j`` of the flattened grid (the ``flatten=True`` layout).
        """
        check_is_fitted(self)
        if self.input_ndim_ == 2:
            return _check_feature_names_in(self, input_features)
        return np.asarray(
            [f"b{i}_t{j}" for i in range(self.n_features_in_) for j in range(self.n_frames_)],
            dtype=object,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def local_contrast(
    S: np.ndarray,
    *,
    clip_sd: float | None = 1.5,
    axis: str = "frequency",
    window: int = 64,
    exclusion: int = 3,
    padding: str = "zeros",
    rectify: bool = True,
) -> np.ndarray:
    """The computation of :class:`LocalContrast` on spectrograms ``(n_clips, n_bins, n_frames)``.

    Parameters
    ----------
    S : ndarray of shape (n_clips, n_bins, n_frames)
        Spectrograms.
    clip_sd : float or None, default=1.5
        As in :class:`LocalContrast`.
    axis : {"frequency", "time"}, default="frequency"
        As in :class:`LocalContrast`.
    window : int, default=64
        The window length (no default per axis here).
    exclusion : int, default=3
        As in :class:`LocalContrast`.
    padding : {"zeros", "inside"}, default="zeros"
        As in :class:`LocalContrast`.
    rectify : bool, default=True
        As in :class:`LocalContrast`.

    Returns
    -------
    Q : ndarray of shape (n_clips, n_bins, n_frames), float64
        The contrast-enhanced spectrograms.

    Examples
    --------
    >>> import numpy as np
    >>> from whalefeat.contrast import local_contrast
    >>> local_contrast(np.arange(5.0).reshape(1, 5, 1), clip_sd=None, window=3,
    ...                exclusion=1, rectify=False)[0, :, 0]
    array([-0.5,  0. ,  0. ,  0. ,  2.5])
    """
    Q = np.array(S, dtype=np.float64)
    if clip_sd is not None:
        mean = Q.mean(axis=(1, 2), keepdims=True)
        spread = clip_sd * Q.std(axis=(1, 2), keepdims=True)
        np.clip(Q, mean - spread, mean + spread, out=Q)
    along = 1 if axis == "frequency" else 2
    outer, n_outer = _window_sums(Q, along, window)
    inner, n_inner = _window_sums(Q, along, exclusion)
    ring = outer - inner
    if padding == "zeros":
        ring /= window - exclusion
    else:
        count = n_outer - n_inner
        ring = np.where(count > 0, ring / np.maximum(count, 1), 0.0)
    Q -= ring
    if rectify:
        np.maximum(Q, 0.0, out=Q)
    return Q


def _window_sums(Q: np.ndarray, axis: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Sums of ``Q`` over windows of ``size`` cells along ``axis``, cells outside counted as 0.

    Cell ``i``'s window runs from ``i - size // 2`` to ``i + (size - 1) // 2``
    (where :func:`numpy.convolve` with ``mode="same"`` puts it). Also returns
    how many cells of each window lie inside, shaped to broadcast along ``axis``.
    """
    n = Q.shape[axis]
    cumulative = np.cumsum(Q, axis=axis)
    zero_shape = list(Q.shape)
    zero_shape[axis] = 1
    cumulative = np.concatenate([np.zeros(zero_shape), cumulative], axis=axis)
    index = np.arange(n)
    low = np.clip(index - size // 2, 0, n)
    high = np.clip(index + (size - 1) // 2 + 1, 0, n)
    sums = np.take(cumulative, high, axis=axis) - np.take(cumulative, low, axis=axis)
    count_shape = [1, 1, 1]
    count_shape[axis] = n
    return sums, (high - low).reshape(count_shape)
