"""The embedded default: SQLite, tasks in-process, mails as files. Needs nothing installed."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# While templates are being edited, a cached public page would hide the change.
# Without Redis it stays off as in base.py: each process would keep its own pages, and a write in one
# could not expire the others'.
PUBLIC_PAGE_CACHE_SECONDS = env.int(
    "PUBLIC_PAGE_CACHE_SECONDS",
    default=60 if REDIS_URL and not DEBUG else 0,  # noqa: F405
)
# Someone trying the demo sees their own changes in the dashboards at once.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=0 if DEBUG else 300)
SECRET_KEY = env.str("SECRET_KEY", default="local-development-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
