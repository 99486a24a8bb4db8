from django.contrib import admin, messages
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from articles.models import Annotation, AnnotationEvent, Article, Sentence
from articles.services.articles import article_resegment


class SentenceInline(admin.TabularInline):
    model = Sentence
    extra = 0
    fields = ["index", "paragraph", "kind", "start", "end", "text"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "corpus", "status", "outlet", "published_on", "created_at"]
    list_filter = ["status", "corpus"]
    search_fields = ["title", "author", "outlet"]
    readonly_fields = [
        "content_hash",
        "status",
        "failure_reason",
        "segmenter_version",
        "segmentation_task_id",
        "status_changed_at",
        "created_at",
        "updated_at",
        "text",
    ]
    inlines = [SentenceInline]
    actions = ["resegment"]

    def has_add_permission(self, request):
        # Articles come in through the import services, which hash, validate
        # and queue segmentation.
        return False

    @admin.action(description="Re-segment selected articles (labels are carried over)")
    def resegment(self, request, queryset):
        queued, busy = 0, 0
        for article in queryset:
            if article_resegment(article=article):
                queued += 1
            else:
                busy += 1
        if queued:
            messages.success(request, f"Queued {queued} article(s) for segmentation.")
        if busy:
            messages.warning(request, f"{busy} article(s) were already being segmented.")


class AnnotationEventInline(admin.TabularInline):
    model = AnnotationEvent
    fk_name = "sentence"
    extra = 0
    can_delete = False
    fields = ["at", "annotator", "changed_by", "action", "old_label", "new_label", "version"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["sentence", "annotator", "label", "version", "updated_at"]
    list_filter = ["label__corpus", "label"]
    search_fields = ["sentence__text", "annotator__username", "note", "source"]
    readonly_fields = [
        "sentence",
        "annotator",
        "label",
        "note",
        "source",
        "guideline_version",
        "version",
        "created_at",
        "updated_at",
        "history",
    ]
    list_select_related = ["sentence", "annotator", "label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Changes go through the labeling services, which keep the history.
        return False

    def has_delete_permission(self, request, obj=None):
        # So do clears: they keep the history and the labeled counts of the article
        # list (docs/architecture.md, "Derived counts").
        return False

    @admin.display(description="history")
    def history(self, obj):
        events = AnnotationEvent.objects.filter(
            sentence=obj.sentence_id, annotator=obj.annotator_id
        ).select_related("changed_by")
        rows = [
            (
                f"{e.at:%Y-%m-%d %H:%M:%S}",
                str(e.changed_by),
                e.get_action_display(),
                e.old_label or "∅",
                e.new_label or "∅",
                e.version,
            )
            for e in events
        ]
        if not rows:
            return "no changes recorded"
        return format_html_join(mark_safe("<br>"), "{} {}: {} {} → {} (v{})", rows)


@admin.register(AnnotationEvent)
class AnnotationEventAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "sentence",
        "annotator",
        "changed_by",
        "action",
        "old_label",
        "new_label",
        "version",
    ]
    list_filter = ["action"]
    list_select_related = ["sentence", "annotator", "changed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
