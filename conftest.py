"""Fixtures every app's tests share.

Outbound network: pytest-socket (`--allow-hosts` in pyproject.toml) refuses
every connection that does not go to this machine, so no test can reach a
real external system; adapters talk to the sandbox emulators over HTTP on
the live server, or to `responses` at the transport level.
"""

from __future__ import annotations

import shutil

import pytest
from django.utils import translation

from core.models import Organization, User

# API fixtures (schema-checked clients): core/tests/api_support.py.
pytest_plugins = ["core.tests.api_support"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.postgres` tests are skipped on SQLite, which serialises
    every write transaction, so a race there would prove nothing."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks and concurrent writers)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# Where the emulators' default URLs point in tests: a port nothing listens on,
# so a test that forgets to aim a setting at the live server fails the same
# way everywhere, even when a development server runs on the usual port.
UNREACHABLE_SANDBOX = "http://127.0.0.1:9/sandbox"


@pytest.fixture(autouse=True)
def _external_urls_unreachable_by_default(settings):
    default = settings.SANDBOX_URL.rstrip("/")
    for name in dir(settings._wrapped):
        value = getattr(settings, name, None)
        if name.isupper() and isinstance(value, str) and value.startswith(default):
            setattr(settings, name, UNREACHABLE_SANDBOX + value[len(default) :])


@pytest.fixture
def organization(db) -> Organization:
    return Organization.objects.create(name="Acme")


@pytest.fixture
def other_organization(db) -> Organization:
    return Organization.objects.create(name="Globex")


@pytest.fixture
def recruiter(organization) -> User:
    return User.objects.create_user(
        username="anna",
        email="anna@example.com",
        password="pw-anna-12345",
        organization=organization,
    )


@pytest.fixture
def russian_catalogue():
    """`add({msgid: text})`: Russian translations for one test.

    Proves a string goes through gettext at the right moment even before the
    catalogues list it (they are regenerated from the code). Earlier entries
    are restored afterwards.
    """
    from django.utils.translation import trans_real

    catalog = trans_real.translation("ru")._catalog
    missing = object()
    saved: dict = {}

    def add(entries: dict[str, str]) -> None:
        for msgid, text in entries.items():
            saved.setdefault(msgid, catalog.get(msgid, missing))
            catalog[msgid] = text

    yield add
    for msgid, previous in saved.items():
        if previous is missing:
            del catalog._catalogs[0][msgid]
        else:
            catalog[msgid] = previous


@pytest.fixture
def sandbox_url(live_server) -> str:
    """Base URL of the emulators, served over real HTTP by the live server."""
    return f"{live_server.url}/sandbox"


@pytest.fixture
def emulator_root(transactional_db, settings):
    """`emulator_root("tracker")`: the base URL of that emulator served at the
    root of its own port (sandbox.hosting), as the vendors' official clients
    need it; on the test database, like the live server."""
    from pytest_django.live_server_helper import LiveServer

    from sandbox.hosting import EmulatorHandler

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "127.0.0.1"]
    servers: list[LiveServer] = []

    def serve(system: str) -> str:
        server = LiveServer("localhost", start=False)
        server.thread.static_handler = lambda _app: EmulatorHandler(system)
        server.start()
        servers.append(server)
        return server.url

    yield serve
    for server in servers:
        server.stop()


# --- browser tests (pytest-playwright driving Debian's chromium) ---------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-quic",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request served in this thread leaves its language active (the
    locale middleware activates it for the thread): the next test starts
    from the project's default again, as a new request would."""
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def _drop_stray_test_connections(django_db_setup, django_db_blocker):
    """Let the test databases be dropped at the end of the run.

    Threads of live servers and concurrency tests may leave PostgreSQL
    sessions open; dropping a database with sessions fails, so end them.
    """
    yield
    from django.db import OperationalError, connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            try:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
            except OperationalError:
                continue  # a run without database tests created no test database
