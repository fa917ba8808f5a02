"""Template matching of up-calls as a supervised transformer: :class:`TemplateMatcher`.

The winning entry of the right whale detection challenge (``nmkridler/moby2``)
cut a few dozen up-call templates out of contrast-enhanced training
spectrograms and described every clip by, for each template, the peak
normalised cross-correlation over the clip's spectrogram and where it lies.
:class:`TemplateMatcher` does the same inside a scikit-learn pipeline: it
cuts its templates in :meth:`~TemplateMatcher.fit`, from the positive clips of
the training data only.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.fft
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import roc_auc_score
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from ._compat import Interval, StrOptions, _fit_context
from ._validation import N_JOBS_CONSTRAINTS, check_generator, check_spectrograms

__all__ = ["TemplateMatcher", "normalized_cross_correlation"]

# complex values of one block of products (clips x templates x rfft grid): about 32 MB
_BLOCK_VALUES = 1 << 21
# a window whose values vary by less than this fraction of the clip's range counts as flat
_FLAT = 1e-6
# a window whose variance is below this fraction of its clip's (squared) range has its
# correlation computed from its own cells, not from integral images
_QUIET = 1e-3


class TemplateMatcher(TransformerMixin, BaseEstimator):
    """Peak normalised cross-correlation of spectrograms with templates cut from positive clips.

    **fit** draws ``n_candidates`` clips of ``positive_class`` from the
    training data (without replacement; all of them when there are fewer) and
    cuts from each the ``template_shape`` window that holds the largest sum of
    values, where the call is brightest. With ``binarize`` set the window
    becomes a mask, 1 where a value lies at least ``binarize`` standard
    deviations above the window's mean and 0 elsewhere (moby2's templates).
    When there are more candidates than ``n_templates``, each candidate's
    peak correlation is computed on ``n_ranking_clips`` training clips drawn at
    random, and the ``n_templates`` candidates whose peak best separates the
    positive class from the others (largest ROC AUC) are kept; otherwise the
    candidates are the templates. A candidate that is flat (all its values
    equal) has no correlation and is passed over.

    **transform** gives, for every clip and template, the largest zero-mean
    normalised cross-correlation (Pearson correlation between the template
    and a window of the spectrogram, over every position where the template
    lies wholly inside it, as :func:`skimage.feature.match_template` with
    ``pad_input=False`` and OpenCV's ``TM_CCOEFF_NORMED``) and the frequency
    bin and the frame of the centre of the window where it is reached.

    Parameters
    ----------
    n_templates : int, default=16
        Number of templates kept.
    template_shape : tuple of (int, int), default=(14, 24)
        Height (frequency bins) and width (frames) of the templates. The
        default, 14 bins of 7.8 Hz by 24 frames of 32 ms (the spectrogram of
        moby2: 256-sample frames 64 samples apart at 2 kHz), covers an up-call's
        sweep of about 100 Hz in 0.8 s; moby2's hand-cut templates were 8 to 34
        bins by 8 to 44 frames.
    n_candidates : int, default=64
        Number of positive clips from which candidate templates are cut; the
        best ``n_templates`` are kept (see above). Must be at least
        ``n_templates``; equal to it, the templates are a random draw.
    n_ranking_clips : int, default=1000
        Number of training clips (drawn at random, all of them when there are
        fewer) on which candidates are ranked.
    binarize : float or None, default=0.5
        Threshold, in standard deviations above the window's mean, of the
        template's mask (moby2's 0.5); ``None`` keeps the window's values.
    positive_class : int, str or None, default=None
        Label of the clips that templates are cut from; ``None`` means the
        largest label (1 of 0/1 labels).
    method : {"fft", "skimage"}, default="fft"
        ``"fft"``: all clips and templates of a block at once, the correlations
        through :func:`scipy.fft.rfft2` and the window statistics through
        integral images (:func:`normalized_cross_correlation`); ``"skimage"``:
        :func:`skimage.feature.match_template` clip by clip and template by
        template (needs scikit-image, and is about 15 times slower). Both give
        the same values to rounding, except on windows flat to within 1e-6 (a
        standard deviation at most 1e-6 of the clip's largest deviation from
        its mean), whose correlation ``"fft"`` sets to 0 (skimage's
        tolerance is absolute, ``eps`` of the variance, so on such windows it
        can return rounding noise).
    n_jobs : int or None, default=None
        Threads of the FFTs (``workers`` of :mod:`scipy.fft`); ``None`` means 1,
        a negative value ``n_cpus + 1 + n_jobs``. Unused by ``"skimage"``.
    random_state : int, RandomState instance, Generator or None, default=None
        Draws the candidate clips and the ranking clips in :meth:`fit`.

    Attributes
    ----------
    templates_ : ndarray of shape (n_templates, height, width)
        The templates, best ranked first.
    template_origins_ : ndarray of shape (n_templates, 3)
        For each template, the index in the training ``X`` of the clip it was
        cut from and the bin and frame of its top-left corner there.
    template_scores_ : ndarray of shape (n_templates,)
        The training ROC AUC of each template's peak correlation (NaN when the
        templates were not ranked).
    classes_ : ndarray
        Labels seen in :meth:`fit`.
    positive_class_ : scalar
        The label the templates were cut from.
    n_features_in_ : int
        Number of frequency bins (axis 1 of the input) seen in :meth:`fit`.
    n_frames_ : int
        Number of frames seen in :meth:`fit`; 1 for 2-D input (single spectra).
    input_ndim_ : int
        3 for spectrograms ``(n_clips, n_bins, n_frames)``, 2 for single spectra.

    See Also
    --------
    whalefeat.contrast.LocalContrast : The contrast enhancement the templates
        were matched on.
    skimage.feature.match_template : The normalised cross-correlation of one image.

    Examples
    --------
    >>> import numpy as np
    >>> from whalefeat.templates import TemplateMatcher
    >>> rng = np.random.default_rng(0)
    >>> S = rng.random((40, 12, 20))                # 40 noise spectrograms
    >>> y = np.arange(40) % 2
    >>> for i in np.flatnonzero(y):                  # a rising line in every positive one
    ...     start = rng.integers(0, 10)
    ...     S[i, np.arange(2, 8), start + np.arange(6)] += 3.0
    >>> matcher = TemplateMatcher(n_templates=2, template_shape=(6, 6), n_candidates=4,
    ...                           random_state=0).fit(S, y)
    >>> matcher.templates_.shape
    (2, 6, 6)
    >>> features = matcher.transform(S)
    >>> features.shape
    (40, 6)
    >>> matcher.get_feature_names_out()[:3].tolist()
    ['template0_peak', 'template0_frequency', 'template0_time']
    >>> bool(features[y == 1, 0].mean() > features[y == 0, 0].mean() + 0.3)
    True
    """

    _parameter_constraints: dict = {
        "n_templates": [Interval(Integral, 1, None, closed="left")],
        "template_shape": [tuple, list],
        "n_candidates": [Interval(Integral, 1, None, closed="left")],
        "n_ranking_clips": [Interval(Integral, 2, None, closed="left")],
        "binarize": [Interval(Real, None, None, closed="neither"), None],
        "positive_class": [Integral, str, None],
        "method": [StrOptions({"fft", "skimage"})],
        "n_jobs": N_JOBS_CONSTRAINTS,
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(
        self,
        *,
        n_templates: int = 16,
        template_shape: tuple[int, int] = (14, 24),
        n_candidates: int = 64,
        n_ranking_clips: int = 1000,
        binarize: float | None = 0.5,
        positive_class: int | str | None = None,
        method: str = "fft",
        n_jobs: int | None = None,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.n_templates = n_templates
        self.template_shape = template_shape
        self.n_candidates = n_candidates
        self.n_ranking_clips = n_ranking_clips
        self.binarize = binarize
        self.positive_class = positive_class
        self.method = method
        self.n_jobs = n_jobs
        self.random_state = random_state

    # ------------------------------------------------------------------------------------
    # checks

    def _shape(self, S: np.ndarray) -> tuple[int, int]:
        shape = tuple(self.template_shape)
        if len(shape) != 2 or not all(isinstance(v, Integral) and v >= 1 for v in shape):
            raise ValueError(
                f"template_shape must be two positive integers (bins, frames), got "
                f"{self.template_shape!r}"
            )
        height, width = int(shape[0]), int(shape[1])
        if height > S.shape[1] or width > S.shape[2]:
            raise ValueError(
                f"template_shape={self.template_shape!r} does not fit in spectrograms of "
                f"{S.shape[1]} bins by {S.shape[2]} frame(s) (X has {S.shape[1]} feature(s) "
                "along axis 1); use a smaller template_shape"
            )
        if height * width < 2:
            raise ValueError(
                f"template_shape={self.template_shape!r} holds one cell, whose normalised "
                "correlation is undefined; use a template of at least two cells"
            )
        return height, width

    def _validate_input(self, X, reset: bool) -> np.ndarray:
        X = check_spectrograms(self, X, reset=reset, dtype=[np.float64, np.float32])
        return X

    def _workers(self) -> int:
        if self.n_jobs is None:
            return 1
        if self.n_jobs > 0:
            return int(self.n_jobs)
        import joblib

        return max(1, joblib.cpu_count() + 1 + int(self.n_jobs))

    # ------------------------------------------------------------------------------------
    # fit / transform

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike) -> TemplateMatcher:
        """Cut the templates from the positive clips of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_bins, n_frames) or (n_clips, n_bins)
            Training spectrograms, usually contrast-enhanced
            (:class:`~whalefeat.contrast.LocalContrast`).
        y : array-like of shape (n_clips,)
            Class labels; templates come from the clips of ``positive_class``.

        Returns
        -------
        self : TemplateMatcher
            The fitted transformer.
        """
        if y is None:
            raise ValueError(
                "TemplateMatcher requires y to be passed, but the target y is None: it is "
                "supervised, and cuts its templates from the positive clips"
            )
        X = self._validate_input(X, reset=True)
        self.input_ndim_ = X.ndim
        S = X if X.ndim == 3 else X[:, :, np.newaxis]
        self.n_frames_ = S.shape[2]
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(S):
            raise ValueError(
                f"y must be one label per clip, shape ({len(S)},), got shape {y.shape}"
            )
        target = type_of_target(y, input_name="y", raise_unknown=True)
        if target not in ("binary", "multiclass"):
            raise ValueError(
                f"Unknown label type: TemplateMatcher needs class labels in y (binary or "
                f"multiclass), got {target!r} targets"
            )
        if self.n_candidates < self.n_templates:
            raise ValueError(
                f"n_candidates={self.n_candidates} must be at least n_templates={self.n_templates}"
            )
        height, width = self._shape(S)
        self.classes_ = np.unique(y)
        if self.positive_class is None:
            positive = self.classes_[-1].item()
        else:
            if self.positive_class not in self.classes_.tolist():
                raise ValueError(
                    f"positive_class={self.positive_class!r} is not a label of y; its labels "
                    f"are {self.classes_.tolist()!r}"
                )
            positive = self.positive_class
        is_positive = y == positive
        rng = check_generator(self.random_state)

        pool = rng.permutation(np.flatnonzero(is_positive))
        candidates, origins = [], []
        for clip in pool:
            if len(candidates) == self.n_candidates:
                break
            template, row, col = _cut_template(S[clip], height, width, self.binarize)
            if template is not None:
                candidates.append(template)
                origins.append((int(clip), row, col))
        if len(candidates) < self.n_templates:
            raise ValueError(
                f"only {len(candidates)} of the {int(is_positive.sum())} clips of class "
                f"{positive!r} (X has {len(S)} sample(s)) give a template of shape "
                f"{(height, width)} that is not flat, fewer than n_templates={self.n_templates}"
            )
        candidates = np.stack(candidates)
        origins = np.asarray(origins, dtype=np.int64)
        if len(candidates) > self.n_templates:
            if is_positive.all():
                raise ValueError(
                    "ranking candidate templates (n_candidates > n_templates) needs clips "
                    f"of a class other than {positive!r} in y; y holds only that class"
                )
            n_rank = min(int(self.n_ranking_clips), len(S))
            ranking = np.sort(rng.choice(len(S), size=n_rank, replace=False))
            if is_positive[ranking].all() or not is_positive[ranking].any():
                ranking = np.arange(len(S))
            peaks = self._match(S[ranking], candidates)[0]
            scores = np.array(
                [roc_auc_score(is_positive[ranking], peaks[:, k]) for k in range(len(candidates))]
            )
            best = np.argsort(-scores, kind="stable")[: self.n_templates]
            self.templates_ = candidates[best]
            self.template_origins_ = origins[best]
            self.template_scores_ = scores[best]
        else:
            self.templates_ = candidates
            self.template_origins_ = origins
            self.template_scores_ = np.full(len(candidates), np.nan)
        self.positive_class_ = positive
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Peak correlation with every template, and where it lies.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_bins, n_frames) or (n_clips, n_bins)
            Spectrograms of the shape seen in :meth:`fit`.

        Returns
        -------
        features : ndarray of shape (n_clips, 3 * n_templates), float64
            For each template in turn: the peak correlation (in [-1, 1]; 0 where
            every window is flat), then the frequency bin and the frame of the
            centre of the window that reaches it (``(height - 1) / 2`` and
            ``(width - 1) / 2`` after its top-left corner; the first such window
            in C order on ties).
        """
        check_is_fitted(self)
        self._validate_params()
        X = self._validate_input(X, reset=False)
        S = X if X.ndim == 3 else X[:, :, np.newaxis]
        peaks, rows, cols = self._match(S, self.templates_)
        height, width = self.templates_.shape[1:]
        out = np.empty((len(S), 3 * len(self.templates_)))
        out[:, 0::3] = peaks
        out[:, 1::3] = rows + (height - 1) / 2
        out[:, 2::3] = cols + (width - 1) / 2
        return out

    def _match(self, S: np.ndarray, templates: np.ndarray):
        if self.method == "skimage":
            return _match_skimage(S, templates)
        return _match_fft(S, templates, self._workers())

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Get the names of the output features.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        feature_names_out : ndarray of str objects of shape (3 * n_templates,)
            ``"template<k>_peak"``, ``"template<k>_frequency"`` and
            ``"template<k>_time"`` for every template ``k``.
        """
        check_is_fitted(self)
        return np.asarray(
            [
                f"template{k}_{what}"
                for k in range(len(self.templates_))
                for what in ("peak", "frequency", "time")
            ],
            dtype=object,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.required = True
        return tags


def _cut_template(image: np.ndarray, height: int, width: int, binarize: float | None):
    """The ``height x width`` window of ``image`` with the largest sum, or None if flat."""
    sums = _window_sums(image[np.newaxis].astype(np.float64), height, width)[0]
    row, col = np.unravel_index(int(np.argmax(sums)), sums.shape)
    window = np.asarray(image[row : row + height, col : col + width], dtype=np.float64)
    if binarize is not None:
        window = (window >= window.mean() + binarize * window.std()).astype(np.float64)
    if np.ptp(window) <= _FLAT * max(np.max(np.abs(window)), np.finfo(float).tiny):
        return None, int(row), int(col)
    return window, int(row), int(col)


def _window_sums(S: np.ndarray, height: int, width: int) -> np.ndarray:
    """Sums of every ``height x width`` window inside each image of ``S`` (integral images)."""
    n, rows, cols = S.shape
    integral = np.zeros((n, rows + 1, cols + 1))
    np.cumsum(np.cumsum(S, axis=1), axis=2, out=integral[:, 1:, 1:])
    return (
        integral[:, height:, width:]
        - integral[:, :-height, width:]
        - integral[:, height:, :-width]
        + integral[:, :-height, :-width]
    )


def normalized_cross_correlation(
    S: ArrayLike, template: ArrayLike, *, workers: int = 1
) -> np.ndarray:
    """Zero-mean normalised cross-correlation of a template with every position in each image.

    The value at ``(r, c)`` is the Pearson correlation between ``template``
    and the window ``S[i, r:r + height, c:c + width]``; windows lie wholly
    inside the image, as in :func:`skimage.feature.match_template` with
    ``pad_input=False`` (and OpenCV's ``TM_CCOEFF_NORMED``). A window flat to
    within 1e-6 (its standard deviation at most 1e-6 of the image's largest
    deviation from its mean; no correlation is defined) gets 0.

    The correlations of all images come from one batched real FFT of the
    image size (whose circular correlation is exact on the windows inside the
    image) and the window means and variances from integral images of the
    image minus its mean, computed in float64. Windows quiet beside their
    image (variance below 1e-3 of its largest squared deviation from its
    mean), whose digits the integral images' rounding would take, are computed
    again from their own cells, so every value is within about 1e-12 of the
    direct computation.

    Parameters
    ----------
    S : array-like of shape (n_images, n_rows, n_cols)
        Images (spectrograms).
    template : array-like of shape (height, width) or (n_templates, height, width)
        One template or several of the same shape; none may be flat.
    workers : int, default=1
        Threads of the FFTs.

    Returns
    -------
    ncc : ndarray of shape (n_images, [n_templates,] n_rows - height + 1, n_cols - width + 1)
        The normalised cross-correlation at every position of the template.

    Examples
    --------
    >>> import numpy as np
    >>> from whalefeat.templates import normalized_cross_correlation
    >>> image = np.zeros((1, 5, 5))
    >>> image[0, 1:3, 2:4] = [[1, 2], [3, 4]]
    >>> ncc = normalized_cross_correlation(image, [[1, 2], [3, 4]])
    >>> ncc.shape, np.unravel_index(ncc[0].argmax(), ncc[0].shape), round(float(ncc.max()), 12)
    ((1, 4, 4), (np.int64(1), np.int64(2)), 1.0)
    """
    S = np.asarray(S, dtype=np.float64)
    templates = np.asarray(template, dtype=np.float64)
    single = templates.ndim == 2
    if single:
        templates = templates[np.newaxis]
    if S.ndim != 3 or templates.ndim != 3:
        raise ValueError(
            f"S must be (n_images, n_rows, n_cols) and template (height, width) or "
            f"(n_templates, height, width), got shapes {S.shape} and {np.shape(template)}"
        )
    out = _ncc_fft(S, templates, workers)
    return out[:, 0] if single else out


def _ncc_fft(S: np.ndarray, templates: np.ndarray, workers: int) -> np.ndarray:
    n, rows, cols = S.shape
    n_templates, height, width = templates.shape
    if height > rows or width > cols:
        raise ValueError(
            f"templates of shape {(height, width)} do not fit in images of shape {(rows, cols)}"
        )
    size = height * width
    centred = templates - templates.mean(axis=(1, 2), keepdims=True)
    norms = np.sqrt(np.sum(centred**2, axis=(1, 2)))
    if np.any(norms == 0):
        raise ValueError(
            "a template is flat (all its values equal): its normalised correlation is undefined"
        )
    # each image minus its mean over its largest deviation, in float64 whatever the input's
    # dtype: the integral images stay precise and nothing over- or underflows whatever the
    # image's level and gain
    S = S.astype(np.float64, copy=False)
    S = S - S.mean(axis=(1, 2), keepdims=True)
    scale = np.max(np.abs(S), axis=(1, 2), keepdims=True)
    S = S / np.where(scale > 0, scale, 1.0)
    sums = _window_sums(S, height, width)
    squares = _window_sums(S * S, height, width)
    spread = np.maximum(squares - sums * sums / size, 0.0)  # size x variance of the window
    flat = spread <= size * _FLAT**2
    # any FFT size at least the image's is exact on the windows inside it: take fast ones
    shape = (scipy.fft.next_fast_len(rows, real=True), scipy.fft.next_fast_len(cols, real=True))
    kernel = np.conj(scipy.fft.rfft2(centred, s=shape, workers=workers))
    spectrum = scipy.fft.rfft2(S, s=shape, workers=workers)
    out = np.empty((n, n_templates, rows - height + 1, cols - width + 1))
    block = max(1, _BLOCK_VALUES // (n_templates * kernel.shape[1] * kernel.shape[2]))
    for start in range(0, n, block):
        product = spectrum[start : start + block, np.newaxis] * kernel
        correlation = scipy.fft.irfft2(product, s=shape, workers=workers)
        out[start : start + block] = correlation[:, :, : rows - height + 1, : cols - width + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        out /= np.sqrt(spread)[:, np.newaxis] * norms[:, None, None]
    out[np.broadcast_to(flat[:, np.newaxis], out.shape)] = 0.0
    _refine_quiet_windows(out, S, centred, norms, spread, flat)
    np.clip(out, -1.0, 1.0, out=out)
    return out


def _refine_quiet_windows(out, S, centred, norms, spread, flat) -> None:
    """Compute again, directly, the correlations of windows quiet beside their image.

    The integral images' sums carry an error of about ``eps`` times the image's
    total energy (1 at most per cell here), which is most of the digits of a
    window whose variance is a millionth of the image's range: such windows
    (variance below :data:`_QUIET` of the range, a few per cent of the windows of a
    contrast image) get their mean, variance and correlation from their own cells.
    """
    height, width = centred.shape[1:]
    size = height * width
    quiet = np.nonzero(~flat & (spread < size * _QUIET))
    if not len(quiet[0]):
        return
    windows = np.lib.stride_tricks.sliding_window_view(S, (height, width), axis=(1, 2))[quiet]
    windows = windows - windows.mean(axis=(1, 2), keepdims=True)
    local_spread = np.einsum("mhw,mhw->m", windows, windows)
    correlation = np.einsum("mhw,khw->mk", windows, centred)
    with np.errstate(divide="ignore", invalid="ignore"):
        correlation /= np.sqrt(local_spread)[:, np.newaxis] * norms
    correlation[local_spread <= size * _FLAT**2] = 0.0
    image, row, col = quiet
    out[image, :, row, col] = correlation


def _peaks(ncc: np.ndarray):
    """Largest value of each (image, template) map and its row and column (first in C order)."""
    n, k, rows, cols = ncc.shape
    flat = ncc.reshape(n, k, -1)
    index = np.argmax(flat, axis=2)
    peak = np.take_along_axis(flat, index[:, :, np.newaxis], axis=2)[:, :, 0]
    return peak, index // cols, index % cols


def _match_fft(S: np.ndarray, templates: np.ndarray, workers: int):
    n = len(S)
    peaks = np.empty((n, len(templates)))
    rows = np.empty((n, len(templates)), dtype=np.int64)
    cols = np.empty_like(rows)
    # maps of (clips x templates x positions) float64 kept to a few tens of MB per block
    positions = (S.shape[1] - templates.shape[1] + 1) * (S.shape[2] - templates.shape[2] + 1)
    block = max(1, (1 << 22) // (len(templates) * max(positions, S.shape[1] * S.shape[2])))
    for start in range(0, n, block):
        ncc = _ncc_fft(S[start : start + block], templates, workers)
        p, r, c = _peaks(ncc)
        peaks[start : start + block], rows[start : start + block] = p, r
        cols[start : start + block] = c
    return peaks, rows, cols


def _match_skimage(S: np.ndarray, templates: np.ndarray):
    try:
        from skimage.feature import match_template
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "TemplateMatcher(method='skimage') needs scikit-image: pip install scikit-image, "
            "or use method='fft'"
        ) from error
    maps = np.empty(
        (
            len(S),
            len(templates),
            S.shape[1] - templates.shape[1] + 1,
            S.shape[2] - templates.shape[2] + 1,
        )
    )
    for i, image in enumerate(np.asarray(S, dtype=np.float64)):
        for k, template in enumerate(templates):
            maps[i, k] = match_template(image, template)
    return _peaks(maps)
