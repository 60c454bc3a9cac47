"""A recruiter connects both job sites and searches them, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from recruiting.tests.conftest import log_in
from sandbox.faults import set_faults

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def connect_in_popup(page: Page, site: str) -> None:
    """Connect opens the consent page in a popup; Allow closes it and the
    opener's table shows the site connected (Disconnect appears)."""
    row = page.locator(f"tr[data-site={site}]")
    with page.expect_popup() as opened:
        row.locator("a[data-oauth-popup]").click()
    popup = opened.value
    popup.locator("#allow").click()
    expect(popup.locator("#oauth-done")).to_be_visible()
    popup.wait_for_event("close")
    expect(row.locator("form button[type=submit]")).to_be_visible()


def test_recruiter_connects_sites_searches_pages_and_sees_a_site_error(
    live_server, page, emulators, recruiter
):
    base = live_server.url
    log_in(page, base, "/recruiting/sites/")
    connect_in_popup(page, "hh")
    connect_in_popup(page, "sj")

    page.goto(f"{base}/recruiting/search/")
    page.fill("input[name=text]", "разработчик")
    page.click("#search-form button[type=submit]")
    results = page.locator("#results")
    expect(results.locator("li.site-status[data-site=hh]")).to_have_attribute("data-state", "ok")
    expect(results.locator("li.site-status[data-site=sj]")).to_have_attribute("data-state", "ok")
    expect(results.locator("article.resume-card.merged").first).to_be_visible()
    merged = results.locator("article.resume-card.merged").first
    assert merged.locator("ul.card-sites li").count() == 2
    first_page = results.locator("article.resume-card").evaluate_all(
        "cards => cards.map(c => c.dataset.key)"
    )

    page.click("#next-page")
    expect(results.locator(".pager span")).to_contain_text("2")
    second_page = results.locator("article.resume-card").evaluate_all(
        "cards => cards.map(c => c.dataset.key)"
    )
    assert second_page and not set(second_page) & set(first_page)

    page.click("#prev-page")
    expect(results.locator(".pager span")).to_contain_text("1")
    again = results.locator("article.resume-card").evaluate_all(
        "cards => cards.map(c => c.dataset.key)"
    )
    assert again == first_page

    set_faults("superjob", error_rate=1.0, error_status=503)
    page.click("#search-form button[type=submit]")
    failed = results.locator("li.site-status[data-site=sj]")
    expect(failed).to_have_attribute("data-state", "failed")
    expect(failed).to_contain_text("SuperJob")
    expect(results.locator("li.site-status[data-site=hh]")).to_have_attribute("data-state", "ok")
    expect(results.locator("article.resume-card").first).to_be_visible()
    expect(results.locator("li.site-status[data-site=hh] .site-time")).to_be_visible()

    # Every site failing: an error in words, and no endless "Next".
    set_faults("hh", error_rate=1.0, error_status=503)
    page.click("#search-form button[type=submit]")
    expect(results.locator("#every-site-failed")).to_be_visible()
    expect(results.locator("#next-page")).to_have_count(0)
    expect(page.locator("#connected-sites")).to_contain_text("hh.ru")
    expect(page.locator("#connected-sites")).to_contain_text("SuperJob")


def test_a_usd_salary_shows_its_rouble_equivalent(live_server, page, client, recruiter, emulators):
    from core.models import JobRun
    from recruiting.services.job_runs import currency_rates_refresh_run
    from recruiting.tests.conftest import connect

    client.force_login(recruiter)
    connect(client, "hh")
    # The rates job has run, as it does when its schedule is created at
    # start-up (a search on a cold cache only queues it: no worker here).
    currency_rates_refresh_run(trigger=JobRun.Trigger.COMMAND)
    log_in(page, live_server.url, "/recruiting/search/")
    page.fill("input[name=text]", "разработчик")
    page.click("#search-form button[type=submit]")
    salaries = page.locator("#results .card-salary")
    usd: list[str] = []
    for _ in range(8):  # about one hh.ru salary in 12 is in USD
        expect(salaries.first).to_be_visible()
        usd = [t for t in salaries.all_inner_texts() if "USD" in t]
        if usd:
            break
        page.click("#next-page")
        page.wait_for_load_state("networkidle")
    assert usd
    assert all("≈" in t and t.endswith("₽") for t in usd), usd
