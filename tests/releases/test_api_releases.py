"""The releases API as a researcher and an owner use it: publish, download, verify, load,
withdraw, compare; the release stays byte-identical while labeling goes on."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from articles.models import GoldLabel, Sentence
from releases.services.build import release_build
from tests.releases.conftest import label

pytestmark = pytest.mark.django_db

BASE = "/api/corpora/{slug}/releases/"


def publish(client, corpus, version, **body):
    body = {"name": "Op-eds", "version": version, "licence": "CC-BY-4.0", **body}
    response = client.post(BASE.format(slug=corpus.slug), body, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    from releases.models import Release

    release = Release.objects.get(corpus=corpus, version=version)
    assert release_build(release_id=release.pk, chunk_size=5) == "done"
    return client.get(BASE.format(slug=corpus.slug) + f"{version}/").json()


def download(client, release: dict, folder: Path) -> dict[str, bytes]:
    out = {}
    for entry in release["files"]:
        response = client.get(entry["url"])
        assert response.status_code == 200
        data = b"".join(response.streaming_content)
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] == response["ETag"].strip('"')
        assert int(response["Content-Length"]) == entry["bytes"] == len(data)
        path = folder / entry["name"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        out[entry["name"]] = data
    return out


def load_with_hf(folder: Path, config: str) -> dict:
    """Hugging Face ``datasets`` in a separate, isolated interpreter (our app is also
    called ``datasets``): the two lines a researcher writes."""
    code = (
        "import json, sys\n"
        "from datasets import load_dataset\n"
        f"ds = load_dataset({str(folder)!r}, {config!r})\n"
        "print(json.dumps({s: [ds[s].num_rows, sorted(ds[s]['sentence_id'])] for s in ds}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", code],
        cwd=folder.parent,
        capture_output=True,
        text=True,
        timeout=300,
        env={"HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin",
             "HF_HOME": str(folder.parent / "hf-home")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_researcher_downloads_verifies_and_loads_each_release(
    labeled_corpus, client_for, owner, viewer, annotator, tmp_path
):
    owner_client = client_for(owner)
    v10 = publish(owner_client, labeled_corpus, "1.0", contents="all", test_percent=20,
                  validation_percent=20, train_percent=60)  # fmt: skip
    researcher = client_for(viewer, token=True)
    files10 = download(researcher, v10, tmp_path / "v1.0")
    manifest = json.loads(researcher_get(researcher, v10, "manifest.json"))
    assert {k: v["sha256"] for k, v in manifest["files"].items()} == {
        name: hashlib.sha256(data).hexdigest() for name, data in files10.items()
    }

    # Pyarrow: every labeled sentence once, counts as in the database.
    labeled = Sentence.objects.filter(article__corpus=labeled_corpus, annotations__isnull=False)
    tables = [pq.read_table(p) for p in sorted((tmp_path / "v1.0/data/labels").glob("*.parquet"))]
    assert sum(t.num_rows for t in tables) == labeled.distinct().count()
    gold_rows = sum(
        pq.read_table(p).num_rows for p in (tmp_path / "v1.0/data/gold").glob("*.parquet")
    )
    assert gold_rows == GoldLabel.objects.count()

    # Hugging Face datasets, from the downloaded folder.
    loaded = load_with_hf(tmp_path / "v1.0", "labels")
    assert sum(rows for rows, _ in loaded.values()) == labeled.distinct().count()
    by_split = [set(ids) for _, ids in loaded.values()]
    assert sum(len(s) for s in by_split) == len(set().union(*by_split))
    gold_loaded = load_with_hf(tmp_path / "v1.0", "gold")
    assert sum(rows for rows, _ in gold_loaded.values()) == GoldLabel.objects.count()

    # Labeling goes on; v1.0 stays byte-identical and v1.1 sees the change.
    sentence = Sentence.objects.filter(
        article__corpus=labeled_corpus, annotations__isnull=True
    ).first()
    label(annotator, sentence, "claim")
    v11 = publish(owner_client, labeled_corpus, "1.1", contents="all")
    again = download(
        researcher,
        client_for(viewer).get(BASE.format(slug=labeled_corpus.slug) + "1.0/").json(),
        tmp_path / "again",
    )
    assert again == files10
    diff = researcher.get(BASE.format(slug=labeled_corpus.slug) + "1.0/diff/1.1/").json()
    assert diff["summary"]["labels_added"] == 1 and diff["summary"]["labels_removed"] == 0
    assert diff["labels"][0]["sentence_id"] == sentence.pk
    assert v11["counts"]["rows"] == v10["counts"]["rows"] + 1


def researcher_get(client, release: dict, name: str) -> bytes:
    url = release["files"][0]["url"].rsplit("/files/", 1)[0] + f"/files/{name}"
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_downloads_answer_ranges_and_conditional_requests(labeled_corpus, client_for, owner):
    client = client_for(owner)
    release = publish(client, labeled_corpus, "1.0")
    entry = next(f for f in release["files"] if f["name"] == "README.md")
    whole = b"".join(client.get(entry["url"]).streaming_content)
    part = client.get(entry["url"], HTTP_RANGE="bytes=4-20")
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == whole[4:21]
    assert part["Content-Range"] == f"bytes 4-20/{len(whole)}"
    tail = client.get(entry["url"], HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == whole[-10:]
    assert client.get(entry["url"], HTTP_RANGE=f"bytes={len(whole)}-").status_code == 416
    etag = part["ETag"]
    assert client.get(entry["url"], HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_withdrawn_release_is_hidden_with_its_reason_and_never_changed(
    labeled_corpus, client_for, owner, viewer
):
    owner_client = client_for(owner)
    release = publish(owner_client, labeled_corpus, "1.0")
    url = release["files"][0]["url"]
    refused = owner_client.post(
        BASE.format(slug=labeled_corpus.slug) + "1.0/withdraw/", {}, format="json"
    )
    assert refused.status_code == 400 and "reason" in refused.json()["error"]["fields"]
    done = owner_client.post(
        BASE.format(slug=labeled_corpus.slug) + "1.0/withdraw/",
        {"reason": "PII found"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["withdrawn"]
    gone = client_for(viewer).get(url)
    assert gone.status_code == 410 and "PII found" in gone.json()["error"]["message"]
    assert client_for(viewer).get(BASE.format(slug=labeled_corpus.slug)).json() == []
    assert [
        r["version"] for r in owner_client.get(BASE.format(slug=labeled_corpus.slug)).json()
    ] == ["1.0"]
    again = owner_client.post(
        BASE.format(slug=labeled_corpus.slug),
        {"name": "x", "version": "1.0", "licence": "MIT"},
        format="json",
    )
    assert (
        again.status_code == 400
        and "never changed" in again.json()["error"]["fields"]["version"][0]
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"licence": "cc-by-4.0"}, "licence"),
        ({"licence": "Do what you want"}, "licence"),
        ({"version": "1 0"}, "version"),
        ({"version": "diff"}, "version"),
        ({"train_percent": 90}, "train_percent"),
        ({"article_ids": [999999]}, "article_ids"),
        ({"language": "English"}, "language"),
        ({"contents": "some"}, "contents"),
    ],
)
def test_a_bad_request_names_the_field_to_fix(labeled_corpus, client_for, owner, body, field):
    full = {"name": "Op-eds", "version": "1.0", "licence": "CC-BY-4.0", **body}
    response = client_for(owner).post(BASE.format(slug=labeled_corpus.slug), full, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    from releases.models import Release

    assert not Release.objects.exists()
