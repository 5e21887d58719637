"""Test settings: the database and broker come from DATABASE_URL / REDIS_URL when set (CI sets both)."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "test-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks in-process; the tests marked "redis" point Celery at the real broker themselves.
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public_pages": PUBLIC_PAGES_CACHE,  # noqa: F405
    # On in tests: a part is kept only under the version of its rows, which any write changes.
    "private_fragments": PRIVATE_FRAGMENTS_CACHE,  # noqa: F405
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # pytest-django empties every table with TRUNCATE between transactional tests; the audit table refuses
    # TRUNCATE (audit 0004) unless the connection allows it, as only the tests' connections do.
    options = DATABASES["default"]["OPTIONS"]  # noqa: F405
    options["options"] = f"{options.get('options', '')} -c portal.audit_truncate_allowed=on".strip()
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SITE_URL = env.str("SITE_URL", default="http://testserver")
# Tests of the public page cache turn it on themselves (tests/web/test_pagecache.py); elsewhere a page
# changed by a bulk UPDATE (no signal) would otherwise be served stale for a minute.
PUBLIC_PAGE_CACHE_SECONDS = 0
DASHBOARD_CACHE_SECONDS = 0  # the same for the dashboards (tests/insight/test_dashboard_cache.py)
