"""Changing a corpus's label set without losing a label.

A label is a row that annotations and gold labels point to. Renaming or
recolouring it changes that row, so every label made with it follows. A
label that is in use is never deleted: removing it archives it (it stays on
the labels that carry it and in exports, and is no longer offered); a label
nobody used yet is deleted (docs/architecture.md, invariant 3: no label is lost).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.text import slugify

from corpora.label_rules import color_problem, shortcut_problem
from corpora.models import Corpus, Label

MAX_LABELS = 20


@dataclass
class LabelSpec:
    """One label as the corpus form describes it; ``id`` None for a new label."""

    name: str
    color: str
    shortcut: str
    description: str = ""
    takes_source: bool = False
    id: int | None = None
    remove: bool = False  # archive if in use, else delete
    archived: bool = False  # an archived label to keep archived (False restores it)
    key: str = ""  # for a new label: the key to give it (else made from the name)


@dataclass(frozen=True)
class LabelSetChange:
    created: list[str]
    deleted: list[str]
    archived: list[str]
    restored: list[str]


def _check(specs: list[LabelSpec], left_out: list[Label]) -> None:
    """Every rule a label set must keep; raises one ValidationError naming each label's field."""
    errors: dict[str, list[str]] = {}

    def add(i: int, field: str, message: str) -> None:
        errors.setdefault(f"labels[{i}].{field}", []).append(message)

    offered = [s for s in specs if not s.remove and not s.archived]
    if not offered:
        errors["labels"] = ["Keep at least one label on offer."]
    if len(specs) > MAX_LABELS:
        errors["labels"] = [f"A corpus has at most {MAX_LABELS} labels."]
    shortcuts: dict[str, int] = {label.shortcut: -1 for label in left_out if not label.archived}
    names: dict[str, int] = {label.name.lower(): -1 for label in left_out}
    for i, spec in enumerate(specs):
        spec.name = spec.name.strip()
        spec.shortcut = spec.shortcut.strip().lower()
        spec.color = spec.color.strip().lower()
        spec.description = spec.description.strip()
        if not spec.name:
            add(i, "name", "Give the label a name.")
        elif not slugify(spec.name).replace("-", "_"):
            add(i, "name", "Use at least one letter or digit in the name.")
        elif spec.name.lower() in names:
            add(i, "name", f"Two labels are called {spec.name!r}; names must differ.")
        names.setdefault(spec.name.lower(), i)
        if spec.remove or spec.archived:
            continue  # a label leaving the offer keeps its key and colour as they are
        problem = color_problem(spec.color)
        if problem:
            add(i, "color", problem)
        problem = shortcut_problem(spec.shortcut)
        if problem:
            add(i, "shortcut", problem)
        elif spec.shortcut in shortcuts:
            add(i, "shortcut", f"{spec.shortcut!r} is already the key of another label.")
        shortcuts.setdefault(spec.shortcut, i)
    if errors:
        raise ValidationError(errors)


def _new_key(name: str, taken: set[str]) -> str:
    base = slugify(name).replace("-", "_")[:36] or "label"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


@transaction.atomic
def label_set_save(*, corpus: Corpus, labels: list[LabelSpec]) -> LabelSetChange:
    """Make the corpus's label set the one described, in the order given.

    Existing labels are named by id (one of another corpus is refused); an
    existing label left out of ``labels`` is kept as it is. Raises
    ValidationError with a message per label field (``labels[i].shortcut``).
    """
    existing = {
        label.pk: label for label in Label.objects.select_for_update().filter(corpus=corpus)
    }
    for i, spec in enumerate(labels):
        if spec.id is not None and spec.id not in existing:
            raise ValidationError({f"labels[{i}].id": "This label is not in the corpus; reload."})
    named = {spec.id for spec in labels}
    _check(labels, [label for pk, label in existing.items() if pk not in named])
    taken = {label.key for label in existing.values()}
    change = LabelSetChange(created=[], deleted=[], archived=[], restored=[])
    # Shortcuts may be swapped between labels in one save: take every label
    # being saved off the offer first, so the unique key among offered labels
    # holds at every statement, then write the final values.
    kept = [spec.id for spec in labels if spec.id is not None]
    Label.objects.filter(pk__in=kept, archived=False).update(archived=True)
    order = 0
    for spec in labels:
        label = existing.get(spec.id) if spec.id is not None else None
        if spec.remove and label is None:
            continue  # a blank new row ticked for removal
        if label is None:
            key = spec.key if spec.key and spec.key not in taken else ""
            taken.add(key)
            label = Label(corpus=corpus, key=key or _new_key(spec.name, taken))
            change.created.append(spec.name)
        elif spec.remove and _deleted(label):
            change.deleted.append(label.name)
            continue
        # ``existing`` was read before the update above: the state before this save.
        was_archived = label.archived
        label.name = spec.name
        label.description = spec.description
        if spec.remove or spec.archived:
            label.archived = True
            if spec.remove:
                change.archived.append(spec.name)
        else:
            label.archived = False
            label.color, label.shortcut, label.takes_source = (
                spec.color,
                spec.shortcut,
                spec.takes_source,
            )
            if was_archived:
                change.restored.append(spec.name)
        label.order = order
        order += 1
        label.save()
    return change


def _deleted(label: Label) -> bool:
    """Delete a label nothing points to; False (nothing deleted) when one is in use.

    Annotations and gold labels protect their label (``on_delete=PROTECT``),
    so whatever refers to a label, now or in a later version, keeps it.
    """
    try:
        with transaction.atomic():
            label.delete()
    except (ProtectedError, RestrictedError):
        return False
    return True
