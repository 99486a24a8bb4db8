"""The suggestion model: features, training, prediction and cross-validation, in numpy alone.

Pure Python and numpy, no Django, no network: nothing is downloaded, and the
model is rebuilt from labels only. It is a multinomial logistic regression on
hashed word unigrams and bigrams plus the cue baseline's cues
(``suggestions.cues.cue_features``), class-balanced, L2-regularised as
scikit-learn's default (C=1), fitted by full-batch Adam. A sparse row is a
slice of three flat arrays (CSR), so 10,000 sentences fit in a few seconds.

Cross-validation keeps each document's sentences in one fold (sentences of
one article resemble each other), so its scores say how the model does on
articles it has not seen.
"""

from __future__ import annotations

import io
import itertools
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from suggestions.cues import (
    CLAIM,
    NONE,
    SOURCED,
    SPECULATION,
    Cues,
    cues_features,
    cues_suggest,
    find_cues,
)

HASH_BUCKETS = 1 << 20
EPOCHS = 60
LEARNING_RATE = 0.1
FOLDS = 5
# The cue baseline as the model's prior: with no label yet the model suggests
# what the cues do, with the cue's label at e^3 / (e^3 + 3), about 87%, among
# four labels; labels move it away from the cues where the corpus disagrees
# (the cue block is pulled back towards this prior, the word weights towards 0).
CUE_PRIOR = 3.0
CUE_KEYS = frozenset({CLAIM, SPECULATION, SOURCED, NONE})
# Past this many labels three folds are enough to estimate the scores, and
# keep training on 10,000 labels within its time (bench/README.md).
FEWER_FOLDS_ABOVE = 2_000

_TOKEN = re.compile(r"[a-z0-9']+|[^\sa-z0-9]", re.IGNORECASE)


def features(text: str, cues: Cues | None = None) -> list[str]:
    """Feature names of one sentence: lowercased words, word pairs, cues, and a bias.
    ``cues``: the sentence's ``find_cues``, where the caller has them already."""
    words = [w.lower() for w in _TOKEN.findall(text)]
    names = ["__bias__", *words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]
    names.extend(cues_features(find_cues(text) if cues is None else cues))
    return names


@dataclass
class Sparse:
    """Rows of hashed features (CSR): row i is ``indices[indptr[i]:indptr[i+1]]``."""

    indptr: np.ndarray
    indices: np.ndarray
    values: np.ndarray
    cues: np.ndarray  # the cue baseline's label of each row ("" for none)

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def row_ids(self) -> np.ndarray:
        return np.repeat(np.arange(self.n_rows), np.diff(self.indptr))

    def take(self, rows: np.ndarray) -> Sparse:
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        lengths = ends - starts
        picks = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)])
        return Sparse(
            np.concatenate([[0], np.cumsum(lengths)]),
            self.indices[picks],
            self.values[picks],
            self.cues[rows],
        )

    def cue_columns(self, labels: Sequence[str]) -> np.ndarray:
        """Each row's cue label as an index into ``labels``; -1 where it is not one of them."""
        index = {label: i for i, label in enumerate(labels)}
        return np.array([index.get(c, -1) for c in self.cues.tolist()], dtype=np.int64)


def vectorize(texts: Sequence[str]) -> Sparse:
    """Hash every sentence's features; each row has unit length (the bias keeps none empty).

    A row holds each distinct bucket of its features once, in increasing order. The
    cues are found once per sentence (for its cue label and its cue features), and the
    buckets of all rows are deduplicated and sorted together by numpy: a training
    vectorizes every sentence of the corpus to store its suggestions, and the loop
    per feature took half its time.
    """
    cues: list[str] = []
    names: list[str] = []
    lengths: list[int] = []
    for text in texts:
        found = find_cues(text)
        cue = cues_suggest(found, CUE_KEYS)
        cues.append(cue.label if cue else "")
        row = features(text, found)
        names.extend(row)
        lengths.append(len(row))
    n_rows = len(lengths)
    hashed = np.fromiter(map(zlib.crc32, map(str.encode, names)), np.int64, len(names))
    row_of = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
    # One sort for every row: (row, bucket) pairs as one number, in order, each once
    # (np.unique took ten times as long as the sort on this many numbers).
    keys = np.sort(row_of * HASH_BUCKETS + hashed % HASH_BUCKETS)
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = keys[1:] != keys[:-1]
    keys = keys[keep]
    counts = np.bincount(keys // HASH_BUCKETS, minlength=n_rows)
    return Sparse(
        np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(counts)]),
        keys % HASH_BUCKETS,
        np.repeat(1.0 / np.sqrt(counts), counts).astype(np.float64),
        np.array(cues, dtype=str),
    )


@dataclass
class Model:
    """A fitted model: the feature buckets it knows, their weights, and the labels it predicts."""

    labels: list[str]
    buckets: np.ndarray  # sorted hashed feature ids seen in training
    weights: np.ndarray  # len(labels) x len(buckets)
    cue_weights: np.ndarray  # cue label x label, added to the logits

    def _cue_logits(self, rows: Sparse) -> np.ndarray:
        columns = rows.cue_columns(self.labels)
        padded = np.vstack([self.cue_weights, np.zeros((1, len(self.labels)))])
        return padded[np.where(columns >= 0, columns, len(self.labels))]

    def scores(self, rows: Sparse) -> np.ndarray:
        """Probabilities, one row per sentence, one column per label."""
        pos = np.minimum(np.searchsorted(self.buckets, rows.indices), len(self.buckets) - 1)
        known = self.buckets[pos] == rows.indices
        # An unknown feature points at an extra zero column.
        pos = np.where(known, pos, len(self.buckets))
        weights = np.hstack([self.weights, np.zeros((len(self.labels), 1))])
        return _softmax(_logits(weights, pos, rows) + self._cue_logits(rows))

    def predict(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """Each text's most probable label and its probability."""
        if not texts:
            return [], np.zeros(0)
        probs = self.scores(vectorize(texts))
        best = probs.argmax(axis=1)
        return [self.labels[i] for i in best], probs[np.arange(len(best)), best]

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            labels=np.array(self.labels),
            buckets=self.buckets,
            weights=self.weights.astype(np.float32),
            cue_weights=self.cue_weights.astype(np.float32),
        )
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> Model:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            return cls(
                labels=[str(x) for x in stored["labels"]],
                buckets=stored["buckets"],
                weights=stored["weights"].astype(np.float64),
                cue_weights=stored["cue_weights"].astype(np.float64),
            )


def _row_values(rows: Sparse) -> np.ndarray:
    # Every feature of a row has the same value (unit length), so it scales the row's sum.
    return rows.values[rows.indptr[:-1]]


def _logits(weights: np.ndarray, columns: np.ndarray, rows: Sparse) -> np.ndarray:
    """sentences x labels; ``weights`` is labels x features, ``columns`` each entry's feature.

    ``np.take`` gathers several times faster than fancy indexing here.
    """
    summed = np.add.reduceat(np.take(weights, columns, axis=1), rows.indptr[:-1], axis=1)
    return (summed * _row_values(rows)).T


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def fit(rows: Sparse, targets: Sequence[str], labels: Sequence[str]) -> Model:
    """Fit the model on labeled rows; ``labels`` fixes the label order (all may not occur)."""
    labels = list(labels)
    y = np.array([labels.index(t) for t in targets], dtype=np.int64)
    n, k = len(y), len(labels)
    buckets, local = np.unique(rows.indices, return_inverse=True)
    v = len(buckets)
    row_of = rows.row_ids()
    row_values = _row_values(rows)
    # Balanced class weights (n / (k_present * count)); absent labels weigh nothing.
    counts = np.bincount(y, minlength=k).astype(float)
    present = counts > 0
    class_weight = np.where(present, n / (present.sum() * np.maximum(counts, 1)), 0.0)
    sample_weight = class_weight[y] / n
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    l2 = 1.0 / n
    w = np.zeros((k, v))
    m1, m2 = np.zeros_like(w), np.zeros_like(w)
    cue_col = rows.cue_columns(labels)
    has_cue = cue_col >= 0
    prior = CUE_PRIOR * np.eye(k)
    c = prior.copy()
    c1, c2 = np.zeros_like(c), np.zeros_like(c)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, EPOCHS + 1):
        cue_logits = np.zeros((n, k))
        cue_logits[has_cue] = c[cue_col[has_cue]]
        probs = _softmax(_logits(w, local, rows) + cue_logits)
        error = (probs - onehot) * sample_weight[:, None]
        delta = (error * row_values[:, None]).T
        spread = np.take(delta, row_of, axis=1)
        grad = np.vstack([np.bincount(local, weights=spread[j], minlength=v) for j in range(k)])
        grad += l2 * w
        cue_grad = np.zeros((k, k))
        np.add.at(cue_grad, cue_col[has_cue], error[has_cue])
        cue_grad += l2 * (c - prior)
        m1 = beta1 * m1 + (1 - beta1) * grad
        m2 = beta2 * m2 + (1 - beta2) * grad * grad
        w -= LEARNING_RATE * (m1 / (1 - beta1**step)) / (np.sqrt(m2 / (1 - beta2**step)) + eps)
        c1 = beta1 * c1 + (1 - beta1) * cue_grad
        c2 = beta2 * c2 + (1 - beta2) * cue_grad * cue_grad
        c -= LEARNING_RATE * (c1 / (1 - beta1**step)) / (np.sqrt(c2 / (1 - beta2**step)) + eps)
    return Model(labels=labels, buckets=buckets, weights=w, cue_weights=c)


def train(texts: Sequence[str], targets: Sequence[str], labels: Sequence[str]) -> Model:
    return fit(vectorize(texts), targets, labels)


def scores_report(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict:
    """Per-label precision, recall, F1 and support, and macro-F1 over the labels that occur."""
    per_label = {}
    f1s = []
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p == label)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if t != label and p == label)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        support = tp + fn
        per_label[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": support,
        }
        if support:
            f1s.append(f1)
    accuracy = (
        sum(1 for t, p in zip(truth, predicted, strict=True) if t == p) / len(truth)
        if truth
        else 0.0
    )
    return {
        "per_label": per_label,
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "accuracy": round(accuracy, 4),
        "n": len(truth),
    }


def group_folds(groups: Sequence[int | str], folds: int = FOLDS) -> np.ndarray:
    """A fold number per item, keeping each group (document) whole; largest groups first.

    With fewer groups than folds, as many folds as groups; with one group,
    items are dealt round-robin (there is no document to hold out).
    """
    distinct: dict = {}
    for g in groups:
        distinct[g] = distinct.get(g, 0) + 1
    if len(distinct) < 2:
        return np.arange(len(groups)) % min(folds, max(len(groups), 1))
    folds = min(folds, len(distinct))
    load = [0] * folds
    fold_of = {}
    for g, size in sorted(distinct.items(), key=lambda item: (-item[1], str(item[0]))):
        f = load.index(min(load))
        fold_of[g] = f
        load[f] += size
    return np.array([fold_of[g] for g in groups], dtype=np.int64)


@dataclass
class CrossValidation:
    predicted: list[str]  # out-of-fold label of each item
    confidence: np.ndarray  # its probability
    report: dict


def cross_validate(
    texts: Sequence[str],
    targets: Sequence[str],
    labels: Sequence[str],
    groups: Sequence[int | str],
    folds: int = FOLDS,
    between: Callable[[], None] | None = None,
) -> CrossValidation:
    """Out-of-fold predictions for every item, and the scores they reach.

    ``between`` is called before each fold's fit (a training in the background
    steps aside there while an export streams)."""
    rows = vectorize(texts)
    if len(texts) > FEWER_FOLDS_ABOVE:
        folds = min(folds, 3)
    fold = group_folds(groups, folds)
    predicted = [""] * len(texts)
    confidence = np.zeros(len(texts))
    targets = list(targets)
    for f in np.unique(fold):
        test = np.nonzero(fold == f)[0]
        train_rows = np.nonzero(fold != f)[0]
        if len(train_rows) == 0:
            continue
        if between is not None:
            between()
        model = fit(rows.take(train_rows), [targets[i] for i in train_rows], labels)
        probs = model.scores(rows.take(test))
        best = probs.argmax(axis=1)
        for i, b, p in zip(test, best, probs[np.arange(len(best)), best], strict=True):
            predicted[i] = model.labels[b]
            confidence[i] = p
    return CrossValidation(predicted, confidence, scores_report(targets, predicted, labels))
