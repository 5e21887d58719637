# Sourced by the other scripts: makes .venv with the pinned dependencies, reinstalling only when the
# requirement files change. Needs Python 3.11 and nothing else.
set -euo pipefail

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON=$candidate
      break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "Python 3.11 is needed (Django 5.2 LTS). Set PYTHON=/path/to/python3.11." >&2
  exit 1
fi

REQUIREMENTS=${REQUIREMENTS:-requirements/development.txt}
if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtual environment in .venv …"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(cat requirements/*.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "Installing the pinned dependencies …"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "pip==26.3"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    --build-constraint requirements/build-constraints.txt -r "$REQUIREMENTS"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
