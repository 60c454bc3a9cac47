"""Benchmark of the support chat sync on PostgreSQL.

1,000,000 clients over 4 shards (4 databases), 100,000 listed in the YT
exclusion table (served by the YT emulator over HTTP), 50,000 changes
(25,000 to disable, 25,000 to enable). Measures a full run and a run with the
table unchanged, each in a fresh child process (wall time and peak RSS of that
process; the run's time excludes Django start-up, printed apart). Targets: full run < 30 s and < 400 MB;
unchanged table < 1 s.

    DEBUG=true .venv/bin/python bench/support_chat_sync.py

BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/supportchat_bench)
names the default database; the shards are `<name>_shard1..4` on the same
server. All five are created if missing and their tables emptied.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 1_000_000
SHARDS = 4
LISTED = 100_000
BASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/supportchat_bench"
)


def _url_with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _configure_env() -> list[str]:
    name = urlsplit(BASE_URL).path.lstrip("/")
    shard_urls = [_url_with_db(BASE_URL, f"{name}_shard{n}") for n in range(1, SHARDS + 1)]
    os.environ["DATABASE_URL"] = BASE_URL
    os.environ["PPC_SHARD_DATABASE_URLS"] = ",".join(shard_urls)
    os.environ.setdefault("DEBUG", "true")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["SUPPORT_CHAT_EXCLUSION_SOURCE"] = ""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return [BASE_URL, *shard_urls]


def _create_databases(urls: list[str]) -> None:
    import psycopg

    admin = _url_with_db(BASE_URL, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        for url in urls:
            name = urlsplit(url).path.lstrip("/")
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')


def _setup() -> None:
    from django.core.management import call_command
    from django.db import connections

    from core.models import JobLock, JobRun, Property
    from sandbox.emulators.yt import set_table
    from supportchat.shards import shards

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    with connections["default"].cursor() as cursor:
        cursor.execute("TRUNCATE supportchat_clientshard")
        cursor.execute(
            "INSERT INTO supportchat_clientshard (client_id, shard) "
            "SELECT g, g %% %s + 1 FROM generate_series(1, %s) g",
            [SHARDS, CLIENTS],
        )
    # Listed: every 10th client (100,000); 75,000 of them already off.
    # Also off: 25,000 clients not listed (g % 10 = 1), to be switched on.
    for number, alias in shards().items():
        with connections[alias].cursor() as cursor:
            cursor.execute("TRUNCATE supportchat_clientfeature")
            cursor.execute(
                "INSERT INTO supportchat_clientfeature "
                "(client_id, feature, is_enabled, updated_at, source_version) "
                "SELECT g, 'checked_support_chat', "
                "NOT ((g %% 10 = 0 AND g <= 750000) OR (g %% 10 = 1 AND g BETWEEN 11 AND 250001)), "
                "now(), '' FROM generate_series(1, %s) g WHERE g %% %s + 1 = %s",
                [CLIENTS, SHARDS, number],
            )
            cursor.execute("ANALYZE supportchat_clientfeature")
    JobRun.objects.filter(job="support_chat_sync").delete()
    JobLock.objects.all().delete()
    Property.objects.filter(name="CHECKED_SUPPORT_CHAT_FEATURE_LAST_SYNCED_MOD_TIME").delete()
    rows = [{"client_id": 10 * i} for i in range(1, LISTED + 1)]
    from django.conf import settings

    set_table(settings.SUPPORT_CHAT_YT_TABLE, rows)
    print(f"setup: {CLIENTS:,} clients on {SHARDS} shards in {time.monotonic() - started:.1f} s")


def _serve() -> str:
    """The YT emulator on a loopback port, in a thread of this process."""
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = make_server("127.0.0.1", 0, get_wsgi_application(), WSGIServer, Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/sandbox/yt"


def _child(yt_url: str) -> dict:
    env = {**os.environ, "YT_PROXY_URL": yt_url}
    out = subprocess.run(
        [sys.executable, __file__, "--run"], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"run failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _run_once() -> None:
    """Child process: one forced run, its figures as JSON on stdout."""
    import resource

    started = time.monotonic()
    import django

    django.setup()
    from supportchat import services

    startup = time.monotonic() - started
    began = time.monotonic()
    result = services.support_chat_sync(trigger="command", force=True)
    elapsed = time.monotonic() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    plan = result.plan.counters() if result.plan else {}
    print(
        json.dumps(
            {
                "outcome": result.outcome,
                "seconds": elapsed,
                "startup": startup,
                "peak_mb": peak_mb,
                "applied": result.applied,
                **plan,
            }
        )
    )


def _check() -> int:
    from supportchat.selectors import disabled_clients
    from supportchat.shards import shards

    return sum(len(disabled_clients(alias=alias)) for alias in shards().values())


def main() -> None:
    urls = _configure_env()
    if "--run" in sys.argv:
        _run_once()
        return
    _create_databases(urls)
    import django

    django.setup()
    _setup()
    yt_url = _serve()
    full = _child(yt_url)
    print(
        f"full run:  {full['seconds']:.2f} s (+{full['startup']:.2f} s process start), peak {full['peak_mb']:.0f} MB "
        f"(listed {full['listed']:,}, disabled before {full['disabled_before']:,}, "
        f"disable {full['to_disable']:,}, enable {full['to_enable']:,}, applied {full['applied']:,})"
        f"  [target < 30 s, < 400 MB]"
    )
    assert _check() == LISTED, "after the run exactly the listed clients must be off"
    same = _child(yt_url)
    print(
        f"unchanged: {same['seconds']:.2f} s (+{same['startup']:.2f} s process start), peak {same['peak_mb']:.0f} MB "
        f"(outcome {same['outcome']})  [target < 1 s]"
    )


if __name__ == "__main__":
    main()
