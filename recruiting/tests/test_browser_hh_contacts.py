"""Opening hh.ru contacts from a search result, in a real browser, in each
contact form hh.ru documents (the emulator's SANDBOX_HH_CONTACT_FORM)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.phones import phone_display, phone_e164
from recruiting.tests.conftest import connect, log_in
from sandbox.emulators.hh import hides_all, hides_phones
from sandbox.emulators.people import by_resume_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shown_phone(phone: str) -> str:
    """The phone as a page shows it whichever form carried it (`contact_value`
    as written, or the older form's `formatted`): one international format."""
    return phone_display(phone_e164(phone) or phone)


@pytest.mark.parametrize("form", ["current", "legacy"])
def test_opening_hh_contacts_shows_the_real_phone_and_email(
    live_server, page, client, recruiter, emulators, settings, form
):
    settings.SANDBOX_HH_CONTACT_FORM = form
    client.force_login(recruiter)
    connect(client, "hh")
    log_in(page, live_server.url, "/recruiting/search/")
    page.fill("input[name=text]", "разработчик")
    page.click("#search-form button[type=submit]")
    cards = page.locator("#results article.resume-card")
    expect(cards.first).to_be_visible()
    hh = by_resume_id("hh")
    card, person = None, None
    for i in range(cards.count()):
        urn = cards.nth(i).locator("li[data-urn]").first.get_attribute("data-urn") or ""
        p = hh.get(urn.removeprefix("urn:hh:"))
        if p and not (p.hh_open or hides_all(p.index) or hides_phones(p.index)):
            card, person = cards.nth(i), p
            break
    assert card is not None and person is not None, "no closed hh.ru card on the first page"

    card.locator("button.open-contacts").click()
    page.once("dialog", lambda dialog: dialog.accept())  # a paid opening asks first
    card.locator("button.open-from[data-site=hh]").click()
    expect(card.locator(".contact-phones")).to_contain_text(shown_phone(person.phone))
    tel = card.locator(".contact-phones a").first
    expect(tel).to_have_attribute("href", f"tel:{phone_e164(person.phone)}")
    expect(card.locator(".contact-emails")).to_contain_text(person.email)
    expect(card.locator(".contact-name")).to_contain_text(person.last_name)
