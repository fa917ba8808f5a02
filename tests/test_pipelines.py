"""whalefeat.pipelines: the named pipelines from clip paths to predict_proba."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline

from whalefeat import AiffLoader, pipelines
from whalefeat.datasets import make_clips, write_clips

REQUIRED = (
    "seed-inception",
    "seed-xception",
    "ce-inception",
    "fusion-inception",
    "hgb",
    "xception",
    "templates",
)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    X, y = make_clips(24, snr_db=6.0, random_state=3)
    return write_clips(X, tmp_path_factory.mktemp("clips"), y=y), y


def test_every_required_name_is_available_and_described():
    names = pipelines.available()
    assert set(REQUIRED) <= set(names)
    assert len(set(names)) == len(names)
    for name in names:
        assert "->" in pipelines.describe(name)


@pytest.mark.parametrize("name", pipelines.available())
def test_get_returns_a_fresh_unfitted_pipeline_from_paths(name):
    first, second = pipelines.get(name), pipelines.get(name)
    assert isinstance(first, Pipeline) and first is not second
    assert isinstance(first.steps[0][1], AiffLoader) and first.steps[0][0] == "loader"
    assert first.steps[-1][0] == "classifier"
    assert first[-1] is not second[-1]
    clone(first)
    pickle.loads(pickle.dumps(first))


def test_random_state_reaches_every_step_that_takes_one():
    pipeline = pipelines.get("fusion-inception", random_state=7)
    seeded = {k: v for k, v in pipeline.get_params().items() if k.endswith("random_state")}
    assert seeded and set(seeded.values()) == {7}
    assert "classifier__random_state" in seeded
    assert "features__plain__complexityentropycurve__random_state" in seeded


def test_params_are_set_params_keys_and_unknown_ones_are_errors():
    pipeline = pipelines.get("ce-inception", classifier__epochs=3, loader__on_length="pad")
    assert pipeline.get_params()["classifier__epochs"] == 3
    assert pipeline.get_params()["loader__on_length"] == "pad"
    with pytest.raises(ValueError, match="pipeline 'hgb' has no parameter 'classifier__epochs'"):
        pipelines.get("hgb", classifier__epochs=3)
    with pytest.raises(ValueError, match="unknown pipeline 'cnn'; available: 'ce-inception'"):
        pipelines.get("cnn")
    with pytest.raises(ValueError, match="unknown pipeline"):
        pipelines.describe("cnn")


# 12 positive clips here, fewer than the 16 templates "templates" cuts by default
FEW_TEMPLATES = {
    f"features__{part}__templates__{kind}__n_templates": 4
    for part in ("frequency", "time")
    for kind in ("calls", "noise")
}


FEW_TEMPLATES_CE = {f"features__templates__{key}": n for key, n in FEW_TEMPLATES.items()}


@pytest.mark.parametrize(
    "name, params",
    [
        ("hgb", {}),
        ("logistic", {}),
        ("seed-hgb", {}),
        ("templates", FEW_TEMPLATES),
        ("templates-ce", FEW_TEMPLATES_CE),
    ],
)
def test_classical_pipelines_fit_and_predict_from_paths(clips, name, params):
    paths, y = clips
    model = pipelines.get(name, random_state=0, **params).fit(paths, y)
    proba = model.predict_proba(paths)
    assert proba.shape == (len(y), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_ce_features_hold_only_entropies_and_complexities(clips):
    """No spectrogram value reaches the network of ce-inception."""
    paths, _ = clips
    features = pipelines.get("ce-inception")[:-1].fit(paths)
    series = features.transform(paths)
    names = features.get_feature_names_out().tolist()
    assert series.shape == (len(paths), 126, 8)
    assert names == [
        f"{branch}__{name}"
        for branch in ("plain", "whitened")
        for name in ("H", "C", "C_euclidean", "C_total_variation")
    ]
    assert ((series >= 0) & (series <= 1 + 1e-12)).all()


def test_fusion_adds_the_whitened_mel_frames_to_the_ce_series(clips):
    paths, _ = clips
    features = pipelines.get("fusion-inception")[:-1].fit(paths)
    ce = pipelines.get("ce-inception")[:-1].fit(paths)
    frames = pipelines.get("frames-inception")[:-1].fit(paths)
    joined = features.transform(paths)
    assert joined.shape == (len(paths), 126, 8 + 64)
    np.testing.assert_array_equal(joined[..., :8], ce.transform(paths))
    np.testing.assert_array_equal(joined[..., 8:], frames.transform(paths))


def test_fusion_gives_each_source_its_own_branch_of_the_network(clips):
    paths, _ = clips
    pipeline = pipelines.get("fusion-inception")
    ce_width = pipelines.get("ce-inception")[:-1].fit(paths).transform(paths).shape[-1]
    frames_width = pipelines.get("frames-inception")[:-1].fit(paths).transform(paths).shape[-1]
    classifier = pipeline.named_steps["classifier"]
    assert tuple(classifier.channel_groups) == (ce_width, frames_width)
    assert classifier.branch_fusion == "probabilities"


def test_templates_are_cut_from_the_calls_and_from_the_noise(clips):
    paths, y = clips
    y = np.asarray(y)
    fitted = pipelines.get("templates", random_state=0, **FEW_TEMPLATES)[:-1].fit(paths, y)
    branches = dict(fitted.named_steps["features"].transformer_list)
    for axis in ("frequency", "time"):
        matchers = dict(branches[axis].named_steps["templates"].transformer_list)
        for kind, label in (("calls", 1), ("noise", 0)):
            clips_cut = matchers[kind].template_origins_[:, 0]
            assert matchers[kind].positive_class_ == label
            assert len(clips_cut) == 4 and (y[clips_cut] == label).all()
    names = fitted.get_feature_names_out()
    assert "frequency__noise__template0_peak" in names.tolist()


def test_templates_ce_joins_the_template_features_and_ce_series_statistics(clips):
    paths, y = clips
    joined = pipelines.get("templates-ce", random_state=0, **FEW_TEMPLATES_CE)[:-1]
    templates = pipelines.get("templates", random_state=0, **FEW_TEMPLATES)[:-1]
    ce = pipelines.get("ce-inception")[:-1]
    features = joined.fit(paths, y).transform(paths)
    template_features = templates.fit(paths, y).transform(paths)
    series = ce.fit(paths).transform(paths)
    width = template_features.shape[1]
    np.testing.assert_array_equal(features[:, :width], template_features)
    statistics = features[:, width:].reshape(len(paths), 6, 8)
    np.testing.assert_allclose(statistics[:, 0], series.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(statistics[:, 3], series.max(axis=1), rtol=1e-12)
    np.testing.assert_allclose(statistics[:, 5], np.quantile(series, 0.9, axis=1), rtol=1e-12)
    names = joined.get_feature_names_out()
    assert len(names) == features.shape[1]
    assert names[width] == "complexity__plain__H_mean"
    assert names[-1] == "complexity__whitened__C_total_variation_q0.9"


def test_seed_inception_feeds_the_study_layout(clips):
    paths, _ = clips
    series = pipelines.get("seed-inception")[:-1].fit_transform(paths)
    assert series.shape == (len(paths), 4, 126) and series.dtype == np.float64


def test_seed_hgb_gives_the_trees_the_study_series_flattened(clips):
    paths, _ = clips
    series = pipelines.get("seed-inception")[:-1].fit_transform(paths)
    flat = pipelines.get("seed-hgb")[:-1].fit_transform(paths)
    np.testing.assert_array_equal(flat, series.reshape(len(paths), -1))


@pytest.mark.keras
@pytest.mark.slow
def test_ce_inception_with_its_defaults_learns_synthetic_upcalls(tmp_path):
    """The README's first pipeline: 90 clips at 6 dB, 3-fold cross-validation."""
    pytest.importorskip("keras")
    X, y = make_clips(90, snr_db=6.0, random_state=0)
    paths = write_clips(X, tmp_path, y=y)
    scores = cross_val_score(
        pipelines.get("ce-inception", random_state=0),
        paths,
        y,
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        scoring="roc_auc",
    )
    assert scores.mean() >= 0.9, scores


def test_the_readme_writes_out_ce_inception_exactly():
    """The README's written-out pipeline is the named one, parameter for parameter."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = next(
        code
        for code in re.findall(r"```python\n(.*?)```", readme, re.S)
        if "SeriesUnion([" in code
    )
    namespace: dict = {}
    exec(block, namespace)
    written, named = namespace["detector"], pipelines.get("ce-inception", random_state=0)
    # get seeds every step; the README seeds the network, the only one that draws numbers
    written.set_params(**{k: 0 for k in written.get_params() if k.endswith("random_state")})
    assert repr(written.get_params(deep=True)) == repr(named.get_params(deep=True))
