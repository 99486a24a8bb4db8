"""manage.py import_articles: files and URLs, a progress bar, failures by line."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article
from imports.models import ImportJob

pytestmark = pytest.mark.django_db


def _write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r) if isinstance(r, dict) else r for r in rows))
    return path


def test_inline_import_prints_a_bar_and_the_failed_lines(corpus, owner, tmp_path):
    data = _write_jsonl(tmp_path / "a.jsonl", [{"text": "One. Two."}, "{oops", {"text": "Three."}])
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="had failures"):
        call_command(
            "import_articles",
            corpus.slug,
            str(data),
            "--inline",
            "--user",
            "olivia",
            stdout=out,
            stderr=err,
        )
    output = out.getvalue()
    assert "[##############################] 3/3 imported 2 · failed 1" in output
    assert "line 2: Not valid JSON" in output
    assert Article.objects.filter(corpus=corpus).count() == 2
    assert ImportJob.objects.get().created_by == owner


def test_a_clean_import_succeeds(corpus, tmp_path):
    doc = tmp_path / "op-ed.md"
    doc.write_text("# Title here\n\nBody. More body.\n")
    out = io.StringIO()
    call_command("import_articles", corpus.slug, str(doc), "--inline", stdout=out)
    assert "Imported 1 of 1." in out.getvalue()
    assert Article.objects.get(corpus=corpus).title == "Title here"


def test_bad_arguments_say_what_to_fix(corpus, tmp_path):
    with pytest.raises(CommandError, match="No corpus"):
        call_command("import_articles", "nope", "x.jsonl")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_articles", corpus.slug, str(tmp_path / "missing.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("body\nx\n")
    with pytest.raises(CommandError, match="no 'text' column"):
        call_command("import_articles", corpus.slug, str(bad))
    with pytest.raises(CommandError, match="Name at least one"):
        call_command("import_articles", corpus.slug)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_the_command_follows_a_worker_until_done(corpus, tmp_path, celery_worker):
    rows = [{"text": f"Article {i}. It is here."} for i in range(50)]
    data = _write_jsonl(tmp_path / "b.jsonl", rows)
    out = io.StringIO()
    call_command("import_articles", corpus.slug, str(data), "--interval", "0.1", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-2].startswith("b.jsonl: [##############################] 50/50 imported 50")
    assert "Imported 50 of 50." in lines[-1]
    assert Article.objects.filter(corpus=corpus).count() == 50
