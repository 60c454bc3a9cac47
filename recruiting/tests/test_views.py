"""Search and job-site pages: bad input never gives a 500."""

from __future__ import annotations

import pytest

from recruiting.tests.conftest import connect

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_site_connected_page_links_to_job_sites(recruiter_client):
    page = recruiter_client.get("/recruiting/search/")
    assert page.status_code == 200
    assert 'id="no-sites"' in page.content.decode()
    assert "/recruiting/sites/" in page.content.decode()


@pytest.fixture
def connected(emulators, recruiter_client):
    connect(recruiter_client, "hh")
    connect(recruiter_client, "sj")
    return recruiter_client


@pytest.mark.parametrize(
    "params",
    [
        {"text": ""},
        {"text": "   "},
        {"text": "x" * 1000},
        {"text": "python", "order": "by-magic"},
        {"text": "python", "salary_from": "200000", "salary_to": "100000"},
        {"text": "<script>alert(1)</script>"},
        {"text": "python", "region": "atlantis"},
        {"text": "python", "salary_from": "-5"},
        {"text": "python", "salary_from": "lots"},
    ],
)
def test_bad_search_input_is_a_form_error_not_a_500(connected, params):
    response = connected.get("/recruiting/search/", params)
    assert response.status_code == 400
    assert "error-text" in response.content.decode()


@pytest.mark.parametrize("cursor", ["", "forged", "WzEsMSwxXQ:1abc:def", "a" * 5000])
def test_forged_cursor_is_400_invalid_argument(connected, cursor):
    response = connected.get("/recruiting/search/", {"cursor": cursor})
    assert response.status_code == 400
    assert 'data-code="INVALID_ARGUMENT"' in response.content.decode()


def test_expired_cursor_is_400(connected, settings):
    page = connected.get("/recruiting/search/", {"text": "разработчик"})
    next_link = page.context["result"].next_cursor
    settings.JOBSITE_SEARCH_CURSOR_TTL = -1
    response = connected.get("/recruiting/search/", {"cursor": next_link})
    assert response.status_code == 400


def test_search_page_and_htmx_paging(connected):
    page = connected.get("/recruiting/search/", {"text": "разработчик", "order": "updated"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-state="ok"' in html and 'id="next-page"' in html
    result = page.context["result"]
    partial = connected.get(
        "/recruiting/search/", {"cursor": result.next_cursor}, HTTP_HX_REQUEST="true"
    )
    body = partial.content.decode()
    assert partial.status_code == 200
    assert body.lstrip().startswith('<section id="results">')
    assert 'id="prev-page"' in body


def test_split_form_redirects_back_to_the_same_page(connected):
    page = connected.get("/recruiting/search/", {"text": "разработчик"})
    result = page.context["result"]
    merged = next(c for c in result.cards if len(c.resumes) == 2)
    response = connected.post(
        "/recruiting/search/split/", {"urn": list(merged.urns), "cursor": result.cursor}
    )
    assert response.status_code == 302
    again = connected.get(response["Location"])
    assert merged.key not in {c.key for c in again.context["result"].cards}


def test_split_with_one_urn_is_400(connected):
    assert connected.post("/recruiting/search/split/", {"urn": ["urn:hh:1"]}).status_code == 400


def test_contacts_for_more_than_one_resume_per_site_are_refused_without_reading(
    recruiter_client,
):
    urns = [f"urn:hh:{i:038d}" for i in range(50)]
    response = recruiter_client.get(
        "/recruiting/contacts/", {"urn": urns, "card": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert 'data-code="INVALID_ARGUMENT"' in response.content.decode()


def test_split_of_a_huge_card_is_refused_and_stores_nothing(recruiter_client):
    from recruiting.models import MergeSplit

    urns = [f"urn:hh:{i}" for i in range(200)] + ["urn:sj:1"]
    response = recruiter_client.post("/recruiting/search/split/", {"urn": urns})
    assert response.status_code == 400 and not MergeSplit.objects.exists()


def test_split_of_one_resume_per_site_is_recorded(recruiter_client):
    from recruiting.models import MergeSplit

    response = recruiter_client.post("/recruiting/search/split/", {"urn": ["urn:hh:1", "urn:sj:1"]})
    assert response.status_code == 302 and MergeSplit.objects.count() == 1
