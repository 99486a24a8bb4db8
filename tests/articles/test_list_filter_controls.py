"""The article list's filter controls, written without the template engine, are
Django's own widget markup (``{{ field }}``) in every state of the form."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from articles.list_filters import ArticleListForm
from articles.templatetags.article_list import filter_control


def _same_markup(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"q": "otters", "status": "ready", "assigned_to": "none", "sort": "-title"},
        {"labeled_by_me": "yes", "agreement_below": "40", "archived": "on"},
        # Invalid values: the controls say so (aria-invalid) and keep what was typed.
        {"status": "nonsense", "agreement_below": "140", "sort": "sideways", "assigned_to": "x"},
        {"q": '"><script>alert(1)</script>', "agreement_below": "1e9"},
    ],
)
def test_each_control_is_djangos_markup(data):
    me = get_user_model().objects.create_user("me")
    form = ArticleListForm(
        data, people=[(me.pk, "Me <me>"), (99, "Zoë & co")], me=me, see_all=True, manage=True
    )
    form.is_valid()
    assert len(list(form)) >= 7
    for field in form:
        assert _same_markup(filter_control(field)) == _same_markup(str(field)), field.name
