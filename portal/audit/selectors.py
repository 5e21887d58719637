from django.db.models import QuerySet

from .models import AuditEvent


def audit_events_for(*, user, organisation=None, action: str = "") -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.visible_to(user).select_related("organisation")
    if organisation is not None:
        events = events.filter(organisation=organisation)
    if action:
        events = events.filter(action__startswith=action)
    return events
