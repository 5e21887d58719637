import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from tests.factories.accounts import AdminMembershipFactory, OrganisationFactory, TOTPAuthenticatorFactory
from tests.factories.audit import AuditEventFactory

pytestmark = pytest.mark.django_db


def _login(client, actors, actor):
    if user := actors[actor]:
        client.force_login(user)


@pytest.mark.parametrize(
    ("actor", "status"),
    [("anonymous", 302), ("member", 404), ("admin", 404), ("other_admin", 404), ("staff", 200)],
)
def test_event_list_page_access(client, actors, actor, status):
    _login(client, actors, actor)

    response = client.get(reverse("audit:event-list"))

    assert response.status_code == status
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("actor", "status"),
    [("anonymous", 302), ("member", 404), ("admin", 200), ("other_admin", 404), ("staff", 200)],
)
def test_organisation_event_list_page_access(client, actors, actor, status):
    _login(client, actors, actor)

    response = client.get(reverse("audit:organisation-event-list", args=[actors["organisation"].slug]))

    assert response.status_code == status
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


def test_organisation_event_list_shows_admin_only_their_organisation(client, actors):
    AuditEventFactory(organisation=actors["organisation"], action="organisation.updated", target_label="Ours")
    AuditEventFactory(
        organisation=actors["other_organisation"], action="organisation.updated", target_label="Theirs"
    )
    AuditEventFactory(organisation=None, action="user.logged_in", target_label="Nobody's")
    client.force_login(actors["admin"])

    response = client.get(reverse("audit:organisation-event-list", args=[actors["organisation"].slug]))

    assert [event.target_label for event in response.context["page_obj"]] == ["Ours"]


def test_event_list_shows_staff_every_entry(client, actors):
    AuditEventFactory(organisation=actors["organisation"], target_label="Ours")
    AuditEventFactory(organisation=actors["other_organisation"], target_label="Theirs")
    AuditEventFactory(organisation=None, action="user.login_failed", target_label="")
    client.force_login(actors["staff"])

    response = client.get(reverse("audit:event-list"))

    content = response.content.decode()
    assert len(response.context["page_obj"].object_list) == AuditEvent.objects.count()
    assert "Ours" in content
    assert "Theirs" in content
    assert "user.login_failed" in content


def test_organisation_event_list_shows_staff_that_organisation_only(client, actors):
    AuditEventFactory(organisation=actors["organisation"], target_label="Ours")
    AuditEventFactory(organisation=actors["other_organisation"], target_label="Theirs")
    client.force_login(actors["staff"])

    response = client.get(reverse("audit:organisation-event-list", args=[actors["organisation"].slug]))

    assert [event.target_label for event in response.context["page_obj"]] == ["Ours"]


def test_event_list_filters_by_action_prefix(client, actors):
    AuditEventFactory(action="user.logged_in")
    AuditEventFactory(action="user.login_failed")
    AuditEventFactory(action="organisation.created")
    client.force_login(actors["staff"])

    response = client.get(reverse("audit:event-list"), {"action": "user."})

    assert sorted(event.action for event in response.context["page_obj"]) == [
        "user.logged_in",
        "user.login_failed",
    ]
    assert 'value="user."' in response.content.decode()


def test_event_list_action_filter_escaped_and_capped(client, actors):
    client.force_login(actors["staff"])

    response = client.get(reverse("audit:event-list"), {"action": '"><script>' + "x" * 500})

    assert response.status_code == 200
    assert "<script>" not in response.content.decode()
    assert response.context["action"] == '"><script>' + "x" * 70


def test_event_list_shows_details_and_ip(client, actors):
    AuditEventFactory(action="user.logged_in", data={"mfa": True}, ip_address="203.0.113.9")
    client.force_login(actors["staff"])

    content = client.get(reverse("audit:event-list")).content.decode()

    assert "mfa=True" in content
    assert "203.0.113.9" in content


def test_organisation_detail_links_audit_log_for_admin_only(client, actors):
    url = reverse("audit:organisation-event-list", args=[actors["organisation"].slug])

    client.force_login(actors["admin"])
    admin_page = client.get(actors["organisation"].get_absolute_url()).content.decode()
    client.force_login(actors["member"])
    member_page = client.get(actors["organisation"].get_absolute_url()).content.decode()

    assert url in admin_page
    assert url not in member_page


def test_audit_log_records_the_organisation_journey(client, actors, django_capture_on_commit_callbacks):
    # Actions taken through the pages all land in the organisation's log, which its admin can read.
    organisation = actors["organisation"]
    colleague = actors["colleague_membership"]
    client.force_login(actors["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:organisation-update", args=[organisation.slug]),
            {"name": "Renamed", "country": "NO"},
        )
        client.post(
            reverse("accounts:invitation-create", args=[organisation.slug]),
            {"email": "new@example.org", "role": "member"},
        )
        invitation = organisation.invitations.get()
        client.post(reverse("accounts:invitation-revoke", args=[organisation.slug, invitation.pk]))
        client.post(
            reverse("accounts:membership-role", args=[organisation.slug, colleague.pk]), {"role": "admin"}
        )
        client.post(reverse("accounts:membership-remove", args=[organisation.slug, colleague.pk]))

    response = client.get(reverse("audit:organisation-event-list", args=[organisation.slug]))

    assert [event.action for event in response.context["page_obj"]] == [
        "membership.removed",
        "membership.role_changed",
        "invitation.revoked",
        "invitation.created",
        "organisation.updated",
    ]


@pytest.mark.parametrize("rows", [1, 5])
def test_event_list_query_count(client, django_assert_num_queries, rows):
    staff = TOTPAuthenticatorFactory().user
    for _ in range(rows):
        AuditEventFactory(organisation=OrganisationFactory(), actor=staff)
    client.force_login(staff)

    # session, user, MFA check, count, page (with organisations), memberships (header), notifications badge
    with django_assert_num_queries(7):
        response = client.get(reverse("audit:event-list"))

    assert len(response.context["page_obj"].object_list) == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_organisation_event_list_query_count(client, django_assert_num_queries, rows):
    admin = AdminMembershipFactory()
    AuditEventFactory.create_batch(rows, organisation=admin.organisation, actor=admin.user)
    client.force_login(admin.user)

    # session, user, organisation, roles (also the header's memberships), count, page, notifications badge
    with django_assert_num_queries(7):
        response = client.get(reverse("audit:organisation-event-list", args=[admin.organisation.slug]))

    assert len(response.context["page_obj"].object_list) == rows


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "1.5", "9" * 50, ""])
def test_event_list_bogus_page_answers_a_page(client, actors, page):
    AuditEventFactory()
    client.force_login(actors["staff"])

    response = client.get(reverse("audit:event-list"), {"page": page})

    assert response.status_code == 200


@pytest.mark.parametrize("slug", ["unknown", "x" * 300, "-"])
def test_organisation_event_list_unknown_slug_not_found(client, actors, slug):
    client.force_login(actors["staff"])

    assert client.get(f"/audit/organisations/{slug}/").status_code == 404
