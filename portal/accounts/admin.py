from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Invitation, Membership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user", "organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_programme_staff", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_programme_staff", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "language"]}),
        (_("Roles"), {"fields": ["is_active", "is_programme_staff", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]

    def has_delete_permission(self, request, obj=None):
        # A supplier's people are deactivated, not deleted: the delete page would list their notifications
        # and reminders, which tell an operator what they bid on.
        if obj is not None and obj.supplier_organisation_ids:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sme_size", "country", "city"]
    list_filter = ["kind", "sme_size", "country"]
    search_fields = ["name", "identifier"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def has_delete_permission(self, request, obj=None):
        # Supplier organisations are never deleted here: their delete page would list their proposals, and
        # whether it opened would tell an operator whether they bid. A buyer that has published is part of
        # the public record. Both are kept (their members can be removed instead).
        if obj is not None and obj.is_supplier:
            return False
        if obj is not None and obj.challenges.filter(published_at__isnull=False).exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    search_fields = ["email", "organisation__name"]
    readonly_fields = ["token_digest", "invited_by", "accepted_by", "accepted_at", "created_at"]
    raw_id_fields = ["organisation"]
