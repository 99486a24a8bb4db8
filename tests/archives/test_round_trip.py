"""A corpus written to an archive and restored equals the original, field by field."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from archives.format import LEFT_OUT, MEMBERS
from archives.selectors import corpus_archive_export
from archives.services import corpus_archive_import
from articles.models import AnnotationEvent, Article, ArticleLabelCount, GoldLabel, Sentence
from articles.selectors.listing import ArticleQuery, articles_listing
from corpora.models import Corpus, Role
from suggestions.models import SuggestionSettings
from suggestions.selectors import suggestion_settings_get
from tests.archives.state import OWNED, corpus_state
from tests.articles.label_counts import assert_label_counts_right
from tests.review.conftest import assert_holders_right


def _looks_rich(state: dict[str, list[dict]]) -> None:
    """The corpus under test really has something in every table, and history of each kind."""
    assert all(state[model.__name__] for model, _ in OWNED), {k: len(v) for k, v in state.items()}
    assert {e["action"] for e in state["AnnotationEvent"]} == set(AnnotationEvent.Action.values)
    assert len(state["AnnotationEvent"]) >= 12
    assert {g["origin"] for g in state["GoldLabel"]} == set(GoldLabel.Origin.values)
    assert {m["role"] for m in state["Membership"]} == set(Role.values)
    assert state["Corpus"][0]["guidelines_version"] == 3
    assert [v["version"] for v in state["GuidelineVersion"]] == [1, 2, 3]
    assert state["GuidelineVersion"][2]["text"] == state["Corpus"][0]["guidelines"]
    assert {a["guideline_version"] for a in state["Annotation"]} == {2, 3}
    assert {a["status"] for a in state["Article"]} == {"ready", "pending"}
    assert {a["assigned_by"] is None for a in state["Assignment"]} == {True, False}
    assert any(a["finished_at"] for a in state["Assignment"])
    assert state["SuggestionSettings"] == [
        {
            "corpus": ("the corpus",),
            "show_to_annotators": False,
            "next_policy": "disagreement",
            "labels_at_last_training": 7,
        }
    ]


def test_a_restored_corpus_equals_the_original_field_by_field(
    rich_corpus, tmp_path, django_capture_on_commit_callbacks
):
    before = corpus_state(rich_corpus)
    _looks_rich(before)
    path = str(tmp_path / "op-eds.zip")

    written = corpus_archive_export(corpus=rich_corpus, path=path)
    with django_capture_on_commit_callbacks() as after_commit:
        restored = corpus_archive_import(path=path, slug="op-eds-copy")

    # Nothing waits for a worker: no task (segmentation, refresh) is queued on commit.
    assert after_commit == []

    after = corpus_state(restored.corpus)
    assert after["Corpus"][0].pop("slug") == "op-eds-copy"
    original_slug = before["Corpus"][0].pop("slug")
    for model, _ in OWNED:
        assert after[model.__name__] == before[model.__name__], model.__name__
    assert restored.counts == written.counts
    assert restored.users_created == []
    # New rows with new ids; the original is untouched.
    assert not set(
        Article.objects.filter(corpus=restored.corpus).values_list("pk", flat=True)
    ) & set(Article.objects.filter(corpus=rich_corpus).values_list("pk", flat=True))
    unchanged = corpus_state(Corpus.objects.get(pk=rich_corpus.pk))
    assert unchanged["Corpus"][0].pop("slug") == original_slug
    assert unchanged == before


def test_counts_in_the_manifest_are_the_corpus_rows_only(rich_corpus, outsider, tmp_path):
    path = tmp_path / "op-eds.zip"
    state = corpus_state(rich_corpus)

    corpus_archive_export(corpus=rich_corpus, path=str(path))

    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        users = [json.loads(line)["username"] for line in archive.read("users.jsonl").splitlines()]
    by_model = {member.model.__name__: member.name for member in MEMBERS}
    assert manifest["counts"] == {by_model[name]: len(rows) for name, rows in state.items()}
    assert manifest["format"] == "annotator-corpus-archive" and manifest["version"] == 2
    assert sorted(users) == ["anna", "ben", "olivia", "rita", "victor"]  # not the outsider


def test_a_corpus_comes_back_after_it_and_its_people_are_gone(rich_corpus, tmp_path):
    """A fresh instance: the corpus and its users deleted, users created by the restore."""
    before = corpus_state(rich_corpus)
    slug = rich_corpus.slug
    path = str(tmp_path / "op-eds.zip")
    out = io.StringIO()
    call_command("corpus_export_archive", slug, path, stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith(f"Exported corpus {slug!r} to {path}")

    # Articles first: labels are PROTECTed while annotations or gold use them.
    Article.objects.filter(corpus=rich_corpus).delete()
    Corpus.objects.filter(pk=rich_corpus.pk).delete()
    User = get_user_model()
    people = ["anna", "ben", "olivia", "rita", "victor"]
    User.objects.filter(username__in=people).delete()
    assert not Sentence.objects.filter(article__corpus__slug=slug).exists()

    out = io.StringIO()
    call_command(
        "corpus_import_archive", path, "--create-missing-users", stdout=out, stderr=io.StringIO()
    )

    restored = Corpus.objects.get(slug=slug)
    assert corpus_state(restored) == before
    created = User.objects.filter(username__in=people)
    assert created.count() == len(people)
    assert not any(user.is_active or user.has_usable_password() for user in created)
    summary = out.getvalue()
    assert f"Restored corpus {slug!r} from {path}" in summary
    assert f"{len(before['Sentence'])} sentences" in summary
    assert "created 5 inactive user(s): anna, ben, olivia, rita, victor" in summary


def test_every_model_that_belongs_to_a_corpus_is_archived_or_left_out_on_purpose():
    """A new model with a path to Corpus must be added to the archive or named in LEFT_OUT."""
    User = get_user_model()
    owned = {Corpus}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in owned:
                continue
            targets = {
                f.related_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is not User
            }
            if targets & owned:
                owned.add(model)
                grew = True

    archived = {member.model for member in MEMBERS}
    left_out = {apps.get_model(label) for label in LEFT_OUT}
    assert owned == archived | left_out
    assert not archived & left_out


def test_an_archive_written_before_suggestion_settings_travelled_restores_with_the_defaults(
    rich_corpus, tmp_path
):
    """Format version 1 had no suggestion_settings member: its corpus restores, settings default."""
    before = corpus_state(rich_corpus)
    path = tmp_path / "op-eds.zip"
    corpus_archive_export(corpus=rich_corpus, path=str(path))
    old = tmp_path / "op-eds-v1.zip"
    with zipfile.ZipFile(path) as new, zipfile.ZipFile(old, "w") as written:
        manifest = json.loads(new.read("manifest.json"))
        manifest["version"] = 1
        for key in ("counts", "fields"):
            del manifest[key]["suggestion_settings"]
        del manifest["sha256"]["suggestion_settings.jsonl"]
        for name in new.namelist():
            if name not in ("manifest.json", "suggestion_settings.jsonl"):
                written.writestr(name, new.read(name))
        written.writestr("manifest.json", json.dumps(manifest))

    restored = corpus_archive_import(path=str(old), slug="op-eds-v1")

    assert "suggestion_settings" not in restored.counts
    assert not SuggestionSettings.objects.filter(corpus=restored.corpus).exists()
    defaults = suggestion_settings_get(corpus=restored.corpus)
    assert (defaults.show_to_annotators, defaults.next_policy) == (True, "document")
    after = corpus_state(restored.corpus)
    for model, _ in OWNED:
        if model is not SuggestionSettings and model is not Corpus:
            assert after[model.__name__] == before[model.__name__], model.__name__


def _labeled_by(user, corpus: Corpus) -> list[str]:
    """Titles of the corpus's articles "labeled by me" lists for ``user``."""
    query = ArticleQuery(labeled_by_me=True)
    return list(
        Article.objects.filter(pk__in=articles_listing(corpus=corpus, user=user, query=query))
        .order_by("title")
        .values_list("title", flat=True)
    )


def test_a_restore_counts_the_list_s_derived_counts_again(rich_corpus, annotator, tmp_path):
    """The labeled counts are derived, so not archived: a restore counts them, and the
    articles' labelable and holder counts too, also from an archive written before
    articles carried them (or with wrong ones)."""
    path = tmp_path / "op-eds.zip"
    corpus_archive_export(corpus=rich_corpus, path=str(path))
    assert_label_counts_right(Article.objects.filter(corpus=rich_corpus))
    assert_holders_right(rich_corpus)
    assert _labeled_by(annotator, rich_corpus) == ["A Budget Nobody Wants"]
    older = tmp_path / "op-eds-older.zip"
    with zipfile.ZipFile(path) as new, zipfile.ZipFile(older, "w") as written:
        manifest = json.loads(new.read("manifest.json"))
        manifest["fields"]["articles"].remove("labelable_count")
        rows = [json.loads(line) for line in new.read("articles.jsonl").splitlines()]
        for row in rows:
            del row["labelable_count"]
            row["assignment_count"] = 7
        articles = "".join(json.dumps(row) + "\n" for row in rows).encode()
        manifest["sha256"]["articles.jsonl"] = hashlib.sha256(articles).hexdigest()
        for name in new.namelist():
            if name not in ("manifest.json", "articles.jsonl"):
                written.writestr(name, new.read(name))
        written.writestr("articles.jsonl", articles)
        written.writestr("manifest.json", json.dumps(manifest))

    for archive, slug in ((path, "op-eds-copy"), (older, "op-eds-older")):
        restored = corpus_archive_import(path=str(archive), slug=slug)
        assert_label_counts_right(Article.objects.filter(corpus=restored.corpus))
        assert _labeled_by(annotator, restored.corpus) == ["A Budget Nobody Wants"]
        assert_holders_right(restored.corpus)
        assert sorted(
            Article.objects.filter(corpus=restored.corpus).values_list("title", "assignment_count")
        ) == sorted(
            Article.objects.filter(corpus=rich_corpus).values_list("title", "assignment_count")
        )
        assert ArticleLabelCount.objects.filter(article__corpus=restored.corpus).count() == (
            ArticleLabelCount.objects.filter(article__corpus=rich_corpus, labeled__gt=0).count()
        )
