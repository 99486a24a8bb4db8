from django.contrib import admin
from django.db.models import Count

from corpora.models import Corpus, Label, Membership
from corpora.services.corpora import corpus_guidelines_update


class LabelInline(admin.TabularInline):
    model = Label
    extra = 0
    fields = [
        "order", "key", "name", "shortcut", "color", "takes_source", "archived", "description"
    ]  # fmt: skip


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Corpus)
class CorpusAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "overlap", "guidelines_version", "article_count", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["guidelines_version", "created_at", "updated_at"]
    inlines = [LabelInline, MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    @admin.display(description="articles", ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles

    def save_model(self, request, obj, form, change):
        # The guidelines' version goes up through the service, never by hand.
        if change and "guidelines" in form.changed_data:
            new_text = obj.guidelines
            obj.guidelines = Corpus.objects.get(pk=obj.pk).guidelines
            super().save_model(request, obj, form, change)
            corpus_guidelines_update(corpus=obj, guidelines=new_text, user=request.user)
        else:
            super().save_model(request, obj, form, change)
