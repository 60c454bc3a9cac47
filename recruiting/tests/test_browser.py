"""A recruiter in a real browser: search, open contacts from a chosen site of a
merged card, take the candidate into Tracker, see the status on the card."""

from __future__ import annotations

import pytest

from recruiting.tests.conftest import connect, log_in
from sandbox.subsystem_models import TrackerIssue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_open_contacts_from_superjob_take_into_tracker(
    live_server, page, client, recruiter, tracker, emulators
):
    client.force_login(recruiter)
    connect(client, "hh")
    connect(client, "sj")
    log_in(page, live_server.url, "/recruiting/search/")
    page.fill("input[name=text]", "разработчик")
    page.click("#search-form button[type=submit]")
    card = page.locator("article.resume-card.merged").first
    card.wait_for()
    card.locator("button.open-contacts").click()
    # A paid opening asks first, saying what it costs; declining changes nothing.
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    card.locator("button.open-from[data-site=sj]").click()
    assert "SuperJob" in asked[0] and ("контакт" in asked[0] or "contact" in asked[0])
    assert card.locator(".contact-name").count() == 0
    page.once("dialog", lambda d: answer(d, True))
    card.locator("button.open-from[data-site=sj]").click()
    card.locator(".contact-name").wait_for()
    name = card.locator(".contact-name").inner_text().strip()
    assert name not in ("", "—")
    # The header names the candidate at once, and one "Take into work" is left.
    assert card.locator("header .card-name").inner_text().strip() == name
    assert card.locator("button.take-into-work").count() == 1
    card.locator(".contacts-box button.take-into-work").click()
    form = card.locator("form.take-form[data-subsystem=tracker]")
    form.locator("select[name=target]").select_option("HIRE")
    form.locator("button[type=submit]").click()
    status = card.locator("header mark.application-status")
    status.wait_for()
    assert "anna" in status.inner_text()
    assert TrackerIssue.objects.count() == 1
    page.screenshot(path="test-results/taken-into-work.png", full_page=True)
