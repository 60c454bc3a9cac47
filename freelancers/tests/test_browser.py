"""A visitor uses the catalogue in a real browser."""

from __future__ import annotations

import pytest

from freelancers.tests.test_catalogue import listed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_filters_by_certificate_kind_and_opens_a_card(page, live_server, today):
    listed(1, today, kinds=("direct",), first_name="Алексей", last_name="Директов")
    listed(
        2, today, kinds=("direct_pro",), first_name="Марина", last_name="Профи", about="Стратегии"
    )

    page.goto(f"{live_server.url}/freelancers/")
    assert page.locator("article.freelancer").count() == 2

    page.select_option("select[name=kind]", "direct_pro")
    page.locator("form.filter-bar button[type=submit]").click()
    page.wait_for_url("**kind=direct_pro**")
    assert page.locator("article.freelancer").count() == 1

    page.get_by_role("link", name="Марина Профи").click()
    page.wait_for_url("**/freelancers/*/")
    assert page.locator("h1").inner_text() == "Марина Профи"
    assert "Стратегии" in page.content()
