"""The study's complexity-entropy series of mel frames, exactly: :class:`StudySpectralSeries`.

The published code of the study that whalefeat builds on computes its
"complexity-entropy series derived from spectrograms" not from ordinal
patterns but from each frame of a squared-dB mel spectrogram taken as a
probability distribution over its bands. This module reproduces that recipe,
quirks included (the squared dB, the dropped empty bands, base-2 logarithms,
the Jensen-Shannon distance in nats normalised by a base-2 constant), so that
the ``"seed-inception"`` pipeline of :mod:`whalefeat.pipelines` feeds its
network what the study fed it. whalefeat's own, general form of these
quantities is :class:`~whalefeat.ComplexityEntropyCurve` with
``distribution="spectral"``.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._compat import Interval, StrOptions, _fit_context

__all__ = ["StudySpectralSeries"]

_NAMES = ("H", "C_SQ", "C_JSD", "C_TV")


class StudySpectralSeries(TransformerMixin, BaseEstimator):
    """Entropy and three statistical complexities of each mel frame, as the study computed them.

    Input: mel **power** spectrograms ``M`` of shape ``(n_clips, n_mels,
    n_frames)``, such as ``Spectrogram(n_mels=64, mel_scale="htk",
    normalization="raw", center=True, scaling="power")`` gives (equal to
    ``librosa.feature.melspectrogram``). For each clip:

    1. ``D = power_to_db(M, ref=min(M)) ** 2``: decibels relative to the clip's
       smallest power, ``10 log10(max(M, amin)) - 10 log10(max(min(M),
       amin))``, clipped below at the clip's maximum minus ``top_db`` (as
       ``librosa.power_to_db(M, ref=np.min, amin=amin, top_db=top_db)``), then
       squared; every value is >= 0.
    2. For each frame ``j``: ``p = D[:, j] / sum(D[:, j])``, the zero entries
       dropped (an empty mel filter, or the clip's quietest bins); ``N`` is
       the number of entries left.

       - ``H = -sum p log2 p / log2 N``
       - ``C_SQ = H * sum (p - 1/N)^2`` (Euclidean, LMC disequilibrium)
       - ``C_JSD = H * JS^2 * Q0``, ``JS`` the Jensen-Shannon distance between
         ``p`` and the uniform ``1/N`` with natural logarithms (as
         :func:`scipy.spatial.distance.jensenshannon`) and ``Q0 = -2 / ((N +
         1)/N log2(N + 1) - 2 log2(2N) + log2 N)``
       - ``C_TV = H * (sum |p - 1/N|)^2 / 4`` (total variation)

    A frame with a single nonzero entry has ``H = 0`` and all complexities 0.
    Everything is evaluated in float64.

    Parameters
    ----------
    amin : float, default=1e-10
        Smallest power taken before the logarithm (librosa's ``amin``).
    top_db : float or None, default=80.0
        Dynamic range kept below each clip's maximum, in dB; ``None`` keeps
        everything.
    layout : {"study", "frames"}, default="study"
        ``"study"``: ``(n_clips, 4, n_frames)``, the four measures as steps and
        the frames as channels, the shape the study fed its 1-D network (whose
        kernel-size-1 convolutions then mix all frames). ``"frames"``:
        ``(n_clips, n_frames, 4)``, one step per frame.

    Attributes
    ----------
    n_features_in_ : int
        Number of mel bands seen in ``fit``.
    n_frames_ : int
        Number of frames seen in ``fit`` (1 for single spectra).
    input_ndim_ : int
        3 for spectrograms, 2 for single spectra.

    See Also
    --------
    whalefeat.ComplexityEntropyCurve : The general form (``distribution="spectral"``).
    whalefeat.pipelines.get : ``get("seed-inception")`` builds the whole recipe.

    Examples
    --------
    >>> import numpy as np
    >>> from whalefeat import StudySpectralSeries
    >>> M = np.random.default_rng(0).random((2, 64, 126))   # 2 clips' mel power
    >>> series = StudySpectralSeries().fit_transform(M)
    >>> series.shape
    (2, 4, 126)
    >>> StudySpectralSeries().fit(M).get_feature_names_out()[:3].tolist()
    ['H_t0', 'H_t1', 'H_t2']
    >>> StudySpectralSeries(layout="frames").fit(M).get_feature_names_out().tolist()
    ['H', 'C_SQ', 'C_JSD', 'C_TV']
    """

    _parameter_constraints: dict = {
        "amin": [Interval(Real, 0, None, closed="neither")],
        "top_db": [Interval(Real, 0, None, closed="left"), None],
        "layout": [StrOptions({"study", "frames"})],
    }

    def __init__(
        self, *, amin: float = 1e-10, top_db: float | None = 80.0, layout: str = "study"
    ) -> None:
        self.amin = amin
        self.top_db = top_db
        self.layout = layout

    def _validate_input(self, X, reset: bool) -> np.ndarray:
        X = validate_data(self, X, reset=reset, dtype=np.float64, allow_nd=True)
        if X.ndim not in (2, 3):
            raise ValueError(
                "X must be mel power spectrograms of shape (n_clips, n_mels, n_frames) or "
                f"single spectra (n_clips, n_mels), got an array of shape {X.shape}"
            )
        if not reset and X.ndim != self.input_ndim_:
            raise ValueError(
                f"X has {X.ndim} dimensions but this StudySpectralSeries was fitted on "
                f"{self.input_ndim_}-D input (shape {X.shape})"
            )
        if (X < 0).any():
            clip = int(np.flatnonzero((X < 0).reshape(len(X), -1).any(axis=1))[0])
            raise ValueError(
                f"Negative values in data passed to StudySpectralSeries: X must hold powers "
                f"(>= 0), clip {clip} does not (dB input? use Spectrogram(scaling='power'))"
            )
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> StudySpectralSeries:
        """Check ``X`` and record its shape.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_mels, n_frames) or (n_clips, n_mels)
            Mel power spectrograms, or single spectra (one frame per clip).
        y : None
            Ignored.

        Returns
        -------
        self : StudySpectralSeries
            This transformer.
        """
        X = self._validate_input(X, reset=True)
        self.input_ndim_ = X.ndim
        self.n_frames_ = X.shape[2] if X.ndim == 3 else 1
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """The (H, C_SQ, C_JSD, C_TV) series of each clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_mels, n_frames)
            Mel power spectrograms with the number of bands seen in ``fit``.

        Returns
        -------
        series : ndarray of float64
            ``(n_clips, 4, n_frames)`` with ``layout="study"``, ``(n_clips,
            n_frames, 4)`` with ``layout="frames"``; ``(n_clips, 4)`` for single
            spectra.
        """
        check_is_fitted(self)
        self._validate_params()
        X = self._validate_input(X, reset=False)
        if X.ndim == 2:
            return _study_series(X[:, :, np.newaxis], float(self.amin), self.top_db)[:, 0]
        series = _study_series(X, float(self.amin), self.top_db)
        return series.transpose(0, 2, 1) if self.layout == "study" else series

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Get the names of the last axis of ``transform``.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        names : ndarray of str objects
            ``layout="frames"``: the four measures; ``layout="study"``: one name
            per frame, ``"H_t<j>"`` (the frames are the channels; the rows are
            ``H, C_SQ, C_JSD, C_TV``).
        """
        check_is_fitted(self)
        if self.layout == "frames" or self.input_ndim_ == 2:
            return np.asarray(_NAMES, dtype=object)
        return np.asarray([f"H_t{j}" for j in range(self.n_frames_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.positive_only = True
        return tags


def _study_series(M: np.ndarray, amin: float, top_db: float | None) -> np.ndarray:
    """(n, n_mels, n_frames) power -> (n, n_frames, 4) float64, the recipe above."""
    log_power = 10.0 * np.log10(np.maximum(amin, M))
    reference = 10.0 * np.log10(np.maximum(amin, M.min(axis=(1, 2), keepdims=True)))
    db = log_power - reference
    if top_db is not None:
        db = np.maximum(db, db.max(axis=(1, 2), keepdims=True) - top_db)
    squared = np.moveaxis(db * db, 1, -1)  # (n, frames, mels)
    total = squared.sum(axis=-1, keepdims=True)
    empty = total[..., 0] == 0
    if empty.any():
        clip, frame = (int(i[0]) for i in np.nonzero(empty))
        raise ValueError(
            f"clip {clip}, frame {frame}: every band is at the clip's smallest power (or "
            "within amin of it), so the frame is no distribution; the study's recipe is "
            "undefined for such (silent or constant) clips"
        )
    p = squared / total
    kept = p > 0
    N = kept.sum(axis=-1)
    safe_p = np.where(kept, p, 1.0)
    u = 1.0 / N[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        log2_N = np.log2(N)
        H = np.where(N > 1, -(p * np.log2(safe_p)).sum(axis=-1) / log2_N, 0.0)
        deviation = np.where(kept, p - u, 0.0)
        c_sq = H * (deviation * deviation).sum(axis=-1)
        c_tv = H * np.abs(deviation).sum(axis=-1) ** 2 / 4.0
        m = np.where(kept, (p + u) / 2.0, 1.0)
        js_divergence = 0.5 * (
            (p * np.log(safe_p / m)).sum(axis=-1)
            + np.where(kept, u * np.log(u / m), 0.0).sum(axis=-1)
        )
        q0 = -2.0 / ((N + 1) / N * np.log2(N + 1) - 2.0 * np.log2(2.0 * N) + log2_N)
        c_jsd = np.where(N > 1, H * np.maximum(js_divergence, 0.0) * q0, 0.0)
    return np.stack([H, c_sq, c_jsd, c_tv], axis=-1)
