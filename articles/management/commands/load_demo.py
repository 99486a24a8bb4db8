"""Create the demo corpus, its users and some of their labels; safe to run again.

The articles are segmented in-process by the service the worker's task calls,
so the two demo annotators' labels can be made at once, through the annotation
service (history, gold and agreement follow as for any label). Running it again
adds only what is missing: a label someone changed since is left alone.
"""

import datetime as dt
import json
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.models import Annotation, Article, Sentence
from articles.services.annotations import annotation_set
from articles.services.articles import article_create, content_hash, normalise_text
from articles.services.segmentation import article_segment
from articles.signals import labels_changed
from corpora.models import Corpus, Label, Role
from corpora.services.corpora import corpus_create, membership_set

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_SLUG = "demo"
DEMO_USERS = [
    ("owner", "owner-demo-2026", Role.OWNER, True),
    ("analyst", "analyst-demo-2026", Role.ANNOTATOR, False),
    ("analyst2", "analyst2-demo-2026", Role.ANNOTATOR, False),
    ("reviewer", "reviewer-demo-2026", Role.REVIEWER, False),
]
# Which articles (by file) each demo annotator has labeled, and how much of each:
# two articles by both (agreement, adjudication), one by one and a half by the
# other, the rest left for "Next article".
DEMO_LABELED = {
    "analyst": {
        "harbour-tram-cost-overruns.txt": 1.0,
        "four-day-week-trial.txt": 1.0,
        "river-otters-return.txt": 1.0,
    },
    "analyst2": {
        "harbour-tram-cost-overruns.txt": 1.0,
        "four-day-week-trial.txt": 1.0,
        "river-otters-return.txt": 0.5,
    },
}
SOURCED = re.compile(
    r"according to|report|survey|data show|study|bulletin|counted|told|confirmed|"
    r"evaluation|statistics|sampling|recorded",
    re.IGNORECASE,
)
HEDGED = re.compile(r"\b(may|might|could|probably|likely|seems|expect|if)\b", re.IGNORECASE)
GUIDELINES = """# Labeling guidelines

Give every sentence exactly one label.

- **Claim**: the author asserts something as true without support in the text:
  an opinion, a judgement, an interpretation. *"That clause, more than any change
  of heart, explains the timing."*
- **Speculation**: a guess about what may happen or may be the case, often
  hedged (*may*, *could*, *likely*, *it is possible that*).
- **Sourced fact**: a statement resting on a named source, a document or a
  record. Attach the source (URL or citation) with `s`.

When a sentence mixes kinds, label what its main clause does.
"""


def demo_label_key(text: str, *, second_opinion: bool) -> str:
    """A plausible label for a demo sentence; the second opinion shifts it to the next one."""
    keys = ["claim", "speculation", "sourced_fact"]
    key = (
        "sourced_fact"
        if SOURCED.search(text)
        else "speculation"
        if HEDGED.search(text)
        else "claim"
    )
    return keys[(keys.index(key) + 1) % len(keys)] if second_opinion else key


class Command(BaseCommand):
    help = "Load the demo corpus with its sample articles and print the demo users."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # The demo users' passwords are printed here and in the README.
            raise CommandError(
                "load_demo refuses to run with ANNOTATOR_MODE=production: it creates an admin "
                "account whose password is published. Try the demo on a laptop instead, and "
                "create real accounts with: python manage.py createsuperuser"
            )
        User = get_user_model()
        with transaction.atomic():
            users = {}
            for username, password, _role, staff in DEMO_USERS:
                user, created = User.objects.get_or_create(username=username)
                if created:
                    user.set_password(password)
                    user.is_staff = user.is_superuser = staff
                    user.save()
                users[username] = user
            corpus = Corpus.objects.filter(slug=DEMO_SLUG).first()
            if corpus is None:
                corpus = corpus_create(
                    name="Demo: opinion and analysis",
                    slug=DEMO_SLUG,
                    owner=users["owner"],
                    overlap=2,
                    description="Sample opinion pieces to try annotator on.",
                    guidelines=GUIDELINES,
                )
            for username, _password, role, _staff in DEMO_USERS:
                membership_set(corpus=corpus, user=users[username], role=role)
            added = 0
            articles: dict[str, int] = {}
            sources: dict[str, str] = {}
            for spec in json.loads((DEMO_DIR / "articles.json").read_text()):
                name = spec.pop("file")
                sources[name] = spec.pop("source", "")
                if spec["published_on"]:
                    spec["published_on"] = dt.date.fromisoformat(spec["published_on"])
                text = (DEMO_DIR / name).read_text(encoding="utf-8")
                try:
                    articles[name] = article_create(
                        corpus=corpus, text=text, queue=False, **spec
                    ).pk
                    added += 1
                except ValidationError as exc:
                    if (
                        getattr(exc, "error_dict", None)
                        and exc.error_dict["text"][0].code == "duplicate"
                    ):
                        articles[name] = Article.objects.get(
                            corpus=corpus, content_hash=content_hash(normalise_text(text))
                        ).pk
                        continue
                    raise
        # Segmented here, as the worker would: the labels below need sentences.
        for article_id in Article.objects.filter(
            pk__in=articles.values(), status=Article.Status.PENDING
        ).values_list("pk", flat=True):
            article_segment(article_id=article_id, task_id=f"load-demo-{article_id}")
        made = self._label(corpus, users, articles, sources)
        self.stdout.write(
            f"Demo corpus '{corpus.name}': {added} article(s) added, {made} demo label(s) made."
        )
        self.stdout.write("Demo users (username / password):")
        for username, password, role, staff in DEMO_USERS:
            extra = ", admin site" if staff else ""
            self.stdout.write(f"  {username} / {password}  ({role}{extra})")

    @staticmethod
    def _label(corpus: Corpus, users: dict, articles: dict[str, int], sources: dict) -> int:
        """Make the demo annotators' labels that are missing; how many were made."""
        labels = {label.key: label for label in Label.objects.filter(corpus=corpus)}
        made = 0
        with transaction.atomic():
            for username, shares in DEMO_LABELED.items():
                annotator = users[username]
                for name, share in shares.items():
                    sentences = list(
                        Sentence.objects.filter(
                            article_id=articles[name],
                            article__status=Article.Status.READY,
                            kind=Sentence.Kind.SENTENCE,
                        )
                        .select_related("article__corpus")
                        .order_by("index")
                    )
                    done = set(
                        Annotation.objects.filter(
                            sentence__article_id=articles[name], annotator=annotator
                        ).values_list("sentence_id", flat=True)
                    )
                    for position, sentence in enumerate(sentences[: round(len(sentences) * share)]):
                        if sentence.pk in done:
                            continue
                        key = demo_label_key(
                            sentence.text,
                            second_opinion=username == "analyst2" and position % 4 == 1,
                        )
                        annotation_set(
                            sentence=sentence,
                            annotator=annotator,
                            label=labels[key],
                            source=sources[name] if key == "sourced_fact" else "",
                            expected_version=0,
                            announce=False,
                        )
                        made += 1
            if made:
                # One refresh (gold, disagreements, agreement) for the whole batch.
                labels_changed.send(sender=Sentence, corpus_id=corpus.pk)
        return made
