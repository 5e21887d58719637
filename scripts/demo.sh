#!/usr/bin/env bash
# Sets up and runs the portal with demo data on http://127.0.0.1:8000.
# With nothing else installed it uses SQLite (var/portal.sqlite3), runs tasks in-process and writes mails
# to var/mail/. With DATABASE_URL and REDIS_URL set it uses them and runs a Celery worker and beat too.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-portal.settings.local}

.venv/bin/python manage.py ensure_database
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

if [ -n "${REDIS_URL:-}" ]; then
  echo "REDIS_URL is set: starting a Celery worker and beat (logs in var/worker.log, var/beat.log)."
  .venv/bin/celery -A portal worker --loglevel=INFO --concurrency=2 >var/worker.log 2>&1 &
  pids+=($!)
  .venv/bin/celery -A portal beat --loglevel=INFO >var/beat.log 2>&1 &
  pids+=($!)
fi

.venv/bin/python manage.py runserver 127.0.0.1:8000 &
pids+=($!)
wait "${pids[-1]}"
