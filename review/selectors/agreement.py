"""Reads of the stored agreement report (computed in the background by
``review.services.agreement.corpus_agreement_refresh``), and its shapes for the pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from corpora.models import Corpus
from review.models import AgreementReport

# How many of the least agreeing articles the dashboard lists.
WORST_ARTICLES = 15


@dataclass
class AgreementSummary:
    computed_at: datetime | None = None
    duration_ms: int = 0
    labels_seen: int = 0
    queued: bool = False
    error: str = ""
    figures: dict = field(default_factory=dict)


def agreement_report_get(*, corpus: Corpus) -> AgreementReport | None:
    return AgreementReport.objects.filter(corpus=corpus).first()


def report_articles(report: AgreementReport) -> list[dict]:
    """Every article's figures, least agreement first (older reports kept them in data)."""
    return report.articles or report.data.get("articles", [])


def agreement_summary_get(*, corpus: Corpus) -> AgreementSummary:
    """What the API answers: the report's figures with every article's, and its state.

    The dashboard's own extracts (progress, the worst articles) stay out: the
    API has an endpoint for progress, and every article is in ``articles``.
    """
    report = agreement_report_get(corpus=corpus)
    if report is None:
        return AgreementSummary()
    figures = dict(report.data)
    figures.pop("progress", None)
    figures.pop("worst_articles", None)
    figures["articles"] = report_articles(report)
    return AgreementSummary(
        computed_at=report.computed_at,
        duration_ms=report.duration_ms,
        labels_seen=report.labels_seen,
        queued=bool(report.refresh_queued_at),
        error=report.error,
        figures=figures,
    )


def agreement_article_get(*, report: AgreementReport, article_id: int) -> dict | None:
    """One article's entry in the stored report, its pairs named, lowest kappa first."""
    entry = next((a for a in report_articles(report) if a["id"] == article_id), None)
    if entry is None:
        return None
    names = {a["id"]: a["name"] for a in report.data.get("annotators", [])}
    pairs = [
        {**p, "a_name": names.get(p["a"], str(p["a"])), "b_name": names.get(p["b"], str(p["b"]))}
        for p in entry.get("pairs", [])
    ]
    return {**entry, "pairs": sorted(pairs, key=lambda p: (p["kappa"] is None, p["kappa"] or 0))}


def agreement_dashboard_get(*, report: AgreementReport | None) -> dict | None:
    """The stored report shaped for the dashboard page (names beside indices), or None.

    None until a report has been computed.
    """
    if report is None or report.computed_at is None:
        return None
    data = report.data
    labels = data.get("labels", [])
    confusion = data.get("confusion", [])
    rows = [
        {"label": labels[i], "cells": [{"value": v, "same": i == j} for j, v in enumerate(row)]}
        for i, row in enumerate(confusion)
    ]
    splits = sorted(
        (
            {"a": labels[i]["name"], "b": labels[j]["name"], "pairs": confusion[i][j]}
            for i in range(len(confusion))
            for j in range(i + 1, len(confusion))
            if confusion[i][j]
        ),
        key=lambda s: -s["pairs"],
    )
    names = {a["id"]: a["name"] for a in data.get("annotators", [])}
    worst = []
    least = data.get("worst_articles") or data.get("articles", [])[:WORST_ARTICLES]
    for article in least:
        kappas = [p["kappa"] for p in article.get("pairs", []) if p["kappa"] is not None]
        worst.append({**article, "lowest_kappa": min(kappas, default=None)})
    return {
        **data,
        "confusion_rows": rows,
        "splits": splits,
        "worst": worst,
        "names": names,
    }


def agreement_state_get(*, report: AgreementReport | None) -> dict:
    """The report's state: when computed, whether a refresh is queued, its error.

    What the dashboard shows and dashboard.js polls.
    """
    return {
        "computed_at": report.computed_at.isoformat() if report and report.computed_at else None,
        "queued": bool(report and report.refresh_queued_at),
        "error": report.error if report else "",
    }
