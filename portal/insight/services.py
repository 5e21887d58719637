"""Writes of the insight app: a buying organisation's yearly procurement volume and its capability
self-assessment. Each creates that year's row or revises it, and records the old and new figures in the
audit log."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.casestudies.enums import Capability
from challenges.enums import Currency
from portal.accounts.models import Organisation, User
from portal.audit.services import record_audit

from .models import FIRST_YEAR, MATURITY_MAX, MATURITY_MIN, CapabilityAssessment, ProcurementVolume

# The database column's limit (PostgreSQL's integer).
MAX_PROCUREMENT_COUNT = 2_147_483_647
MAX_PROCUREMENT_VALUE = Decimal(10) ** 14  # 16 digits, 2 of them decimals


class InsightError(Exception):
    """A write the rules refuse; its message is shown to the person as it is."""


def volume_years(today=None) -> tuple[int, int]:
    """The years a procurement volume may be recorded for: from 2000 up to next year (a budget)."""
    today = today or timezone.localdate()
    return FIRST_YEAR, today.year + 1


def assessment_years(today=None) -> tuple[int, int]:
    """The years a self-assessment may be submitted or revised for: the previous year and this one."""
    today = today or timezone.localdate()
    return today.year - 1, today.year


def _volume_figures(volume: ProcurementVolume | None) -> dict | None:
    if volume is None:
        return None
    return {
        "procurement_count": volume.procurement_count,
        "procurement_value": str(volume.procurement_value),
        "currency": volume.currency,
    }


def record_procurement_volume(
    *,
    organisation: Organisation,
    year: int,
    procurement_count: int,
    procurement_value: Decimal,
    currency: str,
    by: User,
) -> ProcurementVolume:
    """Create or revise a buying organisation's total procurement of a year. Side effect: an audit entry
    with the old figures (None for a new year) and the new ones; nothing is written when nothing changed."""
    first, last = volume_years()
    if not organisation.is_buyer:
        raise InsightError(_("Only buying organisations record procurement volumes."))
    if not first <= year <= last:
        raise InsightError(_("Give a year between %(first)s and %(last)s.") % {"first": first, "last": last})
    if procurement_count < 0 or procurement_value < 0:
        raise InsightError(_("The number and value of procurements cannot be negative."))
    if procurement_count > MAX_PROCUREMENT_COUNT or procurement_value >= MAX_PROCUREMENT_VALUE:
        raise InsightError(_("That number is too large. Check the figures."))
    procurement_value = Decimal(procurement_value).quantize(Decimal("0.01"))
    if currency not in Currency.values:
        raise InsightError(_("Choose one of the currencies offered."))
    new = {
        "procurement_count": procurement_count,
        "procurement_value": procurement_value,
        "currency": currency,
    }

    return _save_yearly_row(
        ProcurementVolume,
        organisation=organisation,
        year=year,
        values=new,
        by=by,
        by_field="recorded_by",
        figures=_volume_figures,
        actions=("insight.procurement_volume_recorded", "insight.procurement_volume_revised"),
    )


def _assessment_figures(assessment: CapabilityAssessment | None) -> dict | None:
    if assessment is None:
        return None
    return {**assessment.levels(), "notes": assessment.notes}


def submit_capability_assessment(
    *, organisation: Organisation, year: int, levels: dict[str, int], notes: str, by: User
) -> CapabilityAssessment:
    """Submit or revise a buying organisation's self-assessment of the current or the previous year.
    `levels` rates every capability from 1 to 5. Side effect: an audit entry with the old answers (None for a
    first submission) and the new ones; nothing is written when nothing changed."""
    first, last = assessment_years()
    if not organisation.is_buyer:
        raise InsightError(_("Only buying organisations assess their capabilities."))
    if not first <= year <= last:
        raise InsightError(
            _("You can answer for %(first)s or %(last)s only.") % {"first": first, "last": last}
        )
    if set(levels) != set(Capability.values) or not all(
        isinstance(level, int) and MATURITY_MIN <= level <= MATURITY_MAX for level in levels.values()
    ):
        raise InsightError(
            _("Rate every capability from %(min)s to %(max)s.") % {"min": MATURITY_MIN, "max": MATURITY_MAX}
        )
    new = {**levels, "notes": notes.strip()}

    return _save_yearly_row(
        CapabilityAssessment,
        organisation=organisation,
        year=year,
        values=new,
        by=by,
        by_field="submitted_by",
        figures=_assessment_figures,
        actions=("insight.capability_assessment_submitted", "insight.capability_assessment_revised"),
    )


def _save_yearly_row(model, *, organisation, year, values, by, by_field, figures, actions):
    """Create the organisation's row of the year, or revise it under a row lock, and record the old
    figures (None for a new row) and the new ones in the audit log; nothing is written when nothing
    changed. Two admins saving a new year at once: the second one revises the row the first created."""
    created_action, revised_action = actions
    with transaction.atomic():
        row = model.objects.select_for_update().filter(organisation=organisation, year=year).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = model.objects.create(
                        organisation=organisation, year=year, **{by_field: by}, **values
                    )
            except IntegrityError:
                row = model.objects.select_for_update().get(organisation=organisation, year=year)
            else:
                _audit_yearly_row(row, old=None, by=by, action=created_action, figures=figures)
                return row
        old = figures(row)
        if all(getattr(row, name) == value for name, value in values.items()):
            return row
        for name, value in values.items():
            setattr(row, name, value)
        setattr(row, by_field, by)
        row.save(update_fields=[*values, by_field, "updated_at"])
        _audit_yearly_row(row, old=old, by=by, action=revised_action, figures=figures)
    return row


def _audit_yearly_row(row, *, old: dict | None, by: User, action: str, figures) -> None:
    record_audit(
        actor=by,
        action=action,
        target=row,
        organisation=row.organisation,
        data={"year": row.year, "old": old, "new": figures(row)},
    )
