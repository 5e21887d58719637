"""The technical admin for citizen ideas: for operators to look things up and, when a resident asks, to
redact personal details from an idea's text. Moderation, supports and the link to a challenge change
through the portal's own pages (and their services, which keep the supports, the notices and the audit
log right), so those fields are read-only here and supports cannot be edited. Every edit made here is
recorded (`idea.edited_in_admin`, for programme staff only)."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from portal.audit.services import record_audit

from .models import Idea, IdeaSupport


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ["title", "city", "status", "display_name", "support_count", "created_at"]
    list_filter = ["status", "city"]
    search_fields = ["title", "display_name", "problem"]
    list_select_related = ["city"]
    date_hierarchy = "created_at"
    fields = [
        "city",
        "title",
        "problem",
        "affected",
        "location",
        "themes",
        "display_name",
        "language",
        "author",
        "status",
        "rejection_reason",
        "merged_into",
        "moderated_by",
        "moderated_at",
        "published_at",
        "challenge",
        "converted_by",
        "converted_at",
        "supporters_notified_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "city",
        "language",
        "author",
        "status",
        "rejection_reason",
        "merged_into",
        "moderated_by",
        "moderated_at",
        "published_at",
        "challenge",
        "converted_by",
        "converted_at",
        "supporters_notified_at",
        "created_at",
        "updated_at",
    ]
    filter_horizontal = ["themes"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(support_count=Count("supports"))

    @admin.display(description=_("supporters"), ordering="support_count")
    def support_count(self, obj: Idea) -> int:
        return obj.support_count

    def has_add_permission(self, request) -> bool:
        # Ideas come from residents, through the limits and checks of the submission service.
        return False

    def save_model(self, request, obj: Idea, form, change: bool) -> None:
        # The admin saves in its own transaction: the entry is written with the change or not at all.
        super().save_model(request, obj, form, change)
        # The names of the fields only: the old text may be what a resident asked to have redacted.
        record_audit(
            actor=request.user,
            action="idea.edited_in_admin",
            target=obj,
            organisation=None,
            data={"fields": sorted(form.changed_data)},
        )


@admin.register(IdeaSupport)
class IdeaSupportAdmin(admin.ModelAdmin):
    list_display = ["idea", "user", "created_at"]
    search_fields = ["idea__title", "user__email"]
    list_select_related = ["idea", "user"]
    raw_id_fields = ["idea", "user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
