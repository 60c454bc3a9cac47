#!/usr/bin/env bash
# Install everything the tests need (into .venv, plus Debian's chromium and
# gettext) and run the whole suite: lint, types, then pytest. Extra arguments go
# to pytest. SQLite by default; set DATABASE_URL to run on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Debian's chromium for the browser tests, GNU gettext for the catalogue check.
PACKAGES=""
command -v chromium >/dev/null 2>&1 || PACKAGES="$PACKAGES chromium"
command -v xgettext >/dev/null 2>&1 || PACKAGES="$PACKAGES gettext"
if [ -n "$PACKAGES" ]; then
  echo "Installing Debian packages for the tests:$PACKAGES"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $PACKAGES >/dev/null
fi

.venv/bin/ruff check .
# Types (django-stubs reads the settings: the local, sandbox ones).
DEBUG=true SANDBOX=true .venv/bin/mypy
.venv/bin/python -m pytest "$@"
