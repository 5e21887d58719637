import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.accounts.kinds import INVITATION, MEMBER_JOINED, ROLE_CHANGED
from portal.notifications.kinds import optional_kinds
from portal.notifications.models import EmailPreference, Notification, OutboxMail
from portal.notifications.services import notify, unsubscribe_token
from tests.factories.accounts import OrganisationFactory, UserFactory
from tests.factories.notifications import EmailPreferenceFactory, NotificationFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("account_login")


def optional_keys() -> list[str]:
    return [kind.key for kind in optional_kinds()]


@pytest.fixture
def actors():
    owner, other = UserFactory(), UserFactory()
    return {
        "anonymous": None,
        "owner": owner,
        "other_user": other,
        "notification": NotificationFactory(recipient=owner, url="/accounts/profile/"),
    }


def url_of(view: str, notification: Notification) -> str:
    if view in {"open", "mark-read"}:
        return reverse(f"notifications:{view}", args=[notification.pk])
    return reverse(f"notifications:{view}")


@pytest.mark.parametrize(
    ("view", "method", "actor", "status"),
    [
        ("list", "get", "anonymous", 302),
        ("list", "get", "owner", 200),
        ("list", "get", "other_user", 200),
        ("preferences", "get", "anonymous", 302),
        ("preferences", "get", "owner", 200),
        ("open", "get", "anonymous", 302),
        ("open", "get", "owner", 302),
        ("open", "get", "other_user", 404),
        ("mark-read", "post", "anonymous", 302),
        ("mark-read", "post", "owner", 302),
        ("mark-read", "post", "other_user", 404),
        ("mark-all-read", "post", "anonymous", 302),
        ("mark-all-read", "post", "owner", 302),
    ],
)
def test_notification_views_access(client, actors, view, method, actor, status):
    if user := actors[actor]:
        client.force_login(user)

    response = getattr(client, method)(url_of(view, actors["notification"]))

    assert response.status_code == status
    if actor == "anonymous":
        assert response["Location"].startswith(f"{LOGIN_URL}?next=")


@pytest.mark.parametrize("view", ["open", "mark-read"])
def test_notification_of_another_user_stays_unread(client, actors, view):
    client.force_login(actors["other_user"])

    client.post(url_of(view, actors["notification"]))

    actors["notification"].refresh_from_db()
    assert actors["notification"].read_at is None


# List


def test_notification_list_shows_only_own_notifications(client):
    user = UserFactory()
    NotificationFactory(recipient=user, title="Yours to read")
    NotificationFactory(title="Someone else's")
    client.force_login(user)

    content = client.get(reverse("notifications:list")).content.decode()

    assert "Yours to read" in content
    assert "Someone else&#x27;s" not in content


def test_notification_list_paginates_by_twenty(client):
    user = UserFactory()
    NotificationFactory.create_batch(25, recipient=user)
    client.force_login(user)

    first = client.get(reverse("notifications:list"))
    second = client.get(reverse("notifications:list"), {"page": 2})

    assert len(first.context["page_obj"]) == 20
    assert len(second.context["page_obj"]) == 5
    assert "Page 1 of 2" in first.content.decode()
    assert len(re.findall(r'href="/notifications/\d+/"', first.content.decode())) == 20


def test_notification_list_unread_filter_hides_read_notifications(client):
    user = UserFactory()
    NotificationFactory(recipient=user, title="Still new")
    NotificationFactory(recipient=user, title="Seen before", read_at="2026-01-01T10:00Z")
    client.force_login(user)

    content = client.get(reverse("notifications:list"), {"filter": "unread"}).content.decode()

    assert "Still new" in content
    assert "Seen before" not in content


def test_notification_list_escapes_titles(client):
    user = UserFactory()
    NotificationFactory(recipient=user, title="Smith & Sons <script>")
    client.force_login(user)

    content = client.get(reverse("notifications:list")).content.decode()

    assert "Smith &amp; Sons &lt;script&gt;" in content
    assert "<script>" not in content


@pytest.mark.parametrize("rows", [1, 20])
def test_notification_list_query_count(client, django_assert_num_queries, rows):
    user = UserFactory()
    NotificationFactory.create_batch(rows, recipient=user)
    client.force_login(user)

    # session, user, memberships (header), count and page of notifications, unread count (header)
    with django_assert_num_queries(6):
        client.get(reverse("notifications:list"))


# Open and mark read


def test_notification_open_marks_read_and_follows_local_link(client):
    notification = NotificationFactory(url="/accounts/profile/")
    client.force_login(notification.recipient)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    notification.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_notification_open_does_not_follow_external_link(client, url):
    notification = NotificationFactory(url=url)
    client.force_login(notification.recipient)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    notification.refresh_from_db()
    assert response["Location"] == reverse("notifications:list")
    assert notification.read_at is not None


def test_notification_open_without_link_goes_to_list(client):
    notification = NotificationFactory(url="")
    client.force_login(notification.recipient)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response["Location"] == reverse("notifications:list")


def test_notification_open_keeps_first_read_time(client):
    notification = NotificationFactory(read_at="2026-01-01T10:00Z")
    client.force_login(notification.recipient)

    client.get(reverse("notifications:open", args=[notification.pk]))

    notification.refresh_from_db()
    assert notification.read_at.isoformat() == "2026-01-01T10:00:00+00:00"


def test_notification_mark_read_marks_it(client):
    notification = NotificationFactory()
    client.force_login(notification.recipient)

    response = client.post(reverse("notifications:mark-read", args=[notification.pk]))

    notification.refresh_from_db()
    assert response["Location"] == reverse("notifications:list")
    assert notification.read_at is not None


def test_notification_mark_read_refuses_get(client):
    notification = NotificationFactory()
    client.force_login(notification.recipient)

    response = client.get(reverse("notifications:mark-read", args=[notification.pk]))

    notification.refresh_from_db()
    assert response.status_code == 405
    assert notification.read_at is None


def test_notification_mark_all_read_marks_only_own(client):
    user = UserFactory()
    NotificationFactory.create_batch(3, recipient=user)
    theirs = NotificationFactory()
    client.force_login(user)

    response = client.post(reverse("notifications:mark-all-read"))

    theirs.refresh_from_db()
    assert response["Location"] == reverse("notifications:list")
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 0
    assert theirs.read_at is None


def test_notification_mark_all_read_refuses_get(client):
    notification = NotificationFactory()
    client.force_login(notification.recipient)

    response = client.get(reverse("notifications:mark-all-read"))

    notification.refresh_from_db()
    assert response.status_code == 405
    assert notification.read_at is None


# Header


def test_header_shows_unread_count(client):
    user = UserFactory()
    NotificationFactory.create_batch(3, recipient=user)
    NotificationFactory(recipient=user, read_at="2026-01-01T10:00Z")
    NotificationFactory()
    client.force_login(user)

    content = client.get(reverse("notifications:preferences")).content.decode()

    assert re.search(
        r'<span class="badge text-bg-danger">3<span class="visually-hidden"> unread</span>', content
    )


def test_header_without_unread_shows_no_badge(client):
    user = UserFactory()
    NotificationFactory(recipient=user, read_at="2026-01-01T10:00Z")
    client.force_login(user)

    content = client.get(reverse("notifications:preferences")).content.decode()

    assert "badge text-bg-danger" not in content


def test_header_counts_unread_notifications_with_one_query(client):
    user = UserFactory()
    NotificationFactory(recipient=user)
    client.force_login(user)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("notifications:preferences"))

    assert len([query for query in queries if "notifications_notification" in query["sql"]]) == 1


# Preferences


def test_preferences_lists_optional_kinds_only(client):
    client.force_login(UserFactory())

    form = client.get(reverse("notifications:preferences")).context["form"]

    assert ROLE_CHANGED.key in form.fields
    assert INVITATION.key not in form.fields


def test_preferences_show_stored_choice(client):
    user = UserFactory()
    EmailPreferenceFactory(user=user, kind=ROLE_CHANGED.key, email_enabled=False)
    client.force_login(user)

    form = client.get(reverse("notifications:preferences")).context["form"]

    assert form.fields[ROLE_CHANGED.key].initial is False
    assert form.fields[MEMBER_JOINED.key].initial is True


def test_preferences_saved_are_respected_by_notify(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("notifications:preferences"), {MEMBER_JOINED.key: "on"})
    organisation = OrganisationFactory()
    notify(recipients=[user], kind=ROLE_CHANGED, context={"organisation": organisation, "role": "Member"})
    notify(
        recipients=[user], kind=MEMBER_JOINED, context={"organisation": organisation, "member": UserFactory()}
    )

    assert response["Location"] == reverse("notifications:preferences")
    assert (
        dict(EmailPreference.objects.filter(user=user).values_list("kind", "email_enabled"))[ROLE_CHANGED.key]
        is False
    )
    assert Notification.objects.filter(recipient=user).count() == 2
    assert list(OutboxMail.objects.values_list("kind", flat=True)) == [MEMBER_JOINED.key]


def test_preferences_all_switched_off_are_saved(client):
    # Unticking every box posts no field at all (the test client sends no CSRF token either).
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("notifications:preferences"), {})

    assert response.status_code == 302
    assert set(EmailPreference.objects.filter(user=user).values_list("email_enabled", flat=True)) == {False}
    assert EmailPreference.objects.filter(user=user).count() == len(optional_keys())


def test_preferences_switched_on_again(client):
    user = UserFactory()
    EmailPreferenceFactory(user=user, kind=ROLE_CHANGED.key, email_enabled=False)
    client.force_login(user)

    client.post(reverse("notifications:preferences"), {key: "on" for key in optional_keys()})

    assert EmailPreference.objects.get(user=user, kind=ROLE_CHANGED.key).email_enabled is True


# Unsubscribe


def unsubscribe_url(user, kind=ROLE_CHANGED) -> str:
    return reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id=user.pk, kind=kind.key)])


def test_unsubscribe_get_asks_to_confirm_and_changes_nothing(client):
    user = UserFactory()

    response = client.get(unsubscribe_url(user))

    content = response.content.decode()
    assert response.status_code == 200
    assert str(ROLE_CHANGED.label) in content
    assert '<form method="post">' in content
    assert EmailPreference.objects.count() == 0


def test_unsubscribe_post_switches_kind_off(client):
    user = UserFactory()

    response = client.post(unsubscribe_url(user))

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert list(EmailPreference.objects.values_list("user_id", "kind", "email_enabled")) == [
        (user.pk, ROLE_CHANGED.key, False)
    ]


def test_unsubscribe_one_click_post_needs_no_csrf_token():
    user = UserFactory()
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        unsubscribe_url(user), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert EmailPreference.objects.get(user=user, kind=ROLE_CHANGED.key).email_enabled is False


def test_unsubscribe_then_notify_sends_no_mail(client):
    user = UserFactory()

    client.post(unsubscribe_url(user))
    notify(
        recipients=[user],
        kind=ROLE_CHANGED,
        context={"organisation": OrganisationFactory(), "role": "Member"},
    )

    assert Notification.objects.filter(recipient=user).count() == 1
    assert OutboxMail.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_unsubscribe_with_bad_token_is_not_found(client, method):
    user = UserFactory()
    good = unsubscribe_token(user_id=user.pk, kind=ROLE_CHANGED.key)

    response = getattr(client, method)(reverse("notifications:unsubscribe", args=[f"{good[:-2]}xx"]))

    assert response.status_code == 404
    assert EmailPreference.objects.count() == 0


def test_unsubscribe_for_unknown_kind_is_not_found(client):
    user = UserFactory()
    token = unsubscribe_token(user_id=user.pk, kind="nobody.registered_this")

    response = client.post(reverse("notifications:unsubscribe", args=[token]))

    assert response.status_code == 404


def test_unsubscribe_for_deactivated_user_is_not_found(client):
    user = UserFactory(is_active=False)

    response = client.post(unsubscribe_url(user))

    assert response.status_code == 404
    assert EmailPreference.objects.count() == 0


def test_unsubscribe_from_mandatory_kind_is_not_found(client):
    # Mandatory mails carry no unsubscribe link; a token for one must not pretend to unsubscribe.
    user = UserFactory()

    response = client.post(unsubscribe_url(user, kind=INVITATION))

    assert response.status_code == 404
