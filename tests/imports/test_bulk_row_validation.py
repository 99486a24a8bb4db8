"""A bad value in one bulk row fails that row, with its line number; the rest goes on.

Before the text rule was applied to bulk rows, a NUL in one row's title reached
PostgreSQL, which stopped the whole job "on an unexpected error" with no line
number and dropped every good row after it.
"""

from __future__ import annotations

import json

import pytest

from articles.models import Article
from imports.services import import_file_create

pytestmark = pytest.mark.django_db


def jsonl(*rows) -> bytes:
    return "\n".join(json.dumps(row) for row in rows).encode()


def test_a_nul_in_one_jsonl_title_fails_that_row_only(corpus, owner, run_job):
    data = jsonl(
        {"text": "The first good article.", "title": "One"},
        {"text": "The bad article.", "title": "bad\x00title"},
        {"text": "The second good article.", "title": "Three"},
        {"text": "A control character\x07 in the text."},
        {"text": "The third good article.", "author": "x\udc00"},
        {"text": "The last good article.", "title": "Six"},
    )
    job = run_job(import_file_create(corpus=corpus, user=owner, filename="b.jsonl", data=data))

    assert (job.status, job.total, job.done, job.failed) == ("done", 6, 3, 3)
    assert job.error == ""
    failures = dict(job.failures.values_list("line", "reason"))
    assert sorted(failures) == [2, 4, 5]
    assert failures[2].startswith("title: The title holds U+0000 (NUL) at character 4;")
    assert failures[4].startswith(
        "text: The text holds U+0007 (a control character) at character 20;"
    )
    assert failures[5].startswith("author: The author holds U+DC00 (an unpaired surrogate)")
    titles = set(Article.objects.filter(corpus=corpus).values_list("title", flat=True))
    assert {"One", "Three", "Six"} <= titles


def test_a_control_character_in_a_csv_row_fails_that_row_only(corpus, owner, run_job):
    data = (
        b"text,title,outlet\n"
        b"First good article.,One,Paper\n"
        b'Second article.,Two,"The \x1b Times"\n'
        b"Third good article.,Three,Paper\n"
    )
    job = run_job(import_file_create(corpus=corpus, user=owner, filename="b.csv", data=data))

    assert (job.status, job.done, job.failed) == ("done", 2, 1)
    [(line, reason)] = job.failures.values_list("line", "reason")
    assert line == 3
    assert reason.startswith(
        "outlet: The outlet holds U+001B (a control character) at character 5;"
    )


def test_metadata_an_article_cannot_hold_fails_that_row_only(corpus, owner, run_job):
    data = jsonl(
        {"text": "A good article.", "title": "One"},
        {"text": "A long title.", "title": "t" * 501},
        {"text": "A script link.", "source_url": "javascript:alert(1)"},
        {"text": "Another good article."},
    )
    job = run_job(import_file_create(corpus=corpus, user=owner, filename="m.jsonl", data=data))

    assert (job.status, job.done, job.failed) == ("done", 2, 2)
    failures = dict(job.failures.values_list("line", "reason"))
    assert failures[2] == "title: Keep the title under 500 characters."
    assert failures[3].startswith("source_url: 'javascript:alert(1)' is not an http(s) URL.")
