"""A freelancer writes a new version in a real browser; a moderator accepts it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.models import User
from core.tests.queue import run_queued
from freelancers.models import Freelancer
from freelancers.tests.test_catalogue import listed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, username: str, password: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}{next_path}")


@pytest.fixture
def own(today, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    freelancer = listed(801, today, about="Старый текст", first_name="Вера", last_name="Сама")
    Freelancer.objects.filter(pk=freelancer.pk).update(
        visibility_reason={
            "code": "current",
            "certificate": "801-0",
            "kind": "direct",
            "due_on": (today + timedelta(days=100)).isoformat(),
        },
        certificates_synced_at=timezone.now(),
    )
    user = User.objects.create_user(
        username="vera", email="vera@example.com", password="pw-vera-12345"
    )
    Freelancer.objects.filter(pk=freelancer.pk).update(user=user)
    return freelancer


def test_freelancer_submits_a_version_a_moderator_accepts_it(page, live_server, own, admin_user):
    base = live_server.url
    log_in(page, base, "vera", "pw-vera-12345", "/freelancers/me/")
    assert "801-0" in page.locator("#certificates").inner_text()
    assert "801-0" in page.locator("#visibility").inner_text()

    page.get_by_role("button", name="Написать новую версию").click()
    page.wait_for_url("**/freelancers/me/card/")
    assert page.locator("textarea[name=about]").input_value() == "Старый текст"

    # A failure state: an empty text answers the form with an error, saves nothing.
    page.fill("textarea[name=about]", "")
    page.click("#card-form button[type=submit]")
    assert page.locator("small.error[data-field=about]").count() == 1
    assert own.cards.count() == 1

    page.fill("textarea[name=about]", "Новый текст <b>жирный</b>")
    page.click("#card-form button[type=submit]")
    page.wait_for_url("**/freelancers/me/")
    assert "Новый текст <b>жирный</b>" in page.locator("#pending-card").inner_text()
    assert "Старый текст" in page.locator("#public-card").inner_text()

    page.click("header form[action$='/logout/'] button")
    page.wait_for_load_state()
    admin_user.set_password("pw-admin-12345")
    admin_user.save()
    pending = own.cards.get(version=2)
    log_in(
        page,
        base,
        "admin",
        "pw-admin-12345",
        f"/admin/freelancers/freelancercard/{pending.pk}/change/",
    )
    page.click("input[name=_accept]")
    page.wait_for_url("**/admin/freelancers/cardonmoderation/")

    page.goto(f"{base}/freelancers/{own.pk}/")
    assert "Новый текст <b>жирный</b>" in page.locator("article").inner_text()
    assert run_queued() == ["freelancers.services.notices.card_decision_notify_queued"]
    assert [m.to for m in mail.outbox] == [["vera@example.com"]]
    assert "принята" in mail.outbox[0].subject


def test_recruiter_gets_no_cabinet_in_the_browser(page, live_server, recruiter):
    base = live_server.url
    page.goto(f"{base}/freelancers/me/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=login]", "anna")
    page.fill("input[name=password]", "pw-anna-12345")
    response_status = []
    page.on(
        "response",
        lambda r: response_status.append(r.status) if r.url.endswith("/freelancers/me/") else None,
    )
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert 404 in response_status
