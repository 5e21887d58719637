"""A permission grid for every exchange page: anonymous, a supplier, a procurer who is not registered, a
registered participant and programme staff."""

import pytest
from django.urls import reverse

from exchanges.services.agenda import publish_agenda
from exchanges.services.surveys import create_event_survey, open_event_survey
from tests.factories.exchanges import (
    AgendaSessionFactory,
    CalendarFeedFactory,
    PlanningEventFactory,
    PublishedReflectionReportFactory,
    ReflectionReportFactory,
)

pytestmark = pytest.mark.django_db
ACTORS = ["anonymous", "supplier", "procurer", "participant", "staff"]


def _get(client, actors, actor, url):
    if user := actors[actor]:
        client.force_login(user)
    return client.get(url)


def _grid(statuses):
    return list(zip(ACTORS, statuses, strict=True))


def _urls(actors) -> dict:
    event = actors["event"]
    registration = actors["registration"]
    session = AgendaSessionFactory(event=event)
    publish_agenda(event=event, by=actors["staff"])
    return {
        "programme-list": reverse("exchanges:programme-list"),
        "case-study-list": reverse("exchanges:case-study-list"),
        "programme-detail": event.programme.get_absolute_url(),
        "programme-reports": reverse("exchanges:programme-reports", args=[event.programme.slug]),
        "event-detail": event.get_absolute_url(),
        "event-agenda": reverse("exchanges:event-agenda", args=[event.pk]),
        "event-calendar": reverse("exchanges:event-calendar", args=[event.pk]),
        "event-register": reverse("exchanges:event-register", args=[event.pk]),
        "participant-list": reverse("exchanges:participant-list", args=[event.pk]),
        "my-registrations": reverse("exchanges:my-registrations"),
        "registration-edit": reverse("exchanges:registration-edit", args=[registration.pk]),
        "registration-cancel": reverse("exchanges:registration-cancel", args=[registration.pk]),
        "event-survey": reverse("exchanges:event-survey", args=[event.pk, "pre"]),
        "programme-create": reverse("exchanges:programme-create"),
        "event-create": reverse("exchanges:event-create", args=[event.programme.slug]),
        "event-edit": reverse("exchanges:event-edit", args=[event.pk]),
        "event-planning": reverse("exchanges:event-planning", args=[event.pk]),
        "participants-csv": reverse("exchanges:participants-csv", args=[event.pk]),
        "agenda-edit": reverse("exchanges:agenda-edit", args=[event.pk]),
        "session-edit": reverse("exchanges:session-edit", args=[session.pk]),
        "survey-results": reverse("exchanges:survey-results", args=[event.pk, "pre"]),
        "report-edit": reverse("exchanges:report-edit", args=[event.pk]),
    }


EVERYONE = [200, 200, 200, 200, 200]
SIGNED_IN = [302, 200, 200, 200, 200]
STAFF_ONLY = [302, 404, 404, 404, 200]
PARTICIPANT_AND_STAFF = [302, 404, 404, 200, 200]

GRID = [
    ("programme-list", EVERYONE),
    ("case-study-list", [301, 301, 301, 301, 301]),  # moved to the case-study library
    ("programme-detail", EVERYONE),
    ("programme-reports", EVERYONE),
    ("event-detail", EVERYONE),
    ("event-agenda", EVERYONE),  # once published
    ("event-calendar", EVERYONE),
    ("event-register", [302, 200, 200, 302, 200]),  # a registered person is sent to their registrations
    ("participant-list", PARTICIPANT_AND_STAFF),
    ("my-registrations", SIGNED_IN),
    ("registration-edit", [302, 404, 404, 200, 404]),  # one's own only
    ("registration-cancel", PARTICIPANT_AND_STAFF),
    ("event-survey", [302, 404, 404, 200, 404]),  # registered participants answer, not staff
    ("programme-create", STAFF_ONLY),
    ("event-create", STAFF_ONLY),
    ("event-edit", STAFF_ONLY),
    ("event-planning", STAFF_ONLY),
    ("participants-csv", STAFF_ONLY),
    ("agenda-edit", STAFF_ONLY),
    ("session-edit", STAFF_ONLY),
    ("survey-results", STAFF_ONLY),
    ("report-edit", STAFF_ONLY),
]


@pytest.mark.parametrize(
    ("name", "actor", "status"),
    [(name, actor, status) for name, statuses in GRID for actor, status in _grid(statuses)],
)
def test_exchange_page_access(client, actors, staff, name, actor, status):
    create_event_survey(event=actors["event"], which="pre", by=staff)
    open_event_survey(event=actors["event"], which="pre", by=staff)
    url = _urls(actors)[name]

    response = _get(client, actors, actor, url)

    assert response.status_code == status
    if status == 302 and actor == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


POSTS = [
    ("event-status", lambda a: reverse("exchanges:event-status", args=[a["event"].pk])),
    ("agenda-generate", lambda a: reverse("exchanges:agenda-generate", args=[a["event"].pk])),
    ("agenda-publish", lambda a: reverse("exchanges:agenda-publish", args=[a["event"].pk])),
    ("proposal-dismiss", lambda a: reverse("exchanges:proposal-dismiss", args=[a["event"].pk, "k1"])),
    ("survey-attach", lambda a: reverse("exchanges:survey-attach", args=[a["event"].pk, "reflection"])),
    ("survey-create", lambda a: reverse("exchanges:survey-create", args=[a["event"].pk, "pre"])),
    ("survey-state", lambda a: reverse("exchanges:survey-state", args=[a["event"].pk, "pre"])),
    ("survey-remind", lambda a: reverse("exchanges:survey-remind", args=[a["event"].pk, "pre"])),
    ("report-action", lambda a: reverse("exchanges:report-action", args=[a["event"].pk])),
    (
        "session-delete",
        lambda a: reverse("exchanges:session-delete", args=[AgendaSessionFactory(event=a["event"]).pk]),
    ),
]


@pytest.mark.parametrize(("name", "url"), POSTS, ids=[name for name, _url in POSTS])
@pytest.mark.parametrize(("actor", "status"), _grid([302, 404, 404, 404, 302]))
def test_exchange_staff_actions_access(client, actors, name, url, actor, status):
    if name == "report-action" and actor == "staff":
        ReflectionReportFactory(event=actors["event"])
    if user := actors[actor]:
        client.force_login(user)

    response = client.post(url(actors), {"status": "registration_closed", "action": "open"})

    assert response.status_code == status
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("actor", "status"), _grid([404, 404, 404, 404, 200]))
def test_planning_event_is_seen_by_staff_only(client, actors, actor, status):
    event = PlanningEventFactory()

    assert _get(client, actors, actor, event.get_absolute_url()).status_code == status


@pytest.mark.parametrize(("actor", "status"), _grid([404, 404, 404, 404, 200]))
def test_draft_report_is_seen_by_staff_only(client, actors, actor, status):
    report = ReflectionReportFactory()

    assert _get(client, actors, actor, report.get_absolute_url()).status_code == status


@pytest.mark.parametrize(("actor", "status"), _grid(EVERYONE))
def test_published_report_is_public(client, actors, actor, status):
    report = PublishedReflectionReportFactory()

    response = _get(client, actors, actor, report.get_absolute_url())

    assert response.status_code == status
    assert report.summary in response.content.decode()


@pytest.mark.parametrize(("actor", "status"), _grid([404, 404, 404, 404, 404]))
def test_unpublished_agenda_page_is_404(client, actors, actor, status):
    assert (
        _get(client, actors, actor, reverse("exchanges:event-agenda", args=[actors["event"].pk])).status_code
        == status
    )


def test_calendar_feed_needs_only_its_token(client):
    feed = CalendarFeedFactory()

    assert client.get(feed.get_absolute_url()).status_code == 200
    assert client.get(reverse("exchanges:calendar-feed", args=["not-a-token"])).status_code == 404


@pytest.mark.parametrize("actor", ACTORS)
def test_feed_regenerate_access(client, actors, actor):
    """Signed out: the sign-in page. Anyone signed in makes (or renews) their own feed, and only theirs."""
    from exchanges.models import CalendarFeed

    if user := actors[actor]:
        client.force_login(user)

    response = client.post(reverse("exchanges:feed-regenerate"))

    assert response.status_code == 302
    if user is None:
        assert response["Location"].startswith(reverse("account_login"))
        assert not CalendarFeed.objects.exists()
    else:
        assert response["Location"] == reverse("exchanges:my-registrations") + "#calendar-feed"
        assert list(CalendarFeed.objects.values_list("user", flat=True)) == [user.pk]


@pytest.mark.parametrize("actor", ACTORS)
def test_feed_regenerate_refuses_get(client, actors, actor):
    if user := actors[actor]:
        client.force_login(user)

    response = client.get(reverse("exchanges:feed-regenerate"))

    assert response.status_code == (302 if user is None else 405)
