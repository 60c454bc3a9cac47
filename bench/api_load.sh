#!/usr/bin/env bash
# Load test of `POST /api/v1/search` with wrk.
#
# Run (as root, so wrk can be installed when missing): bench/api_load.sh
#
# What it measures: our app under gunicorn (config/gunicorn.py: APP_WORKERS
# workers, gthread) on PostgreSQL, DEBUG off, 20 concurrent clients for 20 s, each
# request a NEW search (fan-out to hh.ru and SuperJob, merge, rank, a stored
# search session). The job-site emulators answer with 50 ms latency from a
# SEPARATE process (uvicorn, sandbox/asgi.py) on another loopback port, so
# their CPU is not counted as ours (they share the machine, though), and
# serve pre-generated pages (SANDBOX_MEMO_SEARCH) so they use little of it.
# The requests come from RECRUITERS recruiters in turn, each under the
# production per-recruiter throttle (one recruiter making every request would
# carry a history of thousands of requests in its throttle, which no
# recruiter has).
#
# Seeding: the currency rates job runs once (as the worker keeps them fresh in
# production); a recruiter connects both sites through the real OAuth flow
# (our views in process, the emulator's consent page over HTTP), and its
# colleagues get its site tokens; wrk sends their sessions in turn.
#
# Prints requests/s, p50/p99 latency and the error count: HTTP errors, socket
# errors, and 200 answers with a non-empty `site_errors` (a failed site).
# Also prints our workers' CPU ms per request (from /proc/<pid>/stat before
# and after the run), the emulators', PostgreSQL's (the bench database's
# backends and the server's own processes), redis's and the whole machine's.
# Exits non-zero when any error happened.
#
# Knobs (env): BENCH_DB (bench_api), PGHOST (127.0.0.1), PGUSER (postgres),
# APP_PORT (8781), EMU_PORT (8782), DURATION (20s), CONNECTIONS (20),
# THREADS (4), LATENCY_MS (50), RECRUITERS (300), APP_WORKERS (2 a core; GUNICORN_THREADS as config/gunicorn.py), PY (.venv/bin/python or the shared venv),
# BENCH_CACHE (redis: a private redis-server on REDIS_PORT (8789) shared by our
# workers, as in production, where sessions are read through it; memory: each
# worker's own cache, as on a laptop).

set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

BENCH_DB=${BENCH_DB:-bench_api}
PGHOST=${PGHOST:-127.0.0.1}
PGUSER=${PGUSER:-postgres}
APP_PORT=${APP_PORT:-8781}
EMU_PORT=${EMU_PORT:-8782}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-20}
THREADS=${THREADS:-4}
LATENCY_MS=${LATENCY_MS:-50}
RECRUITERS=${RECRUITERS:-300}
# Two a core, as README advises, up to 8 (each thread holds a database connection).
APP_WORKERS=${APP_WORKERS:-$((2 * $(nproc) < 8 ? 2 * $(nproc) : 8))}
if [[ -z "${PY:-}" ]]; then
  PY=.venv/bin/python
  [[ -x $PY ]] || PY=/work/main/.venv/bin/python
fi
GUNICORN="$(dirname "$PY")/gunicorn"
UVICORN="$(dirname "$PY")/uvicorn"  # requirements-dev.txt
WORK=$(mktemp -d)

if [[ ! -x $UVICORN ]]; then
  echo "uvicorn is not installed: $(dirname "$PY")/pip install -r requirements-dev.txt" >&2
  exit 2
fi
if ! command -v wrk >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "wrk is not installed; run as root or: apt-get install -y wrk" >&2
    exit 2
  fi
  apt-get install -y -qq wrk >/dev/null
fi

export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:5432/${BENCH_DB}"
export DEBUG=false SANDBOX=true SECURE_SSL_REDIRECT=false
# One database: the support-chat shard demo is not what is measured.
export PPC_SANDBOX_SECOND_SHARD=false
export SECRET_KEY="bench-only-secret-key-not-for-production-0123456789"
# A throwaway Fernet key for this run only (tokens are encrypted at rest).
FIELD_ENCRYPTION_KEYS=$("$PY" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
export FIELD_ENCRYPTION_KEYS
export SITE_URL="http://127.0.0.1:${APP_PORT}"
export SANDBOX_URL="http://127.0.0.1:${EMU_PORT}/sandbox"
# shellcheck source=bench/sandbox_env.sh
source bench/sandbox_env.sh
export LOG_LEVEL=WARNING

# shellcheck source=bench/processes.sh
source bench/processes.sh
BENCH_CACHE=${BENCH_CACHE:-redis}
if [[ $BENCH_CACHE == redis ]]; then
  start_redis "${REDIS_PORT:-8789}"
  APP_CACHE_URL=$REDIS_CACHE_URL
fi
cleanup() {
  stop_processes
  dropdb -h "$PGHOST" -U "$PGUSER" --if-exists "$BENCH_DB" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

dropdb -h "$PGHOST" -U "$PGUSER" --if-exists "$BENCH_DB"
createdb -h "$PGHOST" -U "$PGUSER" "$BENCH_DB"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0 >/dev/null 2>&1 || true

wait_up() {
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "server at $1 did not start" >&2
  exit 1
}

# The emulators: their own process, uvicorn on an event loop (sandbox/asgi.py).
# SANDBOX_MEMO_SEARCH: each distinct search request's page is generated once
# by Django (in a thread, each request on a connection of its own:
# DATABASE_CONN_MAX_AGE=0), then served from memory in front of Django
# (sandbox/memo.py), the 50 ms latency waited out on the event loop, so the
# emulators' CPU stays small (a threaded gunicorn spent about ten times as
# much a call) and what is measured is ours. One process: its memoized pages
# are the only ones, so the warm-up generates them all.
SANDBOX_MEMO_SEARCH=true SANDBOX_FAULTS="{\"hh\": {\"latency_ms\": ${LATENCY_MS}}, \"superjob\": {\"latency_ms\": ${LATENCY_MS}}}" \
  DATABASE_CONN_MAX_AGE=0 "$UVICORN" sandbox.asgi:application --host 127.0.0.1 --port "$EMU_PORT" \
  --loop uvloop --http httptools --lifespan off --no-access-log --log-level warning 2> "$WORK/emu.log" &
EMU_PID=$!
PIDS+=($!)
# Ours: the project's gunicorn settings (APP_WORKERS workers of GUNICORN_THREADS threads).
CACHE_URL=${APP_CACHE_URL:-} GUNICORN_BIND="127.0.0.1:${APP_PORT}" WEB_CONCURRENCY=$APP_WORKERS \
  "$GUNICORN" -c config/gunicorn.py --access-logfile /dev/null --error-logfile "$WORK/app.log" \
  config.wsgi &
APP_PID=$!
PIDS+=($!)
wait_up "http://127.0.0.1:${EMU_PORT}/health/"
wait_up "http://127.0.0.1:${APP_PORT}/health/"

# The rates job, as the worker runs it in production (every 30 minutes): a
# search then finds fresh currency rates rather than queueing the job.
CACHE_URL=${APP_CACHE_URL:-} "$PY" manage.py currency_rates_refresh >/dev/null

# Seed: RECRUITERS recruiters of one organization, each signed in with a
# session of its own. The first connects both sites through the real OAuth
# flow; the others are given the same site tokens (as colleagues sharing the
# company's accounts), so the emulators' memoized pages serve them all. wrk
# sends each request as the next recruiter: the per-recruiter throttle keeps
# its production rate, each recruiter searching well under it.
"$PY" - "$WORK/credentials" "$RECRUITERS" <<'PYTHON'
import os
import sys
from urllib.parse import parse_qsl, urlsplit

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

import requests
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from core.models import Organization, User
from recruiting.adapters.base import JobSite, TokenPair
from recruiting.models import Token
from recruiting.services.tokens import token_store

organization, _ = Organization.objects.get_or_create(name="Bench")
user, _ = User.objects.get_or_create(username="bench", defaults={"organization": organization})
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)
for site in ("hh", "sj"):
    start = client.get(f"/recruiting/sites/{site}/connect/")
    assert start.status_code == 302, start.status_code
    authorize = start["Location"]
    page = requests.get(authorize, timeout=10)
    assert page.status_code == 200, page.status_code
    form = dict(parse_qsl(urlsplit(authorize).query)) | {"decision": "allow"}
    answer = requests.post(authorize.split("?")[0], data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.status_code
    callback = urlsplit(answer.headers["Location"])
    done = client.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 200, done.content[:300]
tokens = list(Token.objects.filter(recruiter=user))
assert len(tokens) == 2
sessions = [client.cookies["sessionid"].value]
for i in range(1, int(sys.argv[2])):
    colleague, _ = User.objects.get_or_create(
        username=f"bench{i}", defaults={"organization": organization}
    )
    for token in tokens:
        pair = TokenPair(token.access_token, token.refresh_token, token.valid_until)
        token_store(recruiter=colleague, site=JobSite(token.job_site), pair=pair)
    signed_in = Client(HTTP_HOST="127.0.0.1")
    signed_in.force_login(colleague)
    sessions.append(signed_in.cookies["sessionid"].value)
request = RequestFactory().get("/")
token = get_token(request)
with open(sys.argv[1], "w") as out:
    out.write(f"{request.META['CSRF_COOKIE']}\n{token}\n")
    out.write("".join(f"{session}\n" for session in sessions))
PYTHON
{ read -r CSRF_COOKIE; read -r CSRF_TOKEN; mapfile -t SESSIONS; } < "$WORK/credentials"
WARM=0  # the next recruiter to warm up with
LUA_SESSIONS=$(printf '"%s", ' "${SESSIONS[@]}")

QUERIES=("разработчик" "python" "java" "frontend" "1С" "аналитик")
LUA_QUERIES=$(printf '"%s", ' "${QUERIES[@]}")
cat > "$WORK/search.lua" <<LUA
wrk.method = "POST"
wrk.path = "/api/v1/search"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-CSRFToken"] = "${CSRF_TOKEN}"
local queries = {${LUA_QUERIES}}
local sessions = {${LUA_SESSIONS}}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  -- each wrk thread starts at another recruiter
  thread:set("recruiter", (#threads - 1) * math.floor(#sessions / ${THREADS}))
end

function init(args)
  partial = 0
  n = 0
end

function request()
  n = n + 1
  recruiter = (recruiter % #sessions) + 1
  wrk.headers["Cookie"] = "sessionid=" .. sessions[recruiter] .. "; csrftoken=${CSRF_COOKIE}"
  local body = '{"query": "' .. queries[(n % #queries) + 1] .. '", "page_size": 20}'
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 200 and not string.find(body, '"site_errors":[]', 1, true) then
    partial = partial + 1
  end
end

function done(summary, latency, requests)
  local partial_total = 0
  for _, thread in ipairs(threads) do
    partial_total = partial_total + thread:get("partial")
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  io.write("----- POST /api/v1/search -----\n")
  io.write(string.format("requests:     %d in %.1f s\n", summary.requests, summary.duration / 1e6))
  io.write(string.format("requests/s:   %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50:  %.1f ms\n", latency:percentile(50) / 1000))
  io.write(string.format("latency p99:  %.1f ms\n", latency:percentile(99) / 1000))
  io.write(string.format("latency max:  %.1f ms\n", latency.max / 1000))
  io.write(string.format("errors:       %d (HTTP >= 400: %d, socket: %d, partial site_errors: %d)\n",
    e.status + socket + partial_total, e.status, socket, partial_total))
end
LUA

# Warm-up, each answer checked: every query wrk sends, with its page size, so
# the emulators generate each page now, not during the run (a page costs them
# tens of milliseconds once), and our workers' connections are open.
for query in "${QUERIES[@]}"; do
  curl -fsS -o "$WORK/warmup.json" -X POST "http://127.0.0.1:${APP_PORT}/api/v1/search" \
    -H "Content-Type: application/json" -H "X-CSRFToken: ${CSRF_TOKEN}" \
    -b "sessionid=${SESSIONS[$((WARM++ % ${#SESSIONS[@]}))]}; csrftoken=${CSRF_COOKIE}" \
    --data "{\"query\": \"${query}\", \"page_size\": 20}"
  grep -q '"site_errors":\[\]' "$WORK/warmup.json" || { cat "$WORK/warmup.json"; exit 1; }
done

# Single-client latency, for comparison with the loaded figures.
for _ in $(seq 10); do
  curl -fsS -o /dev/null -w '%{time_total}\n' -X POST "http://127.0.0.1:${APP_PORT}/api/v1/search" \
    -H "Content-Type: application/json" -H "X-CSRFToken: ${CSRF_TOKEN}" \
    -b "sessionid=${SESSIONS[$((WARM++ % ${#SESSIONS[@]}))]}; csrftoken=${CSRF_COOKIE}" --data '{"query": "python"}'
done | sort -n | awk '{t[NR]=$1} END {printf "one client: p50 %.1f ms over %d requests\n", t[int((NR+1)/2)]*1000, NR}'

# CPU ticks a process used (user + system; with $2 = sys, the system, kernel,
# share alone); 0 for one that is gone.
pid_ticks() {
  awk -v part="${2:-all}" '{print part == "sys" ? $15 : $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}
# CPU ticks used by a server process and its children (gunicorn's workers;
# $2 as for pid_ticks).
cpu_seconds() {
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1"); do
    total=$((total + $(pid_ticks "$pid" "${2:-all}")))
  done
  echo "$total"
}
# CPU ticks of PostgreSQL, of the private redis-server, and of the whole
# machine, so the figures show where the rest of the two cores went.
pg_ticks() {
  local total=0 pid
  # The server's own processes, and client backends of this bench's database
  # only (another database's, e.g. a test run's, are not ours).
  for pid in $(pgrep -x postgres); do
    if grep -qE "\(|\[local\]" "/proc/$pid/cmdline" 2>/dev/null && ! tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q " ${BENCH_DB} "; then
      continue
    fi
    total=$((total + $(pid_ticks "$pid")))
  done
  echo "$total"
}
redis_ticks() {
  local pid
  pid=$(pgrep -f "redis-server 127.0.0.1:${REDIS_PORT:-8789}" | head -1)
  [[ -n $pid ]] && pid_ticks "$pid" || echo 0
}
# user, nice, system, irq, softirq (not idle, iowait, nor steal: another guest's).
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
APP_CPU0=$(cpu_seconds "$APP_PID")
EMU_CPU0=$(cpu_seconds "$EMU_PID")
APP_SYS0=$(cpu_seconds "$APP_PID" sys)
EMU_SYS0=$(cpu_seconds "$EMU_PID" sys)
PG_CPU0=$(pg_ticks)
REDIS_CPU0=$(redis_ticks)
ALL_CPU0=$(machine_ticks)

echo "app: gunicorn ${APP_WORKERS} workers x ${GUNICORN_THREADS:-5} threads on :${APP_PORT}; emulators: uvicorn (sandbox.asgi) on :${EMU_PORT}" \
  "(${LATENCY_MS} ms per site call); PostgreSQL ${BENCH_DB}; ${CONNECTIONS} clients, ${DURATION}"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s "$WORK/search.lua" \
  "http://127.0.0.1:${APP_PORT}" | tee "$WORK/wrk.txt"

TICKS=$(getconf CLK_TCK)
APP_TICKS=$(( $(cpu_seconds "$APP_PID") - APP_CPU0 ))
EMU_TICKS=$(( $(cpu_seconds "$EMU_PID") - EMU_CPU0 ))
APP_SYS=$(( $(cpu_seconds "$APP_PID" sys) - APP_SYS0 ))
EMU_SYS=$(( $(cpu_seconds "$EMU_PID" sys) - EMU_SYS0 ))
PG_TICKS=$(( $(pg_ticks) - PG_CPU0 ))
REDIS_TICKS=$(( $(redis_ticks) - REDIS_CPU0 ))
ALL_TICKS=$(( $(machine_ticks) - ALL_CPU0 ))
REQUESTS=$(awk '/^requests:/ {print $2}' "$WORK/wrk.txt")
awk -v app="$APP_TICKS" -v emu="$EMU_TICKS" -v app_sys="$APP_SYS" -v emu_sys="$EMU_SYS" -v pg="$PG_TICKS" -v redis="$REDIS_TICKS" -v all="$ALL_TICKS" \
  -v hz="$TICKS" -v n="$REQUESTS" -v cores="$(nproc)" 'BEGIN {
  printf "CPU during the run (%d cores shared): app %.1f s, emulators %.1f s\n", cores, app / hz, emu / hz
  printf "our workers CPU per request: %.1f ms; emulators CPU per request: %.1f ms\n",
    app / hz * 1000 / n, emu / hz * 1000 / n
  printf "  of which in the kernel (system time): ours %.1f ms, emulators %.1f ms\n",
    app_sys / hz * 1000 / n, emu_sys / hz * 1000 / n
  other = all - app - emu - pg - redis
  printf "machine CPU per request: %.1f ms = ours %.1f + emulators %.1f + PostgreSQL %.1f + redis %.1f + the rest (wrk, kernel, other tenants) %.1f\n",
    all / hz * 1000 / n, app / hz * 1000 / n, emu / hz * 1000 / n, pg / hz * 1000 / n, redis / hz * 1000 / n, other / hz * 1000 / n
}'

if grep -q "ERROR\|Traceback" "$WORK/app.log"; then
  echo "--- app errors ---"
  grep -A5 "ERROR\|Traceback" "$WORK/app.log" | head -40
fi
grep -q "^errors:       0 " "$WORK/wrk.txt"
