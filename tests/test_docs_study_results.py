"""The results page's directives: rendered from the study's files, or a note where absent."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")

EXTENSIONS = Path(__file__).resolve().parents[1] / "docs" / "_ext"
sys.path.insert(0, str(EXTENSIONS))

import study_results  # noqa: E402

REPEATS = """pipeline,condition,n_runs,seeds,roc_auc_mean,roc_auc_sd,roc_auc_min,roc_auc_max,\
roc_auc_per_run,accuracy_mean,n_train,n_test
best,clean,2,0 1,0.97,0.005,0.9665,0.9735,0.9665 0.9735,0.9,7608,1153
"""
COMPARE = """first,second,condition,n_runs,seeds,difference_mean,difference_sd,\
difference_per_run,n_runs_interval_above_zero
best,templates,clean,2,0 1,0.0025,0.001,+0.0018 +0.0032,1
"""


def _build(root: Path, body: str) -> tuple[str, str]:
    """Build ``body`` as a one-page Sphinx project; return its text and the warnings.

    Each build runs in its own process: Sphinx registers its node classes once per process.
    """
    (root / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(EXTENSIONS)!r})\nextensions = ['study_results']\n"
    )
    (root / "index.rst").write_text("Results\n=======\n\n" + body)
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(root), str(root / "_build")],
        capture_output=True,
        text=True,
        check=True,
    )
    page = (root / "_build" / "index.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
    return text, done.stderr


def test_repeat_results_render_the_runs_and_their_differences(tmp_path):
    folder = tmp_path / "_static" / "study" / "holdout-splits"
    folder.mkdir(parents=True)
    (folder / "repeats.csv").write_text(REPEATS)
    (folder / "repeats_compare.csv").write_text(COMPARE)
    (folder / "repeats_command.txt").write_text(
        "# seed 1\npython benchmarks/holdout.py --seed 1\n"
    )
    text, warnings = _build(tmp_path, ".. repeat-results:: holdout-splits\n")
    assert warnings == ""
    assert "best clean 0.9700 0.0050 0.9665 - 0.9735 0.9665 0.9735 0 1 7608 / 1153" in text
    assert "best - templates clean +0.0025 0.0010 +0.0018 +0.0032 1 of 2" in text
    assert "python benchmarks/holdout.py --seed 1" in text


def test_absent_files_give_a_note_naming_the_folder(tmp_path):
    (tmp_path / "_static").mkdir()
    body = ".. repeat-results:: holdout-seeds\n\n.. holdout-results:: elsewhere\n"
    text, warnings = _build(tmp_path, body)
    assert warnings == ""
    assert "once docs/_static/study/holdout-seeds/repeats.csv is there" in text
    assert "output files are in docs/_static/study/elsewhere/." in text


def test_a_malformed_file_is_a_warning_that_names_it(tmp_path):
    folder = tmp_path / "_static" / "study" / "holdout-seeds"
    folder.mkdir(parents=True)
    (folder / "repeats.csv").write_text("pipeline,condition\nbest,clean\n")
    _, warnings = _build(tmp_path, ".. repeat-results:: holdout-seeds\n")
    assert "repeated results" in warnings and "repeats.csv: missing column(s) n_runs" in warnings


def test_the_required_columns_are_written_by_the_study():
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "study.py"
    spec = importlib.util.spec_from_file_location("whalefeat_study_columns", path)
    study = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = study
    spec.loader.exec_module(study)
    assert set(study_results.REPEAT_COLUMNS) <= set(study.REPEAT_COLUMNS)
    assert set(study_results.REPEAT_COMPARE_COLUMNS) <= set(study.REPEAT_COMPARE_COLUMNS)


def test_study_results_of_another_run_say_how_it_was_made(tmp_path):
    folder = tmp_path / "_static" / "study" / "two-cores"
    folder.mkdir(parents=True)
    (folder / "study.csv").write_text(
        "part,pipeline,condition,roc_auc,roc_auc_boot_sd,accuracy,fit_time_s,n_train,n_test\n"
        "holdout-grow,best,clean,0.9665,0.0046,0.91,740.5,7608,1153\n"
    )
    (folder / "command.txt").write_text("python benchmarks/study.py --profile two-cores\n")
    (folder / "environment.json").write_text(
        '{"cpu_count": 2, "profile": "two-cores", "workers": 2, "wall_time_s": 4500.0,'
        ' "part_wall_s": {"holdout": 3000.0, "holdout-grow": 1200.0},'
        ' "skipped": {"xception": "left out of the grown part by the two-cores profile"}}'
    )
    text, warnings = _build(tmp_path, ".. study-results:: two-cores\n")
    assert warnings == ""
    assert (
        "This run used the two-cores profile with 2 worker(s) on 2 CPU core(s) and took 75 "
        "minutes of wall time (each part\u2019s own: holdout 50 min, holdout-grow 20 min)." in text
    )
    assert "whalefeat best 0.967 ± 0.005 0.910" in text
    assert "Not run: xception , because left out of the grown part" in text
    assert "python benchmarks/study.py --profile two-cores" in text
    # a resumed run timed only what it added: no sentence on its own wall time, but
    # that of the run it resumed, where it was carried forward
    record = (folder / "environment.json").read_text()
    (folder / "environment.json").write_text(
        record.replace('"cpu_count"', '"resumed": true, "cpu_count"')
    )
    text, warnings = _build(tmp_path, ".. study-results:: two-cores\n")
    assert warnings == "" and "took" not in text and "Not run: xception" in text
    (folder / "environment.json").write_text(
        '{"resumed": true, "profile": "two-cores", "wall_time_s": 9.0, "first_run": '
        '{"cpu_count": 2, "profile": "two-cores", "workers": 2, "wall_time_s": 3000.0}}'
    )
    text, warnings = _build(tmp_path, ".. study-results:: two-cores\n")
    assert warnings == ""
    assert (
        "The run that first filled this folder used the two-cores profile with 2 worker(s) "
        "on 2 CPU core(s) and took 50 minutes of wall time. Pipelines may have been "
        "refitted or added since" in text
    )
