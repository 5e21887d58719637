from django.contrib import admin

from .models import EmailPreference, Notification, OutboxMail


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__email", "title"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["target_type", "target_id"]

    def get_queryset(self, request):
        # Notifications about a bid still sealed (a receipt, an invitation), and those whose recipients
        # reveal the bidders of an open challenge (reminders, amendments), stay out of the admin.
        from suppliers.sealing import sealed_notifications

        return super().get_queryset(request).exclude(sealed_notifications())


@admin.register(OutboxMail)
class OutboxMailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to_email", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to_email", "subject"]
    readonly_fields = [field.name for field in OutboxMail._meta.fields]

    def get_queryset(self, request):
        # A bidder's own mail (receipts, consortium invitations, draft reminders) and the challenge mails
        # whose recipients tell who bids (deadline reminders, amendments) are never listed: subject and
        # address would tell an operator who bids. The worker retries them without the admin.
        from suppliers.kinds import BID_KINDS
        from suppliers.sealing import BID_REVEALING_CHALLENGE_KINDS

        return super().get_queryset(request).exclude(kind__in=[*BID_KINDS, *BID_REVEALING_CHALLENGE_KINDS])

    def has_add_permission(self, request):
        return False


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "email_enabled"]
    raw_id_fields = ["user"]
