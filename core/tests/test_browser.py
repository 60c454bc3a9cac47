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


def test_demo_admin_lands_in_the_admin_and_is_told_the_search_is_for_recruiters(live_server, page):
    demo.seed()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", "admin-demo")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/recruiting/search/")
    assert page.get_by_role("heading", name="Доступ запрещён").is_visible()
    assert page.get_by_text("Эти страницы — для рекрутеров").is_visible()
    assert page.get_by_role("link", name="Поиск").count() == 0
    page.screenshot(path="test-results/recruiters-only.png", full_page=True)


def test_an_address_with_a_nul_character_gets_the_products_400_page(live_server, page):
    response = page.goto(f"{live_server.url}/freelancers/?q=a%00b")
    assert response is not None and response.status == 400
    assert page.get_by_role("heading", name="Неверный запрос").is_visible()
    assert page.get_by_role("button", name="На главную").is_visible()
    page.screenshot(path="test-results/bad-request.png", full_page=True)
