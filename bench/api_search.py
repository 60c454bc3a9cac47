"""Our cost of one `POST /api/v1/search`, in process: CPU, queries, and
(under valgrind) instructions.

Run:  DEBUG=true .venv/bin/python bench/api_search.py [--searches 300]
      bash bench/api_instructions.sh          (the instruction count)

A new search each time (the six queries of bench/api_load.sh in turn, 20
cards a page), through Django's test client: middleware, session,
throttle, the view, the search and the answer, without gunicorn and the
network. The job-site emulators answer from a separate gunicorn process
(bench/search.py's), at once; the currency rates are fresh. Set CACHE_URL
(e.g. redis://127.0.0.1:6379/5) to read sessions and the throttle through
Redis, as production does; DATABASE_URL for PostgreSQL.

Prints our CPU per search (user + system of this process, all threads,
median) and the queries each runs. bench/api_load.sh measures the same
request under gunicorn and load, where the machine's noise is large (its
CPU figures swing by up to 1.7x between runs minutes apart): the
instruction count (`--callgrind`, run by bench/api_instructions.sh) repeats
to 0.1%, so it tells a change from the noise.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("API_THROTTLE_SEARCH", "1000000/minute")  # one recruiter searches

import search as search_bench  # noqa: E402 - sets up Django, as every bench does
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

QUERIES = ("разработчик", "python", "java", "frontend", "1С", "аналитик")
WARM_UP = 30


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument(
        "--callgrind",
        action="store_true",
        help="switch callgrind's instrumentation on around the measured searches only",
    )
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    setup_test_environment()
    sqlite = connection.settings_dict["ENGINE"].endswith("sqlite3")
    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        str(search_bench.ROOT / ".bench-api-search.sqlite3") if sqlite else "bench_api_search"
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        url, server = search_bench.start_server()
        try:
            measure(url, args.searches, args.callgrind)
        finally:
            search_bench.stop_server(server)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def measure(url: str, searches: int, callgrind: bool) -> None:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from core.models import Organization, User
    from recruiting.services.rates import currency_rates_refresh

    search_bench.configure(url)
    settings.ALLOWED_HOSTS = ["*"]
    search_bench.QUERIES.install()
    import config.wsgi  # noqa: F401 - the process set up as a web worker's (the collector)

    cache.clear()
    organization = Organization.objects.create(name="Bench")
    recruiter = User.objects.create_user("bench", organization=organization)
    search_bench.connect_sites(recruiter)
    currency_rates_refresh()  # as the worker keeps them fresh
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(recruiter)

    def one(n: int) -> bytes:
        answer = client.post(
            "/api/v1/search",
            {"query": QUERIES[n % len(QUERIES)], "page_size": 20},
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content[:300]
        return answer.content

    for n in range(WARM_UP):  # every site answered (not measured: the client's reading)
        assert b'"site_errors":[]' in one(n)
    if callgrind:
        _instrument("on")
    cpu = []
    queries = search_bench.QUERIES.queries
    for n in range(searches):
        started = search_bench.cpu_seconds()
        one(n)
        cpu.append(search_bench.cpu_seconds() - started)
    if callgrind:
        _instrument("off")
    queries = search_bench.QUERIES.queries - queries
    if not callgrind:  # valgrind's CPU is not ours
        print(f"our CPU per API search (in process): {statistics.median(cpu) * 1000:.1f} ms")
    print(f"queries per API search: {queries / searches:g}")


def _instrument(state: str) -> None:
    """callgrind's instrumentation on or off for this process (asynchronous:
    given a moment to take effect)."""
    subprocess.run(  # noqa: S603 - fixed argv
        ["callgrind_control", "-i", state, str(os.getpid())],  # noqa: S607 - valgrind's tool
        check=True,
        capture_output=True,
    )
    time.sleep(1)


if __name__ == "__main__":
    main()
