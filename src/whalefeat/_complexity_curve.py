"""The scikit-learn transformer of the complexity-entropy features (private module).

:class:`ComplexityEntropyCurve` is public as :class:`whalefeat.ComplexityEntropyCurve`
and :class:`whalefeat.complexity.ComplexityEntropyCurve`; the maths is in
:mod:`whalefeat.complexity` and its kernels in :mod:`whalefeat._entropy_kernels`.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from . import ordinal
from .complexity import (
    _RENYI,
    _TSALLIS,
    _check_q,
    _check_ties,
    _plan,
    _signal_curves,
    default_q_grid,
)

__all__ = ["ComplexityEntropyCurve"]


class ComplexityEntropyCurve(TransformerMixin, BaseEstimator):
    """Ordinal-pattern entropy and complexity features of signals or spectrograms.

    Each series is symbolised into Bandt-Pompe ordinal patterns of
    ``dimension`` samples, ``delay`` apart, and the pattern distribution gives
    the entropy ``H`` and statistical complexity ``C``: Shannon's pair, or the
    Tsallis or Renyi complexity-entropy curve over a grid of ``q`` (see
    :func:`complexity_entropy`, :func:`tsallis_complexity_entropy` and
    :func:`renyi_complexity_entropy`, whose values it returns). Three kinds of
    input:

    - signals ``(n_samples, n_times)``: one feature vector per signal,
      ``(n_samples, n_features)``;
    - signals with ``window`` (and ``hop``): one vector per window of
      ``window`` samples, ``hop`` apart, ``(n_samples, n_windows, n_features)``,
      a series for sequence models;
    - spectrograms ``(n_samples, n_freqs, n_frames)`` (as from
      :class:`~whalefeat.spectrogram.Spectrogram`): one vector per frame,
      computed along frequency, ``(n_samples, n_frames, n_features)``.

    The transformer is stateless: ``fit`` checks the parameters and records the
    input shape. All series are processed by compiled kernels, with no Python
    loop over series.

    Parameters
    ----------
    dimension : int, default=4
        Embedding dimension ``d``, from 2 to 8; there are ``d!`` patterns. The
        default is the study's: 24 patterns are estimated well from the 253
        patterns of a 256-sample window, and from the 43 of a 46-bin
        spectrogram frame (the rule of thumb asks several windows per pattern,
        which ``d = 5`` or more would break in both).
    delay : int, default=1
        Embedding delay ``tau`` in samples (or frequency bins).
    measure : {"tsallis", "shannon", "renyi"}, default="tsallis"
        ``"shannon"``: the pair ``(H, C)`` (Jensen-Shannon complexity).
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
        (seeded by ``random_state``; the order of distinct values never
        changes). The difference matters for quantised, quiet signals: rounded
        white noise of standard deviation 2 (int16 units) has a tie in 81 % of
        its ``d = 5`` windows, and ``H`` is 0.973 with ``"stable"`` against
        0.997 with ``"jitter"`` (at 1 unit: 0.908 against 0.997). On the 3,000 real
        2-s training clips (median standard deviation 380 units) only 3 % of
        ``d = 5`` windows hold a tie: the mean ``H`` is 0.9497 either way, and
        the largest change on one clip is 0.036 (a clip where 17 % of
        consecutive samples repeat).
    window : int or None, default=None
        For signals only: samples per window, each giving one feature vector;
        ``None`` takes the whole signal. The study used 256 (128 ms at 2 kHz).
    hop : int or None, default=None
        Samples between the starts of consecutive windows (with ``window``
        only); ``None`` means ``window`` (windows side by side). The study used
        32. Trailing samples that do not fill a window are not used.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie-breaking of ``ties="jitter"``; unused with ``"stable"``.
        A given seed breaks the ties of a sample the same way whatever batch it
        comes in.
    n_jobs : int or None, default=None
        Number of joblib threads, each running the compiled kernel (which
        releases the GIL) on blocks of series. ``None`` means 1 unless in a
        :func:`joblib.parallel_backend` context; -1 means all processors.

    Attributes
    ----------
    n_features_in_ : int
        Samples per signal, or frequency bins per spectrogram, seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it was a DataFrame with string column names.
    q_ : ndarray of shape (n_q,)
        The ``q`` values of the features (``[1.0]`` for Shannon).
    input_ndim_ : int
        2 for signals, 3 for spectrograms.

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
    that would not tell two values apart).

    References
    ----------
    C. Bandt and B. Pompe, Phys. Rev. Lett. 88, 174102 (2002).
    O. A. Rosso et al., Phys. Rev. Lett. 99, 154102 (2007).
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
        "n_jobs": [None, Integral],
    }

    def __init__(self, dimension=4, delay=1, measure="tsallis", q=None, ties="stable",
                 window=None, hop=None, random_state=None, n_jobs=None):
        self.dimension = dimension
        self.delay = delay
        self.measure = measure
        self.q = q
        self.ties = ties
        self.window = window
        self.hop = hop
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _validate_input(self, X, reset):
        X = validate_data(self, X, reset=reset, dtype=[np.float64, np.float32], allow_nd=True)
        if X.ndim not in (2, 3):
            raise ValueError(
                "X must be signals (n_samples, n_times) or spectrograms (n_samples, n_freqs, "
                f"n_frames); got an array of shape {X.shape}"
            )
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters against ``X`` and record its shape.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_times) or (n_samples, n_freqs, n_frames)
            Signals, or spectrograms whose frames are read along frequency.
        y : None
            Ignored.

        Returns
        -------
        self : ComplexityEntropyCurve
            This transformer.
        """
        X = self._validate_input(X, reset=True)
        if self.measure == "shannon":
            if self.q is not None:
                raise ValueError(
                    f"q applies to measure='tsallis' or 'renyi'; measure='shannon' takes no q, "
                    f"got q={self.q!r}"
                )
            q = np.ones(1)
        elif self.q is None:
            q = default_q_grid()
        else:
            q = np.atleast_1d(_check_q(self.q, "q"))
        length = X.shape[1]
        span = (self.dimension - 1) * self.delay + 1
        if X.ndim == 3:
            if self.window is not None or self.hop is not None:
                raise ValueError(
                    "window and hop apply to signals (n_samples, n_times); spectrograms "
                    f"(X of shape {X.shape}) give one feature vector per frame: leave them None"
                )
            what = f"spectrograms with {length} frequency bin(s)"
        else:
            if self.hop is not None and self.window is None:
                raise ValueError(f"hop={self.hop} needs window: set window as well, or neither")
            if self.window is not None and self.window > length:
                raise ValueError(
                    f"window={self.window} exceeds the signal length: X has {length} "
                    "feature(s) (samples per signal)"
                )
            what = f"signals with {length} feature(s) (samples per signal)"
        if length < span:
            raise ValueError(
                f"{what} are too short for dimension={self.dimension}, delay={self.delay}: an "
                f"ordinal pattern spans (dimension - 1) * delay + 1 = {span} samples"
            )
        if self.window is not None and self.window < span:
            raise ValueError(
                f"window={self.window} is too short for dimension={self.dimension}, "
                f"delay={self.delay}: an ordinal pattern spans (dimension - 1) * delay + 1 = "
                f"{span} samples"
            )
        self.q_ = q
        self.input_ndim_ = X.ndim
        return self

    def transform(self, X):
        """Entropy and complexity features of each signal, window or frame.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_times) or (n_samples, n_freqs, n_frames)
            As in ``fit``: same number of samples (or frequency bins) per row.

        Returns
        -------
        features : ndarray
            ``(n_samples, n_features)`` for signals, ``(n_samples, n_windows,
            n_features)`` with ``window``, ``(n_samples, n_frames, n_features)``
            for spectrograms; float64, ``n_features = 2 len(q_)``.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        if X.ndim != self.input_ndim_:
            raise ValueError(
                f"X has {X.ndim} dimensions but this ComplexityEntropyCurve was fitted on "
                f"{self.input_ndim_}-D input (shape {X.shape})"
            )
        tie_code, seed = _check_ties(self.ties, self.random_state)
        measure = _RENYI if self.measure == "renyi" else _TSALLIS
        plan = _plan(self.dimension, measure, self.q_)
        args = (self.dimension, self.delay, tie_code, seed)
        if X.ndim == 3:
            series = X.transpose(0, 2, 1)  # frames along axis 1, frequency last
            return _signal_curves(series, *args, X.shape[1], 1, plan, self.n_jobs)[:, :, 0]
        signals = X[:, None, :]
        if self.window is None:
            return _signal_curves(signals, *args, X.shape[1], 1, plan, self.n_jobs)[:, 0, 0]
        hop = self.window if self.hop is None else self.hop
        return _signal_curves(signals, *args, self.window, hop, plan, self.n_jobs)[:, 0]

    def get_feature_names_out(self, input_features=None):
        """Get the names of the features: ``"H"``, ``"C"`` or ``"H_q=..."``, ``"C_q=..."``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the names seen in ``fit``; the output names do
            not depend on them.

        Returns
        -------
        names : ndarray of str objects
            One name per feature, in the order of the last axis of ``transform``.
        """
        check_is_fitted(self)
        _check_feature_names_in(self, input_features)
        if self.measure == "shannon":
            return np.asarray(["H", "C"], dtype=object)
        labels = [f"{q:.6g}" for q in self.q_]
        if len(set(labels)) < len(labels):
            labels = [repr(float(q)) for q in self.q_]
        return np.asarray([f"{name}_q={label}" for label in labels for name in ("H", "C")],
                          dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags
