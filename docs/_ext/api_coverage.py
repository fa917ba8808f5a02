"""Check that ``api.rst`` documents every public name of whalefeat.

The public names are the ``__all__`` of each module in :data:`MODULES`. A
name is covered when ``api.rst`` lists it in an ``autosummary`` table, under
any module that exposes the same object (``whalefeat.AiffLoader`` covers
``whalefeat.io.AiffLoader``). A missing name is a build warning (an error
under ``-W``), so a new public function cannot go undocumented.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

MODULES = [
    "whalefeat",
    "whalefeat.io",
    "whalefeat.spectrogram",
    "whalefeat.complexity",
    "whalefeat.noise",
    "whalefeat.compose",
    "whalefeat.recipe",
    "whalefeat.pipelines",
    "whalefeat.detect",
    "whalefeat.datasets",
    "whalefeat.models",
    "whalefeat.plotting",
    "whalefeat.cli",
]

_CURRENT = re.compile(r"^\.\.\s+currentmodule::\s+(\S+)\s*$")
_AUTOSUMMARY = re.compile(r"^\.\.\s+autosummary::\s*$")
_ENTRY = re.compile(r"^\s+([A-Za-z_][\w.]*)\s*$")


def documented_names(text: str) -> list[str]:
    """Fully qualified names listed in the autosummary tables of ``text``."""
    names, module, inside = [], None, False
    for line in text.splitlines():
        if match := _CURRENT.match(line):
            module, inside = match.group(1), False
        elif _AUTOSUMMARY.match(line):
            inside = True
        elif inside:
            if line.strip().startswith(":") or not line.strip():
                continue
            if not line.startswith(" "):
                inside = False
            elif match := _ENTRY.match(line):
                names.append(f"{module}.{match.group(1)}" if module else match.group(1))
    return names


def _resolve(name: str):
    module_name, _, attribute = name.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def check_api_coverage(app) -> None:
    api = Path(app.srcdir) / "api.rst"
    covered = set()
    for name in documented_names(api.read_text(encoding="utf-8")):
        try:
            covered.add(id(_resolve(name)))
        except (ImportError, AttributeError) as error:
            logger.warning(
                "api.rst lists %s, which cannot be imported: %s", name, error, location="api"
            )
    missing = []
    for module_name in MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            logger.warning("cannot import %s to check its documentation: %s", module_name, error)
            continue
        for name in getattr(module, "__all__", []):
            if name.startswith("__"):
                continue
            try:
                value = getattr(module, name)
            except AttributeError:
                logger.warning("%s.__all__ names %s, which it does not define", module_name, name)
                continue
            if id(value) not in covered:
                missing.append(f"{module_name}.{name}")
    if missing:
        logger.warning(
            "api.rst does not document these public names: %s", ", ".join(missing), location="api"
        )


def setup(app):
    app.connect("builder-inited", check_api_coverage)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
