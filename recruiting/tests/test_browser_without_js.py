"""A recruiter in a real browser with JavaScript switched off: the card's panels
open as pages, and the merged card's contacts and take into Tracker still work."""

from __future__ import annotations

import pytest

from recruiting.tests.conftest import connect, log_in
from sandbox.subsystem_models import TrackerIssue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_open_contacts_from_superjob_and_take_into_tracker_without_javascript(
    live_server, browser, client, recruiter, tracker, emulators
):
    client.force_login(recruiter)
    connect(client, "hh")
    connect(client, "sj")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    base = live_server.url
    log_in(page, base, "/recruiting/search/")
    page.fill("input[name=text]", "разработчик")
    page.click("#search-form button[type=submit]")
    page.locator("article.resume-card.merged").first.locator("button.open-contacts").click()
    page.wait_for_url(f"{base}/recruiting/contacts/?*")
    page.locator("button.open-from[data-site=sj]").click()
    name = page.locator(".contact-name")
    assert name.inner_text().strip() not in ("", "—")
    page.locator(".contacts-box button.take-into-work").click()
    page.wait_for_url(f"{base}/recruiting/take/?*")
    form = page.locator("form.take-form[data-subsystem=tracker]")
    form.locator("select[name=target]").select_option("HIRE")
    form.locator("button[type=submit]").click()
    assert "anna" in page.locator(".take-result mark.application-status").inner_text()
    assert TrackerIssue.objects.get().queue == "HIRE"
    page.locator("a.back-link").click()
    card = page.locator("article.resume-card", has=page.locator("mark.application-status"))
    assert "anna" in card.locator("header mark.application-status").inner_text()
    page.screenshot(path="test-results/taken-without-javascript.png", full_page=True)
    context.close()
