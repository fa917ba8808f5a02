"""Plotting helpers: spectrograms, the complexity-entropy plane, curves, ROC curves.

matplotlib is an optional dependency (``pip install "whalefeat[plot]"``); it is
imported only when a function here is called. Every function draws on the
axes given as ``ax`` (a new figure when ``ax`` is None) and returns the
matplotlib artists it created, so a figure can be restyled or checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:  # matplotlib is imported only when a function here runs
    from matplotlib.axes import Axes
    from matplotlib.collections import QuadMesh

__all__ = [
    "plot_complexity_entropy_curves",
    "plot_complexity_entropy_plane",
    "plot_roc_curves",
    "plot_spectrogram",
]

_INSTALL_HINT = 'whalefeat.plotting needs matplotlib: pip install "whalefeat[plot]"'


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(_INSTALL_HINT) from error
    return plt


def _axes(ax):
    if ax is None:
        _, ax = _pyplot().subplots()
    else:
        _pyplot()
    return ax


def _class_names(labels: np.ndarray, class_names: Mapping | None) -> dict[Any, str]:
    names = {label: str(label) for label in labels}
    if class_names is not None:
        unknown = [key for key in class_names if key not in names]
        if unknown:
            raise ValueError(
                f"class_names has labels {unknown!r} that are not in y; y holds {list(names)!r}"
            )
        names.update({key: str(value) for key, value in class_names.items()})
    return names


def _groups(n: int, y, class_names: Mapping | None) -> list[tuple[Any, str, np.ndarray]]:
    """(label, display name, boolean mask) for each class, or one group without y."""
    if y is None:
        if class_names is not None:
            raise ValueError("class_names needs y, the class of each row")
        return [(None, None, np.ones(n, dtype=bool))]
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"y must be 1-D with {n} entries, one per row; got shape {y.shape}")
    labels = np.unique(y)
    names = _class_names(labels, class_names)
    return [(label, names[label], y == label) for label in labels]


def plot_spectrogram(
    clip: ArrayLike,
    *,
    spectrogram: object | None = None,
    sample_rate: float = 2000,
    frequencies: ArrayLike | None = None,
    times: ArrayLike | None = None,
    ax: Axes | None = None,
    cmap: str = "magma",
    colorbar: bool = True,
    title: str | None = None,
) -> QuadMesh:
    """Draw the spectrogram of one clip, frequency against time.

    Parameters
    ----------
    clip : array-like of shape (n_samples,) or (n_freqs, n_frames)
        A signal, whose spectrogram is computed with ``spectrogram``, or a
        spectrogram already computed (for instance one row of the output of
        :class:`~whalefeat.Spectrogram`).
    spectrogram : Spectrogram, default=None
        The transformer applied to a 1-D ``clip``; ``Spectrogram(sample_rate)``
        when None. It also gives the frequency and time axes. Must be None
        for a 2-D ``clip``.
    sample_rate : float, default=2000
        Sample rate of a 1-D ``clip`` in Hz, used when ``spectrogram`` is None.
    frequencies : array-like of shape (n_freqs,), default=None
        Centre frequency of each row of a 2-D ``clip`` in Hz; the row index
        when None.
    times : array-like of shape (n_frames,), default=None
        Centre time of each column of a 2-D ``clip`` in seconds; the frame
        index when None.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on; a new figure when None.
    cmap : str, default="magma"
        Colour map.
    colorbar : bool, default=True
        Whether to add a colour bar next to ``ax``.
    title : str, default=None
        Title of the axes.

    Returns
    -------
    mesh : matplotlib.collections.QuadMesh
        The image; ``mesh.axes`` is the axes and ``mesh.colorbar`` the colour
        bar (None without one).

    Examples
    --------
    >>> import numpy as np
    >>> from whalefeat.plotting import plot_spectrogram
    >>> t = np.arange(4000) / 2000
    >>> clip = np.sin(2 * np.pi * (60 * t + 40 * t**2))  # a rising sweep
    >>> mesh = plot_spectrogram(clip)
    >>> mesh.axes.get_ylabel()
    'Frequency (Hz)'
    """
    values = np.asarray(clip)
    if values.ndim == 1:
        if frequencies is not None or times is not None:
            raise ValueError(
                "frequencies and times describe a 2-D spectrogram; for a 1-D clip they "
                "come from the spectrogram transformer"
            )
        if spectrogram is None:
            from .spectrogram import Spectrogram

            spectrogram = Spectrogram(sample_rate=sample_rate)
        image = np.asarray(spectrogram.fit_transform(values[np.newaxis, :]))[0]
        frequencies = spectrogram.frequencies_
        times = spectrogram.times_
        frequency_label, time_label = "Frequency (Hz)", "Time (s)"
    elif values.ndim == 2:
        if spectrogram is not None:
            raise ValueError("spectrogram is used only for a 1-D clip; this clip is 2-D")
        image = values
        frequency_label = "Frequency (Hz)" if frequencies is not None else "Frequency bin"
        time_label = "Time (s)" if times is not None else "Frame"
        if frequencies is None:
            frequencies = np.arange(image.shape[0])
        if times is None:
            times = np.arange(image.shape[1])
    else:
        raise ValueError(
            "clip must be a signal of shape (n_samples,) or a spectrogram of shape "
            f"(n_freqs, n_frames); got shape {values.shape}"
        )
    frequencies = np.asarray(frequencies, dtype=float)
    times = np.asarray(times, dtype=float)
    if frequencies.shape != (image.shape[0],) or times.shape != (image.shape[1],):
        raise ValueError(
            f"a spectrogram of shape {image.shape} needs {image.shape[0]} frequencies and "
            f"{image.shape[1]} times; got {frequencies.shape[0]} and {times.shape[0]}"
        )
    ax = _axes(ax)
    mesh = ax.pcolormesh(times, frequencies, image, shading="nearest", cmap=cmap)
    ax.set_xlabel(time_label)
    ax.set_ylabel(frequency_label)
    if title is not None:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax)
    return mesh


def plot_complexity_entropy_plane(
    entropy: ArrayLike,
    complexity: ArrayLike,
    *,
    dimension: int,
    y: ArrayLike | None = None,
    class_names: Mapping | None = None,
    bounds: bool = True,
    ax: Axes | None = None,
    **scatter_kwargs: Any,
) -> dict[str, Any]:
    """Draw clips as points in the complexity-entropy plane, with its bounds.

    Parameters
    ----------
    entropy : array-like of shape (n_clips,)
        Normalised permutation entropy ``H`` of each clip.
    complexity : array-like of shape (n_clips,)
        Statistical complexity ``C`` of each clip.
    dimension : int
        Embedding dimension ``d`` the features were computed with; it sets
        the minimum and maximum complexity curves.
    y : array-like of shape (n_clips,), default=None
        Class of each clip; each class gets its own colour and legend entry.
    class_names : dict, default=None
        Legend names for some or all classes, e.g. ``{0: "noise", 1: "up-call"}``.
    bounds : bool, default=True
        Whether to draw the minimum and maximum complexity curves, as computed
        by :func:`whalefeat.complexity.minimum_complexity` and
        :func:`whalefeat.complexity.maximum_complexity`.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on; a new figure when None.
    **scatter_kwargs
        Passed to :meth:`matplotlib.axes.Axes.scatter` (e.g. ``s``, ``alpha``).

    Returns
    -------
    artists : dict
        ``"minimum"`` and ``"maximum"``: the bound lines
        (:class:`matplotlib.lines.Line2D`, absent when ``bounds`` is False);
        ``"points"``: a dict from class label (None without ``y``) to its
        :class:`matplotlib.collections.PathCollection`.

    Examples
    --------
    >>> import numpy as np
    >>> from whalefeat.plotting import plot_complexity_entropy_plane
    >>> artists = plot_complexity_entropy_plane(
    ...     [0.95, 0.6], [0.05, 0.3], dimension=4, y=[0, 1],
    ...     class_names={0: "noise", 1: "up-call"})
    >>> sorted(artists)
    ['maximum', 'minimum', 'points']
    >>> artists["points"][1].get_label()
    'up-call'
    """
    entropy = np.asarray(entropy, dtype=float)
    complexity = np.asarray(complexity, dtype=float)
    if entropy.ndim != 1 or entropy.shape != complexity.shape:
        raise ValueError(
            "entropy and complexity must be 1-D arrays of the same length; got shapes "
            f"{entropy.shape} and {complexity.shape}"
        )
    groups = _groups(entropy.shape[0], y, class_names)
    ax = _axes(ax)
    artists: dict[str, Any] = {}
    if bounds:
        from .complexity import maximum_complexity, minimum_complexity

        lower = minimum_complexity(dimension)
        upper = maximum_complexity(dimension)
        artists["minimum"] = ax.plot(
            lower[:, 0],
            lower[:, 1],
            color="0.4",
            linestyle="--",
            linewidth=1,
            label=f"minimum complexity (d={dimension})",
        )[0]
        artists["maximum"] = ax.plot(
            upper[:, 0],
            upper[:, 1],
            color="0.2",
            linestyle="-",
            linewidth=1,
            label=f"maximum complexity (d={dimension})",
        )[0]
    artists["points"] = {}
    for label, name, mask in groups:
        artists["points"][label] = ax.scatter(
            entropy[mask], complexity[mask], label=name, **scatter_kwargs
        )
    ax.set_xlabel("Permutation entropy $H$")
    ax.set_ylabel("Statistical complexity $C$")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(bottom=0)
    if y is not None or bounds:
        ax.legend(loc="upper left")
    return artists


def plot_complexity_entropy_curves(
    entropy: ArrayLike,
    complexity: ArrayLike,
    *,
    y: ArrayLike | None = None,
    class_names: Mapping | None = None,
    mean: bool = True,
    ax: Axes | None = None,
    alpha: float = 0.25,
    linewidth: float = 0.8,
) -> dict[str, Any]:
    """Draw complexity-entropy curves, one per clip, coloured by class.

    Each clip's curve joins its points ``(H_q, C_q)`` over the grid of ``q``
    (or ``alpha`` for the Renyi measure), in the order of the columns.

    Parameters
    ----------
    entropy : array-like of shape (n_clips, n_q)
        ``H_q`` of each clip (rows) at each ``q`` (columns).
    complexity : array-like of shape (n_clips, n_q)
        ``C_q`` of each clip at each ``q``.
    y : array-like of shape (n_clips,), default=None
        Class of each clip; each class gets its own colour.
    class_names : dict, default=None
        Legend names for some or all classes.
    mean : bool, default=True
        Whether to add the mean curve of each class as a thick line.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on; a new figure when None.
    alpha : float, default=0.25
        Opacity of the individual curves.
    linewidth : float, default=0.8
        Width of the individual curves.

    Returns
    -------
    artists : dict
        ``"curves"``: a dict from class label (None without ``y``) to the
        list of its :class:`matplotlib.lines.Line2D`, one per clip;
        ``"means"``: a dict from class label to its mean curve (empty when
        ``mean`` is False).

    Examples
    --------
    >>> import numpy as np
    >>> from whalefeat.plotting import plot_complexity_entropy_curves
    >>> H = np.array([[0.99, 0.97, 0.95], [0.8, 0.7, 0.6]])
    >>> C = np.array([[0.02, 0.05, 0.08], [0.2, 0.25, 0.3]])
    >>> artists = plot_complexity_entropy_curves(H, C, y=[0, 1])
    >>> len(artists["curves"][0]), len(artists["means"])
    (1, 2)
    """
    entropy = np.asarray(entropy, dtype=float)
    complexity = np.asarray(complexity, dtype=float)
    if entropy.ndim != 2 or entropy.shape != complexity.shape:
        raise ValueError(
            "entropy and complexity must be 2-D arrays (n_clips, n_q) of the same shape; "
            f"got shapes {entropy.shape} and {complexity.shape}"
        )
    groups = _groups(entropy.shape[0], y, class_names)
    ax = _axes(ax)
    colors = _pyplot().rcParams["axes.prop_cycle"].by_key()["color"]
    artists: dict[str, Any] = {"curves": {}, "means": {}}
    for number, (label, name, mask) in enumerate(groups):
        color = colors[number % len(colors)]
        lines = ax.plot(
            entropy[mask].T, complexity[mask].T, color=color, alpha=alpha, linewidth=linewidth
        )
        artists["curves"][label] = lines
        if mean and mask.any():
            artists["means"][label] = ax.plot(
                entropy[mask].mean(axis=0),
                complexity[mask].mean(axis=0),
                color=color,
                linewidth=2.5,
                label=f"{name} (mean)" if name is not None else "mean",
            )[0]
        elif name is not None and lines:
            lines[0].set_label(name)
    ax.set_xlabel("Entropy $H_q$")
    ax.set_ylabel("Complexity $C_q$")
    if artists["means"] or y is not None:
        ax.legend(loc="best")
    return artists


def _as_folds(values, name: str) -> list[np.ndarray]:
    """One array per fold; a flat sequence of scalars is a single fold."""
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype != object:
        return [values]
    try:
        folds = list(values)
    except TypeError:
        raise TypeError(f"{name} must be an array or a sequence of arrays, one per fold") from None
    if folds and np.ndim(folds[0]) == 0:
        return [np.asarray(folds)]
    return [np.asarray(fold) for fold in folds]


def plot_roc_curves(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    name: str | None = None,
    pos_label: object = None,
    ax: Axes | None = None,
    show_folds: bool = True,
    chance: bool = True,
    color: object = None,
    n_grid: int = 201,
) -> dict[str, Any]:
    """Draw cross-validated ROC curves: each fold, and their mean +/- one std.

    Parameters
    ----------
    y_true : sequence of array-like
        True labels of each test fold (one array per fold), or one array for
        a single fold.
    y_score : sequence of array-like
        Scores of the positive class for the same folds (e.g. the second
        column of ``predict_proba``), in the same order.
    name : str, default=None
        Name of the model, used in the legend.
    pos_label : int or str, default=None
        Label of the positive class; the larger label of a binary ``y_true``
        when None.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on; a new figure when None.
    show_folds : bool, default=True
        Whether to draw each fold's curve (thin lines) besides the mean.
    chance : bool, default=True
        Whether to draw the diagonal of a classifier that guesses.
    color : color, default=None
        Colour of the mean curve and band; the next colour of the cycle when
        None.
    n_grid : int, default=201
        Number of false-positive rates on which the fold curves are
        interpolated before averaging.

    Returns
    -------
    artists : dict
        ``"folds"``: list of :class:`matplotlib.lines.Line2D`, one per fold
        (empty when ``show_folds`` is False); ``"mean"``: the mean curve;
        ``"band"``: the :class:`matplotlib.collections.PolyCollection` of the
        mean +/- one standard deviation (None for a single fold);
        ``"chance"``: the diagonal (None when ``chance`` is False);
        ``"auc"``: the ROC AUC of each fold as an array.

    Examples
    --------
    >>> from whalefeat.plotting import plot_roc_curves
    >>> folds_true = [[0, 0, 1, 1], [0, 1, 0, 1]]
    >>> folds_score = [[0.1, 0.4, 0.35, 0.8], [0.2, 0.9, 0.3, 0.7]]
    >>> artists = plot_roc_curves(folds_true, folds_score, name="model")
    >>> artists["auc"]
    array([0.75, 1.  ])
    >>> artists["mean"].get_label()
    'model (AUC = 0.875 ± 0.125)'
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    true_folds = _as_folds(y_true, "y_true")
    score_folds = _as_folds(y_score, "y_score")
    if len(true_folds) != len(score_folds) or not true_folds:
        raise ValueError(
            f"y_true and y_score must hold the same number of folds (at least one); got "
            f"{len(true_folds)} and {len(score_folds)}"
        )
    grid = np.linspace(0.0, 1.0, n_grid)
    tprs, aucs = [], []
    fold_curves = []
    for number, (truth, score) in enumerate(zip(true_folds, score_folds, strict=True), 1):
        if truth.shape != score.shape or truth.ndim != 1:
            raise ValueError(
                f"fold {number}: y_true and y_score must be 1-D of the same length; got "
                f"shapes {truth.shape} and {score.shape}"
            )
        labels = np.unique(truth)
        if labels.size != 2:
            raise ValueError(
                f"fold {number}: a ROC curve needs both classes in y_true; got {labels!r}"
            )
        positive = labels[-1] if pos_label is None else pos_label
        fpr, tpr, _ = roc_curve(truth, score, pos_label=positive)
        fold_curves.append((fpr, tpr))
        tprs.append(np.interp(grid, fpr, tpr))
        aucs.append(roc_auc_score(truth == positive, score))
    tprs_arr = np.array(tprs)
    tprs_arr[:, 0] = 0.0
    aucs_arr = np.array(aucs)
    mean_tpr = tprs_arr.mean(axis=0)
    mean_tpr[-1] = 1.0

    ax = _axes(ax)
    artists: dict[str, Any] = {"folds": [], "band": None, "chance": None, "auc": aucs_arr}
    if chance:
        artists["chance"] = ax.plot(
            [0, 1], [0, 1], linestyle=":", color="0.5", linewidth=1, label="chance"
        )[0]
    prefix = f"{name} " if name else "ROC "
    if len(aucs_arr) > 1:
        label = f"{prefix}(AUC = {aucs_arr.mean():.3f} ± {aucs_arr.std():.3f})"
    else:
        label = f"{prefix}(AUC = {aucs_arr[0]:.3f})"
    mean_line = ax.plot(grid, mean_tpr, color=color, linewidth=2, label=label)[0]
    artists["mean"] = mean_line
    color = mean_line.get_color()
    if show_folds:
        for number, (fpr, tpr) in enumerate(fold_curves, 1):
            artists["folds"].append(
                ax.plot(fpr, tpr, color=color, alpha=0.35, linewidth=0.8, label=f"_fold {number}")[
                    0
                ]
            )
    if len(aucs_arr) > 1:
        std = tprs_arr.std(axis=0)
        artists["band"] = ax.fill_between(
            grid,
            np.clip(mean_tpr - std, 0, 1),
            np.clip(mean_tpr + std, 0, 1),
            color=color,
            alpha=0.2,
            linewidth=0,
            label="_± 1 std",
        )
    ax.set_xlabel("False positive rate")
    ax.set_ylabel("True positive rate")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_aspect("equal")
    ax.legend(loc="lower right")
    return artists
