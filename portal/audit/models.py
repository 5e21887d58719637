from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AuditEventQuerySet":
        """Programme staff see every entry except those about a bid still sealed; an organisation's
        admins see their organisation's (a bidder's admins see their own bid's history)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_programme_staff:
            return self.without_sealed()
        admin_of = [pk for pk, role in user.organisation_roles.items() if role == "admin"]
        return self.filter(organisation_id__in=admin_of)

    def sealed(self) -> Q:
        """Entries about a proposal whose challenge has not passed its deadline: they would tell the reader
        who is bidding."""
        from suppliers.sealing import sealed_targets  # the bids app defines what is sealed

        return sealed_targets()

    def without_sealed(self) -> "AuditEventQuerySet":
        return self.exclude(self.sealed())

    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Who did what to which object, when (UTC) and from where. Append-only: the model refuses updates and
    deletes, and on PostgreSQL a trigger refuses them in the database too."""

    # No database constraint and no cascade: deleting a user or an organisation must not rewrite history.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    # A copy of the actor's email at the time, so the entry outlives the account.
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=300, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="audit_organisation_time")]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label or '-'} {self.action} {self.target_label}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")
