"""A 5,000-row CSV through a real worker: every bad line reported exactly, the rest imported."""

from __future__ import annotations

import csv
import io
import time

import pytest

from articles.models import Article
from imports.models import ImportJob
from imports.selectors import import_job_progress
from imports.services import import_file_create
from tests.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROWS = 5_000
LONG_TITLE = "T" * 501


def text_of(row: int) -> str:
    return f"Article {row} makes a claim, says the ministry. Critics may disagree."


def build_csv() -> tuple[bytes, dict[int, str]]:
    """The file, and for each bad line the start of the reason expected for it.

    Row r (1-based) is on line r + 1: the header is line 1 and no field spans lines.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["text", "title", "author", "published_on"])
    expected: dict[int, str] = {}
    for row in range(1, ROWS + 1):
        line = row + 1
        record = [text_of(row), f"Title {row}", "A. Writer", "2025-01-02"]
        if line == 101:
            record = ["only", "two"]
            expected[line] = "The row has 2 fields but the header names 4"
        elif line == 1001:
            record[0] = text_of(1)  # the text of line 2, again
            expected[line] = "This text is already in the corpus as article"
        elif line == 2001:
            record[1] = LONG_TITLE
            expected[line] = "title: Keep the title under 500 characters."
        elif line == 2501:
            record.append("an extra field")
            expected[line] = "The row has 5 fields but the header names 4"
        elif line == 3001:
            record[0] = "   "
            expected[line] = "The text is empty"
        elif line == 4001:
            record[3] = "yesterday"
            expected[line] = "published_on 'yesterday' is not a date"
        writer.writerow(record)
    return out.getvalue().encode(), expected


@pytest.mark.postgres
def test_a_5000_row_csv_with_bad_lines_is_imported_exactly(corpus, owner, celery_worker):
    data, expected = build_csv()
    started = time.monotonic()
    job = import_file_create(corpus=corpus, user=owner, filename="5000.csv", data=data)

    job = wait_for(
        lambda: (j := ImportJob.objects.get(pk=job.pk)).status in ("done", "failed") and j,
        timeout=180,
        interval=0.5,
        message=celery_worker.output(),
    )
    imported_in = time.monotonic() - started

    assert job.status == ImportJob.Status.DONE, job.error
    assert (job.total, job.done, job.failed, job.duplicates) == (5000, 4994, 5, 1)
    progress = import_job_progress(job=job, failures_limit=1000)
    assert progress["failures_total"] == 6
    got = {f["line"]: (f["kind"], f["reason"]) for f in progress["failures"]}
    assert sorted(got) == sorted(expected)
    for line, reason in expected.items():
        kind, actual = got[line]
        assert actual.startswith(reason), (line, actual)
        assert kind == ("duplicate" if line == 1001 else "error"), line
    first = Article.objects.get(corpus=corpus, title="Title 1")
    assert f"as article {first.pk} (Title 1)" in got[1001][1]

    articles = Article.objects.filter(corpus=corpus)
    assert articles.count() == 4994 and job.created_articles.count() == 4994
    assert not articles.filter(title=LONG_TITLE).exists()
    assert not articles.filter(title__in=["Title 2500", "Title 3000", "Title 4000"]).exists()
    assert articles.filter(text=text_of(1)).count() == 1

    # Segmenting 4,994 articles on one worker takes minutes; that it is counted
    # over exactly this job's articles is enough here.
    segmentation = import_job_progress(job=job)["segmentation"]
    assert sum(segmentation.values()) == 4994, segmentation
    print(f"\n5,000-row CSV imported in {imported_in:.1f} s by one worker")
