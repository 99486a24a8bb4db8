"""Benchmark: the suggestion model's learning curve against the cue baseline, and training time.

Replays labeling in document order on an evaluation set: after the first
50, 100, 200 and 400 labels (or --steps), the model is trained on those
labels alone and scored on every sentence not yet used for training (the
rest of the replay, which the annotator has not labeled yet); the cue
baseline is scored on the same sentences. Nothing is tuned on the set: the
model's settings are fixed in ``suggestions/learning.py`` and the cue lists
in ``suggestions/cues.py`` come from the labeling guidelines.

The set comes in one of two forms:

- ``--set bench/data/suggestions_devset.jsonl`` (the default) with
  ``--source FOLDER`` (default ``../shared/data/segmentation`` from the
  repository root): each line is ``{"doc", "start", "end", "label_a",
  "label_b", "final"}``, without text; the text of each sentence is
  ``text[start:end]`` of the document ``doc`` found in the folder's ``*.jsonl``
  files (lines ``{"id", "text", ...}``). The label used is ``final``.
- ``--jsonl FILE``: self-contained, each line ``{"doc", "text", "label"}``
  in document order (``doc`` groups the sentences of one document).

It prints the two annotators' Krippendorff's alpha when the set has
``label_a``/``label_b``, and with ``--speed`` the time to train on 10,000
labels as the background task does (cross-validation, the final fit, and
predicting 10,000 more sentences).

Usage:
    .venv/bin/python bench/suggestions.py [--source DIR] [--set FILE | --jsonl FILE] [--speed]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from suggestions import learning  # noqa: E402
from suggestions.cues import cue_suggest  # noqa: E402

LABELS = ["claim", "speculation", "sourced_fact", "none"]
STEPS = [50, 100, 200, 400]


def load_source(folder: Path) -> dict[str, str]:
    texts = {}
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if "id" in row and "text" in row:
                    texts[row["id"]] = row["text"]
    return texts


def load_set(path: Path, source: Path) -> tuple[list[dict], bool]:
    """Rows with doc, text, label (and label_a, label_b when there): document order."""
    texts = None
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if "text" not in row:
                if texts is None:
                    texts = load_source(source)
                if row["doc"] not in texts:
                    sys.exit(f"{row['doc']} is not in {source}: pass --source")
                row["text"] = texts[row["doc"]][row["start"] : row["end"]]
                row["label"] = row["final"]
            rows.append(row)
    return rows, all("label_a" in r for r in rows)


def alpha_two(a: list[str], b: list[str]) -> float:
    import krippendorff
    import numpy as np

    index = {label: i for i, label in enumerate(sorted(set(a) | set(b)))}
    data = np.array([[index[x] for x in a], [index[x] for x in b]], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def learning_curve(rows: list[dict], steps: list[int]) -> list[dict]:
    texts = [r["text"] for r in rows]
    truth = [r["label"] for r in rows]
    labels = [label for label in LABELS if label in set(truth)]
    keys = set(labels)
    cue = [(c.label if (c := cue_suggest(t, keys)) else "claim") for t in texts]
    points = []
    for k in steps:
        if k >= len(rows):
            break
        rest = slice(k, None)
        started = time.perf_counter()
        model = learning.train(texts[:k], truth[:k], labels)
        predicted, _ = model.predict(texts[rest])
        seconds = time.perf_counter() - started
        model_report = learning.scores_report(truth[rest], predicted, labels)
        cue_report = learning.scores_report(truth[rest], cue[rest], labels)
        points.append(
            {
                "labels": k,
                "scored": len(rows) - k,
                "model": model_report["macro_f1"],
                "cue": cue_report["macro_f1"],
                "model_per_label": {x: v["f1"] for x, v in model_report["per_label"].items()},
                "cue_per_label": {x: v["f1"] for x, v in cue_report["per_label"].items()},
                "seconds": round(seconds, 2),
            }
        )
    return points


def speed(source: Path, n: int = 10_000) -> dict:
    """Train as the task does on n labels drawn from the source texts (labels from the cues
    with 30% noise, so the model has something to learn and something to doubt)."""
    texts = []
    for path in sorted(source.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                texts.extend((doc["id"], doc["text"][a:b]) for a, b in doc.get("spans", []))
    rng = random.Random(13)
    rng.shuffle(texts)
    texts = texts[: 2 * n]
    keys = set(LABELS)
    docs = [d for d, _ in texts[:n]]
    train_texts = [t for _, t in texts[:n]]
    targets = [
        rng.choice(LABELS) if rng.random() < 0.3 else cue_suggest(t, keys).label
        for t in train_texts
    ]
    timings = {}
    cpu = time.process_time()
    started = time.perf_counter()
    learning.cross_validate(train_texts, targets, LABELS, docs)
    timings["cross_validation_s"] = time.perf_counter() - started
    mark = time.perf_counter()
    model = learning.train(train_texts, targets, LABELS)
    timings["final_fit_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    model.predict([t for _, t in texts[n:]])
    timings["predict_s"] = time.perf_counter() - mark
    timings["total_s"] = time.perf_counter() - started
    # CPU time: what the training costs, whatever else the machine runs meanwhile.
    timings["total_cpu_s"] = time.process_time() - cpu
    timings["predicted"] = len(texts) - n
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT / ".." / "shared/data/segmentation")
    parser.add_argument("--set", type=Path, default=ROOT / "bench/data/suggestions_devset.jsonl")
    parser.add_argument("--jsonl", type=Path, help="A self-contained set: doc, text, label.")
    parser.add_argument("--steps", type=int, nargs="*", default=STEPS)
    parser.add_argument("--speed", action="store_true", help="Also time training on 10,000.")
    args = parser.parse_args()

    rows, paired = load_set(args.jsonl or args.set, args.source)
    print(f"evaluation set: {len(rows)} sentences of {len({r['doc'] for r in rows})} documents")
    counts = {label: sum(1 for r in rows if r["label"] == label) for label in LABELS}
    print("labels:", ", ".join(f"{k} {v}" for k, v in counts.items()))
    if paired:
        a, b = [r["label_a"] for r in rows], [r["label_b"] for r in rows]
        agree = sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(rows)
        print(f"annotators A and B: Krippendorff's alpha {alpha_two(a, b):.3f}, "
              f"raw agreement {agree:.1%}")  # fmt: skip
    print("\nmacro-F1 on the sentences not yet labeled, replaying in document order")
    print(f"{'labels':>7} {'scored':>7} {'cue':>7} {'model':>7}  per label (model / cue)")
    for p in learning_curve(rows, args.steps):
        per = ", ".join(
            f"{k} {p['model_per_label'][k]:.2f}/{p['cue_per_label'][k]:.2f}"
            for k in p["model_per_label"]
        )
        print(f"{p['labels']:>7} {p['scored']:>7} {p['cue']:>7.3f} {p['model']:>7.3f}  {per}")
    if args.speed:
        print("\ntraining on 10,000 labels:", json.dumps(speed(args.source)))


if __name__ == "__main__":
    main()
