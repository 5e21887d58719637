import pytest
from django.contrib.auth.models import AnonymousUser

from portal.audit.selectors import audit_events_for
from tests.factories.audit import AuditEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(actors):
    return {
        "ours": AuditEventFactory(organisation=actors["organisation"], action="organisation.updated"),
        "theirs": AuditEventFactory(organisation=actors["other_organisation"], action="organisation.updated"),
        "site": AuditEventFactory(organisation=None, action="user.login_failed"),
    }


def test_audit_events_for_staff_is_everything(actors, events):
    assert set(audit_events_for(user=actors["staff"])) == set(events.values())


def test_audit_events_for_admin_is_their_organisations(actors, events):
    assert list(audit_events_for(user=actors["admin"])) == [events["ours"]]


def test_audit_events_for_member_is_nothing(actors, events):
    assert list(audit_events_for(user=actors["member"])) == []


def test_audit_events_for_anonymous_is_nothing(events):
    assert list(audit_events_for(user=AnonymousUser())) == []


def test_audit_events_for_organisation_and_action_prefix(actors, events):
    AuditEventFactory(organisation=actors["organisation"], action="invitation.created")

    events_found = audit_events_for(
        user=actors["staff"], organisation=actors["organisation"], action="organisation."
    )

    assert list(events_found) == [events["ours"]]


def test_audit_events_for_newest_first(actors):
    first = AuditEventFactory(organisation=actors["organisation"])
    second = AuditEventFactory(organisation=actors["organisation"])

    assert list(audit_events_for(user=actors["admin"])) == [second, first]
