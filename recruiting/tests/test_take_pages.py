"""Take into work from the pages, and the status on every card, against the emulators."""

from __future__ import annotations

import re

import pytest
import requests
from django.utils import translation

from core.models import JobRun, User
from recruiting import tasks
from recruiting.adapters.base import Order, SearchQuery
from recruiting.models import Application, Subsystem, SubsystemConnection
from recruiting.services import search as search_service
from recruiting.services.contacts import contacts_open
from recruiting.tests.conftest import connect
from recruiting.tests.contacts_support import hh_urn
from sandbox.faults import set_faults
from sandbox.subsystem_models import TrackerIssue

pytestmark = pytest.mark.django_db(transaction=True)

QUERY = SearchQuery(text="разработчик", order=Order.RELEVANCE)


def take(client, urn: str, subsystem: str = "tracker", target: str = "HIRE", **headers):
    return client.post(
        "/recruiting/take/create/",
        {"urn": urn, "subsystem": subsystem, "target": target, "card": "2"},
        **headers,
    )


def test_take_into_tracker_from_the_page_creates_one_issue(sites, recruiter, tracker):
    urn = hh_urn()
    opened = contacts_open(recruiter=recruiter, urn=urn)
    page = take(sites, urn, HTTP_HX_REQUEST="true")  # the card's panel, swapped by htmx
    assert page.status_code == 200
    issue = TrackerIssue.objects.get()
    assert issue.queue == "HIRE" and opened.phones[0] in issue.description
    assert opened.name in issue.summary
    text = page.content.decode()
    assert 'id="status-2" hx-swap-oob="true"' in text and "anna" in text


def test_take_form_offers_only_configured_subsystems_and_their_targets(sites, recruiter, tracker):
    urn = hh_urn()
    contacts_open(recruiter=recruiter, urn=urn)
    form = sites.get("/recruiting/take/", {"urn": urn, "card": "1"}).content.decode()
    assert 'data-subsystem="tracker"' in form and 'data-subsystem="amocrm"' not in form
    assert '<option value="HIRE">' in form and '<option value="DEV">' in form


def test_take_form_asks_to_open_contacts_first(sites, tracker):
    form = sites.get("/recruiting/take/", {"urn": hh_urn(), "card": "1"}).content.decode()
    assert "take-form" not in form


def test_second_recruiter_sees_already_in_work_by_whom_and_status(
    sites, recruiter, tracker, organization, client
):
    urn = hh_urn()
    contacts_open(recruiter=recruiter, urn=urn)
    assert take(sites, urn).status_code == 200
    boris = User.objects.create_user(username="boris", organization=organization)
    client.force_login(boris)
    page = take(client, urn)
    assert page.status_code == 409
    text = page.content.decode()
    assert "anna" in text and ("Already in work" in text or "Уже в работе" in text)
    assert TrackerIssue.objects.count() == 1


def test_not_configured_subsystem_and_unknown_queue_are_clear_errors(sites, recruiter, tracker):
    urn = hh_urn()
    contacts_open(recruiter=recruiter, urn=urn)
    page = take(sites, urn, subsystem="amocrm", target="")
    assert page.status_code == 400 and "amoCRM" in page.content.decode()
    assert take(sites, urn, target="NOPE").status_code == 404
    assert take(sites, urn, subsystem="amocrm", target="x:y").status_code == 400
    assert not Application.objects.exists()


def card_statuses(client, cursor: str) -> dict[str, str]:
    """data-urn of each card's resumes -> its status mark, from the search page."""
    page = client.get("/recruiting/search/", {"cursor": cursor}).content.decode()
    out = {}
    for article in page.split('<article class="resume-card')[1:]:
        mark = re.search(r'<mark class="application-status"[^>]*>(.*?)</mark>', article, re.S)
        for urn in re.findall(r'data-urn="([^"]+)"', article):
            out[urn] = mark.group(1) if mark else ""
    return out


def test_status_change_in_tracker_reaches_the_search_card_after_a_poll(
    sites, recruiter, tracker, emulators
):
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    urn = result.cards[0].urns[0]
    contacts_open(recruiter=recruiter, urn=urn)
    assert take(sites, urn).status_code == 200
    assert "anna" in card_statuses(sites, result.cursor)[urn]
    key = Application.objects.get().application_id
    url = f"{emulators}/tracker/v2/issues/{key}/transitions/start_progress/_execute"
    headers = {"Authorization": "OAuth y0_token", "X-Org-ID": "org-acme"}
    assert requests.post(url, headers=headers, timeout=5).status_code == 200
    assert "В работе" not in card_statuses(sites, result.cursor)[urn]
    tasks.applications_poll(trigger=JobRun.Trigger.COMMAND)
    assert "В работе" in card_statuses(sites, result.cursor)[urn]


def test_organizations_never_see_each_others_applications(
    sites, recruiter, tracker, other_organization, client
):
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    urn = next(r.urn for c in result.cards for r in c.resumes if not r.contacts_open)
    contacts_open(recruiter=recruiter, urn=urn)
    assert take(sites, urn).status_code == 200
    stranger = User.objects.create_user(username="gleb", organization=other_organization)
    SubsystemConnection.objects.create(
        organization=other_organization,
        subsystem=Subsystem.TRACKER,
        account="org-globex",
        access_token="y0_other",
        queues="HIRE",
    )
    client.force_login(stranger)
    connect(client, "hh")
    connect(client, "sj")
    theirs = search_service.search_start(recruiter=stranger, query=QUERY)
    assert urn in card_statuses(client, theirs.cursor)
    assert card_statuses(client, theirs.cursor)[urn] == ""
    form = client.get("/recruiting/take/", {"urn": urn}).content.decode()
    assert "application-status" not in form


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("", "amoCRM временно недоступен. Попробуйте ещё раз через минуту."),
        ("en", "amoCRM is temporarily unavailable. Please try again in a minute."),
    ],
)
def test_subsystem_down_shows_plain_words_in_the_chosen_language(
    sites, recruiter, amo, settings, language, expected
):
    urn = hh_urn()
    contacts_open(recruiter=recruiter, urn=urn)
    settings.HTTP_MAX_RETRIES = 0
    set_faults("amocrm", error_rate=1.0, error_status=503)
    if language:
        sites.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = sites.post(
        "/recruiting/take/create/",
        {"urn": urn, "subsystem": "amocrm", "target": "", "card": "2"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
    )
    translation.activate(settings.LANGUAGE_CODE)
    text = page.content.decode()
    assert page.status_code == 503 and expected in text
    assert "HTTP 503" not in text and "answered" not in text
    assert not Application.objects.exists()


def test_a_card_open_on_the_site_is_taken_at_once_without_paying(sites, recruiter, tracker):
    from recruiting.selectors import contacts_known
    from recruiting.tests.contacts_support import charged

    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    resumes = [r for card in result.cards for r in card.resumes]
    known = contacts_known(organization_id=recruiter.organization_id, urns=[r.urn for r in resumes])
    urn = next(
        r.urn for r in resumes if r.contacts_open and r.urn not in known and r.site.value == "hh"
    )
    form = sites.get(
        "/recruiting/take/", {"urn": urn, "card": "1", "cursor": result.cursor}
    ).content.decode()
    assert 'data-subsystem="tracker"' in form  # no "open the contacts first"
    page = sites.post(
        "/recruiting/take/create/",
        {
            "urn": urn,
            "subsystem": "tracker",
            "target": "HIRE",
            "card": "1",
            "cursor": result.cursor,
        },
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 200
    issue = TrackerIssue.objects.get()
    stored = contacts_known(organization_id=recruiter.organization_id, urns=[urn])[urn]
    assert stored.name in issue.summary and stored.phones[0] in issue.description
    assert charged("hh") == 0


def test_a_closed_card_is_never_opened_by_a_take(sites, recruiter, tracker):
    from recruiting.tests.contacts_support import charged

    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    urn = next(
        r.urn
        for c in result.cards
        for r in c.resumes
        if not r.contacts_open and r.site.value == "hh"
    )
    page = sites.post(
        "/recruiting/take/create/",
        {"urn": urn, "subsystem": "tracker", "target": "HIRE", "cursor": result.cursor},
    )
    assert page.status_code == 400
    assert not TrackerIssue.objects.exists() and charged("hh") == 0
