"""The Django admin of corpora: labels and members inline, guidelines versions."""

from django.urls import reverse


def test_corpus_page_has_labels_and_members_inline(staff_client, corpus):
    response = staff_client.get(reverse("admin:corpora_corpus_change", args=[corpus.pk]))
    assert response.status_code == 200
    assert b"Sourced fact" in response.content
    assert b"anna" in response.content


def test_editing_guidelines_in_the_admin_bumps_their_version(staff_client, corpus):
    url = reverse("admin:corpora_corpus_change", args=[corpus.pk])
    page = staff_client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(guidelines="# Changed", name=corpus.name, slug=corpus.slug)
    for prefix, formset in [
        (f.formset.prefix, f.formset) for f in page.context["inline_admin_formsets"]
    ]:
        data[f"{prefix}-TOTAL_FORMS"] = formset.total_form_count()
        data[f"{prefix}-INITIAL_FORMS"] = formset.initial_form_count()
        for i, sub in enumerate(formset.forms):
            for name, field in sub.fields.items():
                value = sub.initial.get(name, field.initial)
                if value is None:
                    continue
                if hasattr(value, "pk"):
                    value = value.pk
                if isinstance(value, bool):
                    if value:
                        data[f"{prefix}-{i}-{name}"] = "on"
                    continue
                data[f"{prefix}-{i}-{name}"] = value
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    corpus.refresh_from_db()
    assert (corpus.guidelines, corpus.guidelines_version) == ("# Changed", 2)
