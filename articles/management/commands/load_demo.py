"""Create the demo corpus and demo users; safe to run again."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.services.articles import article_create
from corpora.models import Corpus, Role
from corpora.services.corpora import corpus_create, membership_set

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_SLUG = "demo"
DEMO_USERS = [
    ("owner", "owner-demo-2026", Role.OWNER, True),
    ("analyst", "analyst-demo-2026", Role.ANNOTATOR, False),
    ("reviewer", "reviewer-demo-2026", Role.REVIEWER, False),
]
GUIDELINES = """# Labeling guidelines

Give every sentence exactly one label.

- **Claim**: the author asserts something as true without support in the text:
  an opinion, a judgement, an interpretation. *"This historic move signals that
  the US does not trust Israel."*
- **Speculation**: a guess about what may happen or may be the case, often
  hedged (*may*, *could*, *likely*, *it is possible that*).
- **Sourced fact**: a statement resting on a named source, a document or a
  record. Attach the source (URL or citation) with `s`.

When a sentence mixes kinds, label what its main clause does.
"""


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
                    description="Sample opinion pieces to try annotator on.",
                    guidelines=GUIDELINES,
                )
            for username, _password, role, _staff in DEMO_USERS:
                membership_set(corpus=corpus, user=users[username], role=role)
            added = 0
            for spec in json.loads((DEMO_DIR / "articles.json").read_text()):
                text = (DEMO_DIR / spec.pop("file")).read_text(encoding="utf-8")
                try:
                    article_create(corpus=corpus, text=text, **spec)
                    added += 1
                except ValidationError as exc:
                    if (
                        getattr(exc, "error_dict", None)
                        and exc.error_dict["text"][0].code == "duplicate"
                    ):
                        continue
                    raise
        self.stdout.write(
            f"Demo corpus '{corpus.name}': {added} article(s) queued for segmentation."
        )
        self.stdout.write("Demo users (username / password):")
        for username, password, role, staff in DEMO_USERS:
            extra = ", admin site" if staff else ""
            self.stdout.write(f"  {username} / {password}  ({role}{extra})")
