"""The search page's rough edges in a real browser, against the emulators:
the loading indicator, the badge after taking, a card open on the site taken
at once, strict orders across pages, and the admin's job counters."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import Locator, Page, expect

from core.jobs import job_run
from core.models import JobRun, User
from recruiting.tests.conftest import connect, log_in
from sandbox.faults import set_faults
from sandbox.subsystem_models import AmoLead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def search(page: Page, text: str = "разработчик", order: str = "") -> Locator:
    page.fill("input[name=text]", text)
    if order:
        page.select_option("select[name=order]", order)
    page.click("#search-form button[type=submit]")
    results = page.locator("#results")
    expect(results.locator("article.resume-card").first).to_be_visible()
    return results


def cards_data(results: Locator, attribute: str) -> list[str]:
    return results.locator("article.resume-card").evaluate_all(
        f"cards => cards.map(c => c.getAttribute('{attribute}'))"
    )


def next_page(page: Page, results: Locator, number: int) -> None:
    page.click("#next-page")
    expect(results.locator(".pager span")).to_contain_text(str(number))


@pytest.fixture
def searching(live_server, page, client, recruiter, emulators) -> Page:
    """The recruiter on the search page with both job sites connected."""
    from recruiting.services.job_runs import currency_rates_refresh_run

    client.force_login(recruiter)
    connect(client, "hh")
    connect(client, "sj")
    # The rates job has run, as its schedule does at start-up: salaries in
    # other currencies rank (and show) in roubles.
    currency_rates_refresh_run(trigger=JobRun.Trigger.COMMAND)
    log_in(page, live_server.url, "/recruiting/search/")
    return page


def test_loading_indicator_shows_while_a_slow_site_answers_and_hides_after(searching):
    page = searching
    busy = page.locator("#search-busy")
    expect(busy).to_be_hidden()
    set_faults("hh", latency_ms=1500)
    page.fill("input[name=text]", "разработчик")
    page.click("#search-form button[type=submit]")
    expect(busy).to_be_visible()
    expect(page.locator("#results article.resume-card").first).to_be_visible(timeout=15_000)
    expect(busy).to_be_hidden()
    hh_time = page.locator("li.site-status[data-site=hh] .site-time")
    assert int("".join(ch for ch in hh_time.inner_text() if ch.isdigit())) >= 1500
    page.screenshot(path="test-results/search-page.png", full_page=True)


def test_badge_after_taking_into_amocrm_names_the_stage_and_links_the_deal(searching, amo):
    amo.status_id = None  # the default pipeline's first stage: the site names it, we do not
    amo.save(update_fields=["status_id"])
    page = searching
    results = search(page)
    card = results.locator("article.resume-card:not(:has(mark.contacts-open))").first
    card.locator("button.open-contacts").click()
    page.once("dialog", lambda dialog: dialog.accept())
    card.locator("button.open-from").first.click()
    card.locator(".contacts-box button.take-into-work").click()
    form = card.locator("form.take-form[data-subsystem=amocrm]")
    form.locator("button[type=submit]").click()
    badge = card.locator("header mark.application-status")
    expect(badge).to_be_visible()
    # "в работе: <stage> · anna (amoCRM)": the stage between ": " and " · " is never empty.
    stage = badge.inner_text().split(":", 1)[1].split("·", 1)[0].strip()
    assert stage, badge.inner_text()
    lead = AmoLead.objects.get()
    expect(card.locator("header a.external-link")).to_have_attribute(
        "href", f"https://acme.amocrm.ru/leads/detail/{lead.pk}"
    )


def test_card_open_on_the_site_is_taken_at_once(searching, tracker):
    page = searching
    results = search(page)
    opened = results.locator("article.resume-card:has(mark.contacts-open)")
    for number in range(2, 8):  # about one resume in ten is open for the employer
        if opened.count():
            break
        next_page(page, results, number)
    card = opened.first
    card.locator("button.take-into-work").first.click()
    form = card.locator("form.take-form[data-subsystem=tracker]")
    expect(form).to_be_visible()  # no "open the contacts first"
    form.locator("select[name=target]").select_option("HIRE")
    form.locator("button[type=submit]").click()
    expect(card.locator("header mark.application-status")).to_contain_text("anna")
    expect(card.locator("header a.external-link")).to_have_attribute(
        "href", "https://tracker.yandex.ru/HIRE-1"
    )


def test_date_order_is_strict_across_pages(searching):
    page = searching
    results = search(page, order="updated")
    dates = cards_data(results, "data-updated")
    next_page(page, results, 2)
    dates += cards_data(results, "data-updated")
    moments = [datetime.fromisoformat(d) for d in dates]
    assert len(moments) > 20 and moments == sorted(moments, reverse=True)


# The hh.ru emulator shows a foreign salary rounded to 10 units but sorts by the
# figure before rounding, so two hh.ru pages may disagree with our conversion
# by that rounding (well under 0.5%); in roubles the order is exact.
FOREIGN_ROUNDING = 0.005


def test_salary_order_is_strict_across_pages(searching):
    page = searching
    results = search(page, order="salary")
    salaries = cards_data(results, "data-salary-rub")
    currencies = cards_data(results, "data-salary-currency")
    next_page(page, results, 2)
    salaries += cards_data(results, "data-salary-rub")
    currencies += cards_data(results, "data-salary-currency")
    known = [(float(s), c) for s, c in zip(salaries, currencies, strict=True) if s]
    # Cards without a salary come after every card with one.
    assert all(salaries[: len(known)]) and not any(salaries[len(known) :])
    assert len(known) > 20
    for (higher, a), (lower, b) in zip(known, known[1:], strict=False):
        slack = higher * FOREIGN_ROUNDING if {a, b} != {"RUB"} else 0
        assert lower <= higher + slack, (higher, a, lower, b)


def test_admin_job_page_shows_counters_as_labelled_values(live_server, page):
    User.objects.create_superuser(username="root", password="pw-root-12345")
    with job_run("jobruns_prune", trigger=JobRun.Trigger.COMMAND) as run:
        run.set("runs_deleted", 7)
        run.set("kept", 3)
    record = JobRun.objects.get()
    page.goto(f"{live_server.url}/accounts/login/?next=/admin/core/jobrun/{record.pk}/change/")
    page.fill("input[name=login]", "root")
    page.fill("input[name=password]", "pw-root-12345")
    page.click("main form button[type=submit]")
    counter = page.locator("span.counter[data-counter=runs_deleted]")
    expect(counter).to_have_text("runs deleted: 7")
    expect(page.locator("span.counter[data-counter=kept]")).to_have_text("kept: 3")
    page.goto(f"{live_server.url}/admin/core/jobrun/")
    expect(page.locator("span.counter[data-counter=runs_deleted]").first).to_have_text(
        "runs deleted: 7"
    )
    assert "{" not in page.locator("#result_list").inner_text()  # no raw JSON
