"""whalefeat.models without TensorFlow: lazy imports and the missing-extra error."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types

import numpy as np
import pytest

from whalefeat.models import Inception1DClassifier, XceptionClassifier

CLASSES = [Inception1DClassifier, XceptionClassifier]
INSTALL_HINT = r'pip install "whalefeat\[tensorflow\]" \(or "whalefeat\[jax\]"'


def test_import_does_not_load_tensorflow():
    code = (
        "import sys, whalefeat, whalefeat.models\n"
        "whalefeat.XceptionClassifier, whalefeat.Inception1DClassifier\n"
        "whalefeat.models.XceptionClassifier(weights=None).get_params()\n"
        "loaded = sorted(m for m in ('tensorflow', 'keras') if m in sys.modules)\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_import_without_extra_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "keras", None)  # makes `import keras` fail
    for name in [m for m in sys.modules if m.startswith("whalefeat.models")]:
        monkeypatch.delitem(sys.modules, name)  # restored after the test
    with pytest.raises(ImportError, match=INSTALL_HINT):
        importlib.import_module("whalefeat.models")


@pytest.mark.parametrize("cls", CLASSES)
def test_using_without_extra_says_what_to_install(cls, monkeypatch):
    monkeypatch.setitem(sys.modules, "keras", None)  # makes `import keras` fail
    X = np.zeros((4, 8, 8), dtype=np.float32)
    with pytest.raises(ImportError, match=INSTALL_HINT) as info:
        cls().fit(X, [0, 1, 0, 1])
    assert cls.__name__ in str(info.value)


@pytest.mark.parametrize("cls", CLASSES)
def test_keras_2_is_rejected(cls, monkeypatch):
    monkeypatch.setitem(sys.modules, "keras", types.SimpleNamespace(__version__="2.15.0"))
    with pytest.raises(ImportError, match=r"Keras 3, found keras 2\.15\.0"):
        cls().fit(np.zeros((4, 8, 8)), [0, 1, 0, 1])


def test_unpickling_without_extra_says_what_to_install(monkeypatch):
    pytest.importorskip("keras")
    import pickle

    rng = np.random.default_rng(0)
    clf = Inception1DClassifier(filters=2, epochs=1, random_state=0)
    data = pickle.dumps(clf.fit(rng.normal(size=(6, 5)), [0, 1] * 3))
    monkeypatch.setitem(sys.modules, "keras", None)
    with pytest.raises(ImportError, match=INSTALL_HINT):
        pickle.loads(data)


@pytest.mark.parametrize("cls", CLASSES)
def test_keras_without_its_backend_says_which_backend_is_missing(cls, monkeypatch):
    pytest.importorskip("keras")
    from whalefeat.models import _base

    def no_backend(name):
        raise ModuleNotFoundError("No module named 'tensorflow'")

    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    monkeypatch.setattr(_base.importlib, "import_module", no_backend)
    with pytest.raises(
        ImportError,
        match=r"Keras is installed, but importing it with "
        r"KERAS_BACKEND='tensorflow' failed \(No module named 'tensorflow'\)"
        r".*whalefeat\[tensorflow\]",
    ) as info:
        cls().fit(np.zeros((4, 8, 8)), [0, 1, 0, 1])
    assert cls.__name__ in str(info.value)
