#!/usr/bin/env python3
"""Precision and recall of the segmenter's heading detection on a labeled set of lines.

    python bench/heading_eval.py PATH_TO_SEGMENTATION_DATA_FOLDER [--segmenter PATH] [--no-tune]

The labeled set (kept in bench/data/, see bench/README.md, "Heading detection"):

* ``heading_lines.jsonl``: lines of the GUM and EWT development documents of the
  segmentation data folder, by offsets only (``corpus``, ``doc``, ``start``,
  ``end``, ``label``: "heading" or "sentence"); the documents' text stays in
  that folder, whose path is only an argument here;
* ``heading_cases.jsonl``: short documents written for this project (``text``,
  ``line``: the index of the non-blank line labeled, ``label``).

A line counts as predicted "heading" when a heading segment starts on it. The
script prints precision, recall and F1 of "heading" per corpus and for the
written cases, then a cross-corpus check that does not reward tuning: the
heading thresholds of the segmenter (_HEADING_PROSE_WORDS,
_HEADING_TITLE_SHARE) are chosen on one corpus (best F1 over a grid) and the
result is reported on the other, both ways. ``--segmenter PATH`` scores
another copy of the module (e.g. the previous version, from ``git show
REV:articles/segmenter.py > /tmp/old.py``); a copy without those thresholds is
scored as is.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import os
import sys
from collections.abc import Iterable
from types import ModuleType

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(REPO, "bench", "data")
CORPUS_FILES = {"gum": "gum-dev.jsonl", "ewt": "ewt-dev.jsonl"}
WORDS_GRID = range(4, 13)
SHARE_GRID = (0.5, 0.6, 0.67, 0.75, 0.8, 0.9, 1.0)
HEADER = f"{'lines':>6}{'headings':>9}{'P':>8}{'R':>8}{'F1':>8}{'FP':>6}{'FN':>6}"


def load_segmenter(path: str | None) -> ModuleType:
    if path is None:
        sys.path.insert(0, REPO)
        from articles import segmenter

        return segmenter
    spec = importlib.util.spec_from_file_location("segmenter_under_test", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def line_starts(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, trimmed, as the segmenter sees lines."""
    out = []
    pos = 0
    for raw in text.split("\n"):
        a, b = pos, pos + len(raw)
        pos = b + 1
        stripped = raw.strip()
        if stripped:
            a += len(raw) - len(raw.lstrip())
            out.append((a, a + len(stripped)))
    return out


def heading_starts(seg: ModuleType, text: str) -> set[int]:
    return {s.start for s in seg.segment(text) if s.kind == "heading"}


def score(pairs: Iterable[tuple[bool, bool]]) -> dict:
    """pairs of (predicted heading, labeled heading) -> P, R, F1 of "heading"."""
    tp = fp = fn = tn = 0
    for pred, gold in pairs:
        if pred and gold:
            tp += 1
        elif pred:
            fp += 1
        elif gold:
            fn += 1
        else:
            tn += 1
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    n = tp + fp + fn + tn
    return {
        "n": n,
        "headings": tp + fn,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "P": 100 * p,
        "R": 100 * r,
        "F1": 100 * f,
    }


class Evaluation:
    def __init__(self, seg: ModuleType, folder: str):
        self.seg = seg
        self.docs: dict[str, dict[str, str]] = {}
        labels = read_jsonl(os.path.join(DATA, "heading_lines.jsonl"))
        for corpus, fname in CORPUS_FILES.items():
            wanted = {row["doc"] for row in labels if row["corpus"] == corpus}
            self.docs[corpus] = {
                d["id"]: d["text"]
                for d in read_jsonl(os.path.join(folder, fname))
                if d["id"] in wanted
            }
        self.lines: dict[str, list[dict]] = {c: [] for c in CORPUS_FILES}
        for row in labels:
            text = self.docs[row["corpus"]][row["doc"]]
            if (row["start"], row["end"]) not in set(line_starts(text)):
                sys.exit(f"labeled span {row} is not a line of its document")
            self.lines[row["corpus"]].append(row)
        self.cases = read_jsonl(os.path.join(DATA, "heading_cases.jsonl"))

    def corpus_pairs(self, corpus: str) -> list[tuple[bool, bool]]:
        by_doc: dict[str, list[dict]] = {}
        for row in self.lines[corpus]:
            by_doc.setdefault(row["doc"], []).append(row)
        pairs = []
        for doc, rows in by_doc.items():
            starts = heading_starts(self.seg, self.docs[corpus][doc])
            pairs.extend((row["start"] in starts, row["label"] == "heading") for row in rows)
        return pairs

    def case_pairs(self) -> list[tuple[bool, bool, dict]]:
        out = []
        for case in self.cases:
            text = case["text"]
            start = line_starts(text)[case["line"]][0]
            out.append((start in heading_starts(self.seg, text), case["label"] == "heading", case))
        return out


def print_row(name: str, r: dict) -> None:
    print(
        f"{name:<34}{r['n']:>6}{r['headings']:>9}{r['P']:>8.1f}{r['R']:>8.1f}{r['F1']:>8.1f}"
        f"{r['fp']:>6}{r['fn']:>6}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("folder", help="segmentation data folder (gum-dev.jsonl, ewt-dev.jsonl)")
    ap.add_argument("--segmenter", help="path of another copy of articles/segmenter.py")
    ap.add_argument("--no-tune", action="store_true", help="skip the cross-corpus threshold search")
    ap.add_argument("--show-errors", action="store_true", help="print the written cases missed")
    args = ap.parse_args()

    seg = load_segmenter(args.segmenter)
    ev = Evaluation(seg, args.folder)
    version = getattr(seg, "SEGMENTER_VERSION", "?")
    print(f"segmenter {version}: 'heading' precision / recall / F1 (%)")
    print(f"{'set':<34}" + HEADER)
    for corpus in CORPUS_FILES:
        print_row(f"{corpus} (shipped thresholds)", score(ev.corpus_pairs(corpus)))
    both = ev.corpus_pairs("gum") + ev.corpus_pairs("ewt")
    print_row("gum+ewt (shipped thresholds)", score(both))
    cases = ev.case_pairs()
    print_row("written cases", score((p, g) for p, g, _ in cases))
    if args.show_errors:
        for p, g, case in cases:
            if p != g:
                line = case["text"].split("\n")
                print(
                    f"  missed: labeled {case['label']}: {line_starts(case['text'])[case['line']]} "
                    f"{[x for x in line if x.strip()][case['line']]!r}"
                )

    if args.no_tune or not hasattr(seg, "_HEADING_PROSE_WORDS"):
        return
    shipped = (seg._HEADING_PROSE_WORDS, seg._HEADING_TITLE_SHARE)
    grid = list(itertools.product(WORDS_GRID, SHARE_GRID))
    results: dict[str, dict[tuple[int, float], dict]] = {c: {} for c in CORPUS_FILES}
    try:
        for words, share in grid:
            seg._HEADING_PROSE_WORDS, seg._HEADING_TITLE_SHARE = words, share
            for corpus in CORPUS_FILES:
                results[corpus][(words, share)] = score(ev.corpus_pairs(corpus))
    finally:
        seg._HEADING_PROSE_WORDS, seg._HEADING_TITLE_SHARE = shipped
    print()
    print(
        f"Cross-corpus: thresholds (prose words, title share) chosen on one corpus over "
        f"{len(grid)} pairs, scored on the other; shipped: {shipped}"
    )
    print(f"{'tuned on -> scored on':<34}" + HEADER)
    for tune, test in (("gum", "ewt"), ("ewt", "gum")):
        best = max(grid, key=lambda k: (results[tune][k]["F1"], -abs(k[0] - shipped[0])))
        print_row(f"{tune} {best} -> {test}", results[test][best])
        print_row(
            f"  (best possible on {test})", max(results[test].values(), key=lambda r: r["F1"])
        )


if __name__ == "__main__":
    main()
