#!/usr/bin/env bash
# Runs the whole test suite. Uses DATABASE_URL and REDIS_URL when they are set (CI sets both); tests that
# need PostgreSQL, Redis or Chromium skip with the reason shown when those are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
exec .venv/bin/python -m pytest -n 2 "$@"
