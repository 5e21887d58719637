"""Writes of the programme dashboard's settings: which buying organisations a programme follows and its
target for the innovative share. Each change is in the audit log."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation, User
from portal.audit.services import record_audit

from .models import Programme


def _check(*, buyers, target: Decimal) -> list[Organisation]:
    buyers = list(buyers)
    if any(buyer.kind != OrganisationKind.BUYER for buyer in buyers):
        raise ValidationError(_("A programme follows buying organisations only."))
    if target is None or not Decimal(0) <= target <= Decimal(100):
        raise ValidationError(_("The target must be a percentage between 0 and 100."))
    return buyers


def create_programme(*, organisation: Organisation, buyers, target: Decimal, by: User) -> Programme:
    """Give a programme organisation its dashboard. Side effect: an audit entry."""
    buyers = _check(buyers=buyers, target=target)
    if organisation.kind != OrganisationKind.PROGRAMME:
        raise ValidationError(_("Only a programme organisation can have a programme dashboard."))
    taken = _("This organisation already has a programme dashboard.")
    with transaction.atomic():
        if Programme.objects.filter(organisation=organisation).exists():
            raise ValidationError(taken)
        try:
            # Two people creating the same dashboard at once both pass the check above; the unique
            # organisation column refuses the second, which gets the same message rather than a 500.
            with transaction.atomic():
                programme = Programme.objects.create(
                    organisation=organisation, innovative_share_target=target
                )
        except IntegrityError as error:
            raise ValidationError(taken) from error
        programme.buyers.set(buyers)
        record_audit(
            actor=by,
            action="insight.programme_created",
            target=programme,
            organisation=organisation,
            data={"target": str(target), "buyers": sorted(buyer.pk for buyer in buyers)},
        )
    return programme


def update_programme(*, programme: Programme, buyers, target: Decimal, by: User) -> Programme:
    """Change a programme's target and the buyers it follows. Side effect: an audit entry with what was
    before and after."""
    buyers = _check(buyers=buyers, target=target)
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        before = {
            "target": str(programme.innovative_share_target),
            "buyers": sorted(programme.buyers.values_list("pk", flat=True)),
        }
        programme.innovative_share_target = target
        programme.save(update_fields=["innovative_share_target", "updated_at"])
        programme.buyers.set(buyers)
        record_audit(
            actor=by,
            action="insight.programme_updated",
            target=programme,
            organisation=programme.organisation,
            data={"before": before, "after": {"target": str(target), "buyers": sorted(b.pk for b in buyers)}},
        )
    return programme
