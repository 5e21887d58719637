"""Sealed proposals (issue 8, part 5): before the deadline no role but the bidder (the lead and its
accepted consortium partner, who co-edit) reads a proposal or learns that it exists, superusers and the
Django admin included; every denied attempt on a specific proposal is written to the audit log.

"Learns that it exists" is tested by difference: every page a role can open (GET 200 in the permission
matrix, plus searches and every admin list for the superuser) is rendered twice, once as the world is and
once with the sealed bids that role may not see removed; the two must be identical, so no title, name,
count ("2 proposals"), link or badge gives a bid away."""

import re

import pytest
import time_machine
from django.contrib import admin
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from suppliers.admin import view_on_site
from suppliers.models import Proposal, Receipt

from .kwargs_table import KWARGS
from .matrix_support import answer, project_routes, url_for
from .test_permission_matrix import EXPECTED
from .world import (  # noqa: F401 (fixtures)
    ROLES,
    role_clients_fixture,
    world_fixture,
    world_media_fixture,
    world_storage_fixture,
)

pytestmark = pytest.mark.django_db

IP = "192.0.2.10"  # the address role_clients send from
# Who bids in which sealed proposal (the partner co-edits A, so it is A's bidder too).
BIDDERS = {"proposal_a": {"supplier_a", "partner"}, "proposal_b": {"supplier_b"}}
SIGNED_IN = [role for role in ROLES if role != "anonymous"]


def _strangers(proposal: str) -> list[str]:
    return [role for role in SIGNED_IN if role not in BIDDERS[proposal]]


# Every page that names one proposal (by its id, or by a row of it), with the proposal it names.
PROPOSAL_PAGES = [
    ("suppliers:proposal-detail", lambda w: {"pk": w.proposal_a.pk}, "proposal_a"),
    ("suppliers:proposal-edit", lambda w: {"pk": w.proposal_a.pk}, "proposal_a"),
    ("suppliers:proposal-submit", lambda w: {"pk": w.proposal_a.pk}, "proposal_a"),
    ("suppliers:proposal-withdraw", lambda w: {"pk": w.proposal_a.pk}, "proposal_a"),
    (
        "suppliers:proposal-document",
        lambda w: {"pk": w.proposal_a.pk, "document_pk": w.document_a.pk},
        "proposal_a",
    ),
    ("suppliers:receipt-detail", lambda w: {"pk": w.receipt_a.pk}, "proposal_a"),
    ("suppliers:receipt-download", lambda w: {"pk": w.receipt_a.pk}, "proposal_a"),
    ("suppliers:proposal-detail", lambda w: {"pk": w.proposal_b.pk}, "proposal_b"),
    ("suppliers:receipt-detail", lambda w: {"pk": w.receipt_b.pk}, "proposal_b"),
    ("suppliers:consortium", lambda w: {"pk": w.proposal_a.pk}, "proposal_a"),
    ("evaluation:sheet", lambda w: {"pk": w.proposal_a.pk}, "proposal_a"),
    ("evaluation:consensus", lambda w: {"pk": w.proposal_a.pk}, "proposal_a"),
    ("evaluation:award-feedback", lambda w: {"pk": w.proposal_a.pk}, "proposal_a"),
    ("suppliers:partner-invitation-detail", lambda w: {"pk": w.partnership.pk}, "proposal_a"),
]
POSTED_PROPOSAL_PAGES = [
    ("suppliers:proposal-autosave", lambda w: {"pk": w.proposal_a.pk}, "proposal_a"),
    ("suppliers:proposal-document-add", lambda w: {"pk": w.proposal_a.pk}, "proposal_a"),
    ("suppliers:receipt-verify", lambda w: {"pk": w.receipt_a.pk}, "proposal_a"),
]


def _denials(user, proposal, ip=IP) -> int:
    events = AuditEvent.objects.filter(
        action="proposal.access_denied", actor=user, target_id=str(proposal.pk)
    )
    return events.filter(ip_address=ip).count() if ip else events.count()


@pytest.mark.parametrize("role", SIGNED_IN)
def test_every_page_of_a_sealed_proposal_is_a_404_and_audited_for_all_but_its_bidders(
    role, world, role_clients, world_storage
):
    client, user = role_clients[role], world.users[role]
    wrong = []
    for method, pages, audited in (
        ("get", PROPOSAL_PAGES, True),
        ("post", POSTED_PROPOSAL_PAGES, True),
    ):
        for name, kwargs_of, key in pages:
            if role in BIDDERS[key]:
                continue
            kwargs, proposal = kwargs_of(world), world.objects[key]
            before = _denials(user, proposal)
            got = answer(getattr(client, method)(reverse(name, kwargs=kwargs), {}))
            if got != 404:
                wrong.append(f"{method.upper()} {name} {kwargs} as {role}: {got!r}, not 404")
            if audited and _denials(user, proposal) != before + 1:
                wrong.append(
                    f"{method.upper()} {name} {kwargs} as {role}: the refusal is not in the audit log"
                )
    assert not wrong, "\n".join(wrong)


def test_a_denial_is_recorded_with_actor_target_action_and_address(world, role_clients):
    role_clients["procurer"].get(reverse("suppliers:proposal-detail", kwargs={"pk": world.proposal_a.pk}))

    event = AuditEvent.objects.get(action="proposal.access_denied", actor=world.users["procurer"])
    assert (event.target_type.model, event.target_id) == ("proposal", str(world.proposal_a.pk))
    assert event.ip_address == IP
    assert event.data["path"] == f"/suppliers/proposals/{world.proposal_a.pk}/"
    # The entry gives nothing of the bid away: no title, no organisation that could list it.
    assert world.proposal_a.title not in event.target_label
    assert event.organisation_id is None


def test_a_probe_for_an_id_that_does_not_exist_is_an_ordinary_404_and_writes_nothing(role_clients):
    response = role_clients["procurer"].get(reverse("suppliers:proposal-detail", kwargs={"pk": 987654}))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="proposal.access_denied").exists()


# The Django admin, as the superuser


BID_MODELS = ["proposal", "receipt", "proposaldocument", "consortiumpartner", "priceline"]


def _admin_row(world, model: str):
    return {
        "proposal": world.proposal_a,
        "receipt": world.receipt_a,
        "proposaldocument": world.document_a,
        "consortiumpartner": world.partnership,
        "priceline": None,
    }[model]


@pytest.mark.parametrize("model", [model for model in BID_MODELS if model != "priceline"])
def test_the_admin_answers_for_a_sealed_row_as_for_a_missing_one_and_audits_it(model, world, role_clients):
    client, superuser = role_clients["superuser"], world.users["superuser"]
    row = _admin_row(world, model)
    for view in ("change", "delete", "history"):
        before = _denials(superuser, world.proposal_a)
        sealed = client.get(reverse(f"admin:suppliers_{model}_{view}", args=[row.pk]))
        missing = client.get(reverse(f"admin:suppliers_{model}_{view}", args=[987654]))

        assert (sealed.status_code, sealed.get("Location")) == (missing.status_code, missing.get("Location"))
        # One entry per attempt on the sealed row, none for the missing one.
        assert _denials(superuser, world.proposal_a) == before + 1, view
    listing = client.get(reverse(f"admin:suppliers_{model}_changelist"))
    assert listing.status_code == 200
    # (W's opened bid may be listed: its deadline has passed.)
    listed = {obj.pk for obj in listing.context["cl"].result_list}
    assert row.pk not in listed
    assert not {proposal.pk for proposal in (world.proposal_a, world.proposal_b)} & {
        getattr(obj, "proposal_id", obj.pk) for obj in listing.context["cl"].result_list
    }


def test_the_admins_view_on_site_route_is_the_sealed_one(world, role_clients):
    from django.contrib.contenttypes.models import ContentType

    client, superuser = role_clients["superuser"], world.users["superuser"]
    content_type = ContentType.objects.get_for_model(Proposal).pk
    before = _denials(superuser, world.proposal_a)

    sealed = client.get(reverse("admin:view_on_site", args=[content_type, world.proposal_a.pk]))
    missing = client.get(reverse("admin:view_on_site", args=[content_type, 987654]))

    assert sealed.status_code == missing.status_code == 404
    assert _denials(superuser, world.proposal_a) == before + 1


def test_view_on_site_answers_for_a_sealed_bid_as_for_a_missing_one(world):
    from django.contrib.contenttypes.models import ContentType
    from django.http import Http404

    request = RequestFactory().get("/", REMOTE_ADDR=IP)
    request.user = world.users["superuser"]
    content_type = ContentType.objects.get_for_model(Proposal).pk
    for object_id in (world.proposal_a.pk, 987654):
        with pytest.raises(Http404):
            view_on_site(request, content_type, str(object_id))
    # (Called without the middleware that reads the client's address.)
    assert _denials(world.users["superuser"], world.proposal_a, ip=None) == 1


# Nothing gives a sealed bid away: the same pages with and without it


def _normalised(response) -> bytes:
    # (The test client closes a streamed response once its content has been read.)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    # CSRF tokens, CSP nonces and an iCalendar file's time stamp differ from one request to the next.
    body = re.sub(
        rb'(nonce|csrfmiddlewaretoken" value|name="csrf-token" content|-csrf)="[^"]*"', rb'\1=""', body
    )
    return re.sub(rb"DTSTAMP:[0-9TZ]+", b"DTSTAMP:", body)


EXTRA_PAGES = [
    # Searches, where a bid's words or its supplier's name might surface.
    reverse("challenges:challenge-list") + "?q=Sealed+bid",
    reverse("suppliers:directory") + "?q=Supplier",
    reverse("casestudies:case-study-list") + "?q=Sealed",
    reverse("ideas:idea-list") + "?q=Sealed",
]


def _pages(role: str, world) -> list[str]:
    urls = []
    for route in project_routes():
        if route.is_admin:
            if role == "superuser" and route.name.endswith("_changelist"):
                urls.append(url_for(route, KWARGS, world))
                urls.append(url_for(route, KWARGS, world) + "?q=Supplier")
            continue
        if EXPECTED.get(route.name, {}).get(role) == 200:
            urls.append(url_for(route, KWARGS, world))
    if role == "superuser":
        urls += [reverse("admin:index"), reverse("admin:app_list", kwargs={"app_label": "suppliers"})]
    return urls + EXTRA_PAGES


def _render(client, urls) -> dict[str, tuple]:
    pages = {}
    for url in urls:
        response = client.get(url)
        pages[url] = (response.status_code, _normalised(response))
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_no_page_tells_a_non_bidder_that_a_sealed_bid_exists(role, world, role_clients, world_storage):
    hidden = [world.objects[key] for key, bidders in BIDDERS.items() if role not in bidders]
    client = role_clients[role]
    urls = _pages(role, world)
    # First without the bids (rolled back), then with them: the attempts the second pass makes on hidden
    # bids are audited, and those entries must not show either.
    # The clock stands still meanwhile, so that a time a page shows (an audit-trail entry written by opening
    # a page) is the same twice.
    with time_machine.travel(timezone.now(), tick=False):
        with transaction.atomic():
            # Receipts protect their proposal from deletion (a bid's record is never lost in the portal).
            Receipt.objects.filter(proposal__in=hidden).delete()
            Proposal.objects.filter(pk__in=[proposal.pk for proposal in hidden]).delete()
            without = _render(client, urls)
            transaction.set_rollback(True)
        with_bids = _render(client, urls)

    differences = [url for url in urls if without[url] != with_bids[url]]
    assert not differences, f"as {role}, these pages differ when sealed bids exist: {differences}"


def test_the_admin_registers_every_bid_model_behind_the_seal():
    from suppliers.admin import SealedAdmin

    bid_models = {
        "proposal",
        "receipt",
        "proposaldocument",
        "consortiumpartner",
        "outcomeanswer",
        "criterionanswer",
        "priceline",
    }
    registered = {
        model._meta.model_name: model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "suppliers"
    }
    assert all(isinstance(registered[name], SealedAdmin) for name in bid_models)
