"""The technical admin for staff exchanges: for operators to look things up. Registrations, the agenda and
reports change through the portal's own pages (and their services, which keep the waiting list, the
reminders and the audit log right), so those rows are read-only here."""

from django.contrib import admin

from .models import (
    AgendaSession,
    CalendarFeed,
    ExchangeEvent,
    ExchangeProgramme,
    ReflectionReport,
    Registration,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ExchangeProgramme)
class ExchangeProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organiser"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["organiser"]


@admin.register(ExchangeEvent)
class ExchangeEventAdmin(ReadOnlyAdmin):
    list_display = ["title", "programme", "city", "starts_at", "status", "capacity"]
    list_filter = ["status", "programme"]
    search_fields = ["title", "city"]
    date_hierarchy = "starts_at"


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ["user", "event", "organisation", "role", "status", "created_at"]
    list_filter = ["status", "role"]
    search_fields = ["user__email", "user__full_name", "event__title"]
    list_select_related = ["user", "event", "organisation"]


@admin.register(AgendaSession)
class AgendaSessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "event", "kind", "starts_at", "ends_at", "proposed", "published"]
    list_filter = ["kind", "proposed", "published"]
    search_fields = ["title", "event__title"]
    list_select_related = ["event"]


@admin.register(ReflectionReport)
class ReflectionReportAdmin(ReadOnlyAdmin):
    list_display = ["event", "status", "published_at", "case_study"]
    list_filter = ["status"]
    list_select_related = ["event", "case_study"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "updated_at"]
    search_fields = ["user__email"]
    exclude = ["token"]  # the secret in the feed's address
