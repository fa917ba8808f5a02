"""Additive Gaussian noise at a set signal-to-noise ratio (SNR).

Used to corrupt clips for robustness checks: a detector trained on the clips as
recorded is evaluated on test clips with noise added at a stated SNR.
"""

from __future__ import annotations

import warnings
from numbers import Real

import numpy as np
import scipy.fft
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, validate_data

from ._compat import Interval, StrOptions, _fit_context

__all__ = ["add_noise", "NoiseInjector"]

# Exponent alpha of the noise power spectrum 1 / f**alpha.
_SPECTRAL_EXPONENT = {"white": 0.0, "pink": 1.0, "brown": 2.0}


def add_noise(
    X: ArrayLike,
    snr_db: float | ArrayLike,
    *,
    kind: str = "white",
    random_state: int | np.random.RandomState | None = None,
) -> np.ndarray:
    """Add Gaussian noise to each clip at an exact signal-to-noise ratio.

    The SNR of a clip ``x`` of ``T`` samples is defined from mean powers (mean
    squares, DC included) as ``10 * log10(P_signal / P_noise)`` with
    ``P_signal = mean(x**2)``. For each clip a noise realisation is drawn and
    then rescaled so that its mean square is exactly
    ``P_noise = P_signal / 10**(snr_db / 10)``: the SNR holds exactly for every
    clip, not only in expectation. (A Gaussian vector rescaled to a fixed norm
    is uniformly distributed on the sphere of that norm; for clips of thousands
    of samples its values are Gaussian to every practical purpose.)

    Parameters
    ----------
    X : array-like of shape (n_clips, n_samples) or (n_samples,)
        Clips, one per row (a 1-D array is one clip). Must be finite.
    snr_db : float or array-like of shape (n_clips,)
        Signal-to-noise ratio in dB, one for all clips or one per clip. Must be
        finite; lower means noisier (0 dB: noise as strong as the clip).
    kind : {"white", "pink", "brown"}, default="white"
        Noise colour: power spectrum flat (white), falling as ``1/f`` (pink) or
        as ``1/f**2`` (brown, i.e. red). Coloured noise is white Gaussian noise
        shaped in the frequency domain, with the gain of the lowest non-zero
        frequency also used at 0 Hz; it is Gaussian too.
    random_state : int, RandomState instance or None, default=None
        Seed of the noise. An int gives the same noise on every call; every
        clip gets its own noise (drawn in one block of shape ``X.shape``, so a
        clip's noise depends on its row).

    Returns
    -------
    X_noisy : ndarray of the shape of ``X``
        ``X`` plus noise, float32 if ``X`` is float32 and float64 otherwise.

    Raises
    ------
    ValueError
        If ``X`` is not finite, ``snr_db`` is not finite or has the wrong shape,
        or ``kind`` is unknown.

    Warns
    -----
    UserWarning
        If a clip is all zeros. By the definition above its noise power is 0
        too, so it is returned unchanged (its SNR, 0/0, is undefined); the
        warning lists those rows.

    See Also
    --------
    NoiseInjector : The same as a scikit-learn transformer.

    Examples
    --------
    Corrupt only the test clips of a split, at 5 dB:

    >>> import numpy as np
    >>> from whalefeat.noise import add_noise
    >>> rng = np.random.default_rng(0)
    >>> X_test = rng.normal(size=(3, 4000))
    >>> X_noisy = add_noise(X_test, 5.0, random_state=0)
    >>> X_noisy.shape, X_noisy.dtype
    ((3, 4000), dtype('float64'))
    >>> snr = 10 * np.log10((X_test**2).mean(1) / ((X_noisy - X_test) ** 2).mean(1))
    >>> np.round(snr, 10)
    array([5., 5., 5.])
    >>> np.array_equal(X_noisy, add_noise(X_test, 5.0, random_state=0))
    True
    """
    if kind not in _SPECTRAL_EXPONENT:
        raise ValueError(f"kind must be one of {sorted(_SPECTRAL_EXPONENT)}, got {kind!r}.")
    one_clip = np.ndim(X) == 1
    X = check_array(
        np.atleast_2d(X) if one_clip else X,
        dtype=[np.float64, np.float32],
        input_name="X",
    )
    n_clips, n_samples = X.shape
    snr = np.asarray(snr_db, dtype=np.float64)
    if snr.ndim > 1 or (snr.ndim == 1 and snr.shape[0] != n_clips):
        raise ValueError(
            f"snr_db must be a number or hold one value per clip ({n_clips}), "
            f"got shape {snr.shape}."
        )
    if not np.all(np.isfinite(snr)):
        raise ValueError(f"snr_db must be finite, got {snr_db!r}.")

    # Powers are computed on each clip divided by its largest magnitude, so that
    # neither squares of tiny clips underflow nor those of huge clips overflow:
    # the noise is then exact at any finite scale.
    scale = np.max(np.abs(X), axis=1).astype(np.float64)
    silent = np.flatnonzero(scale == 0)
    if silent.size:
        warnings.warn(
            f"{silent.size} clip(s) are all zeros (rows {silent[:10].tolist()}"
            f"{', ...' if silent.size > 10 else ''}); noise relative to a power of 0 is "
            f"0, so they are returned unchanged.",
            UserWarning,
            stacklevel=2,
        )
    safe_scale = np.where(scale == 0, 1.0, scale)[:, np.newaxis]
    signal_power = np.mean(np.square(X / safe_scale, dtype=np.float64), axis=1)

    rng = check_random_state(random_state)
    noise = rng.standard_normal((n_clips, n_samples))
    alpha = _SPECTRAL_EXPONENT[kind]
    if alpha:
        frequency_index = np.maximum(np.arange(n_samples // 2 + 1), 1)
        spectrum = scipy.fft.rfft(noise, axis=1) * frequency_index ** (-alpha / 2)
        noise = scipy.fft.irfft(spectrum, n=n_samples, axis=1)
    # relative noise power; 10**(-snr/10) itself may overflow for a very low SNR
    gain = np.sqrt(signal_power / np.mean(np.square(noise), axis=1)) * 10.0 ** (-snr / 20.0)
    noise *= gain[:, np.newaxis]
    with np.errstate(over="ignore"):
        noise *= safe_scale
        noisy = (X + noise).astype(X.dtype, copy=False)
    if not np.all(np.isfinite(noisy)):
        rows = np.flatnonzero(~np.isfinite(noisy).all(axis=1))
        raise ValueError(
            f"the noisy clips overflow {X.dtype} (rows {rows[:10].tolist()}): the clips "
            f"are too large for noise at {snr_db!r} dB in that dtype"
        )
    return noisy[0] if one_clip else noisy


class NoiseInjector(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Add seeded Gaussian noise at a set per-clip SNR, as a transformer.

    A stateless transformer around :func:`add_noise` (see there for the exact
    definition of the SNR): ``fit`` only checks the input and learns nothing,
    and ``transform`` adds fresh noise to every clip.

    In a :class:`~sklearn.pipeline.Pipeline` the transformer acts at both fit
    and predict time, so it corrupts the training clips as well as the test
    clips. To train on clips as recorded and test on corrupted ones (a
    robustness check), apply it, or :func:`add_noise`, to the test set only.

    Parameters
    ----------
    snr_db : float, default=10.0
        Signal-to-noise ratio in dB of every clip after the noise is added.
    kind : {"white", "pink", "brown"}, default="white"
        Noise colour (see :func:`add_noise`).
    random_state : int, RandomState instance or None, default=None
        Seed of the noise. With an int, each call of ``transform`` on the same
        clips adds the same noise; with a RandomState instance successive calls
        differ.

    Attributes
    ----------
    n_features_in_ : int
        Number of samples per clip seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it was a DataFrame with string column names.

    See Also
    --------
    add_noise : The function it applies.

    Examples
    --------
    Corrupt the test clips only: fit the detector on the clean training split,
    then evaluate it on the test split with noise at 0 dB.

    >>> import numpy as np
    >>> from whalefeat.noise import NoiseInjector
    >>> rng = np.random.default_rng(0)
    >>> X_train, X_test = rng.normal(size=(2, 4, 4000))
    >>> X_test_noisy = NoiseInjector(snr_db=0.0, random_state=0).fit_transform(X_test)
    >>> noise = X_test_noisy - X_test
    >>> np.round(10 * np.log10((X_test**2).sum(1) / (noise**2).sum(1)), 10)
    array([0., 0., 0., 0.])
    >>> # detector.fit(X_train, y_train); detector.score(X_test_noisy, y_test)
    """

    _parameter_constraints: dict = {
        "snr_db": [Interval(Real, None, None, closed="neither")],
        "kind": [StrOptions(set(_SPECTRAL_EXPONENT))],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        snr_db: float = 10.0,
        kind: str = "white",
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.snr_db = snr_db
        self.kind = kind
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> NoiseInjector:
        """Check the clips and record their number of samples.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Clips, one per row.
        y : None
            Ignored.

        Returns
        -------
        self : NoiseInjector
            The transformer.
        """
        validate_data(self, X, dtype=[np.float64, np.float32])
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Add noise at ``snr_db`` to every clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Finite clips, none of them all zeros.

        Returns
        -------
        X_noisy : ndarray of shape (n_clips, n_samples)
            The noisy clips, float32 if ``X`` is float32 and float64 otherwise.
        """
        self._validate_params()
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return add_noise(X, self.snr_db, kind=self.kind, random_state=self.random_state)
