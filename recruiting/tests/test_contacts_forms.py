"""hh.ru contacts in either documented form reach the recruiter as real numbers."""

from __future__ import annotations

import pytest

from recruiting.services.contacts import contacts_open
from recruiting.tests.contacts_support import hh_urn
from sandbox.emulators.people import by_resume_id

pytestmark = pytest.mark.django_db(transaction=True)


def digits(value: str) -> str:
    return "".join(ch for ch in value if ch in "0123456789")


@pytest.mark.parametrize("form", ["current", "legacy"])
def test_opened_hh_contacts_show_the_real_phone_and_email_in_either_form(
    form, settings, sites, recruiter
):
    settings.SANDBOX_HH_CONTACT_FORM = form
    urn = hh_urn()
    person = by_resume_id("hh")[urn.rsplit(":", 1)[1]]
    opened = contacts_open(recruiter=recruiter, urn=urn)
    assert [digits(p) for p in opened.phones] == [digits(person.phone)]
    assert opened.emails == (person.email,)
    assert "" not in opened.phones + opened.emails
