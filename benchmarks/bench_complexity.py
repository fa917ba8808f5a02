"""Ordinal-pattern features: whalefeat's kernels against ordpy and antropy.

Every case computes the same quantities on the same clips: 4000-sample clips of
Gaussian noise rounded to 16-bit steps (standard deviation 380 units, the median
of the real training clips), as float32, the dtype ``AiffLoader`` returns.

- The Tsallis curve (``d = 6``, 50 log-spaced ``q`` from 0.01 to 100, on one
  core) against ``ordpy.tsallis_complexity_entropy`` one clip at a time: ours on
  a batch of clips (terms shared by the clips of a batch are computed once), and
  ours called once per clip.
- Shannon ``(H, C)`` against ``antropy.perm_entropy``, which gives ``H`` only.
- Many clips through ``ComplexityEntropyCurve`` with ``n_jobs=2``, against
  ordpy per clip (per window for the study's framing).

- ``distribution="spectral"``: the Shannon pair with the three disequilibria,
  and the default Tsallis curve (49 q), on power spectrograms of the
  study's mel shape (64 bands x 126 frames), with ``n_jobs=2``, against
  the same quantities written in NumPy (Shannon) and ordpy's formulas on
  a 120-bin spectrum per frame (ordpy's ``probs=True`` needs ``dx! >= n``).

ordpy takes milliseconds per clip, so where its name in a case says ``xK`` it
was timed on K times fewer clips and its time multiplied by K (the cost per
clip does not depend on the clip).
"""

from __future__ import annotations

import antropy
import numpy as np
import ordpy
from run_benchmarks import Case

from whalefeat.complexity import (
    ComplexityEntropyCurve,
    complexity_entropy,
    tsallis_complexity_entropy,
)

N_SAMPLES = 4000
Q = np.logspace(-2, 2, 50)


def _clips(n_clips: int, seed: int = 0) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(scale=380.0, size=(n_clips, N_SAMPLES))
    return (np.round(noise) / 32768.0).astype(np.float32)


def _curve_cases(quick: bool) -> list[Case]:
    n_clips = 50 if quick else 200
    scale = 25 if quick else 50
    X = _clips(n_clips)
    X_peer = X[: n_clips // scale].astype(np.float64)
    return [
        Case(
            name=f"complexity: Tsallis curve d=6 50 q, {n_clips} clips, 1 core",
            ours=lambda: tsallis_complexity_entropy(X, q=Q, dimension=6),
            peer_name=f"ordpy per clip (x{scale})",
            peer=lambda: [ordpy.tsallis_complexity_entropy(x, q=Q, dx=6) for x in X_peer],
            peer_scale=scale,
        ),
        Case(
            name=f"complexity: same, one clip per call ({n_clips} calls)",
            ours=lambda: [tsallis_complexity_entropy(x, q=Q, dimension=6) for x in X],
            peer_name=f"ordpy per clip (x{scale})",
            peer=lambda: [ordpy.tsallis_complexity_entropy(x, q=Q, dx=6) for x in X_peer],
            peer_scale=scale,
        ),
    ]


def _shannon_cases(quick: bool) -> list[Case]:
    n_clips = 200 if quick else 1000
    X = _clips(n_clips, seed=1)
    X64 = X.astype(np.float64)
    cases = []
    for dimension in (4, 6):
        cases.append(
            Case(
                name=f"complexity: Shannon (H, C) d={dimension}, {n_clips} clips, 1 core",
                ours=lambda d=dimension: complexity_entropy(X, dimension=d),
                peer_name="antropy.perm_entropy (H)",
                peer=lambda d=dimension: [
                    antropy.perm_entropy(x, order=d, normalize=True) for x in X64
                ],
            )
        )
    return cases


def _many_clip_cases(quick: bool) -> list[Case]:
    n_clips = 3000 if quick else 30000
    X = _clips(n_clips, seed=2)
    default = ComplexityEntropyCurve(n_jobs=2).fit(X)
    study = ComplexityEntropyCurve(measure="shannon", window=256, hop=32, n_jobs=2).fit(X)
    curve_scale, frame_scale = n_clips // 30, n_clips // 6
    X_curve = X[:30].astype(np.float64)
    X_frames = X[:6].astype(np.float64)
    q = default.q_

    def ordpy_frames():
        return [
            [
                ordpy.complexity_entropy(x[start : start + 256], dx=4)
                for start in range(0, N_SAMPLES - 255, 32)
            ]
            for x in X_frames
        ]

    return [
        Case(
            name=f"complexity: {n_clips} clips, default curve (d=4, 49 q), 2 jobs",
            ours=lambda: default.transform(X),
            peer_name=f"ordpy per clip (x{curve_scale})",
            peer=lambda: [ordpy.tsallis_complexity_entropy(x, q=q, dx=4) for x in X_curve],
            peer_scale=curve_scale,
            repeat=2,
            peer_repeat=1,
        ),
        Case(
            name=f"complexity: {n_clips} clips, study frames 256/32 d=4, 2 jobs",
            ours=lambda: study.transform(X),
            peer_name=f"ordpy per window (x{frame_scale})",
            peer=ordpy_frames,
            peer_scale=frame_scale,
            repeat=2,
            peer_repeat=1,
        ),
    ]


def _numpy_spectral_shannon(S):
    """H and the three complexities of every frame, in NumPy (natural log, n = all bins)."""
    p = S / S.sum(axis=1, keepdims=True)
    n = p.shape[1]
    u = 1.0 / n
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    entropy = -plogp.sum(axis=1)
    h = entropy / np.log(n)
    m = (p + u) / 2
    js = -(m * np.log(m)).sum(axis=1) - entropy / 2 - np.log(n) / 2
    js_max = -0.5 * ((n + 1) / n * np.log(n + 1) + np.log(n) - 2 * np.log(2 * n))
    euclidean = ((p - u) ** 2).sum(axis=1) * n / (n - 1)
    total_variation = np.abs(p - u).sum(axis=1) * n / (2 * (n - 1))
    return np.stack([h, h * js / js_max, h * euclidean, h * total_variation], axis=-1)


def _spectral_cases(quick: bool) -> list[Case]:
    n_clips = 300 if quick else 3000
    S = np.random.default_rng(3).exponential(size=(n_clips, 64, 126)).astype(np.float32)
    shannon = ComplexityEntropyCurve(
        measure="shannon",
        distribution="spectral",
        disequilibrium=("jensen-shannon", "euclidean", "total-variation"),
        n_jobs=2,
    ).fit(S)
    curve = ComplexityEntropyCurve(distribution="spectral", n_jobs=2).fit(S)
    S64 = S.astype(np.float64)
    frames = np.random.default_rng(4).exponential(size=(126, 120))
    frames /= frames.sum(axis=1, keepdims=True)
    q = curve.q_
    return [
        Case(
            name=f"complexity: spectral Shannon + 3 disequilibria, {n_clips} x 64 x 126, 2 jobs",
            ours=lambda: shannon.transform(S),
            peer_name="NumPy, vectorised",
            peer=lambda: _numpy_spectral_shannon(S64),
            repeat=2,
            peer_repeat=1,
        ),
        Case(
            name=f"complexity: spectral Tsallis curve (49 q), {n_clips} x 64 x 126, 2 jobs",
            ours=lambda: curve.transform(S),
            peer_name=f"ordpy per frame, 120 bins (x{n_clips})",
            peer=lambda: [
                ordpy.tsallis_complexity_entropy(p, q=q, dx=5, probs=True) for p in frames
            ],
            peer_scale=n_clips,
            repeat=1,
            peer_repeat=1,
        ),
    ]


def cases(quick: bool) -> list[Case]:
    return (
        _curve_cases(quick)
        + _shannon_cases(quick)
        + _many_clip_cases(quick)
        + _spectral_cases(quick)
    )
