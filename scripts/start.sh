#!/usr/bin/env bash
# Install into .venv, migrate, seed the demo and start web + worker on
# http://127.0.0.1:8000 (SQLite, sandbox on; PORT=8001 to choose another
# port), and the Tracker, YT and tvmtool emulators each at the root of its
# own port (PORT+101, +102, +103), where the vendors' official clients reach
# them. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
PORT="${PORT:-8000}"
# Refuse at once when a port is taken: otherwise the health probe below
# would be answered by whatever holds it.
port_free() {
  "$PYTHON" -c 'import socket, sys; socket.create_server(("127.0.0.1", int(sys.argv[1]))).close()' "$1" 2>/dev/null
}
if ! port_free "$PORT"; then
  echo "Port $PORT is already in use (or not a port): stop what holds it, or choose another, e.g. PORT=8001 bash scripts/start.sh" >&2
  exit 1
fi
# The official clients keep only the host of a URL, so these emulators are
# also served at a port root (the product's adapters keep their settings).
EMULATORS="tracker:$((PORT + 101)) yt:$((PORT + 102)) tvmtool:$((PORT + 103))"
for pair in $EMULATORS; do
  if ! port_free "${pair#*:}"; then
    echo "Port ${pair#*:} (the ${pair%%:*} emulator, PORT+$((${pair#*:} - PORT))) is already in use: stop what holds it, or choose another PORT" >&2
    exit 1
  fi
done
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv || {
    echo "Cannot create a virtualenv: install Python's venv module (Debian/Ubuntu: apt-get install python3-venv)." >&2
    exit 1
  }
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt

export DEBUG="${DEBUG:-true}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"
PY=.venv/bin/python
$PY manage.py migrate --noinput
$PY manage.py setup_schedules
$PY manage.py seed_demo

# Web first: the worker's first job runs call the emulators it serves.
$PY manage.py runserver "127.0.0.1:$PORT" &
WEB=$!
EMULATOR_PIDS=""
trap 'kill "$WEB" "${WORKER:-}" $EMULATOR_PIDS 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health/" 2>/dev/null && break
  kill -0 "$WEB" 2>/dev/null || exit 1
  sleep 0.5
done
$PY manage.py qcluster &
WORKER=$!
for pair in $EMULATORS; do
  $PY manage.py serve_emulator "${pair%%:*}" "127.0.0.1:${pair#*:}" >/dev/null &
  EMULATOR_PIDS="$EMULATOR_PIDS $!"
done

echo
echo "Ready: open http://127.0.0.1:$PORT/ and log in with one of the demo logins above."
echo "Emulators for the vendors' official clients, each at its own port's root:"
for pair in $EMULATORS; do
  echo "  ${pair%%:*}: http://127.0.0.1:${pair#*:}/"
done
echo
# shellcheck disable=SC2086
wait -n "$WEB" "$WORKER" $EMULATOR_PIDS
