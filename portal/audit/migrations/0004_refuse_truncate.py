"""On PostgreSQL the database refuses TRUNCATE of the audit table too (the row trigger of 0002 does not see
it), unless the connection says otherwise: a connection that set portal.audit_truncate_allowed to "on" may
empty it. Only the test settings set it, since pytest-django empties every table with TRUNCATE between
transactional tests; nothing in production does."""

from django.db import migrations


def on_postgresql(sql: str):
    """A RunPython step that runs `sql` on PostgreSQL only (SQLite has no TRUNCATE to refuse)."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_trigger_sqlite")]

    operations = [
        migrations.RunPython(
            on_postgresql(
                """
                CREATE FUNCTION audit_event_no_truncate() RETURNS trigger AS $$
                BEGIN
                    IF coalesce(current_setting('portal.audit_truncate_allowed', true), '') = 'on' THEN
                        RETURN NULL;
                    END IF;
                    RAISE EXCEPTION 'audit_auditevent is append-only (TRUNCATE refused)'
                        USING ERRCODE = 'insufficient_privilege';
                END;
                $$ LANGUAGE plpgsql;
                CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_no_truncate();
                """
            ),
            on_postgresql(
                """
                DROP TRIGGER audit_event_no_truncate ON audit_auditevent;
                DROP FUNCTION audit_event_no_truncate();
                """
            ),
        )
    ]
