"""Settings for the real web server (gunicorn) that test_database_restart.py starts: the test settings, with
persistent database connections and health checks as in production, so the test proves that a restarted
database is picked up again without restarting the server."""

from portal.settings.test import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 2  # noqa: F405
