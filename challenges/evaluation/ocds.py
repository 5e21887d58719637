"""Open Contracting Data Standard (OCDS 1.1.5) releases of the portal's public challenges.

A challenge is one contracting process (``ocid`` = the OCDS_OCID_PREFIX setting + its id). Each state
change the portal can reconstruct is one release, immutable once published, with a stable id:

- ``tender`` at publication (``<ocid>-tender-1``),
- ``tenderAmendment`` per amendment (``<ocid>-amendment-<pk>``), or ``tenderCancellation`` for the
  amendment that records a cancellation (``<ocid>-cancellation`` when there is no such amendment),
- ``tenderUpdate`` when the challenge closed at its deadline (``<ocid>-closed``): from then on the number
  of tenderers is public,
- ``award`` when the award is decided (``<ocid>-award-<pk>``: awards in standstill are ``pending``; a
  decision not to award is an ``unsuccessful`` award and an ``unsuccessful`` tender), and ``awardUpdate``
  when the standstill ends (``<ocid>-award-<pk>-final``: the awards become ``active``); an outcome
  recorded without an award decision (older data) is a ``tenderUpdate`` (``<ocid>-outcome``).

Each release describes the challenge as it stood at the release's date: the amended fields are put back
to their earlier values from the amendments' recorded changes, documents appear from when they were
published, and the number of tenderers only once the deadline has passed (before it even the count is
sealed). Organisations (names, addresses, size) are described as the portal knows them today.

Enquirers: the organisations that asked clarification questions are ``enquirer`` parties, but only in
releases dated after the tender period has ended (the submission deadline as it stood at the release's
date). Before then, naming them would tell everyone, competitors included, who is preparing a bid, and
would undo the anonymised publication of the questions while it matters. Even afterwards an organisation
that bid (lead or accepted partner of a submitted proposal) is not named as an enquirer, since unsuccessful
bidders are never named: an awarded supplier that asked carries both roles in the award releases, and the
others stay unnamed in every release, so no later release changes an earlier one. ``tender.hasEnquiries``
says whether questions were asked at all.

What is deliberately left out:
- Unsuccessful bidders are never named: ``tender.tenderers`` is not published, only ``numberOfTenderers``;
  the only ``supplier`` parties are the awarded proposals' lead and accepted consortium partners, and
  bidders are never ``enquirer`` parties (above).
- The award's rationale: free text written for the bidders, which may discuss other bidders' proposals.
  The award's ``description`` is its public summary instead, written for everyone (the award notice on
  the challenge's page shows the same text).

Text (the route's label, the criteria summary, country names) is written in the challenge's own language,
which each release states in ``language``, so a release reads the same whoever downloads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from challenges.enums import ChallengeStatus, ProcurementRoute
from challenges.models import Amendment, Challenge
from suppliers.enums import PartnerStatus

from .enums import AwardDecision, AwardStatus

OCDS_VERSION = "1.1"
# Organisation scale in parties/details/scale (micro / sme / large), and links.next / links.prev on the
# paginated bulk package.
SCALE_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_partyDetails_scale_extension/master/extension.json"
)
PAGINATION_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_pagination_extension/master/extension.json"
# Creative Commons Attribution 4.0: an Open Definition conformant licence, as OCDS recommends. A portal
# that publishes under another licence sets OPEN_DATA_LICENSE_URL / OPEN_DATA_LICENSE_NAME.
DEFAULT_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
DEFAULT_LICENSE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"

# EU procedure types as OCDS's method codelist sees them: anyone may answer an open call; the procedures
# that select candidates before the dialogue or negotiation are selective.
PROCUREMENT_METHODS = {
    ProcurementRoute.PRE_COMMERCIAL: "open",
    ProcurementRoute.INNOVATION_PARTNERSHIP: "selective",
    ProcurementRoute.COMPETITIVE_DIALOGUE: "selective",
    ProcurementRoute.COMPETITIVE_NEGOTIATION: "selective",
    ProcurementRoute.OPEN_WITH_VARIANTS: "open",
    ProcurementRoute.PROOF_OF_VALUE: "open",
    ProcurementRoute.MARKET_CONSULTATION: "open",
}

# The EU SME size classes in the scale extension's codelist (micro is its own code there).
SCALES = {"micro": "micro", "small": "sme", "medium": "sme", "large": "large"}

# Organisation identifier schemes (org-id.guide) of the countries the portal's buyers and suppliers come
# from; an identifier from elsewhere is published without a scheme rather than with a guessed one.
IDENTIFIER_SCHEMES = {
    "NO": "NO-BRC",
    "SE": "SE-BLV",
    "DK": "DK-CVR",
    "FI": "FI-PRO",
    "EE": "EE-RIK",
    "NL": "NL-KVK",
    "GB": "GB-COH",
}

# Fields an amendment can change that the releases show (the others are not in OCDS).
DESCRIPTION_FIELDS = ("summary", "current_situation", "affected", "why_now")
DATETIME_FIELDS = ("submission_deadline", "questions_deadline")
CONTACT_FIELDS = ("contact_name", "contact_email")
# "criteria" is the text the criteria amendment records ("Name (60 %); Other (40 %)").
CRITERIA_FIELDS = ("criteria", "scoring_scale")
TRACKED_FIELDS = (*DESCRIPTION_FIELDS, *DATETIME_FIELDS, *CONTACT_FIELDS, *CRITERIA_FIELDS)


def ocid_for(challenge: Challenge) -> str:
    return f"{settings.OCDS_OCID_PREFIX}-{challenge.pk}"


def license_url() -> str:
    return getattr(settings, "OPEN_DATA_LICENSE_URL", DEFAULT_LICENSE_URL)


def license_name() -> str:
    return getattr(settings, "OPEN_DATA_LICENSE_NAME", DEFAULT_LICENSE_NAME)


def absolute(path: str) -> str:
    """An address on the portal's public site (SITE_URL), whichever host the request came in by."""
    return f"{settings.SITE_URL}{path}"


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC, to the second, with its offset (one format, so dates compare as text too)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _value(amount: Decimal | None, currency: str) -> dict | None:
    if amount is None:
        return None
    return {"amount": _number(amount), "currency": currency}


def _compact(data: dict) -> dict:
    """Leave out what is unknown rather than publishing nulls and empty lists."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def is_cancellation(amendment: Amendment) -> bool:
    status = (amendment.changes or {}).get("status")
    return isinstance(status, dict) and status.get("to") == ChallengeStatus.CANCELLED


def award_of(challenge: Challenge):
    """The challenge's award, or None (reads what select_related loaded)."""
    try:
        return challenge.award
    except ObjectDoesNotExist:
        return None


@dataclass
class _Event:
    release_id: str
    tag: str
    date: datetime
    tender_status: str
    amendment: Amendment | None = None
    awards: str = ""  # "", "pending", "active" or "unsuccessful"
    amendments_applied: int = 0


def _public_amendments(challenge: Challenge) -> list[Amendment]:
    """Amendments in the order they were made (only a published challenge is amended; one dated before
    the publication cannot come through the services and would precede the tender release)."""
    amendments = sorted(challenge.amendments.all(), key=lambda a: (a.created_at, a.pk))
    return [amendment for amendment in amendments if amendment.created_at >= challenge.published_at]


def _events(challenge: Challenge, ocid: str, amendments: list[Amendment]) -> list[_Event]:
    """The release events of a public challenge, oldest first."""
    events = [_Event(f"{ocid}-tender-1", "tender", challenge.published_at, "active")]
    cancelled_by_amendment = False
    for amendment in amendments:
        if is_cancellation(amendment):
            cancelled_by_amendment = True
            events.append(
                _Event(
                    f"{ocid}-amendment-{amendment.pk}",
                    "tenderCancellation",
                    amendment.created_at,
                    "cancelled",
                    amendment,
                )
            )
        else:
            events.append(
                _Event(
                    f"{ocid}-amendment-{amendment.pk}",
                    "tenderAmendment",
                    amendment.created_at,
                    "active",
                    amendment,
                )
            )
    if challenge.closed_at and challenge.closed_at >= challenge.published_at:
        events.append(_Event(f"{ocid}-closed", "tenderUpdate", challenge.closed_at, "active"))
    if challenge.status == ChallengeStatus.CANCELLED and not cancelled_by_amendment:
        date = challenge.cancelled_at or challenge.updated_at
        events.append(_Event(f"{ocid}-cancellation", "tenderCancellation", date, "cancelled"))
    award = award_of(challenge)
    if award is not None:
        if award.decision == AwardDecision.AWARD:
            events.append(
                _Event(f"{ocid}-award-{award.pk}", "award", award.decided_at, "complete", awards="pending")
            )
            if award.status == AwardStatus.FINAL and award.final_at:
                events.append(
                    _Event(
                        f"{ocid}-award-{award.pk}-final",
                        "awardUpdate",
                        award.final_at,
                        "complete",
                        awards="active",
                    )
                )
        else:
            events.append(
                _Event(
                    f"{ocid}-award-{award.pk}",
                    "award",
                    award.decided_at,
                    "unsuccessful",
                    awards="unsuccessful",
                )
            )
    elif challenge.status in {ChallengeStatus.AWARDED, ChallengeStatus.NOT_AWARDED}:
        # An outcome recorded without an award decision (data from before awards existed): the tender's
        # end state is known, its awards are not.
        status = "complete" if challenge.status == ChallengeStatus.AWARDED else "unsuccessful"
        events.append(_Event(f"{ocid}-outcome", "tenderUpdate", challenge.updated_at, status))
    # Stable order; the tender release stays first even if a clock put something at the same instant.
    events[1:] = sorted(events[1:], key=lambda e: e.date)
    applied = 0
    for event in events:
        if event.amendment is not None:
            applied += 1
        event.amendments_applied = applied
    return events


def _fields_as_of(challenge: Challenge, amendments: list[Amendment], applied: int) -> dict[str, Any]:
    """The tracked fields as they stood once the first `applied` amendments had been made: later
    amendments are undone from their recorded {"from", "to"} changes, newest first."""
    values = {name: getattr(challenge, name) for name in TRACKED_FIELDS if name != "criteria"}
    values["criteria"] = criteria_text(challenge)
    for amendment in reversed(amendments[applied:]):
        for name, change in (amendment.changes or {}).items():
            if name not in values or not isinstance(change, dict) or "from" not in change:
                continue
            before = change["from"]
            if name in DATETIME_FIELDS and isinstance(before, str):
                before = parse_datetime(before)
            values[name] = before
    return values


def _party_id(organisation) -> str:
    return f"org-{organisation.pk}"


def _party(organisation, roles: list[str], contact: dict | None = None) -> dict:
    scheme = IDENTIFIER_SCHEMES.get(str(organisation.country))
    identifier = None
    if organisation.identifier:
        identifier = _compact(
            {"scheme": scheme, "id": organisation.identifier, "legalName": organisation.name}
        )
    address = _compact(
        {
            "locality": organisation.city,
            "region": organisation.region,
            "countryName": str(organisation.country.name) if organisation.country else "",
        }
    )
    details = {"scale": SCALES[organisation.sme_size]} if organisation.sme_size in SCALES else None
    return _compact(
        {
            "id": _party_id(organisation),
            "name": organisation.name,
            "identifier": identifier,
            "address": address,
            "contactPoint": contact,
            "roles": roles,
            "details": details,
        }
    )


def _reference(organisation) -> dict:
    return {"id": _party_id(organisation), "name": organisation.name}


def _main_category(codes: list) -> str | None:
    """From the first CPV code's division: 45 is works, 03 to 44 and 48 supplies, the rest services."""
    if not codes:
        return None
    division = int(codes[0].code[:2])
    if division == 45:
        return "works"
    if 3 <= division <= 44 or division == 48:
        return "goods"
    return "services"


def criteria_text(challenge: Challenge) -> str:
    """The criteria and their weights, as the criteria amendment records them."""
    return "; ".join(f"{criterion.name} ({criterion.weight} %)" for criterion in challenge.criteria.all())


def _award_criteria_details(criteria: str, scoring_scale) -> str:
    scale = _(
        "Each criterion is scored from 0 to %(scale)s; the weighted total (weight × score ÷ %(scale)s) "
        "is out of 100."
    ) % {"scale": scoring_scale}
    return f"{criteria}. {scale}" if criteria else scale


def _amendment_description(amendment: Amendment) -> str:
    if amendment.summary.strip():
        return amendment.summary.strip()
    names = []
    for name in amendment.changes or {}:
        try:
            names.append(str(Challenge._meta.get_field(name).verbose_name))
        except Exception:  # a change that is not a field of the challenge (e.g. documents)
            names.append(name)
    return _("Changed: %(fields)s") % {"fields": ", ".join(names)}


def _day_start(day, zone) -> str | None:
    return iso(datetime.combine(day, time.min, tzinfo=zone)) if day else None


def _tenderer_count(challenge: Challenge) -> int:
    count = getattr(challenge, "submitted_proposal_count", None)
    if count is None:  # not annotated by the selector: count now
        count = challenge.proposals.filter(status="submitted").count()
    return count


def _documents(challenge: Challenge, until: datetime) -> list[dict]:
    documents = []
    for document in challenge.documents.all():
        published = max(document.created_at, challenge.published_at)
        if published > until:
            continue
        documents.append(
            {
                "id": f"doc-{document.pk}",
                "documentType": "biddingDocuments",
                "title": document.title,
                "url": absolute(reverse("challenges:document-download", kwargs={"pk": document.pk})),
                "datePublished": iso(published),
                "format": document.content_type,
                "language": challenge.language,
            }
        )
    return documents


def _awarded_organisations(awarded) -> list:
    """The lead and the accepted consortium partners of an awarded proposal."""
    proposal = awarded.proposal
    organisations = [proposal.supplier]
    for partner in proposal.partners.all():
        if partner.status == PartnerStatus.ACCEPTED and partner.organisation is not None:
            organisations.append(partner.organisation)
    return organisations


def _asker_bid(clarification, challenge: Challenge) -> bool:
    """Whether the organisation that asked is part of a submitted proposal to the challenge (annotated by
    selectors.open_data; asked of the database when the clarification was loaded some other way)."""
    annotated = getattr(clarification, "asker_bid", None)
    if annotated is not None:
        return bool(annotated)
    organisation_id = clarification.asked_by_organisation_id
    submitted = challenge.proposals.filter(status="submitted")
    return (
        submitted.filter(supplier_id=organisation_id).exists()
        or submitted.filter(
            partners__organisation_id=organisation_id, partners__status=PartnerStatus.ACCEPTED
        ).exists()
    )


def _enquirers(challenge: Challenge, *, until: datetime, deadline: datetime | None, named: dict) -> list:
    """The organisations that asked a question by `until`, for a release dated once the tender period
    (ending at `deadline`, as it stood then) is over; none before it. Organisations that bid are left out,
    unless the release already names them (an awarded supplier): see the module's docstring."""
    if deadline is None or until < deadline:
        return []
    found = {}
    for clarification in challenge.clarifications.all():
        organisation = clarification.asked_by_organisation
        if organisation is None or clarification.asked_at > until or organisation.pk in found:
            continue
        if organisation.pk in named or not _asker_bid(clarification, challenge):
            found[organisation.pk] = organisation
    return list(found.values())


def _release(
    challenge: Challenge, ocid: str, events: list[_Event], index: int, amendments: list[Amendment]
) -> dict:
    event = events[index]
    values = _fields_as_of(challenge, amendments, event.amendments_applied)
    owner = challenge.owner
    codes = list(challenge.cpv_codes.all())
    deadline = values["submission_deadline"]
    questions_deadline = values["questions_deadline"] or deadline
    description = "\n\n".join(str(values[name]).strip() for name in DESCRIPTION_FIELDS if values[name])
    contact = _compact({"name": values["contact_name"], "email": values["contact_email"]}) or None
    release_ids = {e.amendment.pk: e.release_id for e in events if e.amendment is not None}
    previous_ids = {e.release_id: events[i - 1].release_id for i, e in enumerate(events) if i}

    tender = {
        "id": f"{ocid}-tender",
        "title": challenge.title,
        "description": description,
        "status": event.tender_status,
        "procuringEntity": _reference(owner),
        "items": [
            {
                "id": str(position),
                "description": code.label,
                "classification": {"scheme": "CPV", "id": code.code, "description": code.label},
            }
            for position, code in enumerate(codes, start=1)
        ],
        "value": _value(challenge.budget_max, challenge.currency),
        "minValue": _value(challenge.budget_min, challenge.currency),
        "procurementMethod": PROCUREMENT_METHODS.get(challenge.route),
        "procurementMethodDetails": str(ProcurementRoute(challenge.route).label)
        if challenge.route in ProcurementRoute.values
        else None,
        "mainProcurementCategory": _main_category(codes),
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": _award_criteria_details(values["criteria"], values["scoring_scale"]),
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": absolute(challenge.get_absolute_url()),
        "tenderPeriod": _compact(
            {"startDate": iso(challenge.published_at), "endDate": iso(deadline) if deadline else None}
        ),
        "enquiryPeriod": _compact(
            {
                "startDate": iso(challenge.published_at),
                "endDate": iso(questions_deadline) if questions_deadline else None,
            }
        ),
        "hasEnquiries": any(c.asked_at <= event.date for c in challenge.clarifications.all()),
        "contractPeriod": _compact(
            {
                "startDate": _day_start(challenge.pilot_start, challenge.deadline_zone),
                "endDate": _day_start(challenge.pilot_end, challenge.deadline_zone),
            }
        ),
        "documents": _documents(challenge, event.date),
        "amendments": [
            _compact(
                {
                    "id": str(amendment.pk),
                    "date": iso(amendment.created_at),
                    "description": _amendment_description(amendment),
                    "releaseID": release_ids.get(amendment.pk),
                    "amendsReleaseID": previous_ids.get(release_ids.get(amendment.pk, "")),
                }
            )
            for amendment in amendments[: event.amendments_applied]
        ],
    }
    # Before the deadline even the number of proposals is sealed.
    if deadline is not None and event.date >= deadline:
        tender["numberOfTenderers"] = _tenderer_count(challenge)

    # Parties by id, each organisation once with all its roles (the buyer first).
    roles: dict[int, list[str]] = {owner.pk: ["buyer", "procuringEntity"]}
    organisations = {owner.pk: owner}
    awards = []
    award = award_of(challenge)
    if event.awards and award is not None:
        if event.awards == "unsuccessful":
            awards.append(
                _compact(
                    {
                        "id": str(award.pk),
                        "status": "unsuccessful",
                        "date": iso(award.decided_at),
                        "description": award.public_summary.strip(),
                    }
                )
            )
        else:
            for awarded in award.awarded.all():
                awarded_organisations = _awarded_organisations(awarded)
                for organisation in awarded_organisations:
                    organisations.setdefault(organisation.pk, organisation)
                    roles.setdefault(organisation.pk, [])
                    if "supplier" not in roles[organisation.pk]:
                        roles[organisation.pk].append("supplier")
                awards.append(
                    _compact(
                        {
                            "id": f"{award.pk}-{awarded.pk}",
                            "description": award.public_summary.strip(),
                            "status": event.awards,
                            "date": iso(award.decided_at),
                            "value": _value(awarded.value, challenge.currency),
                            "suppliers": [_reference(organisation) for organisation in awarded_organisations],
                        }
                    )
                )
    for organisation in _enquirers(challenge, until=event.date, deadline=deadline, named=roles):
        organisations.setdefault(organisation.pk, organisation)
        roles.setdefault(organisation.pk, []).append("enquirer")
    parties = [
        _party(organisations[pk], party_roles, contact if pk == owner.pk else None)
        for pk, party_roles in roles.items()
    ]

    return _compact(
        {
            "ocid": ocid,
            "id": event.release_id,
            "date": iso(event.date),
            "tag": [event.tag],
            "initiationType": "tender",
            "language": challenge.language,
            "parties": parties,
            "buyer": _reference(owner),
            "tender": _compact(tender),
            "awards": awards,
        }
    )


def releases_for_challenge(challenge: Challenge) -> list[dict]:
    """Every release of a public challenge, oldest first (none for a challenge that is not public). Reads
    what selectors.open_data prefetched: owner, award (with awarded proposals, their suppliers and
    partners), amendments, CPV codes, criteria, documents and clarifications (with the organisations that
    asked and whether they bid)."""
    if not challenge.is_public:
        return []
    ocid = ocid_for(challenge)
    with translation.override(challenge.language):
        amendments = _public_amendments(challenge)
        events = _events(challenge, ocid, amendments)
        return [_release(challenge, ocid, events, index, amendments) for index in range(len(events))]


def release_package(*, releases: list[dict], uri: str, extensions: list[str] | None = None, **extra) -> dict:
    """A release package around `releases`. Its publishedDate is the latest release's date (the data
    changes only with a new release), or now for an empty one."""
    latest = max((release["date"] for release in releases), default=None)
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": extensions or [SCALE_EXTENSION],
        "publishedDate": latest or iso(datetime.now(UTC)),
        "publisher": {"name": settings.PORTAL_NAME, "uri": settings.SITE_URL + "/"},
        "license": license_url(),
        "publicationPolicy": absolute(reverse("open_data:index")),
        **extra,
        "releases": releases,
    }
