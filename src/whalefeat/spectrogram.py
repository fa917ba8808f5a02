"""Batched short-time Fourier transform of audio clips: :class:`Spectrogram`."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.fft
import scipy.signal
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

__all__ = ["Spectrogram"]

# Number of float32 frame samples transformed at once: a few MB, so the windowed frames and
# their spectra stay in cache-friendly blocks however many clips come in.
_BLOCK_VALUES = 1 << 19


class Spectrogram(TransformerMixin, BaseEstimator):
    """Band-limited, optionally contrast-normalised spectrograms of a batch of clips.

    Each clip (a row of ``X``) is cut into frames of ``window_length`` samples,
    ``hop_length`` apart, each frame multiplied by the window and Fourier
    transformed with :func:`scipy.fft.rfft` in float32. All clips are
    transformed together through a strided view of the frames (no Python loop
    over clips). The first frame starts at sample 0 and the last is the last
    one that lies fully inside the clip: the signal is **not padded** at either
    end, so a clip of ``n_samples`` samples gives
    ``n_frames = 1 + (n_samples - window_length) // hop_length`` frames, and the
    trailing ``(n_samples - window_length) % hop_length`` samples that do not
    fill a further frame are not used.

    With ``scaling="power"`` the result equals
    ``scipy.signal.spectrogram(x, fs=sample_rate, window=window,
    nperseg=window_length, noverlap=window_length - hop_length, nfft=n_fft,
    detrend=False, scaling="density")[2]`` (restricted to the band) to float32
    precision, and equally :class:`scipy.signal.ShortTimeFFT` with
    ``fft_mode="onesided2X", mfft=n_fft, scale_to="psd"`` on the slices of it that
    lie fully inside the signal, i.e. ``.spectrogram(x, p0=0, p1=n_frames,
    k_offset=window_length // 2)``, which starts slice ``p`` at sample
    ``p * hop_length`` like frame ``p`` here.

    Parameters
    ----------
    sample_rate : float, default=2000
        Sampling rate of the clips in Hz; sets the frequency and time axes and the
        density normalisation.
    window_length : int, default=256
        Samples per frame (``nperseg`` in :func:`scipy.signal.spectrogram`). The
        default, 128 ms at 2 kHz, resolves 7.8 Hz: a right whale up-call sweeps
        roughly 100 Hz in 1 s, so it moves about 13 Hz (under two bins) within
        one frame, while tonal lines a few bins apart stay separate.
    hop_length : int, default=32
        Samples between the starts of consecutive frames. The default (16 ms at
        2 kHz, 87.5 % overlap) gives 118 frames for a 2-s clip, enough to follow
        the sweep smoothly; it is the framing (256 samples, hop 32) of the study
        that whalefeat reproduces. A hop longer than ``window_length`` skips the
        samples between frames.
    n_fft : int or None, default=None
        FFT length. ``None`` means ``window_length``; a larger value zero-pads
        each windowed frame at its end (finer bin spacing, no extra resolution).
    window : str, tuple or array-like of shape (window_length,), default="hann"
        Window applied to each frame: anything :func:`scipy.signal.get_window`
        accepts (taken periodic, ``fftbins=True``, as
        :func:`scipy.signal.spectrogram` does), or the window values themselves.
    fmin : float or None, default=40.0
        Lowest frequency kept, in Hz (bins with ``frequency >= fmin``). ``None``
        keeps from 0 Hz.
    fmax : float or None, default=400.0
        Highest frequency kept, in Hz (bins with ``frequency <= fmax``). ``None``
        keeps up to the Nyquist frequency. The default band, 40-400 Hz (46 bins
        with the default window), holds the 50-250 Hz up-call band with a
        margin for the main lobe of the window and the lower part of the call's
        first harmonic, and leaves out the low-frequency flow and ship noise and
        the empty upper half of the spectrum.
    scaling : {"db", "power", "magnitude", "log"}, default="db"
        Values returned for each bin:

        - ``"power"``: the one-sided power spectral density
          ``c_k |X_k|^2 / (sample_rate * sum(window**2))``, with ``c_k = 2``
          except at 0 Hz and (even ``n_fft``) at the Nyquist frequency, where
          ``c_k = 1``; this is ``scaling="density"`` of
          :func:`scipy.signal.spectrogram`, in (signal unit)^2 / Hz.
        - ``"magnitude"``: the square root of ``"power"``. (It differs from
          ``scipy.signal.spectrogram(..., mode="magnitude")``, which leaves out
          the factor ``sqrt(c_k)``.)
        - ``"db"``: ``10 * log10(max(power, floor))``.
        - ``"log"``: ``ln(power + floor)``, the natural logarithm with the floor
          added (smooth, where ``"db"`` clips).
    floor : float, default=1e-20
        Power floor (in the units of ``"power"``) for ``"db"`` and ``"log"``, so
        that a bin of exactly zero power (digital silence) gives a finite value:
        -200 dB by default. That is below the quietest in-band bins of real
        16-bit challenge clips scaled to [-1, 1] (about -147 dB) and above the
        float32 rounding noise of the transform.
    contrast : {None, "row", "frame", "both"}, default=None
        Contrast normalisation applied per clip after ``scaling``, over the kept
        band (the statistics are those of the rows and frames returned), which whitens
        the background noise as top entries of the right whale detection
        challenge did:

        - ``"row"``: each frequency row has its median over time subtracted and
          is divided by its standard deviation over time, so every row has
          median 0 and standard deviation 1 (a stationary tonal line or a
          coloured noise floor is flattened; a transient call stands out).
        - ``"frame"``: the same along frequency within each frame, so every
          frame has median 0 and standard deviation 1 (broadband clicks are
          flattened).
        - ``"both"``: ``"row"`` then ``"frame"``.

        A row or frame whose values are all equal has standard deviation 0; it
        becomes all zeros.
    flatten : bool, default=False
        If True, return each clip's grid flattened to one row of
        ``n_freqs * n_frames`` features (C order: frequency-major, frames varying
        fastest), the layout for estimators that take 2-D input.
    n_jobs : int or None, default=None
        Threads for the FFT (``workers`` of :func:`scipy.fft.rfft`); ``None``
        means 1, -1 all processors.

    Attributes
    ----------
    frequencies_ : ndarray of shape (n_freqs,)
        Frequencies in Hz of the bins kept, i.e. of the rows of each spectrogram.
    times_ : ndarray of shape (n_frames,)
        Centres of the frames in seconds, ``(window_length / 2 + i * hop_length)
        / sample_rate``: the columns of each spectrogram.
    n_features_in_ : int
        Number of samples per clip seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it was a DataFrame with string column names.

    See Also
    --------
    scipy.signal.ShortTimeFFT : General STFT (pads both ends, computes in float64).
    whalefeat.ComplexityEntropyCurve : Takes these spectrograms to one feature vector per frame.

    Examples
    --------
    >>> import numpy as np
    >>> from whalefeat import Spectrogram
    >>> t = np.arange(4000) / 2000                     # one 2-s clip at 2 kHz
    >>> X = np.sin(2 * np.pi * 125.0 * t)[np.newaxis]  # a 125 Hz tone
    >>> spectrogram = Spectrogram().fit(X)
    >>> S = spectrogram.transform(X)
    >>> S.shape, S.dtype
    ((1, 46, 118), dtype('float32'))
    >>> float(spectrogram.frequencies_[S[0].mean(axis=1).argmax()])
    125.0
    >>> spectrogram.frequencies_[[0, -1]], spectrogram.times_[[0, -1]]
    (array([ 46.875 , 398.4375]), array([0.064, 1.936]))
    >>> spectrogram.get_feature_names_out()[:2]
    array(['f=46.875Hz,t=0.064s', 'f=46.875Hz,t=0.08s'], dtype=object)
    """

    _parameter_constraints: dict = {
        "sample_rate": [Interval(Real, 0, None, closed="neither")],
        "window_length": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
        "n_fft": [Interval(Integral, 1, None, closed="left"), None],
        "window": [str, tuple, "array-like"],
        "fmin": [Interval(Real, 0, None, closed="left"), None],
        "fmax": [Interval(Real, 0, None, closed="left"), None],
        "scaling": [StrOptions({"db", "power", "magnitude", "log"})],
        "floor": [Interval(Real, 0, None, closed="neither")],
        "contrast": [StrOptions({"row", "frame", "both"}), None],
        "flatten": ["boolean"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        sample_rate=2000,
        window_length=256,
        hop_length=32,
        n_fft=None,
        window="hann",
        fmin=40.0,
        fmax=400.0,
        scaling="db",
        floor=1e-20,
        contrast=None,
        flatten=False,
        n_jobs=None,
    ):
        self.sample_rate = sample_rate
        self.window_length = window_length
        self.hop_length = hop_length
        self.n_fft = n_fft
        self.window = window
        self.fmin = fmin
        self.fmax = fmax
        self.scaling = scaling
        self.floor = floor
        self.contrast = contrast
        self.flatten = flatten
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters against the clips and set the frequency and time axes.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Audio clips, one per row, all sampled at ``sample_rate``.
        y : None
            Ignored.

        Returns
        -------
        self : Spectrogram
            The fitted transformer.
        """
        X = validate_data(self, X, dtype=[np.float32, np.float64])
        n_samples = X.shape[1]
        if n_samples < self.window_length:
            raise ValueError(
                f"Spectrogram needs clips of at least window_length={self.window_length} "
                f"samples to form one frame, but X has {n_samples} feature(s) (samples per "
                f"clip). Use longer clips or a smaller window_length."
            )
        n_fft = self._n_fft()
        if n_fft < self.window_length:
            raise ValueError(f"n_fft={n_fft} must be at least window_length={self.window_length}.")
        self._window_values()  # fail on a bad window here, not in transform
        all_frequencies = scipy.fft.rfftfreq(n_fft, d=1.0 / self.sample_rate)
        keep = self._band(all_frequencies)
        if not keep.any():
            raise ValueError(
                f"The band fmin={self.fmin}, fmax={self.fmax} Hz holds no frequency bin: "
                f"the bins lie {all_frequencies[1]:g} Hz apart from 0 to "
                f"{all_frequencies[-1]:g} Hz (sample_rate={self.sample_rate}, n_fft={n_fft})."
            )
        self.frequencies_ = all_frequencies[keep]
        n_frames = 1 + (n_samples - self.window_length) // self.hop_length
        self.times_ = (
            self.window_length / 2 + self.hop_length * np.arange(n_frames)
        ) / self.sample_rate
        return self

    def transform(self, X):
        """Compute the spectrogram of every clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Audio clips with as many samples as those seen in :meth:`fit`.

        Returns
        -------
        S : ndarray of shape (n_clips, n_freqs, n_frames) or (n_clips, n_freqs * n_frames)
            Spectrograms in float32, frequency along axis 1 (``frequencies_``) and
            time along axis 2 (``times_``); flattened in C order if ``flatten``.
        """
        check_is_fitted(self)
        if not self.flatten and _get_output_config("transform", self)["dense"] != "default":
            raise ValueError(
                "Spectrogram returns a 3-D array, which cannot become a DataFrame; set "
                "flatten=True to use set_output(transform='pandas') or 'polars'."
            )
        X = validate_data(self, X, dtype=[np.float32, np.float64], reset=False)
        n_fft = self._n_fft()
        window64 = self._window_values()
        window = window64.astype(np.float32)[:, np.newaxis]
        all_frequencies = scipy.fft.rfftfreq(n_fft, d=1.0 / self.sample_rate)
        bins = np.flatnonzero(self._band(all_frequencies))
        first, stop = bins[0], bins[-1] + 1

        # One-sided density normalisation (scipy.signal.spectrogram, scaling="density").
        scale = np.full(len(all_frequencies), 2.0 / (self.sample_rate * np.sum(window64**2)))
        scale[0] /= 2
        if n_fft % 2 == 0:
            scale[-1] /= 2
        scale = scale[first:stop, np.newaxis].astype(np.float32)

        n_clips = X.shape[0]
        n_frames = len(self.times_)
        out = np.empty((n_clips, stop - first, n_frames), dtype=np.float32)
        block = max(1, _BLOCK_VALUES // (n_frames * n_fft))
        for start in range(0, n_clips, block):
            chunk = np.asarray(X[start : start + block], dtype=np.float32)
            # (clips, window_length, frames) view: the FFT along axis 1 then yields the
            # (clips, freqs, frames) layout directly, with no transposing copy.
            frames = sliding_window_view(chunk, self.window_length, axis=1)[
                :, : n_frames * self.hop_length : self.hop_length
            ].transpose(0, 2, 1)
            spectrum = scipy.fft.rfft(frames * window, n=n_fft, axis=1, workers=self.n_jobs)
            spectrum = spectrum[:, first:stop]
            power = np.square(spectrum.real)
            power += np.square(spectrum.imag)
            power *= scale
            out[start : start + block] = power

        self._scale(out)
        if self.contrast in ("row", "both"):
            _standardise(out, axis=2)
        if self.contrast in ("frame", "both"):
            _standardise(out, axis=1)
        return out.reshape(n_clips, -1) if self.flatten else out

    def get_feature_names_out(self, input_features=None):
        """Names of the output values: ``"f=<Hz>Hz,t=<s>s"`` for each bin and frame.

        The names follow the flattened grid (``flatten=True``): C order,
        frequency-major, so frames vary fastest.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the input: it must match ``feature_names_in_``
            if that is set, or have ``n_features_in_`` entries.

        Returns
        -------
        feature_names_out : ndarray of str objects of shape (n_freqs * n_frames,)
            One name per value of a clip's spectrogram.
        """
        check_is_fitted(self)
        _check_feature_names_in(self, input_features)
        frequencies = [_format_number(f) for f in self.frequencies_]
        times = [_format_number(t) for t in self.times_]
        return np.asarray([f"f={f}Hz,t={t}s" for f in frequencies for t in times], dtype=object)

    def _n_fft(self) -> int:
        return self.window_length if self.n_fft is None else int(self.n_fft)

    def _window_values(self) -> np.ndarray:
        if isinstance(self.window, (str, tuple)):
            try:
                return scipy.signal.get_window(self.window, self.window_length, fftbins=True)
            except ValueError as error:
                raise ValueError(
                    f"window={self.window!r} is not a window scipy.signal.get_window "
                    f"knows: {error}"
                ) from error
        window = np.asarray(self.window, dtype=np.float64)
        if window.shape != (self.window_length,) or not np.all(np.isfinite(window)):
            raise ValueError(
                f"window given as an array must hold window_length={self.window_length} "
                f"finite values, got shape {window.shape}."
            )
        return window

    def _band(self, frequencies: np.ndarray) -> np.ndarray:
        if self.fmin is not None and self.fmax is not None and self.fmin > self.fmax:
            raise ValueError(f"fmin={self.fmin} must not exceed fmax={self.fmax}.")
        keep = np.ones(len(frequencies), dtype=bool)
        if self.fmin is not None:
            keep &= frequencies >= self.fmin
        if self.fmax is not None:
            keep &= frequencies <= self.fmax
        return keep

    def _scale(self, power: np.ndarray) -> None:
        """Turn ``power`` into the requested ``scaling``, in place."""
        if self.scaling == "magnitude":
            np.sqrt(power, out=power)
        elif self.scaling == "db":
            np.maximum(power, np.float32(self.floor), out=power)
            np.log10(power, out=power)
            power *= np.float32(10.0)
        elif self.scaling == "log":
            power += np.float32(self.floor)
            np.log(power, out=power)


def _standardise(values: np.ndarray, axis: int) -> None:
    """Subtract the median along ``axis`` and divide by the standard deviation, in place."""
    median = np.median(values, axis=axis, keepdims=True)
    std = values.std(axis=axis, keepdims=True)
    values -= median
    std[std == 0] = 1
    values /= std


def _format_number(value: float) -> str:
    return np.format_float_positional(value, trim="-")
