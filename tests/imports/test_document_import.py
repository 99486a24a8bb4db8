"""Pasted text and uploaded documents (.txt, .md, .html, .docx)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
import pytest
from django.core.exceptions import ValidationError

from articles.models import Article
from imports.models import ImportJob
from imports.services import import_file_create, import_text_create

from .conftest import NEWS_PAGE

pytestmark = pytest.mark.django_db


def test_pasted_text_keeps_its_metadata(corpus, owner, run_job):
    job = import_text_create(
        corpus=corpus,
        user=owner,
        text="Officials said so. It may change.\r\n",
        title="Pasted",
        author="Jane Doe",
        outlet="Ledger",
        source_url="https://ledger.example/a",
        published_on="2025-02-03",
    )
    job = run_job(job)

    assert job.status == ImportJob.Status.DONE and job.done == 1
    article = job.article
    assert article.text == "Officials said so. It may change.\n"
    assert (article.title, article.author, article.outlet) == ("Pasted", "Jane Doe", "Ledger")
    assert article.published_on == dt.date(2025, 2, 3)
    assert article.source_url == "https://ledger.example/a"


def test_empty_pasted_text_is_refused(corpus, owner):
    with pytest.raises(ValidationError) as caught:
        import_text_create(corpus=corpus, user=owner, text="  \n ")
    assert "empty" in caught.value.message_dict["text"][0]


def test_a_bad_date_is_refused_with_the_format(corpus, owner):
    with pytest.raises(ValidationError) as caught:
        import_text_create(corpus=corpus, user=owner, text="Hi.", published_on="March 3rd")
    assert "YYYY-MM-DD" in caught.value.message_dict["published_on"][0]


def test_a_pasted_duplicate_fails_with_the_existing_article(corpus, owner, run_job, article):
    job = run_job(
        import_text_create(corpus=corpus, user=owner, text=article.text, keep_first_line=True)
    )
    assert job.status == ImportJob.Status.FAILED
    assert job.duplicates == 1 and job.done == 0
    assert f"article {article.pk}" in job.error


def test_a_txt_file_is_imported_as_is(corpus, owner, run_job):
    data = "Line one. Still one.\n\nSecond paragraph – with a dash.\n".encode()
    job = run_job(import_file_create(corpus=corpus, user=owner, filename="a.TXT", data=data))
    assert job.article.text == data.decode()


def test_a_markdown_file_takes_its_heading_as_title(corpus, owner, run_job):
    data = b"# The Headline\n\nBody text here. More of it.\n"
    job = run_job(import_file_create(corpus=corpus, user=owner, filename="a.md", data=data))
    assert job.article.title == "The Headline"
    assert job.article.text == "Body text here. More of it."


def test_an_html_file_keeps_the_article_and_drops_menus_and_scripts(corpus, owner, run_job):
    job = run_job(
        import_file_create(corpus=corpus, user=owner, filename="page.html", data=NEWS_PAGE.encode())
    )
    article = job.article
    assert "new spending plan on Monday" in article.text
    assert "Critics argue" in article.text
    assert "trackingPixel" not in article.text
    assert "Politics menu" not in article.text
    assert "Subscribe now" not in article.text
    assert article.title == "The Cost of Waiting"
    assert article.author == "Jane Doe"
    assert article.outlet == "The Daily Ledger"
    assert article.published_on == dt.date(2025, 3, 4)


def test_given_metadata_overrides_what_the_file_says(corpus, owner, run_job):
    job = import_file_create(
        corpus=corpus, user=owner, filename="page.html", data=NEWS_PAGE.encode(), title="Mine"
    )
    assert run_job(job).article.title == "Mine"


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Word Title"
    document.core_properties.author = "W. Author"
    document.add_paragraph("First paragraph of the op-ed. It argues a point.")
    document.add_paragraph("")
    document.add_paragraph("Second paragraph, according to the report.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_docx_file_gives_its_paragraphs_and_properties(corpus, owner, run_job):
    job = run_job(
        import_file_create(corpus=corpus, user=owner, filename="oped.docx", data=_docx_bytes())
    )
    article = job.article
    assert article.text == (
        "First paragraph of the op-ed. It argues a point.\n\n"
        "Second paragraph, according to the report."
    )
    assert (article.title, article.author) == ("Word Title", "W. Author")


def test_a_broken_docx_is_refused_by_the_request_with_a_clear_reason(corpus, owner):
    with pytest.raises(ValidationError) as caught:
        import_file_create(corpus=corpus, user=owner, filename="x.docx", data=b"not a zip")
    assert "x.docx is not a readable .docx" in caught.value.message_dict["file"][0]
    assert not ImportJob.objects.exists()


def test_a_docx_damaged_inside_fails_in_the_worker_with_a_clear_reason(corpus, owner, run_job):
    data = bytearray(_docx_bytes())
    # Damage the compressed document.xml: its directory still reads well.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        part = archive.getinfo("word/document.xml")
    start = part.header_offset + 30 + len(part.filename.encode()) + len(part.extra)
    data[start : start + 40] = bytes(40)
    job = run_job(
        import_file_create(corpus=corpus, user=owner, filename="x.docx", data=bytes(data))
    )
    assert job.status == ImportJob.Status.FAILED
    assert "x.docx: word/document.xml" in job.error and "damaged" in job.error
    assert job.failures.get().reason == job.error
    assert not Article.objects.filter(corpus=corpus).exists()


def test_a_txt_file_that_is_not_utf8_is_refused(corpus, owner):
    with pytest.raises(ValidationError) as caught:
        import_file_create(
            corpus=corpus, user=owner, filename="a.txt", data="d\xe9j\xe0 vu".encode("cp1252")
        )
    assert "not UTF-8" in caught.value.message_dict["file"][0]


def test_an_html_page_without_text_fails_with_a_reason(corpus, owner, run_job):
    job = run_job(
        import_file_create(
            corpus=corpus, user=owner, filename="e.html", data=b"<html><body></body></html>"
        )
    )
    assert job.status == ImportJob.Status.FAILED
    assert "No article text" in job.error
