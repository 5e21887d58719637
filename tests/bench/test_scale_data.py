"""The benchmark's scale data set, built at a tiny scale, and its floor endpoint."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from challenges.search import search_challenges
from portal.web.scale import Sizes
from suppliers.enums import ProposalStatus
from suppliers.models import Proposal

SCALE = 0.001


@pytest.mark.postgres
@pytest.mark.django_db
def test_build_scale_data_builds_a_consistent_data_set_and_refuses_a_second_run(client, tmp_path):
    sizes = Sizes.for_scale(SCALE)
    targets_file = tmp_path / "targets.json"

    call_command("build_scale_data", scale=SCALE, targets=str(targets_file), stdout=StringIO())

    assert Challenge.objects.count() == sizes.challenges
    assert Challenge.objects.filter(search_vector__isnull=True).count() == 0
    statuses = set(Challenge.objects.values_list("status", flat=True))
    assert {ChallengeStatus.PUBLISHED, ChallengeStatus.UNDER_EVALUATION} <= statuses
    assert Proposal.objects.exclude(status=ProposalStatus.SUBMITTED).count() == 0
    # Sealed while the challenge is open; opened once its deadline has passed.
    open_bids = Proposal.objects.filter(challenge__in=Challenge.objects.open_for_proposals())
    assert not Proposal.objects.opened().filter(pk__in=open_bids.values("pk")).exists()
    targets = json.loads(targets_file.read_text())
    bench = Challenge.objects.get(pk=targets["bench_challenge"])
    assert bench.proposals.filter(status=ProposalStatus.SUBMITTED).count() == sizes.bench_bids
    assert search_challenges(Challenge.objects.all(), "residents").exists()

    # The signed-in pages answer with the sessions the command wrote; the public ones too.
    pages = {page["name"]: page for page in targets["pages"]}
    assert "floor" in pages
    for name in ("evaluation table (500)", "dashboard", "challenge detail", "agenda", "OCDS bulk page"):
        page = pages[name]
        client.cookies.clear()
        if page["cookie"]:
            cookie_name, value = page["cookie"].split("=", 1)
            assert cookie_name == settings.SESSION_COOKIE_NAME
            client.cookies[cookie_name] = value
        path = page["path"].replace("?page=2", "") if name == "OCDS bulk page" else page["path"]
        assert client.get(path).status_code == 200, name

    with pytest.raises(CommandError):
        call_command("build_scale_data", scale=SCALE, stdout=StringIO())


@override_settings(ROOT_URLCONF="bench.urls")
def test_floor_endpoint_answers_behind_the_middleware(client):
    response = client.get("/bench/floor/")

    assert response.status_code == 200
    assert response.content == b"ok"
    # The same middleware as every page: the security headers are there.
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="bench.urls")
def test_layout_floor_is_the_portals_layout_around_an_empty_page(client):
    from tests.factories.accounts import UserFactory

    anonymous = client.get("/bench/floor/layout/").content.decode()
    user = UserFactory(full_name="Floor Reader")
    client.force_login(user)
    signed_in = client.get("/bench/floor/layout/").content.decode()

    for page in (anonymous, signed_in):
        assert "<h1>Floor</h1>" in page and 'id="main"' in page
    assert "Sign in" in anonymous and "Sign out" not in anonymous
    assert "Sign out" in signed_in and "Notifications" in signed_in


def test_floor_endpoints_are_not_in_production_urls(client):
    assert client.get("/bench/floor/").status_code == 404
    assert client.get("/bench/floor/layout/").status_code == 404
