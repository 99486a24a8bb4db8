"""CPU time of ``articles.textdiff.equal_blocks`` on corrected texts of 1 and 2 MB.

The diff behind a corrected article's text (``article_text_correct``): the common
beginning and end, the slide of an insertion or a deletion to a boundary (at most
``MAX_SLIDE`` characters), a word diff of the middle (bounded by ``MAX_DIFF_WORK``),
and the characters differing words share. Each shape is a correction an owner could
send; the figure is CPU seconds per MB of the old text (time.process_time, best of 3).

Usage (from the repository root):  python bench/text_diff.py [--sizes 1000000 2000000]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time


def _prose(size: int) -> str:
    sentence = "The council approved the budget on Tuesday, the minutes show. "
    paragraph = sentence * 6 + "\n\n"
    return (paragraph * (size // len(paragraph) + 1))[:size]


def shapes(size: int) -> dict[str, tuple[str, str]]:
    prose = _prose(size)
    middle = size // 2
    run = "a" * size
    return {
        "typo in the middle": (prose, prose[:middle] + "x" + prose[middle + 1 :]),
        "paragraph added in the middle": (
            prose,
            prose[:middle] + "The tram line opens in May.\n\n" + prose[middle:],
        ),
        "paragraph removed in the middle": (prose, prose[:middle] + prose[middle + 2_000 :]),
        "three typos within 4 kB (word diff, refined)": (
            prose,
            prose[:middle]
            + "x"
            + prose[middle + 1 : middle + 2_000]
            + "y"
            + prose[middle + 2_001 : middle + 4_000]
            + "z"
            + prose[middle + 4_001 :],
        ),
        "typos at both ends (past MAX_DIFF_WORK)": (
            prose,
            "X" + prose[1:-1] + "Y",
        ),
        "every 1,000th character changed": (
            prose,
            "".join("#" if i % 1000 == 999 else c for i, c in enumerate(prose)),
        ),
        "one character added to a run of one letter": (run, run + "a"),
        "text replaced whole": (prose, prose.replace("council", "cabinet")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 2_000_000])
    parser.add_argument(
        "--module",
        default="articles/textdiff.py",
        help="the textdiff module to measure (e.g. an older version saved from git)",
    )
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("textdiff_measured", args.module)
    assert spec is not None and spec.loader is not None
    textdiff = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(textdiff)
    equal_blocks, OffsetMap = textdiff.equal_blocks, textdiff.OffsetMap
    print(f"module: {args.module}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'shape':48} {'size':>9} {'blocks':>7} {'CPU s':>7} {'s/MB':>6}")
    for size in args.sizes:
        for name, (old, new) in shapes(size).items():
            best = float("inf")
            for _ in range(3):
                started = time.process_time()
                blocks = equal_blocks(old, new)
                OffsetMap(blocks, len(new))
                best = min(best, time.process_time() - started)
            print(f"{name:48} {size:>9,} {len(blocks):>7,} {best:7.3f} {best / (size / 1e6):6.3f}")


if __name__ == "__main__":
    main()
