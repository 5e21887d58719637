from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "action", "target_label", "organisation", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_label", "action", "target_label"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def get_queryset(self, request):
        # Entries about sealed bids stay out of the admin until the challenge's deadline has passed.
        return super().get_queryset(request).without_sealed()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
