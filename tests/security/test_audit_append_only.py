"""The audit log is append-only in the database itself, whatever the code does.

- PostgreSQL (production; marked `postgres`): a row trigger (audit 0002) refuses UPDATE and DELETE of any
  entry, and a statement trigger (audit 0004) refuses TRUNCATE unless the connection set
  portal.audit_truncate_allowed to "on", as only the test settings do (pytest-django empties tables with
  TRUNCATE between transactional tests).
- SQLite (the embedded default): a trigger (audit 0003) refuses UPDATE. DELETE is refused by the model and
  its queryset only, since Django empties SQLite tables with DELETE between transactional tests.
- Everywhere: the model refuses save() of an existing entry and delete(), its queryset update() and
  delete() (tests/audit/test_models.py)."""

import psycopg
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


def _second_connection(**kwargs) -> psycopg.Connection:
    """A connection of its own to the test database, as another process would open one: without the
    test settings' options unless given."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        connect_timeout=5,
        **kwargs,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the entry is committed, so the other connection sees it
def test_postgresql_refuses_truncate_to_a_connection_that_did_not_allow_it(entry):
    with _second_connection() as other:
        other.execute("SET lock_timeout = '10s'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            other.execute("TRUNCATE audit_auditevent")

    assert _row(entry.pk) is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_lets_a_connection_that_allowed_it_truncate(entry):
    with _second_connection(options="-c portal.audit_truncate_allowed=on") as other:
        other.execute("SET lock_timeout = '10s'")
        other.execute("TRUNCATE audit_auditevent")
        other.commit()

    assert _row(entry.pk) is None


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
