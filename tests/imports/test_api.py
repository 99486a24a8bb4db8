"""The import and member endpoints of the API, for owner, annotator and outsider."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from corpora.models import Membership, Role
from imports.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user():
    def login(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


def test_an_owner_imports_pasted_text(as_user, owner, corpus):
    response = as_user(owner).post(
        f"/api/corpora/{corpus.slug}/imports/",
        {"kind": "text", "text": "An article. It is short.", "title": "T"},
        format="json",
    )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["status"] == "queued" and body["total"] == 1
    assert response["Location"] == f"/api/imports/{body['id']}/"
    assert ImportJob.objects.get(pk=body["id"]).options == {"title": "T"}


def test_an_owner_uploads_a_jsonl_file_and_polls_it(as_user, owner, corpus):
    upload = SimpleUploadedFile("a.jsonl", b'{"text": "One."}\n{"text": "Two."}\n')
    client = as_user(owner)
    created = client.post(f"/api/corpora/{corpus.slug}/imports/", {"kind": "file", "file": upload})
    assert created.status_code == 202, created.json()
    polled = client.get(f"/api/imports/{created.json()['id']}/")
    assert polled.status_code == 200
    assert polled.json()["kind"] == "bulk" and polled.json()["status"] == "queued"
    listed = client.get(f"/api/corpora/{corpus.slug}/imports/").json()
    assert [job["id"] for job in listed] == [created.json()["id"]]


def test_bad_input_gets_a_400_saying_what_to_fix(as_user, owner, corpus):
    client = as_user(owner)
    url = f"/api/corpora/{corpus.slug}/imports/"
    bad_csv = SimpleUploadedFile("a.csv", b"body\nx\n")
    response = client.post(url, {"kind": "file", "file": bad_csv})
    assert response.status_code == 400
    assert "no 'text' column" in response.json()["error"]["fields"]["file"][0]
    response = client.post(url, {"kind": "url", "url": "ftp://x"}, format="json")
    assert response.status_code == 400 and "url" in response.json()["error"]["fields"]
    response = client.post(url, {"kind": "text", "text": ""}, format="json")
    assert response.status_code == 400 and "text" in response.json()["error"]["fields"]


def test_annotators_may_not_import_and_outsiders_see_nothing(
    as_user, owner, annotator, outsider, corpus
):
    job = as_user(owner).post(
        f"/api/corpora/{corpus.slug}/imports/", {"kind": "text", "text": "x."}, format="json"
    )
    job_id = job.json()["id"]
    for user, expected in ((annotator, 403), (outsider, 404)):
        client = as_user(user)
        response = client.post(
            f"/api/corpora/{corpus.slug}/imports/", {"kind": "text", "text": "y."}, format="json"
        )
        assert response.status_code == expected
        assert client.get(f"/api/imports/{job_id}/").status_code == expected
    assert client.get("/api/imports/999999/").status_code == 404
    assert ImportJob.objects.count() == 1


def test_owners_add_change_and_remove_members(as_user, owner, corpus, make_user):
    newcomer = make_user("nina", email="nina@example.org")
    client = as_user(owner)
    url = f"/api/corpora/{corpus.slug}/members/"
    added = client.post(url, {"user": "NINA@example.org", "role": "reviewer"}, format="json")
    assert added.status_code == 201, added.json()
    assert added.json()["username"] == "nina" and added.json()["role"] == "reviewer"
    assert added.json()["user_id"] == newcomer.pk
    # A client finds the id to change or remove in the members list.
    listed = {m["username"]: m["user_id"] for m in client.get(url).json()}
    assert listed["nina"] == newcomer.pk and listed["olivia"] == owner.pk
    changed = client.patch(f"{url}{listed['nina']}/", {"role": "viewer"}, format="json")
    assert changed.status_code == 200 and changed.json()["role"] == "viewer"
    assert client.delete(f"{url}{newcomer.pk}/").status_code == 204
    assert not Membership.objects.filter(corpus=corpus, user=newcomer).exists()


def test_the_last_owner_cannot_leave_or_be_demoted(as_user, owner, corpus):
    client = as_user(owner)
    url = f"/api/corpora/{corpus.slug}/members/{owner.pk}/"
    demoted = client.patch(url, {"role": "annotator"}, format="json")
    assert demoted.status_code == 400
    assert "last owner" in demoted.json()["error"]["message"]
    assert client.delete(url).status_code == 400
    assert Membership.objects.get(corpus=corpus, user=owner).role == Role.OWNER


def test_members_api_for_annotator_and_outsider(as_user, owner, annotator, outsider, corpus):
    url = f"/api/corpora/{corpus.slug}/members/"
    client = as_user(annotator)
    assert client.get(url).status_code == 200  # read-only for members
    assert client.post(url, {"user": "oscar"}, format="json").status_code == 403
    assert client.delete(f"{url}{owner.pk}/").status_code == 403
    outside = as_user(outsider)
    assert outside.get(url).status_code == 404
    assert outside.post(url, {"user": "oscar"}, format="json").status_code == 404


def test_adding_unknown_or_existing_people_is_refused(as_user, owner, annotator, corpus):
    client = as_user(owner)
    url = f"/api/corpora/{corpus.slug}/members/"
    unknown = client.post(url, {"user": "nobody"}, format="json")
    assert unknown.status_code == 400 and "Nobody" in unknown.json()["error"]["message"]
    again = client.post(url, {"user": "anna"}, format="json")
    assert again.status_code == 400 and "already a member" in again.json()["error"]["message"]
