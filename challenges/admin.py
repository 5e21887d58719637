"""The technical admin for challenges: for operators to look things up and fix reference data. Status changes
and statement edits go through the portal's own pages (and their services), so the lifecycle fields and the
audit-relevant rows are read-only here."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .forms import timezone_choices
from .models import (
    Amendment,
    Challenge,
    ChallengeDocument,
    Clarification,
    CoachRule,
    CPVCode,
    Criterion,
    Follow,
    Outcome,
    Review,
    SavedSearch,
    Theme,
)


@admin.register(CPVCode)
class CPVCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "label"]
    search_fields = ["code", "label"]
    list_per_page = 100


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_nb"]
    search_fields = ["slug", "name_en", "name_nb"]


class OutcomeInline(admin.TabularInline):
    model = Outcome
    extra = 0
    fields = ["position", "description", "indicator", "baseline", "target"]

    # Suppliers answer each outcome: after publication an outcome is neither added nor deleted here (its
    # answers in sealed proposals, and their receipts, hang on it).
    def has_add_permission(self, request, obj=None):
        return not (obj is not None and obj.published_at) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and obj.published_at) and super().has_delete_permission(request, obj)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "name", "description", "weight"]

    # Frozen at publication: after it, only an amendment that reopens the submission period changes them
    # (challenges.services.lifecycle.amend_criteria).
    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None and obj.published_at else []

    def has_add_permission(self, request, obj=None):
        return not (obj is not None and obj.published_at) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and obj.published_at) and super().has_delete_permission(request, obj)


class ChallengeDocumentInline(admin.TabularInline):
    model = ChallengeDocument
    extra = 0
    fields = ["title", "original_name", "content_type", "size", "sha256", "uploaded_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Uploads are checked by their content in the portal's editor; the admin does not bypass that.
        return False


class ChallengeAdminForm(forms.ModelForm):
    # The admin's fieldsets name the fields; this only limits the time zone to real ones.
    deadline_timezone = forms.ChoiceField(label=_("Time zone of the deadlines"), choices=timezone_choices)


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    form = ChallengeAdminForm
    list_display = ["title", "owner", "status", "submission_deadline", "published_at", "updated_at"]
    list_filter = ["status", "route", "is_innovative", "language"]
    search_fields = ["title", "summary", "owner__name"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    raw_id_fields = ["owner"]
    autocomplete_fields = ["cpv_codes"]
    filter_horizontal = ["themes"]
    readonly_fields = [
        "status",
        "created_by",
        "submitted_for_review_at",
        "submitted_for_review_by",
        "published_at",
        "closed_at",
        "cancelled_at",
        "created_at",
        "updated_at",
    ]
    inlines = [OutcomeInline, CriterionInline, ChallengeDocumentInline]

    def has_delete_permission(self, request, obj=None):
        # A challenge that was ever published is a public record (and may have sealed bids, which a delete
        # page would list): it is cancelled in the portal, never deleted here.
        return not (obj is not None and obj.published_at) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # The bulk delete would list the selected challenges' proposals; deletion goes one draft at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        # The scoring scale is frozen at publication, like the criteria (CriterionInline).
        frozen = ["scoring_scale"] if obj is not None and obj.published_at else []
        return [*self.readonly_fields, *frozen]

    fieldsets = [
        (None, {"fields": ["owner", "status", "language", "created_by"]}),
        (_("The need"), {"fields": ["title", "summary", "current_situation", "affected", "why_now"]}),
        (_("Constraints"), {"fields": ["constraints", "out_of_scope"]}),
        (
            _("Practicalities"),
            {
                "fields": [
                    ("budget_min", "budget_max", "currency"),
                    "deadline_timezone",
                    ("questions_deadline", "submission_deadline"),
                    "decision_date",
                    ("pilot_start", "pilot_end"),
                    "route",
                    "cpv_codes",
                    "themes",
                    ("contact_name", "contact_email"),
                    "is_innovative",
                    "scoring_scale",
                ]
            },
        ),
        (
            _("Lifecycle"),
            {
                "fields": [
                    "submitted_for_review_at",
                    "submitted_for_review_by",
                    "published_at",
                    "closed_at",
                    "cancelled_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]


@admin.register(ChallengeDocument)
class ChallengeDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "challenge", "original_name", "content_type", "size", "created_at"]
    search_fields = ["title", "original_name", "sha256", "challenge__title"]
    list_select_related = ["challenge"]
    readonly_fields = [
        "challenge",
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["challenge", "decision", "reviewer", "created_at"]
    list_filter = ["decision"]
    search_fields = ["challenge__title", "comment"]
    list_select_related = ["challenge", "reviewer"]
    readonly_fields = ["challenge", "reviewer", "decision", "comment", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Amendment)
class AmendmentAdmin(admin.ModelAdmin):
    list_display = ["challenge", "created_at", "created_by"]
    search_fields = ["challenge__title", "summary"]
    list_select_related = ["challenge", "created_by"]
    readonly_fields = ["challenge", "summary", "changes", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Clarification)
class ClarificationAdmin(admin.ModelAdmin):
    list_display = ["challenge", "status", "asked_at", "answered_at"]
    list_filter = ["status"]
    search_fields = ["challenge__title", "question", "public_question", "answer"]
    list_select_related = ["challenge"]
    raw_id_fields = ["challenge", "asked_by", "asked_by_organisation", "answered_by"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "challenge", "organisation", "created_at"]
    search_fields = ["user__email", "challenge__title", "organisation__name"]
    list_select_related = ["user", "challenge", "organisation"]
    raw_id_fields = ["user", "challenge", "organisation"]


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "query", "created_at"]
    search_fields = ["name", "query", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(CoachRule)
class CoachRuleAdmin(admin.ModelAdmin):
    list_display = ["phrase", "language", "category", "is_active", "updated_at"]
    list_filter = ["language", "category", "is_active"]
    search_fields = ["phrase", "explanation", "suggestion"]
    # Rules are edited on the coach's own pages, which keep the coach's cache and the audit log in step.
    readonly_fields = [
        "language",
        "category",
        "phrase",
        "explanation",
        "suggestion",
        "is_active",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
