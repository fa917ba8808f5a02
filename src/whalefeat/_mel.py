"""Mel scales and triangular mel filterbanks (private helpers of :mod:`whalefeat.spectrogram`).

Two mel scales are implemented, as in librosa and most speech toolkits:

- ``"htk"`` (O'Shaughnessy 1987, used by HTK): ``mel = 2595 log10(1 + f / 700)``;
- ``"slaney"`` (Slaney's Auditory Toolbox, librosa's default): linear below
  1000 Hz, ``mel = 3 f / 200``, and logarithmic above it,
  ``mel = 15 + 27 ln(f / 1000) / ln(6.4)``.

A filterbank of ``n_mels`` bands places ``n_mels + 2`` edges evenly on the mel
scale from ``fmin`` to ``fmax``; band ``m`` is the triangle that rises from 0
at edge ``m`` to 1 at edge ``m + 1`` and falls back to 0 at edge ``m + 2``,
evaluated at the frequencies of the FFT bins. With ``norm="slaney"`` each
triangle is divided by half its width in Hz, so that every band has unit area
over continuous frequency (constant energy per band for white noise).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["hz_to_mel", "mel_filterbank", "mel_frequencies", "mel_to_hz"]

MEL_SCALES = ("slaney", "htk")

# Slaney's scale: linear (200/3 Hz per mel) up to 1000 Hz = 15 mel, then logarithmic
# with 27 mel per factor 6.4 in frequency.
_SLANEY_HZ_PER_MEL = 200.0 / 3.0
_SLANEY_BREAK_HZ = 1000.0
_SLANEY_BREAK_MEL = _SLANEY_BREAK_HZ / _SLANEY_HZ_PER_MEL
_SLANEY_LOG_STEP = np.log(6.4) / 27.0


def hz_to_mel(frequencies: ArrayLike, scale: str = "slaney") -> np.ndarray:
    """Convert frequencies in Hz to mel.

    Parameters
    ----------
    frequencies : float or array-like of float
        Frequencies in Hz (non-negative).
    scale : {"slaney", "htk"}, default="slaney"
        The mel scale.

    Returns
    -------
    mels : ndarray of float64
        The same shape as ``frequencies``.

    Examples
    --------
    >>> hz_to_mel([0.0, 1000.0, 6400.0]).round(12).tolist()
    [0.0, 15.0, 42.0]
    >>> round(float(hz_to_mel(700.0, scale="htk")), 6)   # 2595 log10(2)
    781.172839
    """
    f = np.asarray(frequencies, dtype=np.float64)
    if scale == "htk":
        return 2595.0 * np.log10(1.0 + f / 700.0)
    _check_scale(scale)
    linear = f / _SLANEY_HZ_PER_MEL
    with np.errstate(divide="ignore"):
        logarithmic = _SLANEY_BREAK_MEL + np.log(f / _SLANEY_BREAK_HZ) / _SLANEY_LOG_STEP
    return np.where(f >= _SLANEY_BREAK_HZ, logarithmic, linear)


def mel_to_hz(mels: ArrayLike, scale: str = "slaney") -> np.ndarray:
    """Convert mel to frequencies in Hz (the inverse of :func:`hz_to_mel`).

    Parameters
    ----------
    mels : float or array-like of float
        Values on the mel scale.
    scale : {"slaney", "htk"}, default="slaney"
        The mel scale.

    Returns
    -------
    frequencies : ndarray of float64
        The same shape as ``mels``, in Hz.

    Examples
    --------
    >>> mel_to_hz([0.0, 15.0, 42.0]).round(9).tolist()
    [0.0, 1000.0, 6400.0]
    >>> float(mel_to_hz(hz_to_mel(440.0, "htk"), "htk"))
    440.0
    """
    m = np.asarray(mels, dtype=np.float64)
    if scale == "htk":
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    _check_scale(scale)
    linear = m * _SLANEY_HZ_PER_MEL
    logarithmic = _SLANEY_BREAK_HZ * np.exp(_SLANEY_LOG_STEP * (m - _SLANEY_BREAK_MEL))
    return np.where(m >= _SLANEY_BREAK_MEL, logarithmic, linear)


def mel_frequencies(n: int, fmin: float, fmax: float, scale: str = "slaney") -> np.ndarray:
    """Return ``n`` frequencies in Hz, evenly spaced on the mel scale from ``fmin`` to ``fmax``.

    Parameters
    ----------
    n : int
        Number of frequencies.
    fmin, fmax : float
        First and last frequency in Hz.
    scale : {"slaney", "htk"}, default="slaney"
        The mel scale.

    Returns
    -------
    frequencies : ndarray of shape (n,), float64

    Examples
    --------
    >>> mel_frequencies(4, 0.0, 900.0).round(9).tolist()    # linear below 1 kHz
    [0.0, 300.0, 600.0, 900.0]
    """
    mels = np.linspace(hz_to_mel(fmin, scale), hz_to_mel(fmax, scale), n)
    return mel_to_hz(mels, scale)


def mel_filterbank(
    sample_rate: float,
    n_fft: int,
    n_mels: int,
    fmin: float,
    fmax: float,
    scale: str = "slaney",
    norm: str | None = "slaney",
) -> tuple[np.ndarray, np.ndarray]:
    """Triangular mel filters over the bins of a real FFT.

    Parameters
    ----------
    sample_rate : float
        Sampling rate in Hz.
    n_fft : int
        FFT length: the filters have ``n_fft // 2 + 1`` columns, one per bin of
        ``numpy.fft.rfftfreq(n_fft, 1 / sample_rate)``.
    n_mels : int
        Number of bands.
    fmin, fmax : float
        Lower edge of the first band and upper edge of the last, in Hz
        (``fmin < fmax``; bands above the Nyquist frequency are all zero).
    scale : {"slaney", "htk"}, default="slaney"
        The mel scale.
    norm : {"slaney", None}, default="slaney"
        ``"slaney"`` divides each triangle by half its width in Hz (unit area);
        ``None`` leaves peaks of height 1.

    Returns
    -------
    filters : ndarray of shape (n_mels, n_fft // 2 + 1), float64
        Weight of each bin in each band. A band narrower than the bin spacing
        may hold no bin: its row is all zeros.
    centres : ndarray of shape (n_mels,), float64
        Centre (peak) frequency of each band in Hz.

    Examples
    --------
    >>> filters, centres = mel_filterbank(2000, 8, 2, 0.0, 1000.0, norm=None)
    >>> filters.round(3).tolist()                 # bins at 0, 250, ..., 1000 Hz
    [[0.0, 0.75, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.75, 0.0]]
    >>> centres.round(6).tolist()
    [333.333333, 666.666667]
    """
    _check_scale(scale)
    if norm not in ("slaney", None):
        raise ValueError(f"norm must be 'slaney' or None, got {norm!r}")
    if not fmin < fmax:
        raise ValueError(f"fmin={fmin} must be below fmax={fmax} for a mel filterbank.")
    edges = mel_frequencies(n_mels + 2, fmin, fmax, scale)
    widths = np.diff(edges)
    if not np.all(widths > 0):
        raise ValueError(
            f"n_mels={n_mels} bands do not fit between fmin={fmin} and fmax={fmax} Hz: "
            "consecutive band edges coincide in floating point."
        )
    bins = np.fft.rfftfreq(n_fft, d=1.0 / sample_rate)
    rising = (bins - edges[:-2, np.newaxis]) / widths[:-1, np.newaxis]
    falling = (edges[2:, np.newaxis] - bins) / widths[1:, np.newaxis]
    filters = np.maximum(0.0, np.minimum(rising, falling))
    if norm == "slaney":
        filters *= (2.0 / (edges[2:] - edges[:-2]))[:, np.newaxis]
    return filters, edges[1:-1]


def _check_scale(scale: str) -> None:
    if scale not in MEL_SCALES:
        raise ValueError(f"mel scale must be one of {MEL_SCALES}, got {scale!r}")
