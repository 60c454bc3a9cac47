#!/usr/bin/env bash
# Instructions our process runs per `POST /api/v1/search` (bench/api_search.py
# under valgrind's callgrind, instrumented around the measured searches only;
# the emulators run outside valgrind). Repeats to 0.1% from run to run, where
# CPU times on a shared machine do not: compare two commits with it.
#
# Run: bash bench/api_instructions.sh   (as root, valgrind is installed when missing)
# Knobs (env): SEARCHES (24: four times the six queries), DATABASE_URL
# (default: the local PostgreSQL), CACHE_URL (default: redis on 127.0.0.1:6379,
# database 5, as production reads sessions through Redis), PY.

set -euo pipefail
cd "$(dirname "$0")/.."

SEARCHES=${SEARCHES:-24}
PY=${PY:-.venv/bin/python}
export DEBUG=true SANDBOX=true
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export CACHE_URL=${CACHE_URL:-redis://127.0.0.1:6379/5}

if ! command -v valgrind >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "valgrind is not installed; run as root or: apt-get install -y valgrind" >&2
    exit 2
  fi
  apt-get install -y -qq valgrind >/dev/null
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/callgrind.%p" \
  "$PY" bench/api_search.py --searches "$SEARCHES" --callgrind > "$WORK/log" 2>&1 || {
  cat "$WORK/log" >&2
  exit 1
}
grep -v "^==" "$WORK/log"
collected=$(awk '/Collected :/ {print $4}' "$WORK/log")
awk -v ir="$collected" -v n="$SEARCHES" \
  'BEGIN { printf "instructions per API search: %.2f M (callgrind, %d searches)\n", ir / n / 1e6, n }'
