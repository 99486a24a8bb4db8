import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_annotation_events_keep_their_sentence")]

    operations = [
        migrations.AlterField(
            model_name='annotationevent',
            name='article',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='annotation_events', to='articles.article'),
        ),
        migrations.AlterField(
            model_name='annotationevent',
            name='sentence_end',
            field=models.PositiveIntegerField(help_text="The sentence's end then."),
        ),
        migrations.AlterField(
            model_name='annotationevent',
            name='sentence_start',
            field=models.PositiveIntegerField(help_text="The sentence's start then."),
        ),
        migrations.AlterField(
            model_name='annotationevent',
            name='sentence_text',
            field=models.TextField(help_text="The sentence's text then."),
        ),
        ]
