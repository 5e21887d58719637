"""gunicorn settings for the production image; each can be overridden with GUNICORN_* variables."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker) -> None:
    """Once the worker has loaded the portal: load what every request would otherwise load on first use
    (the URL patterns, the translation catalogues), then move everything alive into the garbage
    collector's permanent generation (gc.freeze) and let it collect less often. Collections then walk only
    what requests allocate, not the framework's hundred thousand long-lived objects: without this, the
    full collections that Django's object churn triggers every few dozen requests cost tens of
    milliseconds each."""
    import gc

    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (imports every URLconf)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Innovation Procurement Portal")
    gc.collect()
    gc.freeze()
    gc.set_threshold(7000, 10, 10)
