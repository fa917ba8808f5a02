"""Tests for whalefeat.plotting: the artists drawn hold the data given."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection, QuadMesh  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from sklearn.metrics import roc_auc_score, roc_curve  # noqa: E402

from whalefeat import Spectrogram  # noqa: E402
from whalefeat.plotting import (  # noqa: E402
    plot_complexity_entropy_curves,
    plot_complexity_entropy_plane,
    plot_roc_curves,
    plot_spectrogram,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _png_size(figure) -> tuple[int, int]:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    header = buffer.getvalue()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def _sweep(n_samples: int = 4000, sample_rate: int = 2000) -> np.ndarray:
    t = np.arange(n_samples) / sample_rate
    return np.sin(2 * np.pi * (80 * t + 40 * t**2))


# ---------------------------------------------------------------- spectrogram


def test_spectrogram_of_a_clip_draws_the_transformer_output_on_its_axes():
    clip = _sweep()
    transformer = Spectrogram(fmin=50, fmax=250)
    fig, ax = plt.subplots(figsize=(4, 3), dpi=50)
    mesh = plot_spectrogram(clip, spectrogram=transformer, ax=ax, title="up-call")

    assert isinstance(mesh, QuadMesh)
    assert mesh.axes is ax
    expected = Spectrogram(fmin=50, fmax=250).fit_transform(clip[np.newaxis])[0]
    np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(expected.shape), expected)
    # the mesh spans the frequency and time axes of the transformer
    x_min, x_max = ax.get_xlim()
    y_min, y_max = ax.get_ylim()
    assert x_min <= transformer.times_[0] and x_max >= transformer.times_[-1]
    assert y_min <= transformer.frequencies_[0] and y_max >= transformer.frequencies_[-1]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == (
        "Time (s)",
        "Frequency (Hz)",
        "up-call",
    )
    assert mesh.colorbar is not None
    assert len(fig.axes) == 2  # the axes and its colour bar
    assert _png_size(fig) == (200, 150)


def test_spectrogram_peak_follows_the_sweep():
    clip = _sweep()
    transformer = Spectrogram(fmin=50, fmax=250)
    mesh = plot_spectrogram(clip, spectrogram=transformer, colorbar=False)
    image = np.asarray(mesh.get_array()).reshape(len(transformer.frequencies_), -1)
    peak = transformer.frequencies_[image.argmax(axis=0)]
    # instantaneous frequency 80 + 80 t Hz rises over the clip
    np.testing.assert_allclose(peak, 80 + 80 * transformer.times_, atol=8)
    assert mesh.colorbar is None
    assert len(mesh.axes.figure.axes) == 1


def test_spectrogram_default_transformer_uses_sample_rate():
    clip = _sweep(n_samples=2000, sample_rate=1000)
    mesh = plot_spectrogram(clip, sample_rate=1000, colorbar=False)
    expected = Spectrogram(sample_rate=1000).fit(clip[np.newaxis])
    x_max = mesh.axes.get_xlim()[1]
    assert x_max >= expected.times_[-1]
    assert np.asarray(mesh.get_array()).size == expected.transform(clip[np.newaxis]).size


def test_precomputed_spectrogram_with_and_without_axes():
    image = np.arange(12.0).reshape(3, 4)
    mesh = plot_spectrogram(image, colorbar=False)
    np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(3, 4), image)
    assert mesh.axes.get_xlabel() == "Frame"
    assert mesh.axes.get_ylabel() == "Frequency bin"

    mesh = plot_spectrogram(
        image, frequencies=[100, 110, 120], times=[0, 0.5, 1, 1.5], colorbar=False
    )
    assert mesh.axes.get_ylabel() == "Frequency (Hz)"
    assert mesh.axes.get_ylim()[1] >= 120


@pytest.mark.parametrize(
    ("clip", "kwargs", "match"),
    [
        (np.zeros((2, 3, 4)), {}, "shape"),
        (np.zeros((3, 4)), {"frequencies": [1, 2]}, "3 frequencies"),
        (np.zeros((3, 4)), {"spectrogram": Spectrogram()}, "1-D clip"),
        (np.zeros(4000), {"times": np.arange(5)}, "2-D spectrogram"),
    ],
)
def test_spectrogram_bad_input(clip, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_spectrogram(clip, **kwargs)


# ---------------------------------------------------------------- complexity-entropy plane


def test_plane_draws_points_per_class_and_the_bounds():
    from whalefeat.complexity import maximum_complexity, minimum_complexity

    entropy = np.array([0.95, 0.9, 0.5, 0.6, 0.55])
    complexity = np.array([0.05, 0.08, 0.3, 0.25, 0.28])
    y = np.array([0, 0, 1, 1, 1])
    fig, ax = plt.subplots(figsize=(5, 4), dpi=40)
    artists = plot_complexity_entropy_plane(
        entropy, complexity, dimension=4, y=y, class_names={1: "up-call"}, ax=ax
    )

    assert set(artists) == {"minimum", "maximum", "points"}
    assert set(artists["points"]) == {0, 1}
    for label in (0, 1):
        points = artists["points"][label]
        assert isinstance(points, PathCollection)
        np.testing.assert_array_equal(
            points.get_offsets(), np.column_stack([entropy[y == label], complexity[y == label]])
        )
    assert [artists["points"][0].get_label(), artists["points"][1].get_label()] == ["0", "up-call"]
    lower, upper = minimum_complexity(4), maximum_complexity(4)
    np.testing.assert_array_equal(artists["minimum"].get_xydata(), lower)
    np.testing.assert_array_equal(artists["maximum"].get_xydata(), upper)
    # the maximum lies above the minimum inside the plane
    grid = np.linspace(0.05, 0.95, 19)
    assert np.all(np.interp(grid, *upper.T) > np.interp(grid, *lower.T))
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["minimum complexity (d=4)", "maximum complexity (d=4)", "0", "up-call"]
    assert ax.get_xlabel().startswith("Permutation entropy")
    assert _png_size(fig) == (200, 160)


def test_plane_without_classes_or_bounds():
    fig, ax = plt.subplots()
    artists = plot_complexity_entropy_plane(
        [0.2, 0.4], [0.1, 0.2], dimension=3, bounds=False, ax=ax, s=5
    )
    assert set(artists) == {"points"}
    assert list(artists["points"]) == [None]
    np.testing.assert_array_equal(artists["points"][None].get_sizes(), [5])
    assert ax.get_legend() is None
    assert not ax.get_lines()


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (([0.1, 0.2], [0.1]), {}, "same length"),
        (([0.1, 0.2], [0.1, 0.2]), {"y": [0, 1, 1]}, "2 entries"),
        (([0.1, 0.2], [0.1, 0.2]), {"y": [0, 1], "class_names": {2: "x"}}, "not in y"),
        (([0.1, 0.2], [0.1, 0.2]), {"class_names": {0: "x"}}, "needs y"),
    ],
)
def test_plane_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_complexity_entropy_plane(*args, dimension=3, bounds=False, **kwargs)


# ---------------------------------------------------------------- curves


def test_curves_one_line_per_clip_and_a_mean_per_class():
    rng = np.random.default_rng(0)
    entropy = rng.uniform(0.5, 1.0, size=(5, 7))
    complexity = rng.uniform(0.0, 0.3, size=(5, 7))
    y = np.array(["noise", "call", "noise", "call", "call"])
    fig, ax = plt.subplots(figsize=(3, 2), dpi=100)
    artists = plot_complexity_entropy_curves(entropy, complexity, y=y, ax=ax)

    assert set(artists["curves"]) == {"call", "noise"}
    assert len(artists["curves"]["call"]) == 3 and len(artists["curves"]["noise"]) == 2
    for line, row in zip(artists["curves"]["call"], np.flatnonzero(y == "call"), strict=True):
        assert isinstance(line, Line2D)
        np.testing.assert_array_equal(line.get_xdata(), entropy[row])
        np.testing.assert_array_equal(line.get_ydata(), complexity[row])
    mean = artists["means"]["noise"]
    np.testing.assert_allclose(mean.get_xdata(), entropy[y == "noise"].mean(axis=0))
    np.testing.assert_allclose(mean.get_ydata(), complexity[y == "noise"].mean(axis=0))
    # each class has one colour, shared by its curves and its mean
    assert {line.get_color() for line in artists["curves"]["noise"]} == {mean.get_color()}
    assert artists["curves"]["call"][0].get_color() != mean.get_color()
    assert len(ax.get_lines()) == 5 + 2
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["call (mean)", "noise (mean)"]
    assert _png_size(fig) == (300, 200)


def test_curves_without_mean_label_the_first_curve_of_each_class():
    artists = plot_complexity_entropy_curves(
        [[0.9, 0.8], [0.7, 0.6]],
        [[0.1, 0.2], [0.2, 0.3]],
        y=[0, 1],
        class_names={0: "noise", 1: "up-call"},
        mean=False,
    )
    assert artists["means"] == {}
    assert artists["curves"][1][0].get_label() == "up-call"


def test_curves_bad_shapes():
    with pytest.raises(ValueError, match="same shape"):
        plot_complexity_entropy_curves(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="2-D"):
        plot_complexity_entropy_curves(np.zeros(3), np.zeros(3))


# ---------------------------------------------------------------- ROC


def _folds(n_folds: int = 3, n: int = 40, seed: int = 0):
    rng = np.random.default_rng(seed)
    truths, scores = [], []
    for _ in range(n_folds):
        truth = np.repeat([0, 1], n // 2)
        scores.append(truth * 0.8 + rng.normal(scale=0.5, size=n))
        truths.append(truth)
    return truths, scores


def test_roc_curves_per_fold_mean_band_and_auc_in_the_legend():
    truths, scores = _folds()
    fig, ax = plt.subplots(figsize=(4, 4), dpi=50)
    artists = plot_roc_curves(truths, scores, name="seed", ax=ax)

    expected_auc = [roc_auc_score(t, s) for t, s in zip(truths, scores, strict=True)]
    np.testing.assert_allclose(artists["auc"], expected_auc)
    assert len(artists["folds"]) == 3
    for line, truth, score in zip(artists["folds"], truths, scores, strict=True):
        fpr, tpr, _ = roc_curve(truth, score)
        np.testing.assert_array_equal(line.get_xdata(), fpr)
        np.testing.assert_array_equal(line.get_ydata(), tpr)
    mean = artists["mean"]
    assert mean.get_xdata()[0] == 0 and mean.get_xdata()[-1] == 1
    assert mean.get_ydata()[0] == 0 and mean.get_ydata()[-1] == 1
    assert np.all(np.diff(mean.get_ydata()) >= 0)
    label = f"seed (AUC = {np.mean(expected_auc):.3f} ± {np.std(expected_auc):.3f})"
    assert mean.get_label() == label
    assert isinstance(artists["band"], PolyCollection)
    band = artists["band"].get_paths()[0].vertices
    assert band[:, 1].min() >= 0 and band[:, 1].max() <= 1
    np.testing.assert_array_equal(artists["chance"].get_xydata(), [[0, 0], [1, 1]])
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["chance", label]  # folds and band stay out of the legend
    assert _png_size(fig) == (200, 200)


def test_roc_single_fold_and_string_labels():
    truth = np.array(["noise", "call", "noise", "call"])
    score = np.array([0.1, 0.9, 0.4, 0.3])
    artists = plot_roc_curves(truth, score, pos_label="call", chance=False, show_folds=False)
    assert artists["band"] is None and artists["chance"] is None and artists["folds"] == []
    np.testing.assert_allclose(artists["auc"], [0.75])
    assert artists["mean"].get_label() == "ROC (AUC = 0.750)"


def test_roc_two_axes_share_a_figure():
    truths, scores = _folds()
    fig, (left, right) = plt.subplots(1, 2)
    first = plot_roc_curves(truths, scores, ax=left, color="C3")
    second = plot_roc_curves(truths[:2], scores[:2], ax=right)
    assert first["mean"].axes is left and second["mean"].axes is right
    assert first["mean"].get_color() == "C3"
    assert first["folds"][0].get_color() == "C3"
    assert len(second["folds"]) == 2


@pytest.mark.parametrize(
    ("truths", "scores", "match"),
    [
        ([[0, 1]], [[0.1, 0.2], [0.3, 0.4]], "same number of folds"),
        ([[0, 1, 1]], [[0.1, 0.2]], "same length"),
        ([[1, 1]], [[0.1, 0.2]], "both classes"),
    ],
)
def test_roc_bad_input(truths, scores, match):
    with pytest.raises(ValueError, match=match):
        plot_roc_curves(truths, scores)


# ---------------------------------------------------------------- optional dependency


def test_missing_matplotlib_names_the_extra():
    code = (
        "import sys; sys.modules['matplotlib'] = None; sys.modules['matplotlib.pyplot'] = None\n"
        "import whalefeat.plotting as p\n"
        "try:\n"
        "    p.plot_roc_curves([0, 1], [0.2, 0.8])\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert 'pip install "whalefeat[plot]"' in result.stdout


def test_importing_plotting_does_not_import_matplotlib():
    code = "import sys, whalefeat.plotting; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
