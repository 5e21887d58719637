import pytest
from django.db import DatabaseError, connection, transaction

from portal.audit.models import AppendOnlyError, AuditEvent
from tests.factories.audit import AuditEventFactory

pytestmark = pytest.mark.django_db


def test_audit_event_new_row_saved():
    event = AuditEvent(action="organisation.created", actor_label="ann@example.org")

    event.save()

    assert AuditEvent.objects.get(pk=event.pk).action == "organisation.created"


def test_audit_event_save_of_existing_row_refused():
    event = AuditEventFactory(action="organisation.created")
    event.action = "organisation.deleted"

    with pytest.raises(AppendOnlyError):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).action == "organisation.created"


def test_audit_event_delete_refused():
    event = AuditEventFactory()

    with pytest.raises(AppendOnlyError):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_event_queryset_update_refused():
    event = AuditEventFactory(action="organisation.created")

    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="organisation.deleted")

    assert AuditEvent.objects.get(pk=event.pk).action == "organisation.created"


def test_audit_event_queryset_delete_refused():
    AuditEventFactory.create_batch(2)

    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.count() == 2


def test_audit_event_bulk_update_refused():
    event = AuditEventFactory(action="organisation.created")
    event.action = "organisation.deleted"

    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])


def test_audit_event_str_names_actor_and_action():
    event = AuditEventFactory(actor_label="ann@example.org", action="user.logged_in", target_label="Ann")

    assert str(event).endswith(" ann@example.org user.logged_in Ann")


def _raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.postgres
def test_audit_event_raw_update_refused_by_database():
    event = AuditEventFactory(action="organisation.created")

    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["organisation.deleted", event.pk])

    assert AuditEvent.objects.get(pk=event.pk).action == "organisation.created"


@pytest.mark.postgres
def test_audit_event_raw_delete_refused_by_database():
    event = AuditEventFactory()

    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_audit_event_raw_insert_allowed_by_database():
    _raw(
        "INSERT INTO audit_auditevent (actor_label, action, target_id, target_label, data, created_at)"
        " VALUES ('', %s, '', '', '{}', now())",
        ["raw.insert"],
    )

    assert AuditEvent.objects.filter(action="raw.insert").exists()
