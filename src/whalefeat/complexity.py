"""Permutation entropy, statistical complexity and complexity-entropy curves.

Bandt-Pompe ordinal patterns of embedding dimension ``d`` and delay ``tau``
(:mod:`whalefeat.ordinal`) give a distribution ``P`` over the ``n = d!``
patterns. From it this module computes

- Shannon: the normalised permutation entropy ``H = S(P) / ln n`` and the
  statistical complexity ``C = H * JS(P, U) / JS_max`` (Rosso et al. 2007),
  ``JS`` being the Jensen-Shannon divergence to the uniform distribution ``U``;
- Tsallis: ``H_q = S_q(P) / ln_q(n)`` and ``C_q = H_q * D_q(P, U) / D_q^*``
  (Ribeiro, Jauregui, Zunino and Lenzi, Phys. Rev. E 95, 062106, 2017), which
  trace the complexity-entropy curve as ``q`` runs over ``(0, inf)``; at
  ``q = 1`` they equal ``(H, C)``;
- Renyi: the same with Renyi's entropy and the Jensen-Renyi divergence
  (Jauregui, Zunino, Lenzi, Mendes and Ribeiro, Physica A 498, 74, 2018).

The definitions are those of ordpy (``permutation_entropy``,
``complexity_entropy``, ``tsallis_complexity_entropy``,
``renyi_complexity_entropy``); whalefeat matches them to 1e-10 where ordpy is
itself accurate, and to a few units in the last place against a 60-digit
reference everywhere else (next to ``q = 1``, and far above ``q = 1000``
where ordpy overflows). The terms are evaluated once per distinct count, so the
cost per ``q`` does not grow with ``d!``. Read more: the user guide's
"Ordinal patterns and complexity-entropy curves" (``docs/user_guide/complexity.rst``)
and the numerical notes of :mod:`whalefeat._entropy_kernels`.

:class:`ComplexityEntropyCurve`, the scikit-learn transformer of these
features, is importable from here as well as from :mod:`whalefeat`.
"""

from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.utils import check_random_state

from . import _entropy_kernels as _kernels
from . import ordinal

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import ArrayLike

    from ._complexity_curve import ComplexityEntropyCurve

__all__ = [
    "ComplexityEntropyCurve",
    "complexity_entropy",
    "default_q_grid",
    "maximum_complexity",
    "minimum_complexity",
    "permutation_entropy",
    "renyi_complexity_entropy",
    "tsallis_complexity_entropy",
]

_TSALLIS = _kernels.TSALLIS
_RENYI = _kernels.RENYI
# Values per block of rows handed to the kernel (a transposed spectrogram block is copied).
_BLOCK_VALUES = 1 << 22


def _plan(dimension: int, measure: int, qs) -> _kernels.Plan:
    """The (read-only, cached) kernel plan for ``dimension!`` patterns."""
    return _kernels.plan(ordinal.n_patterns(dimension), measure, qs)


# --------------------------------------------------------------------------------------------
# Python-level helpers


def default_q_grid() -> np.ndarray:
    """The default grid of ``q`` values: log-spaced from 0.01 to 100, 12 per decade.

    The 49 values ``10 ** (k / 12)``, ``k = -24, ..., 24``, hold ``q = 1``
    exactly (the Shannon point of the curve), as well as 0.01, 0.1, 10 and 100.

    Returns
    -------
    q : ndarray of shape (49,)
        Increasing ``q`` values.

    Examples
    --------
    >>> q = default_q_grid()
    >>> q.shape, q[0], q[24], q[-1]
    ((49,), np.float64(0.01), np.float64(1.0), np.float64(100.0))
    """
    return 10.0 ** (np.arange(-24, 25) / 12.0)


_TIES = {"stable": ordinal.TIES_STABLE, "jitter": ordinal.TIES_JITTER}


def _check_dimension(dimension, delay) -> None:
    if (
        not isinstance(dimension, Integral)
        or isinstance(dimension, bool)
        or not 2 <= dimension <= ordinal.MAX_DIMENSION
    ):
        raise ValueError(
            f"dimension must be an integer from 2 to {ordinal.MAX_DIMENSION}, got {dimension!r}"
        )
    if not isinstance(delay, Integral) or isinstance(delay, bool) or delay < 1:
        raise ValueError(f"delay must be a positive integer, got {delay!r}")


def _check_q(q, name: str) -> np.ndarray:
    try:
        values = np.asarray(q, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a positive number or a 1-D array of them, got {q!r}"
        ) from None
    if values.ndim > 1 or values.size == 0:
        raise ValueError(
            f"{name} must be a positive number or a non-empty 1-D array of them, "
            f"got an array of shape {values.shape}"
        )
    bad = ~(np.isfinite(values) & (values > 0))
    if bad.any():
        raise ValueError(f"{name} must hold positive finite values, got {float(values[bad][0])!r}")
    return values


def _check_ties(ties, random_state) -> tuple[int, int]:
    if ties not in _TIES:
        raise ValueError(f"ties must be 'stable' or 'jitter', got {ties!r}")
    seed = 0
    if ties == "jitter":
        seed = int(
            check_random_state(random_state).randint(np.iinfo(np.int64).max, dtype=np.int64)
        )
    return _TIES[ties], seed


def _check_signal(x, name: str = "x") -> np.ndarray:
    array = np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.dtype != np.float32:
        array = array.astype(np.float64, copy=False)
    if array.ndim == 0:
        raise ValueError(
            f"{name} must be at least 1-D (a series along its last axis), got a scalar"
        )
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite values")
    return array


def _check_length(length: int, dimension: int, delay: int) -> None:
    needed = (dimension - 1) * delay + 1
    if length < needed:
        raise ValueError(
            f"x holds series of length {length}, too short for dimension={dimension}, "
            f"delay={delay}: an ordinal pattern spans (dimension - 1) * delay + 1 = {needed} "
            "samples"
        )


def _row_blocks(n_rows: int, row_values: int, n_threads: int) -> list[tuple[int, int]]:
    """Split rows into blocks of at most ``_BLOCK_VALUES`` values, ``4 n_threads`` or more."""
    per_block = max(1, _BLOCK_VALUES // max(row_values, 1))
    if n_threads > 1:
        per_block = min(per_block, -(-n_rows // (4 * n_threads)))
    return [(start, min(start + per_block, n_rows)) for start in range(0, n_rows, per_block)]


def _n_columns(plan: _kernels.Plan, extra: bool) -> int:
    """Kernel output columns: ``(H_q, C_q)`` per q, or H and three complexities (``extra``)."""
    return 4 if extra else 2 * plan.qs.shape[0]


def _signal_block(block, dimension, delay, table, ties, seed, window, hop, plan, extra):
    """Curves of one block of rows (the worker of ``_signal_curves``): returns its result.

    A module-level function that returns what it computes, so that every joblib
    backend can run it: threads, but also processes (loky, multiprocessing, dask),
    which cannot write into the caller's memory.
    """
    n, m, length = block.shape
    n_frames = 1 + (length - window) // hop
    out = np.empty((n, m, n_frames, _n_columns(plan, extra)))
    _kernels._signal_curves_kernel(
        np.ascontiguousarray(block),
        dimension,
        delay,
        table,
        ties,
        seed,
        window,
        hop,
        plan.n_pat,
        plan.measure,
        plan.qs,
        plan.coef,
        plan.usable,
        plan.dmax_value,
        plan.dmax_scale,
        extra,
        out,
    )
    return out


def _distribution_block(block, plan, extra):
    """Curves of one block of distributions along the last axis (the worker of
    ``_distribution_curves``): ``block.shape[:-1] + (columns,)``."""
    rows = np.ascontiguousarray(block).reshape(-1, block.shape[-1])
    out = np.empty((rows.shape[0], _n_columns(plan, extra)))
    _kernels._distribution_curves(
        rows,
        plan.n_pat,
        plan.measure,
        plan.qs,
        plan.coef,
        plan.usable,
        plan.dmax_value,
        plan.dmax_scale,
        extra,
        out,
    )
    return out.reshape(*block.shape[:-1], -1)


def _ordinal2d_block(block, dx, dy, taux, tauy, ties, seed, window, hop, plan, extra):
    """Curves of every block of frames of a block of images (see ``_ordinal2d_curves``)."""
    indptr, _, counts = ordinal.block_counts_2d_csr(
        block, dx, dy, taux, tauy, ties, seed, window, hop
    )
    n_blocks = (indptr.shape[0] - 1) // block.shape[0]
    out = np.empty((block.shape[0] * n_blocks, _n_columns(plan, extra)))
    _kernels._csr_count_curves(
        indptr,
        counts,
        plan.n_pat,
        plan.measure,
        plan.qs,
        plan.coef,
        plan.usable,
        plan.dmax_value,
        plan.dmax_scale,
        extra,
        out,
    )
    return out.reshape(block.shape[0], n_blocks, -1)


def _run_blocks(worker, X, blocks, args, out, n_jobs):
    """``out[start:stop] = worker(X[start:stop], *args)`` for every block, on joblib workers.

    The first block runs in this thread: the kernels are compiled (or loaded from
    numba's cache, which this also writes) before any worker calls them, so
    compilation and cache files never race. Threads are preferred (the kernels
    release the GIL and the blocks are views, not copies), but a backend chosen by
    the caller (``joblib.parallel_config``) takes precedence; each worker returns
    its block, assembled here, so the result is the same on every backend.
    """
    start, stop = blocks[0]
    out[start:stop] = worker(X[start:stop], *args)
    rest = blocks[1:]
    if not rest:
        return out
    # a list, not return_as="generator": the multiprocessing backend cannot return one
    results = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(worker)(X[start:stop], *args) for start, stop in rest
    )
    for (start, stop), result in zip(rest, results, strict=True):
        out[start:stop] = result
    return out


def _blocked(worker, X, args, out, n_jobs):
    """Run ``worker`` on blocks of the rows of ``X`` (serially, or the first row alone and
    then the rest split for the joblib workers), writing ``out``."""
    n = X.shape[0]
    row_values = max(1, X[:1].size)
    n_workers = 1 if n == 1 else effective_n_jobs(n_jobs)
    if n_workers == 1:
        return _run_blocks(worker, X, _row_blocks(n, row_values, 1), args, out, None)
    blocks = [(0, 1)] + [
        (start + 1, stop + 1) for start, stop in _row_blocks(n - 1, row_values, n_workers)
    ]
    return _run_blocks(worker, X, blocks, args, out, n_jobs)


def _signal_curves(X, dimension, delay, ties, seed, window, hop, plan, n_jobs=None, extra=False):
    """Curves of the series ``X[i, j, :]``: (n, m, length) -> (n, m, n_frames, 2 n_q).

    ``X`` may be any strided view (a transposed spectrogram); each block of rows
    is made C-contiguous before the kernel runs on it. With ``n_jobs`` other than
    1 the blocks run on joblib workers (threads unless a backend is set).
    """
    n, m, length = X.shape
    n_frames = 1 + (length - window) // hop
    out = np.empty((n, m, n_frames, _n_columns(plan, extra)))
    args = (
        dimension,
        delay,
        ordinal.pattern_table(dimension),
        ties,
        np.uint64(seed),
        window,
        hop,
        plan,
        extra,
    )
    return _blocked(_signal_block, X, args, out, n_jobs)


def _distribution_curves(P, plan, n_jobs=None, extra=False):
    """Curves of the (unnormalised, checked) distributions along the last axis of ``P``
    (2-D or 3-D, any view), in blocks along its first axis."""
    out = np.empty((*P.shape[:-1], _n_columns(plan, extra)))
    return _blocked(_distribution_block, P, (plan, extra), out, n_jobs)


def _ordinal2d_curves(
    S, dx, dy, taux, tauy, ties, seed, window, hop, plan, n_jobs=None, extra=False
):
    """Curves of 2-D patterns of the images ``S`` (n, rows, columns), per block of columns:
    (n, n_blocks, columns of the kernel output)."""
    n_blocks = 1 + (S.shape[2] - window) // hop
    out = np.empty((S.shape[0], n_blocks, _n_columns(plan, extra)))
    args = (dx, dy, taux, tauy, ties, seed, window, hop, plan, extra)
    return _blocked(_ordinal2d_block, S, args, out, n_jobs)


def _curves(x, dimension, delay, measure, qs, probs, ties, random_state):
    """Shared body of the public functions: returns ``(..., len(qs), 2)``."""
    _check_dimension(dimension, delay)
    plan = _plan(dimension, measure, qs)
    if probs:
        P = np.asarray(x, dtype=np.float64)
        if P.ndim == 0 or P.size == 0:
            raise ValueError(f"x must be a non-empty probability vector, got shape {P.shape}")
        if P.shape[-1] > plan.n_pat:
            raise ValueError(
                f"x holds {P.shape[-1]} probabilities, more than the dimension! = "
                f"{int(plan.n_pat)} patterns of dimension={dimension}"
            )
        if not np.isfinite(P).all() or (P < 0).any():
            raise ValueError("x must hold finite non-negative probabilities (or counts)")
        if (P.sum(axis=-1) <= 0).any():
            raise ValueError("x holds a distribution that sums to zero")
        lead = P.shape[:-1]
        rows = np.ascontiguousarray(P.reshape(-1, P.shape[-1]))
        out = _distribution_curves(rows, plan)
    else:
        array = _check_signal(x)
        _check_length(array.shape[-1], dimension, delay)
        tie_code, seed = _check_ties(ties, random_state)
        lead = array.shape[:-1]
        rows = np.ascontiguousarray(array.reshape(-1, array.shape[-1]))
        out = _signal_curves(
            rows[:, None, :], dimension, delay, tie_code, seed, rows.shape[1], 1, plan
        )[:, 0, 0]
    return out.reshape(*lead, plan.qs.shape[0], 2)


# --------------------------------------------------------------------------------------------
# public functions

_SIGNAL_DOC = """x : array-like of shape (..., n_times) or (..., n_patterns)
        A series, or a batch of series along the last axis (each row of a 2-D
        array is one series, unlike ordpy, which reads 2-D data as an image).
        With ``probs=True``: pattern probabilities or counts along the last
        axis, at most ``dimension!`` of them (absent patterns may be left out);
        each distribution is normalised to sum to one."""


def permutation_entropy(
    x: ArrayLike,
    *,
    dimension: int = 3,
    delay: int = 1,
    probs: bool = False,
    ties: str = "stable",
    random_state: int | np.random.RandomState | None = None,
) -> float | np.ndarray:
    """Compute the normalised permutation entropy ``H = -sum p ln p / ln(dimension!)``.

    Parameters
    ----------
    {signal}
    dimension : int, default=3
        Embedding dimension ``d`` (2 to 8); there are ``d!`` patterns.
    delay : int, default=1
        Embedding delay ``tau`` in samples.
    probs : bool, default=False
        Whether ``x`` holds pattern probabilities (or counts) rather than series.
    ties : {{"stable", "jitter"}}, default="stable"
        How equal values within a pattern are ranked: ``"stable"`` by order of
        appearance (ordpy's convention); ``"jitter"`` at random, as if a
        perturbation smaller than the smallest gap between distinct values were
        added (see :class:`ComplexityEntropyCurve`).
    random_state : int, RandomState instance or None, default=None
        Seeds the tie-breaking of ``ties="jitter"``; unused otherwise.

    Returns
    -------
    H : float or ndarray of shape x.shape[:-1]
        Entropy in [0, 1].

    Examples
    --------
    >>> from whalefeat.complexity import permutation_entropy
    >>> round(permutation_entropy([4, 7, 9, 10, 6, 11, 3], dimension=3), 12)
    0.588762155916
    >>> float(permutation_entropy(range(100), dimension=4))
    0.0
    """
    values = _curves(x, dimension, delay, _TSALLIS, np.ones(1), probs, ties, random_state)
    h = values[..., 0, 0]
    return float(h) if h.ndim == 0 else h


def complexity_entropy(
    x: ArrayLike,
    *,
    dimension: int = 3,
    delay: int = 1,
    probs: bool = False,
    ties: str = "stable",
    random_state: int | np.random.RandomState | None = None,
) -> np.ndarray:
    """Compute the permutation entropy ``H`` and the statistical complexity ``C``.

    ``C = H * JS(P, U) / JS_max`` with ``JS`` the Jensen-Shannon divergence
    between the pattern distribution ``P`` and the uniform one, and ``JS_max``
    its value for a distribution concentrated on one pattern (Rosso et al.,
    Phys. Rev. Lett. 99, 154102, 2007).

    Parameters
    ----------
    {signal}
    dimension : int, default=3
        Embedding dimension ``d`` (2 to 8).
    delay : int, default=1
        Embedding delay in samples.
    probs : bool, default=False
        Whether ``x`` holds pattern probabilities (or counts).
    ties : {{"stable", "jitter"}}, default="stable"
        Tie policy, as in :func:`permutation_entropy`.
    random_state : int, RandomState instance or None, default=None
        Seeds ``ties="jitter"``.

    Returns
    -------
    hc : ndarray of shape x.shape[:-1] + (2,)
        ``(H, C)``.

    Examples
    --------
    >>> from whalefeat.complexity import complexity_entropy
    >>> complexity_entropy([4, 7, 9, 10, 6, 11, 3], dimension=2).round(12).tolist()
    [0.918295834054, 0.061128165488]
    >>> p = [1/3, 1/15, 4/15, 2/15, 1/5, 0]
    >>> complexity_entropy(p, dimension=3, probs=True).round(12).tolist()
    [0.831445483859, 0.165767166234]
    """
    return _curves(x, dimension, delay, _TSALLIS, np.ones(1), probs, ties, random_state)[..., 0, :]


def _generalised(x, q, dimension, delay, measure, probs, ties, random_state, name):
    qs = default_q_grid() if q is None else _check_q(q, name)
    values = _curves(x, dimension, delay, measure, np.atleast_1d(qs), probs, ties, random_state)
    if q is not None and np.ndim(q) == 0:
        return values[..., 0, :]
    return values


def tsallis_complexity_entropy(
    x: ArrayLike,
    *,
    q: float | ArrayLike | None = None,
    dimension: int = 3,
    delay: int = 1,
    probs: bool = False,
    ties: str = "stable",
    random_state: int | np.random.RandomState | None = None,
) -> np.ndarray:
    """Compute the Tsallis complexity-entropy curve ``(H_q, C_q)``.

    ``H_q = S_q(P) / ln_q(n)`` with ``S_q(P) = sum p ln_q(1/p)`` and
    ``ln_q(x) = expm1((1 - q) ln x) / (1 - q)``; ``C_q = H_q D_q(P, U) / D_q^*``
    with ``D_q`` the Jensen-Tsallis divergence to the uniform distribution and
    ``D_q^*`` its maximum (Ribeiro et al., Phys. Rev. E 95, 062106, 2017). At
    ``q = 1`` the pair equals :func:`complexity_entropy`. Accurate for every
    ``q > 0`` (including next to 1 and far above 1000).

    Parameters
    ----------
    {signal}
    q : float, array-like of shape (n_q,) or None, default=None
        Positive ``q`` value(s). ``None`` means :func:`default_q_grid`.
    dimension : int, default=3
        Embedding dimension ``d`` (2 to 8).
    delay : int, default=1
        Embedding delay in samples.
    probs : bool, default=False
        Whether ``x`` holds pattern probabilities (or counts).
    ties : {{"stable", "jitter"}}, default="stable"
        Tie policy, as in :func:`permutation_entropy`.
    random_state : int, RandomState instance or None, default=None
        Seeds ``ties="jitter"``.

    Returns
    -------
    hc : ndarray
        ``(H_q, C_q)``: shape ``x.shape[:-1] + (2,)`` for a scalar ``q``, else
        ``x.shape[:-1] + (n_q, 2)``.

    Examples
    --------
    >>> from whalefeat.complexity import tsallis_complexity_entropy
    >>> tsallis_complexity_entropy([4, 7, 9, 10, 6, 11, 3], q=2, dimension=2).round(8).tolist()
    [0.88888889, 0.07619048]
    >>> tsallis_complexity_entropy([4, 7, 9, 10, 6, 11, 3], q=[0.5, 5000], dimension=2).shape
    (2, 2)
    """
    return _generalised(x, q, dimension, delay, _TSALLIS, probs, ties, random_state, "q")


def renyi_complexity_entropy(
    x: ArrayLike,
    *,
    alpha: float | ArrayLike | None = None,
    dimension: int = 3,
    delay: int = 1,
    probs: bool = False,
    ties: str = "stable",
    random_state: int | np.random.RandomState | None = None,
) -> np.ndarray:
    """Compute the Renyi complexity-entropy curve ``(H_alpha, C_alpha)``.

    ``H_alpha = ln(sum p^alpha) / ((1 - alpha) ln n)`` and ``C_alpha = H_alpha
    JR_alpha(P, U) / JR_alpha^*``, with the Jensen-Renyi divergence
    ``JR_alpha = [R_alpha(P | M) + R_alpha(U | M)] / 2``, ``M = (P + U) / 2``,
    and its maximum as in Jauregui et al. (Physica A 498, 74, 2018) and ordpy's
    ``renyi_complexity_entropy``. ``alpha = 1`` gives :func:`complexity_entropy`.

    Parameters
    ----------
    {signal}
    alpha : float, array-like of shape (n_alpha,) or None, default=None
        Positive Renyi order(s). ``None`` means :func:`default_q_grid`.
    dimension : int, default=3
        Embedding dimension ``d`` (2 to 8).
    delay : int, default=1
        Embedding delay in samples.
    probs : bool, default=False
        Whether ``x`` holds pattern probabilities (or counts).
    ties : {{"stable", "jitter"}}, default="stable"
        Tie policy, as in :func:`permutation_entropy`.
    random_state : int, RandomState instance or None, default=None
        Seeds ``ties="jitter"``.

    Returns
    -------
    hc : ndarray
        ``(H_alpha, C_alpha)``: shape ``x.shape[:-1] + (2,)`` for a scalar
        ``alpha``, else ``x.shape[:-1] + (n_alpha, 2)``.

    Examples
    --------
    >>> from whalefeat.complexity import renyi_complexity_entropy
    >>> renyi_complexity_entropy([4, 7, 9, 10, 6, 11, 3], alpha=2, dimension=2).round(8).tolist()
    [0.84799691, 0.08303895]
    """
    return _generalised(x, alpha, dimension, delay, _RENYI, probs, ties, random_state, "alpha")


for _function in (
    permutation_entropy,
    complexity_entropy,
    tsallis_complexity_entropy,
    renyi_complexity_entropy,
):
    _function.__doc__ = _function.__doc__.format(signal=_SIGNAL_DOC)
del _function


def _family_curve(dimension, first, rest, n_rest):
    """Shannon ``(H, C)`` of the distributions ``(first[i], rest[i] x n_rest[i], 0, ...)``."""
    plan = _plan(dimension, _TSALLIS, np.ones(1))
    out = np.empty((first.shape[0], 2))
    _kernels._two_value_curves(
        first,
        rest,
        n_rest.astype(np.float64),
        plan.n_pat,
        plan.measure,
        plan.qs,
        plan.coef,
        plan.usable,
        plan.dmax_value,
        plan.dmax_scale,
        out,
    )
    return out


def minimum_complexity(dimension: int, n_points: int = 100) -> np.ndarray:
    """Lower bound of the Shannon complexity-entropy plane for ``dimension``.

    The distributions ``p = (x, (1 - x)/(n - 1), ..., (1 - x)/(n - 1))`` with
    ``x`` from ``1/n`` to 1 have the least complexity for their entropy
    (Martin, Plastino and Rosso, Physica A 369, 439, 2006). The points are those
    of ordpy's ``minimum_complexity_entropy(dx=dimension, size=n_points)``:
    ``x`` on ``numpy.linspace(1/n, 1, n_points)``.

    Parameters
    ----------
    dimension : int
        Embedding dimension ``d`` (2 to 8); ``n = d!``.
    n_points : int, default=100
        Number of points.

    Returns
    -------
    hc : ndarray of shape (n_points, 2)
        ``(H, C)`` pairs in increasing ``H``, from ``(0, 0)`` to ``(1, 0)``.

    Examples
    --------
    >>> from whalefeat.complexity import minimum_complexity
    >>> minimum_complexity(3, n_points=4).round(6).tolist()
    [[0.0, 0.0], [0.579268, 0.212175], [0.882425, 0.090858], [1.0, 0.0]]
    """
    _check_dimension(dimension, 1)
    if not isinstance(n_points, Integral) or n_points < 2:
        raise ValueError(f"n_points must be an integer >= 2, got {n_points!r}")
    n_pat = ordinal.n_patterns(dimension)
    first = np.linspace(1.0 / n_pat, 1.0, n_points)[::-1]
    rest = (1.0 - first) / (n_pat - 1)
    rest[-1] = first[-1]  # exactly uniform, rather than (1 - 1/n) / (n - 1)
    return _family_curve(dimension, first, rest, np.full(n_points, n_pat - 1))


def maximum_complexity(dimension: int, n_points: int = 10) -> np.ndarray:
    """Upper bound of the Shannon complexity-entropy plane for ``dimension``.

    For ``m = 2, ..., n`` the distributions ``p = (x, (1 - x)/(m - 1), ...)``
    over ``m`` patterns (the others absent) with ``x`` from 0 to ``1/m`` have the
    greatest complexity for their entropy (Martin, Plastino and Rosso, Physica A
    369, 439, 2006); segment ``m`` runs from the uniform distribution on
    ``m - 1`` patterns to the uniform one on ``m``, so the segments join into one
    curve from ``(0, 0)`` to ``(1, 0)``. ordpy's ``maximum_complexity_entropy``
    samples the same family but only for ``x <= 1/n``, which leaves gaps for
    ``m < n``; every one of its points lies on this curve.

    Parameters
    ----------
    dimension : int
        Embedding dimension ``d`` (2 to 8); ``n = d!``.
    n_points : int, default=10
        Points per segment, both ends included (``x`` on
        ``numpy.linspace(0, 1/m, n_points)``).

    Returns
    -------
    hc : ndarray of shape ((n - 1) * (n_points - 1) + 1, 2)
        ``(H, C)`` pairs in increasing ``H``.

    Examples
    --------
    >>> from whalefeat.complexity import maximum_complexity
    >>> maximum_complexity(3, n_points=2).round(6).tolist()
    [[0.0, 0.0], [0.386853, 0.271239], [0.613147, 0.291452], [0.773706, 0.225516], \
[0.898244, 0.121811], [1.0, 0.0]]
    """
    _check_dimension(dimension, 1)
    if not isinstance(n_points, Integral) or n_points < 2:
        raise ValueError(f"n_points must be an integer >= 2, got {n_points!r}")
    n_pat = ordinal.n_patterns(dimension)
    sizes = np.repeat(np.arange(2, n_pat + 1), n_points - 1)
    steps = np.tile(np.arange(n_points - 1), n_pat - 1)
    # the end x = 1/m of segment m is the start x = 0 of segment m + 1: only the last is added
    first = np.append(steps / (n_points - 1) / sizes, 1.0 / n_pat)
    n_rest = np.append(sizes - 1, n_pat - 1)
    rest = (1.0 - first) / n_rest
    rest[-1] = first[-1]
    return _family_curve(dimension, first, rest, n_rest)


def __getattr__(name: str):
    # the transformer lives in its own module, which imports this one
    if name == "ComplexityEntropyCurve":
        from ._complexity_curve import ComplexityEntropyCurve

        return ComplexityEntropyCurve
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
