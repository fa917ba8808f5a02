"""The scikit-learn transformer of the complexity-entropy features (private module).

:class:`ComplexityEntropyCurve` is public as :class:`whalefeat.ComplexityEntropyCurve`
and :class:`whalefeat.complexity.ComplexityEntropyCurve`; the maths is in
:mod:`whalefeat.complexity` and its kernels in :mod:`whalefeat._entropy_kernels`.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _entropy_kernels as _kernels
from . import ordinal
from ._compat import (
    Interval,
    InvalidParameterError,
    StrOptions,
    _check_feature_names_in,
    _fit_context,
    _get_output_config,
)
from ._validation import N_JOBS_CONSTRAINTS
from .complexity import (
    _RENYI,
    _TIES,
    _TSALLIS,
    _check_q,
    _check_ties,
    _distribution_curves,
    _ordinal2d_curves,
    _plan,
    _signal_curves,
    default_q_grid,
)

DISEQUILIBRIA = ("jensen-shannon", "euclidean", "total-variation")
# feature name of each disequilibrium's complexity, and its column in the kernel output
_C_NAMES = {
    "jensen-shannon": "C",
    "euclidean": "C_euclidean",
    "total-variation": "C_total_variation",
}
_C_COLUMNS = {"jensen-shannon": 1, "euclidean": 2, "total-variation": 3}

__all__ = ["ComplexityEntropyCurve"]


def _check_non_negative(X):
    negative = X < 0
    if negative.any():
        where = tuple(int(i) for i in np.argwhere(negative)[0])
        index = ", ".join(map(str, where))
        # the words scikit-learn's checks (and users of its estimators) look for first
        raise ValueError(
            f"Negative values in data passed to ComplexityEntropyCurve: X[{index}] = "
            f"{float(X[where])!r}; distribution='spectral' reads each frame as a power "
            "spectrum, which must be >= 0 (pass power or magnitude, not decibels)"
        )


class ComplexityEntropyCurve(TransformerMixin, BaseEstimator):
    """Entropy and complexity features of signals, spectrograms or spectra.

    A distribution is read off each series, and gives the entropy ``H`` and
    statistical complexity ``C``: Shannon's pair, or the Tsallis or Renyi
    complexity-entropy curve over a grid of ``q`` (see
    :func:`complexity_entropy`, :func:`tsallis_complexity_entropy` and
    :func:`renyi_complexity_entropy`, whose values it returns). Three
    distributions (``distribution``):

    - ``"ordinal"`` (the default): Bandt-Pompe ordinal patterns of
      ``dimension`` samples, ``delay`` apart, ``n = dimension!`` outcomes. On
      signals ``(n_samples, n_times)``: one feature vector per signal,
      ``(n_samples, n_features)``; with ``window`` (and ``hop``) one per
      window of ``window`` samples, ``hop`` apart, ``(n_samples, n_windows,
      n_features)``; on spectrograms ``(n_samples, n_freqs, n_frames)`` (as
      from :class:`~whalefeat.spectrogram.Spectrogram`) one per frame,
      patterns read along frequency, ``(n_samples, n_frames, n_features)``.
    - ``"spectral"``: the power of each spectrogram frame over its bins,
      normalised to sum to one, ``n = n_freqs`` outcomes (a bin of zero power
      is an absent outcome, as a missing pattern is). Spectrograms give
      ``(n_samples, n_frames, n_features)``; 2-D input ``(n_samples, n_bins)``
      is one spectrum per row and gives ``(n_samples, n_features)``.
    - ``"ordinal2d"``: 2-D ordinal patterns of spectrogram patches (Ribeiro et
      al. 2012): ``dimension`` bins ``delay`` apart along frequency by
      ``time_dimension`` frames ``time_delay`` apart along time, ``n =
      (dimension * time_dimension)!`` outcomes, counted over the whole
      spectrogram, ``(n_samples, n_features)``, or with ``window`` (and
      ``hop``) over blocks of ``window`` frames, ``(n_samples, n_blocks,
      n_features)``.

    The transformer is stateless: ``fit`` checks the parameters, records the
    input shape and draws the tie-breaking seed of ``ties="jitter"``. All
    series are processed by compiled kernels, with no Python loop over series.

    Parameters
    ----------
    dimension : int, default=4
        Embedding dimension ``d``, from 2 to 8; there are ``d!`` patterns. The
        default is the study's: 24 patterns are estimated well from the 253
        patterns of a 256-sample window, and from the 43 of a 46-bin
        spectrogram frame (the rule of thumb asks several windows per pattern,
        which ``d = 5`` or more would break in both). With ``"ordinal2d"``:
        the patch height along frequency (ordpy's ``dy``), and ``dimension *
        time_dimension`` must not exceed 8. Unused with ``"spectral"``.
    delay : int, default=1
        Embedding delay ``tau`` in samples (or frequency bins; ordpy's
        ``tauy`` with ``"ordinal2d"``). Unused with ``"spectral"``.
    measure : {"tsallis", "shannon", "renyi"}, default="tsallis"
        ``"shannon"``: the pair ``(H, C)`` (Jensen-Shannon complexity, or the
        complexities of ``disequilibrium``).
        ``"tsallis"``: the curve ``(H_q, C_q)`` of Ribeiro et al. (2017) over
        ``q``; ``"renyi"``: its Renyi counterpart (Jauregui et al. 2018), ``q``
        being Renyi's order ``alpha``. At ``q = 1`` both equal the Shannon pair.
    q : float, array-like of shape (n_q,) or None, default=None
        Positive values of ``q`` for ``measure="tsallis"`` or ``"renyi"``;
        ``None`` gives :func:`default_q_grid` (49 values from 0.01 to 100,
        12 per decade, holding ``q = 1``). Must be None for ``"shannon"``.
    ties : {"stable", "jitter"}, default="stable"
        How equal samples within one pattern are ranked. ``"stable"``: by order
        of appearance (``numpy.argsort(kind="stable")``, ordpy's convention),
        so a tie always reads as "rising", which concentrates the distribution
        and lowers ``H``. ``"jitter"``: at random, as if a perturbation smaller
        than the smallest gap between distinct values were added to the signal
        (seeded once in ``fit`` from ``random_state``; the order of distinct
        values never changes). The difference matters for quantised, quiet
        signals: rounded white noise of standard deviation 2 (int16 units) has
        a tie in 81 % of its ``d = 5`` windows, and ``H`` is 0.973 with
        ``"stable"`` against 0.997 with ``"jitter"`` (at 1 unit: 0.908 against
        0.997). On the 3,000 real 2-s training clips (median standard deviation
        380 units) only 3 % of ``d = 5`` windows hold a tie: the mean ``H`` is
        0.9497 either way, and the largest change on one clip is 0.036 (a clip
        where 17 % of consecutive samples repeat). Unused with ``"spectral"``.
    window : int or None, default=None
        ``"ordinal"`` signals: samples per window, each giving one feature
        vector; ``"ordinal2d"``: frames per block. ``None`` takes the whole
        signal (or spectrogram). The study used 256 samples (128 ms at 2 kHz).
        Must be None for ``"ordinal"`` spectrograms and for ``"spectral"``.
    hop : int or None, default=None
        Samples (frames) between the starts of consecutive windows (blocks),
        with ``window`` only; ``None`` means ``window`` (side by side). The
        study used 32. Trailing samples that do not fill a window are not used.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie-breaking of ``ties="jitter"``: ``fit`` draws one seed from
        it (``seed_``), which every later ``transform`` uses, so the same data
        always give the same features. Unused with ``"stable"``. A given seed
        breaks the ties of a sample the same way whatever batch it comes in.
    n_jobs : int or None, default=None
        Number of joblib workers, each running the compiled kernel on blocks
        of series. Threads are preferred (the kernels release the GIL), but a
        backend set by :func:`joblib.parallel_config` is used as given, and
        every backend gives the same values. ``None`` means 1 unless in a
        joblib context; -1 means all processors; 0 is an error.
    distribution : {"ordinal", "spectral", "ordinal2d"}, default="ordinal"
        What the distribution of a series is (see above).
    disequilibrium : str or tuple of str, default="jensen-shannon"
        With ``measure="shannon"``: the distance(s) from the uniform
        distribution ``U`` that give the complexities ``C = H Q``, one column
        each, in the order given: ``"jensen-shannon"`` (``Q = JS(P, U) /
        JS_max``, Rosso et al. 2007; column ``"C"``), ``"euclidean"`` (``Q =
        n/(n - 1) sum_i (p_i - 1/n)^2``, the LMC disequilibrium; column
        ``"C_euclidean"``) and ``"total-variation"`` (``Q = n/(2 (n - 1))
        sum_i |p_i - 1/n|``; column ``"C_total_variation"``). Each ``Q`` is
        divided by its maximum over distributions on ``n`` outcomes (that of a
        one-hot distribution), so ``C`` lies in ``[0, 1]``. Tsallis and Renyi
        curves take only ``"jensen-shannon"`` (their own divergences).
    time_dimension : int, default=2
        ``"ordinal2d"`` only: patch width in frames (ordpy's ``dx``), at least 1.
    time_delay : int, default=1
        ``"ordinal2d"`` only: delay between the patch's frames (ordpy's ``taux``).
    band_width : int or None, default=None
        ``"spectral"`` only: read each frame (or spectrum) as sub-bands of
        ``band_width`` consecutive bins, each its own distribution (``n =
        band_width`` outcomes), rather than as one distribution over all bins.
        A narrow tonal call concentrates the power of the few bands it
        crosses, which the whole-frame entropy dilutes. ``None`` takes all bins
        as one band.
    band_hop : int or None, default=None
        With ``band_width``: bins between the first bins of consecutive bands;
        ``None`` means ``band_width`` (side by side). Trailing bins that do not
        fill a band are not used. The features of all bands of a frame come
        side by side, band after band (see Notes).

    Attributes
    ----------
    n_features_in_ : int
        Samples per signal, or frequency bins per spectrogram (or spectrum),
        seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it was a DataFrame with string column names.
    q_ : ndarray of shape (n_q,)
        The ``q`` values of the features (``[1.0]`` for Shannon).
    disequilibria_ : tuple of str
        The disequilibria of the complexity columns (``("jensen-shannon",)``
        for Tsallis and Renyi).
    input_ndim_ : int
        2 for signals (or spectra), 3 for spectrograms.
    seed_ : int or None
        The tie-breaking seed drawn in ``fit`` for ``ties="jitter"``; None
        otherwise.
    band_starts_ : ndarray of shape (n_bands,) or None
        The first bin of each sub-band with ``band_width``; None without.

    See Also
    --------
    complexity_entropy, tsallis_complexity_entropy, renyi_complexity_entropy :
        The same features from one call on arrays or pattern distributions.
    minimum_complexity, maximum_complexity : Bounds of the Shannon plane.

    Notes
    -----
    Features come in ``(H, C)`` pairs, one per ``q`` in increasing ``q``:
    ``[H_q0, C_q0, H_q1, C_q1, ...]``, so ``features.reshape(..., n_q, 2)``
    gives the points of the curve (the layout of ordpy's output). Their names
    are ``"H"`` and ``"C"`` for Shannon, ``"H_q=0.5"``, ``"C_q=0.5"`` and so
    on otherwise (``q`` printed with 6 significant digits, or in full where
    that would not tell two values apart). With ``measure="shannon"`` and
    several disequilibria the columns are ``H`` and then one complexity per
    disequilibrium, in the order given (e.g. ``["H", "C", "C_euclidean",
    "C_total_variation"]``).

    ``set_params`` after ``fit`` is checked again by ``transform``; changes
    of ``measure``, ``q`` or ``disequilibrium`` (which change the features)
    and of ``ties`` to ``"jitter"`` need a new ``fit``.

    With ``band_width``, each frame gives ``n_bands * n_pairs`` features,
    the features of the band of lowest bins first; their names end in the
    band's bins, ``"H_bins=0:16"``, ``"C_bins=0:16"``, ``"H_bins=8:24"``, ...
    (``features.reshape(..., n_bands, -1)`` gives one row per band). With
    ``set_output(transform="pandas")`` the output must be 2-D.

    References
    ----------
    C. Bandt and B. Pompe, Phys. Rev. Lett. 88, 174102 (2002).
    O. A. Rosso et al., Phys. Rev. Lett. 99, 154102 (2007).
    H. V. Ribeiro, L. Zunino, E. K. Lenzi, P. A. Santoro and R. S. Mendes,
    PLoS ONE 7, e40689 (2012).
    H. V. Ribeiro, M. Jauregui, L. Zunino and E. K. Lenzi, Phys. Rev. E 95,
    062106 (2017).
    M. Jauregui, L. Zunino, E. K. Lenzi, R. S. Mendes and H. V. Ribeiro,
    Physica A 498, 74 (2018).

    Examples
    --------
    >>> import numpy as np
    >>> from whalefeat import ComplexityEntropyCurve
    >>> X = np.random.default_rng(0).standard_normal((3, 4000))
    >>> shannon = ComplexityEntropyCurve(dimension=4, measure="shannon")
    >>> shannon.fit_transform(X).shape
    (3, 2)
    >>> shannon.get_feature_names_out().tolist()
    ['H', 'C']
    >>> framed = ComplexityEntropyCurve(measure="shannon", window=256, hop=32)
    >>> framed.fit_transform(X).shape
    (3, 118, 2)
    >>> curve = ComplexityEntropyCurve(dimension=3, q=[0.5, 1, 2]).fit(X)
    >>> curve.get_feature_names_out().tolist()
    ['H_q=0.5', 'C_q=0.5', 'H_q=1', 'C_q=1', 'H_q=2', 'C_q=2']
    >>> spectrograms = np.random.default_rng(1).random((2, 46, 118))
    >>> curve.fit_transform(spectrograms).shape
    (2, 118, 6)
    >>> spectral = ComplexityEntropyCurve(
    ...     measure="shannon", distribution="spectral",
    ...     disequilibrium=("jensen-shannon", "euclidean", "total-variation"))
    >>> spectral.fit_transform(spectrograms).shape
    (2, 118, 4)
    >>> spectral.get_feature_names_out().tolist()
    ['H', 'C', 'C_euclidean', 'C_total_variation']
    >>> bands = ComplexityEntropyCurve(measure="shannon", distribution="spectral",
    ...                                band_width=16, band_hop=8)
    >>> bands.fit_transform(spectrograms).shape  # bands at bins 0, 8, 16 and 24 of 46
    (2, 118, 8)
    >>> bands.get_feature_names_out()[:4].tolist()
    ['H_bins=0:16', 'C_bins=0:16', 'H_bins=8:24', 'C_bins=8:24']
    >>> patches = ComplexityEntropyCurve(measure="shannon", distribution="ordinal2d",
    ...                                  dimension=2, time_dimension=2, window=16, hop=8)
    >>> patches.fit_transform(spectrograms).shape
    (2, 13, 2)
    """

    _parameter_constraints: dict = {
        "dimension": [Interval(Integral, 2, ordinal.MAX_DIMENSION, closed="both")],
        "delay": [Interval(Integral, 1, None, closed="left")],
        "measure": [StrOptions({"shannon", "tsallis", "renyi"})],
        "q": [None, Interval(Real, 0, None, closed="neither"), "array-like"],
        "ties": [StrOptions({"stable", "jitter"})],
        "window": [None, Interval(Integral, 1, None, closed="left")],
        "hop": [None, Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": N_JOBS_CONSTRAINTS,
        "distribution": [StrOptions({"ordinal", "spectral", "ordinal2d"})],
        "disequilibrium": [StrOptions(set(DISEQUILIBRIA)), tuple, list],
        "time_dimension": [Interval(Integral, 1, ordinal.MAX_DIMENSION // 2, closed="both")],
        "time_delay": [Interval(Integral, 1, None, closed="left")],
        "band_width": [None, Interval(Integral, 2, None, closed="left")],
        "band_hop": [None, Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        dimension: int = 4,
        delay: int = 1,
        measure: str = "tsallis",
        q: float | ArrayLike | None = None,
        ties: str = "stable",
        window: int | None = None,
        hop: int | None = None,
        random_state: int | np.random.RandomState | None = None,
        n_jobs: int | None = None,
        distribution: str = "ordinal",
        disequilibrium: str | tuple[str, ...] = "jensen-shannon",
        time_dimension: int = 2,
        time_delay: int = 1,
        band_width: int | None = None,
        band_hop: int | None = None,
    ) -> None:
        self.dimension = dimension
        self.delay = delay
        self.measure = measure
        self.q = q
        self.ties = ties
        self.window = window
        self.hop = hop
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.distribution = distribution
        self.disequilibrium = disequilibrium
        self.time_dimension = time_dimension
        self.time_delay = time_delay
        self.band_width = band_width
        self.band_hop = band_hop

    # ----------------------------------------------------------------------------------------
    # checks shared by fit and transform

    def _check_integers(self):
        """What ``_parameter_constraints`` cannot say: a bool is not an integer."""
        for name in (
            "dimension",
            "delay",
            "window",
            "hop",
            "time_dimension",
            "time_delay",
            "band_width",
            "band_hop",
            "n_jobs",
        ):
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)):
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must be an int, not a "
                    f"bool; got {name}={value!r}."
                )

    def _features(self):
        """The ``q`` values and disequilibria the parameters ask for."""
        names = (
            (self.disequilibrium,)
            if isinstance(self.disequilibrium, str)
            else tuple(self.disequilibrium)
        )
        if not names:
            raise ValueError(
                "disequilibrium must name at least one of "
                f"{', '.join(map(repr, DISEQUILIBRIA))}, got an empty sequence"
            )
        for name in names:
            if name not in DISEQUILIBRIA:
                raise ValueError(
                    f"disequilibrium must be one of "
                    f"{', '.join(map(repr, DISEQUILIBRIA))} or a tuple of them, "
                    f"got {name!r}"
                )
        if len(set(names)) < len(names):
            raise ValueError(f"disequilibrium names {names!r}: each may appear only once")
        if self.measure == "shannon":
            if self.q is not None:
                raise ValueError(
                    f"q applies to measure='tsallis' or 'renyi'; measure='shannon' takes no q, "
                    f"got q={self.q!r}"
                )
            return np.ones(1), names
        if names != ("jensen-shannon",):
            raise ValueError(
                f"disequilibrium={self.disequilibrium!r} applies to measure='shannon'; the "
                f"{self.measure} curve has its own divergence: leave disequilibrium="
                "'jensen-shannon'"
            )
        if self.q is None:
            return default_q_grid(), names
        return np.atleast_1d(_check_q(self.q, "q")), names

    def _check_shape(self, shape):
        """The length checks of ``distribution`` against input of ``shape``."""
        ndim = len(shape)
        if self.distribution == "spectral":
            self._check_no_window(shape, "spectra", "give one feature vector per spectrum (frame)")
            if shape[1] < 2:
                raise ValueError(
                    f"distribution='spectral' needs at least 2 frequency bins (the outcomes); "
                    f"X of shape {shape} has {shape[1]} feature(s) along its bin axis"
                )
            if self.band_hop is not None and self.band_width is None:
                raise ValueError(
                    f"band_hop={self.band_hop} needs band_width: set band_width "
                    "as well, or neither"
                )
            if self.band_width is not None and self.band_width > shape[1]:
                raise ValueError(
                    f"band_width={self.band_width} exceeds the {shape[1]} frequency bins of X "
                    f"(shape {shape})"
                )
            return
        if self.band_width is not None or self.band_hop is not None:
            raise ValueError(
                "band_width and band_hop apply to distribution='spectral' only; got "
                f"distribution={self.distribution!r}: leave them None"
            )
        span = (self.dimension - 1) * self.delay + 1
        if self.distribution == "ordinal2d":
            if ndim != 3:
                raise ValueError(
                    "distribution='ordinal2d' reads spectrograms (n_samples, n_freqs, n_frames); "
                    f"got X of shape {shape}"
                )
            if self.dimension * self.time_dimension > ordinal.MAX_DIMENSION:
                raise ValueError(
                    f"dimension * time_dimension must be at most {ordinal.MAX_DIMENSION} (the "
                    f"patch holds that many values), got dimension={self.dimension}, "
                    f"time_dimension={self.time_dimension}"
                )
            width = (self.time_dimension - 1) * self.time_delay + 1
            if shape[1] < span or shape[2] < width:
                raise ValueError(
                    f"spectrograms of {shape[1]} bin(s) x {shape[2]} frame(s) are smaller than "
                    f"one patch: dimension={self.dimension}, delay={self.delay} span {span} "
                    f"bin(s), time_dimension={self.time_dimension}, "
                    f"time_delay={self.time_delay} span {width} frame(s)"
                )
            self._check_window(
                shape[2],
                width,
                "frames",
                "spectrogram",
                f"time_dimension={self.time_dimension}, "
                f"time_delay={self.time_delay}: a patch spans "
                f"(time_dimension - 1) * time_delay + 1 = {width} frames",
            )
            return
        length = shape[1]
        if ndim == 3:
            self._check_no_window(shape, "spectrograms", "give one feature vector per frame")
            what = f"spectrograms with {length} frequency bin(s)"
        else:
            self._check_window(
                length,
                span,
                "feature(s) (samples per signal)",
                "signal",
                f"dimension={self.dimension}, delay={self.delay}: an ordinal "
                f"pattern spans (dimension - 1) * delay + 1 = {span} samples",
            )
            what = f"signals with {length} feature(s) (samples per signal)"
        if length < span:
            raise ValueError(
                f"{what} are too short for dimension={self.dimension}, delay={self.delay}: an "
                f"ordinal pattern spans (dimension - 1) * delay + 1 = {span} samples"
            )

    def _check_no_window(self, shape, inputs, why):
        if self.window is not None or self.hop is not None:
            what = (
                "window and hop apply to signals (n_samples, n_times)"
                if self.distribution == "ordinal"
                else f"window and hop do not apply to distribution={self.distribution!r}"
            )
            raise ValueError(f"{what}; {inputs} (X of shape {shape}) {why}: leave them None")

    def _check_window(self, length, span, unit, what, patch):
        if self.hop is not None and self.window is None:
            raise ValueError(f"hop={self.hop} needs window: set window as well, or neither")
        if self.window is None:
            return
        if self.window > length:
            raise ValueError(
                f"window={self.window} exceeds the {what} length: X has {length} {unit}"
            )
        if self.window < span:
            raise ValueError(f"window={self.window} is too short for {patch}")

    def _validate_input(self, X, reset):
        X = validate_data(self, X, reset=reset, dtype=[np.float64, np.float32], allow_nd=True)
        if X.ndim not in (2, 3):
            raise ValueError(
                "X must be signals (n_samples, n_times) or spectrograms (n_samples, n_freqs, "
                f"n_frames); got an array of shape {X.shape}"
            )
        return X

    # ----------------------------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> ComplexityEntropyCurve:
        """Check the parameters against ``X``, record its shape and draw the jitter seed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_times) or (n_samples, n_freqs, n_frames)
            Signals (or spectra, for ``"spectral"``), or spectrograms.
        y : None
            Ignored.

        Returns
        -------
        self : ComplexityEntropyCurve
            This transformer.
        """
        self._check_integers()
        X = self._validate_input(X, reset=True)
        q, disequilibria = self._features()
        self._check_shape(X.shape)
        if self.distribution == "spectral":
            _check_non_negative(X)
        self.q_ = q
        self.disequilibria_ = disequilibria
        self.input_ndim_ = X.ndim
        self.band_starts_ = self._current_band_starts()
        self.seed_ = (
            _check_ties(self.ties, self.random_state)[1] if self.ties == "jitter" else None
        )
        return self

    def _output_ndim(self):
        if self.distribution == "spectral":
            return self.input_ndim_
        if self.distribution == "ordinal2d" or self.input_ndim_ == 2:
            return 2 if self.window is None else 3
        return 3

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Entropy and complexity features of each signal, window, frame or block.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_times) or (n_samples, n_freqs, n_frames)
            As in ``fit``: same number of samples (or frequency bins) per row.

        Returns
        -------
        features : ndarray
            ``(n_samples, n_features)`` for signals or spectra, ``(n_samples,
            n_windows, n_features)`` with ``window``, ``(n_samples, n_frames,
            n_features)`` for spectrograms (``(n_samples, n_features)`` or
            ``(n_samples, n_blocks, n_features)`` with ``"ordinal2d"``); float64.
        """
        check_is_fitted(self)
        self._validate_params()
        self._check_integers()
        q, disequilibria = self._features()
        # transformers fitted before disequilibrium existed had the Jensen-Shannon one
        fitted = getattr(self, "disequilibria_", ("jensen-shannon",))
        if not np.array_equal(q, self.q_) or disequilibria != fitted:
            raise ValueError(
                "measure, q or disequilibrium changed after fit, which changes the features "
                f"(fitted: q={self.q_.tolist()}, disequilibria={fitted}): call fit again"
            )
        bands = self._current_band_starts()
        fitted_bands = getattr(self, "band_starts_", None)
        if (bands is None) != (fitted_bands is None) or (
            bands is not None and not np.array_equal(bands, fitted_bands)
        ):
            raise ValueError(
                "band_width or band_hop changed after fit, which changes the features "
                f"(fitted band starts: {None if fitted_bands is None else fitted_bands.tolist()})"
                ": call fit again"
            )
        if self.ties == "jitter" and getattr(self, "seed_", None) is None:
            raise ValueError(
                "ties='jitter' was set after fit, which draws its seed: call fit again"
            )
        if (
            self._output_ndim() == 3
            and _get_output_config("transform", self)["dense"] != "default"
        ):
            raise ValueError(
                "ComplexityEntropyCurve returns a 3-D array here (one feature vector per "
                "frame, window or block), which cannot become a DataFrame; "
                "set_output(transform='pandas') or 'polars' needs 2-D output: signals "
                "without window, 2-D spectra with distribution='spectral', or "
                "distribution='ordinal2d' without window."
            )
        X = self._validate_input(X, reset=False)
        if X.ndim != self.input_ndim_:
            raise ValueError(
                f"X has {X.ndim} dimensions but this ComplexityEntropyCurve was fitted on "
                f"{self.input_ndim_}-D input (shape {X.shape})"
            )
        self._check_shape(X.shape)
        extra = disequilibria != ("jensen-shannon",)
        if self.distribution == "spectral":
            values = self._spectral(X, extra)
        elif self.distribution == "ordinal2d":
            values = self._ordinal2d(X, extra)
        else:
            values = self._ordinal(X, extra)
        if extra:
            values = values[..., [0] + [_C_COLUMNS[name] for name in disequilibria]]
        if self.distribution == "spectral" and self.band_width is not None:
            # (..., n_bands, n_pairs) -> (..., n_bands * n_pairs), band after band
            values = values.reshape(*values.shape[:-2], -1)
        return values

    def _band_starts(self, n_bins):
        hop = self.band_width if self.band_hop is None else self.band_hop
        return range(0, n_bins - self.band_width + 1, hop)

    def _current_band_starts(self):
        if self.distribution != "spectral" or self.band_width is None:
            return None
        return np.asarray(self._band_starts(self.n_features_in_))

    def _ties_seed(self):
        return _TIES[self.ties], (self.seed_ if self.ties == "jitter" else 0)

    def _measure(self):
        return _RENYI if self.measure == "renyi" else _TSALLIS

    def _ordinal(self, X, extra):
        tie_code, seed = self._ties_seed()
        plan = _plan(self.dimension, self._measure(), self.q_)
        args = (self.dimension, self.delay, tie_code, seed)
        if X.ndim == 3:
            series = X.transpose(0, 2, 1)  # frames along axis 1, frequency last
            return _signal_curves(series, *args, X.shape[1], 1, plan, self.n_jobs, extra)[:, :, 0]
        signals = X[:, None, :]
        if self.window is None:
            return _signal_curves(signals, *args, X.shape[1], 1, plan, self.n_jobs, extra)[:, 0, 0]
        hop = self.window if self.hop is None else self.hop
        return _signal_curves(signals, *args, self.window, hop, plan, self.n_jobs, extra)[:, 0]

    def _spectral(self, X, extra):
        _check_non_negative(X)
        totals = X.sum(axis=1, dtype=np.float64)
        if not (totals > 0).all():
            first = tuple(int(i) for i in np.argwhere(~(totals > 0))[0])
            where = f"sample {first[0]}, frame {first[1]}" if X.ndim == 3 else f"sample {first[0]}"
            raise ValueError(
                f"X has a spectrum of zero power ({where}): distribution='spectral' needs "
                "positive total power in every frame (digital silence has no spectral "
                "distribution; add a floor to the spectrogram or drop the frame)"
            )
        # frames along axis 1, frequency last: a view, copied block by block
        rows = X.transpose(0, 2, 1) if X.ndim == 3 else X
        if self.band_width is None:
            plan = _kernels.plan(X.shape[1], self._measure(), self.q_)
            return _distribution_curves(rows, plan, self.n_jobs, extra)
        starts = self._band_starts(X.shape[1])
        # (n, [frames,] n_bands, band_width): one distribution per band
        bands = np.stack([rows[..., lo : lo + self.band_width] for lo in starts], axis=-2)
        empty = ~(bands.sum(axis=-1, dtype=np.float64) > 0)
        if empty.any():
            first = tuple(int(i) for i in np.argwhere(empty)[0])
            lo = starts[first[-1]]
            where = f"sample {first[0]}, frame {first[1]}" if X.ndim == 3 else f"sample {first[0]}"
            raise ValueError(
                f"X has a band of zero power ({where}, bins {lo}:{lo + self.band_width}): "
                "distribution='spectral' needs positive power in every band of every frame "
                "(add a floor to the spectrogram, or choose wider bands)"
            )
        plan = _kernels.plan(self.band_width, self._measure(), self.q_)
        flat = bands.reshape(bands.shape[0], -1, self.band_width)
        values = _distribution_curves(flat, plan, self.n_jobs, extra)
        return values.reshape(*bands.shape[:-1], values.shape[-1])

    def _ordinal2d(self, X, extra):
        tie_code, seed = self._ties_seed()
        n_patterns = math.factorial(self.dimension * self.time_dimension)
        plan = _kernels.plan(n_patterns, self._measure(), self.q_)
        window = X.shape[2] if self.window is None else self.window
        hop = window if self.hop is None else self.hop
        values = _ordinal2d_curves(
            X,
            int(self.time_dimension),
            int(self.dimension),
            int(self.time_delay),
            int(self.delay),
            tie_code,
            seed,
            int(window),
            int(hop),
            plan,
            self.n_jobs,
            extra,
        )
        return values[:, 0] if self.window is None else values

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Get the names of the features: ``"H"``, ``"C"``, ``"C_euclidean"``, ``"H_q=..."`` ...

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            For signals, checked against the names seen in ``fit``; the output
            names do not depend on them. For spectrograms (3-D input), the
            names a previous step gives its cells (such as
            :meth:`Spectrogram.get_feature_names_out
            <whalefeat.Spectrogram.get_feature_names_out>`, one per bin and
            frame) are accepted as they are, so that a pipeline's
            ``get_feature_names_out`` works.

        Returns
        -------
        names : ndarray of str objects
            One name per feature, in the order of the last axis of ``transform``.
        """
        check_is_fitted(self)
        if self.input_ndim_ != 3:
            _check_feature_names_in(self, input_features)
        if self.q_.shape == (1,) and self.measure == "shannon":
            fitted = getattr(self, "disequilibria_", ("jensen-shannon",))
            names = ["H", *(_C_NAMES[name] for name in fitted)]
        else:
            labels = [f"{q:.6g}" for q in self.q_]
            if len(set(labels)) < len(labels):
                labels = [repr(float(q)) for q in self.q_]
            names = [f"{name}_q={label}" for label in labels for name in ("H", "C")]
        if self.distribution == "spectral" and self.band_width is not None:
            names = [
                f"{name}_bins={lo}:{lo + self.band_width}"
                for lo in self.band_starts_
                for name in names
            ]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        # spectra are powers: negative values are an error
        tags.input_tags.positive_only = self.distribution == "spectral"
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags
