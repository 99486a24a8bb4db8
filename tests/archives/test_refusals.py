"""Archives that cannot be restored are refused with a message naming the problem, and
nothing of them is written; one that only lacks a field with a default (written before the
field existed) is restored."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from archives.format import VERSION, ArchiveError, manifest_read
from archives.selectors import corpus_archive_export
from articles.models import Article, Sentence
from corpora.models import Corpus


@pytest.fixture
def archive(corpus, article, annotator, tmp_path) -> Path:
    """An archive of the shared corpus fixture (one segmented article, four members)."""
    path = tmp_path / "corpus.zip"
    corpus_archive_export(corpus=corpus, path=str(path))
    return path


def rewrite(
    source: Path,
    target: Path,
    *,
    manifest: Callable[[dict], None] | None = None,
    members: dict[str, bytes] | None = None,
    rehash: bool = True,
) -> Path:
    """A copy of ``source`` with members replaced and the manifest changed.

    ``rehash`` recomputes the checksums of replaced members, so the archive is
    consistent and only the change under test is wrong with it.
    """
    members = members or {}
    with zipfile.ZipFile(source) as old:
        data = json.loads(old.read("manifest.json"))
        contents = {name: old.read(name) for name in old.namelist() if name != "manifest.json"}
    contents.update(members)
    if rehash:
        for name in members:
            data["sha256"][name] = hashlib.sha256(members[name]).hexdigest()
    if manifest:
        manifest(data)
    with zipfile.ZipFile(target, "w") as new:
        for name, content in contents.items():
            new.writestr(name, content)
        new.writestr("manifest.json", json.dumps(data))
    return target


def restore(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("corpus_import_archive", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _nothing_written(corpora: int, users: int) -> None:
    assert Corpus.objects.count() == corpora
    assert get_user_model().objects.count() == users


@pytest.fixture
def counts(archive):
    return Corpus.objects.count(), get_user_model().objects.count()


def test_a_slug_that_exists_is_refused(archive, corpus, counts):
    with pytest.raises(CommandError, match=rf"slug '{corpus.slug}' exists already.*--slug"):
        restore(archive)
    _nothing_written(*counts)


def test_an_invalid_slug_is_refused(archive, counts):
    with pytest.raises(CommandError, match="'Not a slug!' is not a valid slug"):
        restore(archive, "--slug", "Not a slug!")
    _nothing_written(*counts)


def test_a_file_that_is_not_a_zip_is_refused(tmp_path, db):
    path = tmp_path / "notes.zip"
    path.write_text("just text")
    with pytest.raises(CommandError, match="is not a corpus archive \\(not a readable zip"):
        restore(path)


def test_a_missing_file_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="no such file"):
        restore(tmp_path / "absent.zip")


def test_a_zip_without_a_manifest_is_refused(tmp_path, db):
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as other:
        other.writestr("photo.jpg", b"\xff\xd8")
    with pytest.raises(CommandError, match=r"is not a corpus archive: it holds no manifest\.json"):
        restore(path)


def test_a_foreign_archive_is_refused(archive, tmp_path, counts):
    def foreign(data):
        data["format"] = "label-studio-export"

    path = rewrite(archive, tmp_path / "foreign.zip", manifest=foreign)
    with pytest.raises(CommandError, match="'label-studio-export', expected 'annotator-corpus"):
        restore(path, "--slug", "copy")
    _nothing_written(*counts)


def test_an_archive_of_a_newer_version_is_refused(archive, tmp_path, counts):
    def newer(data):
        data["version"] = VERSION + 1

    path = rewrite(archive, tmp_path / "newer.zip", manifest=newer)
    with pytest.raises(
        CommandError, match=f"newer annotator \\(archive format version {VERSION + 1}\\)"
    ):
        restore(path, "--slug", "copy")
    _nothing_written(*counts)


def test_a_changed_member_fails_its_checksum(archive, tmp_path, counts):
    with zipfile.ZipFile(archive) as old:
        sentences = old.read("sentences.jsonl")
    changed = sentences.replace(b'"index":0', b'"index":9', 1)
    assert changed != sentences
    path = rewrite(
        archive, tmp_path / "changed.zip", members={"sentences.jsonl": changed}, rehash=False
    )
    with pytest.raises(CommandError, match=r"checksum of sentences\.jsonl does not match"):
        restore(path, "--slug", "copy")
    _nothing_written(*counts)


def test_users_that_do_not_exist_are_refused_by_name(archive, annotator, reviewer, counts):
    annotator.username, reviewer.username = "anna-renamed", "rita-renamed"
    annotator.save()
    reviewer.save()
    with pytest.raises(
        CommandError, match=r"2 user\(s\) named in the archive do not exist here: anna, rita\."
    ) as refused:
        restore(archive, "--slug", "copy")
    assert "--create-missing-users" in str(refused.value)
    _nothing_written(*counts)


def test_fields_this_instance_does_not_know_are_refused(archive, tmp_path, counts):
    def extra_field(data):
        data["fields"]["articles"].append("reading_level")

    path = rewrite(archive, tmp_path / "other.zip", manifest=extra_field)
    with pytest.raises(CommandError, match="articles fields this annotator does not know"):
        restore(path, "--slug", "copy")
    _nothing_written(*counts)


def test_a_row_count_that_differs_from_the_manifest_is_refused(archive, tmp_path, counts):
    def more(data):
        data["counts"]["sentences"] += 1

    path = rewrite(archive, tmp_path / "short.zip", manifest=more)
    with pytest.raises(CommandError, match=r"sentences\.jsonl holds \d+ rows, its manifest says"):
        restore(path, "--slug", "copy")
    _nothing_written(*counts)


def test_a_failure_late_in_the_restore_leaves_nothing_half_restored(
    archive, tmp_path, annotator, counts
):
    """The last member points at a row the archive lacks: every row and user made before
    it (the corpus, its articles and sentences, the created user) is rolled back."""
    snapshot = (
        json.dumps(
            {
                "id": 1,
                "article": 999_999,
                "requested_url": "https://example.org/",
                "final_url": "https://example.org/",
                "status_code": 200,
                "content_type": "",
                "body": "",
                "fetched_at": "2026-01-01T00:00:00+00:00",
            }
        )
        + "\n"
    ).encode()

    def one_more(data):
        data["counts"]["article_snapshots"] = 1

    path = rewrite(
        archive,
        tmp_path / "dangling.zip",
        manifest=one_more,
        members={"article_snapshots.jsonl": snapshot},
    )
    annotator.username = "anna-renamed"
    annotator.save()
    articles, sentences = Article.objects.count(), Sentence.objects.count()

    with pytest.raises(CommandError, match="article 999999 is not among the archive's articles"):
        restore(path, "--slug", "copy", "--create-missing-users")

    _nothing_written(*counts)
    assert not get_user_model().objects.filter(username="anna").exists()
    assert (Article.objects.count(), Sentence.objects.count()) == (articles, sentences)


def test_the_export_refuses_an_unknown_corpus_and_an_existing_file(archive, corpus):
    with pytest.raises(CommandError, match="No corpus with the slug 'nope'"):
        call_command("corpus_export_archive", "nope", str(archive.with_name("x.zip")))
    before = archive.read_bytes()
    with pytest.raises(CommandError, match="exists; name another file or pass --overwrite"):
        call_command("corpus_export_archive", corpus.slug, str(archive))
    assert archive.read_bytes() == before


@pytest.mark.parametrize(
    ("member", "field", "value", "message"),
    [
        ("sentences", "start", {"not": "a number"}, "value must be an integer"),
        ("articles", "created_at", 12, "12 is not a valid value"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_naming_the_line_and_field(
    archive, tmp_path, counts, member, field, value, message
):
    filename = f"{member}.jsonl"
    with zipfile.ZipFile(archive) as old:
        lines = old.read(filename).splitlines(keepends=True)
    row = json.loads(lines[0])
    row[field] = value
    lines[0] = (json.dumps(row) + "\n").encode()
    path = rewrite(archive, tmp_path / "typed.zip", members={filename: b"".join(lines)})
    with pytest.raises(CommandError, match=rf"{filename} line 1: {field}: .*{message}"):
        restore(path, "--slug", "copy")
    _nothing_written(*counts)


def test_an_archive_without_a_field_that_has_a_default_restores_with_the_default(
    archive, tmp_path, corpus
):
    """An archive written before a field was added (say ``attempts``) still restores."""
    with zipfile.ZipFile(archive) as old:
        labels = [json.loads(line) for line in old.read("labels.jsonl").splitlines()]
        members = [json.loads(line) for line in old.read("memberships.jsonl").splitlines()]
    assert any(label["takes_source"] for label in labels)
    for label in labels:
        del label["takes_source"]
    for member in members:
        del member["created_at"]

    def older(data):
        data["fields"]["labels"].remove("takes_source")
        data["fields"]["memberships"].remove("created_at")

    def jsonl(rows):
        return b"".join((json.dumps(row) + "\n").encode() for row in rows)

    path = rewrite(
        archive,
        tmp_path / "older.zip",
        manifest=older,
        members={"labels.jsonl": jsonl(labels), "memberships.jsonl": jsonl(members)},
    )
    restore(path, "--slug", "older")

    restored = Corpus.objects.get(slug="older")
    assert not restored.labels.filter(takes_source=True).exists()
    assert restored.labels.count() == len(labels)
    newest = corpus.memberships.order_by("-created_at").first().created_at
    assert all(m.created_at > newest for m in restored.memberships.all())


def test_a_manifest_that_would_inflate_without_end_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b" " * (20 * 1024 * 1024))  # 20 MB of spaces, ~20 kB
    assert path.stat().st_size < 100_000
    with zipfile.ZipFile(path) as archive, pytest.raises(ArchiveError, match="over 16 MB"):
        manifest_read(archive, name="bomb.zip")


def test_a_member_compressed_with_another_method_is_refused(tmp_path):
    path = tmp_path / "bz2.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("manifest.json", b"{}")
    with zipfile.ZipFile(path) as archive, pytest.raises(ArchiveError, match="method 12"):
        manifest_read(archive, name="bz2.zip")
