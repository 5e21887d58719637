from functools import cache

from .models import Notification


def unread_notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    # Lazy: the query runs only on pages that render the header. Cached: the header asks twice
    # ({% if %} and the badge), and a template calls a callable each time it reads it.
    @cache
    def unread_count() -> int:
        return Notification.objects.for_user(user).unread().count()

    return {"unread_notification_count": unread_count}
