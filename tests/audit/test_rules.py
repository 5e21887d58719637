import pytest
from django.contrib.auth.models import AnonymousUser

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("actor", "expected"), [("member", False), ("admin", False), ("other_admin", False), ("staff", True)]
)
def test_view_all_events_permission(actors, actor, expected):
    assert actors[actor].has_perm("audit.view_all_events") is expected


@pytest.mark.parametrize(
    ("actor", "expected"), [("member", False), ("admin", True), ("other_admin", False), ("staff", True)]
)
def test_view_organisation_events_permission(actors, actor, expected):
    assert actors[actor].has_perm("audit.view_organisation_events", actors["organisation"]) is expected


def test_audit_permissions_refused_to_anonymous(actors):
    assert AnonymousUser().has_perm("audit.view_all_events") is False
    assert AnonymousUser().has_perm("audit.view_organisation_events", actors["organisation"]) is False
