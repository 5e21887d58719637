"""Writes of the case-study library: a challenge's case study (prefilled from the challenge, saved as a
draft, edited, published and unpublished by the owning organisation's members), and the case study an
exchange's reflection report publishes (exchanges.services.reports calls publish_exchange_case_study; this
app knows nothing of exchanges). Publishing and unpublishing are audit-logged."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.models import Challenge
from portal.accounts.models import Organisation
from portal.audit.services import record_audit

from .enums import OUTCOME_OF_CHALLENGE_STATUS, CaseOutcome, CaseSource, CaseStudyStatus
from .models import CaseStudy
from .rules import ENDED_STATUSES

# What a person edits (the form's fields); source, owner, challenge, outcome and country follow from the
# challenge or the exchange.
EDITABLE_FIELDS = (
    "title",
    "need",
    "route",
    "market_engagement",
    "result",
    "outcome_against_indicators",
    "lessons",
    "would_do_differently",
    "contacts",
    "capability",
)
RELATED_FIELDS = ("themes", "cpv_codes")


class CaseStudyStateError(Exception):
    """An action the case study's (or its challenge's) state does not allow; the message says why."""


def _paragraphs(*texts: str) -> str:
    return "\n\n".join(text.strip() for text in texts if text and text.strip())


def indicators_starting_text(challenge: Challenge) -> str:
    """The challenge's outcomes and their indicators as a text to complete with what each one showed."""
    blocks = []
    for outcome in challenge.outcomes.all():
        figures = [
            _("Indicator: %(indicator)s") % {"indicator": outcome.indicator},
            *([_("baseline %(value)s") % {"value": outcome.baseline}] if outcome.baseline else []),
            _("target %(value)s") % {"value": outcome.target},
        ]
        blocks.append(
            "\n".join(
                [
                    f"- {outcome.description.strip()}",
                    f"  {'; '.join(figures)}.",
                    "  " + _("What it showed:") + " ",
                ]
            )
        )
    return "\n".join(blocks)


def case_study_prefill(*, challenge: Challenge) -> dict:
    """The form's starting values from the challenge: its title, its need (the statement's summary,
    today's situation, who is affected and why now), its route, themes and CPV codes, and its outcomes
    with their indicators as the start of "outcome against the indicators"."""
    return {
        "title": challenge.title,
        "need": _paragraphs(
            challenge.summary, challenge.current_situation, challenge.affected, challenge.why_now
        ),
        "route": challenge.route,
        "outcome_against_indicators": indicators_starting_text(challenge),
        "themes": list(challenge.themes.all()),
        "cpv_codes": list(challenge.cpv_codes.all()),
    }


def _set_values(case_study: CaseStudy, values: dict) -> tuple[dict, list[str]]:
    unknown = set(values) - set(EDITABLE_FIELDS) - set(RELATED_FIELDS)
    if unknown:
        raise TypeError(f"Unknown case study fields: {sorted(unknown)}")
    related = {name: values[name] for name in RELATED_FIELDS if name in values}
    changed = []
    for name in EDITABLE_FIELDS:
        if name in values and getattr(case_study, name) != values[name]:
            setattr(case_study, name, values[name])
            changed.append(name)
    return related, changed


def create_case_study(*, challenge: Challenge, by, **values) -> CaseStudy:
    """A draft case study of an ended challenge, owned by the challenge's organisation, with its outcome
    and country from the challenge. One per challenge: a second is refused."""
    with transaction.atomic():
        challenge = (
            Challenge.objects.select_for_update(of=("self",)).select_related("owner").get(pk=challenge.pk)
        )
        if challenge.status not in ENDED_STATUSES or challenge.published_at is None:
            raise CaseStudyStateError(
                _("A case study is written once the challenge is awarded, not awarded or cancelled.")
            )
        if CaseStudy.objects.filter(challenge=challenge).exists():
            raise CaseStudyStateError(_("This challenge already has its case study."))
        case_study = CaseStudy(
            source=CaseSource.CHALLENGE,
            owner=challenge.owner,
            challenge=challenge,
            outcome=OUTCOME_OF_CHALLENGE_STATUS[challenge.status],
            country=challenge.owner.country,
            created_by=by,
        )
        related, _changed = _set_values(case_study, values)
        try:
            with transaction.atomic():
                case_study.save()
        except IntegrityError as error:  # a colleague saved one at the same moment
            raise CaseStudyStateError(_("This challenge already has its case study.")) from error
        for name, items in related.items():
            getattr(case_study, name).set(items)
        record_audit(actor=by, action="casestudy.created", target=case_study, organisation=challenge.owner)
    return case_study


def _missing_for_publication(case_study: CaseStudy) -> list[str]:
    """What a published case study must say: its title and need, and for a challenge's its lessons too (an
    exchange's lessons are the report's learnings, which the report may leave empty)."""
    required = [(_("the title"), case_study.title), (_("the need"), case_study.need)]
    if case_study.source == CaseSource.CHALLENGE:
        required.append((_("the lessons learnt"), case_study.lessons))
    return [label for label, value in required if not (value or "").strip()]


def _missing_error(missing: list[str], *, published: bool) -> CaseStudyStateError:
    if published:
        return CaseStudyStateError(
            _("A published case study must keep %(missing)s: write it, or unpublish the case study first.")
            % {"missing": ", ".join(missing)}
        )
    return CaseStudyStateError(
        _("Write %(missing)s before publishing the case study.") % {"missing": ", ".join(missing)}
    )


def update_case_study(*, case_study: CaseStudy, by, **values) -> CaseStudy:
    """Change what a person writes; a published case study changes in public at once, and must keep what
    publishing required (refused otherwise, nothing saved). Nothing changed: no write and no audit entry."""
    with transaction.atomic():
        case_study = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
        related, changed = _set_values(case_study, values)
        if case_study.is_published and (missing := _missing_for_publication(case_study)):
            raise _missing_error(missing, published=True)
        changed_related = [
            name
            for name, items in related.items()
            if {item.pk for item in items} != set(getattr(case_study, name).values_list("pk", flat=True))
        ]
        if not changed and not changed_related:
            return case_study
        if changed:
            case_study.save(update_fields=[*changed, "updated_at"])
        else:
            case_study.save(update_fields=["updated_at"])
        for name in changed_related:
            getattr(case_study, name).set(related[name])
        record_audit(
            actor=by,
            action="casestudy.updated",
            target=case_study,
            organisation=case_study.owner,
            data={"fields": sorted([*changed, *changed_related])},
        )
    return case_study


def sync_exchange_case_study(*, case_study: CaseStudy, by, **values) -> CaseStudy:
    """Bring an exchange's case study in line with its reflection report after the report (or its event's
    title) was edited: of title, need, lessons and result, those given and different are copied (an empty
    need becomes the title, as a published case study must state one). Audited as casestudy.updated with
    the fields that changed; nothing changed, nothing written. The caller holds the transaction."""
    unknown = set(values) - {"title", "need", "lessons", "result"}
    if unknown:
        raise TypeError(f"Unknown case study fields: {sorted(unknown)}")
    with transaction.atomic():
        case_study = CaseStudy.objects.select_for_update().select_related("owner").get(pk=case_study.pk)
        if case_study.source != CaseSource.EXCHANGE:
            raise CaseStudyStateError(_("Only a case study from an exchange follows its reflection report."))
        if "title" in values:
            values["title"] = values["title"][:200]
        if "need" in values and not values["need"].strip():
            values["need"] = values.get("title", case_study.title)
        _related, changed = _set_values(case_study, values)
        if not changed:
            return case_study
        case_study.save(update_fields=[*changed, "updated_at"])
        record_audit(
            actor=by,
            action="casestudy.updated",
            target=case_study,
            organisation=case_study.owner,
            data={"fields": sorted(changed), "from": "reflection report"},
        )
    return case_study


def _publish(case_study: CaseStudy, by) -> None:
    case_study.status, case_study.published_at = CaseStudyStatus.PUBLISHED, timezone.now()
    case_study.save()
    record_audit(actor=by, action="casestudy.published", target=case_study, organisation=case_study.owner)


def publish_case_study(*, case_study: CaseStudy, by) -> CaseStudy:
    """Draft → published: the library lists it, and challenges on similar themes point to it."""
    with transaction.atomic():
        case_study = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
        if case_study.status != CaseStudyStatus.DRAFT:
            raise CaseStudyStateError(_("The case study is already published."))
        if case_study.source != CaseSource.CHALLENGE:
            raise CaseStudyStateError(
                _("A case study from an exchange is published from its reflection report.")
            )
        if missing := _missing_for_publication(case_study):
            raise _missing_error(missing, published=False)
        _publish(case_study, by)
    return case_study


def unpublish_case_study(*, case_study: CaseStudy, by) -> CaseStudy:
    """Published → draft: it leaves the library, the agendas that link it and the suggestions; the owner's
    members and programme staff still see it."""
    with transaction.atomic():
        case_study = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
        if case_study.status != CaseStudyStatus.PUBLISHED:
            raise CaseStudyStateError(_("The case study is not published."))
        case_study.status, case_study.published_at = CaseStudyStatus.DRAFT, None
        case_study.save(update_fields=["status", "published_at", "updated_at"])
        record_audit(
            actor=by, action="casestudy.unpublished", target=case_study, organisation=case_study.owner
        )
    return case_study


def publish_exchange_case_study(
    *,
    case_study: CaseStudy | None,
    owner: Organisation,
    title: str,
    need: str,
    lessons: str,
    result: str,
    by,
) -> CaseStudy:
    """Publish what an exchange's participants learnt: create the case study, or refresh a withdrawn one
    (title, need, lessons and result follow the report again; what staff added in the library, such as
    themes or the capability, stays). A report without a summary gives the title as the need: a published
    case study states one. The caller links it to its report and holds the transaction."""
    with transaction.atomic():
        if case_study is None:
            case_study = CaseStudy(
                source=CaseSource.EXCHANGE, outcome=CaseOutcome.EXCHANGE, created_by=by, owner=owner
            )
        else:
            case_study = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
            if case_study.status == CaseStudyStatus.PUBLISHED:
                raise CaseStudyStateError(_("The case study is already published."))
        case_study.owner, case_study.country = owner, owner.country
        case_study.title = title[:200]
        case_study.need = need if need.strip() else case_study.title
        case_study.lessons, case_study.result = lessons, result
        _publish(case_study, by)
    return case_study
