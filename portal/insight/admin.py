"""The technical admin for the insight app. Operators set up programmes here (which buying organisations
they follow, their target). Procurement volumes and self-assessments belong to the organisations that
record them, through the portal's pages, whose services keep the audit log of old and new figures: they
are read-only here."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import CapabilityAssessment, ProcurementVolume, Programme


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["organisation", "innovative_share_target", "buyer_count", "updated_at"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["buyers"]
    list_select_related = ["organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(buyer_total=Count("buyers"))

    @admin.display(description=_("buying organisations"), ordering="buyer_total")
    def buyer_count(self, obj: Programme) -> int:
        return obj.buyer_total


@admin.register(ProcurementVolume)
class ProcurementVolumeAdmin(ReadOnlyAdmin):
    list_display = [
        "organisation",
        "year",
        "procurement_count",
        "procurement_value",
        "currency",
        "recorded_by",
    ]
    list_filter = ["year", "currency"]
    search_fields = ["organisation__name"]
    list_select_related = ["organisation", "recorded_by"]


@admin.register(CapabilityAssessment)
class CapabilityAssessmentAdmin(ReadOnlyAdmin):
    list_display = [
        "organisation",
        "year",
        "management_anchoring",
        "competence",
        "internal_collaboration",
        "supplier_dialogue",
        "municipal_collaboration",
        "systematic_learning",
        "submitted_by",
    ]
    list_filter = ["year"]
    search_fields = ["organisation__name"]
    list_select_related = ["organisation", "submitted_by"]
