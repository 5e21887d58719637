from .models import Notification


def unread_notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: the query runs only on pages that render the header.
    return {"unread_notification_count": lambda: Notification.objects.for_user(user).unread().count()}
