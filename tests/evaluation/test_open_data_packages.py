"""OCDS release packages: valid against the OCDS 1.1.5 release package schema (offline, with the copy in
challenges/evaluation/data/) and its closed codelists for a challenge in every status and for the bulk
package; what they must never show (unsuccessful bidders, the count before the deadline, drafts); the
releases' history; the URLs and their headers; query counts."""

import csv
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from challenges.enums import ChallengeStatus, ProcurementRoute
from challenges.evaluation import ocds
from challenges.evaluation.enums import AwardDecision, AwardStatus
from challenges.evaluation.models import Award, AwardedProposal
from challenges.evaluation.selectors.open_data import challenge_for_open_data
from challenges.models import Amendment, Challenge, CPVCode
from challenges.services.lifecycle import (
    amend_challenge,
    amend_criteria,
    cancel_challenge,
    close_challenge,
    extend_deadline,
    record_outcome,
    start_evaluation,
)
from suppliers.enums import ProposalStatus
from tests.factories.accounts import AdminMembershipFactory, BuyerFactory, MembershipFactory, SupplierFactory
from tests.factories.challenges import (
    ChallengeDocumentFactory,
    ChallengeFactory,
    ClarificationFactory,
    PublishedChallengeFactory,
)
from tests.factories.suppliers import AcceptedPartnerFactory, ProposalFactory, SubmittedProposalFactory

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "challenges" / "evaluation" / "data" / "ocds-1.1.5"


# Validation: the schema, offline, and the closed codelists


def _schema(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


RELEASE_SCHEMA = _schema("release-schema.json")
PACKAGE_SCHEMA = _schema("release-package-schema.json")
# The package schema names the release schema by its public URL: that URL is the local copy.
REGISTRY = Registry().with_resource(
    RELEASE_SCHEMA["id"], Resource.from_contents(RELEASE_SCHEMA, default_specification=DRAFT4)
)
VALIDATOR = Draft4Validator(PACKAGE_SCHEMA, registry=REGISTRY, format_checker=Draft4Validator.FORMAT_CHECKER)


def _codes(name: str, *, deprecated: bool = False) -> set[str]:
    with (DATA / "codelists" / f"{name}.csv").open(encoding="utf-8") as handle:
        return {
            row["Code"]
            for row in csv.DictReader(handle)
            if deprecated or not (row.get("Deprecated") or "").strip()
        }


CODELISTS = {
    name: _codes(name)
    for name in [
        "releaseTag",
        "initiationType",
        "tenderStatus",
        "method",
        "awardStatus",
        "partyRole",
        "awardCriteria",
        "currency",
        "itemClassificationScheme",
        "procurementCategory",
        "submissionMethod",
        "documentType",
    ]
}
SCALES = {"micro", "sme", "large"}  # the organisation scale extension's codes
DATE_KEYS = {"date", "startDate", "endDate", "datePublished", "publishedDate"}
URI_KEYS = {"uri", "url", "license", "publicationPolicy", "extensions", "next", "prev"}


def _walk(value, found: list):
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((key, item))
            _walk(item, found)
    elif isinstance(value, list):
        for item in value:
            _walk(item, found)
    return found


def _codelist_errors(package: dict) -> list[str]:
    errors = []

    def check(codelist: str, value, where: str):
        if value not in CODELISTS[codelist]:
            errors.append(f"{where}: {value!r} is not in {codelist}")

    for release in package["releases"]:
        where = release["id"]
        for tag in release["tag"]:
            check("releaseTag", tag, where)
        check("initiationType", release["initiationType"], where)
        for party in release.get("parties", []):
            for role in party.get("roles", []):
                check("partyRole", role, where)
            if "details" in party and party["details"].get("scale") not in SCALES:
                errors.append(f"{where}: scale {party['details']}")
        tender = release.get("tender", {})
        if "status" in tender:
            check("tenderStatus", tender["status"], where)
        if "procurementMethod" in tender:
            check("method", tender["procurementMethod"], where)
        if "awardCriteria" in tender:
            check("awardCriteria", tender["awardCriteria"], where)
        if "mainProcurementCategory" in tender:
            check("procurementCategory", tender["mainProcurementCategory"], where)
        for method in tender.get("submissionMethod", []):
            check("submissionMethod", method, where)
        for item in tender.get("items", []):
            check("itemClassificationScheme", item["classification"]["scheme"], where)
        for document in tender.get("documents", []):
            check("documentType", document["documentType"], where)
        for award in release.get("awards", []):
            check("awardStatus", award["status"], where)
        for key, value in _walk(release, []):
            if key == "currency":
                check("currency", value, where)
    # jsonschema checks the date-time and uri formats only with packages the project does not use.
    for key, value in _walk(package, []):
        if key in DATE_KEYS:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                errors.append(f"{key}: {value} has no time zone")
        if key in URI_KEYS:
            for uri in value if isinstance(value, list) else [value]:
                parts = urlsplit(uri)
                if parts.scheme not in {"http", "https"} or not parts.netloc:
                    errors.append(f"{key}: {uri} is not an absolute URI")
    ids = [(release["ocid"], release["id"]) for release in package["releases"]]
    if len(ids) != len(set(ids)):
        errors.append("release ids repeat")
    return errors


def assert_valid(package: dict) -> None:
    schema_errors = [
        f"{list(error.absolute_path)}: {error.message}" for error in VALIDATOR.iter_errors(package)
    ]
    assert schema_errors == []
    assert _codelist_errors(package) == []


def _get_package(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    package = json.loads(response.content)
    assert_valid(package)
    return package


def _package_of(client, challenge) -> dict:
    return _get_package(client, reverse("open_data:challenge-releases", kwargs={"pk": challenge.pk}))


def _release(package: dict, tag: str) -> dict:
    (release,) = [release for release in package["releases"] if release["tag"] == [tag]]
    return release


# Scenarios


@pytest.fixture
def buyer():
    organisation = BuyerFactory(name="City of Trondheim", identifier="942110464", country="NO")
    return {
        "organisation": organisation,
        "admin": AdminMembershipFactory(organisation=organisation).user,
        "member": MembershipFactory(organisation=organisation).user,
    }


def _timeline(buyer) -> dict:
    """A challenge published 30 days ago, amended (summary) 20 days ago, deadlines extended 15 days ago,
    past its deadline now; a public question asked by bidder B; bidder A (small, with an accepted micro
    partner) and B (large) submitted, C left a draft, D withdrew."""
    now = timezone.now()
    challenge = PublishedChallengeFactory(
        owner=buyer["organisation"],
        summary="Fewer elderly residents feel lonely.",
        published_at=now - timedelta(days=30),
        questions_deadline=now - timedelta(days=10),
        submission_deadline=now - timedelta(minutes=1),
        budget_min=Decimal("50000"),
        budget_max=Decimal("200000.50"),
        currency="NOK",
        route=ProcurementRoute.INNOVATION_PARTNERSHIP,
    )
    document = ChallengeDocumentFactory(challenge=challenge, title="Background report")
    type(document).objects.filter(pk=document.pk).update(created_at=now - timedelta(days=31))
    first = Amendment.objects.create(
        challenge=challenge,
        summary="The summary now names the outcome.",
        changes={"summary": {"from": "Old summary.", "to": challenge.summary}},
    )
    second = Amendment.objects.create(
        challenge=challenge,
        summary="",
        changes={
            "submission_deadline": {
                "from": (now - timedelta(days=5)).isoformat(),
                "to": challenge.submission_deadline.isoformat(),
            },
            "questions_deadline": {
                "from": (now - timedelta(days=12)).isoformat(),
                "to": challenge.questions_deadline.isoformat(),
            },
        },
    )
    Amendment.objects.filter(pk=first.pk).update(created_at=now - timedelta(days=20))
    Amendment.objects.filter(pk=second.pk).update(created_at=now - timedelta(days=15))
    bidder_a = SupplierFactory(name="Winning Care AS", sme_size="small")
    partner = SupplierFactory(name="Tiny Partner AS", sme_size="micro")
    bidder_b = SupplierFactory(name="Losing Giant ASA", sme_size="large")
    proposal_a = SubmittedProposalFactory(challenge=challenge, supplier=bidder_a)
    AcceptedPartnerFactory(proposal=proposal_a, organisation=partner)
    proposal_b = SubmittedProposalFactory(challenge=challenge, supplier=bidder_b)
    ProposalFactory(challenge=challenge, supplier=SupplierFactory(name="Drafting Only AS"))
    ProposalFactory(
        challenge=challenge,
        supplier=SupplierFactory(name="Withdrawn Bidder AS"),
        status=ProposalStatus.WITHDRAWN,
        withdrawn_at=now,
    )
    clarification = ClarificationFactory(
        challenge=challenge,
        asked_by_organisation=bidder_b,
        question="Losing Giant ASA asks: may we cover part of the city?",
        public_question="May a proposal cover only part of the city?",
        answer="Yes.",
        status="public",
        answered_at=now - timedelta(days=11),
    )
    type(clarification).objects.filter(pk=clarification.pk).update(asked_at=now - timedelta(days=12))
    return {
        "challenge": challenge,
        "proposal_a": proposal_a,
        "proposal_b": proposal_b,
        "hidden_names": ["Losing Giant ASA", "Drafting Only AS", "Withdrawn Bidder AS"],
        "now": now,
    }


def _closed(buyer) -> dict:
    data = _timeline(buyer)
    assert close_challenge(challenge=data["challenge"]) is True
    return data


def _under_evaluation(buyer) -> dict:
    data = _closed(buyer)
    start_evaluation(challenge=data["challenge"], by=buyer["member"])
    return data


PUBLIC_SUMMARY = "The winning proposal reaches the most residents within the budget."


def _decide(buyer, data, *, decision=AwardDecision.AWARD, final=False) -> Award:
    challenge = data["challenge"]
    now = timezone.now()
    award = Award.objects.create(
        challenge=challenge,
        decision=decision,
        rationale="Losing Giant ASA scored lower on impact.",
        public_summary=PUBLIC_SUMMARY,
        decided_by=buyer["admin"],
        decided_at=now,
        standstill_ends_at=now + timedelta(days=10),
        status=AwardStatus.FINAL if final else AwardStatus.STANDSTILL,
        final_at=now + timedelta(days=10) if final else None,
    )
    if decision == AwardDecision.AWARD:
        AwardedProposal.objects.create(award=award, proposal=data["proposal_a"], value=Decimal("150000"))
    outcome = ChallengeStatus.AWARDED if decision == AwardDecision.AWARD else ChallengeStatus.NOT_AWARDED
    record_outcome(challenge=challenge, by=buyer["admin"], outcome=outcome)
    return award


def _awarded(buyer, final=False) -> dict:
    data = _under_evaluation(buyer)
    data["award"] = _decide(buyer, data, final=final)
    return data


def _not_awarded(buyer) -> dict:
    data = _under_evaluation(buyer)
    data["award"] = _decide(buyer, data, decision=AwardDecision.NO_AWARD)
    return data


def _cancelled_after_close(buyer) -> dict:
    data = _closed(buyer)
    cancel_challenge(challenge=data["challenge"], by=buyer["admin"], reason="The budget was withdrawn.")
    return data


def _open(buyer) -> dict:
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])
    SubmittedProposalFactory(challenge=challenge, supplier=SupplierFactory(name="Early Bird AS"))
    return {"challenge": challenge, "hidden_names": ["Early Bird AS"]}


def _amended_through_services(buyer) -> dict:
    data = _open(buyer)
    challenge = data["challenge"]
    amend_challenge(
        challenge=challenge, by=buyer["member"], changes={"summary": "A clearer summary."}, summary="Clearer."
    )
    extend_deadline(
        challenge=challenge,
        by=buyer["member"],
        submission_deadline=challenge.submission_deadline + timedelta(days=7),
    )
    return data


def _cancelled_while_open(buyer) -> dict:
    data = _open(buyer)
    cancel_challenge(challenge=data["challenge"], by=buyer["admin"], reason="Our own programme covers it.")
    return data


def _not_awarded_without_award(buyer) -> dict:
    data = _under_evaluation(buyer)
    record_outcome(challenge=data["challenge"], by=buyer["admin"], outcome=ChallengeStatus.NOT_AWARDED)
    return data


SCENARIOS = {
    "open": (_open, ["tender"]),
    "amended": (_amended_through_services, ["tender", "tenderAmendment", "tenderAmendment"]),
    "cancelled_while_open": (_cancelled_while_open, ["tender", "tenderCancellation"]),
    "closed": (_closed, ["tender", "tenderAmendment", "tenderAmendment", "tenderUpdate"]),
    "under_evaluation": (_under_evaluation, ["tender", "tenderAmendment", "tenderAmendment", "tenderUpdate"]),
    "cancelled_after_close": (
        _cancelled_after_close,
        ["tender", "tenderAmendment", "tenderAmendment", "tenderUpdate", "tenderCancellation"],
    ),
    "awarded": (_awarded, ["tender", "tenderAmendment", "tenderAmendment", "tenderUpdate", "award"]),
    "awarded_final": (
        lambda buyer: _awarded(buyer, final=True),
        ["tender", "tenderAmendment", "tenderAmendment", "tenderUpdate", "award", "awardUpdate"],
    ),
    "not_awarded": (_not_awarded, ["tender", "tenderAmendment", "tenderAmendment", "tenderUpdate", "award"]),
    "not_awarded_without_award": (
        _not_awarded_without_award,
        ["tender", "tenderAmendment", "tenderAmendment", "tenderUpdate", "tenderUpdate"],
    ),
}

FINAL_TENDER_STATUS = {
    "open": "active",
    "amended": "active",
    "cancelled_while_open": "cancelled",
    "closed": "active",
    "under_evaluation": "active",
    "cancelled_after_close": "cancelled",
    "awarded": "complete",
    "awarded_final": "complete",
    "not_awarded": "unsuccessful",
    "not_awarded_without_award": "unsuccessful",
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_challenge_package_validates_in_every_status(client, buyer, scenario):
    build, tags = SCENARIOS[scenario]
    data = build(buyer)

    package = _package_of(client, data["challenge"])

    assert [release["tag"] for release in package["releases"]] == [[tag] for tag in tags]
    assert package["releases"][-1]["tender"]["status"] == FINAL_TENDER_STATUS[scenario]
    assert package["releases"][0]["tender"]["status"] == "active"
    ocid = f"{settings.OCDS_OCID_PREFIX}-{data['challenge'].pk}"
    assert {release["ocid"] for release in package["releases"]} == {ocid}
    assert package["publishedDate"] == package["releases"][-1]["date"]


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_challenge_package_never_names_unsuccessful_bidders(client, buyer, scenario):
    data = SCENARIOS[scenario][0](buyer)

    body = client.get(reverse("open_data:challenge-releases", kwargs={"pk": data["challenge"].pk})).content

    text = body.decode()
    for name in data["hidden_names"]:
        assert name not in text
    assert "tenderers" not in json.loads(body)["releases"][-1]["tender"]
    assert "enquirer" not in text
    assert "scored lower" not in text  # the award's rationale is the bidders'


def test_package_content_of_an_awarded_challenge(client, buyer):
    data = _awarded(buyer, final=True)
    challenge = data["challenge"]

    package = _package_of(client, challenge)

    tender_release = _release(package, "tender")
    tender = tender_release["tender"]
    assert tender_release["id"] == f"{settings.OCDS_OCID_PREFIX}-{challenge.pk}-tender-1"
    assert tender_release["date"] == ocds.iso(challenge.published_at)
    assert tender_release["language"] == "en"
    assert tender_release["buyer"] == {"id": f"org-{buyer['organisation'].pk}", "name": "City of Trondheim"}
    (buyer_party,) = tender_release["parties"]
    assert buyer_party["roles"] == ["buyer", "procuringEntity"]
    assert buyer_party["identifier"] == {
        "scheme": "NO-BRC",
        "id": "942110464",
        "legalName": "City of Trondheim",
    }
    assert buyer_party["contactPoint"] == {"name": challenge.contact_name, "email": challenge.contact_email}
    assert tender["title"] == challenge.title
    assert tender["value"] == {"amount": 200000.5, "currency": "NOK"}
    assert tender["minValue"] == {"amount": 50000, "currency": "NOK"}
    assert tender["procurementMethod"] == "selective"
    assert tender["procurementMethodDetails"] == "Innovation partnership"
    assert tender["mainProcurementCategory"] == "services"
    assert tender["awardCriteria"] == "ratedCriteria"
    assert tender["awardCriteriaDetails"] == (
        "Impact on the outcomes (60 %); Feasibility and cost (40 %). Each criterion is scored from 0 to 5; "
        "the weighted total (weight × score ÷ 5) is out of 100."
    )
    assert tender["items"] == [
        {
            "id": "1",
            "description": "Health and social work services",
            "classification": {
                "scheme": "CPV",
                "id": "85000000",
                "description": "Health and social work services",
            },
        }
    ]
    assert tender["submissionMethod"] == ["electronicSubmission"]
    assert tender["documents"][0]["title"] == "Background report"
    assert tender["documents"][0]["url"].startswith(settings.SITE_URL)
    assert tender["hasEnquiries"] is False

    award_release = _release(package, "award")
    assert award_release["id"] == f"{settings.OCDS_OCID_PREFIX}-{challenge.pk}-award-{data['award'].pk}"
    assert award_release["tender"]["status"] == "complete"
    assert award_release["tender"]["numberOfTenderers"] == 2
    assert award_release["tender"]["hasEnquiries"] is True
    (award,) = award_release["awards"]
    assert award["status"] == "pending"
    assert award["description"] == PUBLIC_SUMMARY  # the public summary, never the rationale
    assert award["value"] == {"amount": 150000, "currency": "NOK"}
    assert [supplier["name"] for supplier in award["suppliers"]] == ["Winning Care AS", "Tiny Partner AS"]
    suppliers = {party["name"]: party for party in award_release["parties"] if party["roles"] == ["supplier"]}
    assert suppliers["Winning Care AS"]["details"] == {"scale": "sme"}
    assert suppliers["Tiny Partner AS"]["details"] == {"scale": "micro"}
    assert "details" not in award_release["parties"][0]  # the buyer has no size class

    (final,) = _release(package, "awardUpdate")["awards"]
    assert final["status"] == "active"
    assert final["id"] == award["id"]


def test_award_through_the_award_services(client, buyer):
    """The real decision and finalisation (the award services), not rows made by hand."""
    from challenges.evaluation.models import ConsensusScore, Panel
    from challenges.evaluation.services.award import AwardedBid, decide_award, finalise_due_awards

    data = _under_evaluation(buyer)
    challenge = data["challenge"]
    Panel.objects.create(challenge=challenge)
    for proposal, values in [(data["proposal_a"], [5, 4]), (data["proposal_b"], [2, 3])]:
        for criterion, value in zip(challenge.criteria.order_by("position"), values, strict=True):
            ConsensusScore.objects.create(
                proposal=proposal, criterion=criterion, value=value, rationale="Agreed."
            )
    award = decide_award(
        challenge=challenge,
        by=buyer["admin"],
        decision=AwardDecision.AWARD,
        rationale="The best impact; Losing Giant ASA was weaker.",
        public_summary="The best impact for the residents.",
        standstill_days=settings.AWARD_MIN_STANDSTILL_DAYS,
        awarded=[AwardedBid(proposal_id=data["proposal_a"].pk, value=Decimal("99000"))],
    )
    in_standstill = _package_of(client, challenge)
    with time_machine.travel(award.standstill_ends_at + timedelta(minutes=1)):
        assert finalise_due_awards() == 1
    final = _package_of(client, challenge)

    assert [release["tag"] for release in in_standstill["releases"]][-1:] == [["award"]]
    assert [release["tag"] for release in final["releases"]][-2:] == [["award"], ["awardUpdate"]]
    assert final["releases"][:-1] == in_standstill["releases"]
    assert final["releases"][-1]["awards"][0]["status"] == "active"
    assert final["releases"][-1]["awards"][0]["value"] == {"amount": 99000, "currency": "NOK"}
    assert "Losing Giant ASA" not in json.dumps(final)
    assert final["releases"][-1]["awards"][0]["description"] == "The best impact for the residents."


def test_award_without_a_public_summary_has_no_description(client, buyer):
    """An award decided before the public summary existed: its rationale is not published in its place."""
    data = _awarded(buyer)
    Award.objects.filter(pk=data["award"].pk).update(public_summary="")

    (award,) = _release(_package_of(client, data["challenge"]), "award")["awards"]

    assert "description" not in award


# Enquirers: named once the tender period is over, never before, and never when they bid


def _ask(challenge, organisation, days_ago=12):
    clarification = ClarificationFactory(
        challenge=challenge,
        asked_by_organisation=organisation,
        question=f"{organisation.name} asks: is a pilot in one district enough?",
        public_question="Is a pilot in one district enough?",
        answer="Yes.",
        status="public",
    )
    type(clarification).objects.filter(pk=clarification.pk).update(
        asked_at=timezone.now() - timedelta(days=days_ago)
    )
    return clarification


def _enquirers(release: dict) -> dict[str, list[str]]:
    return {party["name"]: party["roles"] for party in release["parties"] if "enquirer" in party["roles"]}


def test_enquirers_are_named_only_in_releases_after_the_tender_period(client, buyer):
    data = _timeline(buyer)
    curious = SupplierFactory(name="Curious Consulting AS", sme_size="micro")
    _ask(data["challenge"], curious, days_ago=25)  # before both amendments
    close_challenge(challenge=data["challenge"])

    package = _package_of(client, data["challenge"])

    before_deadline = [r for r in package["releases"] if r["tag"] != ["tenderUpdate"]]
    assert [r["tag"] for r in before_deadline] == [["tender"], ["tenderAmendment"], ["tenderAmendment"]]
    assert all(_enquirers(release) == {} for release in before_deadline)
    closed = _release(package, "tenderUpdate")
    assert _enquirers(closed) == {"Curious Consulting AS": ["enquirer"]}
    (party,) = [party for party in closed["parties"] if party["name"] == "Curious Consulting AS"]
    assert party["details"] == {"scale": "micro"}
    # Losing Giant ASA asked too, but bid: naming it would name a bidder.
    assert "Losing Giant ASA" not in json.dumps(package)


def test_no_enquirer_is_named_while_the_challenge_is_open(client, buyer):
    data = _open(buyer)
    _ask(data["challenge"], SupplierFactory(name="Curious Consulting AS"), days_ago=0)
    amend_challenge(
        challenge=data["challenge"], by=buyer["member"], changes={"summary": "Clearer."}, summary="Clearer."
    )

    package = _package_of(client, data["challenge"])

    assert [release["tag"] for release in package["releases"]] == [["tender"], ["tenderAmendment"]]
    assert package["releases"][-1]["tender"]["hasEnquiries"] is True
    assert "Curious Consulting AS" not in json.dumps(package)


def test_awarded_supplier_that_asked_is_named_as_enquirer_only_once_awarded(client, buyer):
    data = _under_evaluation(buyer)
    _ask(data["challenge"], data["proposal_a"].supplier)
    _decide(buyer, data)

    package = _package_of(client, data["challenge"])

    assert _enquirers(_release(package, "tenderUpdate")) == {}
    award_release = _release(package, "award")
    assert _enquirers(award_release) == {"Winning Care AS": ["supplier", "enquirer"]}
    assert [party["name"] for party in award_release["parties"]].count("Winning Care AS") == 1


def test_enquirers_in_the_bulk_package_match_the_challenge_package(client, buyer):
    data = _timeline(buyer)
    _ask(data["challenge"], SupplierFactory(name="Curious Consulting AS"))
    close_challenge(challenge=data["challenge"])

    bulk = _get_package(client, reverse("open_data:releases"))

    assert bulk["releases"] == _package_of(client, data["challenge"])["releases"]
    assert _enquirers(bulk["releases"][-1]) == {"Curious Consulting AS": ["enquirer"]}


def test_large_supplier_scale_is_large(client, buyer):
    data = _under_evaluation(buyer)
    data["proposal_a"].supplier.sme_size = "large"
    data["proposal_a"].supplier.save()
    _decide(buyer, data)

    package = _package_of(client, data["challenge"])

    supplier = next(party for party in _release(package, "award")["parties"] if "supplier" in party["roles"])
    assert supplier["details"] == {"scale": "large"}


def test_no_award_is_an_unsuccessful_award_without_suppliers(client, buyer):
    data = _not_awarded(buyer)

    release = _release(_package_of(client, data["challenge"]), "award")

    assert release["awards"] == [
        {
            "id": str(data["award"].pk),
            "status": "unsuccessful",
            "date": release["date"],
            "description": PUBLIC_SUMMARY,
        }
    ]
    assert release["tender"]["status"] == "unsuccessful"
    assert [party["roles"] for party in release["parties"]] == [["buyer", "procuringEntity"]]


def test_number_of_tenderers_is_sealed_before_the_deadline(client, buyer):
    data = _closed(buyer)

    package = _package_of(client, data["challenge"])

    counts = [release["tender"].get("numberOfTenderers") for release in package["releases"]]
    assert counts == [None, None, None, 2]


def test_open_challenge_shows_no_count_even_with_submitted_proposals(client, buyer):
    data = _open(buyer)

    (release,) = _package_of(client, data["challenge"])["releases"]

    assert "numberOfTenderers" not in release["tender"]


def test_each_release_shows_the_challenge_as_it_stood(client, buyer):
    data = _closed(buyer)
    now = data["now"]

    tender, summary_amended, extended, closed = _package_of(client, data["challenge"])["releases"]

    assert tender["tender"]["description"].startswith("Old summary.")
    assert tender["tender"]["tenderPeriod"]["endDate"] == ocds.iso(now - timedelta(days=5))
    assert tender["tender"]["enquiryPeriod"]["endDate"] == ocds.iso(now - timedelta(days=12))
    assert "amendments" not in tender["tender"]
    assert summary_amended["tender"]["description"].startswith("Fewer elderly residents feel lonely.")
    assert summary_amended["tender"]["tenderPeriod"]["endDate"] == ocds.iso(now - timedelta(days=5))
    assert extended["tender"]["tenderPeriod"]["endDate"] == ocds.iso(now - timedelta(minutes=1))
    assert extended["tender"]["enquiryPeriod"]["endDate"] == ocds.iso(now - timedelta(days=10))
    assert [a["releaseID"] for a in extended["tender"]["amendments"]] == [
        summary_amended["id"],
        extended["id"],
    ]
    assert [a["amendsReleaseID"] for a in extended["tender"]["amendments"]] == [
        tender["id"],
        summary_amended["id"],
    ]
    assert extended["tender"]["amendments"][0]["description"] == "The summary now names the outcome."
    # An amendment without a summary says what changed.
    assert extended["tender"]["amendments"][1]["description"].startswith("Changed: ")
    assert closed["tender"] == {**extended["tender"], "numberOfTenderers": 2, "hasEnquiries": True}


def test_releases_do_not_change_when_later_ones_come(client, buyer):
    data = _under_evaluation(buyer)
    before = _package_of(client, data["challenge"])["releases"]

    _decide(buyer, data)
    after = _package_of(client, data["challenge"])["releases"]

    assert after[: len(before)] == before


def test_amendments_through_the_services_are_reconstructed(client, buyer):
    data = _open(buyer)
    challenge = data["challenge"]
    original_summary, original_deadline = challenge.summary, challenge.submission_deadline
    amend_challenge(challenge=challenge, by=buyer["member"], changes={"summary": "Clearer."}, summary="Why.")
    extend_deadline(
        challenge=challenge, by=buyer["member"], submission_deadline=original_deadline + timedelta(days=3)
    )

    tender, amended, extended = _package_of(client, challenge)["releases"]

    assert tender["tender"]["description"].startswith(original_summary)
    assert tender["tender"]["tenderPeriod"]["endDate"] == ocds.iso(original_deadline)
    assert amended["tender"]["description"].startswith("Clearer.")
    assert extended["tender"]["tenderPeriod"]["endDate"] == ocds.iso(original_deadline + timedelta(days=3))
    assert tender["tender"]["status"] == amended["tender"]["status"] == "active"


def test_criteria_amendment_is_reconstructed(client, buyer):
    challenge = _open(buyer)["challenge"]
    first, second = challenge.criteria.order_by("position")
    amend_criteria(
        challenge=challenge,
        by=buyer["member"],
        criteria=[
            {"id": first.pk, "name": first.name, "weight": 70},
            {"id": second.pk, "name": "Cost", "weight": 30},
        ],
        scoring_scale=10,
        submission_deadline=timezone.now() + timedelta(days=40),
        summary="Impact matters more.",
    )

    tender, amended = _package_of(client, challenge)["releases"]

    assert tender["tender"]["awardCriteriaDetails"].startswith(
        "Impact on the outcomes (60 %); Feasibility and cost (40 %). Each criterion is scored from 0 to 5;"
    )
    assert amended["tender"]["awardCriteriaDetails"].startswith(
        "Impact on the outcomes (70 %); Cost (30 %). Each criterion is scored from 0 to 10;"
    )
    assert amended["tag"] == ["tenderAmendment"]


def test_cancellation_release_carries_the_reason(client, buyer):
    data = _cancelled_while_open(buyer)

    release = _release(_package_of(client, data["challenge"]), "tenderCancellation")

    assert release["tender"]["status"] == "cancelled"
    assert release["tender"]["amendments"][-1]["description"] == "Our own programme covers it."


def test_works_and_supplies_categories_come_from_the_cpv_division(client, buyer):
    works = PublishedChallengeFactory(owner=buyer["organisation"])
    works.cpv_codes.set(
        [CPVCode.objects.get_or_create(code="45000000", defaults={"label": "Construction work"})[0]]
    )
    supplies = PublishedChallengeFactory(owner=buyer["organisation"])
    supplies.cpv_codes.set(
        [CPVCode.objects.get_or_create(code="33000000", defaults={"label": "Medical equipments"})[0]]
    )

    assert _package_of(client, works)["releases"][0]["tender"]["mainProcurementCategory"] == "works"
    assert _package_of(client, supplies)["releases"][0]["tender"]["mainProcurementCategory"] == "goods"


def test_release_text_is_in_the_challenges_language(client, buyer):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"], language="nb")

    (release,) = _package_of(client, challenge)["releases"]
    client.cookies["django_language"] = "nb"
    (again,) = _package_of(client, challenge)["releases"]

    assert release["language"] == "nb"
    assert release == again


@pytest.mark.parametrize(
    "make",
    [
        lambda owner: ChallengeFactory(owner=owner),
        lambda owner: ChallengeFactory(owner=owner, status=ChallengeStatus.IN_REVIEW),
        # Cancelled before it was ever published.
        lambda owner: ChallengeFactory(owner=owner, status=ChallengeStatus.CANCELLED, published_at=None),
    ],
    ids=["draft", "in_review", "cancelled_unpublished"],
)
def test_unpublished_challenges_never_appear(client, buyer, make):
    hidden = make(buyer["organisation"])
    PublishedChallengeFactory(owner=buyer["organisation"])
    client.force_login(buyer["admin"])  # not even for its own organisation

    response = client.get(reverse("open_data:challenge-releases", kwargs={"pk": hidden.pk}))
    bulk = _get_package(client, reverse("open_data:releases"))

    assert response.status_code == 404
    assert f"{settings.OCDS_OCID_PREFIX}-{hidden.pk}" not in {release["ocid"] for release in bulk["releases"]}
    assert hidden.title not in json.dumps(bulk)
    assert ocds.releases_for_challenge(hidden) == []


def test_unknown_challenge_is_404(client):
    assert client.get(reverse("open_data:challenge-releases", kwargs={"pk": 999999})).status_code == 404


def test_package_metadata_and_headers(client, buyer):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])
    url = reverse("open_data:challenge-releases", kwargs={"pk": challenge.pk})

    response = client.get(url)
    package = json.loads(response.content)

    assert package["uri"] == f"{settings.SITE_URL}{url}"
    assert package["version"] == "1.1"
    assert package["publisher"]["name"] == settings.PORTAL_NAME
    assert package["license"] == ocds.license_url()
    assert package["extensions"] == [ocds.SCALE_EXTENSION]
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Last-Modified"]
    assert response["ETag"]
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304
    assert client.post(url).status_code == 405


# The bulk package


def test_bulk_package_holds_every_public_challenges_releases(client, buyer):
    awarded = _awarded(buyer)
    open_challenge = PublishedChallengeFactory(owner=buyer["organisation"])
    ChallengeFactory(owner=buyer["organisation"])  # a draft

    package = _get_package(client, reverse("open_data:releases"))

    ocids = [release["ocid"] for release in package["releases"]]
    prefix = settings.OCDS_OCID_PREFIX
    assert ocids == [f"{prefix}-{awarded['challenge'].pk}"] * 5 + [f"{prefix}-{open_challenge.pk}"]
    assert package["extensions"] == [ocds.SCALE_EXTENSION, ocds.PAGINATION_EXTENSION]
    assert "links" not in package
    text = json.dumps(package)
    for name in awarded["hidden_names"]:
        assert name not in text


def test_bulk_package_pages_link_to_each_other(client, buyer, monkeypatch):
    monkeypatch.setattr("challenges.evaluation.views.open_data.BULK_PAGE_SIZE", 2)
    challenges = PublishedChallengeFactory.create_batch(5, owner=buyer["organisation"])
    url = reverse("open_data:releases")

    first = _get_package(client, url)
    second = _get_package(client, first["links"]["next"].removeprefix(settings.SITE_URL))
    third = _get_package(client, second["links"]["next"].removeprefix(settings.SITE_URL))

    assert first["links"] == {"next": f"{settings.SITE_URL}{url}?page=2"}
    assert second["links"]["prev"] == f"{settings.SITE_URL}{url}"
    assert "next" not in third["links"]
    assert second["uri"] == f"{settings.SITE_URL}{url}?page=2"
    pages = [first, second, third]
    assert [release["ocid"] for page in pages for release in page["releases"]] == [
        f"{settings.OCDS_OCID_PREFIX}-{challenge.pk}" for challenge in challenges
    ]
    assert client.get(f"{url}?page=4").status_code == 404
    assert client.get(f"{url}?page=0").status_code == 404
    assert client.get(f"{url}?page=abc").status_code == 404


@pytest.mark.parametrize(
    "page", ["9223372036854775807", "9223372036854775808", "1" + "0" * 40, "10001", "-1", "1.5", "٣", " 2"]
)
def test_bulk_package_page_out_of_range_is_404(client, buyer, page):
    PublishedChallengeFactory(owner=buyer["organisation"])

    assert client.get(reverse("open_data:releases"), {"page": page}).status_code == 404


def test_empty_bulk_package(client):
    response = client.get(reverse("open_data:releases"))

    package = json.loads(response.content)
    assert response.status_code == 200
    assert package["releases"] == []
    assert [error.message for error in VALIDATOR.iter_errors(package)] == ["[] should be non-empty"]


def _rich_challenge(buyer, index: int) -> None:
    """A challenge that uses every part of the releases: amendments, documents, questions, proposals, a
    consortium and an award."""
    data = _awarded(buyer, final=index % 2 == 0)
    ChallengeDocumentFactory(challenge=data["challenge"])


@pytest.mark.parametrize("rows", [1, 5])
def test_bulk_package_query_count(client, django_assert_num_queries, buyer, rows):
    for index in range(rows):
        _rich_challenge(buyer, index)

    # Challenges (with owner, award and the tenderer count), CPV codes, criteria, amendments, documents,
    # clarifications, awarded proposals (with proposal and supplier), consortium partners.
    with django_assert_num_queries(8):
        response = client.get(reverse("open_data:releases"))

    # Five releases each, and an awardUpdate for the final ones (every other one).
    assert len(json.loads(response.content)["releases"]) == rows * 5 + (rows + 1) // 2


@pytest.mark.parametrize("rows", [1, 5])
def test_challenge_package_query_count(client, django_assert_num_queries, buyer, rows):
    data = _awarded(buyer)
    for _ in range(rows):
        AwardedProposal.objects.create(
            award=data["award"], proposal=SubmittedProposalFactory(challenge=data["challenge"]), value=1
        )

    with django_assert_num_queries(8):
        client.get(reverse("open_data:challenge-releases", kwargs={"pk": data["challenge"].pk}))


def test_selector_reads_only_public_challenges(buyer):
    draft = ChallengeFactory(owner=buyer["organisation"])

    assert challenge_for_open_data(pk=draft.pk) is None
    assert Challenge.objects.filter(pk=draft.pk).exists()
