"""The corpus form (settings, guidelines, label set), shared by the new-corpus and settings pages.

Forms check shapes and lengths; the rules (reserved keys, colour contrast,
labels in use) are the services' (``corpora.services.labels``), whose
messages are put back on the fields they name.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from annotator.validation import CheckedForm
from corpora.label_rules import MIN_CONTRAST, reserved_shortcuts_text
from corpora.models import Corpus, Label
from corpora.services.corpora import MAX_GUIDELINES_CHARS, MAX_OVERLAP, default_label_specs
from corpora.services.labels import MAX_LABELS, LabelSpec

SHORTCUT_HELP = (
    f"One letter or digit; not {reserved_shortcuts_text()} (the labeling screen uses them)."
)
COLOR_HELP = f"Shown behind white text: it needs a contrast of at least {MIN_CONTRAST}:1 (WCAG AA)."


class CorpusForm(CheckedForm):
    name = forms.CharField(max_length=200, label="Name")
    slug = forms.CharField(
        max_length=80,
        required=False,
        label="Slug",
        help_text="The corpus's name in its web addresses: letters, digits and hyphens.",
    )
    description = forms.CharField(
        max_length=5_000, required=False, label="Description", widget=forms.Textarea
    )
    guidelines = forms.CharField(
        max_length=MAX_GUIDELINES_CHARS,
        required=False,
        label="Guidelines",
        widget=forms.Textarea,
        strip=False,
        help_text="Markdown: # headings, **bold**, lists, [links](https://…), tables.",
    )
    overlap = forms.IntegerField(
        min_value=1,
        max_value=MAX_OVERLAP,
        initial=1,
        label="Annotators per article",
        error_messages={"invalid": "Give a whole number."},
    )
    auto_gold_unanimous = forms.BooleanField(
        required=False, label="Sentences on which every annotator agrees become gold"
    )
    annotators_edit_segmentation = forms.BooleanField(
        required=False,
        label="Annotators may edit segmentation",
        help_text="Let annotators split and merge sentences and mark headings in the labeling "
        "screen. Owners and reviewers always may; labels follow every change.",
    )


class LabelForm(CheckedForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=80, required=False, label="Name")
    color = forms.CharField(max_length=7, required=False, label="Colour", initial="#1d4ed8")
    shortcut = forms.CharField(max_length=1, required=False, strip=False, label="Shortcut key")
    description = forms.CharField(
        max_length=2_000, required=False, label="What it means", widget=forms.Textarea
    )
    takes_source = forms.BooleanField(required=False, label="Takes a source")
    archived = forms.BooleanField(required=False, label="Archived")
    remove = forms.BooleanField(required=False, label="Remove")

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("id") and not data.get("name") and not data.get("shortcut")

    def spec(self) -> LabelSpec:
        data = self.cleaned_data
        return LabelSpec(
            id=data.get("id"),
            name=data.get("name") or "",
            color=data.get("color") or "",
            shortcut=data.get("shortcut") or "",
            description=data.get("description") or "",
            takes_source=bool(data.get("takes_source")),
            archived=bool(data.get("archived")),
            remove=bool(data.get("remove")),
        )


LabelFormSet = forms.formset_factory(
    LabelForm, extra=2, max_num=MAX_LABELS, validate_max=True, absolute_max=MAX_LABELS + 2
)


def label_initial(labels: list[Label] | None) -> list[dict]:
    """The label rows a form starts with: the corpus's labels, or the default set."""
    if labels is None:
        return [
            {
                "name": spec.name,
                "color": spec.color,
                "shortcut": spec.shortcut,
                "description": spec.description,
                "takes_source": spec.takes_source,
            }
            for spec in default_label_specs()
        ]
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
        for label in labels
    ]


def corpus_initial(corpus: Corpus) -> dict:
    return {
        "name": corpus.name,
        "slug": corpus.slug,
        "description": corpus.description,
        "guidelines": corpus.guidelines,
        "overlap": corpus.overlap,
        "auto_gold_unanimous": corpus.auto_gold_unanimous,
        "annotators_edit_segmentation": corpus.annotators_edit_segmentation,
    }


_LABEL_FIELD = re.compile(r"^labels\[(\d+)\]\.(\w+)$")


def specs_of(formset) -> tuple[list[LabelSpec], list[int]]:
    """The filled label rows as specs, and each spec's row number in the formset."""
    specs, rows = [], []
    for n, form in enumerate(formset.forms):
        if form.is_blank():
            continue
        specs.append(form.spec())
        rows.append(n)
    return specs, rows


def put_errors(exc: ValidationError, form: CorpusForm, formset, rows: list[int]) -> None:
    """The service's messages on the fields they name (``labels[i].shortcut``, ``slug``...)."""
    for key, messages in exc.message_dict.items():
        match = _LABEL_FIELD.match(key)
        if match and int(match.group(1)) < len(rows):
            label_form = formset.forms[rows[int(match.group(1))]]
            field = match.group(2) if match.group(2) in label_form.fields else None
            for message in messages:
                label_form.add_error(field, message)
        elif key in form.fields:
            for message in messages:
                form.add_error(key, message)
        else:
            for message in messages:
                form.add_error(None, message)
