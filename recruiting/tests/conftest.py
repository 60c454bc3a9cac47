"""Fixtures for the job-site tests: settings pointing at the live emulators."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from django.core.cache import cache

from core.models import User
from recruiting.models import Subsystem, SubsystemConnection
from recruiting.services.sites import _build

# The custom field of leads every amoCRM sandbox account has (the resume link).
AMO_LINK_FIELD = 1278898021


@pytest.fixture(autouse=True)
def _fresh_adapters_and_cache():
    _build.cache_clear()
    cache.clear()
    yield
    _build.cache_clear()


@pytest.fixture
def emulators(settings, live_server, sandbox_url):
    """Point every job-site and subsystem setting at the emulators on the live server."""
    settings.SITE_URL = live_server.url
    settings.SANDBOX_URL = sandbox_url  # the emulators build hh.ru action links from it
    settings.HH_API_URL = f"{sandbox_url}/hh"
    settings.HH_OAUTH_URL = f"{sandbox_url}/hh"
    settings.SUPERJOB_API_URL = f"{sandbox_url}/superjob/2.0"
    settings.SUPERJOB_OAUTH_URL = f"{sandbox_url}/superjob"
    settings.AMOCRM_URL_TEMPLATE = f"{sandbox_url}/amocrm/{{subdomain}}"
    settings.TRACKER_API_URL = f"{sandbox_url}/tracker"
    settings.JOBSITE_SEARCH_TIMEOUT = 3.0
    settings.JOBSITE_SEARCH_DEADLINE = 4.0
    settings.HTTP_READ_TIMEOUT = 5.0
    return sandbox_url


@pytest.fixture
def amo(organization, emulators) -> SubsystemConnection:
    return SubsystemConnection.objects.create(
        organization=organization,
        subsystem=Subsystem.AMOCRM,
        account="acme",
        access_token="long-lived-token",
        pipeline_id=7000001,
        status_id=7000011,
        link_field_id=AMO_LINK_FIELD,
    )


@pytest.fixture
def tracker(organization, emulators) -> SubsystemConnection:
    return SubsystemConnection.objects.create(
        organization=organization,
        subsystem=Subsystem.TRACKER,
        account="org-acme",
        access_token="y0_token",
        queues="HIRE,DEV",
    )


@pytest.fixture
def colleague(organization) -> User:
    return User.objects.create_user(
        username="boris", first_name="Борис", last_name="Котов", organization=organization
    )


@pytest.fixture
def recruiter_client(client, recruiter):
    client.force_login(recruiter)
    return client


@pytest.fixture
def sites(emulators, recruiter_client):
    """The recruiter's client with hh.ru and SuperJob both connected."""
    connect(recruiter_client, "hh")
    connect(recruiter_client, "sj")
    return recruiter_client


@pytest.fixture
def both_sites(sites, settings, sandbox_url):
    """`sites`, with the hh.ru emulator's action links on the live server."""
    settings.SANDBOX_URL = sandbox_url
    return sites


def consent(authorize_url: str, decision: str = "allow") -> str:
    """Answer the emulator's consent page; returns the callback path + query."""
    page = requests.get(authorize_url, timeout=5)
    assert page.status_code == 200 and "Разрешить" in page.text
    query = dict(pair.split("=", 1) for pair in urlsplit(authorize_url).query.split("&"))
    from urllib.parse import unquote_plus

    form = {k: unquote_plus(v) for k, v in query.items()} | {"decision": decision}
    answer = requests.post(authorize_url.split("?")[0], data=form, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    return f"{location.path}?{location.query}"


def connect(client, site: str, decision: str = "allow"):
    """The whole OAuth round trip through our views and the emulator."""
    start = client.get(f"/recruiting/sites/{site}/connect/")
    assert start.status_code == 302
    return client.get(consent(start["Location"], decision))


@pytest.fixture
def tvm(settings, sandbox_url, recruiter):
    """TVM on against the tvmtool emulator: request headers carrying tickets for
    `recruiter` from an allowed source (no session, no CSRF token)."""
    from sandbox.emulators.tvmtool import (
        LOCAL_AUTH_TOKEN,
        issue_service_ticket,
        issue_user_ticket,
    )

    frontend, uid = 2001234, 1120000000012345
    settings.TVM_ENABLED = True
    settings.TVM_ALLOWED_SOURCES = [frontend]
    settings.TVM_TOOL_AUTH_TOKEN = LOCAL_AUTH_TOKEN
    settings.TVM_SELF_ALIAS = ""
    settings.TVM_TOOL_URL = f"{sandbox_url}/tvmtool"
    recruiter.passport_uid = uid
    recruiter.save(update_fields=["passport_uid"])
    return {
        "HTTP_X_YA_SERVICE_TICKET": issue_service_ticket(frontend),
        "HTTP_X_YA_USER_TICKET": issue_user_ticket(uid),
    }


def log_in(page, base: str, next_path: str) -> None:
    """Log the `recruiter` fixture in through the login page of a real browser."""
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("input[name=login]", "anna")
    page.fill("input[name=password]", "pw-anna-12345")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}{next_path}")
