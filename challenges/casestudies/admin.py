"""The technical admin for case studies: for operators to look things up and correct a typo or a tag.
Publishing and unpublishing go through the portal's pages (and their services, which keep the audit log),
so the status, the source and the links are read-only here; and nothing is deleted here, where no audit
entry would say so (a case study leaves the public by being unpublished)."""

from django.contrib import admin

from .models import CaseStudy


@admin.register(CaseStudy)
class CaseStudyAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "source", "outcome", "status", "country", "published_at"]
    list_filter = ["status", "source", "outcome", "capability", "route"]
    search_fields = ["title", "need", "owner__name"]
    list_select_related = ["owner"]
    date_hierarchy = "published_at"
    filter_horizontal = ["themes"]
    raw_id_fields = ["cpv_codes"]
    readonly_fields = [
        "source",
        "owner",
        "challenge",
        "outcome",
        "status",
        "published_at",
        "created_by",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # written from a challenge or a reflection report, on the portal's pages

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # unpublish on the portal's pages instead: audited, and reversible
