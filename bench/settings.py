"""Production settings plus the benchmark's floor endpoint (bench/urls.py). Production itself never has
the floor URL: only a server started with DJANGO_SETTINGS_MODULE=bench.settings does."""

from portal.settings.production import *  # noqa: F403
from portal.settings.production import BASE_DIR

ROOT_URLCONF = "bench.urls"
# Collected apart from the shared var/static, so a benchmark never touches another checkout's files.
STATIC_ROOT = BASE_DIR / "var" / "bench-static"
