"""Imports that read like the article: a headline first line becomes the title,
.docx takes its own title and real properties, Markdown becomes clean text,
HTML keeps its tables; the import form's preview shows it all before anything
is stored."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from articles.models import Article
from articles.services.segmentation import article_segment
from imports import extraction
from imports.models import ImportJob
from imports.services import import_file_create, import_text_create

pytestmark = pytest.mark.django_db

BODY = "The council met on Monday. It argued about the budget.\n\nNobody agreed on anything."
PASTED = f"Why the Budget Talks Failed\n\n{BODY}\n"


def _segmented(article: Article) -> Article:
    article_segment(article_id=article.pk, task_id="test-readable")
    article.refresh_from_db()
    return article


def test_a_pasted_headline_becomes_the_title_and_leaves_the_text(corpus, owner, run_job):
    job = run_job(import_text_create(corpus=corpus, user=owner, text=PASTED))
    article = _segmented(job.article)
    assert article.title == "Why the Budget Talks Failed"
    assert article.text == BODY + "\n"
    sentences = list(article.sentences.order_by("index"))
    assert sentences[0].text == "The council met on Monday."
    # Offsets are into the stored text: no drift after the title was taken out.
    assert all(article.text[s.start : s.end] == s.text for s in sentences)


def test_keep_first_line_leaves_the_text_whole_and_untitled(corpus, owner, run_job):
    job = run_job(import_text_create(corpus=corpus, user=owner, text=PASTED, keep_first_line=True))
    assert job.article.text == PASTED and job.article.title == ""


def test_a_typed_title_wins_and_a_different_first_line_stays(corpus, owner, run_job):
    job = run_job(import_text_create(corpus=corpus, user=owner, text=PASTED, title="Typed"))
    assert job.article.title == "Typed" and job.article.text == PASTED


def test_a_first_sentence_is_not_taken_as_a_title(corpus, owner, run_job):
    text = "The council met on Monday.\n\nIt argued about the budget.\n"
    job = run_job(import_text_create(corpus=corpus, user=owner, text=text))
    assert job.article.text == text and job.article.title == ""


def test_a_txt_file_with_a_headline_and_byline(corpus, owner, run_job):
    data = f"Why the Budget Talks Failed\nBy Jane Doe\n\n{BODY}\n".encode()
    job = run_job(import_file_create(corpus=corpus, user=owner, filename="a.txt", data=data))
    assert (job.article.title, job.article.author) == ("Why the Budget Talks Failed", "Jane Doe")
    assert job.article.text == BODY + "\n"


def _docx(*, heading: str = "", style: str = "Heading 1", **props) -> bytes:
    document = docx.Document()
    for name, value in props.items():
        setattr(document.core_properties, name, value)
    if heading:
        if style == "Title":
            document.add_heading(heading, 0)
        else:
            document.add_heading(heading, 1)
    document.add_paragraph("The council met on Monday. It argued about the budget.")
    table = document.add_table(rows=2, cols=2)
    for (row, col), value in {
        (0, 0): "Year",
        (0, 1): "Spend",
        (1, 0): "2024",
        (1, 1): "15 m",
    }.items():
        table.cell(row, col).text = value
    document.add_paragraph("Nobody agreed on anything.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_tool_defaults_are_not_taken_as_author_or_date():
    extracted = extraction.extract_docx(_docx(heading="Budget Talks"))
    # python-docx's template: author "python-docx", created 23 December 2013.
    assert extracted.author == "" and extracted.published_on is None
    for name in ("Microsoft Office User", "Unknown", "  "):
        assert extraction.extract_docx(_docx(author=name)).author == ""


def test_docx_real_properties_are_kept():
    data = _docx(
        heading="Budget Talks",
        author="Jane Doe",
        title="Why the Budget Talks Failed",
        created=dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC),
    )
    extracted = extraction.extract_docx(data)
    assert (extracted.author, extracted.published_on) == ("Jane Doe", dt.date(2026, 3, 4))
    assert extracted.title == "Why the Budget Talks Failed"


@pytest.mark.parametrize("style", ["Heading 1", "Title"])
def test_docx_title_from_its_first_heading_and_tables_as_rows(corpus, owner, run_job, style):
    data = _docx(heading="Why the Budget Talks Failed", style=style)
    job = run_job(import_file_create(corpus=corpus, user=owner, filename="a.docx", data=data))
    assert job.article.title == "Why the Budget Talks Failed"
    assert job.article.text == (
        "The council met on Monday. It argued about the budget.\n\n"
        "Year | Spend\n\n2024 | 15 m\n\nNobody agreed on anything."
    )


def test_markdown_becomes_clean_text():
    source = (
        "# The *Budget* Fight\n\n"
        "A [council](https://example.org) met on **Monday**, said `nobody` and _everyone_.\n\n"
        "- first __point__\n- second point\n\n"
        "> A quoted line.\n\n"
        "| Year | Spend |\n|---|---|\n| 2024 | 15 m |\n\n"
        "## A section\n\nMore text ![chart](c.png) here.\n"
    )
    extracted = extraction.lead_apply(extraction.extract_markdown(source.encode()))
    assert extracted.title == "The Budget Fight"
    assert extracted.text.split("\n\n") == [
        "A council met on Monday, said nobody and everyone.",
        "first point",
        "second point",
        "A quoted line.",
        "Year | Spend",
        "2024 | 15 m",
        "A section",
        "More text here.",
    ]
    assert not re.search(r"[#*_`\[\]]|\]\(", extracted.text)


def test_html_tables_stay_in_the_text_as_rows_in_document_order():
    page = (
        "<html><head><title>Budget</title></head><body><nav>Home | News</nav><article>"
        "<h1>Budget</h1><p>The council argued for a long time about the numbers in the budget "
        "and nobody agreed on anything at all that evening.</p>"
        "<table><tr><th>Year</th><th>Spend</th></tr><tr><td>2023</td><td>12 m</td></tr>"
        "<tr><td>2024</td><td>15 m</td></tr></table>"
        "<p>After the table, the mayor said the figures spoke for themselves and that the "
        "opposition should read them more carefully.</p></article></body></html>"
    )
    text = extraction.extract_html(page.encode()).text
    lines = text.split("\n")
    assert lines[lines.index("Year | Spend") : lines.index("Year | Spend") + 3] == [
        "Year | Spend",
        "2023 | 12 m",
        "2024 | 15 m",
    ]
    assert text.index("nobody agreed") < text.index("Year | Spend") < text.index("After the table")
    assert "---" not in text


# --- the preview endpoint ---------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_preview_shows_title_and_first_sentences_and_stores_nothing(owner, corpus):
    url = f"/corpora/{corpus.slug}/import/preview/"
    response = _client(owner).post(url, {"kind": "text", "text": PASTED})
    assert response.status_code == 200
    preview = response.json()
    assert preview["title"] == "Why the Budget Talks Failed"
    assert preview["taken"] == "Why the Budget Talks Failed"
    assert preview["sentences"] == [
        "The council met on Monday.",
        "It argued about the budget.",
        "Nobody agreed on anything.",
    ]
    assert preview["sentence_count"] == 3
    assert not ImportJob.objects.exists() and not Article.objects.exists()

    kept = _client(owner).post(url, {"kind": "text", "text": PASTED, "keep_first_line": "on"})
    assert kept.json()["title"] == "" and kept.json()["taken"] == ""
    assert kept.json()["sentences"][0] == "Why the Budget Talks Failed"


def test_the_preview_reads_files_as_the_import_does(owner, corpus):
    url = f"/corpora/{corpus.slug}/import/preview/"
    data = _docx(heading="Budget Talks", author="Jane Doe")
    response = _client(owner).post(
        url, {"kind": "file", "file": SimpleUploadedFile("a.docx", data)}
    )
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["author"]) == ("Budget Talks", "Jane Doe")
    batch = _client(owner).post(
        url, {"kind": "file", "file": SimpleUploadedFile("rows.csv", b"text\nHello.\n")}
    )
    assert batch.status_code == 200 and batch.json()["batch"] is True
    assert not ImportJob.objects.exists()


def test_bad_preview_input_is_a_400_naming_the_field(owner, corpus):
    url = f"/corpora/{corpus.slug}/import/preview/"
    empty = _client(owner).post(url, {"kind": "text", "text": "  "})
    assert empty.status_code == 400 and "empty" in empty.json()["errors"]["text"][0]
    wrong = _client(owner).post(url, {"kind": "file", "file": SimpleUploadedFile("a.pdf", b"%PDF")})
    assert wrong.status_code == 400 and "a.pdf" in wrong.json()["errors"]["file"][0]
    url_kind = _client(owner).post(url, {"kind": "url", "url": "https://example.org/"})
    assert url_kind.status_code == 400 and "kind" in url_kind.json()["errors"]


def test_the_preview_is_for_owners_only(annotator, outsider, corpus):
    url = f"/corpora/{corpus.slug}/import/preview/"
    assert _client(annotator).post(url, {"kind": "text", "text": PASTED}).status_code == 403
    assert _client(outsider).post(url, {"kind": "text", "text": PASTED}).status_code == 404
    assert _client(annotator).get(url).status_code == 405


# --- the job page says what happened ----------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "expected"),
    [
        ("queued", "bulk", "None so far."),
        ("running", "bulk", "None so far."),
        ("done", "bulk", "Every line was imported."),
        ("done", "text", "Nothing was left out: the article was imported."),
        ("failed", "url", "None were read: the import stopped before its lines"),
    ],
)
def test_the_job_page_says_plainly_whether_lines_were_left_out(
    owner, corpus, status, kind, expected
):
    job = ImportJob.objects.create(
        corpus=corpus, kind=kind, status=status, total=1, error="The page answered 404."
    )
    page = _client(owner).get(f"/corpora/{corpus.slug}/imports/{job.pk}/")
    content = page.content.decode()
    assert page.status_code == 200 and expected in content
    assert f'id="import-bar" max="1" value="0" data-state="{status}"' in content
    label = re.search(r'id="import-state" data-state="(\w+)">(\w+)<', content)
    assert label is not None and label.groups() == (status, status.capitalize())


def test_the_api_takes_keep_first_line_and_says_what_an_empty_failure_list_means(owner, corpus):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(owner)
    url = f"/api/corpora/{corpus.slug}/imports/"
    kept = client.post(
        url, {"kind": "text", "text": PASTED, "keep_first_line": True}, format="json"
    )
    assert kept.status_code == 202, kept.json()
    assert kept.json()["failures_note"] == "None so far."
    assert ImportJob.objects.get(pk=kept.json()["id"]).options == {"keep_first_line": True}
    default = client.post(url, {"kind": "text", "text": PASTED + " Again."}, format="json")
    assert ImportJob.objects.get(pk=default.json()["id"]).options == {}
    wrong = client.post(url, {"kind": "text", "text": PASTED, "keep_first_line": "perhaps"})
    assert wrong.status_code == 400


@pytest.mark.parametrize("unit", ["[", "<a ", "![", "*a", "_a ", "[a](b "])
def test_markdown_full_of_link_and_emphasis_openers_is_read_in_linear_time(unit):
    """Python-Markdown reads ahead from each opener: 20,000 "[" once took minutes.
    Such a paragraph is kept as typed (a code block), in time that grows with its size."""
    import time

    def cost(size: int) -> float:
        data = (unit * (size // len(unit))).encode()
        start = time.process_time()
        text = extraction.extract_markdown(data).text
        assert text.replace("\n", "").replace(" ", "") == data.decode().replace(" ", "")
        return time.process_time() - start

    small, large = min(cost(20_000) for _ in range(2)), min(cost(160_000) for _ in range(2))
    assert large < 2.0 and large <= max(small, 0.01) * 16, (small, large)
