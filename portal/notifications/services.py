"""Writes of the notifications backbone: notify(), the outbox, read state and preferences."""

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail, signing
from django.db import models, transaction
from django.db.models import F, Q
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .enums import OutboxStatus
from .kinds import Kind, get_kind
from .models import EmailPreference, Notification, OutboxMail

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# How many mails one delivery task sends over one SMTP connection.
DELIVERY_BATCH_SIZE = 100
# A claim older than this is taken to belong to a worker that died; the sweep hands the mail out again.
CLAIM_LEASE = timedelta(minutes=10)
# Mails younger than this are left to their own after-commit hand-off, not the sweep.
SWEEP_GRACE = timedelta(seconds=30)
MAX_ATTEMPTS = 8


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """Returns (user id, kind key); raises signing.BadSignature for anything forged or malformed."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("k"), str):
        raise signing.BadSignature("Malformed unsubscribe token.")
    return data["u"], data["k"]


def _render_plain(template_name: str, context: dict[str, Any]) -> str:
    # Subjects and plain-text bodies are not HTML: "Smith & Sons" must not arrive as "Smith &amp; Sons".
    # (The subject is also the in-app title, which the page escapes when it shows it.)
    return get_template(template_name).template.render(Context(context, autoescape=False))


def _render_mail(*, kind: Kind, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    with translation.override(language):
        subject = " ".join(_render_plain(f"{kind.template_prefix}.subject.txt", context).split())[:300]
        text = _render_plain(f"{kind.template_prefix}.txt", context).strip() + "\n"
        html = render_to_string(f"{kind.template_prefix}.html", {**context, "subject": subject})
    return subject, text, html


def _mail_headers(*, unsubscribe_url: str) -> dict[str, str]:
    if not unsubscribe_url:
        return {}
    # RFC 8058 one-click unsubscribe: mail clients POST to this address.
    return {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def notify(
    *,
    recipients: Iterable,
    kind: "Kind | str",
    context: dict[str, Any] | None = None,
    target: models.Model | None = None,
    url: str = "",
) -> list[Notification]:
    """Store an in-app notification for each recipient and, unless they switched this kind off, an outbox
    mail, in the caller's transaction. The mails are handed to Celery after the commit (and by the periodic
    sweep, if the broker was unreachable then)."""
    kind = get_kind(kind)
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not unique:
        return []
    users = list(unique.values())
    opted_out = set()
    if not kind.mandatory:
        opted_out = set(
            EmailPreference.objects.filter(user__in=users, kind=kind.key, email_enabled=False).values_list(
                "user_id", flat=True
            )
        )
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    target_url = url or (target.get_absolute_url() if hasattr(target, "get_absolute_url") else "")
    notifications, mails = [], []
    for user in users:
        unsubscribe_url = (
            ""
            if kind.mandatory
            else absolute_url(
                reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id=user.pk, kind=kind.key)])
            )
        )
        mail_context = {
            **(context or {}),
            "recipient": user,
            "target": target,
            "target_url": absolute_url(target_url),
            "portal_name": settings.PORTAL_NAME,
            "site_url": settings.SITE_URL,
            "unsubscribe_url": unsubscribe_url,
            "preferences_url": absolute_url(reverse("notifications:preferences")),
        }
        subject, text, html = _render_mail(kind=kind, context=mail_context, language=user.language)
        notifications.append(
            Notification(
                recipient=user,
                kind=kind.key,
                title=subject,
                url=target_url,
                target_type=target_type,
                target_id=str(target.pk) if target is not None else "",
            )
        )
        if user.pk not in opted_out:
            mails.append(
                OutboxMail(
                    recipient=user,
                    to_email=user.email,
                    kind=kind.key,
                    subject=subject,
                    body_text=text,
                    body_html=html,
                    headers=_mail_headers(unsubscribe_url=unsubscribe_url),
                )
            )
    with transaction.atomic():
        created = Notification.objects.bulk_create(notifications)
        queued = OutboxMail.objects.bulk_create(mails)
        queue_outbox_mails(mail_ids=[mail.pk for mail in queued])
    return created


def mail_address(*, to_email: str, kind: "Kind | str", context: dict[str, Any], language: str) -> OutboxMail:
    """Queue a mail to an address that may have no account yet (an invitation), in the caller's
    transaction. There is no in-app notification and, the kind being mandatory, no unsubscribe link."""
    kind = get_kind(kind)
    mail_context = {**context, "portal_name": settings.PORTAL_NAME, "site_url": settings.SITE_URL}
    subject, text, html = _render_mail(kind=kind, context=mail_context, language=language)
    return queue_mail(to_email=to_email, kind=kind, subject=subject, body_text=text, body_html=html)


def queue_mail(
    *, to_email: str, kind: "Kind | str", subject: str, body_text: str, body_html: str = ""
) -> OutboxMail:
    """Queue an already rendered mail (e.g. allauth's account mails) through the outbox, in the caller's
    transaction, so it survives a broker or mail server that is down."""
    kind = get_kind(kind)
    with transaction.atomic():
        outbox_mail = OutboxMail.objects.create(
            to_email=to_email, kind=kind.key, subject=subject[:300], body_text=body_text, body_html=body_html
        )
        queue_outbox_mails(mail_ids=[outbox_mail.pk])
    return outbox_mail


def queue_outbox_mails(*, mail_ids: Sequence[int]) -> None:
    """Hand the mails to Celery once the current transaction commits."""
    if mail_ids:
        ids = list(mail_ids)
        transaction.on_commit(lambda: enqueue_delivery(mail_ids=ids))


def enqueue_delivery(*, mail_ids: Sequence[int]) -> bool:
    """Publish delivery tasks in batches. Never raises: if the broker is down or hanging (publishing is
    bounded by short socket timeouts and not retried), the mails stay pending and the sweep sends them
    once the broker is back. Returns whether every batch was published."""
    from .tasks import deliver_outbox_task, publish

    ids = list(mail_ids)
    for start in range(0, len(ids), DELIVERY_BATCH_SIZE):
        batch = ids[start : start + DELIVERY_BATCH_SIZE]
        try:
            publish(deliver_outbox_task, mail_ids=batch)
        except Exception:  # the broker's failures come in many types (kombu, redis, socket); all mean "later"
            logger.warning(
                "Could not queue %d outbox mail(s); the sweep will retry.", len(ids) - start, exc_info=True
            )
            return False
    return True


def _claim(mail_id: int) -> bool:
    stale = timezone.now() - CLAIM_LEASE
    return bool(
        OutboxMail.objects.filter(
            Q(status=OutboxStatus.PENDING) | Q(status=OutboxStatus.SENDING, claimed_at__lt=stale),
            pk=mail_id,
            attempts__lt=MAX_ATTEMPTS,
        ).update(status=OutboxStatus.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1)
    )


def _message(outbox_mail: OutboxMail, connection) -> mail.EmailMultiAlternatives:
    message = mail.EmailMultiAlternatives(
        subject=outbox_mail.subject,
        body=outbox_mail.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outbox_mail.to_email],
        headers={**outbox_mail.headers, "X-Portal-Mail-Id": str(outbox_mail.pk)},
        connection=connection,
    )
    if outbox_mail.body_html:
        message.attach_alternative(outbox_mail.body_html, "text/html")
    return message


def _release(mail_id: int, attempts: int, error: Exception) -> None:
    """Put a mail whose sending failed back for a later attempt, or give up on it after MAX_ATTEMPTS."""
    OutboxMail.objects.filter(pk=mail_id).update(
        status=OutboxStatus.FAILED if attempts >= MAX_ATTEMPTS else OutboxStatus.PENDING,
        claimed_at=None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
    logger.warning("Outbox mail %s not sent: %s", mail_id, error)


def deliver_outbox_mails(*, mail_ids: Sequence[int]) -> int:
    """Send the given outbox mails that are still unsent, over one SMTP connection. Each mail is claimed
    (a conditional UPDATE) just before it is sent and marked sent just after, so a second run, or a
    concurrent one, sends nothing twice. If the mail server cannot be reached, the rest of the batch is
    left unclaimed for the sweep. Returns how many were sent."""
    sent = 0
    connection = None
    try:
        for mail_id in mail_ids:
            if not _claim(mail_id):
                continue
            outbox_mail = OutboxMail.objects.get(pk=mail_id)
            if connection is None:
                # Opened explicitly: a backend's send_messages() opens (and closes) a connection of its
                # own per call when none is open, which would mean one SMTP session per mail.
                try:
                    connection = mail.get_connection()
                    connection.open()
                except Exception as error:  # server down or refusing us: every mail would fail alike
                    connection = None
                    _release(mail_id, outbox_mail.attempts, error)
                    break
            try:
                connection.send_messages([_message(outbox_mail, connection)])
            except Exception as error:  # SMTP and network errors: keep the mail for a later attempt
                _release(mail_id, outbox_mail.attempts, error)
                # The session may be broken (a disconnect) or merely have refused one recipient; start a
                # fresh one for the next mail either way.
                connection.close()
                connection = None
                continue
            OutboxMail.objects.filter(pk=mail_id).update(
                status=OutboxStatus.SENT, sent_at=timezone.now(), last_error=""
            )
            sent += 1
    finally:
        if connection is not None:
            connection.close()
    return sent


def sweep_outbox() -> int:
    """Hand out again what was never queued (broker down at commit time) or whose worker died. Returns
    how many mails it handed out. A mail whose claim expired after its last attempt (its worker died every
    time: a poison message) is marked failed instead of being handed out for ever."""
    now = timezone.now()
    OutboxMail.objects.filter(
        status=OutboxStatus.SENDING, claimed_at__lt=now - CLAIM_LEASE, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=OutboxStatus.FAILED, claimed_at=None, last_error="Gave up: no worker finished sending it."
    )
    ids = list(
        OutboxMail.objects.filter(
            Q(status=OutboxStatus.PENDING, created_at__lt=now - SWEEP_GRACE)
            | Q(status=OutboxStatus.SENDING, claimed_at__lt=now - CLAIM_LEASE)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:10_000]
    )
    if ids:
        enqueue_delivery(mail_ids=ids)
    return len(ids)


def mark_notification_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )


def mark_all_notifications_read(*, user) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def set_email_preference(*, user, kind: "Kind | str", enabled: bool) -> None:
    kind = get_kind(kind)
    if kind.mandatory:
        return
    EmailPreference.objects.update_or_create(user=user, kind=kind.key, defaults={"email_enabled": enabled})


def set_email_preferences(*, user, enabled: dict[str, bool]) -> None:
    with transaction.atomic():
        for key, value in enabled.items():
            set_email_preference(user=user, kind=key, enabled=value)


def claim_reminders(*, users: Iterable, key: str) -> list:
    """Record that the reminder `key` goes to these users and return those who had not had it yet. Safe
    against a schedule that runs twice, or twice at once: inserting the unique (user, key) row is the
    claim, and a concurrent insert of the same row waits for ours and then fails."""
    from django.db import IntegrityError

    from .models import ReminderRecord

    candidates = {user.pk: user for user in users}
    if not candidates:
        return []
    already = set(
        ReminderRecord.objects.filter(key=key, user_id__in=candidates).values_list("user_id", flat=True)
    )
    claimed = []
    for pk, user in candidates.items():
        if pk in already:
            continue
        try:
            with transaction.atomic():
                ReminderRecord.objects.create(user_id=pk, key=key)
        except IntegrityError:
            continue
        claimed.append(user)
    return claimed
