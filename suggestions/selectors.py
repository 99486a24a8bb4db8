"""Reads of suggestions: what the labeling screen shows, the models' records, their scores.

The labeling screen asks ``article_suggestions``: the stored suggestions of
the corpus's current model (one indexed query), or, before the corpus has a
model that beats the cue baseline on its own labels, the cue baseline's,
computed on the spot (pure Python, no query) and saying so.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef

from articles.models import Annotation, Article, GoldLabel, Sentence
from corpora.models import Corpus, Label
from corpora.permissions import Right, has_right
from suggestions.cues import cue_suggest
from suggestions.learning import scores_report
from suggestions.models import NextPolicy, Suggestion, SuggestionModel, SuggestionSettings

CUE_SOURCE = {
    "kind": "cue",
    "name": "cue baseline",
    "version": "1",
    "model": "cue baseline v1",
    "explanation": "Suggested by word cues, not a trained model: attribution (said, according "
    "to, a quotation) suggests a sourced fact; hedges, modals, conditionals and forecasts "
    "suggest speculation; anything else a claim.",
}


def suggestion_settings_get(*, corpus: Corpus) -> SuggestionSettings:
    """The corpus's settings (the defaults, unsaved, when it never changed them)."""
    found = SuggestionSettings.objects.filter(corpus=corpus).first()
    return found or SuggestionSettings(corpus=corpus)


def corpus_label_count(*, corpus_id: int) -> int:
    """How many human labels the corpus holds (what retraining counts)."""
    return Annotation.objects.filter(sentence__article__corpus_id=corpus_id).count()


def corpus_label_keys(*, corpus: Corpus) -> list[str]:
    return list(
        Label.objects.filter(corpus=corpus).order_by("order", "pk").values_list("key", flat=True)
    )


@dataclass
class TrainingSet:
    sentence_ids: list[int] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)


def training_set(*, corpus: Corpus) -> TrainingSet:
    """One target per labeled sentence: its gold label, else its annotators' majority.

    Ties between annotators go to the label first in the corpus's order. Only
    sentences (not headings) of ready articles count.
    """
    order = {key: i for i, key in enumerate(corpus_label_keys(corpus=corpus))}
    scope = {
        "sentence__article__corpus": corpus,
        "sentence__kind": Sentence.Kind.SENTENCE,
        "sentence__article__status": Article.Status.READY,
    }
    gold = dict(GoldLabel.objects.filter(**scope).values_list("sentence_id", "label__key"))
    votes: dict[int, Counter] = defaultdict(Counter)
    for sentence_id, key in Annotation.objects.filter(**scope).values_list(
        "sentence_id", "label__key"
    ):
        votes[sentence_id][key] += 1
    targets = dict(gold)
    for sentence_id, counts in votes.items():
        if sentence_id not in targets:
            targets[sentence_id] = min(counts, key=lambda k: (-counts[k], order.get(k, 99)))
    found = TrainingSet()
    rows = Sentence.objects.filter(pk__in=list(targets)).order_by("article_id", "index")
    for sentence_id, article_id, text in rows.values_list("pk", "article_id", "text").iterator(
        chunk_size=2000
    ):
        found.sentence_ids.append(sentence_id)
        found.article_ids.append(article_id)
        found.texts.append(text)
        found.targets.append(targets[sentence_id])
    return found


def current_model(*, corpus: Corpus) -> SuggestionModel | None:
    """The corpus's newest trained model, if it beats the cue baseline on the corpus's labels."""
    model = (
        SuggestionModel.objects.filter(
            corpus=corpus, kind=SuggestionModel.Kind.TRAINED, status=SuggestionModel.Status.DONE
        )
        .defer("weights")
        .order_by("-trained_at", "-pk")
        .first()
    )
    if model is None or not model.metrics.get("beats_cue"):
        return None
    return model


def model_source(model: SuggestionModel) -> dict:
    return {
        "kind": model.kind,
        "name": model.name,
        "version": model.version,
        "model": model.display_name,
        "explanation": (
            f"Suggested by {model.display_name}, trained on {model.training_size} labels of "
            f"this corpus (cross-validated macro-F1 {model.metrics.get('macro_f1', 0):.2f})."
        ),
    }


def next_policy_in_effect(*, policy: str, model: SuggestionModel | None) -> dict:
    """The policy the screen's "next" follows: ``active`` is False when it needs a trained
    model that the corpus does not have yet, and "next" follows document order meanwhile."""
    return {
        "policy": policy,
        "name": NextPolicy(policy).label,
        "active": policy == NextPolicy.DOCUMENT or model is not None,
    }


def article_suggestions(*, article: Article, role: str) -> dict:
    """The suggestion for each labelable sentence of the article, with where they come from,
    and the next-sentence policy the screen follows.

    When the corpus labels blind, nobody gets suggestions here (owners see the
    models' scores on the suggestions page); the policy still applies.
    """
    corpus = article.corpus
    found = suggestion_settings_get(corpus=corpus)
    if not found.show_to_annotators:
        model = current_model(corpus=corpus) if found.next_policy != NextPolicy.DOCUMENT else None
        return {
            "shown": False,
            "reason": "This corpus labels blind: its owners turned suggestions off.",
            "source": None,
            "results": [],
            "next_policy": next_policy_in_effect(policy=found.next_policy, model=model),
        }
    model = current_model(corpus=corpus)
    sentences = list(
        Sentence.objects.filter(article=article, kind=Sentence.Kind.SENTENCE)
        .order_by("index")
        .values_list("pk", "text")
    )
    stored: dict[int, tuple[str, float]] = {}
    if model is not None:
        stored = {
            sid: (label, score)
            for sid, label, score in Suggestion.objects.filter(
                model=model, sentence__article=article
            ).values_list("sentence_id", "label", "score")
        }
    keys = set(corpus_label_keys(corpus=corpus))
    model_name = model.display_name if model else ""
    results = []
    for sentence_id, text in sentences:
        if sentence_id in stored:
            label, score = stored[sentence_id]
            results.append(
                {
                    "sentence": sentence_id,
                    "label": label,
                    "score": round(score, 3),
                    "model": model_name,
                    "cue": "",
                }
            )
            continue
        cue = cue_suggest(text, keys)
        if cue is not None:
            results.append(
                {
                    "sentence": sentence_id,
                    "label": cue.label,
                    "score": cue.score,
                    "model": CUE_SOURCE["model"],
                    "cue": cue.cue,
                }
            )
    return {
        "shown": True,
        "reason": "",
        "source": model_source(model) if model else CUE_SOURCE,
        "results": results,
        "next_policy": next_policy_in_effect(policy=found.next_policy, model=model),
    }


def suggestion_models(*, corpus: Corpus) -> list[SuggestionModel]:
    """Every model of the corpus, newest first, without their weights."""
    return list(
        SuggestionModel.objects.filter(corpus=corpus)
        .defer("weights")
        .order_by("kind", "-created_at", "-pk")
    )


def learning_curve(*, corpus: Corpus) -> list[dict]:
    """Each trained version's cross-validated macro-F1 against the labels it learned from."""
    points = []
    for model in (
        SuggestionModel.objects.filter(
            corpus=corpus, kind=SuggestionModel.Kind.TRAINED, status=SuggestionModel.Status.DONE
        )
        .defer("weights")
        .order_by("training_size", "pk")
    ):
        points.append(
            {
                "version": model.version,
                "labels": model.training_size,
                "macro_f1": model.metrics.get("macro_f1"),
                "cue_macro_f1": model.metrics.get("cue", {}).get("macro_f1"),
                "trained_at": model.trained_at,
            }
        )
    return points


GOLD_CUE_SAMPLE = 1_000


def gold_accuracy(
    *, corpus: Corpus, model: SuggestionModel | None, keys: list[str] | None = None
) -> dict:
    """How the suggestions (a model's, or the cue baseline's when None) match gold, per label.

    A trained model's suggestion on a sentence it learned from is its
    out-of-fold prediction, so the figures are not flattered by training
    data; they are counted in the database (one grouped query). The cue
    baseline is computed here, on the first ``GOLD_CUE_SAMPLE`` gold sentences,
    so the dashboard stays fast on a large corpus.
    """
    keys = keys if keys is not None else corpus_label_keys(corpus=corpus)
    gold = GoldLabel.objects.filter(
        sentence__article__corpus=corpus, sentence__kind=Sentence.Kind.SENTENCE
    )
    truth: list[str] = []
    predicted: list[str] = []
    if model is None:
        for _, label, text in gold.order_by("sentence_id").values_list(
            "sentence_id", "label__key", "sentence__text"
        )[:GOLD_CUE_SAMPLE]:
            cue = cue_suggest(text, set(keys))
            if cue is not None:
                truth.append(label)
                predicted.append(cue.label)
    else:
        pairs = (
            Suggestion.objects.filter(model=model, sentence__gold__in=gold)
            .values_list("sentence__gold__label__key", "label")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for label, suggested, n in pairs:
            truth.extend([label] * n)
            predicted.extend([suggested] * n)
    return scores_report(truth, predicted, keys)


def next_sentence(*, corpus: Corpus, user, policy: str | None = None) -> dict | None:
    """The next sentence ``user`` should label in the corpus, by the corpus's policy.

    document: the first sentence the user has not labeled, in article and
    sentence order; least_confident: among those, the one the current model
    (else the cue baseline's fixed scores: document order) is least sure of;
    disagreement: the sentence others labeled where the model's suggestion
    disagrees with the most labels, that the user has not labeled. ``ranked``
    says whether the policy chose it (False: document order, as without a model).
    """
    policy = policy or suggestion_settings_get(corpus=corpus).next_policy
    unlabeled = Sentence.objects.filter(
        article__corpus=corpus,
        article__status=Article.Status.READY,
        kind=Sentence.Kind.SENTENCE,
    ).exclude(annotations__annotator=user)
    model = current_model(corpus=corpus) if policy != NextPolicy.DOCUMENT else None
    chosen: tuple[int, int, int] | None = None
    if policy == NextPolicy.LEAST_CONFIDENT and model is not None:
        chosen = (
            Suggestion.objects.filter(model=model, sentence__in=unlabeled)
            .order_by("score", "sentence__article_id", "sentence__index")
            .values_list("sentence_id", "sentence__article_id", "sentence__index")
            .first()
        )
    elif policy == NextPolicy.DISAGREEMENT and model is not None:
        counts: Counter = Counter()
        suggested = dict(
            Suggestion.objects.filter(model=model, sentence__in=unlabeled).values_list(
                "sentence_id", "label"
            )
        )
        for sid, key in Annotation.objects.filter(sentence_id__in=list(suggested)).values_list(
            "sentence_id", "label__key"
        ):
            if key != suggested[sid]:
                counts[sid] += 1
        if counts:
            sid, _ = max(counts.items(), key=lambda item: (item[1], -item[0]))
            chosen = (
                Sentence.objects.filter(pk=sid).values_list("pk", "article_id", "index").first()
            )
    ranked = chosen is not None
    if chosen is None:
        chosen = (
            unlabeled.order_by("article_id", "index")
            .values_list("pk", "article_id", "index")
            .first()
        )
    if chosen is None:
        return None
    return {
        "sentence": chosen[0],
        "article": chosen[1],
        "index": chosen[2],
        "policy": policy,
        "ranked": ranked,
    }


def next_sentence_ranked(*, corpus: Corpus, user) -> dict | None:
    """The sentence the labeling screen's "next" opens under a policy that ranks sentences
    (least confident, disagreement); None under document order, or when the policy has
    nothing to rank yet (no trained model): "next" then goes to the next article as before."""
    policy = suggestion_settings_get(corpus=corpus).next_policy
    if policy == NextPolicy.DOCUMENT:
        return None
    found = next_sentence(corpus=corpus, user=user, policy=policy)
    return found if found is not None and found["ranked"] else None


def can_manage(role: str) -> bool:
    return has_right(role, Right.MANAGE)


def model_ratings(*, corpus: Corpus) -> list[tuple[str, dict[int, str]]]:
    """Each model to compare as a rater: its name and version, and its label per sentence
    that someone labeled (only those can be compared; a trained model suggests for every
    sentence of the corpus, and reading them all took most of a refresh's time).

    The corpus's current trained model (its suggestions on labeled sentences
    are out-of-fold, so it is not compared with labels it learned) and every
    outside model that posted predictions.
    """
    labeled = Annotation.objects.filter(sentence_id=OuterRef("sentence_id"))
    models: list[SuggestionModel] = []
    current = current_model(corpus=corpus)
    if current is not None:
        models.append(current)
    models.extend(
        SuggestionModel.objects.filter(corpus=corpus, kind=SuggestionModel.Kind.EXTERNAL)
        .defer("weights")
        .order_by("name", "version", "pk")
    )
    return [
        (
            model.display_name,
            dict(
                Suggestion.objects.filter(Exists(labeled), model=model).values_list(
                    "sentence_id", "label"
                )
            ),
        )
        for model in models
    ]


@dataclass
class Overview:
    """What the suggestions page and the dashboard show."""

    settings: SuggestionSettings
    current: SuggestionModel | None
    models: list[SuggestionModel]
    curve: list[dict]
    gold: dict
    cue_gold: dict
    labels: list[str]
    labels_since_training: int


def suggestions_overview(*, corpus: Corpus) -> Overview:
    """Everything the suggestions page and the dashboard show, in a fixed number of queries."""
    found = suggestion_settings_get(corpus=corpus)
    models = suggestion_models(corpus=corpus)
    trained = sorted(
        (
            m
            for m in models
            if m.kind == SuggestionModel.Kind.TRAINED and m.status == SuggestionModel.Status.DONE
        ),
        key=lambda m: (m.trained_at, m.pk),
    )
    current = trained[-1] if trained and trained[-1].metrics.get("beats_cue") else None
    curve = [
        {
            "version": m.version,
            "labels": m.training_size,
            "macro_f1": m.metrics.get("macro_f1"),
            "cue_macro_f1": m.metrics.get("cue", {}).get("macro_f1"),
            "trained_at": m.trained_at,
        }
        for m in sorted(trained, key=lambda m: (m.training_size, m.pk))
    ]
    keys = corpus_label_keys(corpus=corpus)
    return Overview(
        settings=found,
        current=current,
        models=models,
        curve=curve,
        gold=gold_accuracy(corpus=corpus, model=current, keys=keys) if current else {},
        cue_gold={} if current else gold_accuracy(corpus=corpus, model=None, keys=keys),
        labels=keys,
        labels_since_training=corpus_label_count(corpus_id=corpus.pk)
        - found.labels_at_last_training,
    )
