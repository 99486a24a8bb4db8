#!/usr/bin/env python3
"""Time annotator's sentence segmenter on pathological input shapes.

    python bench/hostile_shapes.py [--sizes 1,2] [--runs 3] [--timeout 60]
        [--segmenter PATH] [--shape NAME ...] [--list]

Each shape is a text built to a given size (in MB of characters; the article
limit is settings.MAX_ARTICLE_CHARS = 2,000,000) from a unit repeated without
end: runs of one punctuation mark, long tokens without spaces, long paragraphs
of abbreviations and numbers, long URLs, deep quote nesting, citation and
emoticon tails, and the shapes of issue 10. Every measurement runs in its own
child process, killed after ``--timeout`` seconds (a quadratic segmenter needs
hours on some of them); the best of ``--runs`` calls of ``segment()`` is
printed in seconds and in seconds per MB, as CPU time of the child process
(what the segmenter costs, even on a machine busy with other work) and as
wall-clock time. The target is at most 2 s/MB for every shape.

``--segmenter PATH`` times another copy of the module (for example the
previous version, from ``git show REV:articles/segmenter.py > /tmp/old.py``)
instead of ``articles/segmenter.py``.
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
from collections.abc import Callable

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MB = 1_000_000


def repeat(unit: str, prefix: str = "", suffix: str = "") -> Callable[[int], str]:
    """``prefix + unit * k + suffix`` with k chosen to fill ``n`` characters."""

    def build(n: int) -> str:
        k = max(1, (n - len(prefix) - len(suffix)) // len(unit))
        return prefix + unit * k + suffix

    return build


def nested_quotes(n: int) -> str:
    depth = (n - 40) // 8
    # typographic quotes on purpose
    return "“‘«(" * depth + "He said. Yes. No!" + ")»’”" * depth + " Then."  # noqa: RUF001


def spaces_after_bullet(n: int) -> str:
    # A first line opening with a bullet and a long run of spaces, then stops.
    half = n // 2
    return "-" + " " * half + "a. " * ((n - half) // 3)


def numbered_list(n: int) -> str:
    parts, size, i = [], 0, 1
    while size < n:
        item = f"{i}. Item number {i} is here "
        parts.append(item)
        size += len(item)
        i += 1
    return "".join(parts)


PROSE = (
    "The minister said on Tuesday that talks with Dr. Smith of the U.S. "
    "delegation would resume at 9 a.m. on Jan. 5. “We are not there yet,” she "
    "added. Critics disagree! Is this the end? Some say so... Others, e.g. "
    "analysts at Acme Inc., expect a deal by Feb. 2025 [12]. See "
    "https://example.com/report.pdf for details. :)\n"
)

SHAPES: dict[str, Callable[[int], str]] = {
    # runs of one punctuation mark (issue 10: "." * 8000 + "x" took 7-11 s)
    "periods": repeat(".", suffix="x"),
    "exclamations": repeat("!", suffix="x"),
    "questions": repeat("?", suffix="x"),
    "ellipsis chars": repeat("…", suffix="x"),
    "mixed stops": repeat("?!.…‽", suffix="x"),
    "spaced ellipsis": repeat(". ", suffix="x"),
    "closing quotes after a stop": repeat("”", prefix="He left.", suffix="x"),
    "closing brackets after a stop": repeat(")]", prefix="He left.", suffix="x"),
    "spaces after a stop": repeat(" ", prefix="Hi.", suffix="There."),
    # long tokens without spaces
    "one word": repeat("a", suffix="."),
    "aa.Bb (no spaces)": repeat("aa.Bb"),
    "a?Bb (no spaces)": repeat("a?Bb"),
    "a...Bb (no spaces)": repeat("a...Bb"),
    "dotted number": repeat("12.", suffix=" Then."),
    # long URLs
    "URL + a.Bc/": repeat("a.Bc/", prefix="See https://example.com/"),
    "long URL": repeat("ab/", prefix="Read https://example.com/", suffix=" Then it ended."),
    # long paragraphs of abbreviations and numbers
    "At 5 a.m. The boat left.": repeat("At 5 a.m. The boat left. "),
    "It was 5. The end came.": repeat("It was 5. The end came. "),
    "abbreviations": repeat("Mr. Dr. Prof. Gen. Inc. Jan. 5. No. 12. U.S. e.g. etc. p.m. "),
    "numbers and stops, tabs": repeat("a.\t5.\t"),
    "numbered list": numbered_list,
    "first line: bullet + spaces": spaces_after_bullet,
    # many short lines (the cost per paragraph)
    "short lines": repeat("a.\n"),
    "short numbered lines": repeat("1. a\n"),
    # quotes, citations, emoticons
    "deep quote nesting": nested_quotes,
    "glued citations": repeat("[1].", prefix="A fact.", suffix="x"),
    "spaced citations": repeat(" [12]", prefix="A fact.", suffix="x"),
    "emoticon mouth": repeat(")", prefix="Fine :", suffix="x"),
    "emoticon brackets": repeat("[p]", prefix="Fine :(", suffix="x"),
    "emoticons": repeat(" :)", prefix="Fine.", suffix=" Then."),
    # reference: ordinary prose, one paragraph per line
    "normal prose": repeat(PROSE),
}


def load_segment(path: str | None) -> Callable[[str], list]:
    if path is None:
        sys.path.insert(0, REPO)
        from articles.segmenter import segment

        return segment
    spec = importlib.util.spec_from_file_location("segmenter_under_test", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.segment


def child(shape: str, chars: int, runs: int, path: str | None) -> None:
    segment = load_segment(path)
    text = SHAPES[shape](chars)
    cpu = wall = float("inf")
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        segs = segment(text)
        cpu = min(cpu, time.process_time() - c0)
        wall = min(wall, time.perf_counter() - w0)
    print(json.dumps({"chars": len(text), "cpu": cpu, "wall": wall, "segments": len(segs)}))


def measure(shape: str, chars: int, args: argparse.Namespace) -> dict | None:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", shape, str(chars)]
    cmd += ["--runs", str(args.runs)]
    if args.segmenter:
        cmd += ["--segmenter", args.segmenter]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="1,2", help="sizes in MB of characters, comma-separated")
    ap.add_argument("--runs", type=int, default=3, help="best of this many calls")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per measurement")
    ap.add_argument("--segmenter", help="path of another segmenter module to time")
    ap.add_argument("--shape", action="append", help="only these shapes (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the shapes and exit")
    ap.add_argument("--child", nargs=2, metavar=("SHAPE", "CHARS"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.list:
        print("\n".join(SHAPES))
        return
    if args.child:
        child(args.child[0], int(args.child[1]), args.runs, args.segmenter)
        return

    shapes = args.shape or list(SHAPES)
    unknown = [s for s in shapes if s not in SHAPES]
    if unknown:
        sys.exit(f"unknown shape(s): {', '.join(unknown)} (see --list)")
    sizes = [float(s) for s in args.sizes.split(",")]
    print(
        f"segmenter: {args.segmenter or 'articles/segmenter.py'}; Python "
        f"{platform.python_version()}; best of {args.runs}; timeout {args.timeout:g} s"
    )
    print(f"{'shape':<32}{'MB':>6}{'cpu s':>9}{'cpu s/MB':>10}{'wall s':>9}{'segments':>10}")
    worst, bound = 0.0, ""
    for shape in shapes:
        timed_out = False
        for size in sizes:
            chars = int(size * MB)
            if timed_out:  # a larger size can only take longer
                print(f"{shape:<32}{size:>6g}{'skipped':>9}")
                continue
            r = measure(shape, chars, args)
            if r is None:
                timed_out = True
                lower = args.timeout / size
                over = f">{args.timeout:g}"
                print(f"{shape:<32}{size:>6g}{over:>9}{f'>{lower:.1f}':>10}{over:>9}")
                if lower > worst:
                    worst, bound = lower, ">"
                continue
            per_mb = r["cpu"] / (r["chars"] / MB)
            if per_mb > worst:
                worst, bound = per_mb, ""
            print(
                f"{shape:<32}{r['chars'] / MB:>6.2f}{r['cpu']:>9.3f}{per_mb:>10.3f}"
                f"{r['wall']:>9.3f}{r['segments']:>10}"
            )
    print(f"worst: {bound}{worst:.3f} s/MB of CPU time")


if __name__ == "__main__":
    main()
