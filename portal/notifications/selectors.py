from django.db.models import QuerySet

from .kinds import optional_kinds
from .models import EmailPreference, Notification


def notifications_for(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.for_user(user)
    return notifications.unread() if unread_only else notifications


def email_preferences_for(*, user) -> list[tuple]:
    """[(kind, mailed?)] for every kind a user may switch off."""
    stored = dict(EmailPreference.objects.filter(user=user).values_list("kind", "email_enabled"))
    return [(kind, stored.get(kind.key, True)) for kind in optional_kinds()]
