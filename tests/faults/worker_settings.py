"""Settings for the real Celery workers the fault and scale tests start: the test settings, with tasks
going through the broker, mail sent over SMTP to the test's own server, and the queue and Redis visibility
timeout the test chooses."""

from portal.settings.test import *  # noqa: F403
from portal.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS, env

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = env.str("TEST_CELERY_QUEUE")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": env.int("TEST_VISIBILITY_TIMEOUT", default=3600),
}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = env.int("TEST_SMTP_PORT")
EMAIL_USE_TLS = False
EMAIL_HOST_USER = ""
EMAIL_HOST_PASSWORD = ""
# The test drops and flushes this database; the worker must not hold connections to it between tasks.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The test worker answers no remote-control broadcasts (and leaves no pidbox keys behind in Redis).
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
