"""Reads of releases: listings, one release, which articles a release may hold, splits."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from articles.models import Article
from corpora.models import Corpus
from releases.models import ArticleSplit, Release


def releases_of(*, corpus: Corpus, with_withdrawn: bool) -> QuerySet[Release]:
    """The corpus's releases, newest first; withdrawn ones only for owners."""
    releases = Release.objects.filter(corpus=corpus)
    if not with_withdrawn:
        releases = releases.filter(withdrawn_at__isnull=True)
    return releases.order_by("-created_at", "-id")


def release_get(*, corpus: Corpus, version: str) -> Release | None:
    return Release.objects.filter(corpus=corpus, version=version).first()


def release_article_filter(*, corpus: Corpus) -> Q:
    """Articles that may go in a release: ready ones; an article an owner archived never."""
    return Q(corpus=corpus, status=Article.Status.READY, archived=False)


def releasable_articles(*, corpus: Corpus, article_ids: list[int] | None) -> QuerySet[Article]:
    articles = Article.objects.filter(release_article_filter(corpus=corpus))
    if article_ids is not None:
        articles = articles.filter(pk__in=article_ids)
    return articles


def article_splits(*, corpus: Corpus) -> dict[int, str]:
    """Every article's kept split in the corpus (article id -> split)."""
    return dict(ArticleSplit.objects.filter(corpus=corpus).values_list("article_id", "split"))


def release_progress(*, release: Release) -> dict:
    """What the release page polls while the build runs."""
    finished = release.status in (Release.Status.DONE, Release.Status.FAILED)
    total = max(release.total, 0)
    processed = min(release.processed, total) if total else release.processed
    percent = (
        100
        if release.status == Release.Status.DONE
        else (int(processed * 100 / total) if total else 0)
    )
    messages = {
        Release.Status.QUEUED: "Waiting for a worker to start building the release…",
        Release.Status.RUNNING: f"Building: {processed:,} of {total:,} sentences read.",
        Release.Status.DONE: "Published. Its files are listed below and will never change.",
        Release.Status.FAILED: f"The build failed: {release.error}",
    }
    return {
        "status": release.status,
        "finished": finished,
        "processed": processed,
        "total": total,
        "percent": percent,
        "message": messages[Release.Status(release.status)],
        "error": release.error,
    }


# --- comparing two releases ---------------------------------------------------------

DIFF_SHOWN = 200


def _has_labels(release: Release) -> bool:
    return any(n.startswith("data/labels/") for n in release.manifest.get("files", {}))


def _release_labels(release: Release, config: str) -> tuple[set[int], dict, dict]:
    """(article ids, (sentence id, annotator) -> label, sentence id -> gold) of a release.

    Read from its own Parquet files (they never change), a record batch at a time.
    """
    import pyarrow.parquet as pq

    from releases.storage import release_storage

    storage = release_storage()
    articles: set[int] = set()
    labels: dict[tuple[int, str], str] = {}
    gold: dict[int, str] = {}
    files = release.manifest.get("files", {})
    for name in sorted(files):
        if not (name.startswith(f"data/{config}/") and name.endswith(".parquet")):
            continue
        columns = ["article_id", "sentence_id", "gold_label"]
        if config == "labels":
            columns.append("annotations")
        with storage.open(f"{release.storage_prefix}/{name}", "rb") as fh:
            for batch in pq.ParquetFile(fh).iter_batches(columns=columns, batch_size=10_000):
                data = batch.to_pydict()
                articles.update(data["article_id"])
                annotations = data.get("annotations")
                for i, sentence_id in enumerate(data["sentence_id"]):
                    if data["gold_label"][i] is not None:
                        gold[sentence_id] = data["gold_label"][i]
                    for ann in (annotations[i] or ()) if annotations else ():
                        labels[(sentence_id, ann["annotator"])] = ann["label"]
    return articles, labels, gold


def _changes(old: dict, new: dict) -> tuple[list, list, list]:
    added = sorted(k for k in new.keys() - old.keys())
    removed = sorted(k for k in old.keys() - new.keys())
    changed = sorted(k for k in old.keys() & new.keys() if old[k] != new[k])
    return added, removed, changed


def release_diff(*, old: Release, new: Release) -> dict:
    """What changed from ``old`` to ``new``: articles, annotator labels and gold labels."""
    # Annotator labels are compared when both releases hold them; gold always.
    config = "labels" if _has_labels(old) and _has_labels(new) else "gold"
    old_articles, old_labels, old_gold = _release_labels(old, config)
    new_articles, new_labels, new_gold = _release_labels(new, config)
    label_changes = _changes(old_labels, new_labels)
    gold_changes = _changes(old_gold, new_gold)

    def label_rows(keys, kind) -> list[dict]:
        return [
            {
                "sentence_id": k[0],
                "annotator": k[1],
                "change": kind,
                "old": old_labels.get(k),
                "new": new_labels.get(k),
            }
            for k in keys
        ]

    def gold_rows(keys, kind) -> list[dict]:
        return [
            {"sentence_id": k, "change": kind, "old": old_gold.get(k), "new": new_gold.get(k)}
            for k in keys
        ]

    kinds = ("added", "removed", "changed")
    return {
        "from": old.version,
        "to": new.version,
        "labels_compared": config == "labels",
        "articles": {
            "added": sorted(new_articles - old_articles),
            "removed": sorted(old_articles - new_articles),
        },
        "summary": {
            "articles_added": len(new_articles - old_articles),
            "articles_removed": len(old_articles - new_articles),
            **{f"labels_{k}": len(v) for k, v in zip(kinds, label_changes, strict=True)},
            **{f"gold_{k}": len(v) for k, v in zip(kinds, gold_changes, strict=True)},
        },
        "labels": [
            row
            for keys, kind in zip(label_changes, kinds, strict=True)
            for row in label_rows(keys, kind)
        ],
        "gold": [
            row
            for keys, kind in zip(gold_changes, kinds, strict=True)
            for row in gold_rows(keys, kind)
        ],
    }
