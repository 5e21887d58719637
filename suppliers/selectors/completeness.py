"""What a proposal still lacks before it can be submitted. The editor shows each gap at its field; the
submission service refuses a proposal with any gap. Keys are the editor's field names."""

from decimal import Decimal

from django.utils.translation import gettext as _

from ..enums import PartnerStatus
from ..models import Proposal

REQUIRED_TEXT = {
    "summary": lambda: _("Write a summary of your proposal."),
    "approach": lambda: _("Describe your approach."),
    "team": lambda: _("Describe the team that will do the work."),
    "timeline": lambda: _("Give a timeline."),
}


def outcome_field(outcome_id: int) -> str:
    return f"outcome-{outcome_id}"


def criterion_field(criterion_id: int) -> str:
    return f"criterion-{criterion_id}"


def submission_gaps(*, proposal: Proposal) -> dict[str, str]:
    """Field name → what is missing, in the order the editor shows the fields. Empty when complete."""
    gaps: dict[str, str] = {}
    for field, message in REQUIRED_TEXT.items():
        if not (getattr(proposal, field) or "").strip():
            gaps[field] = message()

    outcome_answers = {
        answer.outcome_id: answer.answer for answer in proposal.outcome_answers.all() if answer.answer.strip()
    }
    for outcome in proposal.challenge.outcomes.all():
        if outcome.pk not in outcome_answers:
            gaps[outcome_field(outcome.pk)] = _("Explain how you reach this outcome.")

    criterion_answers = {
        answer.criterion_id: answer.answer
        for answer in proposal.criterion_answers.all()
        if answer.answer.strip()
    }
    for criterion in proposal.challenge.criteria.all():
        if criterion.pk not in criterion_answers:
            gaps[criterion_field(criterion.pk)] = _("Answer this evaluation criterion.")

    if proposal.price is None:
        gaps["price"] = _("Give the total price.")
    else:
        lines = list(proposal.price_lines.all())
        if lines and sum((line.amount for line in lines), Decimal("0")) != proposal.price:
            gaps["price_lines"] = _("The breakdown adds up to %(sum)s, not to the total price %(price)s.") % {
                "sum": sum((line.amount for line in lines), Decimal("0")),
                "price": proposal.price,
            }

    partners = list(proposal.partners.all())
    pending = [partner for partner in partners if partner.status == PartnerStatus.INVITED]
    if pending:
        gaps["partners"] = _(
            "%(count)s invited partner(s) have not answered yet: wait for them or withdraw the invitation."
        ) % {"count": len(pending)}
    accepted = [partner for partner in partners if partner.status == PartnerStatus.ACCEPTED]
    if accepted:
        if not proposal.lead_role.strip():
            gaps["lead_role"] = _("State your own role in the consortium.")
        if proposal.lead_share is None:
            gaps["lead_share"] = _("State your own share of the work.")
        else:
            total = proposal.lead_share + sum((partner.work_share for partner in accepted), Decimal("0"))
            if total != Decimal("100"):
                gaps["lead_share"] = _("The shares of the work add up to %(total)s%%, not 100%%.") % {
                    "total": total.normalize()
                }
    return gaps
