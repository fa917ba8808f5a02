"""Sphinx configuration for the whalefeat documentation.

Build with warnings as errors (as CI does)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery in ``examples/`` is executed during the build. Nothing is fetched
from the network, at build time or when reading: there is no intersphinx
mapping, and MathJax is served from the built docs themselves (its files come
from the ``sphinx-mathjax-offline`` package of the ``docs`` extra).

Every documented docstring is checked by numpydoc's validation (see
``numpydoc_validation_checks``); a finding is a warning, so an error under ``-W``.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import re
import sys
from pathlib import Path

from sphinx.util import logging

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

# Quiet, deterministic and headless while the gallery runs.
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("PYTHONHASHSEED", "0")

import whalefeat  # noqa: E402

project = "whalefeat"
author = "The whalefeat developers"
copyright = "2026, The whalefeat developers"
release = whalefeat.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "study_results",
    "api_coverage",
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "**.ipynb_checkpoints",
    # left by builds before write_computation_times=False (see the gallery settings)
    "sg_execution_times.rst",
    "auto_examples/sg_execution_times.rst",
]
root_doc = "index"
default_role = "literal"

# -- API reference -----------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True
# Every check except those the project deliberately does not follow: an extended
# summary (ES01) and a See Also section (SA01) are written where they help, not
# everywhere; Returns sections name their values ("X_new : ndarray ...", RT02) as
# scikit-learn's do; and Examples (EX01) are required of the public classes and
# functions (see _require_examples below), not of each method such as fit.
numpydoc_validation_checks = {"all", "ES01", "EX01", "RT02", "SA01"}
# Module-level constants are documented by a ``#:`` comment, which has no
# docstring layout to validate.
numpydoc_validation_exclude = {r"\.RAVEN_COLUMNS$"}

# -- Gallery -------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("whalefeat",),
    "download_all_examples": False,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    "show_memory": False,
    # The execution-times pages load jQuery, Bootstrap and DataTables from CDNs;
    # each example still states its own running time.
    "write_computation_times": False,
}

# -- Math ----------------------------------------------------------------------
# MathJax 3 from the sphinx-mathjax-offline package (used as a source of files,
# not as an extension): its static folder is copied into _static, and the pages
# load _static/mathjax/tex-chtml.js, so formulas render without a network.
_MATHJAX_SPEC = importlib.util.find_spec("sphinx-mathjax-offline")
if _MATHJAX_SPEC is None or _MATHJAX_SPEC.origin is None:
    raise RuntimeError(
        "the docs need the sphinx-mathjax-offline package (in the docs extra): "
        'pip install -e ".[docs]"'
    )
_MATHJAX_STATIC = Path(_MATHJAX_SPEC.origin).parent / "static"
mathjax_path = "mathjax/tex-chtml.js"

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"whalefeat {release}"
html_static_path = ["_static", str(_MATHJAX_STATIC)]
html_css_files = ["whalefeat.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"**": ["sidebar-nav-bs"], "index": [], "getting_started": [], "results": []}
html_show_sourcelink = False


# A fitted attribute such as ``n_features_in_`` in a type ("ndarray of shape
# (n_features_in_,)") would read as a reStructuredText reference; show it as code.
_FITTED_NAME = re.compile(r"(?<=[(\s,])([A-Za-z]\w*_)(?=[,)\]])")


def _quote_fitted_names(app, what, name, obj, options, lines):
    for number, line in enumerate(lines):
        if "shape" in line and "`" not in line:
            lines[number] = _FITTED_NAME.sub(r"``\1``", line)


_logger = logging.getLogger(__name__)


def _require_examples(app, what, name, obj, options, lines):
    # numpydoc's EX01, for the public classes and functions only
    if what in {"class", "function"} and not any(
        line.strip() == "Examples" and next_line.strip().startswith("---")
        for line, next_line in itertools.pairwise(lines)
    ):
        _logger.warning("%s: the docstring has no Examples section", name)


def setup(app):
    # before numpydoc (priority 500) turns the sections into field lists
    app.connect("autodoc-process-docstring", _quote_fitted_names, priority=400)
    app.connect("autodoc-process-docstring", _require_examples, priority=400)
