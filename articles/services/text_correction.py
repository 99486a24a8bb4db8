"""An owner corrects an article's text from the app: the correction, or a preview of it.

Both run ``articles.services.boundaries.article_text_correct`` (the one mapping
of labels to the new sentences, also behind ``PUT /api/articles/{id}/text/``)
and describe what it did to the labels. A preview is the same correction run
inside a savepoint that is then rolled back: what it shows is exactly what
saving would do, and nothing of it stays (no row, no history event, no queued
refresh: callbacks registered inside a rolled-back savepoint are dropped).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction

from articles.models import Article
from articles.selectors.segmentation import (
    LabelToCheck,
    article_label_count,
    text_correction_checks,
)
from articles.services.boundaries import article_text_correct
from articles.textdiff import OffsetMap, equal_blocks

# The most changed sentences a preview lists (the rest are counted).
CHANGES_SHOWN = 100


@dataclass(frozen=True)
class SentenceChange:
    before: list[str]  # the texts of the sentences replaced, in order
    after: list[str]  # the texts of the sentences that replace them


@dataclass(frozen=True)
class TextCorrection:
    """What a corrected text did (or, for a preview, would do) to the article's labels."""

    changed: bool  # False: the text was the same, nothing was (or would be) written
    labels_before: int = 0
    labels_after: int = 0
    # Labels kept but marked "needs review" for their annotator, with the text they were made on.
    labels_for_review: int = 0
    sentences_replaced: int = 0
    sentences_new: int = 0
    to_check: list[LabelToCheck] = field(default_factory=list)
    # For a preview: the sentences replaced and what replaces them, up to CHANGES_SHOWN.
    changes: list[SentenceChange] = field(default_factory=list)

    @property
    def labels_kept(self) -> int:
        """Labels that stay as they were (on their sentence, or carried without a check)."""
        return self.labels_after - self.labels_for_review

    @property
    def labels_joined(self) -> int:
        """Labels of one annotator on sentences that became one: kept in the other's history."""
        return max(0, self.labels_before - self.labels_after)


def _text(article_id: int) -> str:
    return Article.objects.filter(pk=article_id).values_list("text", flat=True).get()


class _RollBack(Exception):
    def __init__(self, result: TextCorrection) -> None:
        self.result = result


def _changes(old_text: str, new_text: str, before: list[dict], after: list[dict]):
    """The replaced sentences and those replacing them, grouped where they stand in the text.

    ``before`` offsets are in the old text and ``after`` offsets in the new one, both in
    text order; each old sentence is placed in the new text through the diff of the two
    texts, and the new sentences meeting that place are its change. One pass over each.
    """
    offsets = OffsetMap(equal_blocks(old_text, new_text), len(new_text))
    out: list[SentenceChange] = []
    j = 0
    for old in before:
        lo, hi = offsets.around(old["start"], old["end"])
        while j < len(after) and after[j]["end"] <= lo:
            out.append(SentenceChange(before=[], after=[after[j]["text"]]))
            j += 1
        replacing = []
        while j < len(after) and after[j]["start"] < hi:
            replacing.append(after[j]["text"])
            j += 1
        if not replacing and out and j > 0 and lo < after[j - 1]["end"]:
            out[-1].before.append(old["text"])  # now part of the previous change's sentence
        else:
            out.append(SentenceChange(before=[old["text"]], after=replacing))
        if len(out) > CHANGES_SHOWN:
            return out[:CHANGES_SHOWN]
    out.extend(SentenceChange(before=[], after=[a["text"]]) for a in after[j:])
    return out[:CHANGES_SHOWN]


def article_text_correction(
    *, article_id: int, text: str, based_on: str, by: User, preview: bool = False
) -> TextCorrection:
    """Correct the article's text keeping every label (``article_text_correct``), and say
    what became of the labels; with ``preview``, say it and write nothing.

    Raises what ``article_text_correct`` raises: ``ValidationError`` for a text it
    refuses, ``BoundaryConflict`` when the article is not ready or its text changed
    since ``based_on``.
    """
    try:
        with transaction.atomic():
            # Locked before counting, so the count is of the text the correction replaces.
            Article.objects.select_for_update().filter(pk=article_id).values_list("pk").first()
            labels_before = article_label_count(article_id=article_id)
            outcome = article_text_correct(
                article_id=article_id, text=text, based_on=based_on, by=by
            )
            edit = outcome.edit
            if edit is None:
                result = TextCorrection(changed=False, labels_before=labels_before)
            else:
                result = TextCorrection(
                    changed=True,
                    labels_before=labels_before,
                    labels_after=article_label_count(article_id=article_id),
                    labels_for_review=edit.labels_for_review,
                    sentences_replaced=len(edit.before),
                    sentences_new=len(edit.after),
                    to_check=text_correction_checks(
                        edit=edit,
                        # Bounded, for SQLite's limit on a statement's parameters: past it,
                        # gold labels marked for a corrected text anywhere in the article.
                        sentence_ids=outcome.changed if len(outcome.changed) <= 1000 else None,
                    ),
                    changes=_changes(edit.old_text, _text(article_id), edit.before, edit.after)
                    if preview
                    else [],
                )
            if preview:
                raise _RollBack(result)
    except _RollBack as rolled_back:
        return rolled_back.result
    return result
