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
``renyi_complexity_entropy``), which whalefeat matches to 1e-10 where ordpy is
itself accurate, but the evaluation differs in two ways:

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
"""

from __future__ import annotations

import math
from functools import lru_cache
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from numba import njit
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from . import ordinal

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

_TSALLIS = 0
_RENYI = 1
_LN2 = math.log(2.0)
# Past this exponent the Tsallis sums are kept as (sum * exp(-scale), scale) so that t^q
# cannot overflow; exp(600) times the largest weight sum stays far below the float maximum.
_SCALE_AT = 600.0
# psi_q(e^x) is evaluated by its power series (terms k = 2 .. _N_COEF + 1) where
# max(|x|, q |x|) <= 1; the first term left out is below 2e-17 of the sum there.
_N_COEF = 18
# Series with at most this many windows cache the per-q terms of each count value.
_MEMO_COUNTS = 1 << 14
# Values per block of rows handed to the kernel (a transposed spectrogram block is copied).
_BLOCK_VALUES = 1 << 22


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
        xmax = max(xmax, work[2, j])
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
        x = work[2, j]
        expm1_x = work[3, j]
        x_exp_x = work[4, j]
        w = work[5, j]
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
                direct += work[5, j] * math.exp(alpha * work[2, j])
            log_sum = math.log(direct / (2.0 * n_pat))
    return log_sum / (alpha - 1.0)


@njit(cache=True, nogil=True)
def _prepare(vals, mult, k, total, n_pat, work):
    """Per-distinct-count quantities of one distribution; every logarithm taken once.

    ``vals[:k]`` are the distinct nonzero counts (or probabilities), ``mult[:k]``
    how many patterns have each, ``total`` their sum. Fills the rows of ``work``:

    0. ``mult p`` (``p`` the probability); 1. ``ln(1/p)``;
    2. ``x = ln t`` for the divergence terms: ``ln(p/m)`` at ``j < k``, ``ln(u/m)`` at
       ``k <= j < 2k`` and, if patterns are missing, ``ln 2`` (their ``u/m``) at ``2k``,
       with ``m = (p + u)/2``, ``u = 1/n``; 3. ``expm1(x)``; 4. ``x e^x``;
    5. the weights ``mult (1 + n p)`` (the number of missing patterns at ``2k``).

    Returns ``(number of divergence terms, number of missing patterns)``; the
    missing patterns' ``p/m`` terms (``x = -inf``) are left implicit.
    """
    n_present = 0.0
    for j in range(k):
        v = vals[j]
        work[0, j] = mult[j] * (v / total)
        # each logarithm from the ratio nearest to 1 or from one rounded quotient, never
        # from a rounded quantity near 0 (integer arithmetic is exact for counts)
        if 2.0 * v <= total:
            work[1, j] = math.log(total / v)
        else:
            work[1, j] = -math.log1p(-(total - v) / total)
        nv = n_pat * v
        t = (nv - total) / (nv + total)  # (r - 1)/(r + 1), r = n p
        work[2, j] = math.log(2.0 * nv / (nv + total)) if t < -0.5 else math.log1p(t)
        work[2, k + j] = math.log(2.0 * total / (nv + total)) if t > 0.5 else math.log1p(-t)
        weight = mult[j] * ((total + nv) / total)
        work[5, j] = weight
        work[5, k + j] = weight
        n_present += mult[j]
    n_missing = n_pat - n_present
    n_terms = 2 * k
    if n_missing > 0.0:
        work[2, n_terms] = _LN2
        work[5, n_terms] = n_missing
        n_terms += 1
    for j in range(n_terms):
        x = work[2, j]
        work[3, j] = math.expm1(x)
        work[4, j] = x * math.exp(x)
    return n_terms, n_missing


@njit(cache=True, nogil=True)
def _renyi_log_sum(y, work, k, alpha):
    """``ln(sum mult p^alpha)`` given ``y = sum mult p expm1((1 - alpha) ln(1/p))``."""
    if y >= -0.5:
        return math.log1p(y)
    smallest = np.inf
    for j in range(k):
        smallest = min(smallest, work[1, j])
    total = 0.0
    for j in range(k):
        mult_p = work[0, j]
        # mult p^alpha = (mult p) p^(alpha - 1), relative to the largest p
        total += mult_p * math.exp((1.0 - alpha) * (work[1, j] - smallest))
    return (1.0 - alpha) * smallest + math.log(total)


@njit(cache=True, nogil=True)
def _direct_sums(work, k, n_terms, n_missing, qs, coef, usable, acc):
    """Entropy sums (``acc[0]``) and psi sums with their scales (``acc[1:5]``) per q."""
    n_q = qs.shape[0]
    entropy = acc[0]
    entropy[:] = 0.0
    for j in range(k):
        mult_p = work[0, j]
        log_inv_p = work[1, j]
        for iq in range(n_q):
            s = 1.0 - qs[iq]
            if s == 0.0:
                entropy[iq] += mult_p * log_inv_p
            else:
                entropy[iq] += mult_p * math.expm1(s * log_inv_p)
    _psi_sums(work, 0, k, n_missing, qs, coef, usable, acc[1], acc[2])
    _psi_sums(work, k, n_terms, 0.0, qs, coef, usable, acc[3], acc[4])


@njit(cache=True, nogil=True)
def _finish(measure, qs, n_pat, dmax_value, dmax_scale, work, k, n_terms, acc, out):
    """``(H_q, C_q)`` into ``out`` from the sums in ``acc`` (see ``_direct_sums``)."""
    log_n = math.log(n_pat)
    for iq in range(qs.shape[0]):
        q = qs[iq]
        s = 1.0 - q
        entropy = acc[0, iq]
        d1, scale1, d2, scale2 = acc[1, iq], acc[2, iq], acc[3, iq], acc[4, iq]
        if s == 0.0:
            h = entropy / log_n
        elif measure == _TSALLIS:
            h = entropy / math.expm1(s * log_n)
        else:
            h = _renyi_log_sum(entropy, work, k, q) / (s * log_n)
        h = min(h, 1.0)  # rounding can put a near-uniform distribution an ulp above 1
        if measure == _TSALLIS or s == 0.0:  # both are the Shannon pair at q = 1
            scale = max(scale1, scale2)
            value = d1 * math.exp(scale1 - scale) + d2 * math.exp(scale2 - scale)
        else:
            value = 0.5 * (_renyi_divergence(d1, scale1, q, n_pat, work, 0, k)
                           + _renyi_divergence(d2, scale2, q, n_pat, work, k, n_terms))
            scale = 0.0
        out[2 * iq] = h
        out[2 * iq + 1] = h * (value / dmax_value[iq]) * math.exp(scale - dmax_scale[iq])


@njit(cache=True, nogil=True)
def _curve_from_distinct(vals, mult, k, total, n_pat, measure, qs, coef, usable, dmax_value,
                         dmax_scale, work, acc, out):
    """Write ``(H_q, C_q)`` for every ``q`` into ``out`` (length ``2 len(qs)``).

    ``work`` is scratch of shape ``(6, 2 k + 1)`` at least, ``acc`` of shape
    ``(5, len(qs))``.
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
    ``scratch`` is at least ``(6, 4)``.
    """
    if v == 0:  # an absent pattern: x = -inf (psi = 1) and ln 2, weight 1
        memo_x[slot, 0], memo_x[slot, 1] = 0.0, np.inf
        memo_x[slot, 2], memo_x[slot, 3], memo_x[slot, 4] = -np.inf, _LN2, 1.0
        expm1_ln2 = math.expm1(_LN2)
        ln2_exp_ln2 = _LN2 * math.exp(_LN2)
        for iq in range(qs.shape[0]):
            memo_terms[slot, 0, iq] = 0.0
            memo_terms[slot, 1, iq] = 1.0
            memo_terms[slot, 2, iq] = _psi(_LN2, expm1_ln2, ln2_exp_ln2, qs[iq], coef, iq,
                                           usable)
        return
    value = scratch[0, 3:4]
    one = scratch[1, 3:4]
    value[0] = v
    one[0] = 1.0
    _prepare(value, one, 1, total, n_pat, scratch)  # writes columns 0 to 2 only
    # scalars first: the loop below then keeps them in registers
    p, log_inv_p, weight = scratch[0, 0], scratch[1, 0], scratch[5, 0]
    x1, expm1_x1, x1_exp_x1 = scratch[2, 0], scratch[3, 0], scratch[4, 0]
    x2, expm1_x2, x2_exp_x2 = scratch[2, 1], scratch[3, 1], scratch[4, 1]
    memo_x[slot, 0], memo_x[slot, 1] = p, log_inv_p
    memo_x[slot, 2], memo_x[slot, 3], memo_x[slot, 4] = x1, x2, weight
    entropy = memo_terms[slot, 0]
    divergence1 = memo_terms[slot, 1]
    divergence2 = memo_terms[slot, 2]
    for iq in range(qs.shape[0]):
        s = 1.0 - qs[iq]
        entropy[iq] = p * (log_inv_p if s == 0.0 else math.expm1(s * log_inv_p))
    for iq in range(qs.shape[0]):
        divergence1[iq] = weight * _psi(x1, expm1_x1, x1_exp_x1, qs[iq], coef, iq, usable)
    for iq in range(qs.shape[0]):
        divergence2[iq] = weight * _psi(x2, expm1_x2, x2_exp_x2, qs[iq], coef, iq, usable)


@njit(cache=True, nogil=True)
def _curve_from_counts(vals, mult, k, total, n_pat, measure, qs, dmax_value, dmax_scale,
                       memo_slot, memo_x, memo_terms, work, acc, out):
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
        acc[0, iq] = 0.0
        acc[2, iq] = 0.0
        acc[4, iq] = 0.0
    if n_missing > 0.0:
        row = memo_slot[0]
        for iq in range(n_q):
            acc[1, iq] = n_missing * memo_terms[row, 1, iq]
            acc[3, iq] = n_missing * memo_terms[row, 2, iq]
    else:
        for iq in range(n_q):
            acc[1, iq] = 0.0
            acc[3, iq] = 0.0
    for j in range(k):
        row = memo_slot[int(vals[j])]
        m = mult[j]
        for iq in range(n_q):
            acc[0, iq] += m * memo_terms[row, 0, iq]
            acc[1, iq] += m * memo_terms[row, 1, iq]
            acc[3, iq] += m * memo_terms[row, 2, iq]
        # what the Renyi fallbacks of _finish read (see _prepare)
        work[0, j] = m * memo_x[row, 0]
        work[1, j] = memo_x[row, 1]
        work[2, j] = memo_x[row, 2]
        work[2, k + j] = memo_x[row, 3]
        work[5, j] = m * memo_x[row, 4]
        work[5, k + j] = m * memo_x[row, 4]
    n_terms = 2 * k
    if n_missing > 0.0:
        work[2, n_terms] = _LN2
        work[5, n_terms] = n_missing
        n_terms += 1
    _finish(measure, qs, n_pat, dmax_value, dmax_scale, work, k, n_terms, acc, out)


@njit(cache=True, nogil=True)
def _divergence_maximum(n_pat, measure, qs, coef, usable):
    """Divergence from uniform of a distribution on one pattern, as (value, scale) arrays.

    The divergence is ``value * exp(scale)`` (``scale`` is 0 for Renyi).
    """
    n_q = qs.shape[0]
    work = np.empty((6, 3))
    acc = np.empty((5, n_q))
    n_terms, n_missing = _prepare(np.ones(1), np.ones(1), 1, 1.0, n_pat, work)
    value = np.empty(n_q)
    scale = np.empty(n_q)
    _psi_sums(work, 0, 1, n_missing, qs, coef, usable, acc[1], acc[2])
    _psi_sums(work, 1, n_terms, 0.0, qs, coef, usable, acc[3], acc[4])
    for iq in range(n_q):
        d1, scale1, d2, scale2 = acc[1, iq], acc[2, iq], acc[3, iq], acc[4, iq]
        if measure == _TSALLIS or qs[iq] == 1.0:
            scale[iq] = max(scale1, scale2)
            value[iq] = (d1 * math.exp(scale1 - scale[iq])
                         + d2 * math.exp(scale2 - scale[iq]))
        else:
            scale[iq] = 0.0
            value[iq] = 0.5 * (_renyi_divergence(d1, scale1, qs[iq], n_pat, work, 0, 1)
                               + _renyi_divergence(d2, scale2, qs[iq], n_pat, work, 1, n_terms))
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
def _signal_curves_kernel(Y, dimension, delay, table, ties, seed, window, hop, n_pat, measure,
                          qs, coef, usable, dmax_value, dmax_scale, out):
    """Curves of the series ``Y[i, j, :]`` in windows of ``window`` samples, ``hop`` apart.

    ``Y`` is ``(n, m, length)``, C-contiguous; ``out`` is ``(n, m, n_frames, 2 len(qs))``.
    """
    n, m, _ = Y.shape
    n_frames = out.shape[2]
    span = (dimension - 1) * delay
    per_frame = window - span
    used = (n_frames - 1) * hop + window
    n_patterns = int(n_pat)
    size = min(n_patterns, per_frame) + 1
    use_memo = per_frame <= _MEMO_COUNTS and qs.max() * _LN2 <= _SCALE_AT
    # cached terms of each count value met so far: memo_slot[v] is its row, or -1
    memo_slot = np.full(per_frame + 1 if use_memo else 1, -1, dtype=np.int64)
    memo_x = np.empty((64, 5))
    memo_terms = np.empty((64, 3, qs.shape[0]))
    n_rows = 0
    codes = np.empty(used - span, dtype=np.int32)
    counts = np.empty(n_patterns, dtype=np.int64)
    histogram = np.empty(per_frame + 1, dtype=np.int64)  # patterns per count value
    vals = np.empty(size)
    mult = np.empty(size)
    work = np.empty((6, 2 * size + 1))
    acc = np.empty((5, qs.shape[0]))
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
                _curve_from_distinct(vals, mult, k, float(per_frame), n_pat, measure, qs,
                                     coef, usable, dmax_value, dmax_scale, work, acc,
                                     out[i, j, f])
                continue
            if n_rows + k + 1 > memo_x.shape[0]:
                capacity = 2 * (n_rows + k + 1)
                grown_x = np.empty((capacity, 5))
                grown_terms = np.empty((capacity, 3, qs.shape[0]))
                grown_x[:n_rows] = memo_x[:n_rows]
                grown_terms[:n_rows] = memo_terms[:n_rows]
                memo_x, memo_terms = grown_x, grown_terms
            for jj in range(-1, k):
                v = 0 if jj < 0 else int(vals[jj])
                if memo_slot[v] < 0 and (jj >= 0 or histogram[0] > 0):
                    memo_slot[v] = n_rows
                    _memo_fill(v, n_rows, float(per_frame), n_pat, qs, coef, usable, work,
                               memo_x, memo_terms)
                    n_rows += 1
            _curve_from_counts(vals, mult, k, float(per_frame), n_pat, measure, qs, dmax_value,
                               dmax_scale, memo_slot, memo_x, memo_terms, work, acc,
                               out[i, j, f])


@njit(cache=True, nogil=True)
def _distribution_curves(P, n_pat, measure, qs, coef, usable, dmax_value, dmax_scale, out):
    """Curves of the (unnormalised) distributions in the rows of ``P``."""
    size = P.shape[1] + 1
    vals = np.empty(size)
    mult = np.empty(size)
    work = np.empty((6, 2 * size + 1))
    acc = np.empty((5, qs.shape[0]))
    for i in range(P.shape[0]):
        k = _distinct_sorted(P[i], vals, mult)
        _curve_from_distinct(vals, mult, k, P[i].sum(), n_pat, measure, qs, coef, usable,
                             dmax_value, dmax_scale, work, acc, out[i])


@njit(cache=True, nogil=True)
def _two_value_curves(first, rest, n_rest, n_pat, measure, qs, coef, usable, dmax_value,
                      dmax_scale, out):
    """Curves of the distributions ``(first[i], rest[i] x n_rest[i])``."""
    vals = np.empty(2)
    mult = np.empty(2)
    work = np.empty((6, 5))
    acc = np.empty((5, qs.shape[0]))
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
        _curve_from_distinct(vals, mult, k, total, n_pat, measure, qs, coef, usable,
                             dmax_value, dmax_scale, work, acc, out[i])


class _Plan:
    """What the kernels need per (dimension, measure, q grid); see ``_plan``."""

    def __init__(self, dimension: int, measure: int, qs: np.ndarray):
        self.n_pat = float(ordinal.n_patterns(dimension))
        self.measure = measure
        self.qs = np.array(qs, dtype=np.float64)
        self.coef, self.usable = _series_coefficients(self.qs)
        self.dmax_value, self.dmax_scale = _divergence_maximum(
            self.n_pat, measure, self.qs, self.coef, self.usable
        )
        for array in (self.qs, self.coef, self.usable, self.dmax_value, self.dmax_scale):
            array.setflags(write=False)

    def args(self):
        return (self.n_pat, self.measure, self.qs, self.coef, self.usable, self.dmax_value,
                self.dmax_scale)


@lru_cache(maxsize=64)
def _cached_plan(dimension: int, measure: int, q_bytes: bytes) -> _Plan:
    return _Plan(dimension, measure, np.frombuffer(q_bytes, dtype=np.float64))


def _plan(dimension: int, measure: int, qs) -> _Plan:
    """The (read-only, cached) plan for these settings: repeated calls skip its set-up."""
    qs = np.ascontiguousarray(qs, dtype=np.float64)
    return _cached_plan(int(dimension), measure, qs.tobytes())


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
        raise ValueError(f"{name} must be a positive number or a 1-D array of them, "
                         f"got {q!r}") from None
    if values.ndim > 1 or values.size == 0:
        raise ValueError(f"{name} must be a positive number or a non-empty 1-D array of them, "
                         f"got an array of shape {values.shape}")
    bad = ~(np.isfinite(values) & (values > 0))
    if bad.any():
        raise ValueError(f"{name} must hold positive finite values, got {float(values[bad][0])!r}")
    return values


def _check_ties(ties, random_state) -> tuple[int, int]:
    if ties not in _TIES:
        raise ValueError(f"ties must be 'stable' or 'jitter', got {ties!r}")
    seed = 0
    if ties == "jitter":
        seed = int(check_random_state(random_state).randint(np.iinfo(np.int64).max,
                                                             dtype=np.int64))
    return _TIES[ties], seed


def _check_signal(x, name: str = "x") -> np.ndarray:
    array = np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.dtype != np.float32:
        array = array.astype(np.float64, copy=False)
    if array.ndim == 0:
        raise ValueError(f"{name} must be at least 1-D (a series along its last axis), "
                         "got a scalar")
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


def _signal_block(block, dimension, delay, table, ties, seed, window, hop, plan):
    """Curves of one block of rows (the worker of ``_signal_curves``): returns its result.

    A module-level function that returns what it computes, so that every joblib
    backend can run it: threads, but also processes (loky, multiprocessing, dask),
    which cannot write into the caller's memory.
    """
    n, m, length = block.shape
    n_frames = 1 + (length - window) // hop
    out = np.empty((n, m, n_frames, 2 * plan.qs.shape[0]))
    _signal_curves_kernel(np.ascontiguousarray(block), dimension, delay, table, ties, seed,
                          window, hop, *plan.args(), out)
    return out


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


def _signal_curves(X, dimension, delay, ties, seed, window, hop, plan, n_jobs=None):
    """Curves of the series ``X[i, j, :]``: (n, m, length) -> (n, m, n_frames, 2 n_q).

    ``X`` may be any strided view (a transposed spectrogram); each block of rows
    is made C-contiguous before the kernel runs on it. With ``n_jobs`` other than
    1 the blocks run on joblib workers (threads unless a backend is set).
    """
    n, m, length = X.shape
    n_frames = 1 + (length - window) // hop
    out = np.empty((n, m, n_frames, 2 * plan.qs.shape[0]))
    args = (dimension, delay, ordinal.pattern_table(dimension), ties, np.uint64(seed), window,
            hop, plan)
    n_workers = 1 if n == 1 else effective_n_jobs(n_jobs)
    if n_workers == 1:
        for start, stop in _row_blocks(n, m * length, 1):
            out[start:stop] = _signal_block(X[start:stop], *args)
        return out
    # the first row alone, then the rest split for the workers
    blocks = [(0, 1)] + [(start + 1, stop + 1)
                         for start, stop in _row_blocks(n - 1, m * length, n_workers)]
    return _run_blocks(_signal_block, X, blocks, args, out, n_jobs)


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
        out = np.empty((rows.shape[0], 2 * plan.qs.shape[0]))
        _distribution_curves(rows, *plan.args(), out)
    else:
        array = _check_signal(x)
        _check_length(array.shape[-1], dimension, delay)
        tie_code, seed = _check_ties(ties, random_state)
        lead = array.shape[:-1]
        rows = np.ascontiguousarray(array.reshape(-1, array.shape[-1]))
        out = _signal_curves(rows[:, None, :], dimension, delay, tie_code, seed,
                             rows.shape[1], 1, plan)[:, 0, 0]
    return out.reshape(*lead, plan.qs.shape[0], 2)


# --------------------------------------------------------------------------------------------
# public functions

_SIGNAL_DOC = """x : array-like of shape (..., n_times) or (..., n_patterns)
        A series, or a batch of series along the last axis (each row of a 2-D
        array is one series, unlike ordpy, which reads 2-D data as an image).
        With ``probs=True``: pattern probabilities or counts along the last
        axis, at most ``dimension!`` of them (absent patterns may be left out);
        each distribution is normalised to sum to one."""


def permutation_entropy(x, *, dimension: int = 3, delay: int = 1, probs: bool = False,
                        ties: str = "stable", random_state=None) -> float | np.ndarray:
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


def complexity_entropy(x, *, dimension: int = 3, delay: int = 1, probs: bool = False,
                       ties: str = "stable", random_state=None) -> np.ndarray:
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
    return _curves(x, dimension, delay, _TSALLIS, np.ones(1), probs, ties, random_state)[
        ..., 0, :
    ]


def _generalised(x, q, dimension, delay, measure, probs, ties, random_state, name):
    qs = default_q_grid() if q is None else _check_q(q, name)
    values = _curves(x, dimension, delay, measure, np.atleast_1d(qs), probs, ties, random_state)
    if q is not None and np.ndim(q) == 0:
        return values[..., 0, :]
    return values


def tsallis_complexity_entropy(x, *, q=None, dimension: int = 3, delay: int = 1,
                               probs: bool = False, ties: str = "stable",
                               random_state=None) -> np.ndarray:
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


def renyi_complexity_entropy(x, *, alpha=None, dimension: int = 3, delay: int = 1,
                             probs: bool = False, ties: str = "stable",
                             random_state=None) -> np.ndarray:
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


for _function in (permutation_entropy, complexity_entropy, tsallis_complexity_entropy,
                  renyi_complexity_entropy):
    _function.__doc__ = _function.__doc__.format(signal=_SIGNAL_DOC)
del _function


def _family_curve(dimension, first, rest, n_rest):
    """Shannon ``(H, C)`` of the distributions ``(first[i], rest[i] x n_rest[i], 0, ...)``."""
    plan = _plan(dimension, _TSALLIS, np.ones(1))
    out = np.empty((first.shape[0], 2))
    _two_value_curves(first, rest, n_rest.astype(np.float64), *plan.args(), out)
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


# --------------------------------------------------------------------------------------------
# transformer


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
