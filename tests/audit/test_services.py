import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse

from portal.accounts.models import Organisation
from portal.audit.context import client_ip, current_ip
from portal.audit.models import AuditEvent
from portal.audit.services import record_audit
from tests.factories.accounts import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_record_audit_copies_actor_target_and_organisation():
    actor, organisation = UserFactory(email="ann@example.org"), OrganisationFactory(name="Oslo kommune")

    event = record_audit(
        actor=actor,
        action="organisation.updated",
        target=organisation,
        organisation=organisation,
        data={"fields": ["name"]},
    )

    event.refresh_from_db()
    assert event.actor == actor
    assert event.actor_label == "ann@example.org"
    assert event.target_type == ContentType.objects.get_for_model(Organisation)
    assert event.target_id == str(organisation.pk)
    assert event.target_label == "Oslo kommune"
    assert event.organisation == organisation
    assert event.data == {"fields": ["name"]}


def test_record_audit_keeps_actor_label_after_account_is_deleted():
    actor = UserFactory(email="ann@example.org")
    event = record_audit(actor=actor, action="user.logged_in", target=actor)

    actor.delete()

    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_label == "ann@example.org"
    assert event.target_label


def test_record_audit_keeps_entries_of_deleted_organisation():
    organisation = OrganisationFactory()
    record_audit(actor=None, action="organisation.created", organisation=organisation)

    organisation.delete()

    assert AuditEvent.objects.filter(action="organisation.created").count() == 1


def test_record_audit_anonymous_actor_stored_as_none():
    event = record_audit(actor=AnonymousUser(), action="user.login_failed", data={"email": "x@example.org"})

    assert event.actor is None
    assert event.actor_label == ""


def test_record_audit_without_request_has_no_ip():
    assert record_audit(actor=None, action="task.ran").ip_address is None


def test_record_audit_explicit_ip_used():
    assert record_audit(actor=None, action="task.ran", ip_address="2001:db8::1").ip_address == "2001:db8::1"


def test_record_audit_invalid_ip_dropped():
    assert record_audit(actor=None, action="task.ran", ip_address="not-an-ip").ip_address is None


def test_record_audit_long_target_label_cut():
    organisation = OrganisationFactory.build(name="x" * 400, pk=1)

    assert len(record_audit(actor=None, action="x", target=organisation).target_label) == 300


def _request(remote_addr="10.0.0.1", forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def test_client_ip_is_remote_addr_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(_request("10.0.0.1", "203.0.113.5")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "198.51.100.1, 203.0.113.5", "203.0.113.5"),  # the client may prepend anything it likes
        (2, "198.51.100.1, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.1"),  # fewer entries than proxies: the header is not believed
        (1, "", "10.0.0.1"),
    ],
)
def test_client_ip_behind_trusted_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_ip(_request("10.0.0.1", forwarded)) == expected


def test_client_ip_behind_trusted_proxy_without_header_is_remote_addr(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request("10.0.0.1")) == "10.0.0.1"


def test_request_ip_recorded_from_remote_addr(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client.force_login(UserFactory())

    client.post(
        reverse("accounts:organisation-create"),
        {"name": "Oslo kommune", "kind": "buyer", "country": "NO"},
        REMOTE_ADDR="192.0.2.10",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )

    assert AuditEvent.objects.get(action="organisation.created").ip_address == "192.0.2.10"


def test_request_ip_recorded_from_forwarded_for_behind_trusted_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(UserFactory())

    client.post(
        reverse("accounts:organisation-create"),
        {"name": "Oslo kommune", "kind": "buyer", "country": "NO"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.99",
    )

    assert AuditEvent.objects.get(action="organisation.created").ip_address == "203.0.113.99"


def test_request_ip_forgotten_after_the_request(client):
    client.get(reverse("web:home"), REMOTE_ADDR="192.0.2.10")

    assert current_ip.get() is None
