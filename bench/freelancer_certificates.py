"""Benchmark: certificate sync of 10,000 freelancers and the catalogue page.

    DEBUG=true .venv/bin/python bench/freelancer_certificates.py

Uses its own SQLite database (BENCH_DATABASE_URL to choose another) and serves
the certification emulator on 127.0.0.1 with 50 ms latency per call. Targets:
full sync within 15 s; catalogue page median within 100 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
BENCH_DB = Path(tempfile.gettempdir()) / "bench-freelancers.sqlite3"
if "BENCH_DATABASE_URL" not in os.environ:
    for leftover in BENCH_DB.parent.glob(BENCH_DB.name + "*"):
        leftover.unlink()  # a fresh database every run
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{BENCH_DB}")
os.environ["SANDBOX"] = "true"
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import OuterRef, Subquery  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from freelancers import services  # noqa: E402
from freelancers.models import Freelancer, FreelancerCard  # noqa: E402
from sandbox.emulators import certification as emulator  # noqa: E402
from sandbox.faults import set_faults  # noqa: E402

N = 10_000
UID_BASE = 900_000_000
LATENCY_MS = 50


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve() -> tuple[ThreadedWSGIServer, str]:
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/sandbox/certification"


def populate(today) -> None:
    if Freelancer.objects.filter(uid__gte=UID_BASE).exists():
        raise SystemExit("bench freelancers already exist: use a fresh BENCH_DATABASE_URL")
    Freelancer.objects.bulk_create(
        [
            Freelancer(
                uid=UID_BASE + i,
                client_id=i,
                first_name=f"Имя{i % 97}",
                last_name=f"Фамилия{i:05d}",
                region=["Москва", "Санкт-Петербург", "Казань", "Новосибирск"][i % 4],
            )
            for i in range(N)
        ],
        batch_size=2000,
    )
    ids = dict(Freelancer.objects.filter(uid__gte=UID_BASE).values_list("uid", "id"))
    FreelancerCard.objects.bulk_create(
        [
            FreelancerCard(
                freelancer_id=pk,
                version=1,
                status=FreelancerCard.Status.ACCEPTED,
                about="Настраиваю поисковые и медийные кампании в Директе.",
                email=f"f{uid}@example.com",
            )
            for uid, pk in ids.items()
        ],
        batch_size=2000,
    )
    Freelancer.objects.filter(uid__gte=UID_BASE).update(
        accepted_card_id=Subquery(
            FreelancerCard.objects.filter(freelancer_id=OuterRef("pk")).values("pk")[:1]
        )
    )
    emulator.generate(ids.keys(), today=today)


def bench_sync(url: str) -> float:
    settings.FREELANCER_CERTIFICATES_API_URL = url
    set_faults("certification", latency_ms=LATENCY_MS, error_rate=0, malformed_rate=0, fail_next=0)
    started = time.perf_counter()
    report = services.freelancer_certificates_sync(trigger="command")
    elapsed = time.perf_counter() - started
    print(
        f"full sync: {N} freelancers, batch {settings.FREELANCER_CERTIFICATES_BATCH_SIZE}, "
        f"concurrency {settings.FREELANCER_CERTIFICATES_CONCURRENCY}, latency {LATENCY_MS} ms: "
        f"{elapsed:.2f} s (target 15 s) {report.counters}"
    )
    started = time.perf_counter()
    services.freelancer_certificates_sync(trigger="command")
    print(f"second (no-change) sync: {time.perf_counter() - started:.2f} s")
    return elapsed


def bench_catalogue() -> float:
    client = Client(HTTP_HOST="127.0.0.1")
    for _ in range(3):
        client.get("/freelancers/")
    timings = []
    for i in range(40):
        params = {"page": (i % 20) + 1} if i % 2 else {"kind": "direct", "page": i % 7 + 1}
        started = time.perf_counter()
        response = client.get("/freelancers/", params)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get("/freelancers/", {"kind": "direct"})
    median = statistics.median(timings)
    visible = Freelancer.objects.filter(is_searchable=True).count()
    print(
        f"catalogue: {visible} visible of {N}, median {median:.1f} ms, "
        f"p90 {statistics.quantiles(timings, n=10)[-1]:.1f} ms, max {max(timings):.1f} ms "
        f"(target median 100 ms), {len(queries)} queries per page"
    )
    return median


def main() -> int:
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    populate(today)
    server, url = serve()
    try:
        sync_s = bench_sync(url)
        set_faults("certification", latency_ms=0)
        median_ms = bench_catalogue()
    finally:
        server.shutdown()
    ok = sync_s <= 15 and median_ms <= 100
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
