"""Settings for the real Celery worker that tests/notifications/test_broker.py starts: the test settings,
but with tasks going through the broker and mails written as files where the test can read them."""

from portal.settings.test import *  # noqa: F403
from portal.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
# The test drops and flushes this database; the worker must not hold connections to it between tasks.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The test worker answers no remote-control broadcasts (and leaves no pidbox keys behind in Redis).
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
