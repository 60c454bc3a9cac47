"""htmx requests get small error fragments, never a whole page swapped into a panel."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string

from recruiting.tests.conftest import connect
from recruiting.tests.contacts_support import hh_urn
from sandbox.faults import set_faults

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def connected(emulators, recruiter_client):
    connect(recruiter_client, "hh")
    connect(recruiter_client, "sj")
    return recruiter_client


def fragment(response) -> str:
    body = response.content.decode()
    assert "<html" not in body.lower() and "<body" not in body.lower()
    return body


def test_invalid_query_via_htmx_is_a_results_fragment_with_the_error(connected):
    response = connected.get("/recruiting/search/", {"text": "", "order": "updated"}, **HTMX)
    assert response.status_code == 400
    body = fragment(response)
    assert body.lstrip().startswith('<section id="results">') and "error-text" in body


def test_bad_cursor_via_htmx_is_a_results_fragment_without_required_field_noise(connected):
    response = connected.get("/recruiting/search/", {"cursor": "forged"}, **HTMX)
    assert response.status_code == 400
    body = fragment(response)
    assert 'data-code="INVALID_ARGUMENT"' in body
    assert "required" not in body and "Обязательное" not in body


def test_bad_cursor_page_does_not_complain_about_required_fields(connected):
    body = connected.get("/recruiting/search/", {"cursor": "forged"}).content.decode()
    assert 'data-code="INVALID_ARGUMENT"' in body
    assert "This field is required" not in body and "Обязательное поле" not in body


def test_service_error_from_opening_contacts_via_htmx_is_a_fragment(recruiter_client):
    response = recruiter_client.post(
        "/recruiting/contacts/open/", {"urn": "urn:xx:bad", "card": "1"}, **HTMX
    )
    assert response.status_code == 400
    body = fragment(response)
    assert 'data-code="INVALID_ARGUMENT"' in body and "urn:xx:bad" in body


def test_service_error_without_htmx_is_still_the_error_page(recruiter_client):
    response = recruiter_client.post("/recruiting/contacts/open/", {"urn": "urn:xx:bad"})
    assert response.status_code == 400 and "<html" in response.content.decode().lower()


def test_site_down_via_htmx_is_a_fragment_with_a_retry_hint(sites, recruiter):
    set_faults("hh", fail_next=5, error_status=503)
    response = sites.post("/recruiting/contacts/open/", {"urn": hh_urn(), "card": "1"}, **HTMX)
    assert response.status_code in (503, 504), response.content
    body = fragment(response)
    assert "try again" in body.lower() or "попробуйте" in body.lower()


def test_htmx_config_swaps_error_fragments_but_not_the_500_page():
    meta = render_to_string("recruiting/_htmx_config.html")
    rules = re.findall(r'\{"code":"([^"]+)","swap":(true|false)', meta)
    assert ("4..", "true") in rules and ("5..", "true") in rules
    assert rules.index(("500", "false")) < rules.index(("5..", "true"))
