"""Settings shared by every environment; everything that differs comes from the environment."""

from pathlib import Path

import environ
import xstatic.pkg.bootstrap
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_celery_beat",
    "csp",
    "portal.accounts",
    "portal.audit",
    "portal.notifications",
    "portal.web",
    "challenges",
    "suppliers",
    "challenges.evaluation",
    "exchanges",
    "exchanges.surveys",
    "challenges.casestudies",
    "challenges.ideas",
    "portal.insight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.uploads_limit.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.sessions.IdleTimeoutMiddleware",
    "portal.audit.middleware.RequestContextMiddleware",
    "portal.accounts.middleware.ActiveOrganisationMiddleware",
    "portal.accounts.middleware.RequireStaffMFAMiddleware",
    # Last: it sees the view's own response, before the middleware above add cookies and headers.
    "portal.web.pagecache.PublicPageCacheMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.accounts.context_processors.organisations",
                "portal.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# Database: a SQLite file under var/ unless DATABASE_URL says otherwise.
(BASE_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    # A page that cannot reach the database fails fast instead of hanging a worker.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"

# django-allauth: email is the login, verification is mandatory, no user enumeration.
ACCOUNT_ADAPTER = "portal.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.accounts.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# allauth's defaults throttle login, sign-up, confirmation mails and password resets; keep them on.
ACCOUNT_RATE_LIMITS = {}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Innovation Procurement Portal")
# One 30-second step either side: a phone clock a little off, or a code typed as it rolls over, still works.
MFA_TOTP_TOLERANCE = 1

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Internationalisation: English and Norwegian Bokmål first.
LANGUAGE_CODE = "en"
# Finnish, Estonian and Dutch for the exchange cities (Turku, Tartu, Rotterdam).
LANGUAGES = [
    ("en", _("English")),
    ("nb", _("Norwegian Bokmål")),
    ("fi", _("Finnish")),
    ("et", _("Estonian")),
    ("nl", _("Dutch")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static", ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR)]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Form bodies (without files) larger than this are refused: with 413 by portal/uploads_limit.py.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# Larger bodies are refused with 413 before they are read (portal/uploads_limit.py): room for a 10 MB
# document and the rest of its form.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=12 * 1024 * 1024)

# Redis: broker and cache when REDIS_URL is set; otherwise tasks run in-process.
REDIS_URL = env.str("REDIS_URL", default="")
# Public pages for anonymous visitors (portal/web/pagecache.py) live in each web process's memory, at most
# this many (about 40 KB each), so that made-up query strings cannot fill the shared Redis.
PUBLIC_PAGES_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "public-pages",
    "OPTIONS": {"MAX_ENTRIES": 500, "CULL_FREQUENCY": 4},
}
# Parts of signed-in pages kept for one person while the rows they show are unchanged
# (portal/web/fragments.py): in each web process's own memory, never in the shared Redis.
PRIVATE_FRAGMENTS_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "private-fragments",
    "OPTIONS": {"MAX_ENTRIES": 500, "CULL_FREQUENCY": 4},
}
PRIVATE_FRAGMENT_CACHE_SECONDS = env.int("PRIVATE_FRAGMENT_CACHE_SECONDS", default=300)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
        "public_pages": PUBLIC_PAGES_CACHE,
        "private_fragments": PRIVATE_FRAGMENTS_CACHE,
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "public_pages": PUBLIC_PAGES_CACHE,
        "private_fragments": PRIVATE_FRAGMENTS_CACHE,
    }

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A broker that is down or hanging must never stall a user's request: publishing is bounded in time and
# not retried (the outbox sweep delivers what could not be queued).
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    # Longer than the worker's blocking poll of the queue (one second).
    "socket_timeout": 10,
    "socket_keepalive": True,
    # Tasks acknowledged late are redelivered after this if a worker dies; no task may be scheduled
    # further ahead than this (far-off work is stored as rows that a periodic task scans).
    "visibility_timeout": 3600,
}
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "notifications.sweep_outbox", "schedule": 60.0},
    "close-due-challenges": {"task": "challenges.close_due_challenges", "schedule": 30.0},
    "send-challenge-deadline-reminders": {"task": "challenges.send_deadline_reminders", "schedule": 900.0},
    # Catches up on publication fan-outs whose task was lost while the broker was down.
    "sweep-publication-fanouts": {"task": "challenges.sweep_publication_fanouts", "schedule": 900.0},
    "send-proposal-draft-reminders": {"task": "suppliers.send_draft_reminders", "schedule": 900.0},
    "send-exchange-reminders": {"task": "exchanges.send_exchange_reminders", "schedule": 900.0},
    "send-scoring-reminders": {"task": "evaluation.send_scoring_reminders", "schedule": 900.0},
    "finalise-awards": {"task": "evaluation.finalise_awards", "schedule": 300.0},
    # Tells an idea's supporters when the challenge it became is published (claims make it idempotent).
    "notify-idea-supporters": {"task": "ideas.notify_idea_supporters", "schedule": 60.0},
}

# Evaluation and award. The standstill period between an award decision and its becoming final: a
# decision may set a longer one, never a shorter one (EU Directive 2007/66/EC: 10 days).
AWARD_MIN_STANDSTILL_DAYS = env.int("AWARD_MIN_STANDSTILL_DAYS", default=10)
IDEAS_PER_HOUR = env.int("IDEAS_PER_HOUR", default=3)
IDEAS_PER_DAY = env.int("IDEAS_PER_DAY", default=10)
IDEAS_MAX_LINKS = env.int("IDEAS_MAX_LINKS", default=2)
# Open Contracting: the registered ocid prefix (https://standard.open-contracting.org/latest/en/guidance/map/
# release_level/#ocid) followed by the challenge's id. Register one before publishing open data for real.
OCDS_OCID_PREFIX = env.str("OCDS_OCID_PREFIX", default="ocds-xxxxxx")

# Mail: EMAIL_URL (smtp+tls://user:password@host:587, consolemail://, filemail://). The default writes one
# file per delivery batch under var/mail, so the demo shows every mail without a mail server.
globals().update(
    {key: value for key, value in env.email_url("EMAIL_URL", default="filemail://").items() if value}
)
EMAIL_TIMEOUT = 10
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Innovation Procurement Portal <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers that hold in every environment; production adds HTTPS-only settings.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Django admin users, programme staff and evaluators are signed out after this many idle seconds.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
# Public pages as anonymous visitors see them are kept this many seconds (portal/web/pagecache.py); any
# write to the data expires them at once, so this bounds only what changes with the clock. 0 turns it off.
# On by default only with Redis: a write must expire the pages of every web process, which a per-process
# cache cannot do.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=60 if REDIS_URL else 0)
# The dashboards' sections (aggregates over years of data) are read again at most this often; the page
# says when its figures were read. 0 reads them on every request.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# The number of reverse proxies in front of the portal whose X-Forwarded-For may be trusted for audit IPs.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT:
    # allauth's per-IP rate limits must see the client's address too, not the proxy's.
    ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

PORTAL_NAME = env.str("PORTAL_NAME", default="Innovation Procurement Portal")

# Publishing from a web request: short timeouts of its own, so a hanging broker cannot stall the request.
CELERY_PUBLISH_TRANSPORT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "max_retries": 0}

# The Django admin is for operators; a path of its own makes it less of a target.
ADMIN_URL = env.str("ADMIN_URL", default="django-admin/")
