"""A person logs in through a real browser and finds their way around."""

from __future__ import annotations

import pytest

from core import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_recruiter_logs_in_and_sees_the_navigation(live_server, page):
    demo.seed()
    page.goto(f"{live_server.url}/recruiting/search/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=login]", "recruiter")
    page.fill("input[name=password]", "recruiter-demo")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/recruiting/search/")
    nav = page.locator("nav")
    for label in ("Поиск", "Работные сайты", "Фрилансеры"):
        assert nav.get_by_role("link", name=label).is_visible()
    assert nav.get_by_role("link", name="Админка").count() == 0
    page.screenshot(path="test-results/logged-in.png", full_page=True)
