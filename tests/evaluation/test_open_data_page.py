"""The open data page: open to everyone, explains the data and links it; its list of challenges shows
only public ones and pages with a fixed number of queries."""

import pytest
from django.conf import settings
from django.urls import reverse

from challenges.enums import ChallengeStatus
from tests.factories.accounts import UserFactory
from tests.factories.challenges import ChallengeFactory, PublishedChallengeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("actor", ["anonymous", "user"])
def test_open_data_page_is_open_to_everyone(client, actor):
    if actor == "user":
        client.force_login(UserFactory())

    response = client.get(reverse("open_data:index"))

    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert settings.OCDS_OCID_PREFIX in body
    assert reverse("open_data:releases") in body
    assert reverse("open_data:feed") in body
    assert 'type="application/atom+xml"' in body
    assert "creativecommons.org/licenses/by/4.0/" in body


def test_open_data_page_lists_public_challenges_only(client):
    public = PublishedChallengeFactory(title="Cleaner harbour")
    draft = ChallengeFactory(title="Secret draft")
    ChallengeFactory(title="Cancelled unpublished", status=ChallengeStatus.CANCELLED, published_at=None)

    body = client.get(reverse("open_data:index")).content.decode()

    assert "Cleaner harbour" in body
    assert reverse("open_data:challenge-releases", kwargs={"pk": public.pk}) in body
    assert f"{settings.OCDS_OCID_PREFIX}-{public.pk}" in body
    assert "Secret draft" not in body
    assert "Cancelled unpublished" not in body
    assert reverse("open_data:challenge-releases", kwargs={"pk": draft.pk}) not in body


def test_footer_links_the_open_data_page(client):
    body = client.get(reverse("challenges:challenge-list")).content.decode()

    assert f'href="{reverse("open_data:index")}"' in body


def test_open_data_page_paginates(client):
    PublishedChallengeFactory.create_batch(26)

    first = client.get(reverse("open_data:index")).content.decode()
    second = client.get(reverse("open_data:index") + "?page=2").content.decode()

    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second


def test_open_data_page_lists_the_newest_challenges_up_to_a_limit(client, monkeypatch):
    # A deep page would walk every public challenge before it: the list stops at LIST_MAX (here 3).
    monkeypatch.setattr("challenges.evaluation.views.open_data.LIST_MAX", 3)
    monkeypatch.setattr("challenges.evaluation.views.open_data.LIST_PAGE_SIZE", 2)
    PublishedChallengeFactory.create_batch(5)

    last = client.get(reverse("open_data:index") + "?page=99").content.decode()

    assert "Page 2 of 2" in last
    assert "The list shows the newest 3 challenges" in last
    assert "The list shows the newest" not in _short_list(client)


def _short_list(client) -> str:
    from challenges.models import Challenge

    Challenge.objects.filter(pk__in=list(Challenge.objects.values_list("pk", flat=True)[:3])).delete()
    return client.get(reverse("open_data:index")).content.decode()


@pytest.mark.parametrize("rows", [1, 5])
def test_open_data_page_query_count(client, django_assert_num_queries, rows):
    PublishedChallengeFactory.create_batch(rows)

    # The count and the page of challenges (with their buyer).
    with django_assert_num_queries(2):
        client.get(reverse("open_data:index"))
