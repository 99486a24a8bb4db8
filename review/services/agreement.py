"""Inter-annotator agreement: pure computations, and the service that stores a report.

The computations take ratings as three parallel integer arrays (unit, coder,
value) and are vectorised with numpy, so 100,000 sentences labeled by five
annotators take well under a second. They follow Krippendorff, "Computing
Krippendorff's Alpha-Reliability" (2011), for nominal data: a coincidence
matrix built from pairable values (units with at least two of them), and
``alpha = 1 - (n - 1) * disagreeing / sum_{c != k} n_c n_k``. Cohen's kappa is
computed per pair of annotators on the sentences both labeled, overall and
within each article. The tests hold them against Krippendorff's and a
textbook's worked examples and against the ``krippendorff`` package on random
data.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import Annotation, Article, GoldLabel, Sentence
from corpora.models import Corpus, Label
from review.models import AgreementReport, ArticleAgreement
from review.selectors.agreement import WORST_ARTICLES
from suggestions.selectors import model_ratings

log = logging.getLogger(__name__)

# --- pure computations --------------------------------------------------------


@dataclass(frozen=True)
class Ratings:
    """Ratings as parallel arrays of indices: ``unit[i]`` got ``value[i]`` from ``coder[i]``."""

    unit: np.ndarray
    coder: np.ndarray
    value: np.ndarray
    n_units: int
    n_coders: int
    n_values: int

    @classmethod
    def from_matrix(cls, matrix, *, n_values: int | None = None) -> Ratings:
        """From a coders x units matrix of value indices with NaN (or None) for missing."""
        data = np.array(matrix, dtype=float)
        coder, unit = np.nonzero(~np.isnan(data))
        value = data[coder, unit].astype(np.int64)
        return cls(
            unit=unit.astype(np.int64),
            coder=coder.astype(np.int64),
            value=value,
            n_units=data.shape[1],
            n_coders=data.shape[0],
            n_values=int(n_values if n_values is not None else value.max(initial=-1) + 1),
        )


def value_counts(ratings: Ratings) -> np.ndarray:
    """units x values: how many coders gave each value to each unit."""
    flat = ratings.unit * ratings.n_values + ratings.value
    counts = np.bincount(flat, minlength=ratings.n_units * ratings.n_values)
    return counts.reshape(ratings.n_units, ratings.n_values)


def coincidences(counts: np.ndarray) -> np.ndarray:
    """Krippendorff's coincidence matrix o_ck over pairable units (m_u >= 2)."""
    m = counts.sum(axis=1)
    pairable = m >= 2
    c = counts[pairable].astype(float)
    w = c / (m[pairable] - 1)[:, None]
    return c.T @ w - np.diag(w.sum(axis=0))


def alpha_from_coincidences(o: np.ndarray) -> float | None:
    """Nominal alpha; None when undefined (fewer than two pairable values, or no variation)."""
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return None
    expected = n * n - float((n_c**2).sum())
    if expected <= 0:
        return None
    observed = n - float(np.trace(o))
    return float(1.0 - (n - 1) * observed / expected)


def alpha_nominal(counts: np.ndarray) -> float | None:
    return alpha_from_coincidences(coincidences(counts))


def alpha_per_value(counts: np.ndarray) -> list[float | None]:
    """One-vs-rest alpha for each value: did the coders agree on "this value or not"?"""
    m = counts.sum(axis=1, keepdims=True)
    return [
        alpha_nominal(np.hstack([counts[:, [v]], m - counts[:, [v]]]))
        for v in range(counts.shape[1])
    ]


def pair_counts(counts: np.ndarray) -> np.ndarray:
    """values x values: unordered pairs of coders on one unit giving values (c, k).

    Off the diagonal, how often two annotators split between two labels; on it,
    how often a pair agreed. The confusion view shows this.
    """
    c = counts.astype(np.int64)
    pairs = c.T @ c
    diag = (c * (c - 1)).sum(axis=0) // 2
    np.fill_diagonal(pairs, diag)
    return pairs


def percent_agreement(counts: np.ndarray) -> float | None:
    """Share of agreeing pairs of coders among all pairs of coders on the same unit."""
    m = counts.sum(axis=1)
    pairs = float((m * (m - 1)).sum())
    if pairs == 0:
        return None
    return float((counts * (counts - 1)).sum()) / pairs


def cohen_kappa(a: np.ndarray, b: np.ndarray, n_values: int) -> tuple[float | None, float, int]:
    """Cohen's kappa, observed agreement and item count for two coders' value arrays.

    ``a`` and ``b`` are aligned value indices with -1 where a coder gave none;
    only items both coded count.
    """
    both = (a >= 0) & (b >= 0)
    n = int(both.sum())
    if n == 0:
        return None, 0.0, 0
    table = np.bincount(a[both] * n_values + b[both], minlength=n_values * n_values).reshape(
        n_values, n_values
    )
    p_o = float(np.trace(table)) / n
    p_e = float((table.sum(axis=1) * table.sum(axis=0)).sum()) / (n * n)
    if p_e >= 1.0:
        return None, p_o, n
    return (p_o - p_e) / (1.0 - p_e), p_o, n


def coder_matrix(ratings: Ratings) -> np.ndarray:
    """units x coders of value indices, -1 where a coder gave none."""
    matrix = np.full((ratings.n_units, ratings.n_coders), -1, dtype=np.int64)
    matrix[ratings.unit, ratings.coder] = ratings.value
    return matrix


def grouped_alpha_and_agreement(
    counts: np.ndarray, group: np.ndarray, n_groups: int
) -> tuple[list[float | None], list[float | None], np.ndarray]:
    """Alpha and percent agreement for each group of units (e.g. each article), vectorised.

    ``group[u]`` is the group of unit u. Returns per-group alpha, per-group
    percent agreement and the number of pairable units per group.
    """
    n_values = counts.shape[1]
    m = counts.sum(axis=1)
    pairable = m >= 2
    c = counts[pairable].astype(float)
    g = group[pairable]
    inv = 1.0 / (m[pairable] - 1)
    o = np.zeros((n_groups, n_values, n_values))
    for i in range(n_values):
        for k in range(n_values):
            weights = c[:, i] * c[:, k] * inv
            if i == k:
                weights = weights - c[:, i] * inv
            o[:, i, k] = np.bincount(g, weights=weights, minlength=n_groups)
    agree = np.bincount(g, weights=(c * (c - 1)).sum(axis=1), minlength=n_groups)
    total = np.bincount(g, weights=m[pairable] * (m[pairable] - 1.0), minlength=n_groups)
    units = np.bincount(g, minlength=n_groups)
    alphas = [alpha_from_coincidences(o[i]) for i in range(n_groups)]
    agreements = [float(agree[i] / total[i]) if total[i] else None for i in range(n_groups)]
    return alphas, agreements, units


def grouped_cohen_kappa(
    a: np.ndarray, b: np.ndarray, group: np.ndarray, n_groups: int, n_values: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cohen's kappa of two coders within each group of units (e.g. each article), vectorised.

    ``a`` and ``b`` are aligned value indices (-1 where a coder gave none) and
    ``group[u]`` the group of unit u. Returns kappa (NaN where undefined),
    observed agreement (NaN where the pair shares no unit) and the number of
    units both coded, one entry per group; each group's figures equal
    ``cohen_kappa`` on that group's units alone.
    """
    both = (a >= 0) & (b >= 0)
    cells = (group[both] * n_values + a[both]) * n_values + b[both]
    tables = np.bincount(cells, minlength=n_groups * n_values * n_values).reshape(
        n_groups, n_values, n_values
    )
    n = tables.sum(axis=(1, 2)).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_o = np.trace(tables, axis1=1, axis2=2) / n
        p_e = (tables.sum(axis=2) * tables.sum(axis=1)).sum(axis=1) / (n * n)
        kappa = np.where(p_e < 1.0, (p_o - p_e) / (1.0 - p_e), np.nan)
    return kappa, p_o, n.astype(np.int64)


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def agreement_summary(
    ratings: Ratings,
    *,
    unit_group: np.ndarray | None = None,
    n_groups: int = 0,
) -> dict:
    """Every figure the agreement page shows, from index arrays (no names)."""
    counts = value_counts(ratings)
    m = counts.sum(axis=1)
    pairable = m >= 2
    matrix = coder_matrix(ratings)
    pairs: list[dict[str, Any]] = []
    for i, j in combinations(range(ratings.n_coders), 2):
        kappa, p_o, n = cohen_kappa(matrix[:, i], matrix[:, j], ratings.n_values)
        if n:
            pairs.append({"a": i, "b": j, "kappa": _round(kappa), "agreement": _round(p_o), "n": n})
    summary = {
        "values": int(m.sum()),
        "units": int((m > 0).sum()),
        "pairable_units": int(pairable.sum()),
        "unanimous_units": int((pairable & (counts.max(axis=1) == m)).sum()),
        "alpha": _round(alpha_nominal(counts)),
        "percent_agreement": _round(percent_agreement(counts)),
        "per_value_alpha": [_round(a) for a in alpha_per_value(counts)],
        "pairs": pairs,
        "confusion": pair_counts(counts).tolist(),
    }
    if unit_group is not None:
        alphas, agreements, units = grouped_alpha_and_agreement(counts, unit_group, n_groups)
        summary["groups"] = [
            {
                "alpha": _round(a),
                "percent_agreement": _round(p),
                "pairable_units": int(u),
                "pairs": [],
            }
            for a, p, u in zip(alphas, agreements, units, strict=True)
        ]
        # Cohen's kappa of every pair within every group that pair co-labeled.
        for pair in pairs:
            i, j = pair["a"], pair["b"]
            kappas, observed, counted = grouped_cohen_kappa(
                matrix[:, i], matrix[:, j], unit_group, n_groups, ratings.n_values
            )
            for g in np.nonzero(counted)[0].tolist():
                summary["groups"][g]["pairs"].append(
                    {
                        "a": i,
                        "b": j,
                        "kappa": None if np.isnan(kappas[g]) else round(float(kappas[g]), 4),
                        "agreement": round(float(observed[g]), 4),
                        "n": int(counted[g]),
                    }
                )
    return summary


# --- the stored report --------------------------------------------------------


def corpus_agreement_compute(*, corpus: Corpus) -> dict:
    """Load every label of the corpus's labelable sentences and compute the report data."""
    labels = list(Label.objects.filter(corpus=corpus).values("id", "key", "name", "color"))
    label_index = {row["id"]: i for i, row in enumerate(labels)}
    rows = np.array(
        list(
            Annotation.objects.filter(
                sentence__article__corpus=corpus,
                sentence__kind=Sentence.Kind.SENTENCE,
                sentence__article__status=Article.Status.READY,
            ).values_list("sentence_id", "annotator_id", "label_id", "sentence__article_id")
        ),
        dtype=np.int64,
    ).reshape(-1, 4)
    sentence_ids, unit = np.unique(rows[:, 0], return_inverse=True)
    annotator_ids, coder = np.unique(rows[:, 1], return_inverse=True)
    lookup = np.zeros(max(label_index, default=0) + 1, dtype=np.int64)
    for label_id, i in label_index.items():
        lookup[label_id] = i
    value = lookup[rows[:, 2]] if len(rows) else np.zeros(0, dtype=np.int64)
    # The article of each unit: the article column at each unit's first row.
    first_row = np.zeros(len(sentence_ids), dtype=np.int64)
    first_row[unit[::-1]] = np.arange(len(unit))[::-1]
    article_ids, unit_group = np.unique(rows[first_row, 3], return_inverse=True)
    ratings = Ratings(
        unit=unit.astype(np.int64),
        coder=coder.astype(np.int64),
        value=value,
        n_units=len(sentence_ids),
        n_coders=len(annotator_ids),
        n_values=len(labels),
    )
    summary = agreement_summary(ratings, unit_group=unit_group, n_groups=len(article_ids))

    names = dict(
        get_user_model().objects.filter(pk__in=annotator_ids.tolist()).values_list("pk", "username")
    )
    coders = [{"id": int(pk), "name": names.get(int(pk), str(pk))} for pk in annotator_ids]
    titles = dict(Article.objects.filter(pk__in=article_ids.tolist()).values_list("pk", "title"))
    articles = []
    for pk, group in zip(article_ids.tolist(), summary.pop("groups", []), strict=True):
        # Per-article pairs name annotators by user id (see "annotators"), to keep
        # the stored report small: 2,000 articles x 10 pairs at the benchmark size.
        for pair in group["pairs"]:
            pair["a"], pair["b"] = coders[pair["a"]]["id"], coders[pair["b"]]["id"]
        articles.append({"id": pk, "title": titles.get(pk) or f"Article {pk}", **group})
    articles.sort(key=lambda a: (a["alpha"] is None, a["alpha"] or 0.0, a["id"]))
    for pair in summary["pairs"]:
        pair["a"], pair["b"] = coders[pair["a"]], coders[pair["b"]]
    summary["per_label"] = [
        {"key": label["key"], "name": label["name"], "alpha": alpha}
        for label, alpha in zip(labels, summary.pop("per_value_alpha"), strict=True)
    ]
    summary["labels"] = [
        {"key": lab["key"], "name": lab["name"], "color": lab["color"]} for lab in labels
    ]
    summary["annotators"] = coders
    summary["articles"] = articles
    summary["model_pairs"] = _model_pairs(
        corpus=corpus,
        sentence_ids=sentence_ids,
        matrix=coder_matrix(ratings),
        coders=coders,
        key_index={label["key"]: i for i, label in enumerate(labels)},
    )
    return summary


def article_agreements_replace(*, corpus: Corpus, articles: list[dict]) -> None:
    """Replace the corpus's indexed per-article figures with those of a stored report.

    Called under the report's update, so the figures the list filters on are
    always those of the stored report.
    """
    ArticleAgreement.objects.filter(corpus=corpus).delete()
    ArticleAgreement.objects.bulk_create(
        (
            ArticleAgreement(
                article_id=a["id"],
                corpus=corpus,
                alpha=a.get("alpha"),
                percent_agreement=a.get("percent_agreement"),
            )
            for a in articles
        ),
        batch_size=2000,
    )


def _model_pairs(
    *,
    corpus: Corpus,
    sentence_ids: np.ndarray,
    matrix: np.ndarray,
    coders: list[dict],
    key_index: dict[str, int],
) -> list[dict]:
    """Cohen's kappa of each model (as one more rater, marked ``model``) with each annotator
    and with gold, on the sentences both labeled. Models never enter the annotators' alpha."""
    unit_of = {int(sid): i for i, sid in enumerate(sentence_ids.tolist())}

    def aligned(values: dict[int, str]) -> np.ndarray:
        vector = np.full(len(sentence_ids), -1, dtype=np.int64)
        for sid, key in values.items():
            unit = unit_of.get(sid)
            if unit is not None and key in key_index:
                vector[unit] = key_index[key]
        return vector

    # The corpus's gold (``aligned`` keeps the sentences rated): a list of every rated
    # sentence's id in the query cost more to send than the gold itself.
    gold = aligned(
        dict(
            GoldLabel.objects.filter(sentence__article__corpus=corpus).values_list(
                "sentence_id", "label__key"
            )
        )
    )
    pairs: list[dict] = []
    for name, predicted in model_ratings(corpus=corpus):
        model = {"id": None, "name": name, "model": True}
        vector = aligned(predicted)
        others = [(coder, matrix[:, c]) for c, coder in enumerate(coders)]
        others.append(({"id": None, "name": "gold", "gold": True}, gold))
        for other, values in others:
            kappa, p_o, n = cohen_kappa(vector, values, len(key_index))
            if n:
                pairs.append(
                    {
                        "a": model,
                        "b": other,
                        "kappa": _round(kappa),
                        "agreement": _round(p_o),
                        "n": n,
                    }
                )
    return pairs


def corpus_agreement_refresh(
    *,
    corpus: Corpus,
    extra: dict | None = None,
    as_of: datetime | None = None,
    started: float | None = None,
) -> AgreementReport:
    """Compute and store the corpus's agreement report, replacing an older one.

    ``computed_at`` is ``as_of``, the moment the figures describe (when the
    refresh began reading). Two refreshes may overlap with several workers; the
    one that read later wins, whichever finishes last. ``extra`` is stored
    beside the figures (the dashboard's progress snapshot). ``duration_ms`` is
    the time since ``started`` (a ``time.perf_counter()`` reading: the whole
    refresh's start), or this computation's own.
    """
    as_of = as_of or timezone.now()
    report, _ = AgreementReport.objects.get_or_create(corpus=corpus)
    started = time.perf_counter() if started is None else started
    data = {**corpus_agreement_compute(corpus=corpus), **(extra or {})}
    # Every article's figures go to their own column, which the dashboard never
    # loads (2,000 articles x 10 pairs doubled its render time); it shows the
    # least agreeing ones, kept in data.
    articles = data.pop("articles")
    data["worst_articles"] = articles[:WORST_ARTICLES]
    elapsed_ms = int((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        stored = AgreementReport.objects.filter(
            Q(computed_at__isnull=True) | Q(computed_at__lte=as_of), pk=report.pk
        ).update(
            computed_at=as_of,
            duration_ms=elapsed_ms,
            labels_seen=data["values"],
            data=data,
            articles=articles,
            error="",
        )
        if stored:
            article_agreements_replace(corpus=corpus, articles=articles)
    log.info(
        "agreement of corpus %s: %s labels in %s ms%s",
        corpus.pk,
        data["values"],
        elapsed_ms,
        "" if stored else " (a newer report was already stored)",
    )
    report.refresh_from_db()
    return report
