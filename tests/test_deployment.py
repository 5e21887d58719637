"""What can be checked of the deployment without a Docker engine: the files parse, name things that exist,
and production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_services_each_with_a_health_check(compose):
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    for name, service in services.items():
        assert service["healthcheck"]["test"], name


def test_compose_commands_name_what_the_project_has(compose):
    services = compose["services"]
    web_command = " ".join(services["web"]["command"])
    assert "gunicorn portal.wsgi:application --config gunicorn.conf.py" in web_command
    assert (ROOT / "gunicorn.conf.py").exists()
    assert services["worker"]["command"][:3] == ["celery", "-A", "portal"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "portal", "beat"]
    beat_check = services["beat"]["healthcheck"]["test"]
    assert beat_check[1:4] == ["python", "manage.py", "beat_health"]
    assert "beat_health" in get_commands()


def test_compose_runs_production_settings_with_media_in_a_volume(compose):
    web = compose["services"]["web"]
    assert web["environment"]["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    assert any(volume.startswith("media:") for volume in web["volumes"])
    assert "media" in compose["volumes"]


def test_dockerfile_installs_the_pinned_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements/production.txt" in dockerfile
    assert (ROOT / "requirements" / "production.txt").exists()
    assert "collectstatic" in dockerfile


def test_pinned_requirements_pin_every_package():
    for name in ("production.txt", "development.txt"):
        lines = [
            line.strip()
            for line in (ROOT / "requirements" / name).read_text().splitlines()
            if line.strip() and not line.startswith(("#", "-r"))
        ]
        assert lines
        assert all("==" in line for line in lines), name


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "SECRET_KEY": "x7Gv2-production-like-secret-for-the-deploy-check-4f8a9c0d1e2b3a4f5e6d7c8b",
            "ALLOWED_HOSTS": "portal.example.org",
            "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/portal-deploy-check.sqlite3"),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_name_the_missing_secrets():
    result = _manage(
        "check",
        env={"DJANGO_SETTINGS_MODULE": "portal.settings.production", "ALLOWED_HOSTS": "", "DATABASE_URL": ""},
    )
    assert result.returncode != 0
    assert "SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL" in result.stderr


def test_a_gunicorn_worker_freezes_what_it_loaded_before_serving():
    """gunicorn.conf.py's post_worker_init: the URL patterns and catalogues are loaded, and everything alive
    then is moved out of the garbage collector's way (gc.freeze), so its collections walk only what the
    requests allocate."""
    import gc
    import runpy

    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    threshold = gc.get_threshold()
    gc.unfreeze()
    try:
        hooks["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold()[0] > threshold[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
