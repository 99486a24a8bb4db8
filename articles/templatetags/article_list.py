"""The corpus page's article rows, rendered in Python.

The template language costs about 0.3 ms of CPU per row of the list (some twenty
nodes, three URL reversals and a date each): 16 of the page's 20 ms of template
time for 50 rows on 100,000 articles (bench/article_list.py). This tag writes the
same markup with ``format_html`` and one URL reversal per kind of link for the
whole page, about ten times faster.

The filter form's controls are written the same way (``filter_control``): each
of Django's widget templates cost about 2 ms to render (a select includes one
template per option), 11-13 ms of the page's CPU for six controls.
"""

from __future__ import annotations

from django import forms, template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

UNTITLED = "Untitled article"
# Reversed once with this id, then the id of each row put in its place.
_PLACEHOLDER = 987654321987


def _urls_by_pk(name: str):
    url = reverse(name, kwargs={"pk": _PLACEHOLDER})
    head, tail = url.split(str(_PLACEHOLDER))
    return lambda pk: f"{head}{pk}{tail}"


def _title_cell(a, label_url, read_url, can_label: bool, can_see_all: bool) -> SafeString:
    title = a.title or UNTITLED
    if a.status != "ready":
        cell = format_html("{}", title)
    elif can_label:
        cell = format_html('<a href="{}">{}</a>', label_url(a.pk), title)
        if can_see_all:
            cell += format_html(
                ' <a class="row-action" data-role="review" href="{}" '
                'aria-label="Review labels: {}">Review labels</a>',
                read_url(a.pk),
                title,
            )
    else:
        cell = format_html('<a href="{}">{}</a>', read_url(a.pk), title)
    if a.archived:
        cell += mark_safe(' <span class="badge">archived</span>')
    return cell


def _byline(a) -> str:
    byline = a.author + (" · " if a.author and a.outlet else "") + a.outlet
    if a.published_on:
        byline += f" · {date_filter(a.published_on, 'j M Y')}"
    return byline


@register.simple_tag(takes_context=True)
def article_rows(context, articles) -> SafeString:
    """The ``<tr>`` of each article of the page (see corpus_detail.html's table head)."""
    can_label = bool(context.get("can_label"))
    can_see_all = bool(context.get("can_see_all"))
    can_manage = bool(context.get("can_manage"))
    label_url = _urls_by_pk("label_article")
    read_url = _urls_by_pk("read_article")
    edit_url = _urls_by_pk("article_edit")
    rows = []
    for a in articles:
        title = a.title or UNTITLED
        actions = (
            format_html(
                '<td data-label="Actions"><a href="{}" aria-label="Edit details: {}">Edit</a></td>',
                edit_url(a.pk),
                title,
            )
            if can_manage
            else ""
        )
        rows.append(
            format_html(
                '<tr data-article-id="{}">'
                '<td data-label="Title">{}</td>'
                '<td class="muted" data-label="Author · outlet">{}</td>'
                '<td class="status-cell" data-label="Status">'
                '<span class="status status-{}" data-role="status">{}</span> '
                '<span class="failure-reason" data-role="reason">{}</span></td>'
                '<td data-role="counts" data-label="My labels">{} / {}</td>{}</tr>',
                a.pk,
                _title_cell(a, label_url, read_url, can_label, can_see_all),
                _byline(a),
                a.status,
                a.get_status_display(),
                a.failure_reason if a.status == "failed" else "",
                a.labeled_count,
                a.sentence_count,
                actions,
            )
        )
    return format_html_join("\n", "{}", ((row,) for row in rows))


def _widget_attrs(attrs: dict) -> SafeString:
    """django/forms/widgets/attrs.html: in order; False leaves an attribute out, True
    writes its name alone."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


# The widgets whose markup filter_control writes: Django's input.html and select.html.
_PLAIN_WIDGETS = (forms.Select, forms.TextInput, forms.NumberInput, forms.CheckboxInput)


@register.simple_tag
def filter_control(field: forms.BoundField) -> SafeString:
    """The control of one of the article list's filters, as ``{{ field }}`` renders it
    (a select, an input or a checkbox: the filter form's widgets), without the
    template engine. Another kind of widget is rendered by Django."""
    widget = field.field.widget
    if type(widget) not in _PLAIN_WIDGETS:
        return field.as_widget()
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    if isinstance(widget, forms.Select):
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], _widget_attrs(option["attrs"]), option["label"])
                for _group, choices, _index in context["optgroups"]
                for option in choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            context["name"],
            _widget_attrs(context["attrs"]),
            options,
        )
    value = context["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        context["type"],
        context["name"],
        format_html(' value="{}"', value) if value is not None else "",
        _widget_attrs(context["attrs"]),
    )
