#!/usr/bin/env bash
# The scale benchmark (bench/README.md): builds the scale data set into its own PostgreSQL database if it is
# empty, serves the portal with gunicorn and the production settings (plus the floor endpoint), drives load
# from a separate process over loopback, and prints the report, then the search's EXPLAIN.
#
#   bash bench/run.sh                      # full size, 50 requests/s for 60 s, then flat out
#   SCALE=0.1 bash bench/run.sh --duration 20
#
# Extra arguments go to bench/load.py (--rate, --duration, --concurrency, --flat-duration, …).
set -euo pipefail
cd "$(dirname "$0")/.."

# The virtual environment with the pinned dependencies (a no-op when it is up to date). The load generator
# is standard library only, so the benchmark needs nothing more.
if [ "${BENCH_SKIP_VENV:-0}" != "1" ]; then
  # shellcheck source=scripts/_venv.sh
  source scripts/_venv.sh
fi
PY=.venv/bin/python

export DJANGO_SETTINGS_MODULE=bench.settings
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_bench}
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/9}
# One secret for the whole run: the sessions written below are signed with it and the server checks them.
export SECRET_KEY=${SECRET_KEY:-bench-$($PY -c 'import secrets; print(secrets.token_urlsafe(32))')}
export ALLOWED_HOSTS=127.0.0.1,localhost
export SITE_URL=http://127.0.0.1
# Plain HTTP on loopback; the load generator sends X-Forwarded-Proto: https as the TLS proxy would, so
# secure cookies and HSTS behave as in production.
export SECURE_SSL_REDIRECT=False
export LOG_LEVEL=${LOG_LEVEL:-WARNING}
VAR=bench/var
mkdir -p "$VAR"

echo "== Database ${DATABASE_URL##*/}"
$PY manage.py ensure_database
$PY manage.py migrate --noinput -v0
started=$(date +%s)
$PY manage.py build_scale_data --if-empty --scale "${SCALE:-1}" --targets "$VAR/targets.json"
echo "(data set and targets: $(( $(date +%s) - started )) s)"
$PY manage.py collectstatic --noinput -v0

PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "== gunicorn on 127.0.0.1:$PORT (gunicorn.conf.py: ${GUNICORN_WORKERS:-3} workers × ${GUNICORN_THREADS:-2} threads)"
.venv/bin/gunicorn -c gunicorn.conf.py --bind "127.0.0.1:$PORT" --access-logfile "$VAR/access.log" \
  --error-logfile "$VAR/gunicorn.log" portal.wsgi:application &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if $PY -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$PORT/health/', timeout=1)" 2>/dev/null; then
    break
  fi
  sleep 0.2
done

echo "== Load (bench/load.py, a separate process)"
$PY bench/load.py --targets "$VAR/targets.json" --port "$PORT" --master-pid "$GUNICORN" \
  --json "$VAR/results.json" "$@"

echo
echo "== Search plan"
$PY -m bench.explain "flooding residents" || echo "(the GIN index was NOT used)"
