"""The dashboard's times: the real last activity, in the reader's time zone, and a
progress chart that says something about a first day of work."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from articles.models import AnnotationEvent
from review.services.workflow import corpus_workflow_refresh
from tests.review.conftest import label_sentences

pytestmark = pytest.mark.django_db


def _events_at(user, *moments: dt.datetime) -> None:
    """Move the user's history events to the given moments, in order."""
    events = list(AnnotationEvent.objects.filter(annotator=user).order_by("pk"))
    assert len(events) >= len(moments)
    for event, moment in zip(events, moments, strict=False):
        AnnotationEvent.objects.filter(pk=event.pk).update(at=moment)
    for event in events[len(moments) :]:
        AnnotationEvent.objects.filter(pk=event.pk).update(at=moments[-1])


def _dashboard(client, owner, corpus, *, zone: str | None = None) -> str:
    client.force_login(owner)
    if zone is not None:
        client.cookies["tz"] = zone
    return client.get(reverse("corpus_dashboard", kwargs={"slug": corpus.slug})).content.decode()


def test_last_active_is_the_latest_change_in_the_readers_time_zone(
    client, owner, annotator, corpus, article
):
    label_sentences(article, annotator, ["claim", "speculation", "claim"])
    utc = dt.UTC
    _events_at(
        annotator,
        dt.datetime(2026, 5, 4, 13, 41, 7, tzinfo=utc),
        dt.datetime(2026, 5, 4, 13, 45, 30, tzinfo=utc),
    )
    corpus_workflow_refresh(corpus_id=corpus.pk)

    html = _dashboard(client, owner, corpus)  # no cookie: settings.TIME_ZONE (UTC)
    assert ">2026-05-04 13:45</time>" in html
    # Not the hour's bucket ("13:00"); the refresh's own time, shown to the second,
    # may end in ":13:00".
    assert ">13:00</time>" not in html
    assert " 13:00</time>" not in html
    assert "Times are in UTC." in html

    html = _dashboard(client, owner, corpus, zone="Asia/Kolkata")  # UTC+05:30
    assert ">2026-05-04 19:15</time>" in html
    assert "Times are in Asia/Kolkata." in html

    # A name the server does not know falls back to the server's zone.
    html = _dashboard(client, owner, corpus, zone="Mars/Olympus_Mons")
    assert ">2026-05-04 13:45</time>" in html
    html = _dashboard(client, owner, corpus, zone="../../etc/passwd")
    assert ">2026-05-04 13:45</time>" in html


def test_the_api_keeps_utc_whatever_the_cookie(api, owner, annotator, corpus, article):
    label_sentences(article, annotator, ["claim"])
    corpus_workflow_refresh(corpus_id=corpus.pk)
    api.force_authenticate(owner)
    api.cookies["tz"] = "America/New_York"
    body = api.get(f"/api/corpora/{corpus.slug}/agreement/").json()
    assert body["computed_at"].endswith("Z")


def test_one_day_of_work_draws_an_hourly_rise_not_a_dot(client, owner, annotator, corpus, article):
    label_sentences(article, annotator, ["claim", "speculation", "claim"])
    utc = dt.UTC
    _events_at(
        annotator,
        dt.datetime(2026, 5, 4, 9, 10, tzinfo=utc),
        dt.datetime(2026, 5, 4, 11, 20, tzinfo=utc),
        dt.datetime(2026, 5, 4, 11, 50, tzinfo=utc),
    )
    corpus_workflow_refresh(corpus_id=corpus.pk)
    html = _dashboard(client, owner, corpus)
    title = re.search(r'<title id="progress-title">([^<]*)</title>', html).group(1)
    # From zero an hour before the first label to the total at the last hour.
    assert title == (
        "Sentences labeled, cumulative, by hour, "
        "from 2026-05-04 08:00 to 2026-05-04 11:00: 3 at most"
    )
    dots = re.findall(r"<circle [^>]*><title>([^<]*)</title>", html)
    assert dots == ["2026-05-04 08:00: 0", "2026-05-04 09:00: 1", "2026-05-04 11:00: 3"]
    points = re.search(r'<polyline points="([^"]*)"', html).group(1).split()
    assert len(points) == 3 and len({p.split(",")[0] for p in points}) == 3


def test_a_longer_history_is_drawn_by_day(client, owner, annotator, corpus, article):
    label_sentences(article, annotator, ["claim", "speculation", "claim"])
    utc = dt.UTC
    _events_at(
        annotator,
        dt.datetime(2026, 5, 1, 9, 0, tzinfo=utc),
        dt.datetime(2026, 5, 3, 9, 0, tzinfo=utc),
        dt.datetime(2026, 5, 6, 9, 0, tzinfo=utc),
    )
    corpus_workflow_refresh(corpus_id=corpus.pk)
    html = _dashboard(client, owner, corpus)
    dots = re.findall(r"<circle [^>]*><title>([^<]*)</title>", html)
    assert dots == ["2026-04-30: 0", "2026-05-01: 1", "2026-05-03: 2", "2026-05-06: 3"]
