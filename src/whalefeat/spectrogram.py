"""Batched short-time Fourier transforms and mel spectrograms of clips: :class:`Spectrogram`."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from numbers import Integral, Real

import joblib
import numpy as np
import scipy.fft
import scipy.signal
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from ._compat import (
    Interval,
    StrOptions,
    _check_feature_names_in,
    _fit_context,
    _get_output_config,
)
from ._mel import mel_filterbank
from ._validation import N_JOBS_CONSTRAINTS

__all__ = ["Spectrogram"]

# Number of float32 frame samples transformed at once: a few MB, so the windowed frames and
# their spectra stay in cache-friendly blocks however many clips come in.
_BLOCK_VALUES = 1 << 19

_FLOAT32_MAX = float(np.finfo(np.float32).max)
_LOG10_2 = float(np.log10(2.0))
_LN_2 = float(np.log(2.0))

# Parameters that set the fitted axes (frequencies_, times_, mel_filters_) and the output
# shape: transform refuses to run after set_params changed one of them without a new fit.
_FIT_PARAMETERS = (
    "sample_rate",
    "window_length",
    "hop_length",
    "n_fft",
    "center",
    "fmin",
    "fmax",
    "n_mels",
    "mel_scale",
    "mel_norm",
)


class Spectrogram(TransformerMixin, BaseEstimator):
    """Band-limited or mel, optionally contrast-normalised spectrograms of a batch of clips.

    Each clip (a row of ``X``) is cut into frames of ``window_length`` samples,
    ``hop_length`` apart, each frame multiplied by the window and Fourier
    transformed with :func:`scipy.fft.rfft` in float32. All clips are
    transformed together through a strided view of the frames (no Python loop
    over clips).

    **Framing.** With ``center=False`` (the default) the first frame starts at
    sample 0 and the last is the last one that lies fully inside the clip: the
    signal is not padded, so a clip of ``n_samples`` samples gives
    ``n_frames = 1 + (n_samples - window_length) // hop_length`` frames, and the
    trailing ``(n_samples - window_length) % hop_length`` samples that do not
    fill a further frame are not used. With ``center=True`` the clip is first
    padded with ``window_length // 2`` samples at both ends (``pad_mode``), so
    that frame ``i`` is centred on sample ``i * hop_length``, as in
    :func:`librosa.stft`: ``n_frames = 1 + (n_samples - window_length % 2) //
    hop_length``, 126 for a 4000-sample clip with the default framing.

    **Frequency axis.** With ``n_mels=None`` the rows are the FFT bins between
    ``fmin`` and ``fmax``. With ``n_mels`` set, the power of every bin from 0 Hz
    to the Nyquist frequency goes through a bank of ``n_mels`` triangular mel
    filters whose edges lie evenly on the mel scale (``mel_scale``) from
    ``fmin`` to ``fmax``; the filterbank is applied as one matrix product over
    the batch. A filter narrower than the bin spacing may hold no bin at all:
    its row is kept and holds zeros (its floor in dB).

    With the default ``normalization="density"`` and ``scaling="power"``,
    ``center=False`` and ``n_mels=None``, the result equals
    ``scipy.signal.spectrogram(x, fs=sample_rate, window=window,
    nperseg=window_length, noverlap=window_length - hop_length, nfft=n_fft,
    detrend=False, scaling="density")[2]`` (restricted to the band) to float32
    precision, and equally :class:`scipy.signal.ShortTimeFFT` with
    ``fft_mode="onesided2X", mfft=n_fft, scale_to="psd"`` on the slices of it that
    lie fully inside the signal, i.e. ``.spectrogram(x, p0=0, p1=n_frames,
    k_offset=window_length // 2)``, which starts slice ``p`` at sample
    ``p * hop_length`` like frame ``p`` here.

    With ``normalization="raw"`` and ``center=True`` the result equals
    ``librosa.feature.melspectrogram(y=x, sr=sample_rate, n_fft=n_fft,
    win_length=window_length, hop_length=hop_length, window=window,
    center=True, pad_mode=pad_mode, n_mels=n_mels, fmin=fmin, fmax=fmax,
    htk=mel_scale == "htk", norm=mel_norm)`` (``scaling="power"``) and
    ``librosa.power_to_db`` of it with ``ref=1.0``, ``np.max``, ``np.min`` or a
    number ``ref >= floor`` as ``ref``, ``amin=floor`` and ``top_db``
    (``scaling="db"``, applied to each clip), to float32 precision, whenever
    ``window_length`` and ``n_fft`` are both even or both odd (librosa centres
    a shorter window in the FFT frame half a sample off otherwise); with
    ``n_mels=None`` it equals ``np.abs(librosa.stft(...)) ** 2`` on the band.
    Float32 precision means an error within about 1e-6 of the clip's largest
    power: in dB, about 1e-4 dB near the clip's maximum, more for fainter cells
    (up to about 2e-3 dB at 80 dB below it on the challenge clips).

    Every finite input gives a finite output: each clip (and the window, and
    the mel filters) is scaled by a power of two before the float32 transform
    and the scale is put back exactly afterwards, in the logarithm for
    ``"db"`` and ``"log"``, so that neither large amplitudes (above about 1e19,
    whose squares overflow float32) nor tiny ones underflow. Only a
    ``"power"`` or ``"magnitude"`` value beyond the float32 range (about
    3.4e38) cannot be returned: :meth:`transform` then raises an error naming
    the clip.

    Parameters
    ----------
    sample_rate : float, default=2000
        Sampling rate of the clips in Hz; sets the frequency and time axes and the
        density normalisation.
    window_length : int, default=256
        Samples per frame (``nperseg`` in :func:`scipy.signal.spectrogram`,
        ``win_length`` in :func:`librosa.stft`). The default, 128 ms at 2 kHz,
        resolves 7.8 Hz: a right whale up-call sweeps roughly 100 Hz in 1 s, so
        it moves about 13 Hz (under two bins) within one frame, while tonal
        lines a few bins apart stay separate.
    hop_length : int, default=32
        Samples between the starts of consecutive frames. The default (16 ms at
        2 kHz, 87.5 % overlap) gives 118 frames for a 2-s clip (126 with
        ``center=True``), enough to follow the sweep smoothly; it is the framing
        (256 samples, hop 32) of the study that whalefeat reproduces. A hop
        longer than ``window_length`` skips the samples between frames.
    n_fft : int or None, default=None
        FFT length. ``None`` means ``window_length``; a larger value zero-pads
        each windowed frame at its end (finer bin spacing, no extra resolution).
    window : str, tuple or array-like of shape (window_length,), default="hann"
        Window applied to each frame: anything :func:`scipy.signal.get_window`
        accepts (taken periodic, ``fftbins=True``, as
        :func:`scipy.signal.spectrogram` and :func:`librosa.stft` do), or the
        window values themselves (finite, not all zero).
    center : bool, default=False
        If True, pad each clip with ``window_length // 2`` samples at both ends
        so that frame ``i`` is centred on sample ``i * hop_length`` (see
        Framing above). If False, frames start at sample 0 and only whole
        frames inside the clip are used.
    pad_mode : {"constant", "reflect"}, default="constant"
        How ``center=True`` pads: ``"constant"`` with zeros (librosa's
        default), ``"reflect"`` with the clip mirrored about its first and
        last samples (:func:`numpy.pad`; the clip must then be longer than
        ``window_length // 2`` samples). Unused when ``center=False``.
    fmin : float or None, default=40.0
        Without ``n_mels``: the lowest frequency kept, in Hz (bins with
        ``frequency >= fmin``; ``None`` keeps from 0 Hz). With ``n_mels``: the
        lower edge of the first mel filter (``None`` means 0 Hz).
    fmax : float or None, default=400.0
        Without ``n_mels``: the highest frequency kept, in Hz (bins with
        ``frequency <= fmax``; ``None`` keeps up to the Nyquist frequency). With
        ``n_mels``: the upper edge of the last mel filter (``None`` means the
        Nyquist frequency; filters above the Nyquist frequency are empty). The
        default band, 40-400 Hz (46 bins with the default window), holds the
        50-250 Hz up-call band with a margin for the main lobe of the window
        and the lower part of the call's first harmonic, and leaves out the
        low-frequency flow and ship noise and the empty upper half of the
        spectrum.
    n_mels : int or None, default=None
        Number of mel bands. ``None`` returns the FFT bins of the band (a linear
        frequency axis); an integer returns that many mel filter outputs, from
        ``fmin`` to ``fmax``.
    mel_scale : {"slaney", "htk"}, default="slaney"
        The mel scale of the filter edges (``n_mels`` only): ``"slaney"`` (linear
        below 1 kHz, logarithmic above; librosa's default, ``htk=False``) or
        ``"htk"``, ``2595 log10(1 + f / 700)`` (librosa's ``htk=True``).
    mel_norm : {"slaney", None}, default="slaney"
        Normalisation of the mel filters (``n_mels`` only), as librosa's
        ``norm``: ``"slaney"`` divides each triangle by half its width in Hz
        (unit area, so white noise gives the same density in every band);
        ``None`` leaves triangles of peak 1.
    normalization : {"density", "raw"}, default="density"
        Which power the bins hold before the mel filters and ``scaling``:

        - ``"density"``: the one-sided power spectral density
          ``c_k |X_k|^2 / (sample_rate * sum(window**2))``, with ``c_k = 2``
          except at 0 Hz and (even ``n_fft``) at the Nyquist frequency, where
          ``c_k = 1``; this is ``scaling="density"`` of
          :func:`scipy.signal.spectrogram`, in (signal unit)^2 / Hz, and does
          not depend on the window's gain.
        - ``"raw"``: the periodogram ``|X_k|^2`` itself, unnormalised and not
          doubled, as :func:`librosa.stft` and
          :func:`librosa.feature.melspectrogram` compute it.
    scaling : {"db", "power", "magnitude", "log"}, default="db"
        Values returned for each bin or mel band, from its power ``P`` (after the
        mel filters, if any):

        - ``"power"``: ``P``.
        - ``"magnitude"``: ``sqrt(P)``. (It differs from
          ``scipy.signal.spectrogram(..., mode="magnitude")``, which leaves out
          the factor ``sqrt(c_k)``, and from librosa's ``power=1``, which passes
          magnitudes rather than powers through the mel filters.)
        - ``"db"``: ``10 * log10(max(P, floor) / ref)``, then clipped to
          ``top_db`` below the clip's maximum if ``top_db`` is set:
          :func:`librosa.power_to_db` with ``amin=floor``.
        - ``"log"``: ``ln(P + floor)``, the natural logarithm with the floor
          added (smooth, where ``"db"`` clips).
    floor : float, default=1e-20
        Power floor (in the units of ``P``) for ``"db"`` and ``"log"``, so that a
        bin of exactly zero power (digital silence, an empty mel filter) gives a
        finite value: -200 dB by default (librosa's ``amin``, whose default is
        1e-10). Any positive finite value is honoured exactly, even one outside
        the float32 range, since the logarithms take the floor in float64. The
        default lies below the quietest in-band bins of real 16-bit challenge
        clips scaled to [-1, 1] (about -147 dB) and above the float32 rounding
        noise of the transform.
    ref : {"max", "min"} or float, default=1.0
        Reference power of 0 dB (``scaling="db"`` only): a positive number, or
        ``"max"`` / ``"min"`` for the largest / smallest power of each clip over
        the rows and frames returned (librosa's ``ref=np.max`` / ``np.min``,
        taken per clip). The clip's maximum or minimum is floored like the
        values, ``max(P.min(), floor)``, so that ``"min"`` stays finite on a clip
        with a zero cell; a number is used as given (librosa floors it too,
        which only differs if ``ref < floor``).
    top_db : float or None, default=None
        If set (``scaling="db"`` only), values more than ``top_db`` dB below the
        clip's maximum are raised to that level (librosa's ``top_db``, whose
        default is 80, taken per clip). ``None`` clips nothing.
    contrast : {None, "row", "frame", "both", "median"}, default=None
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
        - ``"median"``: each frequency row relative to its median over time:
          divided by it for ``"power"`` and ``"magnitude"`` (a row whose median
          is zero, such as an empty mel filter, is left as it is), or, which is
          the same in logarithmic units, with it subtracted for ``"db"`` and
          ``"log"``. The values stay non-negative powers, so each frame is
          still a distribution over its bins: a whitened spectrum for
          ``ComplexityEntropyCurve(distribution="spectral")``, in which a
          stationary noise floor or tonal line is flat and a call stands out.

        A row or frame whose values are all equal has standard deviation 0; it
        becomes all zeros.
    flatten : bool, default=False
        If True, return each clip's grid flattened to one row of
        ``n_freqs * n_frames`` features (C order: frequency-major, frames varying
        fastest), the layout for estimators that take 2-D input.
    dtype : {"float32", "float64"}, default="float32"
        Precision of the transform and of the output. float32 is about twice
        as fast; float64 carries the 7 more digits that an exact
        reproduction (such as the study's recipe,
        :class:`~whalefeat.StudySpectralSeries`) may ask for.
    n_jobs : int or None, default=None
        Threads for the FFT (``workers`` of :func:`scipy.fft.rfft`); ``None``
        means 1, a negative value ``n_cpus + 1 + n_jobs`` (at least 1; -1 all
        processors), as in joblib. 0 is invalid.

    Attributes
    ----------
    frequencies_ : ndarray of shape (n_freqs,)
        Frequencies in Hz of the rows of each spectrogram: of the bins kept, or
        the centre (peak) frequencies of the mel filters.
    times_ : ndarray of shape (n_frames,)
        Centres of the frames in seconds, the columns of each spectrogram:
        ``(window_length / 2 + i * hop_length) / sample_rate`` with
        ``center=False``; ``i * hop_length / sample_rate`` with ``center=True``
        (half a sample later for an odd ``window_length``, whose centre lies
        between two samples).
    mel_filters_ : ndarray of shape (n_mels, n_fft // 2 + 1)
        Weights of the mel filters over the FFT bins (float64), applied to the
        power of each bin (after ``normalization``). Only set when ``n_mels`` is
        not None.
    n_features_in_ : int
        Number of samples per clip seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it was a DataFrame with string column names.

    See Also
    --------
    scipy.signal.ShortTimeFFT : General STFT (pads both ends, computes in float64).
    librosa.feature.melspectrogram : Mel spectrogram of one clip or a stack of clips.
    whalefeat.ComplexityEntropyCurve : Takes these spectrograms to one feature vector per frame.

    Notes
    -----
    Set with :meth:`set_params` after :meth:`fit`, the parameters that shape
    the output and the fitted attributes (``sample_rate``, ``window_length``,
    ``hop_length``, ``n_fft``, ``center``, ``fmin``, ``fmax``, ``n_mels``,
    ``mel_scale``, ``mel_norm``) make :meth:`transform` raise an error asking
    for a new fit; the others (``window``, ``pad_mode``, ``normalization``,
    ``scaling``, ``floor``, ``ref``, ``top_db``, ``contrast``, ``flatten``,
    ``n_jobs``) take effect at the next :meth:`transform`.

    The mel bands of a block of clips are one BLAS matrix product, on
    ``n_jobs`` threads. BLAS may round the last frames of a block differently
    from those of a block of another size, so a clip's mel values can differ
    in the last float32 digit with the batch it comes in (the bins of
    ``n_mels=None`` do not).

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

    The mel spectrogram of the study (librosa's ``melspectrogram`` with
    ``htk=True``, in dB relative to each clip's smallest power, clipped 80 dB
    below its largest):

    >>> mel = Spectrogram(
    ...     n_mels=64, fmin=50, fmax=300, mel_scale="htk", center=True,
    ...     normalization="raw", ref="min", top_db=80, floor=1e-10,
    ... )
    >>> M = mel.fit_transform(X)
    >>> M.shape, mel.times_[[0, 1]]
    ((1, 64, 126), array([0.   , 0.016]))
    >>> np.flatnonzero(mel.mel_filters_.max(axis=1) == 0)   # filters that hold no bin
    array([ 4, 13, 32])
    """

    _parameter_constraints: dict = {
        "sample_rate": [Interval(Real, 0, None, closed="neither")],
        "window_length": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
        "n_fft": [Interval(Integral, 1, None, closed="left"), None],
        "window": [str, tuple, "array-like"],
        "center": ["boolean"],
        "pad_mode": [StrOptions({"constant", "reflect"})],
        "fmin": [Interval(Real, 0, None, closed="left"), None],
        "fmax": [Interval(Real, 0, None, closed="left"), None],
        "n_mels": [Interval(Integral, 1, None, closed="left"), None],
        "mel_scale": [StrOptions({"slaney", "htk"})],
        "mel_norm": [StrOptions({"slaney"}), None],
        "normalization": [StrOptions({"density", "raw"})],
        "scaling": [StrOptions({"db", "power", "magnitude", "log"})],
        "floor": [Interval(Real, 0, None, closed="neither")],
        "ref": [StrOptions({"max", "min"}), Interval(Real, 0, None, closed="neither")],
        "top_db": [Interval(Real, 0, None, closed="neither"), None],
        "contrast": [StrOptions({"row", "frame", "both", "median"}), None],
        "dtype": [StrOptions({"float32", "float64"})],
        "flatten": ["boolean"],
        "n_jobs": N_JOBS_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        sample_rate: int = 2000,
        window_length: int = 256,
        hop_length: int = 32,
        n_fft: int | None = None,
        window: str | tuple | ArrayLike = "hann",
        center: bool = False,
        pad_mode: str = "constant",
        fmin: float = 40.0,
        fmax: float | None = 400.0,
        n_mels: int | None = None,
        mel_scale: str = "slaney",
        mel_norm: str | None = "slaney",
        normalization: str = "density",
        scaling: str = "db",
        floor: float = 1e-20,
        ref: float | str = 1.0,
        top_db: float | None = None,
        contrast: str | None = None,
        flatten: bool = False,
        dtype: str = "float32",
        n_jobs: int | None = None,
    ) -> None:
        self.sample_rate = sample_rate
        self.window_length = window_length
        self.hop_length = hop_length
        self.n_fft = n_fft
        self.window = window
        self.center = center
        self.pad_mode = pad_mode
        self.fmin = fmin
        self.fmax = fmax
        self.n_mels = n_mels
        self.mel_scale = mel_scale
        self.mel_norm = mel_norm
        self.normalization = normalization
        self.scaling = scaling
        self.floor = floor
        self.ref = ref
        self.top_db = top_db
        self.contrast = contrast
        self.flatten = flatten
        self.dtype = dtype
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> Spectrogram:
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
        plan = self._plan(X.shape[1])
        self.frequencies_ = plan.frequencies
        self.times_ = plan.times
        if plan.filters is not None:
            self.mel_filters_ = plan.filters
        elif hasattr(self, "mel_filters_"):
            del self.mel_filters_
        self._fitted_parameters = {name: getattr(self, name) for name in _FIT_PARAMETERS}
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Compute the spectrogram of every clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Audio clips with as many samples as those seen in :meth:`fit`.

        Returns
        -------
        S : ndarray of shape (n_clips, n_freqs, n_frames) or (n_clips, n_freqs * n_frames)
            Spectrograms in float32, frequency (or mel band) along axis 1
            (``frequencies_``) and time along axis 2 (``times_``); flattened in C
            order if ``flatten``.
        """
        check_is_fitted(self)
        self._validate_params()
        self._check_unchanged_since_fit()
        if not self.flatten and _get_output_config("transform", self)["dense"] != "default":
            raise ValueError(
                "Spectrogram returns a 3-D array, which cannot become a DataFrame; set "
                "flatten=True to use set_output(transform='pandas') or 'polars'."
            )
        X = validate_data(self, X, dtype=[np.float32, np.float64], reset=False)
        plan = self._plan(X.shape[1])
        workers = self._workers()

        n_clips = X.shape[0]
        n_rows, n_frames = len(plan.frequencies), len(plan.times)
        out = np.empty((n_clips, n_rows, n_frames), dtype=self.dtype)
        block = max(1, _BLOCK_VALUES // (n_frames * plan.n_fft))
        # The mel product is a BLAS call: keep it to the threads the FFT gets (n_jobs).
        blas = nullcontext() if plan.weights is None else threadpool_limits(workers, "blas")
        with blas:
            self._transform_blocks(X, plan, workers, block, out)
        return out.reshape(n_clips, -1) if self.flatten else out

    def _transform_blocks(self, X, plan: _Plan, workers: int, block: int, out: np.ndarray) -> None:
        n_frames = len(plan.times)
        for start in range(0, len(X), block):
            chunk = X[start : start + block]
            # Scale each clip by a power of two to a peak in [0.5, 1) (exact, undone below).
            clip_exponent = np.frexp(np.max(np.abs(chunk), axis=1))[1].astype(np.int64)
            chunk = _times_power_of_two(chunk, -clip_exponent[:, np.newaxis])
            chunk = chunk.astype(self.dtype, copy=False)
            if plan.pad:
                chunk = np.pad(chunk, ((0, 0), (plan.pad, plan.pad)), mode=self.pad_mode)
            if plan.weights is None:
                power = self._band_power(chunk, plan, n_frames, workers)
            else:
                power = self._mel_power(chunk, plan, n_frames, workers)
            exponent = 2 * clip_exponent + plan.exponent
            self._finish(power, exponent, start, out[start : start + block])

    def _band_power(self, chunk, plan: _Plan, n_frames: int, workers: int) -> np.ndarray:
        """Power of the band's bins, (clips, bins, frames) float32, over 2**exponent."""
        # (clips, window_length, frames) view: the FFT along axis 1 then yields the
        # (clips, freqs, frames) layout directly, with no transposing copy.
        frames = sliding_window_view(chunk, self.window_length, axis=1)[
            :, : n_frames * self.hop_length : self.hop_length
        ].transpose(0, 2, 1)
        spectrum = scipy.fft.rfft(frames * plan.window, n=plan.n_fft, axis=1, workers=workers)
        spectrum = spectrum[:, plan.bins]
        power = np.square(spectrum.real)
        power += np.square(spectrum.imag)
        if plan.bin_scale is not None:
            power *= plan.bin_scale
        return power

    def _mel_power(self, chunk, plan: _Plan, n_frames: int, workers: int) -> np.ndarray:
        """Power of the mel bands, (clips, n_mels, frames) float32, over 2**exponent."""
        # (clips, frames, window_length) view, FFT along the last axis: the spectra of all
        # frames of the block form one (clips * frames, 2 * n_bins) float32 matrix of real
        # and imaginary parts; squared in place, one matrix product with the filters (each
        # weight repeated for the real and the imaginary part) sums |X_k|^2 into the bands.
        frames = sliding_window_view(chunk, self.window_length, axis=1)[
            :, : n_frames * self.hop_length : self.hop_length
        ]
        spectrum = scipy.fft.rfft(
            frames * plan.window[:, 0], n=plan.n_fft, axis=2, workers=workers
        )
        parts = spectrum[:, :, plan.bins].view(chunk.dtype).reshape(-1, plan.weights.shape[0])
        np.square(parts, out=parts)
        bands = parts @ plan.weights
        return np.ascontiguousarray(bands.reshape(len(chunk), n_frames, -1).transpose(0, 2, 1))

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Get the names of the output values: ``"f=<Hz>Hz,t=<s>s"`` for each row and frame.

        The names follow the flattened grid (``flatten=True``): C order,
        frequency-major, so frames vary fastest. A mel band is named by its
        centre frequency.

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

    # ----------------------------------------------------------------------------------
    # Parameters

    def _check_unchanged_since_fit(self) -> None:
        fitted = getattr(self, "_fitted_parameters", None)
        if fitted is None:
            return
        changed = [
            name for name in _FIT_PARAMETERS if not _same_value(getattr(self, name), fitted[name])
        ]
        if changed:
            details = ", ".join(
                f"{name} (fitted with {fitted[name]!r}, now {getattr(self, name)!r})"
                for name in changed
            )
            raise ValueError(
                f"Spectrogram parameter(s) changed since fit: {details}. They set "
                "frequencies_, times_ and the shape of the output: call fit again before "
                "transform."
            )

    def _workers(self) -> int:
        if self.n_jobs is None:
            return 1
        if self.n_jobs > 0:
            return int(self.n_jobs)
        return max(1, joblib.cpu_count() + 1 + int(self.n_jobs))

    def _plan(self, n_samples: int) -> _Plan:
        """Check the parameters against clips of ``n_samples`` samples; prepare the transform."""
        if self.scaling != "db":
            if not (isinstance(self.ref, Real) and self.ref == 1):
                raise ValueError(
                    f"ref={self.ref!r} applies to scaling='db' only, but "
                    f"scaling={self.scaling!r}; leave ref at its default 1.0 or use scaling='db'."
                )
            if self.top_db is not None:
                raise ValueError(
                    f"top_db={self.top_db!r} applies to scaling='db' only, but "
                    f"scaling={self.scaling!r}; set top_db=None or use scaling='db'."
                )

        length, hop = int(self.window_length), int(self.hop_length)
        if not self.center and n_samples < length:
            raise ValueError(
                f"Spectrogram needs clips of at least window_length={length} "
                f"samples to form one frame, but X has {n_samples} feature(s) (samples per "
                f"clip). Use longer clips, a smaller window_length or center=True."
            )
        pad = length // 2 if self.center else 0
        if self.center and self.pad_mode == "reflect" and n_samples <= pad:
            raise ValueError(
                f"pad_mode='reflect' pads window_length // 2 = {pad} samples mirrored about "
                f"each end, which needs clips longer than {pad} samples, but X has "
                f"{n_samples} feature(s) (samples per clip). Use pad_mode='constant' or a "
                "smaller window_length."
            )
        n_fft = length if self.n_fft is None else int(self.n_fft)
        if n_fft < length:
            raise ValueError(f"n_fft={n_fft} must be at least window_length={length}.")

        window64 = self._window_values()
        window_exponent = int(np.frexp(np.max(np.abs(window64)))[1])
        window = np.ldexp(window64, -window_exponent)
        if self.normalization == "density":
            # c_k |X_k|^2 / (fs sum w^2) with w = window * 2^j and fs = m_fs * 2^e_fs: the
            # window's 2^j cancels and the factor is c_k a 2^-e_fs, a in (0.25, 16].
            m_fs, e_fs = np.frexp(float(self.sample_rate))
            factor = np.full(n_fft // 2 + 1, 2.0 / (m_fs * np.sum(window**2)))
            factor[0] /= 2
            if n_fft % 2 == 0:
                factor[-1] /= 2
            exponent = -int(e_fs)
        else:
            factor = None
            exponent = 2 * window_exponent

        all_frequencies = scipy.fft.rfftfreq(n_fft, d=1.0 / self.sample_rate)
        n_frames = 1 + (n_samples + 2 * pad - length) // hop
        times = (length / 2 - pad + hop * np.arange(n_frames)) / self.sample_rate

        filters = weights = bin_scale = None
        if self.n_mels is None:
            keep = self._band(all_frequencies)
            if not keep.any():
                raise ValueError(
                    f"The band fmin={self.fmin}, fmax={self.fmax} Hz holds no frequency bin: "
                    f"the bins lie {all_frequencies[1] if n_fft > 1 else 0:g} Hz apart from 0 "
                    f"to {all_frequencies[-1]:g} Hz (sample_rate={self.sample_rate}, "
                    f"n_fft={n_fft})."
                )
            bins = np.flatnonzero(keep)
            bins = slice(bins[0], bins[-1] + 1)
            frequencies = all_frequencies[bins]
            if factor is not None:
                bin_scale = factor[bins, np.newaxis].astype(self.dtype)
        else:
            fmin = 0.0 if self.fmin is None else float(self.fmin)
            fmax = self.sample_rate / 2 if self.fmax is None else float(self.fmax)
            if not fmin < fmax:
                raise ValueError(
                    f"fmin={self.fmin} must be below fmax={self.fmax} for a mel filterbank "
                    f"(n_mels={self.n_mels})."
                )
            filters, frequencies = mel_filterbank(
                self.sample_rate,
                n_fft,
                int(self.n_mels),
                fmin,
                fmax,
                scale=self.mel_scale,
                norm=self.mel_norm,
            )
            combined = filters if factor is None else filters * factor
            peak = np.max(combined)
            filter_exponent = int(np.frexp(peak)[1]) if peak > 0 else 0
            # Only the bins some filter covers are needed: (2 * n_used, n_mels), the weight of
            # bin k on rows 2k and 2k + 1, which multiply the squared real and imaginary
            # parts of X_k.
            used = np.flatnonzero(combined.any(axis=0))
            bins = slice(used[0], used[-1] + 1) if used.size else slice(0, 1)
            weights = np.ldexp(combined[:, bins], -filter_exponent).T
            weights = np.repeat(weights, 2, axis=0).astype(self.dtype)
            exponent += filter_exponent
        return _Plan(
            n_fft=n_fft,
            pad=pad,
            window=window.astype(self.dtype)[:, np.newaxis],
            bins=bins,
            bin_scale=bin_scale,
            weights=weights,
            exponent=exponent,
            frequencies=frequencies,
            times=times,
            filters=filters,
        )

    def _window_values(self) -> np.ndarray:
        if isinstance(self.window, (str, tuple)):
            try:
                window = scipy.signal.get_window(self.window, self.window_length, fftbins=True)
            except ValueError as error:
                raise ValueError(
                    f"window={self.window!r} is not a window scipy.signal.get_window "
                    f"knows: {error}"
                ) from error
        else:
            window = np.asarray(self.window, dtype=np.float64)
            if window.shape != (self.window_length,) or not np.all(np.isfinite(window)):
                raise ValueError(
                    f"window given as an array must hold window_length={self.window_length} "
                    f"finite values, got shape {window.shape}."
                )
        if not np.any(window):
            raise ValueError(
                f"window={_short_repr(self.window)} is all zeros (window_length="
                f"{self.window_length}): every frame would have zero power and the density "
                "normalisation divides by sum(window**2). Use a window with a non-zero value."
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

    # ----------------------------------------------------------------------------------
    # Values

    def _finish(
        self, power: np.ndarray, exponent: np.ndarray, first: int, out: np.ndarray
    ) -> None:
        """Write ``scaling`` (and ``contrast``) of ``power * 2**exponent`` per clip into ``out``.

        ``power`` (clips, rows, frames) is float32 and is overwritten; ``exponent`` holds
        one integer per clip; ``first`` is the index in ``X`` of the first clip.
        """
        column = (slice(None), np.newaxis, np.newaxis)
        if self.scaling in ("power", "magnitude") and self.contrast is not None:
            # Contrast is invariant to each clip's scale: no need to undo it.
            if self.scaling == "magnitude":
                np.sqrt(power, out=power)
            self._contrast(power)
            out[...] = power
            return
        if self.scaling == "power":
            _check_float32_range(power, exponent, first, "power")
            out[...] = _times_power_of_two(power, exponent[column])
            return
        if self.scaling == "magnitude":
            odd = exponent % 2
            power = _times_power_of_two(power, odd[column])
            np.sqrt(power, out=power)
            half = (exponent - odd) // 2
            _check_float32_range(power, half, first, "magnitude")
            out[...] = _times_power_of_two(power, half[column])
            return
        with np.errstate(divide="ignore"):
            np.log(power, out=power)  # float32 log is several times faster than log10
        if self.scaling == "db":
            power *= power.dtype.type(10.0 / np.log(10.0))
            offset = (10.0 * _LOG10_2) * exponent.astype(np.float64)
            floor_db = 10.0 * np.log10(float(self.floor))
            if self.ref in ("max", "min"):
                reduce = np.max if self.ref == "max" else np.min
                stat = reduce(power, axis=(1, 2)).astype(np.float64)
                ref_db = np.maximum(floor_db, stat + offset)
            else:
                ref_db = np.full(len(power), 10.0 * np.log10(float(self.ref)))
            power += (offset - ref_db).astype(power.dtype)[column]
            np.maximum(power, (floor_db - ref_db).astype(power.dtype)[column], out=power)
            if self.top_db is not None:
                lowest = np.max(power, axis=(1, 2), keepdims=True) - power.dtype.type(self.top_db)
                np.maximum(power, lowest, out=power)
        else:
            # ln(P + floor) = logaddexp(ln P, ln floor): exact for any floor, even one
            # that float32 cannot hold.
            power += (_LN_2 * exponent.astype(np.float64)).astype(power.dtype)[column]
            np.logaddexp(power, power.dtype.type(np.log(float(self.floor))), out=power)
        self._contrast(power)
        out[...] = power

    def _contrast(self, values: np.ndarray) -> None:
        if self.contrast == "median":
            median = np.median(values, axis=2, keepdims=True)
            if self.scaling in ("power", "magnitude"):
                np.divide(values, median, out=values, where=median > 0)
            else:
                values -= median
            return
        if self.contrast in ("row", "both"):
            _standardise(values, axis=2)
        if self.contrast in ("frame", "both"):
            _standardise(values, axis=1)


@dataclass(frozen=True)
class _Plan:
    """What the transform needs, derived from the parameters and the clip length."""

    n_fft: int
    pad: int  # samples padded at each end (center=True)
    window: np.ndarray  # float32 (window_length, 1): the window over a power of two
    bins: slice  # rfft bins used: the band, or those the mel filters cover
    bin_scale: np.ndarray | None  # float32 (n_bins, 1): density factor over a power of two
    weights: np.ndarray | None  # float32 (2 * n_bins, n_mels): filters (x density), see _mel_power
    exponent: int  # power of two that turns the float32 power back into the true one
    frequencies: np.ndarray
    times: np.ndarray
    filters: np.ndarray | None  # float64 mel filters (mel_filters_)


def _check_float32_range(values: np.ndarray, exponent: np.ndarray, first: int, what: str) -> None:
    """Raise if a clip's ``values * 2**exponent`` exceeds the range of ``values.dtype``."""
    largest = float(np.finfo(values.dtype).max)
    peak = np.max(values, axis=(1, 2)).astype(np.float64)
    with np.errstate(divide="ignore"):
        log2_peak = np.log2(peak) + exponent
    too_large = np.flatnonzero(log2_peak > np.log2(largest))
    if too_large.size:
        index = first + int(too_large[0])
        log10_peak = float(log2_peak[too_large[0]]) * _LOG10_2
        raise ValueError(
            f"Clip {index} (row {index} of X) has {what} values up to about "
            f"{10 ** (log10_peak % 1):.2f}e+{int(log10_peak // 1)}, beyond the "
            f"{values.dtype} range (largest {largest:.3g}); use scaling='db' or 'log', which "
            "hold any finite input, or rescale the clips."
        )


def _times_power_of_two(values: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """``values * 2**exponent`` (a new array), exact unless the result is subnormal.

    A product with the power of two in ``values``' dtype is much faster than
    :func:`numpy.ldexp`; ``ldexp`` is the fallback where that power itself falls
    outside the dtype's normal range.
    """
    info = np.finfo(values.dtype)
    if exponent.size and info.minexp <= exponent.min() and exponent.max() <= info.maxexp - 1:
        return values * np.exp2(exponent).astype(values.dtype)
    return np.ldexp(values, exponent)


def _standardise(values: np.ndarray, axis: int) -> None:
    """Subtract the median along ``axis`` and divide by the standard deviation, in place."""
    median = np.median(values, axis=axis, keepdims=True)
    std = values.std(axis=axis, keepdims=True)
    values -= median
    std[std == 0] = 1
    values /= std


def _same_value(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return bool(a == b)


def _short_repr(window) -> str:
    if isinstance(window, (str, tuple)):
        return repr(window)
    return f"<array of shape {np.shape(window)}>"


def _format_number(value: float) -> str:
    return np.format_float_positional(value, trim="-")
