"""'My candidates' in a real browser: a candidate taken into Tracker through the
emulators is listed with its issue, filters narrow the list, the CSV opens as text."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from recruiting.services.contacts import contacts_open
from recruiting.tests.conftest import log_in
from recruiting.tests.contacts_support import hh_urn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_taken_candidate_is_listed_filtered_and_exported(
    live_server, page, sites, recruiter, tracker
):
    urn = hh_urn()
    opened = contacts_open(recruiter=recruiter, urn=urn)
    taken = sites.post("/recruiting/take/create/", {"urn": urn, "subsystem": "tracker"})
    assert taken.status_code == 200

    log_in(page, live_server.url, "/recruiting/search/")
    page.get_by_role("link", name="Мои кандидаты").click()
    row = page.locator("tr.application").first
    expect(row.locator(".candidate-name")).to_have_text(opened.name)
    expect(row.locator("a.external")).to_have_attribute("href", "https://tracker.yandex.ru/HIRE-1")
    expect(row.locator(f'a[href="/recruiting/resumes/{urn}/"]')).to_have_text("hh.ru")

    page.select_option("select[name=state]", "closed")
    page.click("#applications-filter button[type=submit]")
    expect(page.locator("p.empty")).to_be_visible()
    page.select_option("select[name=state]", "")
    page.fill("input[name=text]", opened.name.split()[0].lower())
    page.click("#applications-filter button[type=submit]")
    expect(page.locator("tr.application")).to_have_count(1)

    with page.expect_download() as download:
        page.click("a.export-csv")
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("Кандидат,Резюме,Система")
    assert opened.name in text and "HIRE-1" in text and f"/recruiting/resumes/{urn}/" in text
    page.screenshot(path="test-results/my-candidates.png", full_page=True)
