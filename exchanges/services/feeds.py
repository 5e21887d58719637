"""Personal calendar feeds."""

from django.db import transaction

from portal.audit.services import record_audit

from ..models import CalendarFeed, new_feed_token


def feed_for(*, user) -> CalendarFeed:
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if created:
        record_audit(actor=user, action="exchange.feed_created", target=feed)
    return feed


def regenerate_feed(*, user) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    with transaction.atomic():
        feed, _created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
        feed.token = new_feed_token()
        feed.save(update_fields=["token", "updated_at"])
        record_audit(actor=user, action="exchange.feed_regenerated", target=feed)
    return feed
