"""Building a release in-process: files, counts, splits, pseudonyms, manifest."""

from __future__ import annotations

import hashlib
import io
import json

import pyarrow.parquet as pq
import pytest

from articles.models import Annotation, GoldLabel, Sentence
from releases.models import ArticleSplit, Release
from releases.services.build import release_build
from releases.services.releases import release_create
from tests.releases.conftest import jsonl_rows, label, read_release_file

pytestmark = pytest.mark.django_db


def publish(corpus, owner, version="1.0", **options) -> Release:
    options.setdefault("contents", "all")
    release = release_create(
        corpus=corpus, user=owner, name="Op-eds", version=version, licence="CC-BY-4.0", **options
    )
    assert release_build(release_id=release.pk, chunk_size=7) == "done"
    release.refresh_from_db()
    return release


def test_a_release_holds_every_labeled_sentence_once_with_its_labels_and_gold(
    labeled_corpus, owner
):
    release = publish(labeled_corpus, owner)
    files = release.manifest["files"]
    for name, entry in files.items():
        data = read_release_file(release, name)
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert len(data) == entry["bytes"]
    labeled = Sentence.objects.filter(article__corpus=labeled_corpus, annotations__isnull=False)
    expected = labeled.distinct().count()
    rows = []
    for split in ("train", "validation", "test"):
        name = f"data/labels/{split}.parquet"
        if name in files:
            rows += pq.read_table(io.BytesIO(read_release_file(release, name))).to_pylist()
    assert len(rows) == expected == release.counts["rows"]
    assert sum(len(r["annotations"]) for r in rows) == Annotation.objects.count()
    gold = {r["sentence_id"]: r["gold_label"] for r in rows if r["gold_label"]}
    assert gold == dict(GoldLabel.objects.values_list("sentence_id", "label__key"))
    # No article in two splits, and the split is the kept one.
    kept = dict(ArticleSplit.objects.values_list("article_id", "split"))
    assert all(kept[r["article_id"]] == r["split"] for r in rows)


def test_annotators_appear_as_stable_pseudonyms_never_usernames(
    labeled_corpus, owner, annotator, reviewer
):
    first = publish(labeled_corpus, owner, "1.0")
    second = publish(labeled_corpus, owner, "1.1")
    for release in (first, second):
        blob = b"".join(read_release_file(release, n) for n in release.manifest["files"])
        for user in (annotator, reviewer):
            assert user.username.encode() not in blob
            if user.email:
                assert user.email.encode() not in blob
    names = [
        sorted(
            {
                a["annotator"]
                for r in jsonl_rows(read_release_file(rel, "data/labels/train.jsonl"))
                for a in r["annotations"]
            }
        )
        for rel in (first, second)
    ]
    assert names[0] == names[1] and all(n.startswith("annotator-") for n in names[0])


def test_the_owner_may_name_annotators_for_one_release(labeled_corpus, owner, annotator):
    release = publish(labeled_corpus, owner, show_usernames=True)
    data = read_release_file(release, "data/labels/train.jsonl")
    assert annotator.username in {
        a["annotator"] for r in jsonl_rows(data) for a in r["annotations"]
    }


def test_a_gold_release_holds_only_gold_rows(labeled_corpus, owner):
    release = publish(labeled_corpus, owner, contents="gold")
    assert set(release.counts["configs"]) == {"gold"}
    assert release.counts["rows"] == GoldLabel.objects.count()
    assert not any(name.startswith("data/labels/") for name in release.manifest["files"])
    row = jsonl_rows(read_release_file(release, "data/gold/train.jsonl"))[0]
    assert "annotations" not in row
    assert row["gold"]["decided_by"].startswith("annotator-")
    assert row["gold"]["decided_at"].endswith("Z")


def test_splits_are_kept_in_later_releases_and_new_articles_get_one(
    labeled_corpus, owner, make_article, annotator
):
    publish(labeled_corpus, owner, "1.0")
    before = dict(ArticleSplit.objects.values_list("article_id", "split"))
    article = make_article(labeled_corpus, "A new one. It says more.", title="Late")
    label(annotator, article.sentences.first(), "claim")
    publish(labeled_corpus, owner, "1.1", seed=99)
    after = dict(ArticleSplit.objects.values_list("article_id", "split"))
    assert {k: after[k] for k in before} == before
    assert article.pk in after


def test_the_csv_neutralises_formulas_and_the_readme_declares_the_configs(labeled_corpus, owner):
    release = publish(labeled_corpus, owner)
    csv_text = b"".join(
        read_release_file(release, n) for n in release.manifest["files"] if n.endswith(".csv")
    ).decode()
    assert "'=SUM(A1)" in csv_text and ",=SUM" not in csv_text
    readme = read_release_file(release, "README.md").decode()
    assert readme.startswith("---\nlicense: cc-by-4.0\n")
    assert "config_name: labels" in readme and "config_name: gold" in readme
    datasheet = read_release_file(release, "datasheet.md").decode()
    for heading in ("Motivation", "Composition", "Agreement", "Annotators", "Collection",
                    "Preprocessing", "Uses", "Distribution", "Maintenance"):  # fmt: skip
        assert f"## {heading}" in datasheet
    manifest = json.loads(read_release_file(release, "manifest.json"))
    assert manifest["files"] == release.manifest["files"]


def test_a_diff_with_a_gold_only_release_compares_gold_and_articles_only(labeled_corpus, owner):
    from releases.selectors import release_diff

    gold_only = publish(labeled_corpus, owner, "1.0", contents="gold")
    everything = publish(labeled_corpus, owner, "1.1")
    diff = release_diff(old=gold_only, new=everything)
    assert diff["labels_compared"] is False and diff["labels"] == []
    assert diff["summary"]["gold_added"] == diff["summary"]["gold_changed"] == 0
    same = release_diff(old=everything, new=everything)
    assert same["labels_compared"] is True and same["summary"]["labels_changed"] == 0
