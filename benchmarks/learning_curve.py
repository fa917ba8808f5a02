"""Learning curves: held-out ROC AUC of named pipelines against the number of training clips.

Every point is a run of ``benchmarks/holdout.py`` with ``--grow`` (a stratified
fraction of the clips that ``--train`` lacks joins the training pool; the rest
is the test set, the same for every point) and ``--max-train N`` (a stratified
subset of ``N`` training clips, seed 0)::

    python benchmarks/learning_curve.py --train ../shared/data/narw \\
        --test ../shared/data/narw-large --out curve --grow 0.8 \\
        --pipelines templates,ce-inception --sizes 375 750 1500 3000 \\
        --full docs/_static/study/holdout-grow

Each size's run is kept in ``OUT/n<size>/``; ``--full FOLDER`` adds the points
of an earlier run on the whole training pool (the same ``--grow`` and seed).
``--replace`` adds the given pipelines to the runs already in ``OUT`` (as
``holdout.py --replace`` does), and the curve then has every pipeline those
runs hold.
The curve is written to ``OUT/learning_curve.csv`` (clean test clips) and drawn
in ``OUT/learning_curve.png`` (``--replot`` redraws it from the CSV).
"""

from __future__ import annotations

import argparse
import csv
import shlex
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import holdout  # noqa: E402  (the held-out protocol)

COLUMNS = ["pipeline", "n_train", "n_test", "roc_auc", "roc_auc_boot_sd", "fit_time_s"]


def _clean_rows(folder: Path, pipelines: list[str] | None = None) -> list[dict]:
    """The clean-test rows of a ``holdout.py`` run: of ``pipelines``, or of all it holds."""
    with open(folder / "holdout.csv", newline="") as handle:
        return [
            {key: row[key] for key in COLUMNS}
            for row in csv.DictReader(handle)
            if row["condition"] == "clean" and (pipelines is None or row["pipeline"] in pipelines)
        ]


def plot(rows: list[dict], path: Path) -> None:
    """ROC AUC against training clips, one line per pipeline, with bootstrap bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for name in dict.fromkeys(row["pipeline"] for row in rows):
        points = sorted(
            (int(r["n_train"]), float(r["roc_auc"]), float(r["roc_auc_boot_sd"]))
            for r in rows
            if r["pipeline"] == name
        )
        n, auc, sd = zip(*points, strict=True)
        ax.errorbar(n, auc, yerr=sd, marker="o", capsize=3, label=name)
    ax.set_xscale("log")
    sizes = sorted({int(r["n_train"]) for r in rows})
    ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
    ax.minorticks_off()
    ax.set_xlabel("training clips")
    ax.set_ylabel("ROC AUC on the held-out clips")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def collect(
    out: Path, sizes: list[int], names: list[str] | None, full: Path | None = None
) -> list[dict]:
    """Write the curve of ``OUT/n<size>/`` (and of the run ``full``) to ``OUT``.

    ``names``: the pipelines on the curve, in this order; None for every
    pipeline of the runs, in the order they first appear. Writes
    ``learning_curve.csv`` and ``learning_curve.png`` and returns the rows.
    """
    rows = []
    for size in sizes:
        rows += _clean_rows(out / f"n{size}", names)
    if names is None:
        names = list(dict.fromkeys(row["pipeline"] for row in rows))
    if full is not None:
        rows += _clean_rows(full, names)
    rows.sort(key=lambda r: (names.index(r["pipeline"]), int(r["n_train"])))
    with open(out / "learning_curve.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    plot(rows, out / "learning_curve.png")
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", required=True, type=Path)
    p.add_argument("--test", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--grow", type=float, default=0.8)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pipelines", default="templates,ce-inception")
    p.add_argument("--sizes", type=int, nargs="+", default=[375, 750, 1500, 3000])
    p.add_argument("--full", type=Path, default=None, help="a holdout.py run on the whole pool")
    p.add_argument("--replot", action="store_true", help="redraw OUT/learning_curve.csv only")
    p.add_argument(
        "--replace", action="store_true", help="add the pipelines to the runs already in OUT"
    )
    args = p.parse_args(argv)
    if args.replot:
        with open(args.out / "learning_curve.csv", newline="") as handle:
            rows = list(csv.DictReader(handle))
        plot(rows, args.out / "learning_curve.png")
        return rows
    names = [n.strip() for n in args.pipelines.split(",") if n.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        holdout.main(
            [
                "--train", str(args.train), "--test", str(args.test),
                "--out", str(args.out / f"n{size}"), "--grow", str(args.grow),
                "--seed", str(args.seed), "--max-train", str(size),
                "--pipelines", ",".join(names), *(["--replace"] if args.replace else []),
            ]
        )  # fmt: skip
    # with --replace, every pipeline of the runs, in the order they were first run
    rows = collect(args.out, args.sizes, None if args.replace else names, args.full)
    command_file = args.out / "learning_curve_command.txt"
    earlier = command_file.read_text() if args.replace and command_file.exists() else ""
    command_file.write_text(
        earlier
        + shlex.join(["python", "benchmarks/learning_curve.py", *(argv or sys.argv[1:])])
        + "\n"
    )
    return rows


if __name__ == "__main__":
    main()
