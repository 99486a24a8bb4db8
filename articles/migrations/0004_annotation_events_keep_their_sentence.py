"""Every history event so far gets its article and its sentence's offsets and text.

Its own migration: on PostgreSQL the rows it updates must be committed before
0005 alters the table (pending foreign-key checks forbid an ALTER TABLE).
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def events_remember_their_sentence(apps, schema_editor):
    """Every event so far gets its article and its sentence's offsets and text as they are."""
    Event = apps.get_model("articles", "AnnotationEvent")
    Sentence = apps.get_model("articles", "Sentence")
    of = Sentence.objects.filter(pk=OuterRef("sentence_id"))
    Event.objects.update(
        article_id=Subquery(of.values("article_id")[:1]),
        sentence_start=Subquery(of.values("start")[:1]),
        sentence_end=Subquery(of.values("end")[:1]),
        sentence_text=Subquery(of.values("text")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_editable_segmentation")]

    operations = [migrations.RunPython(events_remember_their_sentence, migrations.RunPython.noop)]
