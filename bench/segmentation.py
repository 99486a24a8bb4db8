#!/usr/bin/env python3
"""Benchmark annotator's sentence segmenter with a segmentation data folder's scorer.

    python bench/segmentation.py PATH_TO_SEGMENTATION_DATA_FOLDER [--speed-runs N]

The folder must hold ``score.py`` and its development files (see its README).
The project never reads that folder on its own: its path is only an argument.
The scorer runs in a subprocess with the repository root as working directory,
on ``articles.segmenter:spans``; this script prints the scorer's table, then a
summary row in the columns of the data README (GUM all, GUM news, GUM
essay+letter+speech, EWT all, EWT weblog, Golden Rules, MB/s on one core).

``--cpu-runs N`` also times the segmenter in this process by CPU time (best of
N passes over the GUM documents, one call per document), which other work on a
busy machine inflates less than the scorer's wall-clock figure;
``--compare PATH`` alternates those passes with another copy of the module
(e.g. ``git show REV:articles/segmenter.py > /tmp/old.py``), so both see the
same load.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = "articles.segmenter:spans"
COLUMNS = [
    ("GUM all", "gum"),
    ("GUM news", "gum:news"),
    ("GUM essay+letter+speech", "gum:opinion_like"),
    ("EWT all", "ewt"),
    ("EWT weblog", "ewt:weblog"),
]


def run_scorer(folder: str, speed_runs: int) -> dict:
    score = os.path.join(os.path.abspath(folder), "score.py")
    if not os.path.isfile(score):
        sys.exit(f"no score.py in {folder}")
    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, score, TARGET, "--json", "--speed-runs", str(speed_runs)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        sys.stderr.write(proc.stderr)
        sys.exit(proc.returncode)
    return json.loads(proc.stdout)


def cpu_speed(folder: str, runs: int, compare: str | None) -> None:
    """Best-of-``runs`` CPU-time speed on the GUM documents, alternating with ``compare``."""
    from articles import segmenter

    with open(os.path.join(folder, "gum-dev.jsonl"), encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    contenders = [(f"segmenter {segmenter.SEGMENTER_VERSION}", segmenter.spans)]
    if compare:
        spec = importlib.util.spec_from_file_location("segmenter_compared", compare)
        assert spec and spec.loader
        other = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(other)
        contenders.append((f"{compare} ({getattr(other, 'SEGMENTER_VERSION', '?')})", other.spans))
    best = {name: float("inf") for name, _ in contenders}
    for _ in range(runs):
        for name, spans in contenders:
            t0 = time.process_time()
            for text in texts:
                spans(text)
            best[name] = min(best[name], time.process_time() - t0)
    for name, seconds in best.items():
        print(f"CPU time: {name}: {megabytes / seconds:.2f} MB/s (best of {runs} passes)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("folder", help="segmentation data folder holding score.py")
    ap.add_argument("--speed-runs", type=int, default=5)
    ap.add_argument("--cpu-runs", type=int, default=0, help="CPU-time passes (0: none)")
    ap.add_argument("--compare", help="another copy of articles/segmenter.py to alternate with")
    args = ap.parse_args()

    sys.path.insert(0, REPO)
    from articles.segmenter import SEGMENTER_VERSION

    result = run_scorer(args.folder, args.speed_runs)
    rows = result["slices"]
    print(f"{'slice':<24}{'docs':>6}{'P':>8}{'R':>8}{'F1':>8}{'exact':>8}{'overlaps':>10}")
    for name, r in rows.items():
        print(
            f"{name:<24}{r['docs']:>6}{r['P']:>8}{r['R']:>8}{r['F1']:>8}"
            f"{r['exact']:>8}{r['overlaps']:>10}"
        )
    golden = result["golden_rules"]
    speed = result["speed"]
    print(
        f"golden rules: {golden['passed']}/{golden['total']} right; "
        f"failed: {' '.join(golden['failed']) or 'none'}"
    )
    print(f"speed: {speed['MB_per_s']} MB/s ({speed['MB']} MB in {speed['median_s']} s)")
    print()
    header = [c for c, _ in COLUMNS] + ["Golden Rules", "MB/s, 1 core"]
    cells = [f"{rows[key]['F1']:.2f}" if key in rows else "n/a" for _, key in COLUMNS]
    cells += [f"{golden['passed']}/{golden['total']}", f"{speed['MB_per_s']:.1f}"]
    print(f"segmenter {SEGMENTER_VERSION} on Python {platform.python_version()}")
    print("| configuration | " + " | ".join(header) + " |")
    print("|---" * (len(header) + 1) + "|")
    print(f"| annotator segmenter {SEGMENTER_VERSION} | " + " | ".join(cells) + " |")
    if args.cpu_runs:
        print()
        cpu_speed(args.folder, args.cpu_runs, args.compare)


if __name__ == "__main__":
    main()
