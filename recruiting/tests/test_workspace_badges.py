"""The status badge on a card: always a stage name, and a link to the deal or issue."""

from __future__ import annotations

import pytest

from recruiting.models import Application, KnownContact, Subsystem
from recruiting.services.contacts import contacts_open
from recruiting.tests.contacts_support import hh_urn
from sandbox.subsystem_models import AmoLead

pytestmark = pytest.mark.django_db(transaction=True)


def take(client, urn: str, subsystem: str, target: str = ""):
    return client.post(
        "/recruiting/take/create/",
        {"urn": urn, "subsystem": subsystem, "target": target, "card": "2"},
        HTTP_HX_REQUEST="true",
    )


def test_amocrm_default_pipeline_without_a_stage_reads_the_stage_back(sites, recruiter, amo):
    amo.status_id = None  # the lead lands in the pipeline's first stage
    amo.save(update_fields=["status_id"])
    urn = hh_urn()
    contacts_open(recruiter=recruiter, urn=urn)
    page = take(sites, urn, "amocrm").content.decode()
    lead = AmoLead.objects.get()
    app = Application.objects.get()
    assert app.external_status == f"{lead.pipeline_id}:{lead.status_id}"
    assert app.external_status_display and not app.external_status_display.endswith(": ")
    assert f": {app.external_status_display} · " in page
    assert f'href="https://acme.amocrm.ru/leads/detail/{lead.pk}"' in page


def test_tracker_badge_links_the_issue(sites, recruiter, tracker):
    urn = hh_urn()
    contacts_open(recruiter=recruiter, urn=urn)
    page = take(sites, urn, "tracker", "HIRE").content.decode()
    assert 'href="https://tracker.yandex.ru/HIRE-1"' in page and 'class="external-link"' in page


def test_stage_unknown_is_a_placeholder_never_an_empty_label(recruiter):
    app = Application(
        subsystem=Subsystem.AMOCRM, external_status="7000001:", status=Application.Status.OPEN
    )
    assert app.status_label == "этап пока неизвестен"


def test_header_shows_the_first_known_name_when_the_first_resume_has_none(sites, recruiter):
    """A merged card whose first known resume carries no name (a subsystem copy
    with a phone only) still puts the other resume's name in its header."""
    first, second = "urn:hh:abc123", "urn:sj:777"
    for urn, name in ((first, None), (second, "Петров Пётр")):
        KnownContact.objects.create(
            organization=recruiter.organization,
            resume_urn=urn,
            source="amocrm",
            contacts={"name": name, "phones": ["+79990001122"], "emails": []},
        )
    page = sites.get(
        "/recruiting/contacts/", {"urn": [first, second], "card": "3"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert '<strong class="card-name" id="card-name-3" hx-swap-oob="true">Петров Пётр</strong>' in (
        page
    )
