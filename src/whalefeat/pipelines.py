"""Named, ready pipelines from clip paths to ``predict_proba``.

Every pipeline here is an unfitted :class:`sklearn.pipeline.Pipeline` whose
first step reads audio files (:class:`~whalefeat.AiffLoader`), so it fits on
and predicts from file paths; it is the single source of whalefeat's
recommended settings, used alike by the command line (``whalefeat evaluate
--model NAME``), the study (``benchmarks/study.py``) and the documentation.

======================  =============================================================
name                    what it is
======================  =============================================================
``"ce-inception"``      whalefeat's complexity-entropy detector: entropy and three
                        complexities of every mel frame, plain and whitened, into
                        the seed 1-D network (no spectrogram values reach it)
``"fusion-inception"``  the same complexity-entropy series and the whitened mel
                        frames as channels of one series, into the seed network
                        with one branch per source, the output the mean of the
                        two branches' probabilities
``"frames-inception"``  the whitened mel frames alone into the seed network (the
                        baseline that fusion is measured against)
``"seed-inception"``    the study's recipe exactly: its complexity-entropy series of
                        squared-dB mel frames into its network and training schedule
``"seed-hgb"``          the same series of the study, flattened, into gradient-boosted
                        trees (what its features carry, without its network)
``"seed-xception"``     the study's spectrogram images into ImageNet Xception,
                        fine-tuned (downloads the ImageNet weights once)
``"xception"``          contrast-normalised spectrograms into Xception from scratch
``"templates"``         the challenge winners' features: up-call templates matched on
                        two contrast-enhanced images, and per-row statistics, into
                        gradient-boosted trees
``"templates-ce"``      the features of ``"templates"`` and statistics over time
                        (mean, spread, extremes, 10th and 90th percentiles) of the
                        complexity-entropy series of ``"ce-inception"``, into
                        gradient-boosted trees
``"best"``              whalefeat's recommended detector, whichever wins on the
                        training clips (``benchmarks/best_design.py``): today the
                        mean of six ``"templates-ce"`` models, each with its own
                        draw of templates (a
                        :class:`~whalefeat.SeedAveragingClassifier`)
``"hgb"``               contrast-normalised spectrogram into gradient-boosted trees
``"logistic"``          contrast-normalised spectrogram into logistic regression
======================  =============================================================

Steps are named (``"loader"``, ``"spectrogram"``, ``"features"``,
``"classifier"``), so every setting can be changed through ``get``'s keyword
arguments, which are the pipeline's ``set_params`` keys::

    get("ce-inception", random_state=0, classifier__epochs=10)

The Keras pipelines need the ``keras`` extra only when they are fitted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

__all__ = ["available", "describe", "get"]


def _subtract_clip_mean(X):
    """Each clip minus its mean (the study's first step)."""
    X = np.asarray(X, dtype=np.float64)
    return X - X.mean(axis=1, keepdims=True)


def _frames_first(S):
    """Spectrograms ``(n, n_bins, n_frames)`` as series of frames ``(n, n_frames, n_bins)``."""
    return np.ascontiguousarray(np.asarray(S).transpose(0, 2, 1))


def _loader():
    from .io import AiffLoader

    return AiffLoader()


def _mel_power(**params):
    """The mel power spectrogram the complexity-entropy pipelines start from."""
    from .spectrogram import Spectrogram

    settings = dict(
        window_length=256,
        hop_length=32,
        center=True,
        n_mels=64,
        fmin=50.0,
        fmax=300.0,
        mel_scale="htk",
        normalization="raw",
        scaling="power",
    )
    settings.update(params)
    return Spectrogram(**settings)


def _spectral_series():
    """Entropy and the three complexities of each frame's power over its bands."""
    from .complexity import ComplexityEntropyCurve

    return ComplexityEntropyCurve(
        distribution="spectral",
        measure="shannon",
        disequilibrium=("jensen-shannon", "euclidean", "total-variation"),
    )


def _ce_union():
    """Spectral series of the plain and of the whitened mel frames, side by side."""
    from .compose import SeriesUnion

    return SeriesUnion(
        [
            ("plain", make_pipeline(_mel_power(), _spectral_series())),
            ("whitened", make_pipeline(_mel_power(contrast="median"), _spectral_series())),
        ]
    )


def _inception(**params):
    from .models import Inception1DClassifier

    settings = dict(architecture="seed", epochs=20, batch_size=64)
    settings.update(params)
    return Inception1DClassifier(**settings)


def _wide_inception():
    """The seed network with kernels of 15 frames (a 29-frame, 0.46-s receptive field)."""
    return _inception(filters=64, kernel_size=15)


def _ce_inception() -> Pipeline:
    return Pipeline(
        [
            ("loader", _loader()),
            ("features", _ce_union()),
            ("classifier", _wide_inception()),
        ]
    )


def _whitened_frames():
    return make_pipeline(
        _mel_power(scaling="db", contrast="row"), FunctionTransformer(_frames_first)
    )


def _fusion_inception() -> Pipeline:
    union = _ce_union()
    union.transformer_list.append(("frames", _whitened_frames()))
    # One branch per source: the 8 complexity-entropy channels (4 measures of the plain and
    # of the whitened frames) and the 64 mel bands of the frames; the output is the mean of
    # the two branches' probabilities, each branch trained on its own loss.
    classifier = _wide_inception().set_params(
        channel_groups=(8, _mel_power().n_mels), branch_fusion="probabilities"
    )
    return Pipeline([("loader", _loader()), ("features", union), ("classifier", classifier)])


def _frames_inception() -> Pipeline:
    return Pipeline(
        [
            ("loader", _loader()),
            ("features", _whitened_frames()),
            ("classifier", _wide_inception()),
        ]
    )


def _flatten_series(S):
    """Series ``(n, steps, channels)`` as rows of ``steps * channels`` features."""
    S = np.asarray(S)
    return S.reshape(len(S), -1)


def _seed_series_steps() -> list[tuple[str, Any]]:
    """The study's recipe up to its series: clip mean removed, mel power, the four measures."""
    from .recipe import StudySpectralSeries

    return [
        ("loader", _loader()),
        ("demean", FunctionTransformer(_subtract_clip_mean, feature_names_out="one-to-one")),
        ("spectrogram", _mel_power(fmin=50.0, fmax=300.0, dtype="float64")),
        ("features", StudySpectralSeries()),
    ]


def _seed_hgb() -> Pipeline:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return Pipeline(
        [
            *_seed_series_steps(),
            ("flatten", FunctionTransformer(_flatten_series)),
            ("classifier", HistGradientBoostingClassifier()),
        ]
    )


def _seed_inception() -> Pipeline:
    from .models import WarmupDecaySchedule

    return Pipeline(
        [
            *_seed_series_steps(),
            (
                "classifier",
                _inception(
                    standardize=False,
                    output="sigmoid",
                    loss="squared-error",
                    epochs=70,
                    batch_size=64,
                    validation_split=0.1,
                    patience=4,
                    learning_rate_schedule=WarmupDecaySchedule(),
                ),
            ),
        ]
    )


def _image_spectrogram(**params):
    from .spectrogram import Spectrogram

    return Spectrogram(**params)


def _seed_xception() -> Pipeline:
    from .models import XceptionClassifier

    return Pipeline(
        [
            ("loader", _loader()),
            ("spectrogram", _image_spectrogram()),
            (
                "classifier",
                XceptionClassifier(weights="imagenet", trainable="head", fine_tune_epochs=5),
            ),
        ]
    )


def _xception() -> Pipeline:
    from .models import XceptionClassifier

    return Pipeline(
        [
            ("loader", _loader()),
            ("spectrogram", _image_spectrogram(contrast="row")),
            ("classifier", XceptionClassifier(weights=None, image_size=71, epochs=8)),
        ]
    )


def _contrast_templates(axis: str) -> Pipeline:
    """One contrast image, matched with templates of up-calls and templates of noise."""
    from sklearn.pipeline import FeatureUnion

    from .contrast import LocalContrast
    from .templates import TemplateMatcher

    return Pipeline(
        [
            ("contrast", LocalContrast(axis=axis)),
            (
                "templates",
                FeatureUnion(
                    [
                        ("calls", TemplateMatcher()),
                        # label 0, the challenge's noise: moby2 cut noise shapes too
                        ("noise", TemplateMatcher(positive_class=0)),
                    ]
                ),
            ),
        ]
    )


def _template_features() -> Pipeline:
    """The winners' features: templates on two contrast images and row statistics."""
    from sklearn.pipeline import FeatureUnion

    from .rowstats import RowStatistics

    return Pipeline(
        [
            ("spectrogram", _image_spectrogram(hop_length=64, scaling="power")),
            (
                "features",
                FeatureUnion(
                    [
                        ("frequency", _contrast_templates("frequency")),
                        ("time", _contrast_templates("time")),
                        ("rows", RowStatistics()),
                    ]
                ),
            ),
        ]
    )


def _templates() -> Pipeline:
    from sklearn.ensemble import HistGradientBoostingClassifier

    features = _template_features()
    return Pipeline(
        [
            ("loader", _loader()),
            *features.steps,
            ("classifier", HistGradientBoostingClassifier()),
        ]
    )


def _templates_ce_model() -> Pipeline:
    """Decoded clips -> [winners' features, CE series statistics] -> trees."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import FeatureUnion

    from .series_statistics import SeriesStatistics

    complexity = Pipeline([("series", _ce_union()), ("statistics", SeriesStatistics())])
    return Pipeline(
        [
            (
                "features",
                FeatureUnion([("templates", _template_features()), ("complexity", complexity)]),
            ),
            ("classifier", HistGradientBoostingClassifier()),
        ]
    )


def _templates_ce() -> Pipeline:
    return Pipeline([("loader", _loader()), *_templates_ce_model().steps])


def _best() -> Pipeline:
    # the winner of benchmarks/best_design.py on the training clips: "templates-ce" under
    # six seeds (six draws of templates), averaged; soft votes with the networks scored lower
    from .ensemble import SeedAveragingClassifier

    return Pipeline(
        [
            ("loader", _loader()),
            ("classifier", SeedAveragingClassifier(_templates_ce_model(), n_estimators=6)),
        ]
    )


def _hgb() -> Pipeline:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return Pipeline(
        [
            ("loader", _loader()),
            ("spectrogram", _image_spectrogram(contrast="row", flatten=True)),
            ("classifier", HistGradientBoostingClassifier()),
        ]
    )


def _logistic() -> Pipeline:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    return Pipeline(
        [
            ("loader", _loader()),
            ("spectrogram", _image_spectrogram(contrast="row", flatten=True)),
            ("scale", StandardScaler()),
            ("classifier", LogisticRegression(C=0.01, max_iter=2000)),
        ]
    )


_PIPELINES: dict[str, tuple[Callable[[], Pipeline], str]] = {
    "ce-inception": (
        _ce_inception,
        "complexity-entropy series of plain and whitened mel frames -> seed 1-D network",
    ),
    "fusion-inception": (
        _fusion_inception,
        "complexity-entropy series and whitened mel frames -> seed 1-D network, a branch each",
    ),
    "frames-inception": (
        _frames_inception,
        "whitened mel frames -> seed 1-D network (the baseline of fusion-inception)",
    ),
    "seed-inception": (
        _seed_inception,
        "the study's recipe: its series of squared-dB mel frames -> its 1-D network",
    ),
    "seed-hgb": (
        _seed_hgb,
        "the study's series of squared-dB mel frames, flattened -> histogram gradient boosting",
    ),
    "seed-xception": (
        _seed_xception,
        "the study's spectrogram images -> ImageNet Xception, fine-tuned (downloads weights)",
    ),
    "xception": (_xception, "contrast-normalised spectrogram -> Xception from scratch"),
    "templates": (
        _templates,
        "the challenge winners' features: templates of up-calls and of noise matched on two "
        "contrast images, and row statistics -> histogram gradient boosting",
    ),
    "templates-ce": (
        _templates_ce,
        'the features of "templates" and the mean, spread, extremes and 10th and 90th '
        'percentiles over time of the series of "ce-inception" -> histogram gradient boosting',
    ),
    "best": (
        _best,
        "whalefeat's recommended detector, chosen on training clips: today six "
        '"templates-ce" models, each with its own draw of templates -> their mean probability',
    ),
    "hgb": (_hgb, "contrast-normalised spectrogram -> histogram gradient boosting"),
    "logistic": (_logistic, "contrast-normalised spectrogram -> logistic regression"),
}


def available() -> tuple[str, ...]:
    """List the names of the ready pipelines, for :func:`get`.

    Returns
    -------
    names : tuple of str
        In the order of the table in :mod:`whalefeat.pipelines`.

    Examples
    --------
    >>> from whalefeat import pipelines
    >>> "ce-inception" in pipelines.available()
    True
    """
    return tuple(_PIPELINES)


def _check_name(name: str) -> None:
    if name not in _PIPELINES:
        raise ValueError(
            f"unknown pipeline {name!r}; available: {', '.join(map(repr, _PIPELINES))}"
        )


def describe(name: str) -> str:
    """One line saying what pipeline ``name`` does.

    Parameters
    ----------
    name : str
        One of :func:`available`.

    Returns
    -------
    description : str
        The steps, from audio to classifier.

    Examples
    --------
    >>> from whalefeat import pipelines
    >>> pipelines.describe("hgb")
    'contrast-normalised spectrogram -> histogram gradient boosting'
    """
    _check_name(name)
    return _PIPELINES[name][1]


def get(
    name: str, *, random_state: int | np.random.RandomState | None = None, **params: Any
) -> Pipeline:
    """A fresh, unfitted pipeline ``name``, from clip paths to ``predict_proba``.

    Parameters
    ----------
    name : str
        One of :func:`available`.
    random_state : int, RandomState instance or None, default=None
        Given to every step that takes a ``random_state`` (the classifier's
        initialisation and training order, tie-breaking, ...); None leaves
        them unseeded.
    **params
        Settings to change, as ``pipeline.set_params`` takes them:
        ``"<step>__<parameter>"``, for example ``classifier__epochs=10`` or
        ``loader__on_length="pad"``.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        A new pipeline on every call; its first step is an
        :class:`~whalefeat.AiffLoader`.

    Examples
    --------
    >>> from whalefeat import pipelines
    >>> pipeline = pipelines.get("hgb", random_state=0, classifier__max_iter=50)
    >>> list(pipeline.named_steps)
    ['loader', 'spectrogram', 'classifier']
    >>> pipeline.get_params()["classifier__random_state"]
    0
    """
    _check_name(name)
    pipeline = _PIPELINES[name][0]()
    seeded = {
        key: random_state
        for key in pipeline.get_params(deep=True)
        if key.endswith("__random_state")
    }
    pipeline.set_params(**seeded)
    if params:
        unknown = sorted(set(params) - set(pipeline.get_params(deep=True)))
        if unknown:
            raise ValueError(
                f"pipeline {name!r} has no parameter {unknown[0]!r}; its parameters are its "
                "steps' as '<step>__<parameter>' (pipeline.get_params().keys())"
            )
        pipeline.set_params(**params)
    return pipeline
