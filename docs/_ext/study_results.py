"""Sphinx directives that render the real-data study from its output files.

``.. study-results::`` reads the summary that ``benchmarks/study.py`` writes,
copied into ``docs/_static/study/``:

``study.csv``
    One row per part, pipeline and condition, with the columns in
    :data:`STUDY_COLUMNS` (more columns are allowed and ignored).
``published.csv``
    Figures quoted from the original study and the challenge, with the
    columns ``pipeline,condition,roc_auc,accuracy,note``.
``targets.csv``
    Each target, the figure measured for it and by how much it was met or
    missed, with the columns in :data:`TARGET_COLUMNS`.
``roc.png``, ``roc_noisy.png``
    ROC curves of the grown part, clean and noised test clips (each optional).
``environment.json``
    The machine, the library versions and the pipelines the study skipped
    (optional).
``command.txt``
    The commands that produced the files (optional).

``.. holdout-results:: FOLDER`` renders one part of the study (a folder that
``benchmarks/holdout.py`` wrote, such as ``holdout`` or ``holdout-grow``).

``.. repeat-results:: FOLDER`` renders a part repeated under other seeds
(``holdout-seeds`` or ``holdout-splits``: their ``repeats.csv`` and
``repeats_compare.csv``).

Where a directive's main file is absent it says that the study has not been
run yet; it never shows numbers that did not come from those files. A
malformed file is reported as a build warning (an error under ``-W``).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

STUDY_DIR = Path("_static") / "study"


def _number(text: str, *, where: str) -> float:
    if text is None or not text.strip():
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{where}: expected a number, got {text!r}") from None


def _mean_std(mean: float, std: float) -> str:
    if math.isnan(mean):
        return "n/a"
    if math.isnan(std):
        return f"{mean:.3f}"
    return f"{mean:.3f} ± {std:.3f}"


def _optional(value: float, spec: str = ".3f") -> str:
    """``value`` formatted with ``spec``, or "n/a" for a missing (NaN) value."""
    if math.isnan(value):
        return "n/a"
    return format(value, spec)


def read_csv(path: Path, columns: list[str]) -> list[dict[str, str]]:
    """Read a CSV file that must hold ``columns``; return its rows as dictionaries."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        rows = list(reader)
    if not rows:
        raise ValueError(f"{path}: no result rows")
    return rows


def _commands(path: Path) -> list[str]:
    """The commands file ``path`` as a code block, or nothing where it is absent."""
    if not path.is_file():
        return []
    lines = ["Produced with:", "", ".. code-block:: bash", ""]
    return [*lines, *("   " + line for line in path.read_text("utf-8").splitlines()), ""]


def _table(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    lines = [f".. list-table:: {title}", "   :header-rows: 1", ""]
    for cells in [header, *rows]:
        lines.append("   * - " + "\n     - ".join(cells))
    lines.append("")
    return lines


def environment_table(path: Path) -> list[str]:
    """reStructuredText for the machine and library versions."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    flat: list[tuple[str, str]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            flat += [(f"{key}.{inner}", str(item)) for inner, item in value.items()]
        else:
            flat.append((str(key), str(value)))
    return _table(
        "Machine, library versions and settings",
        ["Item", "Value"],
        [[key, f"``{' '.join(value.split())}``" if value.strip() else ""] for key, value in flat],
    )


STUDY_COLUMNS = [
    "part",
    "pipeline",
    "condition",
    "roc_auc",
    "roc_auc_boot_sd",
    "accuracy",
    "fit_time_s",
    "n_train",
    "n_test",
]
PUBLISHED_COLUMNS = ["pipeline", "condition", "roc_auc", "accuracy", "note"]
TARGET_COLUMNS = ["target", "part", "pipeline", "measured", "threshold", "met", "gap", "detail"]
FIGURES = [
    (
        "roc.png",
        "ROC curves of the grown part's pipelines whose test scores the part keeps "
        "(holdout_scores.npz), clean test clips.",
    ),
    ("roc_noisy.png", "The same pipelines on the noised test clips."),
]
FILES = [
    "study.csv",
    "published.csv",
    "targets.csv",
    "environment.json",
    "command.txt",
    *[name for name, _ in FIGURES],
]
#: how each part of the study trains, in the side-by-side table
PARTS = {
    "holdout-grow": "design clips and 80 % of the others",
    "holdout": "the 3,000 design clips",
}


def side_by_side(
    rows: list[dict[str, str]], published: list[dict[str, str]], source: Path
) -> list[str]:
    """The published figures and whalefeat's, one table (clean and noised test clips)."""
    out = []
    for number, row in enumerate(published, start=2):
        where = f"{source.parent / 'published.csv'}, row {number}"
        figure = [
            _optional(_number(row["roc_auc"], where=where)),
            _optional(_number(row["accuracy"], where=where)),
        ]
        cells = figure + ["", ""] if row["condition"] == "clean" else ["", ""] + figure
        out.append([row["pipeline"].removeprefix("published: "), *cells, row["note"]])
    by_key = {(r["part"], r["pipeline"], r["condition"]): r for r in rows}
    for part, how in PARTS.items():
        names = dict.fromkeys(r["pipeline"] for r in rows if r["part"] == part)
        for name in names:
            cells = []
            for condition in ("clean", "noisy"):
                row = by_key.get((part, name, condition))
                where = f"{source}, {part} {name} {condition}"
                if row is None:
                    cells += ["", ""]
                    continue
                cells += [
                    _mean_std(
                        _number(row["roc_auc"], where=where),
                        _number(row["roc_auc_boot_sd"], where=where),
                    ),
                    _optional(_number(row["accuracy"], where=where)),
                ]
            first = by_key.get((part, name, "clean")) or by_key[(part, name, "noisy")]
            out.append(
                [
                    f"whalefeat ``{name}``",
                    *cells,
                    f"trained on {int(first['n_train']):,} clips ({how}), scored on "
                    f"{int(first['n_test']):,} others",
                ]
            )
    return _table(
        "Published figures (quoted) and whalefeat's (measured here), side by side",
        [
            "Detector",
            "ROC AUC, clean",
            "Accuracy, clean",
            "ROC AUC, noised",
            "Accuracy, noised",
            "How",
        ],
        out,
    )


def targets_table(rows: list[dict[str, str]], source: Path) -> list[str]:
    """reStructuredText for the targets and whether the study met them."""
    out = []
    for number, row in enumerate(rows, start=2):
        where = f"{source}, row {number}"
        measured = _number(row["measured"], where=where)
        spec = ".0f" if measured > 1 else ".4f"
        out.append(
            [
                row["target"],
                _optional(measured, spec),
                "yes" if row["met"] == "True" else "no",
                _optional(_number(row["gap"], where=where), "+" + spec),
                row["detail"],
            ]
        )
    return _table("Targets", ["Target", "Measured", "Met", "Gap", "Detail"], out)


def run_time(environment: dict) -> list[str]:
    """A sentence on how the run was made and how long it took, where the record says.

    A resumed run (``--resume``, ``--summary-only``) timed only what it added: it
    gets the sentence of the run that first filled its folder (``first_run``),
    where that was recorded, and its parts' command files say what was added.
    """
    resumed = bool(environment.get("resumed"))
    record = (environment.get("first_run") or {}) if resumed else environment
    if not {"wall_time_s", "profile"} <= record.keys():
        return []
    parts = record.get("part_wall_s") or {}
    sentence = (
        f"{'The run that first filled this folder' if resumed else 'This run'} used the "
        f"``{record['profile']}`` profile with {record.get('workers', 1)} worker(s) on "
        f"{record.get('cpu_count', '?')} CPU core(s) and took "
        f"{float(record['wall_time_s']) / 60:.0f} minutes of wall time"
    )
    if parts:
        each = ", ".join(
            f"``{label}`` {float(seconds) / 60:.0f} min" for label, seconds in parts.items()
        )
        sentence += f" (each part's own: {each})"
    sentence += "."
    if resumed:
        sentence += (
            " Pipelines may have been refitted or added since, by ``--resume``; each part's "
            "command file lists its runs."
        )
    return [sentence, ""]


def study_rst(folder: Path, web: str = f"/{STUDY_DIR.as_posix()}") -> list[str]:
    """reStructuredText for the study's summary in ``folder`` (``web``: its path in the docs)."""
    lines: list[str] = []
    lines += _commands(folder / "command.txt")
    source = folder / "study.csv"
    rows = read_csv(source, STUDY_COLUMNS)
    published = []
    if (folder / "published.csv").is_file():
        published = read_csv(folder / "published.csv", PUBLISHED_COLUMNS)
    lines += side_by_side(rows, published, source)
    targets = folder / "targets.csv"
    if targets.is_file():
        lines += targets_table(read_csv(targets, TARGET_COLUMNS), targets)
    environment = folder / "environment.json"
    record = {}
    if environment.is_file():
        record = json.loads(environment.read_text("utf-8"))
        if not isinstance(record, dict):
            raise ValueError(f"{environment}: expected a JSON object")
    lines += run_time(record)
    for name, why in record.get("skipped", {}).items():
        lines += [f"Not run: ``{name}``, because {why}.", ""]
    for name, caption in FIGURES:
        if (folder / name).is_file():
            lines += [
                f".. figure:: {web}/{name}",
                "   :width: 90%",
                f"   :alt: {caption}",
                "",
                f"   {caption}",
                "",
            ]
    if environment.is_file():
        lines += environment_table(environment)
    return lines


HOLDOUT_DIR = STUDY_DIR / "holdout"
HOLDOUT_COLUMNS = [
    "pipeline",
    "condition",
    "roc_auc",
    "accuracy",
    "f1",
    "recall",
    "precision",
    "roc_auc_boot_sd",
    "roc_auc_ci_low",
    "roc_auc_ci_high",
    "fit_time_s",
    "n_train",
    "n_test",
]
COMPARE_COLUMNS = [
    "first",
    "second",
    "condition",
    "roc_auc_difference",
    "paired_boot_sd",
    "ci_low",
    "ci_high",
]
LEAK_COLUMNS = ["protocol", "seed", "roc_auc", "accuracy", "n_train", "n_test", "n_augmented"]
HOLDOUT_FILES = [
    "holdout.csv",
    "leak.csv",
    "compare.csv",
    "holdout_environment.json",
    "command.txt",
]
#: the pipelines of the side-by-side table, in this order, with what each stands for
SIDE_BY_SIDE = [
    ("seed-inception", "the study's recipe, re-run leak-free here"),
    ("seed-hgb", "the study's series, flattened, into gradient-boosted trees"),
    ("ce-inception", "whalefeat's complexity-entropy detector"),
    ("fusion-inception", "complexity-entropy series and mel frames"),
    ("frames-inception", "mel frames only (the baseline of fusion)"),
    ("hgb", "spectrogram into gradient-boosted trees (classical baseline)"),
    ("templates", "the challenge winners' features into gradient-boosted trees"),
    ("templates-ce", "the winners' features and complexity-entropy statistics into trees"),
    ("best", "whalefeat's recommended detector (six templates-ce models averaged)"),
]


def _mean_sd(values: list[float]) -> str:
    if not values:
        return "n/a"
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return f"{mean:.3f} ± {sd:.3f} ({len(values)} splits)"


def holdout_rst(folder: Path) -> list[str]:
    """reStructuredText for the held-out evaluation and the leak measurement."""
    lines: list[str] = []
    lines += _commands(folder / "command.txt")
    source = folder / "holdout.csv"
    rows = read_csv(source, HOLDOUT_COLUMNS)
    by_key = {(r["pipeline"], r["condition"]): r for r in rows}
    leak_rows: list[dict[str, str]] = []
    if (folder / "leak.csv").is_file():
        leak_rows = read_csv(folder / "leak.csv", LEAK_COLUMNS)
    leak = {}
    for row in leak_rows:
        leak.setdefault(row["protocol"], []).append(
            _number(row["roc_auc"], where=str(folder / "leak.csv"))
        )

    side = [
        [
            "the study, as published (augmented before its split)",
            "0.909",
            "n/a",
            "quoted from the study, not measured here",
        ]
    ]
    for protocol, values in leak.items():
        side.append(
            [
                f"the study's recipe, {protocol}",
                _mean_sd(values),
                "n/a",
                "90/10 splits of the training clips (leak section below)",
            ]
        )
    for name, what in SIDE_BY_SIDE:
        clean, noisy = by_key.get((name, "clean")), by_key.get((name, "noisy"))
        if clean is None:
            continue
        where = f"{source}, {name}"
        auc = _number(clean["roc_auc"], where=where)
        sd = _number(clean["roc_auc_boot_sd"], where=where)
        noisy_auc = _number(noisy["roc_auc"], where=where) if noisy else math.nan
        side.append(
            [
                f"``{name}``: {what}",
                _mean_std(auc, sd),
                _optional(noisy_auc),
                f"trained on {clean['n_train']}, scored on {clean['n_test']} other clips",
            ]
        )
    lines += _table(
        "The detectors side by side (ROC AUC)",
        ["Pipeline", "Clean", "Noised test clips", "How"],
        side,
    )

    header = [
        "Pipeline",
        "Condition",
        "ROC AUC (± bootstrap sd)",
        "95 % interval",
        "Accuracy",
        "F1",
        "Recall",
        "Precision",
        "Fit time (s)",
    ]
    out = []
    for number, row in enumerate(rows, start=2):
        where = f"{source}, row {number}"
        out.append(
            [
                f"``{row['pipeline']}``",
                row["condition"],
                _mean_std(
                    _number(row["roc_auc"], where=where),
                    _number(row["roc_auc_boot_sd"], where=where),
                ),
                f"{_optional(_number(row['roc_auc_ci_low'], where=where))} - "
                f"{_optional(_number(row['roc_auc_ci_high'], where=where))}",
                *[
                    _optional(_number(row[key], where=where))
                    for key in ("accuracy", "f1", "recall", "precision")
                ],
                _optional(_number(row["fit_time_s"], where=where), ".3g"),
            ]
        )
    lines += _table("Every pipeline, clean and noised test clips", header, out)

    compare = folder / "compare.csv"
    compare_rows = read_csv(compare, COMPARE_COLUMNS) if compare.is_file() else []
    if compare_rows:
        out = []
        for number, row in enumerate(compare_rows, start=2):
            where = f"{compare}, row {number}"
            out.append(
                [
                    f"``{row['first']}`` - ``{row['second']}``",
                    row["condition"],
                    _optional(_number(row["roc_auc_difference"], where=where), "+.4f"),
                    _optional(_number(row["paired_boot_sd"], where=where), ".4f"),
                    f"{_optional(_number(row['ci_low'], where=where), '+.4f')} to "
                    f"{_optional(_number(row['ci_high'], where=where), '+.4f')}",
                ]
            )
        lines += _table(
            "Differences of ROC AUC on the same test clips (paired bootstrap, "
            "benchmarks/holdout.py --compare)",
            ["Pipelines", "Condition", "Difference", "Bootstrap sd", "95 % interval"],
            out,
        )
    if leak_rows:
        lines += [".. rubric:: The leak of the published protocol", ""]
        out = [
            [
                r["protocol"],
                r["seed"],
                _optional(_number(r["roc_auc"], where="leak.csv")),
                _optional(_number(r["accuracy"], where="leak.csv")),
                r["n_train"],
                r["n_test"],
                r["n_augmented"],
            ]
            for r in leak_rows
        ]
        lines += _table(
            "seed-inception with augmentation before or after the split",
            [
                "Protocol",
                "Split seed",
                "ROC AUC",
                "Accuracy",
                "Training clips",
                "Test clips",
                "Augmented copies",
            ],
            out,
        )
    environment = folder / "holdout_environment.json"
    if environment.is_file():
        lines += environment_table(environment)
    return lines


REPEAT_COLUMNS = [
    "pipeline",
    "condition",
    "n_runs",
    "seeds",
    "roc_auc_mean",
    "roc_auc_sd",
    "roc_auc_min",
    "roc_auc_max",
    "roc_auc_per_run",
    "n_train",
    "n_test",
]
REPEAT_COMPARE_COLUMNS = [
    "first",
    "second",
    "condition",
    "n_runs",
    "difference_mean",
    "difference_sd",
    "difference_per_run",
    "n_runs_interval_above_zero",
]
REPEAT_FILES = ["repeats.csv", "repeats_compare.csv", "repeats_command.txt"]


def repeats_rst(folder: Path) -> list[str]:
    """reStructuredText for a part's pipelines over several runs."""
    lines: list[str] = []
    lines += _commands(folder / "repeats_command.txt")
    source = folder / "repeats.csv"
    out = []
    for number, row in enumerate(read_csv(source, REPEAT_COLUMNS), start=2):
        where = f"{source}, row {number}"
        out.append(
            [
                f"``{row['pipeline']}``",
                row["condition"],
                _optional(_number(row["roc_auc_mean"], where=where), ".4f"),
                _optional(_number(row["roc_auc_sd"], where=where), ".4f"),
                f"{_optional(_number(row['roc_auc_min'], where=where), '.4f')} - "
                f"{_optional(_number(row['roc_auc_max'], where=where), '.4f')}",
                row["roc_auc_per_run"],
                row["seeds"],
                f"{row['n_train']} / {row['n_test']}",
            ]
        )
    lines += _table(
        "ROC AUC over the runs",
        [
            "Pipeline",
            "Condition",
            "Mean",
            "Sd between runs",
            "Range",
            "Per run",
            "Seeds",
            "Training / test clips",
        ],
        out,
    )
    compare = folder / "repeats_compare.csv"
    rows = []
    if compare.is_file() and compare.read_text("utf-8").count("\n") > 1:
        rows = read_csv(compare, REPEAT_COMPARE_COLUMNS)
    out = []
    for number, row in enumerate(rows, start=2):
        where = f"{compare}, row {number}"
        out.append(
            [
                f"``{row['first']}`` - ``{row['second']}``",
                row["condition"],
                _optional(_number(row["difference_mean"], where=where), "+.4f"),
                _optional(_number(row["difference_sd"], where=where), ".4f"),
                row["difference_per_run"],
                f"{row['n_runs_interval_above_zero']} of {row['n_runs']}",
            ]
        )
    if out:
        lines += _table(
            "Paired differences of ROC AUC over the same runs",
            [
                "Pipelines",
                "Condition",
                "Mean difference",
                "Sd between runs",
                "Per run",
                "Runs whose 95 % interval is above zero",
            ],
            out,
        )
    return lines


class _StudyDirective(SphinxDirective):
    """A directive that renders one folder of the study's files, or says they are absent.

    A subclass names the folder's files the page depends on (``files``), the
    one whose absence means the part has not been run (``main``), what the
    note says then (``missing``, formatted with the folder as ``where``), what
    a build warning calls the part (``what``), and how the folder becomes
    reStructuredText (``to_rst``). The directive's argument, where it has one,
    is a folder under ``_static/study``.
    """

    has_content = False
    default_folder: str | None = None
    files: list[str] = []
    main = ""
    missing = ""
    what = ""

    def to_rst(self, folder: Path, where: Path) -> list[str]:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0] if self.arguments else self.default_folder
        where = STUDY_DIR / name if name else STUDY_DIR
        folder = Path(self.env.srcdir) / where
        for file in self.files:
            self.env.note_dependency(str(folder / file))
        if not (folder / self.main).is_file():
            note = nodes.note()
            note += nodes.paragraph(text=self.missing.format(where=where.as_posix()))
            return [note]
        try:
            lines = self.to_rst(folder, where)
        except (OSError, ValueError) as error:
            logger.warning("%s: %s", self.what, error, location=self.get_location())
            return []
        return self.parse_text_to_nodes("\n".join(lines))


class RepeatResults(_StudyDirective):
    """Render a part of the study repeated under other seeds (the folder's name)."""

    required_arguments = 1
    files, main, what = REPEAT_FILES, "repeats.csv", "repeated results"
    missing = (
        "This part has not been repeated yet: its results appear here once "
        "docs/{where}/repeats.csv is there."
    )

    def to_rst(self, folder: Path, where: Path) -> list[str]:
        return repeats_rst(folder)


class HoldoutResults(_StudyDirective):
    """Render the held-out evaluation of the named pipelines and the leak measurement.

    The optional argument names the folder under ``_static/study`` (default
    ``holdout``).
    """

    optional_arguments = 1
    default_folder = HOLDOUT_DIR.name
    files, main, what = HOLDOUT_FILES, "holdout.csv", "held-out results"
    missing = (
        "The held-out study has not been run yet: its results appear here once "
        "benchmarks/holdout.py's output files are in docs/{where}/."
    )

    def to_rst(self, folder: Path, where: Path) -> list[str]:
        return holdout_rst(folder)


class StudyResults(_StudyDirective):
    """Render the study's summary: published and measured figures, targets, ROC curves.

    The optional argument names a folder under ``_static/study`` that holds
    another run's summary (default: ``_static/study`` itself).
    """

    optional_arguments = 1
    files, main, what = FILES, "study.csv", "study results"
    missing = (
        "The study has not been run yet: this page shows its results once "
        "benchmarks/study.py's output files are in docs/{where}/."
    )

    def to_rst(self, folder: Path, where: Path) -> list[str]:
        return study_rst(folder, f"/{where.as_posix()}")


def setup(app):
    app.add_directive("study-results", StudyResults)
    app.add_directive("holdout-results", HoldoutResults)
    app.add_directive("repeat-results", RepeatResults)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
