"""The audit log is append-only in the database itself, whatever the code does.

- PostgreSQL (production; marked `postgres`): a row trigger (audit 0002) refuses UPDATE and DELETE of any
  entry. TRUNCATE is not refused: a row trigger does not see it, and Django's test runner empties tables
  with TRUNCATE between transactional tests, so a TRUNCATE trigger would break them; in production only the
  table's owner (the migrating role) may TRUNCATE.
- SQLite (the embedded default): a trigger (audit 0003) refuses UPDATE. DELETE is refused by the model and
  its queryset only, since Django empties SQLite tables with DELETE between transactional tests.
- Everywhere: the model refuses save() of an existing entry and delete(), its queryset update() and
  delete() (tests/audit/test_models.py)."""

import pytest
from django.db import DatabaseError, connection, transaction

from portal.audit.services import record_audit
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    return record_audit(actor=UserFactory(), action="proposal.access_denied", data={"proposal": 1})


def _execute(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _row(pk: int):
    with connection.cursor() as cursor:
        cursor.execute("SELECT action, actor_label FROM audit_auditevent WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'nothing.happened' WHERE id = %s",
        "UPDATE audit_auditevent SET actor_label = '' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_postgresql_refuses_to_change_or_delete_an_entry(entry, sql):
    before = _row(entry.pk)

    with pytest.raises(DatabaseError, match="append-only"):
        _execute(sql, [entry.pk])

    assert _row(entry.pk) == before


@pytest.mark.postgres
def test_postgresql_refuses_a_delete_of_the_whole_table(entry):
    with pytest.raises(DatabaseError, match="append-only"):
        _execute("DELETE FROM audit_auditevent")

    assert _row(entry.pk) is not None


@pytest.mark.postgres
def test_postgresql_trigger_is_installed_for_update_and_delete():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_manipulation FROM information_schema.triggers "
            "WHERE event_object_table = 'audit_auditevent' AND trigger_name = 'audit_event_append_only'"
        )
        assert {row[0] for row in cursor.fetchall()} == {"UPDATE", "DELETE"}


def test_an_entry_can_still_be_appended(entry):
    record_audit(actor=None, action="proposal.access_denied")

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM audit_auditevent")
        assert cursor.fetchone()[0] == 2


def test_sqlite_refuses_to_change_an_entry(entry):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite trigger (audit 0003); PostgreSQL's is tested above")
    before = _row(entry.pk)

    with pytest.raises(DatabaseError, match="append-only"):
        _execute("UPDATE audit_auditevent SET action = 'nothing.happened' WHERE id = %s", [entry.pk])

    assert _row(entry.pk) == before
