"""A fingerprint of the database's state in one query: every table's row count and, where a table has
one, its latest `updated_at`. Two equal fingerprints mean no row was added, deleted or (through a service,
which always touches `updated_at`) changed. The audit log, sessions and allauth's rate-limit rows are left
out: a denied attempt is expected to write to the first two."""

from django.apps import apps
from django.db import connection

IGNORED_TABLES = {"audit_auditevent", "django_session"}


def _select() -> str:
    parts = []
    for model in apps.get_models():
        table = model._meta.db_table
        if table in IGNORED_TABLES or model._meta.proxy or not model._meta.managed:
            continue
        quoted = connection.ops.quote_name(table)
        parts.append(f"(SELECT COUNT(*) FROM {quoted})")  # noqa: S608 (table names from the models)
        if any(field.column == "updated_at" for field in model._meta.concrete_fields):
            parts.append(f"(SELECT MAX(updated_at) FROM {quoted})")  # noqa: S608
    return "SELECT " + ", ".join(parts)


def fingerprint() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_select())
        return tuple(cursor.fetchone())
