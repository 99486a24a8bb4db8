"""The corpus dashboard's figures.

Two grouped scans over every label and every history event of the corpus
(sentences and articles done per annotator, the label distribution, labels
per hour, progress over time) cost about half a second at 500,000 labels, so
they run in the background refresh with the agreement figures and are stored
in the same report (``corpus_progress_compute``). The page itself reads that
snapshot plus a few cheap live counts (articles by status, assignments,
gold), which keeps it well under 300 ms at that size. The refresh runs a few
seconds after each burst of label changes, and the page says when it was
computed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncHour

from articles.models import Annotation, AnnotationEvent, Article, GoldLabel, Sentence
from corpora.models import Corpus, Label, Membership
from corpora.permissions import ROLE_RIGHTS, Right
from review.models import AgreementReport, Assignment

# While every label of the corpus was made within this many (UTC) days, the
# dashboard's progress chart counts by hour instead of by day.
PROGRESS_HOURLY_DAYS = 2


@dataclass
class AnnotatorProgress:
    user_id: int
    name: str = ""
    role: str = ""
    sentences_done: int = 0
    articles_done: int = 0
    articles_started: int = 0
    assigned: int = 0
    assigned_finished: int = 0
    labels_per_hour: float | None = None
    active_hours: int = 0
    last_active: datetime | None = None


@dataclass
class LabelCount:
    key: str
    name: str
    color: str
    count: int
    gold: int = 0


@dataclass
class Dashboard:
    corpus: Corpus
    articles_by_status: dict[str, int]
    ready_articles: int
    labelable_sentences: int
    annotators: list[AnnotatorProgress]
    labels: list[LabelCount]
    total_labels: int
    gold_by_origin: dict[str, int]
    progress_by_day: list[tuple[date, int]] = field(default_factory=list)
    # The same by hour (UTC hours, aware datetimes), kept only while the history
    # spans at most PROGRESS_HOURLY_DAYS days: a first day's progress is a curve.
    progress_by_hour: list[tuple[datetime, int]] = field(default_factory=list)
    agreement: AgreementReport | None = None
    progress_computed_at: datetime | None = None


def corpus_progress_compute(*, corpus: Corpus) -> dict:
    """The heavy part of the dashboard, as JSON for the stored report."""
    # Each article's labelable sentences as its derived count holds them (docs/
    # architecture.md, "Derived counts"): one row per article, where counting the
    # sentences read every sentence of the corpus, half a refresh's database time.
    article_totals = dict(
        Article.objects.filter(
            corpus=corpus, status=Article.Status.READY, labelable_count__gt=0
        ).values_list("id", "labelable_count")
    )
    people: dict[int, dict] = defaultdict(
        lambda: {"sentences_done": 0, "articles_done": 0, "articles_started": 0}
    )
    label_totals: dict[int, int] = defaultdict(int)
    per_article: dict[tuple[int, int], int] = defaultdict(int)
    # One scan of the labels: (annotator, article, label) -> count.
    for annotator_id, article_id, label_id, n in (
        Annotation.objects.filter(
            sentence__article__corpus=corpus,
            sentence__article__status=Article.Status.READY,
            sentence__kind=Sentence.Kind.SENTENCE,
        )
        .values_list("annotator_id", "sentence__article_id", "label_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        label_totals[label_id] += n
        per_article[(annotator_id, article_id)] += n
    for (annotator_id, article_id), n in per_article.items():
        person = people[annotator_id]
        person["sentences_done"] += n
        person["articles_started"] += 1
        if n >= article_totals.get(article_id, 0) > 0:
            person["articles_done"] += 1

    # One scan of the history: (annotator, hour, action) -> count and latest time.
    hours: set[tuple[int, datetime]] = set()
    actions: dict[int, int] = defaultdict(int)
    last_active: dict[int, datetime] = {}
    net_by_day: dict[date, int] = defaultdict(int)
    net_by_hour: dict[datetime, int] = defaultdict(int)
    for annotator_id, hour, action, n, latest in (
        AnnotationEvent.objects.filter(article__corpus=corpus)
        .annotate(hour=TruncHour("at", tzinfo=dt.UTC))
        .values_list("annotator_id", "hour", "action")
        .annotate(n=Count("id"), latest=Max("at"))
        .order_by()
    ):
        # Labels a change of boundaries carried or took off are not the annotator's work.
        moved = action in (AnnotationEvent.Action.CARRY, AnnotationEvent.Action.RETIRE)
        if action != AnnotationEvent.Action.CLEAR and not moved:
            actions[annotator_id] += n
            hours.add((annotator_id, hour))
        if not moved and (annotator_id not in last_active or latest > last_active[annotator_id]):
            last_active[annotator_id] = latest
        change = (
            n
            if action in (AnnotationEvent.Action.CREATE, AnnotationEvent.Action.CARRY)
            else -n
            if action in (AnnotationEvent.Action.CLEAR, AnnotationEvent.Action.RETIRE)
            else 0
        )
        net_by_day[hour.date()] += change
        net_by_hour[hour] += change
    active_hours: dict[int, int] = defaultdict(int)
    for annotator_id, _hour in hours:
        active_hours[annotator_id] += 1
    for annotator_id, seen in last_active.items():
        person = people[annotator_id]
        person["last_active"] = seen.isoformat()
        person["active_hours"] = active_hours.get(annotator_id, 0)
        if person["active_hours"]:
            person["labels_per_hour"] = round(actions[annotator_id] / person["active_hours"], 1)

    return {
        "labelable_sentences": sum(article_totals.values()),
        "annotators": {str(k): v for k, v in people.items()},
        "label_totals": {str(k): v for k, v in label_totals.items()},
        "progress_by_day": _cumulative(net_by_day),
        "progress_by_hour": _cumulative(net_by_hour)
        if len(net_by_day) <= PROGRESS_HOURLY_DAYS
        else [],
    }


def _cumulative(net: dict) -> list[list]:
    """[[moment as ISO 8601, running total], ...] in time order."""
    running, series = 0, []
    for moment in sorted(net):
        running += net[moment]
        series.append([moment.isoformat(), running])
    return series


def corpus_dashboard(*, corpus: Corpus) -> Dashboard:
    # Every article's figures stay in the database: the page shows the worst few.
    report = AgreementReport.objects.filter(corpus=corpus).defer("articles").first()
    stored = (report.data or {}).get("progress") if report else None
    # Before the first background refresh, compute once in the request.
    progress = stored if stored is not None else corpus_progress_compute(corpus=corpus)

    by_status = {s: 0 for s in Article.Status.values}
    for status, n in (
        Article.objects.filter(corpus=corpus).values_list("status").annotate(n=Count("id"))
    ):
        by_status[status] = n

    people: dict[int, AnnotatorProgress] = {}
    for key, row in progress["annotators"].items():
        person = AnnotatorProgress(int(key))
        for name in (
            "sentences_done",
            "articles_done",
            "articles_started",
            "labels_per_hour",
            "active_hours",
        ):
            if name in row:
                setattr(person, name, row[name])
        if row.get("last_active"):
            person.last_active = datetime.fromisoformat(row["last_active"])
        people[person.user_id] = person

    # Members who label appear even before their first label.
    labelling_roles = [role for role, rights in ROLE_RIGHTS.items() if Right.LABEL in rights]
    for user_id, role in Membership.objects.filter(
        corpus=corpus, role__in=labelling_roles
    ).values_list("user_id", "role"):
        people.setdefault(user_id, AnnotatorProgress(user_id)).role = role

    for annotator_id, n, finished in (
        Assignment.objects.filter(article__corpus=corpus)
        .values_list("annotator_id")
        .annotate(n=Count("id"), finished=Count("id", filter=Q(finished_at__isnull=False)))
        .order_by()
    ):
        person = people.setdefault(annotator_id, AnnotatorProgress(annotator_id))
        person.assigned, person.assigned_finished = n, finished

    names = dict(get_user_model().objects.filter(pk__in=people).values_list("pk", "username"))
    for person in people.values():
        person.name = names.get(person.user_id, str(person.user_id))

    gold_by_label: dict[int, int] = defaultdict(int)
    gold_by_origin = {o: 0 for o in GoldLabel.Origin.values}
    for label_id, origin, n in (
        GoldLabel.objects.filter(sentence__article__corpus=corpus)
        .values_list("label_id", "origin")
        .annotate(n=Count("id"))
        .order_by()
    ):
        gold_by_label[label_id] += n
        gold_by_origin[origin] += n

    totals = progress["label_totals"]
    labels = [
        LabelCount(
            key=label.key,
            name=label.name,
            color=label.color,
            count=totals.get(str(label.pk), 0),
            gold=gold_by_label.get(label.pk, 0),
        )
        for label in Label.objects.filter(corpus=corpus)
    ]
    return Dashboard(
        corpus=corpus,
        articles_by_status=by_status,
        ready_articles=by_status[Article.Status.READY],
        labelable_sentences=progress["labelable_sentences"],
        annotators=sorted(people.values(), key=lambda p: (-p.sentences_done, p.name)),
        labels=labels,
        total_labels=sum(totals.values()),
        gold_by_origin=gold_by_origin,
        progress_by_day=[(date.fromisoformat(d), n) for d, n in progress["progress_by_day"]],
        progress_by_hour=[
            (datetime.fromisoformat(h), n) for h, n in progress.get("progress_by_hour", [])
        ],
        agreement=report,
        progress_computed_at=report.computed_at if report and stored is not None else None,
    )
