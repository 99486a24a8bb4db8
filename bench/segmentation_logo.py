#!/usr/bin/env python3
"""Leave-one-genre-out check of the segmenter's newer rules on the development set.

    python bench/segmentation_logo.py PATH_TO_SEGMENTATION_DATA_FOLDER

The rules added in version 1.3 (``articles.segmenter.RULES_1_3``) were written
for the cases of issue #12, not fitted to the development documents; this
script checks that claim. For each genre of GUM and EWT in turn, it chooses
which of those rules to keep (every subset is tried) by boundary F1 on all the
other genres' documents, then scores the held-out genre with that choice; the
held-out tallies are pooled into the columns of bench/segmentation.py. A rule
that only helps the documents it was looked at on would be dropped for them
and the pooled figure would fall below the figure with all rules on.

Metric: the data folder's own score.py (its Tally class, imported from the
folder): boundary precision, recall and F1 pooled per slice. The rules of
version 1.2 and earlier stay on in every run: they were tuned on these same
documents (bench/README.md says so), which no split of them can undo.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import os
import sys
from collections import defaultdict

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLUMNS = [
    ("GUM all", "gum"),
    ("GUM news", "gum:news"),
    ("GUM essay+letter+speech", "gum:opinion_like"),
    ("EWT all", "ewt"),
    ("EWT weblog", "ewt:weblog"),
]


def load_score_module(folder: str):
    spec = importlib.util.spec_from_file_location("seg_score", os.path.join(folder, "score.py"))
    if not spec or not spec.loader:
        sys.exit(f"no score.py in {folder}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def f1(tallies) -> float:
    tp = sum(t[0] for t in tallies)
    fp = sum(t[1] for t in tallies)
    fn = sum(t[2] for t in tallies)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return 100 * 2 * p * r / (p + r) if p + r else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("folder", help="segmentation data folder holding score.py")
    args = ap.parse_args()

    sys.path.insert(0, REPO)
    from articles import segmenter

    score = load_score_module(os.path.abspath(args.folder))
    docs = []
    for corpus, fname in (("gum", "gum-dev.jsonl"), ("ewt", "ewt-dev.jsonl")):
        for doc in score.load(fname):
            doc["corpus"] = corpus
            docs.append(doc)

    rules = sorted(segmenter.RULES_1_3)
    subsets = [
        frozenset(c) for k in range(len(rules) + 1) for c in itertools.combinations(rules, k)
    ]
    # tallies[subset][doc index] = (tp, fp, fn)
    tallies: dict[frozenset[str], list[tuple[int, int, int]]] = {}
    try:
        for subset in subsets:
            segmenter._rules = subset
            row = []
            for doc in docs:
                t = score.Tally()
                t.add(doc["text"], doc["spans"], segmenter.spans(doc["text"]))
                row.append((t.tp, t.fp, t.fn))
            tallies[subset] = row
    finally:
        segmenter._rules = segmenter.RULES_1_3

    genre_of = [f"{d['corpus']}:{d['genre']}" for d in docs]
    genres = sorted(set(genre_of))
    held_out: list[tuple[int, int, int] | None] = [None] * len(docs)
    chosen: dict[str, frozenset[str]] = {}
    for g in genres:
        train = [i for i, x in enumerate(genre_of) if x != g]
        best = max(
            subsets,
            key=lambda s: (f1(tallies[s][i] for i in train), len(s)),
        )
        chosen[g] = best
        for i, x in enumerate(genre_of):
            if x == g:
                held_out[i] = tallies[best][i]

    def slice_rows(values):
        by_slice = defaultdict(list)
        for i, doc in enumerate(docs):
            for name in score.slices(doc["corpus"], doc):
                by_slice[name].append(values[i])
        return by_slice

    full = slice_rows(tallies[frozenset(rules)])
    none = slice_rows(tallies[frozenset()])
    logo = slice_rows(held_out)
    print("Rules kept per held-out genre (chosen on the other genres):")
    for g in genres:
        dropped = sorted(set(rules) - chosen[g])
        print(f"  {g:<20} all kept" if not dropped else f"  {g:<20} dropped: {', '.join(dropped)}")
    print()
    header = [c for c, _ in COLUMNS]
    print(f"segmenter {segmenter.SEGMENTER_VERSION}, boundary F1 %")
    print("| configuration | " + " | ".join(header) + " |")
    print("|---" * (len(header) + 1) + "|")
    for name, rows in (
        ("1.3 with none of RULES_1_3", none),
        ("1.3, all rules (development set)", full),
        ("1.3, new rules chosen leave-one-genre-out", logo),
    ):
        print(f"| {name} | " + " | ".join(f"{f1(rows[key]):.2f}" for _, key in COLUMNS) + " |")
    print()
    print("Every slice (F1 %): without new rules / all rules / leave-one-genre-out")
    for key in sorted(full):
        print(f"  {key:<22}{f1(none[key]):>8.2f}{f1(full[key]):>8.2f}{f1(logo[key]):>8.2f}")


if __name__ == "__main__":
    main()
