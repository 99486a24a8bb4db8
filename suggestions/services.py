"""Writes of suggestions: settings, training a corpus's model, outside models' predictions.

Training is background work (docs/architecture.md, invariant 7): a
``SuggestionModel`` row is the record of the work (queued -> running -> done
or failed with a reason); the task is sent by name after commit, and the
reconciler sweep sends again a row left unsent or stuck. A corpus trains one
model at a time (a partial unique constraint). Training asks for the corpus's
labels again, so a re-run replaces nothing but its own row's results.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from annotator.foreground import background_yield
from annotator.queue import attempts_exhausted_reason, task_send_on_commit, task_try_send
from articles.models import Article, Sentence
from articles.selectors.history import corpus_labels_changed_since
from corpora.models import Corpus
from ops.services import unsent_work_resend
from suggestions import learning
from suggestions.cues import cue_suggest
from suggestions.models import NextPolicy, Suggestion, SuggestionModel, SuggestionSettings
from suggestions.selectors import corpus_label_count, corpus_label_keys, training_set
from suggestions.sql import suggestions_insert

log = logging.getLogger(__name__)

TRAIN_TASK = "suggestions.tasks.train_suggestion_model"
TRAINED_NAME = "corpus model"
STORE_BATCH = 2_000
MAX_PREDICTIONS = 5_000


def suggestion_settings_update(
    *, corpus: Corpus, show_to_annotators: bool | None = None, next_policy: str | None = None
) -> SuggestionSettings:
    """Change what is given; an argument left None stays as it is."""
    if next_policy is not None and next_policy not in NextPolicy.values:
        choices = ", ".join(NextPolicy.values)
        raise ValidationError({"next_policy": f"Choose one of: {choices}."})
    found, _ = SuggestionSettings.objects.get_or_create(corpus=corpus)
    fields = []
    if show_to_annotators is not None and found.show_to_annotators != show_to_annotators:
        found.show_to_annotators = show_to_annotators
        fields.append("show_to_annotators")
    if next_policy is not None and found.next_policy != next_policy:
        found.next_policy = next_policy
        fields.append("next_policy")
    if fields:
        found.save(update_fields=fields)
    return found


def _mark_unsent(model_id: int) -> None:
    SuggestionModel.objects.filter(pk=model_id).update(sent_at=None)


def training_request(*, corpus: Corpus, requested_by: str) -> tuple[SuggestionModel, bool]:
    """Queue a training of the corpus's model; the one already queued or running if any.

    Returns the model row and whether it was created now.
    """
    active = Q(status__in=[SuggestionModel.Status.QUEUED, SuggestionModel.Status.RUNNING])
    with transaction.atomic():
        SuggestionSettings.objects.get_or_create(corpus=corpus)
        # One training per corpus at a time: the settings row serialises requests.
        found = SuggestionSettings.objects.select_for_update().get(corpus=corpus)
        pending = SuggestionModel.objects.filter(
            active, corpus=corpus, kind=SuggestionModel.Kind.TRAINED
        ).first()
        if pending is not None:
            return pending, False
        versions = SuggestionModel.objects.filter(
            corpus=corpus, kind=SuggestionModel.Kind.TRAINED
        ).values_list("version", flat=True)
        number = max((int(v) for v in versions if v.isdigit()), default=0) + 1
        model = SuggestionModel.objects.create(
            corpus=corpus,
            kind=SuggestionModel.Kind.TRAINED,
            name=TRAINED_NAME,
            version=str(number),
            requested_by=requested_by,
            sent_at=timezone.now(),
        )
        found.labels_at_last_training = corpus_label_count(corpus_id=corpus.pk)
        found.save(update_fields=["labels_at_last_training"])
        task_send_on_commit(TRAIN_TASK, model.pk, on_unsent=lambda: _mark_unsent(model.pk))
    return model, True


def training_check_due(*, corpus_id: int) -> SuggestionModel | None:
    """Queue a training when the corpus gained ``SUGGESTIONS_RETRAIN_EVERY`` labels since the last.

    Called after label changes settle (the review refresh), never on the
    label write itself. No training before ``SUGGESTIONS_MIN_LABELS``.
    """
    corpus = Corpus.objects.filter(pk=corpus_id).first()
    if corpus is None:
        return None
    count = corpus_label_count(corpus_id=corpus_id)
    if count < settings.SUGGESTIONS_MIN_LABELS:
        return None
    last = (
        SuggestionSettings.objects.filter(corpus=corpus)
        .values_list("labels_at_last_training", flat=True)
        .first()
    ) or 0
    if count - last < settings.SUGGESTIONS_RETRAIN_EVERY and last:
        return None
    model, created = training_request(corpus=corpus, requested_by="labels")
    return model if created else None


def training_wait(*, model_id: int, now=None) -> float:
    """Seconds a training asked for by labels should still wait for labeling to pause; 0: train.

    Labels ask for a training as they accrue, often while people are still
    labeling; the training then waits until nobody changed a label in the corpus
    for ``SUGGESTIONS_QUIET_SECONDS``, so it never competes with their writes,
    but never longer than ``SUGGESTIONS_MAX_WAIT_SECONDS`` after it was asked
    for. A training an owner or a client asked for runs at once.
    """
    quiet = settings.SUGGESTIONS_QUIET_SECONDS
    model = (
        SuggestionModel.objects.filter(pk=model_id, status=SuggestionModel.Status.QUEUED)
        .values("requested_by", "created_at", "corpus_id")
        .first()
    )
    if quiet <= 0 or model is None or model["requested_by"] != "labels":
        return 0.0
    now = now or timezone.now()
    waited = (now - model["created_at"]).total_seconds()
    if waited >= settings.SUGGESTIONS_MAX_WAIT_SECONDS:
        return 0.0
    if corpus_labels_changed_since(
        corpus_id=model["corpus_id"], since=now - timedelta(seconds=quiet)
    ):
        return float(min(quiet, settings.SUGGESTIONS_MAX_WAIT_SECONDS - waited))
    return 0.0


def training_defer(*, model_id: int, seconds: float) -> bool:
    """Send the queued training again to run ``seconds`` from now; False if the broker is down.

    ``sent_at`` is renewed so the reconciler counts from this sending; if it
    cannot be sent the row is marked unsent and the reconciler sends it.
    """
    SuggestionModel.objects.filter(pk=model_id, status=SuggestionModel.Status.QUEUED).update(
        sent_at=timezone.now()
    )
    if task_try_send(TRAIN_TASK, model_id, countdown=seconds):
        return True
    _mark_unsent(model_id)
    return False


def _claim(model_id: int) -> SuggestionModel | None:
    """Take the queued (or a lost worker's running) training; None if it is done or gone."""
    claimed = SuggestionModel.objects.filter(
        pk=model_id,
        status__in=[SuggestionModel.Status.QUEUED, SuggestionModel.Status.RUNNING],
    ).update(
        status=SuggestionModel.Status.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    return SuggestionModel.objects.select_related("corpus").get(pk=model_id)


def model_mark_failed(*, model_id: int, reason: str) -> None:
    SuggestionModel.objects.filter(
        pk=model_id, status__in=[SuggestionModel.Status.QUEUED, SuggestionModel.Status.RUNNING]
    ).update(status=SuggestionModel.Status.FAILED, error=reason[:2000])


def model_train(*, model_id: int) -> SuggestionModel | None:
    """Train the model, score it by cross-validation, and store its suggestions.

    Ends ``done`` or ``failed`` with a reason. The suggestion of a sentence
    it learned from is its out-of-fold prediction; every other labelable
    sentence of the corpus gets the full model's.
    """
    model = _claim(model_id)
    if model is None:
        return None
    if model.attempts > settings.TASK_MAX_ATTEMPTS:
        model_mark_failed(
            model_id=model_id, reason=attempts_exhausted_reason("this training", model.attempts - 1)
        )
        return None
    corpus = model.corpus
    started = time.perf_counter()
    aside = _StepAside(settings.SUGGESTIONS_YIELD_MAX_SECONDS)
    aside()
    labels = corpus_label_keys(corpus=corpus)
    # Counted before reading the labels: a label set meanwhile counts towards the next one.
    SuggestionSettings.objects.filter(corpus=corpus).update(
        labels_at_last_training=corpus_label_count(corpus_id=corpus.pk)
    )
    data = training_set(corpus=corpus)
    present = set(data.targets)
    if len(data.targets) < settings.SUGGESTIONS_MIN_LABELS or len(present) < 2:
        model_mark_failed(
            model_id=model_id,
            reason=f"Only {len(data.targets)} labeled sentences with {len(present)} different "
            f"labels; training needs {settings.SUGGESTIONS_MIN_LABELS} and at least two labels.",
        )
        return None
    # The fits are the training's CPU: it steps aside before each, as between its
    # batches of database work (the worker's lower priority still takes a share).
    cv = learning.cross_validate(data.texts, data.targets, labels, data.article_ids, between=aside)
    keys = set(labels)
    cue_predicted = [
        (cue.label if (cue := cue_suggest(t, keys)) else labels[0]) for t in data.texts
    ]
    cue_report = learning.scores_report(data.targets, cue_predicted, labels)
    aside()
    fitted = learning.train(data.texts, data.targets, labels)
    metrics = {
        **cv.report,
        "method": f"{len(set(learning.group_folds(data.article_ids).tolist()))}-fold "
        "cross-validation by article",
        "cue": cue_report,
        "beats_cue": cv.report["macro_f1"] > cue_report["macro_f1"],
    }
    # Suggestions are stored a batch at a time, each batch its own short
    # transaction: on SQLite a write transaction holds the whole database, and
    # people's label writes must not wait for a training. Nobody reads a running
    # model's rows (readers take done models only), so the batches show only once
    # the model is done; the older version's rows go in that same transaction.
    Suggestion.objects.filter(model=model).delete()
    _store(model, data.sentence_ids, cv.predicted, cv.confidence, out_of_fold=True, aside=aside)
    _store_predictions(model, fitted, corpus, skip=set(data.sentence_ids), aside=aside)
    with transaction.atomic():
        updated = SuggestionModel.objects.filter(
            pk=model.pk, status=SuggestionModel.Status.RUNNING
        ).update(
            status=SuggestionModel.Status.DONE,
            training_size=len(data.targets),
            label_set=labels,
            metrics=metrics,
            weights=fitted.dumps(),
            trained_at=timezone.now(),
            duration_ms=int((time.perf_counter() - started) * 1000),
            error="",
        )
        if updated:
            # Older trained versions keep their record (provenance, learning curve),
            # not their suggestions.
            Suggestion.objects.filter(
                model__corpus=corpus, model__kind=SuggestionModel.Kind.TRAINED
            ).exclude(model=model).delete()
    if not updated:
        # Failed or taken over meanwhile: its partial suggestions go.
        Suggestion.objects.filter(model=model).delete()
        return None
    log.info(
        "trained %s of corpus %s on %s labels: macro-F1 %s (cue %s)",
        model.display_name,
        corpus.pk,
        len(data.targets),
        cv.report["macro_f1"],
        cue_report["macro_f1"],
    )
    model.refresh_from_db()
    return model


class _StepAside:
    """Called between a training's batches of database work: waits while an export
    streams (``annotator.foreground``), at most ``budget`` seconds over the training."""

    def __init__(self, budget: float) -> None:
        self.left = budget

    def __call__(self) -> None:
        if self.left > 0:
            self.left -= background_yield(self.left)


def _store(
    model, sentence_ids, predicted, confidence, *, out_of_fold: bool, aside: _StepAside
) -> None:
    """Store these suggestions, each batch of ``STORE_BATCH`` in a transaction of its own."""
    scores = np.clip(np.asarray(confidence, dtype=np.float64), 0.0, 1.0).tolist()
    for start in range(0, len(scores), STORE_BATCH):
        aside()
        end = start + STORE_BATCH
        suggestions_insert(
            model_id=model.pk,
            out_of_fold=out_of_fold,
            sentence_ids=sentence_ids[start:end],
            labels=predicted[start:end],
            scores=scores[start:end],
        )


def _store_predictions(
    model, fitted: learning.Model, corpus: Corpus, *, skip: set[int], aside: _StepAside
) -> None:
    """Predict and store every other labelable sentence of the corpus, a keyset batch at a time.

    Each batch is read by a query of its own (no cursor held open across the
    writes) and predicted outside any transaction.
    """
    sentences = Sentence.objects.filter(
        article__corpus=corpus,
        article__status=Article.Status.READY,
        kind=Sentence.Kind.SENTENCE,
    ).order_by("pk")
    after = 0
    while True:
        aside()
        rows = list(sentences.filter(pk__gt=after).values_list("pk", "text")[:STORE_BATCH])
        if not rows:
            return
        after = rows[-1][0]
        batch = [row for row in rows if row[0] not in skip]
        if batch:
            predicted, confidence = fitted.predict([text for _, text in batch])
            _store(
                model,
                [sid for sid, _ in batch],
                predicted,
                np.asarray(confidence),
                out_of_fold=False,
                aside=aside,
            )


def predictions_store(
    *, corpus: Corpus, name: str, version: str, items: list[dict]
) -> tuple[SuggestionModel, int]:
    """Store an outside model's predictions (sentence, label, score) as its suggestions.

    All or nothing: a sentence outside the corpus or a label not in its label
    set refuses the whole request, naming the item. A sentence predicted
    again by the same model version replaces its earlier prediction.
    """
    if len(items) > MAX_PREDICTIONS:
        raise ValidationError(
            {"predictions": f"Send at most {MAX_PREDICTIONS:,} predictions per request."}
        )
    keys = set(corpus_label_keys(corpus=corpus))
    ids = [item["sentence"] for item in items]
    known = set(
        Sentence.objects.filter(pk__in=ids, article__corpus=corpus).values_list("pk", flat=True)
    )
    seen: set[int] = set()
    for i, item in enumerate(items):
        if item["sentence"] not in known:
            raise ValidationError(
                {f"predictions[{i}].sentence": f"No sentence {item['sentence']} in this corpus."}
            )
        if item["sentence"] in seen:
            raise ValidationError(
                {f"predictions[{i}].sentence": f"Sentence {item['sentence']} appears twice."}
            )
        seen.add(item["sentence"])
        if item["label"] not in keys:
            raise ValidationError(
                {
                    f"predictions[{i}].label": f"No label {item['label']!r} in this corpus; "
                    f"use one of: {', '.join(sorted(keys))}."
                }
            )
    with transaction.atomic():
        try:
            model, _ = SuggestionModel.objects.get_or_create(
                corpus=corpus,
                kind=SuggestionModel.Kind.EXTERNAL,
                name=name,
                version=version,
                defaults={
                    "status": SuggestionModel.Status.DONE,
                    "requested_by": "api",
                    "trained_at": timezone.now(),
                },
            )
        except IntegrityError:
            model = SuggestionModel.objects.get(
                corpus=corpus, kind=SuggestionModel.Kind.EXTERNAL, name=name, version=version
            )
        Suggestion.objects.filter(model=model, sentence_id__in=ids).delete()
        Suggestion.objects.bulk_create(
            [
                Suggestion(
                    sentence_id=item["sentence"],
                    model=model,
                    label=item["label"],
                    score=item["score"],
                )
                for item in items
            ],
            batch_size=STORE_BATCH,
        )
        labels = sorted(set(model.label_set) | {item["label"] for item in items})
        SuggestionModel.objects.filter(pk=model.pk).update(
            label_set=labels, training_size=Suggestion.objects.filter(model=model).count()
        )
    model.refresh_from_db()
    return model, len(items)


def trainings_reconcile(*, now=None, queue_depth: int | None = None) -> int:
    """Reconciler sweep: send again a training whose message was lost; how many were sent.

    As ``articles.services.articles.articles_reconcile``: never sent; queued
    ``REQUEUE_QUEUED_AFTER_SECONDS`` ago while the queue is empty; running
    past ``WORK_STUCK_AFTER_SECONDS`` (its worker is gone; the claim counts
    the lost start against ``TASK_MAX_ATTEMPTS``). Each row is taken by a
    conditional UPDATE of ``sent_at``, so sweeping workers never both send it.
    """
    return unsent_work_resend(
        rows=SuggestionModel.objects.all(), task=TRAIN_TASK, now=now, queue_depth=queue_depth
    )
