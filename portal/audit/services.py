import ipaddress
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .context import current_ip
from .models import AuditEvent


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def record_audit(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    organisation=None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one entry to the audit log. The client address comes from the current request unless given."""
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.email if actor else "",
        action=action,
        organisation=organisation,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        # A model may name itself differently in the log (a proposal's title is sealed content).
        target_label=str(getattr(target, "audit_label", None) or target)[:300] if target is not None else "",
        data=data or {},
        ip_address=_valid_ip(ip_address or current_ip.get()),
    )
