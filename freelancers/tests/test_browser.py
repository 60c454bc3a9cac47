"""A visitor uses the catalogue in a real browser."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from freelancers import services
from freelancers.tests.test_cards import image_bytes
from freelancers.tests.test_catalogue import listed
from freelancers.validators import photo_reencode

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


def test_visitor_sees_the_card_photo(page, live_server, today, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    card = services.freelancer_card_create(
        freelancer=listed(3, today),
        about="С фото",
        email="p@example.com",
        photo=photo_reencode(SimpleUploadedFile("me.png", image_bytes(), "image/png")),
        submit=True,
    )
    services.freelancer_card_accept(card=card, moderator=admin_user)

    page.goto(f"{live_server.url}/freelancers/")
    photo = page.locator("article.freelancer img")
    photo.wait_for()
    # Loaded and decoded through the guarded view, not a broken image: wait
    # for the load to end (the element is in the page before its bytes are).
    page.wait_for_function("img => img.complete", arg=photo.element_handle())
    assert photo.evaluate("img => img.naturalWidth") > 0
