"""The read of stored resumes every search page runs (written as SQL): only
the organization's rows of the URNs asked, who opened each, no resume
document, one query."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import User
from recruiting.models import Resume
from recruiting.selectors.contacts import contacts_known, resumes_by_urn

pytestmark = pytest.mark.django_db

CONTACTS = json.dumps({"name": "Иванов Иван", "phones": ["+79991234567"]}, ensure_ascii=False)


@pytest.fixture
def stored(recruiter, organization, other_organization):
    recruiter.first_name, recruiter.last_name = "Анна", "Петрова"
    recruiter.save()
    Resume.objects.create(
        organization=organization, urn="urn:hh:1", contacts=CONTACTS, opened_by=recruiter
    )
    Resume.objects.create(organization=organization, urn="urn:sj:2", contacts=CONTACTS)
    Resume.objects.create(organization=organization, urn="urn:hh:3", contacts="")  # opening
    Resume.objects.create(organization=other_organization, urn="urn:sj:4", contacts=CONTACTS)
    return organization


def test_the_organizations_rows_of_the_urns_come_with_who_opened_them(stored):
    with CaptureQueriesContext(connection) as queries:
        rows = resumes_by_urn(stored.pk, ["urn:hh:1", "urn:sj:2", "urn:hh:3", "urn:sj:4"])
        assert rows["urn:hh:1"].opened_by.get_full_name() == "Анна Петрова"
        assert rows["urn:sj:2"].opened_by is None
        assert rows["urn:hh:1"].contact_data["phones"] == ["+79991234567"]
    assert len(queries) == 1
    assert sorted(rows) == ["urn:hh:1", "urn:hh:3", "urn:sj:2"]  # not another organization's
    assert "resume" in rows["urn:hh:1"].get_deferred_fields()  # never decrypted here


def test_with_contacts_leaves_out_rows_without_them(stored):
    rows = resumes_by_urn(stored.pk, ["urn:hh:1", "urn:hh:3"], with_contacts=True)
    assert sorted(rows) == ["urn:hh:1"]
    known = contacts_known(organization_id=stored.pk, urns=["urn:hh:1", "urn:hh:3"])
    assert sorted(known) == ["urn:hh:1"] and known["urn:hh:1"].opened_by == "Анна Петрова"


def test_no_urn_reads_nothing(stored):
    with CaptureQueriesContext(connection) as queries:
        assert resumes_by_urn(stored.pk, []) == {}
    assert len(queries) == 0


def test_an_opener_without_a_full_name_is_shown_by_username(organization):
    boris = User.objects.create_user(username="boris", organization=organization)
    Resume.objects.create(
        organization=organization, urn="urn:hh:9", contacts=CONTACTS, opened_by=boris
    )
    known = contacts_known(organization_id=organization.pk, urns=["urn:hh:9"])
    assert known["urn:hh:9"].opened_by == "boris"
