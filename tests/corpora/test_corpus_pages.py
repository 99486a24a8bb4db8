"""Creating a corpus from the app and editing it on its settings page."""

from __future__ import annotations

import re

import pytest

from articles.models import Annotation
from articles.services.annotations import annotation_set
from corpora.models import Corpus, GuidelineVersion, Label, Membership, Role
from corpora.services.corpora import corpus_create

pytestmark = pytest.mark.django_db


def _labels_post(labels: list[dict], extra: int = 0) -> dict:
    data = {
        "labels-TOTAL_FORMS": str(len(labels) + extra),
        "labels-INITIAL_FORMS": "0",
        "labels-MIN_NUM_FORMS": "0",
        "labels-MAX_NUM_FORMS": "20",
    }
    for i, label in enumerate(labels):
        for name, value in label.items():
            if value is True:
                data[f"labels-{i}-{name}"] = "on"
            elif value not in (False, None):
                data[f"labels-{i}-{name}"] = str(value)
    return data


def _form(name="Court op-eds", slug="", labels=None, **fields) -> dict:
    labels = labels or [
        {"name": "Claim", "color": "#b45309", "shortcut": "1"},
        {"name": "Hedge", "color": "#1d4ed8", "shortcut": "h", "description": "A guess."},
    ]
    data = {
        "name": name,
        "slug": slug,
        "description": "Court commentary",
        "guidelines": "# Rules\n\nLabel every sentence.",
        "overlap": "2",
    }
    data.update(fields)
    data.update(_labels_post(labels))
    return data


def _settings_form(corpus: Corpus, labels: list[dict], **fields) -> dict:
    data = {
        "name": corpus.name,
        "slug": corpus.slug,
        "description": corpus.description,
        "guidelines": corpus.guidelines,
        "overlap": str(corpus.overlap),
    }
    data.update(fields)
    data.update(_labels_post(labels))
    return data


def _current(corpus: Corpus) -> list[dict]:
    return [
        {
            "id": label.pk,
            "name": label.name,
            "color": label.color,
            "shortcut": label.shortcut,
            "description": label.description,
            "takes_source": label.takes_source,
            "archived": label.archived,
        }
        for label in corpus.labels.all()
    ]


def test_any_signed_in_user_creates_a_corpus_and_owns_it(client, outsider):
    client.force_login(outsider)
    page = client.get("/corpora/new/")
    assert page.status_code == 200 and b"New corpus" in page.content
    response = client.post("/corpora/new/", _form(slug="court"))
    assert response.status_code == 302, response.content.decode()[:2000]
    corpus = Corpus.objects.get(slug="court")
    assert response["Location"] == "/corpora/court/"
    assert Membership.objects.get(corpus=corpus, user=outsider).role == Role.OWNER
    assert corpus.overlap == 2 and corpus.description == "Court commentary"
    assert [(label.key, label.name, label.shortcut) for label in corpus.labels.all()] == [
        ("claim", "Claim", "1"),
        ("hedge", "Hedge", "h"),
    ]
    assert GuidelineVersion.objects.get(corpus=corpus, version=1).text.startswith("# Rules")
    assert client.get("/corpora/court/").status_code == 200  # no more bare Not Found


def test_the_new_corpus_form_offers_the_default_label_set(client, outsider):
    client.force_login(outsider)
    content = client.get("/corpora/new/").content.decode()
    for name in ("Claim", "Speculation", "Sourced fact"):
        assert f'value="{name}"' in content


def test_home_links_to_the_form(client, outsider, settings):
    client.force_login(outsider)
    assert b'href="/corpora/new/"' in client.get("/").content
    settings.CORPUS_CREATE_STAFF_ONLY = True
    assert b'href="/corpora/new/"' not in client.get("/").content


def test_staff_only_setting_refuses_others_with_403(client, outsider, settings):
    settings.CORPUS_CREATE_STAFF_ONLY = True
    client.force_login(outsider)
    assert client.get("/corpora/new/").status_code == 403
    assert client.post("/corpora/new/", _form(slug="x")).status_code == 403
    assert not Corpus.objects.filter(slug="x").exists()
    outsider.is_staff = True
    outsider.save()
    assert client.post("/corpora/new/", _form(slug="x")).status_code == 302


def test_a_reserved_shortcut_and_a_pale_colour_are_refused_and_nothing_is_made(client, outsider):
    client.force_login(outsider)
    labels = [
        {"name": "Claim", "color": "#b45309", "shortcut": "j"},
        {"name": "Pale", "color": "#fde68a", "shortcut": "p"},
    ]
    response = client.post("/corpora/new/", _form(slug="bad", labels=labels))
    assert response.status_code == 400
    content = response.content.decode()
    assert "The labeling screen already uses &#x27;j&#x27;" in content
    assert re.search(r"#fde68a behind white text has a contrast of 1\.\d:1", content)
    assert "Nothing was saved" in content
    assert 'value="Court op-eds"' in content  # what was typed is kept
    assert not Corpus.objects.filter(slug="bad").exists()


def test_two_labels_with_one_key_are_refused(client, outsider):
    client.force_login(outsider)
    labels = [
        {"name": "A", "color": "#b45309", "shortcut": "1"},
        {"name": "B", "color": "#1d4ed8", "shortcut": "1"},
    ]
    response = client.post("/corpora/new/", _form(slug="dup", labels=labels))
    assert response.status_code == 400
    assert "already the key of another label" in response.content.decode()


def test_a_taken_or_reserved_slug_is_refused(client, outsider, corpus):
    client.force_login(outsider)
    taken = client.post("/corpora/new/", _form(slug=corpus.slug))
    assert taken.status_code == 400 and "is taken" in taken.content.decode()
    reserved = client.post("/corpora/new/", _form(slug="new"))
    assert reserved.status_code == 400 and "reserved" in reserved.content.decode()


def test_preview_renders_the_guidelines_safely_and_saves_nothing(client, outsider):
    client.force_login(outsider)
    data = _form(slug="prev", guidelines="## Be fair\n\n<script>alert(1)</script>*yes*")
    data["preview"] = "1"
    response = client.post("/corpora/new/", data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h4>Be fair</h4>" in content and "<em>yes</em>" in content
    assert "<script>alert(1)</script>" not in content
    assert not Corpus.objects.filter(slug="prev").exists()


def test_settings_page_is_for_owners(client, corpus, annotator, outsider, owner):
    client.force_login(outsider)
    assert client.get(f"/corpora/{corpus.slug}/settings/").status_code == 404
    client.force_login(annotator)
    assert client.get(f"/corpora/{corpus.slug}/settings/").status_code == 403
    assert client.post(f"/corpora/{corpus.slug}/settings/", {}).status_code == 403
    client.force_login(owner)
    assert client.get(f"/corpora/{corpus.slug}/settings/").status_code == 200
    assert b"/settings/" in client.get(f"/corpora/{corpus.slug}/").content


def test_renaming_a_label_keeps_its_row_and_every_label_made_with_it(
    client, corpus, owner, annotator, article
):
    sentence = article.sentences.filter(kind="sentence").first()
    claim = corpus.labels.get(key="claim")
    annotation_set(sentence=sentence, annotator=annotator, label=claim)
    labels = _current(corpus)
    labels[0]["name"] = "Assertion"
    labels[0]["color"] = "#9a3412"
    client.force_login(owner)
    response = client.post(f"/corpora/{corpus.slug}/settings/", _settings_form(corpus, labels))
    assert response.status_code == 302, response.content.decode()[:3000]
    claim.refresh_from_db()
    assert (claim.name, claim.key, claim.color) == ("Assertion", "claim", "#9a3412")
    assert Annotation.objects.get(sentence=sentence).label_id == claim.pk


def test_removing_a_label_in_use_archives_it_and_an_unused_one_is_deleted(
    client, corpus, owner, annotator, article
):
    sentence = article.sentences.filter(kind="sentence").first()
    claim = corpus.labels.get(key="claim")
    annotation_set(sentence=sentence, annotator=annotator, label=claim)
    labels = _current(corpus)
    labels[0]["remove"] = True  # claim, in use
    labels[1]["remove"] = True  # speculation, unused
    client.force_login(owner)
    response = client.post(f"/corpora/{corpus.slug}/settings/", _settings_form(corpus, labels))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.archived
    assert not corpus.labels.filter(key="speculation").exists()
    assert Annotation.objects.get(sentence=sentence).label_id == claim.pk
    shown = client.get(response["Location"]).content.decode()
    assert "archived Claim (in use" in shown and "removed Speculation" in shown


def test_an_archived_label_is_not_offered_and_a_new_label_with_it_is_refused(
    client, client_for, corpus, owner, annotator, reviewer, article
):
    first, sentence = article.sentences.filter(kind="sentence").order_by("index")[:2]
    annotation_set(sentence=first, annotator=reviewer, label=corpus.labels.get(key="claim"))
    labels = _current(corpus)
    labels[0]["remove"] = True
    client.force_login(owner)
    client.post(f"/corpora/{corpus.slug}/settings/", _settings_form(corpus, labels))
    response = client_for(annotator, token=True).put(
        f"/api/sentences/{sentence.pk}/annotation/", {"label": "claim", "version": 0}, format="json"
    )
    assert response.status_code == 400
    assert "archived" in response.json()["error"]["fields"]["label"][0]
    client.force_login(annotator)
    page = client.get(f"/articles/{article.pk}/label/").content.decode()
    assert 'data-label-key="speculation"' in page and 'data-label-key="claim"' not in page


def test_a_label_can_be_offered_again_and_keys_can_be_swapped(client, corpus, owner):
    labels = _current(corpus)
    labels[0]["remove"] = True
    client.force_login(owner)
    client.post(f"/corpora/{corpus.slug}/settings/", _settings_form(corpus, labels))
    # claim was unused: deleted. Swap the keys of the other two in one save.
    labels = _current(corpus)
    labels[0]["shortcut"], labels[1]["shortcut"] = labels[1]["shortcut"], labels[0]["shortcut"]
    response = client.post(f"/corpora/{corpus.slug}/settings/", _settings_form(corpus, labels))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert dict(corpus.labels.values_list("key", "shortcut")) == {
        "speculation": "3",
        "sourced_fact": "2",
    }


def test_keeping_no_label_on_offer_is_refused(client, corpus, owner):
    labels = _current(corpus)
    for label in labels:
        label["remove"] = True
    client.force_login(owner)
    response = client.post(f"/corpora/{corpus.slug}/settings/", _settings_form(corpus, labels))
    assert response.status_code == 400
    assert "Keep at least one label on offer" in response.content.decode()
    assert corpus.labels.count() == 3


def test_changing_the_guidelines_makes_a_new_version(client, corpus, owner):
    client.force_login(owner)
    data = _settings_form(corpus, _current(corpus), guidelines="New rules", overlap="3")
    response = client.post(f"/corpora/{corpus.slug}/settings/", data)
    assert response.status_code == 302
    corpus.refresh_from_db()
    assert corpus.guidelines_version == 2 and corpus.overlap == 3
    assert GuidelineVersion.objects.get(corpus=corpus, version=2).text == "New rules"
    assert "now version 2" in client.get(response["Location"]).content.decode()


def test_a_label_of_another_corpus_cannot_be_edited_through_this_one(client, corpus, owner):
    other = corpus_create(name="Other", owner=owner)
    foreign = other.labels.first()
    labels = _current(corpus)
    labels[0]["id"] = foreign.pk
    client.force_login(owner)
    response = client.post(f"/corpora/{corpus.slug}/settings/", _settings_form(corpus, labels))
    assert response.status_code == 400
    assert Label.objects.get(pk=foreign.pk).name == foreign.name


def test_owners_let_annotators_edit_segmentation_on_the_settings_page(
    client, corpus, owner, annotator, article
):
    """The form's checkbox sets what PATCH /api/corpora/{slug}/settings/ sets, and the
    annotator's right to change boundaries follows it."""
    client.force_login(owner)
    page = client.get(f"/corpora/{corpus.slug}/settings/").content.decode()
    assert 'name="annotators_edit_segmentation"' in page
    assert not corpus.annotators_edit_segmentation
    on = _settings_form(corpus, _current(corpus), annotators_edit_segmentation="on")
    response = client.post(f"/corpora/{corpus.slug}/settings/", on, follow=True)
    assert "Annotators may now split and merge sentences" in response.content.decode()
    corpus.refresh_from_db()
    assert corpus.annotators_edit_segmentation
    checkbox = re.search(
        r'<input[^>]*name="annotators_edit_segmentation"[^>]*>', response.content.decode()
    )
    assert checkbox and "checked" in checkbox.group()
    client.force_login(annotator)
    assert b'id="boundary-button"' in client.get(f"/articles/{article.pk}/label/").content

    client.force_login(owner)
    off = _settings_form(corpus, _current(corpus))  # an unticked box is not sent
    response = client.post(f"/corpora/{corpus.slug}/settings/", off, follow=True)
    assert "Only owners and reviewers may change sentence boundaries" in response.content.decode()
    corpus.refresh_from_db()
    assert not corpus.annotators_edit_segmentation
    client.force_login(annotator)
    assert b'id="boundary-button"' not in client.get(f"/articles/{article.pk}/label/").content


def test_a_refused_settings_form_leaves_segmentation_editing_as_it_was(client, corpus, owner):
    client.force_login(owner)
    refused = _settings_form(corpus, _current(corpus), name="", annotators_edit_segmentation="on")
    assert client.post(f"/corpora/{corpus.slug}/settings/", refused).status_code == 400
    corpus.refresh_from_db()
    assert not corpus.annotators_edit_segmentation


def test_a_new_corpus_can_let_annotators_edit_segmentation(client, outsider):
    client.force_login(outsider)
    response = client.post("/corpora/new/", _form(slug="seg", annotators_edit_segmentation="on"))
    assert response.status_code == 302
    assert Corpus.objects.get(slug="seg").annotators_edit_segmentation
    response = client.post("/corpora/new/", _form(name="Other", slug="noseg"))
    assert not Corpus.objects.get(slug="noseg").annotators_edit_segmentation
