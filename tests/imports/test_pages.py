"""The import and members pages for owner, annotator and outsider."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from corpora.models import Membership, Role
from imports.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user():
    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


def test_the_owner_sees_the_import_page(as_user, owner, corpus):
    response = as_user(owner).get(f"/corpora/{corpus.slug}/import/")
    assert response.status_code == 200
    assert b"Upload a file" in response.content and b"Paste text" in response.content


def test_annotators_get_403_and_outsiders_404_on_import(as_user, annotator, outsider, corpus):
    url = f"/corpora/{corpus.slug}/import/"
    assert as_user(annotator).get(url).status_code == 403
    assert as_user(annotator).post(url, {"kind": "text", "text": "x"}).status_code == 403
    assert as_user(outsider).get(url).status_code == 404
    assert not ImportJob.objects.exists()


def test_an_upload_creates_a_job_and_leads_to_its_progress_page(as_user, owner, corpus):
    client = as_user(owner)
    upload = SimpleUploadedFile("rows.csv", b"text,title\nHello there.,Hi\n")
    response = client.post(f"/corpora/{corpus.slug}/import/", {"kind": "file", "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/corpora/{corpus.slug}/imports/{job.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and b'id="import-bar"' in page.content
    status = client.get(f"/corpora/{corpus.slug}/imports/{job.pk}/status.json").json()
    assert status["status"] == "queued" and status["kind"] == "bulk"


def test_a_bad_upload_shows_what_to_fix(as_user, owner, corpus):
    upload = SimpleUploadedFile("rows.csv", b"body,title\nHello.,Hi\n")
    response = as_user(owner).post(
        f"/corpora/{corpus.slug}/import/", {"kind": "file", "file": upload}
    )
    assert response.status_code == 400
    assert b"no &#x27;text&#x27; column" in response.content
    assert not ImportJob.objects.exists()


def test_pasted_text_is_kept_in_the_form_when_refused(as_user, owner, corpus):
    response = as_user(owner).post(
        f"/corpora/{corpus.slug}/import/",
        {"kind": "text", "text": "Some text.", "title": "Kept", "published_on": "soon"},
    )
    assert response.status_code == 400
    assert b"YYYY-MM-DD" in response.content and b'value="Kept"' in response.content


def test_job_pages_are_hidden_from_others(as_user, owner, annotator, outsider, corpus):
    job = ImportJob.objects.create(corpus=corpus, kind="text", payload=b"x", total=1)
    for user, expected in ((annotator, 403), (outsider, 404)):
        client = as_user(user)
        assert client.get(f"/corpora/{corpus.slug}/imports/{job.pk}/").status_code == expected
        status_url = f"/corpora/{corpus.slug}/imports/{job.pk}/status.json"
        assert client.get(status_url).status_code == expected
    # Another corpus's slug with this job's id: no such job there.
    other = Membership.objects.filter(user=outsider).get().corpus
    assert as_user(outsider).get(f"/corpora/{other.slug}/imports/{job.pk}/").status_code == 404


def test_owners_manage_members_from_the_page(as_user, owner, corpus, make_user):
    newcomer = make_user("nina", email="nina@example.org")
    client = as_user(owner)
    page = client.get(f"/corpora/{corpus.slug}/members/")
    assert page.status_code == 200 and b"Add a member" in page.content
    client.post(
        f"/corpora/{corpus.slug}/members/add/", {"user": "nina@example.org", "role": "reviewer"}
    )
    assert Membership.objects.get(corpus=corpus, user=newcomer).role == Role.REVIEWER
    client.post(f"/corpora/{corpus.slug}/members/{newcomer.pk}/role/", {"role": "viewer"})
    assert Membership.objects.get(corpus=corpus, user=newcomer).role == Role.VIEWER
    client.post(f"/corpora/{corpus.slug}/members/{newcomer.pk}/remove/")
    assert not Membership.objects.filter(corpus=corpus, user=newcomer).exists()


def test_the_last_owner_is_kept_with_a_message(as_user, owner, corpus):
    client = as_user(owner)
    response = client.post(
        f"/corpora/{corpus.slug}/members/{owner.pk}/role/", {"role": "annotator"}, follow=True
    )
    assert b"last owner" in response.content
    response = client.post(f"/corpora/{corpus.slug}/members/{owner.pk}/remove/", follow=True)
    assert b"last owner" in response.content
    assert Membership.objects.get(corpus=corpus, user=owner).role == Role.OWNER


def test_an_unknown_person_is_not_added(as_user, owner, corpus):
    response = as_user(owner).post(
        f"/corpora/{corpus.slug}/members/add/", {"user": "ghost", "role": "annotator"}, follow=True
    )
    assert b"Nobody with the user name or email" in response.content


def test_annotators_see_the_member_list_read_only(as_user, annotator, owner, corpus):
    client = as_user(annotator)
    page = client.get(f"/corpora/{corpus.slug}/members/")
    assert page.status_code == 200
    assert b"olivia" in page.content and b"Add a member" not in page.content
    response = client.post(f"/corpora/{corpus.slug}/members/{owner.pk}/remove/")
    assert response.status_code == 403
    assert Membership.objects.filter(corpus=corpus, user=owner).exists()


def test_outsiders_get_404_on_members(as_user, outsider, owner, corpus):
    client = as_user(outsider)
    assert client.get(f"/corpora/{corpus.slug}/members/").status_code == 404
    response = client.post(f"/corpora/{corpus.slug}/members/add/", {"user": "oscar"})
    assert response.status_code == 404
    assert not Membership.objects.filter(corpus=corpus, user=outsider).exists()
