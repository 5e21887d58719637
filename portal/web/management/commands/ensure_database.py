from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Create the PostgreSQL database named in DATABASE_URL if it does not exist yet (no-op on SQLite)."

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            return
        import psycopg
        from psycopg import sql

        name = connection.settings_dict["NAME"]
        # Connect to the maintenance database with the same credentials to create ours.
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return
            try:
                cursor.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)).as_string(cursor.connection)
                )
            except psycopg.errors.DuplicateDatabase:
                return
        self.stdout.write(f"Created the database {name}.")
