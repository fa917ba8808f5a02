"""Scanning long recordings: wall time, real-time factor and peak memory.

Fits the ``"hgb"`` pipeline of :mod:`whalefeat.pipelines` on the labelled clips
of ``--data`` (the 3,000 real clips of ``../shared/data/narw``; synthetic clips
from :func:`whalefeat.datasets.make_clips` where that folder is absent), writes
a 1-hour and a 24-hour 16-bit WAV recording at 2 kHz (one synthetic hour of
noise with up-calls, repeated), and scans each with
:func:`whalefeat.detect.scan` at a 0.5-s hop (172,797 windows in 24 hours).

Every scan runs in a fresh Python process, which reports the wall time of the
``scan`` call, the CPU time it took (all threads), the windows scored and its
peak resident set size (``VmHWM`` of ``/proc/self/status``: the whole
process, Python, NumPy, scikit-learn and the model included; its resident size
before the scan is recorded too). The
real-time factor is the recording's length over the wall time (how many times
faster than real time).

A CNN detector (``--cnn``, default ``"frames-inception"``) is timed too, on the
1-hour recording only, as it is and with its network run by
:func:`whalefeat.models._inference.forward` (the ``(forward)`` rows: its
``predict_proba`` patched as in ``bench_models.py``), trained for
``--cnn-epochs`` epochs on ``--cnn-clips`` clips: a short training changes
its scores, not its cost per window. Its
24-hour figure is the 1-hour time times 24, an extrapolation, marked as such.

``--profile`` also splits the time of one thread on the 1-hour recording into
its stages: reading (soundfile), the spectrogram and the classifier.

Usage::

    python benchmarks/scan.py --out docs/_static/benchmarks

The machine may be shared: the load average at the start and end of each scan is
recorded with it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NARW = Path(os.environ.get("WHALEFEAT_NARW_DATA", HERE.parents[1] / "shared" / "data" / "narw"))
RATE = 2000
HOP = 0.5
COLUMNS = [
    "detector",
    "hours",
    "n_threads",
    "windows",
    "wall_s",
    "cpu_s",
    "x_realtime",
    "peak_rss_mb",
    "rss_before_mb",
    "load_start",
    "load_end",
    "extrapolated",
]


def _rss_mb(field: str) -> float | None:
    """``VmRSS`` or ``VmHWM`` (peak) of this process from /proc, MiB; None elsewhere."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _peak_rss_mb() -> float:
    """Peak resident set size of this process, MiB.

    ``VmHWM`` where /proc has it: ``ru_maxrss`` would also count the parent's peak
    before the exec of this process, which Linux carries over.
    """
    peak = _rss_mb("VmHWM")
    if peak is None:
        scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20
    return peak


def _child(model_path: str, recording: str, n_threads: int, forward: bool) -> None:
    """Scan one recording in this (fresh) process; print the measurement as JSON."""
    import warnings

    if forward:  # predict_proba's batches through models._inference.forward
        sys.path.insert(0, str(HERE))
        from bench_models import _predict_proba_with_forward

        from whalefeat.models._base import _KerasClassifier

        _KerasClassifier.predict_proba = _predict_proba_with_forward

    from whalefeat._evaluation import load_average
    from whalefeat.detect import load_model, scan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = load_model(model_path)
    rss_before = _rss_mb("VmRSS")
    load_start = load_average()
    cpu = time.process_time()
    start = time.perf_counter()
    windows = scan(model, recording, hop=HOP, n_threads=n_threads)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    print(
        json.dumps(
            {
                "windows": len(windows),
                "wall_s": wall,
                "cpu_s": cpu,
                "peak_rss_mb": _peak_rss_mb(),
                "rss_before_mb": rss_before,
                "load_start": load_start,
                "load_end": load_average(),
                "audio_s": float(sum(windows.attrs["durations"].values())),
            }
        )
    )


def _measure(model_path: Path, recording: Path, n_threads: int, forward: bool = False) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        str(model_path),
        str(recording),
        str(n_threads),
        str(int(forward)),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{shlex.join(command)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _clips(data: Path, n: int | None):
    from whalefeat import AiffLoader
    from whalefeat.datasets import load_challenge, make_clips

    if (data / "train.csv").is_file():
        paths, y = load_challenge(data)
        source = f"{len(y)} real clips of {data.name}"
        X = AiffLoader().transform(paths)
    else:
        print(f"scan.py: no labelled clips at {data}; fitting on synthetic clips", file=sys.stderr)
        X, y = make_clips(3000, snr_db=(-5.0, 10.0), random_state=0)
        source = "3000 synthetic clips (make_clips)"
    if n is not None and n < len(y):
        import numpy as np

        keep = np.random.default_rng(0).permutation(len(y))[:n]
        X, y = X[keep], y[keep]
        source = f"{n} of the " + source
    return X, y, source


def _fit(name: str, X, y, path: Path, **params) -> dict:
    from whalefeat import pipelines
    from whalefeat.detect import save_model

    pipeline = pipelines.get(name, random_state=0, **params)
    start = time.perf_counter()
    pipeline[1:].fit(X, y)  # decoded clips: the loader only gives the clip format
    seconds = time.perf_counter() - start
    save_model(pipeline, path, name=name, overwrite=True)
    return {"fit_s": round(seconds, 2), "params": {k: str(v) for k, v in params.items()}}


def _write_recording(path: Path, hours: float) -> None:
    """``hours`` of 2-kHz audio: one synthetic hour of clips (40 % up-calls), repeated."""
    import numpy as np
    import soundfile as sf

    from whalefeat.datasets import make_clips

    X, _ = make_clips(1800, positive_fraction=0.4, snr_db=(-5.0, 10.0), random_state=1)
    hour = np.concatenate(X)
    left = round(hours * 3600 * RATE)
    with sf.SoundFile(path, "w", samplerate=RATE, channels=1, subtype="PCM_16") as out:
        while left > 0:
            out.write(hour[:left])
            left -= len(hour)


def _profile(model_path: Path, recording: Path) -> dict:
    """Seconds of each stage of one thread scanning ``recording`` (best of 1)."""
    import warnings

    import numpy as np
    import soundfile as sf
    from threadpoolctl import threadpool_limits

    from whalefeat.detect import load_model, scan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = load_model(model_path)
    steps = model[1:]
    with threadpool_limits(1):
        start = time.perf_counter()
        with sf.SoundFile(recording) as sound:
            audio = np.concatenate(
                [block[:, 0] for block in sound.blocks(60000, dtype="float64", always_2d=True)]
            )
        read = time.perf_counter() - start
        T, hop = 2 * RATE, int(HOP * RATE)
        windows = np.lib.stride_tricks.sliding_window_view(audio, T)[::hop]
        cut = spectrogram = classify = 0.0
        for at in range(0, len(windows), 256):
            start = time.perf_counter()
            X = windows[at : at + 256].astype(np.float32)
            middle = time.perf_counter()
            features = steps[:-1].transform(X)
            after = time.perf_counter()
            steps[-1].predict_proba(features)
            cut += middle - start
            spectrogram += after - middle
            classify += time.perf_counter() - after
        start = time.perf_counter()
        scan(model, recording, hop=HOP, n_threads=1)
        whole = time.perf_counter() - start
    return {
        "read_s": round(read, 3),
        "windows_s": round(cut, 3),
        "features_s": round(spectrogram, 3),
        "classifier_s": round(classify, 3),
        "scan_one_thread_s": round(whole, 3),
        "windows": len(windows),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=NARW, help="labelled clips to fit on")
    parser.add_argument(
        "--out", type=Path, default=HERE / "scan-out", help="folder for scan.csv and scan.json"
    )
    parser.add_argument("--threads", type=int, default=2, help="n_threads of the scans")
    parser.add_argument(
        "--hours",
        type=float,
        nargs=2,
        default=(1.0, 24.0),
        metavar=("SHORT", "LONG"),
        help="lengths of the two recordings",
    )
    parser.add_argument(
        "--fit-clips", type=int, default=None, help="clips to fit hgb on (default: all)"
    )
    parser.add_argument(
        "--cnn",
        default="frames-inception",
        help="CNN pipeline to time on the 1-hour recording ('' for none)",
    )
    parser.add_argument("--cnn-epochs", type=int, default=2)
    parser.add_argument("--cnn-clips", type=int, default=1000)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also time the stages of one thread on the 1-hour recording",
    )
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], args.child[1], int(args.child[2]), args.child[3] == "1")
        return

    from whalefeat._evaluation import environment

    args.out.mkdir(parents=True, exist_ok=True)
    rows, record = (
        [],
        {
            "command": "python " + shlex.join(["benchmarks/scan.py", *(argv or sys.argv[1:])]),
            "environment": environment(repository=HERE.parent),
            "hop_s": HOP,
        },
    )
    with tempfile.TemporaryDirectory(prefix="whalefeat-bench-scan-") as folder:
        folder = Path(folder)
        X, y, source = _clips(args.data, args.fit_clips)
        record["hgb"] = {"trained_on": source, **_fit("hgb", X, y, folder / "hgb.joblib")}
        print(f"hgb fitted on {source} in {record['hgb']['fit_s']} s", flush=True)
        if args.cnn:
            Xc, yc, source_c = _clips(args.data, args.cnn_clips)
            record[args.cnn] = {
                "trained_on": source_c,
                **_fit(
                    args.cnn, Xc, yc, folder / "cnn.joblib", classifier__epochs=args.cnn_epochs
                ),
            }
            print(f"{args.cnn} fitted in {record[args.cnn]['fit_s']} s", flush=True)
        del X, y
        recordings = {}
        short, long = args.hours
        for hours in (short, long):
            recordings[hours] = folder / f"{hours:g}h.wav"
            _write_recording(recordings[hours], hours)
        runs = [("hgb", short, 1), ("hgb", short, args.threads), ("hgb", long, args.threads)]
        if args.cnn:
            runs += [
                (args.cnn, short, args.threads),
                (args.cnn + " (forward)", short, args.threads),
            ]
        for detector, hours, n_threads in runs:
            model = folder / ("hgb.joblib" if detector == "hgb" else "cnn.joblib")
            result = _measure(
                model, recordings[hours], n_threads, forward=detector.endswith("(forward)")
            )
            row = {
                "detector": detector,
                "hours": hours,
                "n_threads": n_threads,
                "windows": result["windows"],
                "wall_s": round(result["wall_s"], 2),
                "cpu_s": round(result["cpu_s"], 2),
                "x_realtime": round(result["audio_s"] / result["wall_s"]),
                "peak_rss_mb": round(result["peak_rss_mb"]),
                "rss_before_mb": round(result["rss_before_mb"]),
                "load_start": result["load_start"],
                "load_end": result["load_end"],
                "extrapolated": False,
            }
            rows.append(row)
            print(row, flush=True)
            if detector != "hgb":
                factor = long / short
                rows.append(
                    {
                        **row,
                        "hours": long,
                        "windows": "",
                        "wall_s": round(factor * result["wall_s"], 1),
                        "cpu_s": round(factor * result["cpu_s"], 1),
                        "peak_rss_mb": "",
                        "rss_before_mb": "",
                        "extrapolated": True,
                    }
                )
        if args.profile:
            record["profile_one_thread"] = {
                "hours": short,
                **_profile(folder / "hgb.joblib", recordings[short]),
            }
            print(record["profile_one_thread"], flush=True)
    record["results"] = rows
    with open(args.out / "scan.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    (args.out / "scan.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {args.out / 'scan.csv'} and {args.out / 'scan.json'}")


if __name__ == "__main__":
    main()
