"""A merged card is one person: one deal, whichever of its resumes is taken."""

from __future__ import annotations

import pytest

from core import errors
from core.models import User
from recruiting.models import Application
from recruiting.services.applications import application_create
from recruiting.services.contacts import contacts_open
from recruiting.tests.applications_support import candidate
from recruiting.tests.contacts_support import hh_urn, sj_urn
from sandbox.subsystem_models import AmoLead, TrackerIssue

pytestmark = pytest.mark.django_db(transaction=True)

HH, SJ = "urn:hh:abc123", "urn:sj:777"


def test_taking_another_resume_of_a_merged_card_is_refused(recruiter, colleague, amo):
    application_create(
        recruiter=recruiter, candidate=candidate(SJ), subsystem="amocrm", card_urns=[HH, SJ]
    )
    with pytest.raises(errors.AlreadyExists) as exc:
        application_create(
            recruiter=colleague, candidate=candidate(HH), subsystem="amocrm", card_urns=[HH, SJ]
        )
    assert "anna" in exc.value.message
    assert AmoLead.objects.count() == 1 and Application.objects.count() == 1


def test_take_page_refuses_the_second_resume_of_a_card_and_hides_the_form(
    sites, recruiter, tracker, organization, client
):
    hh, sj = hh_urn(), sj_urn()
    contacts_open(recruiter=recruiter, urn=hh)
    contacts_open(recruiter=recruiter, urn=sj)
    first = sites.post(
        "/recruiting/take/create/",
        {"urn": sj, "card_urn": [hh, sj], "subsystem": "tracker", "target": "HIRE", "card": "1"},
    )
    assert first.status_code == 200
    boris = User.objects.create_user(username="boris", organization=organization)
    client.force_login(boris)
    page = client.post(
        "/recruiting/take/create/",
        {"urn": hh, "card_urn": [hh, sj], "subsystem": "tracker", "target": "HIRE", "card": "1"},
    )
    assert page.status_code == 409 and "anna" in page.content.decode()
    assert TrackerIssue.objects.count() == 1
    form = client.get("/recruiting/take/", {"urn": [hh, sj], "card": "1"}).content.decode()
    assert "take-form" not in form and "anna" in form
