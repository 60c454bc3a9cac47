"""Benchmark: poll 10,000 open applications against the emulators.

    DEBUG=true .venv/bin/python bench/applications.py [--amocrm 5000] [--tracker 5000]

Starts the emulators on a local threaded server, seeds leads and issues in
the sandbox tables and the matching OPEN applications of a bench
organization (in the configured database, replaced on every run), moves 10 %
of them in the subsystems, then runs the `applications_poll` job once and
prints its figures: duration, requests per subsystem, the busiest second
seen by amoCRM (limit 7), 429 answers, and the changes that reached the
applications. Target: under 60 s.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.utils import timezone  # noqa: E402

from core.jobs import job_run  # noqa: E402
from core.models import JobLock, Organization, User  # noqa: E402
from recruiting.models import Application, Subsystem, SubsystemConnection  # noqa: E402
from recruiting.services.polling import applications_poll  # noqa: E402
from sandbox.subsystem_models import AmoLead, TrackerIssue  # noqa: E402

ORG = "Bench organization"


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Calls(logging.Handler):
    """Counts the adapters' request log lines: per system, status and second."""

    def __init__(self):
        super().__init__()
        self.per_system = Counter()
        self.statuses = Counter()
        self.amocrm_seconds = Counter()

    def emit(self, record):
        system, _method, _url, status = record.args[:4]
        self.per_system[system] += 1
        self.statuses[(system, status)] += 1
        if system == "amocrm":
            self.amocrm_seconds[int(record.created)] += 1


def serve() -> str:
    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/sandbox"


def seed(n_amo: int, n_tracker: int) -> Organization:
    org, _ = Organization.objects.get_or_create(name=ORG)
    Application.objects.filter(organization=org).delete()
    SubsystemConnection.objects.filter(organization=org).delete()
    AmoLead.objects.filter(account="bench").delete()
    TrackerIssue.objects.filter(org_id="bench").delete()
    JobLock.objects.filter(job="applications_poll").delete()
    user, _ = User.objects.get_or_create(username="bench-recruiter", organization=org)
    amo = SubsystemConnection.objects.create(
        organization=org, subsystem=Subsystem.AMOCRM, account="bench", access_token="bench"
    )
    trk = SubsystemConnection.objects.create(
        organization=org,
        subsystem=Subsystem.TRACKER,
        account="bench",
        access_token="bench",
        queues="HIRE",
    )
    now = timezone.now()
    leads = AmoLead.objects.bulk_create(
        [
            AmoLead(account="bench", name=f"Кандидат {i}", pipeline_id=7000001, status_id=7000011)
            for i in range(n_amo)
        ],
        batch_size=1000,
    )
    issues = TrackerIssue.objects.bulk_create(
        [
            TrackerIssue(
                org_id="bench",
                queue="HIRE",
                key=f"HIRE-{i + 1}",
                summary=f"Кандидат {i}",
                created_at=now,
                updated_at=now,
            )
            for i in range(n_tracker)
        ],
        batch_size=1000,
    )
    rows = [
        _app(org, user, amo, f"urn:hh:a{i}", str(lead.pk), "7000001:7000011")
        for i, lead in enumerate(leads)
    ]
    rows += [
        _app(org, user, trk, f"urn:sj:t{i}", issue.key, "open") for i, issue in enumerate(issues)
    ]
    Application.objects.bulk_create(rows, batch_size=1000)
    # 10 % move in the subsystems: half progress, half close.
    moved = [lead.pk for lead in leads[::10]]
    AmoLead.objects.filter(pk__in=moved[::2]).update(status_id=7000012)
    AmoLead.objects.filter(pk__in=moved[1::2]).update(status_id=142)
    keys = [issue.key for issue in issues[::10]]
    TrackerIssue.objects.filter(org_id="bench", key__in=keys[::2]).update(status="inProgress")
    TrackerIssue.objects.filter(org_id="bench", key__in=keys[1::2]).update(
        status="closed", resolution="fixed"
    )
    return org


DISPLAY = {"7000001:7000011": "Подбор персонала: Новый кандидат", "open": "Открыт"}


def _app(org, user, connection, urn, external_id, status) -> Application:
    return Application(
        organization=org,
        connection=connection,
        subsystem=connection.subsystem,
        resume_urn=urn,
        idempotency_key=f"bench-{connection.subsystem}-{urn}",
        application_id=external_id,
        status=Application.Status.OPEN,
        external_status=status,
        recruiter=user,
        external_status_display=DISPLAY[status],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--amocrm", type=int, default=5000)
    parser.add_argument("--tracker", type=int, default=5000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    base = serve()
    settings.AMOCRM_URL_TEMPLATE = f"{base}/amocrm/{{subdomain}}"
    settings.TRACKER_API_URL = f"{base}/tracker"
    started = time.monotonic()
    org = seed(args.amocrm, args.tracker)
    print(
        f"seeded {args.amocrm} amoCRM + {args.tracker} Tracker open applications "
        f"in {time.monotonic() - started:.1f} s"
    )
    calls = Calls()
    logging.getLogger("core.http").addHandler(calls)
    logging.getLogger("core.http").propagate = False
    started = time.monotonic()
    with job_run("applications_poll", trigger="command") as run:
        applications_poll(
            run=run,
            connection_ids=list(
                SubsystemConnection.objects.filter(organization=org).values_list("pk", flat=True)
            ),
        )
    elapsed = time.monotonic() - started
    apps = Application.objects.filter(organization=org)
    print(
        f"poll: {elapsed:.1f} s for {args.amocrm + args.tracker} applications "
        f"({(args.amocrm + args.tracker) / elapsed:.0f} applications/s); target < 60 s: "
        f"{'OK' if elapsed < 60 else 'MISSED'}"
    )
    print(f"run counters: {run.counters} status={'partial' if run.partial else 'success'}")
    print(f"requests: {dict(calls.per_system)}; answers: {dict(calls.statuses)}")
    busiest = max(calls.amocrm_seconds.values(), default=0)
    print(
        f"amoCRM busiest second: {busiest} requests (limit {settings.AMOCRM_RATE_LIMIT:g}); "
        f"429 answers: {calls.statuses[('amocrm', 429)]}"
    )
    print(
        f"after the poll: open={apps.filter(status='open').count()} "
        f"closed={apps.filter(status='closed').count()} "
        f"never polled={apps.filter(polled_at__isnull=True).count()}"
    )


if __name__ == "__main__":
    main()
