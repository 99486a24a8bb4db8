"""Shapes of import jobs and archived pages in the API.

Each response body is written by the class its ``extend_schema`` declares;
class names give the schema's component names.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from annotator.api.serializers import HttpUrlTextField, StrictSerializer
from articles.services.articles import metadata_max_length


def _metadata(name: str, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, default="", max_length=metadata_max_length(name), **kwargs
    )


class ImportCreateSerializer(StrictSerializer):
    # The schema names this enum ImportKind (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
    kind = serializers.ChoiceField(
        choices=["text", "file", "url"],
        error_messages={"invalid_choice": "Use text, file or url, not {input!r}."},
    )
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=settings.MAX_ARTICLE_CHARS,
    )
    file = serializers.FileField(required=False)
    url = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    # As long as an article's fields (the import service checks them again).
    title = _metadata("title")
    author = _metadata("author")
    outlet = _metadata("outlet")
    source_url = HttpUrlTextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=metadata_max_length("source_url"),
        help_text="An http(s) URL.",
    )
    published_on = serializers.DateField(required=False, help_text="YYYY-MM-DD.")
    keep_first_line = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Text and single files: keep a first line that reads like a headline in the "
        "text instead of making it the title.",
    )

    def validate(self, data):
        needed = {"text": "text", "file": "file", "url": "url"}[data["kind"]]
        if not data.get(needed):
            raise serializers.ValidationError({needed: f"A {data['kind']} import needs {needed}."})
        return data


class ImportFailureSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True, help_text="1-based; null for one document.")
    kind = serializers.ChoiceField(choices=["error", "duplicate"])
    reason = serializers.CharField()


class ImportFetchAttemptSerializer(serializers.Serializer):
    attempt = serializers.IntegerField(help_text="1 for the first try.")
    at = serializers.DateTimeField()
    error = serializers.CharField(help_text="Why the try failed; empty when it succeeded.")


class ImportJobSerializer(serializers.Serializer):
    """Documents the progress record (built by ``import_job_progress``)."""

    id = serializers.IntegerField()
    corpus = serializers.CharField()
    kind = serializers.CharField(help_text="text, file, url or bulk.")
    status = serializers.CharField(help_text="queued, running, done or failed.")
    finished = serializers.BooleanField()
    filename = serializers.CharField()
    source_url = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    processed = serializers.IntegerField()
    percent = serializers.IntegerField()
    error = serializers.CharField()
    notices = serializers.ListField(child=serializers.CharField())
    failures = ImportFailureSerializer(many=True)
    failures_total = serializers.IntegerField()
    failures_note = serializers.CharField(
        help_text='What to say when `failures` is empty: "None so far." while the job runs, '
        '"Every line was imported." once a batch is done.'
    )
    article = serializers.IntegerField(allow_null=True)
    worker_missing = serializers.BooleanField()
    message = serializers.CharField()
    segmentation = serializers.DictField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="Bulk jobs: the articles this job created, counted by status.",
    )
    attempts = serializers.IntegerField(
        help_text="Workers that started the job since it last made progress; a start that "
        "never finished (the worker was killed) counts. At attempts_allowed it is given up."
    )
    attempts_allowed = serializers.IntegerField(help_text="TASK_MAX_ATTEMPTS of the server.")
    fetch_attempts = ImportFetchAttemptSerializer(
        many=True, help_text="Web pages: each try at fetching the page, in order."
    )
    fetch_attempts_allowed = serializers.IntegerField(
        help_text="Tries in all for a fetch that times out, loses its connection or gets a 5xx."
    )
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class SnapshotSerializer(serializers.Serializer):
    article = serializers.IntegerField()
    requested_url = serializers.CharField(help_text="The URL the import was given.")
    final_url = serializers.CharField(help_text="Where it led after redirects.")
    status_code = serializers.IntegerField()
    content_type = serializers.CharField(help_text="As the server sent it.")
    charset = serializers.CharField(help_text="The declared charset if known, else utf-8.")
    fetched_at = serializers.DateTimeField()
    size = serializers.IntegerField(help_text="Bytes.")
    sha256 = serializers.CharField(help_text="Of the raw bytes.")
    body_base64 = serializers.CharField(help_text="The raw response body, exactly as fetched.")
