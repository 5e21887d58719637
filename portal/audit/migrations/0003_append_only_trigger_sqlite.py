"""On SQLite (the embedded default) the database refuses to change an audit entry too. Deleting is left to
the model's guards there: Django empties SQLite tables with DELETE between transactional tests (on
PostgreSQL it uses TRUNCATE, which the row trigger of 0002 does not see, so DELETE is refused there)."""

from django.db import migrations

CREATE = """
CREATE TRIGGER IF NOT EXISTS audit_event_append_only_update
BEFORE UPDATE ON audit_auditevent
BEGIN
    SELECT RAISE(ABORT, 'audit_auditevent is append-only (UPDATE refused)');
END;
"""

DROP = "DROP TRIGGER IF EXISTS audit_event_append_only_update;"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
