"""Numba kernels of :mod:`whalefeat.complexity` (private), with their numerical notes.

The kernels turn distributions (pattern counts, or any non-negative weights) into
entropy-complexity pairs; :mod:`whalefeat.complexity` checks the input and calls
them. Everything below describes how they evaluate the definitions of ordpy
(``permutation_entropy``, ``complexity_entropy``, ``tsallis_complexity_entropy``,
``renyi_complexity_entropy``), which whalefeat matches to 1e-10 where ordpy is
itself accurate; the user guide (``docs/user_guide/complexity.rst``) has the
formulas.
*Accuracy.* Every divergence is written as a sum of non-negative terms, one per
pattern: with ``m = (p + u) / 2`` (``u = 1/n``), ``D_q = (1/2) sum_i m_i
[psi_q(p_i/m_i) + psi_q(u/m_i)]`` where ``psi_q(t) = (q (t - 1) - (t^q - 1)) /
(1 - q)`` is the tangent-corrected Tsallis divergence function (convex, zero at
``t = 1``), and ``t`` enters only through ``ln t = log1p(+-(r - 1)/(r + 1))``,
``r = n p`` (exact integer arithmetic for counts). ``psi_q`` is evaluated by its
power series in ``ln t`` near ``t = 1`` and by ``expm1`` forms elsewhere, with
the limit ``q = 1`` (Shannon) exact, and every logarithm comes from a ratio
near 1 (``log1p``) or from one rounded quotient. Nothing cancels: against a
60-digit reference the relative error is a few units in the last place
(below 1e-15) for ``q`` from 1e-3 to about 10, next to ``q = 1`` included.
Beyond, ``t^q = exp(q ln t)`` inherits the rounding of ``ln t``, about
``q |ln t|`` units in the last place (``|ln t| < ln 2``; 5e-14 seen at
``q = 1075``), and where ``t^q`` would overflow (ordpy raises
``ZeroDivisionError`` above ``q`` of about 1075) the largest exponential is
scaled out. The Renyi divergence is ``log1p((q - 1) K_q) / (q - 1)`` with
``K_q`` the Tsallis sum above; its relative error stays below 1e-14 for every
``q`` tried up to 1e4. ``H`` is clamped at 1, which rounding may exceed by an ulp.

*Cost.* Probabilities are counts over ``N`` windows and take few distinct
values, so every ``q``-dependent term is evaluated once per distinct count (and
once for all missing patterns), from logarithms taken once per count value; the
work per ``q`` does not grow with ``d!``. Since all series of a batch have the
same ``N``, the terms of a count value are computed once per batch and then
only summed, series after series.

Scratch layout
--------------
The per-distribution quantities live in the rows of a ``work`` array (rows
``W_*``, see :func:`_prepare`), the per-q sums in the rows of ``acc`` (``A_*``),
and the cached terms of one count value in ``memo_x`` (columns ``M_*``) and
``memo_terms`` (rows ``T_*``). What a kernel needs per (number of outcomes,
measure, q grid) is a :class:`Plan`, whose fields are passed one by one.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numba import njit

from . import ordinal

TSALLIS = 0
RENYI = 1
_LN2 = math.log(2.0)
# Past this exponent the Tsallis sums are kept as (sum * exp(-scale), scale) so that t^q
# cannot overflow; exp(600) times the largest weight sum stays far below the float maximum.
_SCALE_AT = 600.0
# psi_q(e^x) is evaluated by its power series (terms k = 2 .. _N_COEF + 1) where
# max(|x|, q |x|) <= 1; the first term left out is below 2e-17 of the sum there.
_N_COEF = 18
# Series with at most this many windows cache the per-q terms of each count value.
MEMO_COUNTS = 1 << 14

# rows of the work array filled by _prepare (one column per divergence term)
W_MULT_P = 0  # mult p
W_LOG_INV_P = 1  # ln(1/p)
W_X = 2  # x = ln t of the divergence terms
W_EXPM1_X = 3  # expm1(x)
W_X_EXP_X = 4  # x e^x
W_WEIGHT = 5  # weight of the term
WORK_ROWS = 6
# rows of the per-q accumulators: the entropy sum and the two psi sums with their scales
A_ENTROPY = 0
A_D1 = 1
A_SCALE1 = 2
A_D2 = 3
A_SCALE2 = 4
ACC_ROWS = 5
# columns of memo_x (the scalars of one count value) and rows of memo_terms (its per-q terms)
M_P = 0
M_LOG_INV_P = 1
M_X1 = 2
M_X2 = 3
M_WEIGHT = 4
MEMO_X_COLS = 5
T_ENTROPY = 0
T_D1 = 1
T_D2 = 2
MEMO_TERMS = 3

# --------------------------------------------------------------------------------------------
# numba maths core
#
# psi_q(t) = (q (t - 1) - (t^q - 1)) / (1 - q), taken as a function of x = ln t:
#     psi(x) = (q expm1(x) - expm1(q x)) / (1 - q) = sum_{k>=2} q (1 + q + ... + q^(k-2)) x^k / k!
# It is non-negative and zero at x = 0; x = -inf (a missing pattern) gives 1; q = 1 gives the
# Shannon limit x e^x - expm1(x). Near x = 0 every closed form cancels, hence the series, whose
# coefficients depend on q only and are computed once per q for all series.


@njit(cache=True, nogil=True)
def _series_coefficients(qs):
    """Power-series coefficients of psi for each q, and whether they are all finite."""
    coef = np.empty((qs.shape[0], _N_COEF))
    usable = np.empty(qs.shape[0], dtype=np.bool_)
    for iq in range(qs.shape[0]):
        q = qs[iq]
        geometric = 1.0  # 1 + q + ... + q^(k-2)
        factorial = 2.0  # k!
        for i in range(_N_COEF):
            k = i + 2
            coef[iq, i] = q * geometric / factorial
            geometric = 1.0 + q * geometric
            factorial *= k + 1
        usable[iq] = np.isfinite(coef[iq]).all()
    return coef, usable


@njit(cache=True, nogil=True, inline="always")
def _psi(x, expm1_x, x_exp_x, q, coef, iq, usable):
    """psi_q at ``x`` (finite) given ``expm1(x)`` and ``x e^x``, accurate for every q > 0."""
    if x == 0.0:
        return 0.0
    ax = abs(x)
    if usable[iq] and ax <= 1.0 and q * ax <= 1.0:
        total = coef[iq, _N_COEF - 1]
        for i in range(_N_COEF - 2, -1, -1):
            total = total * x + coef[iq, i]
        return total * x * x
    if q == 1.0:
        return x_exp_x - expm1_x
    if x == _LN2:
        # the missing patterns' term: 2 (2^(q-1) - 1)/(q - 1) - 1, here with q ln 2 > 1; pow
        # keeps 2^(q-1) exact to rounding, where exp((q-1) ln 2) would lose q ulps
        return 2.0 * ((2.0 ** (q - 1.0) - 1.0) / (q - 1.0)) - 1.0
    if q < 0.5:
        return (q * expm1_x - math.expm1(q * x)) / (1.0 - q)
    # the same value as above, written without the 0/0 at q = 1
    z = (q - 1.0) * x
    return x_exp_x * (math.expm1(z) / z) - expm1_x


@njit(cache=True, nogil=True)
def _psi_sums(work, lo, hi, n_minus_inf, qs, coef, usable, total, scale):
    """``n_minus_inf + sum_{lo<=j<hi} w_j psi_q(x_j)`` for every q, overflow-safe.

    Writes ``total[iq] * exp(scale[iq])`` = the sum; ``n_minus_inf`` counts terms at
    ``x = -inf`` (psi = 1). The loop over q is innermost: its iterations are
    independent, which keeps the floating-point units busy.
    """
    n_q = qs.shape[0]
    xmax = -np.inf
    for j in range(lo, hi):
        xmax = max(xmax, work[W_X, j])
    for iq in range(n_q):
        q = qs[iq]
        if q > 1.0 and q * xmax > _SCALE_AT:
            # psi e^-scale = (e^(qx - scale) - e^-scale (1 + q expm1(x))) / (q - 1): the second
            # part, and the n_minus_inf terms, are below e^-600 of the largest term: dropped.
            scale[iq] = q * xmax
            total[iq] = 0.0
        else:
            scale[iq] = 0.0
            total[iq] = n_minus_inf
    for j in range(lo, hi):
        x = work[W_X, j]
        expm1_x = work[W_EXPM1_X, j]
        x_exp_x = work[W_X_EXP_X, j]
        w = work[W_WEIGHT, j]
        for iq in range(n_q):
            q = qs[iq]
            if scale[iq] > 0.0:
                total[iq] += w * math.exp(q * x - scale[iq])
            else:
                total[iq] += w * _psi(x, expm1_x, x_exp_x, q, coef, iq, usable)
    for iq in range(n_q):
        if scale[iq] > 0.0:
            total[iq] /= qs[iq] - 1.0


@njit(cache=True, nogil=True)
def _softplus(z):
    if z > 0.0:
        return z + math.log1p(math.exp(-z))
    return math.log1p(math.exp(z))


@njit(cache=True, nogil=True)
def _renyi_divergence(total, scale, alpha, n_pat, work, lo, hi):
    """Renyi divergence ``ln(sum_i m_i t_i^alpha) / (alpha - 1)`` from the psi sum.

    ``sum m t^alpha = 1 + (alpha - 1) K`` with ``K = sum m psi(t)`` the Tsallis
    divergence, and ``total * exp(scale) = 2 n K`` (the weights are ``2 n m``).
    """
    if scale > 0.0:
        log_sum = _softplus(math.log((alpha - 1.0) * total / (2.0 * n_pat)) + scale)
    else:
        y = (alpha - 1.0) * total / (2.0 * n_pat)
        if y >= -0.5:
            log_sum = math.log1p(y)
        else:  # alpha < 1 and sum m t^alpha < 1/2: the direct sum has no cancellation
            direct = 0.0
            for j in range(lo, hi):
                direct += work[W_WEIGHT, j] * math.exp(alpha * work[W_X, j])
            log_sum = math.log(direct / (2.0 * n_pat))
    return log_sum / (alpha - 1.0)


@njit(cache=True, nogil=True)
def _prepare(vals, mult, k, total, n_pat, work):
    """Per-distinct-count quantities of one distribution; every logarithm taken once.

    ``vals[:k]`` are the distinct nonzero counts (or probabilities), ``mult[:k]``
    how many patterns have each, ``total`` their sum. Fills the rows of ``work``:

    - ``W_MULT_P``: ``mult p`` (``p`` the probability); ``W_LOG_INV_P``: ``ln(1/p)``;
    - ``W_X``: ``x = ln t`` for the divergence terms: ``ln(p/m)`` at ``j < k``,
      ``ln(u/m)`` at ``k <= j < 2k`` and, if patterns are missing, ``ln 2`` (their
      ``u/m``) at ``2k``, with ``m = (p + u)/2``, ``u = 1/n``;
    - ``W_EXPM1_X``: ``expm1(x)``; ``W_X_EXP_X``: ``x e^x``;
    - ``W_WEIGHT``: the weights ``mult (1 + n p)`` (the number of missing patterns at ``2k``).

    Returns ``(number of divergence terms, number of missing patterns)``; the
    missing patterns' ``p/m`` terms (``x = -inf``) are left implicit.
    """
    n_present = 0.0
    for j in range(k):
        v = vals[j]
        work[W_MULT_P, j] = mult[j] * (v / total)
        # each logarithm from the ratio nearest to 1 or from one rounded quotient, never
        # from a rounded quantity near 0 (integer arithmetic is exact for counts)
        if 2.0 * v <= total:
            work[W_LOG_INV_P, j] = math.log(total / v)
        else:
            work[W_LOG_INV_P, j] = -math.log1p(-(total - v) / total)
        nv = n_pat * v
        t = (nv - total) / (nv + total)  # (r - 1)/(r + 1), r = n p
        work[W_X, j] = math.log(2.0 * nv / (nv + total)) if t < -0.5 else math.log1p(t)
        work[W_X, k + j] = math.log(2.0 * total / (nv + total)) if t > 0.5 else math.log1p(-t)
        weight = mult[j] * ((total + nv) / total)
        work[W_WEIGHT, j] = weight
        work[W_WEIGHT, k + j] = weight
        n_present += mult[j]
    n_missing = n_pat - n_present
    n_terms = 2 * k
    if n_missing > 0.0:
        work[W_X, n_terms] = _LN2
        work[W_WEIGHT, n_terms] = n_missing
        n_terms += 1
    for j in range(n_terms):
        x = work[W_X, j]
        work[W_EXPM1_X, j] = math.expm1(x)
        work[W_X_EXP_X, j] = x * math.exp(x)
    return n_terms, n_missing


@njit(cache=True, nogil=True)
def _renyi_log_sum(y, work, k, alpha):
    """``ln(sum mult p^alpha)`` given ``y = sum mult p expm1((1 - alpha) ln(1/p))``."""
    if y >= -0.5:
        return math.log1p(y)
    smallest = np.inf
    for j in range(k):
        smallest = min(smallest, work[W_LOG_INV_P, j])
    total = 0.0
    for j in range(k):
        mult_p = work[W_MULT_P, j]
        # mult p^alpha = (mult p) p^(alpha - 1), relative to the largest p
        total += mult_p * math.exp((1.0 - alpha) * (work[W_LOG_INV_P, j] - smallest))
    return (1.0 - alpha) * smallest + math.log(total)


@njit(cache=True, nogil=True)
def _direct_sums(work, k, n_terms, n_missing, qs, coef, usable, acc):
    """Entropy sums (``acc[A_ENTROPY]``) and psi sums with their scales (``acc[A_D1:]``) per q."""
    n_q = qs.shape[0]
    entropy = acc[A_ENTROPY]
    entropy[:] = 0.0
    for j in range(k):
        mult_p = work[W_MULT_P, j]
        log_inv_p = work[W_LOG_INV_P, j]
        for iq in range(n_q):
            s = 1.0 - qs[iq]
            if s == 0.0:
                entropy[iq] += mult_p * log_inv_p
            else:
                entropy[iq] += mult_p * math.expm1(s * log_inv_p)
    _psi_sums(work, 0, k, n_missing, qs, coef, usable, acc[A_D1], acc[A_SCALE1])
    _psi_sums(work, k, n_terms, 0.0, qs, coef, usable, acc[A_D2], acc[A_SCALE2])


@njit(cache=True, nogil=True)
def _finish(measure, qs, n_pat, dmax_value, dmax_scale, work, k, n_terms, acc, out):
    """``(H_q, C_q)`` into ``out`` from the sums in ``acc`` (see ``_direct_sums``)."""
    log_n = math.log(n_pat)
    for iq in range(qs.shape[0]):
        q = qs[iq]
        s = 1.0 - q
        entropy = acc[A_ENTROPY, iq]
        d1, scale1, d2, scale2 = acc[A_D1, iq], acc[A_SCALE1, iq], acc[A_D2, iq], acc[A_SCALE2, iq]
        if s == 0.0:
            h = entropy / log_n
        elif measure == TSALLIS:
            h = entropy / math.expm1(s * log_n)
        else:
            h = _renyi_log_sum(entropy, work, k, q) / (s * log_n)
        h = min(h, 1.0)  # rounding can put a near-uniform distribution an ulp above 1
        if measure == TSALLIS or s == 0.0:  # both are the Shannon pair at q = 1
            scale = max(scale1, scale2)
            value = d1 * math.exp(scale1 - scale) + d2 * math.exp(scale2 - scale)
        else:
            value = 0.5 * (
                _renyi_divergence(d1, scale1, q, n_pat, work, 0, k)
                + _renyi_divergence(d2, scale2, q, n_pat, work, k, n_terms)
            )
            scale = 0.0
        out[2 * iq] = h
        out[2 * iq + 1] = h * (value / dmax_value[iq]) * math.exp(scale - dmax_scale[iq])


@njit(cache=True, nogil=True)
def _curve_from_distinct(
    vals, mult, k, total, n_pat, measure, qs, coef, usable, dmax_value, dmax_scale, work, acc, out
):
    """Write ``(H_q, C_q)`` for every ``q`` into ``out`` (length ``2 len(qs)``).

    ``work`` is scratch of shape ``(WORK_ROWS, 2 k + 1)`` at least, ``acc`` of shape
    ``(ACC_ROWS, len(qs))``.
    """
    n_terms, n_missing = _prepare(vals, mult, k, total, n_pat, work)
    _direct_sums(work, k, n_terms, n_missing, qs, coef, usable, acc)
    _finish(measure, qs, n_pat, dmax_value, dmax_scale, work, k, n_terms, acc, out)


@njit(cache=True, nogil=True)
def _memo_fill(v, slot, total, n_pat, qs, coef, usable, scratch, memo_x, memo_terms):
    """Cache, in row ``slot``, the per-q terms of one pattern with count ``v`` of ``total``.

    ``memo_x[slot]``: ``p``, ``ln(1/p)``, ``ln(p/m)``, ``ln(u/m)``, ``1 + n p``;
    ``memo_terms[slot]``: the entropy term ``p expm1((1 - q) ln(1/p))`` (``p ln(1/p)``
    at ``q = 1``) and the two divergence terms ``(1 + n p) psi_q``, for every q.
    ``scratch`` is at least ``(WORK_ROWS, 4)``.
    """
    if v == 0:  # an absent pattern: x = -inf (psi = 1) and ln 2, weight 1
        memo_x[slot, M_P], memo_x[slot, M_LOG_INV_P] = 0.0, np.inf
        memo_x[slot, M_X1], memo_x[slot, M_X2], memo_x[slot, M_WEIGHT] = -np.inf, _LN2, 1.0
        expm1_ln2 = math.expm1(_LN2)
        ln2_exp_ln2 = _LN2 * math.exp(_LN2)
        for iq in range(qs.shape[0]):
            memo_terms[slot, T_ENTROPY, iq] = 0.0
            memo_terms[slot, T_D1, iq] = 1.0
            memo_terms[slot, T_D2, iq] = _psi(
                _LN2, expm1_ln2, ln2_exp_ln2, qs[iq], coef, iq, usable
            )
        return
    # columns 3 of two rows hold the one-count distribution (value v, multiplicity 1)
    value = scratch[W_MULT_P, 3:4]
    one = scratch[W_LOG_INV_P, 3:4]
    value[0] = v
    one[0] = 1.0
    _prepare(value, one, 1, total, n_pat, scratch)  # writes columns 0 to 2 only
    # scalars first: the loop below then keeps them in registers
    p, log_inv_p, weight = scratch[W_MULT_P, 0], scratch[W_LOG_INV_P, 0], scratch[W_WEIGHT, 0]
    x1, expm1_x1, x1_exp_x1 = scratch[W_X, 0], scratch[W_EXPM1_X, 0], scratch[W_X_EXP_X, 0]
    x2, expm1_x2, x2_exp_x2 = scratch[W_X, 1], scratch[W_EXPM1_X, 1], scratch[W_X_EXP_X, 1]
    memo_x[slot, M_P], memo_x[slot, M_LOG_INV_P] = p, log_inv_p
    memo_x[slot, M_X1], memo_x[slot, M_X2], memo_x[slot, M_WEIGHT] = x1, x2, weight
    entropy = memo_terms[slot, T_ENTROPY]
    divergence1 = memo_terms[slot, T_D1]
    divergence2 = memo_terms[slot, T_D2]
    for iq in range(qs.shape[0]):
        s = 1.0 - qs[iq]
        entropy[iq] = p * (log_inv_p if s == 0.0 else math.expm1(s * log_inv_p))
    for iq in range(qs.shape[0]):
        divergence1[iq] = weight * _psi(x1, expm1_x1, x1_exp_x1, qs[iq], coef, iq, usable)
    for iq in range(qs.shape[0]):
        divergence2[iq] = weight * _psi(x2, expm1_x2, x2_exp_x2, qs[iq], coef, iq, usable)


@njit(cache=True, nogil=True)
def _curve_from_counts(
    vals,
    mult,
    k,
    total,
    n_pat,
    measure,
    qs,
    dmax_value,
    dmax_scale,
    memo_slot,
    memo_x,
    memo_terms,
    work,
    acc,
    out,
):
    """As ``_curve_from_distinct`` for integer counts, from cached per-count terms.

    ``memo_slot[v]`` is the row of ``memo_x`` and ``memo_terms`` (see
    ``_memo_fill``) that holds count ``v``; every count in ``vals`` (and 0 if
    patterns are missing) must have one. Valid where no psi sum needs scaling
    (every q below 600 / ln 2).
    """
    n_present = 0.0
    for j in range(k):
        n_present += mult[j]
    n_missing = n_pat - n_present
    n_q = qs.shape[0]
    for iq in range(n_q):
        acc[A_ENTROPY, iq] = 0.0
        acc[A_SCALE1, iq] = 0.0
        acc[A_SCALE2, iq] = 0.0
    if n_missing > 0.0:
        row = memo_slot[0]
        for iq in range(n_q):
            acc[A_D1, iq] = n_missing * memo_terms[row, T_D1, iq]
            acc[A_D2, iq] = n_missing * memo_terms[row, T_D2, iq]
    else:
        for iq in range(n_q):
            acc[A_D1, iq] = 0.0
            acc[A_D2, iq] = 0.0
    for j in range(k):
        row = memo_slot[int(vals[j])]
        m = mult[j]
        for iq in range(n_q):
            acc[A_ENTROPY, iq] += m * memo_terms[row, T_ENTROPY, iq]
            acc[A_D1, iq] += m * memo_terms[row, T_D1, iq]
            acc[A_D2, iq] += m * memo_terms[row, T_D2, iq]
        # what the Renyi fallbacks of _finish read (see _prepare)
        work[W_MULT_P, j] = m * memo_x[row, M_P]
        work[W_LOG_INV_P, j] = memo_x[row, M_LOG_INV_P]
        work[W_X, j] = memo_x[row, M_X1]
        work[W_X, k + j] = memo_x[row, M_X2]
        work[W_WEIGHT, j] = m * memo_x[row, M_WEIGHT]
        work[W_WEIGHT, k + j] = m * memo_x[row, M_WEIGHT]
    n_terms = 2 * k
    if n_missing > 0.0:
        work[W_X, n_terms] = _LN2
        work[W_WEIGHT, n_terms] = n_missing
        n_terms += 1
    _finish(measure, qs, n_pat, dmax_value, dmax_scale, work, k, n_terms, acc, out)


@njit(cache=True, nogil=True)
def _divergence_maximum(n_pat, measure, qs, coef, usable):
    """Divergence from uniform of a distribution on one pattern, as (value, scale) arrays.

    The divergence is ``value * exp(scale)`` (``scale`` is 0 for Renyi).
    """
    n_q = qs.shape[0]
    work = np.empty((WORK_ROWS, 3))
    acc = np.empty((ACC_ROWS, n_q))
    n_terms, n_missing = _prepare(np.ones(1), np.ones(1), 1, 1.0, n_pat, work)
    value = np.empty(n_q)
    scale = np.empty(n_q)
    _psi_sums(work, 0, 1, n_missing, qs, coef, usable, acc[A_D1], acc[A_SCALE1])
    _psi_sums(work, 1, n_terms, 0.0, qs, coef, usable, acc[A_D2], acc[A_SCALE2])
    for iq in range(n_q):
        d1, scale1, d2, scale2 = acc[A_D1, iq], acc[A_SCALE1, iq], acc[A_D2, iq], acc[A_SCALE2, iq]
        if measure == TSALLIS or qs[iq] == 1.0:
            scale[iq] = max(scale1, scale2)
            value[iq] = d1 * math.exp(scale1 - scale[iq]) + d2 * math.exp(scale2 - scale[iq])
        else:
            scale[iq] = 0.0
            value[iq] = 0.5 * (
                _renyi_divergence(d1, scale1, qs[iq], n_pat, work, 0, 1)
                + _renyi_divergence(d2, scale2, qs[iq], n_pat, work, 1, n_terms)
            )
    return value, scale


@njit(cache=True, nogil=True)
def _distinct_sorted(values, vals, mult):
    """Distinct nonzero entries of ``values`` and their multiplicities (by sorting)."""
    ordered = np.sort(values)
    k = 0
    previous = 0.0
    for i in range(ordered.shape[0] - 1, -1, -1):
        v = ordered[i]
        if v == 0:
            break
        if k > 0 and v == previous:
            mult[k - 1] += 1.0
        else:
            vals[k] = v
            mult[k] = 1.0
            previous = v
            k += 1
    return k


@njit(cache=True, nogil=True)
def _add(counts, histogram, code, step):
    """Change the count of pattern ``code`` by ``step``, keeping the histogram of counts."""
    histogram[counts[code]] -= 1
    counts[code] += step
    histogram[counts[code]] += 1


@njit(cache=True, nogil=True)
def _distinct_from_histogram(histogram, n_pat, vals, mult):
    """Distinct nonzero counts and their multiplicities, read off the histogram of counts."""
    n_present = n_pat - histogram[0]
    k = 0
    found = 0
    c = 1
    while found < n_present:
        if histogram[c] > 0:
            vals[k] = c
            mult[k] = histogram[c]
            found += histogram[c]
            k += 1
        c += 1
    return k


@njit(cache=True, nogil=True)
def _signal_curves_kernel(
    Y,
    dimension,
    delay,
    table,
    ties,
    seed,
    window,
    hop,
    n_pat,
    measure,
    qs,
    coef,
    usable,
    dmax_value,
    dmax_scale,
    extra,
    out,
):
    """Curves of the series ``Y[i, j, :]`` in windows of ``window`` samples, ``hop`` apart.

    ``Y`` is ``(n, m, length)``, C-contiguous; ``out`` is ``(n, m, n_frames, 2 len(qs))``,
    or with ``extra`` (Shannon only) ``(n, m, n_frames, 4)``: ``H``, the Jensen-Shannon
    ``C`` and the Euclidean and total-variation complexities (:func:`_extra_disequilibria`).
    """
    n, m, _ = Y.shape
    n_frames = out.shape[2]
    span = (dimension - 1) * delay
    per_frame = window - span
    used = (n_frames - 1) * hop + window
    n_patterns = int(n_pat)
    size = min(n_patterns, per_frame) + 1
    use_memo = per_frame <= MEMO_COUNTS and qs.max() * _LN2 <= _SCALE_AT
    # cached terms of each count value met so far: memo_slot[v] is its row, or -1
    memo_slot = np.full(per_frame + 1 if use_memo else 1, -1, dtype=np.int64)
    memo_x = np.empty((64, MEMO_X_COLS))
    memo_terms = np.empty((64, MEMO_TERMS, qs.shape[0]))
    n_rows = 0
    codes = np.empty(used - span, dtype=np.int32)
    counts = np.empty(n_patterns, dtype=np.int64)
    histogram = np.empty(per_frame + 1, dtype=np.int64)  # patterns per count value
    vals = np.empty(size)
    mult = np.empty(size)
    work = np.empty((WORK_ROWS, 2 * size + 1))
    acc = np.empty((ACC_ROWS, qs.shape[0]))
    for index in range(n * m):
        i = index // m
        j = index % m
        ordinal._codes_into(Y[i, j, :used], dimension, delay, table, ties, seed, codes)
        counts[:] = 0
        for t in range(per_frame):
            counts[codes[t]] += 1
        histogram[:] = 0
        for pattern in range(n_patterns):
            histogram[counts[pattern]] += 1
        for f in range(n_frames):
            if f > 0:  # drop the windows that leave the frame, then add those that enter
                start = (f - 1) * hop
                for t in range(start, min(start + hop, start + per_frame)):
                    _add(counts, histogram, codes[t], -1)
                for t in range(max(start + hop, start + per_frame), start + hop + per_frame):
                    _add(counts, histogram, codes[t], 1)
            k = _distinct_from_histogram(histogram, n_patterns, vals, mult)
            if not use_memo:
                _curve_from_distinct(
                    vals,
                    mult,
                    k,
                    float(per_frame),
                    n_pat,
                    measure,
                    qs,
                    coef,
                    usable,
                    dmax_value,
                    dmax_scale,
                    work,
                    acc,
                    out[i, j, f],
                )
                if extra:
                    _extra_disequilibria(vals, mult, k, float(per_frame), n_pat, out[i, j, f])
                continue
            if n_rows + k + 1 > memo_x.shape[0]:
                capacity = 2 * (n_rows + k + 1)
                grown_x = np.empty((capacity, MEMO_X_COLS))
                grown_terms = np.empty((capacity, MEMO_TERMS, qs.shape[0]))
                grown_x[:n_rows] = memo_x[:n_rows]
                grown_terms[:n_rows] = memo_terms[:n_rows]
                memo_x, memo_terms = grown_x, grown_terms
            for jj in range(-1, k):
                v = 0 if jj < 0 else int(vals[jj])
                if memo_slot[v] < 0 and (jj >= 0 or histogram[0] > 0):
                    memo_slot[v] = n_rows
                    _memo_fill(
                        v,
                        n_rows,
                        float(per_frame),
                        n_pat,
                        qs,
                        coef,
                        usable,
                        work,
                        memo_x,
                        memo_terms,
                    )
                    n_rows += 1
            _curve_from_counts(
                vals,
                mult,
                k,
                float(per_frame),
                n_pat,
                measure,
                qs,
                dmax_value,
                dmax_scale,
                memo_slot,
                memo_x,
                memo_terms,
                work,
                acc,
                out[i, j, f],
            )
            if extra:
                _extra_disequilibria(vals, mult, k, float(per_frame), n_pat, out[i, j, f])


@njit(cache=True, nogil=True)
def _extra_disequilibria(vals, mult, k, total, n_pat, out):
    """Euclidean and total-variation complexities into ``out[2]`` and ``out[3]``.

    With ``H = out[0]`` (the Shannon entropy already written) and ``u = 1/n``:
    ``Q_E = n/(n - 1) sum_i (p_i - u)^2`` and ``Q_TV = n/(2 (n - 1)) sum_i |p_i - u|``,
    each divided by its maximum over distributions on ``n`` outcomes (reached by a
    one-hot distribution: ``(n - 1)/n`` and ``2 (n - 1)/n``), so both lie in
    ``[0, 1]``; the complexities are ``H Q_E`` and ``H Q_TV``. ``p_i - u`` is
    ``(n v - total) / (n total)``: exact numerators for integer counts. Absent
    outcomes each add ``u^2`` and ``u``.
    """
    squares = 0.0
    absolute = 0.0
    n_present = 0.0
    scale = n_pat * total
    for j in range(k):
        d = (n_pat * vals[j] - total) / scale
        squares += mult[j] * (d * d)
        absolute += mult[j] * abs(d)
        n_present += mult[j]
    n_missing = n_pat - n_present
    u = 1.0 / n_pat
    squares += n_missing * (u * u)
    absolute += n_missing * u
    h = out[0]
    out[2] = h * (squares * (n_pat / (n_pat - 1.0)))
    out[3] = h * (absolute * (n_pat / (2.0 * (n_pat - 1.0))))


@njit(cache=True, nogil=True)
def _distribution_curves(P, n_pat, measure, qs, coef, usable, dmax_value, dmax_scale, extra, out):
    """Curves of the (unnormalised) distributions in the rows of ``P``.

    ``out`` is ``(len(P), 2 len(qs))``, or ``(len(P), 4)`` with ``extra`` (see
    :func:`_signal_curves_kernel`). The rows may be float32 (each is summed and
    sorted in float64).
    """
    size = P.shape[1] + 1
    row = np.empty(P.shape[1])
    vals = np.empty(size)
    mult = np.empty(size)
    work = np.empty((WORK_ROWS, 2 * size + 1))
    acc = np.empty((ACC_ROWS, qs.shape[0]))
    for i in range(P.shape[0]):
        total = 0.0
        for j in range(P.shape[1]):
            row[j] = P[i, j]
            total += row[j]
        k = _distinct_sorted(row, vals, mult)
        _curve_from_distinct(
            vals,
            mult,
            k,
            total,
            n_pat,
            measure,
            qs,
            coef,
            usable,
            dmax_value,
            dmax_scale,
            work,
            acc,
            out[i],
        )
        if extra:
            _extra_disequilibria(vals, mult, k, total, n_pat, out[i])


@njit(cache=True, nogil=True)
def _csr_count_curves(
    indptr, counts, n_pat, measure, qs, coef, usable, dmax_value, dmax_scale, extra, out
):
    """Curves of count rows in compressed sparse rows (``ordinal.block_counts_2d_csr``).

    Row ``r`` holds the nonzero counts ``counts[indptr[r]:indptr[r + 1]]``; the other
    ``n_pat`` minus that many outcomes are absent. ``out`` as in
    :func:`_distribution_curves`.
    """
    n_rows = indptr.shape[0] - 1
    longest = 0
    for r in range(n_rows):
        longest = max(longest, indptr[r + 1] - indptr[r])
    size = longest + 1
    row = np.empty(longest)
    vals = np.empty(size)
    mult = np.empty(size)
    work = np.empty((WORK_ROWS, 2 * size + 1))
    acc = np.empty((ACC_ROWS, qs.shape[0]))
    for r in range(n_rows):
        lo = indptr[r]
        length = indptr[r + 1] - lo
        total = 0.0
        for j in range(length):
            row[j] = counts[lo + j]
            total += row[j]
        k = _distinct_sorted(row[:length], vals, mult)
        _curve_from_distinct(
            vals,
            mult,
            k,
            total,
            n_pat,
            measure,
            qs,
            coef,
            usable,
            dmax_value,
            dmax_scale,
            work,
            acc,
            out[r],
        )
        if extra:
            _extra_disequilibria(vals, mult, k, total, n_pat, out[r])


@njit(cache=True, nogil=True)
def _two_value_curves(
    first, rest, n_rest, n_pat, measure, qs, coef, usable, dmax_value, dmax_scale, out
):
    """Curves of the distributions ``(first[i], rest[i] x n_rest[i])``."""
    vals = np.empty(2)
    mult = np.empty(2)
    work = np.empty((WORK_ROWS, 5))
    acc = np.empty((ACC_ROWS, qs.shape[0]))
    for i in range(first.shape[0]):
        k = 0
        if first[i] > 0.0:
            vals[k] = first[i]
            mult[k] = 1.0
            k += 1
        if rest[i] > 0.0 and n_rest[i] > 0.0:
            if k == 1 and rest[i] == first[i]:
                mult[0] += n_rest[i]
            else:
                vals[k] = rest[i]
                mult[k] = n_rest[i]
                k += 1
        total = 0.0
        for j in range(k):
            total += vals[j] * mult[j]
        _curve_from_distinct(
            vals,
            mult,
            k,
            total,
            n_pat,
            measure,
            qs,
            coef,
            usable,
            dmax_value,
            dmax_scale,
            work,
            acc,
            out[i],
        )


class Plan(NamedTuple):
    """What the kernels need per (number of outcomes, measure, q grid); see :func:`plan`.

    Its fields are passed one by one to the kernels (numba takes them as plain
    arguments); the arrays are read-only.
    """

    n_pat: float  # number of outcomes n (patterns, or spectral bins)
    measure: int  # TSALLIS or RENYI (q = 1 is Shannon for both)
    qs: np.ndarray  # the q values, float64
    coef: np.ndarray  # psi power-series coefficients per q (_series_coefficients)
    usable: np.ndarray  # whether those coefficients are all finite
    dmax_value: np.ndarray  # divergence maximum per q: dmax_value * exp(dmax_scale)
    dmax_scale: np.ndarray


def _make_plan(n_outcomes: int, measure: int, qs: np.ndarray) -> Plan:
    n_pat = float(n_outcomes)
    qs = np.array(qs, dtype=np.float64)
    coef, usable = _series_coefficients(qs)
    dmax_value, dmax_scale = _divergence_maximum(n_pat, measure, qs, coef, usable)
    for array in (qs, coef, usable, dmax_value, dmax_scale):
        array.setflags(write=False)
    return Plan(n_pat, measure, qs, coef, usable, dmax_value, dmax_scale)


@lru_cache(maxsize=64)
def _cached_plan(n_outcomes: int, measure: int, q_bytes: bytes) -> Plan:
    return _make_plan(n_outcomes, measure, np.frombuffer(q_bytes, dtype=np.float64))


def plan(n_outcomes: int, measure: int, qs) -> Plan:
    """The (read-only, cached) plan for ``n_outcomes`` outcomes: repeated calls skip its set-up."""
    qs = np.ascontiguousarray(qs, dtype=np.float64)
    return _cached_plan(int(n_outcomes), int(measure), qs.tobytes())
