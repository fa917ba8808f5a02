"""distribution="ordinal2d": 2-D ordinal patterns of spectrogram patches, against ordpy."""

from __future__ import annotations

import math

import numpy as np
import ordpy
import pytest

from whalefeat.complexity import ComplexityEntropyCurve

Q = [0.1, 0.5, 2.0, 5.0]  # where ordpy is accurate (away from q = 1)


def _curve(measure="shannon", **params):
    return ComplexityEntropyCurve(measure=measure, distribution="ordinal2d", **params)


PATCHES = [  # (dimension = dy, time_dimension = dx, delay = tauy, time_delay = taux)
    (2, 1, 1, 1),
    (2, 2, 1, 1),
    (2, 2, 2, 3),
    (3, 2, 1, 2),
    (2, 3, 1, 1),
    (4, 2, 1, 1),
    (2, 4, 2, 1),
    (3, 1, 2, 1),
]


@pytest.mark.parametrize(("dimension", "time_dimension", "delay", "time_delay"), PATCHES)
def test_whole_spectrograms_equal_ordpy(dimension, time_dimension, delay, time_delay):
    rng = np.random.default_rng(dimension * 100 + time_dimension * 10 + delay + time_delay)
    S = rng.random((2, 14, 17))
    S[1] = np.round(S[1] * 3)  # many ties
    patch = {
        "dimension": dimension,
        "time_dimension": time_dimension,
        "delay": delay,
        "time_delay": time_delay,
    }
    theirs = {"dx": time_dimension, "dy": dimension, "taux": time_delay, "tauy": delay}
    shannon = _curve(**patch).fit_transform(S)
    tsallis = _curve("tsallis", q=Q, **patch).fit_transform(S)
    n = math.factorial(dimension * time_dimension)
    alphas = [a for a in Q if a * math.log(n) < 700]  # ordpy's Renyi overflows past that
    renyi = _curve("renyi", q=alphas, **patch).fit_transform(S)
    assert shannon.shape == (2, 2) and tsallis.shape == (2, 2 * len(Q))
    for i in range(2):
        np.testing.assert_allclose(
            shannon[i], ordpy.complexity_entropy(S[i], **theirs), rtol=0, atol=1e-10
        )
        np.testing.assert_allclose(
            tsallis[i].reshape(-1, 2),
            ordpy.tsallis_complexity_entropy(S[i], q=Q, **theirs),
            rtol=0,
            atol=1e-10,
        )
        np.testing.assert_allclose(
            renyi[i].reshape(-1, 2),
            ordpy.renyi_complexity_entropy(S[i], alpha=alphas, **theirs),
            rtol=0,
            atol=1e-10,
        )


@pytest.mark.parametrize(("window", "hop"), [(6, 2), (5, None), (17, 1), (3, 7)])
def test_blocks_of_frames_equal_ordpy_on_each_block(window, hop):
    S = np.random.default_rng(70).random((3, 9, 17)).astype(np.float32)
    curve = _curve("tsallis", q=Q, dimension=2, time_dimension=2, window=window, hop=hop)
    values = curve.fit_transform(S)
    step = window if hop is None else hop
    n_blocks = 1 + (17 - window) // step
    assert values.shape == (3, n_blocks, 2 * len(Q))
    for i in range(3):
        for b in {0, n_blocks // 2, n_blocks - 1}:
            block = S[i, :, b * step : b * step + window].astype(np.float64)
            np.testing.assert_allclose(
                values[i, b].reshape(-1, 2),
                ordpy.tsallis_complexity_entropy(block, q=Q, dx=2, dy=2),
                rtol=0,
                atol=1e-10,
            )


def test_disequilibria_jitter_threads_and_names():
    S = np.round(np.random.default_rng(71).random((5, 10, 12)) * 2)
    all_three = ("jensen-shannon", "euclidean", "total-variation")
    curve = _curve(
        dimension=2,
        time_dimension=2,
        disequilibrium=all_three,
        ties="jitter",
        random_state=np.random.RandomState(3),
    )
    values = curve.fit_transform(S)
    assert values.shape == (5, 4)
    assert ((values >= 0) & (values <= 1)).all()
    np.testing.assert_array_equal(curve.transform(S), values)
    np.testing.assert_array_equal(curve.set_params(n_jobs=2).transform(S), values)
    assert curve.get_feature_names_out().tolist() == ["H", "C", "C_euclidean", "C_total_variation"]
    stable = _curve(dimension=2, time_dimension=2).fit_transform(S)
    assert (values[:, 0] > stable[:, 0]).all()  # ties broken at random spread the patterns


@pytest.mark.parametrize(
    ("params", "shape", "message"),
    [
        (
            {"dimension": 3, "time_dimension": 3},
            (2, 10, 10),
            "dimension \\* time_dimension must be at most 8",
        ),
        (
            {},
            (2, 30),
            r"distribution='ordinal2d' reads spectrograms \(n_samples, n_freqs, "
            r"n_frames\); got X of shape \(2, 30\)",
        ),
        (
            {"dimension": 4, "delay": 3},
            (2, 9, 10),
            r"smaller than one patch: dimension=4, "
            r"delay=3 span 10 bin\(s\)",
        ),
        (
            {"dimension": 2, "time_dimension": 3, "time_delay": 2, "window": 4},
            (2, 9, 10),
            r"window=4 is too short for time_dimension=3, time_delay=2",
        ),
        ({"window": 11}, (2, 9, 10), "window=11 exceeds the spectrogram length: X has 10 frames"),
        ({"hop": 2}, (2, 9, 10), "hop=2 needs window"),
    ],
)
def test_errors(params, shape, message):
    with pytest.raises(ValueError, match=message):
        _curve(**params).fit(np.zeros(shape))
