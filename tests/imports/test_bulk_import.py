"""Bulk JSONL and CSV imports: rows, line numbers, duplicates, bad files."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from articles.models import Article
from imports.models import ImportFailure, ImportJob
from imports.selectors import import_job_progress
from imports.services import import_file_create

pytestmark = pytest.mark.django_db


def jsonl(*rows) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows).encode()


def test_jsonl_rows_become_articles_with_metadata(corpus, owner, run_job):
    data = jsonl(
        {
            "text": "First article. It has two sentences.",
            "title": "One",
            "author": "A. Writer",
            "outlet": "The Paper",
            "source_url": "https://example.com/1",
            "published_on": "2025-01-02",
        },
        {"text": "Second article text."},
    )
    job = import_file_create(corpus=corpus, user=owner, filename="batch.jsonl", data=data)
    assert job.kind == ImportJob.Kind.BULK and job.status == ImportJob.Status.QUEUED

    job = run_job(job)

    assert (job.status, job.total, job.done, job.failed, job.duplicates) == ("done", 2, 2, 0, 0)
    first = Article.objects.get(corpus=corpus, title="One")
    assert first.author == "A. Writer" and first.outlet == "The Paper"
    assert first.source_url == "https://example.com/1"
    assert str(first.published_on) == "2025-01-02"
    assert first.status == Article.Status.PENDING  # segmentation queued on commit


def test_failed_rows_are_reported_with_their_line_numbers(corpus, owner, run_job):
    data = jsonl(
        {"text": "A good row."},
        "{not json",
        "",
        {"text": "   "},
        ["a", "list"],
        {"text": "Dated badly.", "published_on": "yesterday"},
        {"text": "Another good row."},
    )
    job = run_job(import_file_create(corpus=corpus, user=owner, filename="b.jsonl", data=data))

    assert (job.total, job.done, job.failed) == (6, 2, 4)
    failures = list(job.failures.values_list("line", "reason"))
    assert [line for line, _ in failures] == [2, 4, 5, 6]
    reasons = dict(failures)
    assert "Not valid JSON" in reasons[2]
    assert "text is empty" in reasons[4]
    assert "JSON object" in reasons[5]
    assert "YYYY-MM-DD" in reasons[6]


def test_duplicates_are_reported_and_not_imported_twice(corpus, owner, run_job, make_article):
    make_article(corpus, "Already here. Imported last week.", segment=False)
    data = jsonl(
        {"text": "Already here. Imported last week."},
        {"text": "New text."},
        {"text": "New text."},
    )
    job = run_job(import_file_create(corpus=corpus, user=owner, filename="d.jsonl", data=data))

    assert (job.done, job.failed, job.duplicates) == (1, 0, 2)
    assert Article.objects.filter(corpus=corpus, text="New text.").count() == 1
    duplicates = job.failures.filter(kind=ImportFailure.Kind.DUPLICATE)
    assert sorted(duplicates.values_list("line", flat=True)) == [1, 3]
    assert "already in the corpus" in duplicates.get(line=1).reason


def test_csv_with_named_columns_and_unknown_columns_reported(corpus, owner, run_job):
    data = (
        b"title,text,outlet,mood\n"
        b'Quoted,"A text, with a comma.\nAnd a second line.",Paper,happy\n'
        b"Plain,Just text.,Paper,sad\n"
        b"Short,only two\n"
    )
    job = run_job(import_file_create(corpus=corpus, user=owner, filename="rows.csv", data=data))

    assert (job.total, job.done, job.failed) == (3, 2, 1)
    quoted = Article.objects.get(corpus=corpus, title="Quoted")
    assert quoted.text == "A text, with a comma.\nAnd a second line."
    failure = job.failures.get()
    assert failure.line == 5  # the quoted text spans lines 2-3; "Plain" is line 4
    assert "2 fields" in failure.reason
    assert job.notices and "mood" in job.notices[0]


def test_csv_without_a_text_column_is_refused_at_once(corpus, owner):
    with pytest.raises(ValidationError) as caught:
        import_file_create(corpus=corpus, user=owner, filename="x.csv", data=b"title,body\nA,B\n")
    message = " ".join(caught.value.message_dict["file"])
    assert "no 'text' column" in message and "title, body" in message
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("latin1.csv", "text\ncaf\xe9 au lait\n".encode("latin-1"), "not UTF-8"),
        ("bin.jsonl", b"\x00\x01\x02binary", "binary"),
        ("empty.jsonl", b"", "empty"),
        ("table.xlsx", b"PK\x03\x04", "cannot be imported"),
    ],
)
def test_bad_files_get_a_message_saying_what_to_fix(corpus, owner, filename, data, expected):
    with pytest.raises(ValidationError) as caught:
        import_file_create(corpus=corpus, user=owner, filename=filename, data=data)
    assert expected in " ".join(caught.value.message_dict["file"])


def test_oversized_files_are_refused(corpus, owner, settings):
    settings.IMPORT_MAX_BULK_BYTES = 2048
    with pytest.raises(ValidationError) as caught:
        import_file_create(
            corpus=corpus, user=owner, filename="big.jsonl", data=jsonl({"text": "x" * 4000})
        )
    assert "the limit is" in " ".join(caught.value.message_dict["file"])


def test_a_job_run_twice_imports_each_row_once(corpus, owner, run_job, settings):
    settings.IMPORT_BATCH_SIZE = 2
    data = jsonl(*({"text": f"Article number {i}."} for i in range(5)))
    job = import_file_create(corpus=corpus, user=owner, filename="r.jsonl", data=data)
    # A worker died after its first batch: the job is running with two rows done.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    job = run_job(job)
    assert job.done == 5
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    job = run_job(job)
    assert (job.done, job.duplicates) == (5, 0)
    assert Article.objects.filter(corpus=corpus).count() == 5


def test_progress_reports_counts_and_failures(corpus, owner, run_job):
    data = jsonl({"text": "Good."}, {"text": ""})
    job = run_job(import_file_create(corpus=corpus, user=owner, filename="p.jsonl", data=data))
    progress = import_job_progress(job=job)
    assert progress["finished"] is True
    assert (progress["total"], progress["done"], progress["failed"]) == (2, 1, 1)
    assert progress["percent"] == 100
    assert progress["failures"] == [
        {"line": 2, "kind": "error", "reason": progress["failures"][0]["reason"]}
    ]
    assert "1 failed" in progress["message"]


def test_segmentation_counts_only_the_jobs_own_articles_when_imports_overlap(
    corpus, owner, run_job, make_article
):
    # Two imports into one corpus and an article added by hand while they run:
    # each job's segmentation figures count the articles it created, nothing else.
    first = import_file_create(
        corpus=corpus,
        user=owner,
        filename="a.jsonl",
        data=jsonl(*({"text": f"First batch article {i}."} for i in range(3))),
    )
    second = import_file_create(
        corpus=corpus,
        user=owner,
        filename="b.jsonl",
        data=jsonl(*({"text": f"Second batch article {i}."} for i in range(5))),
    )
    first, second = run_job(first), run_job(second)
    make_article(corpus, "Typed in by hand meanwhile.")  # ready, and no job's

    assert import_job_progress(job=first)["segmentation"] == {"pending": 3}
    assert import_job_progress(job=second)["segmentation"] == {"pending": 5}
    assert set(first.created_articles.values_list("text", flat=True)) == {
        f"First batch article {i}." for i in range(3)
    }
