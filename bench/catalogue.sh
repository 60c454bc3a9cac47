#!/usr/bin/env bash
# Load test of the public catalogue `GET /freelancers/` with wrk.
#
# Run (as root, so wrk can be installed when missing): bench/catalogue.sh
#
# What it measures: our app as production serves the catalogue: the public
# pool (README, Deploying: config/gunicorn.py with GUNICORN_THREADS=1, i.e.
# 2 sync workers) on PostgreSQL and Redis, DEBUG off, anonymous visitors,
# 20 clients for 20 s
# over a catalogue of 10,000 visible freelancers (seeded first, in bulk),
# each request a page of the list: a random page number, a third of them
# with a region filter, a sixth with a certificate-kind filter.
#
# Prints the queries a page takes (counted in process, before the run),
# requests/s, p50/p99 latency, errors and our workers' CPU ms per request.
# Targets: >= 300 requests/s, p99 <= 100 ms, <= 4 queries a page, 0 errors.
#
# Knobs (env): BENCH_DB (bench_catalogue), PGHOST (127.0.0.1), PGUSER
# (postgres), APP_PORT (8783), DURATION (20s), CONNECTIONS (20), THREADS (4),
# FREELANCERS (10000), PY (.venv/bin/python or the shared venv), BENCH_CACHE
# (redis, the default: a private redis-server on APP_PORT+1 shared by the
# workers, as in production; memory: each worker's own cache, as without
# Redis), GUNICORN_THREADS (1: the public pool; 5 measures the web pool).

set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_DB=${BENCH_DB:-bench_catalogue}
PGHOST=${PGHOST:-127.0.0.1}
PGUSER=${PGUSER:-postgres}
APP_PORT=${APP_PORT:-8783}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-20}
THREADS=${THREADS:-4}
export FREELANCERS=${FREELANCERS:-10000}
if [[ -z "${PY:-}" ]]; then
  PY=.venv/bin/python
  [[ -x $PY ]] || PY=/work/main/.venv/bin/python
fi
GUNICORN="$(dirname "$PY")/gunicorn"
WORK=$(mktemp -d)

if ! command -v wrk >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "wrk is not installed; run as root or: apt-get install -y wrk" >&2
    exit 2
  fi
  apt-get install -y -qq wrk >/dev/null
fi

export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:5432/${BENCH_DB}"
export DEBUG=false SANDBOX=true SECURE_SSL_REDIRECT=false PPC_SANDBOX_SECOND_SHARD=false
export SECRET_KEY="bench-only-secret-key-not-for-production-0123456789"
FIELD_ENCRYPTION_KEYS=$("$PY" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
export FIELD_ENCRYPTION_KEYS
export LOG_LEVEL=WARNING
export SANDBOX_URL="http://127.0.0.1:${APP_PORT}/sandbox"  # never called by the catalogue
# shellcheck source=bench/sandbox_env.sh
source bench/sandbox_env.sh

# shellcheck source=bench/processes.sh
source bench/processes.sh
BENCH_CACHE=${BENCH_CACHE:-redis}
if [[ $BENCH_CACHE == redis ]]; then
  start_redis $((APP_PORT + 1))
  export CACHE_URL=$REDIS_CACHE_URL
fi
cleanup() {
  stop_processes
  dropdb -h "$PGHOST" -U "$PGUSER" --if-exists "$BENCH_DB" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

dropdb -h "$PGHOST" -U "$PGUSER" --if-exists "$BENCH_DB" 2>/dev/null
createdb -h "$PGHOST" -U "$PGUSER" "$BENCH_DB"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0 >/dev/null 2>&1 || true

# Seed: FREELANCERS visible freelancers, each with an accepted card and one
# or two current certificates; then count the queries of a few pages.
"$PY" - <<'PYTHON'
import os
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from freelancers.models import Certificate, Freelancer, FreelancerCard

n = int(os.environ["FREELANCERS"])
today = timezone.localdate()
regions = ["Москва", "Санкт-Петербург", "Казань", "Пермь", "Новосибирск", "Екатеринбург"]
kinds = settings.FREELANCER_CERTIFICATES_ACCEPTED_KINDS
people = Freelancer.objects.bulk_create(
    Freelancer(
        uid=10_000_000 + i, client_id=i, first_name=f"Имя{i % 97}", last_name=f"Фамилия{i:05d}",
        region=regions[i % len(regions)], is_searchable=True,
        visible_until=today + timedelta(days=30 + i % 300),
    )
    for i in range(n)
)
cards = FreelancerCard.objects.bulk_create(
    FreelancerCard(
        freelancer=f, version=1, status=FreelancerCard.Status.ACCEPTED,
        about="Настраиваю кампании в Директе. " * 10, email=f"f{f.uid}@example.com",
        moderated_at=timezone.now(),
    )
    for f in people
)
for f, card in zip(people, cards, strict=True):
    f.accepted_card = card
Freelancer.objects.bulk_update(people, ["accepted_card"], batch_size=2000)
Certificate.objects.bulk_create(
    Certificate(
        freelancer=f, external_id=f"{f.uid}-{k}", kind=kinds[(i + k) % len(kinds)],
        confirmed_on=today - timedelta(days=300), due_on=f.visible_until - timedelta(days=k),
    )
    for i, f in enumerate(people)
    for k in range(1 + i % 2)
)
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
client = Client(HTTP_HOST="127.0.0.1")
for path in ("/freelancers/", "/freelancers/?page=200", f"/freelancers/?region={regions[2]}",
             f"/freelancers/?kind={kinds[0]}&page=3"):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    print(f"queries per page {path}: {len(queries)}")
PYTHON

GUNICORN_THREADS=${GUNICORN_THREADS:-1}
GUNICORN_BIND="127.0.0.1:${APP_PORT}" WEB_CONCURRENCY=2 GUNICORN_THREADS=$GUNICORN_THREADS \
  "$GUNICORN" -c config/gunicorn.py --access-logfile /dev/null --error-logfile "$WORK/app.log" \
  config.wsgi &
PIDS+=($!)
APP_PID=$!
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:${APP_PORT}/health/" 2>/dev/null && break
  sleep 0.2
done

KIND=$("$PY" -c 'import os, django; os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings"); django.setup(); from django.conf import settings; print(settings.FREELANCER_CERTIFICATES_ACCEPTED_KINDS[0])')
cat > "$WORK/catalogue.lua" <<LUA
local regions = {"%D0%9A%D0%B0%D0%B7%D0%B0%D0%BD%D1%8C", "%D0%9F%D0%B5%D1%80%D0%BC%D1%8C"}
n = 0
function request()
  n = n + 1
  local page = math.random(1, 100)
  local path = "/freelancers/?page=" .. page
  if n % 3 == 0 then path = path .. "&region=" .. regions[(n % 2) + 1] end
  if n % 6 == 1 then path = path .. "&kind=${KIND}" end
  return wrk.format("GET", path)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write("----- GET /freelancers/ -----\n")
  io.write(string.format("requests:     %d in %.1f s\n", summary.requests, summary.duration / 1e6))
  io.write(string.format("requests/s:   %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50:  %.1f ms\n", latency:percentile(50) / 1000))
  io.write(string.format("latency p99:  %.1f ms\n", latency:percentile(99) / 1000))
  io.write(string.format("errors:       %d\n", e.status + e.connect + e.read + e.write + e.timeout))
end
LUA

cpu_ticks() {
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}
curl -fsS -o /dev/null "http://127.0.0.1:${APP_PORT}/freelancers/"  # warm up
CPU0=$(cpu_ticks "$APP_PID")
echo "app: gunicorn 2 workers x ${GUNICORN_THREADS} thread(s) on :${APP_PORT}; PostgreSQL ${BENCH_DB}; ${FREELANCERS} freelancers;" \
  "${CONNECTIONS} clients, ${DURATION}; cache: ${BENCH_CACHE}"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s "$WORK/catalogue.lua" \
  "http://127.0.0.1:${APP_PORT}" | tee "$WORK/wrk.txt"
CPU1=$(cpu_ticks "$APP_PID")
REQUESTS=$(awk '/^requests:/ {print $2}' "$WORK/wrk.txt")
awk -v t=$((CPU1 - CPU0)) -v hz="$(getconf CLK_TCK)" -v n="$REQUESTS" \
  'BEGIN {printf "our workers CPU per request: %.2f ms (%d requests)\n", t / hz * 1000 / n, n}'
if grep -q "ERROR\|Traceback" "$WORK/app.log"; then
  echo "--- app errors ---"
  grep -A5 "ERROR\|Traceback" "$WORK/app.log" | head -40
fi
grep -q "^errors:       0" "$WORK/wrk.txt"
