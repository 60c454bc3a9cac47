"""Login, navigation, languages, error pages and the process health check."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_product_pages_need_a_login(client):
    response = client.get("/recruiting/search/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/recruiting/search/")


def test_public_catalogue_needs_no_login(client):
    assert client.get("/freelancers/").status_code == 200


def test_login_page_is_russian_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'lang="ru"' in response.text
    assert "Войти" in response.text


@pytest.mark.parametrize("login", ["anna", "anna@example.com"])
def test_recruiter_logs_in_with_username_or_email(client, recruiter, login):
    response = client.post("/accounts/login/", {"login": login, "password": "pw-anna-12345"})
    assert response.status_code == 302
    page = client.get("/recruiting/search/")
    assert page.status_code == 200
    for link in ("/recruiting/search/", "/recruiting/sites/", "/freelancers/"):
        assert f'href="{link}"' in page.text
    assert "/admin/" not in page.text  # recruiters are not staff


def test_wrong_password_is_refused(client, recruiter):
    response = client.post("/accounts/login/", {"login": "anna", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_staff_sees_the_admin_link(admin_client):
    assert 'href="/admin/"' in admin_client.get("/recruiting/search/").text


def test_nobody_can_sign_up(client):
    from core.models import User

    data = {
        "username": "x",
        "email": "x@x.x",
        "password1": "Xx-12345678",
        "password2": "Xx-12345678",
    }
    client.post("/accounts/signup/", data)
    assert not User.objects.filter(username="x").exists()


def test_password_reset_page_is_served(client):
    assert client.get("/accounts/password/reset/").status_code == 200


def test_logout_ends_the_session(client, recruiter):
    client.force_login(recruiter)
    client.post("/accounts/logout/")
    assert client.get("/recruiting/search/").status_code == 302


def test_english_can_be_chosen(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = client.get("/accounts/login/")
    assert 'lang="en"' in page.text and "Sign In" in page.text


def test_unknown_url_gets_the_styled_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "pico.min.css" in response.text
    assert "Страница не найдена" in response.text


@pytest.mark.urls("core.tests.urls")
def test_crash_gets_the_styled_500_without_a_trace(client, recruiter):
    client.force_login(recruiter)
    client.raise_request_exception = False
    response = client.get("/test/crash/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "pico.min.css" in body and "У нас что-то сломалось" in body
    assert "boom" not in body and "Traceback" not in body


@pytest.mark.urls("core.tests.urls")
def test_an_external_failure_is_a_plain_words_page_not_a_500(client, recruiter):
    client.force_login(recruiter)
    response = client.get("/test/unavailable/")
    assert response.status_code == 503
    assert "hh.ru не отвечает" in response.text and "pico.min.css" in response.text


@pytest.mark.urls("core.tests.urls")
def test_an_error_page_heads_with_a_translated_title_by_code(client, recruiter, russian_catalogue):
    russian_catalogue({"Access denied": "Нет доступа"})
    client.force_login(recruiter)
    page = client.get("/test/denied/").text
    assert "<h1>Нет доступа</h1>" in page
    assert '<p class="error-message">Ошибка доступа</p>' in page
    fragment = client.get("/test/denied/", HTTP_HX_REQUEST="true").text
    assert "<strong>Нет доступа</strong>" in fragment and "Ошибка доступа" in fragment


@pytest.mark.urls("core.tests.urls")
def test_a_service_error_answers_json_to_json_clients(client, recruiter):
    client.force_login(recruiter)
    response = client.get("/test/denied/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json() == {
        "code": "PERMISSION_DENIED",
        "message": "Ошибка доступа",
        "details": {},
    }


@pytest.mark.parametrize(
    ("language", "message"), [("en", "database reachable"), ("ru", "база данных доступна")]
)
def test_health_reports_the_database_reachable_in_the_readers_language(
    client, settings, language, message
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "OK", "message": message}


def test_admin_is_served_to_staff(admin_client):
    assert admin_client.get("/admin/").status_code == 200
    assert admin_client.get("/admin/core/jobrun/").status_code == 200
    assert "jobruns_prune" in admin_client.get("/admin/core/jobrun/").text


def test_admin_run_now_queues_the_job(admin_client):
    from django_q.models import OrmQ

    response = admin_client.post("/admin/core/jobrun/run/jobruns_prune/")
    assert response.status_code == 302
    assert OrmQ.objects.count() == 1


def test_russian_stays_the_default_for_an_english_browser(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="ru"' in page.text


def test_recruiter_of_an_inactive_organization_cannot_log_in(client, recruiter):
    recruiter.organization.is_active = False
    recruiter.organization.save(update_fields=["is_active"])
    client.post("/accounts/login/", {"login": "anna", "password": "pw-anna-12345"})
    assert "_auth_user_id" not in client.session


def test_a_non_staff_user_without_organization_cannot_log_in(client, db):
    from core.models import User

    User.objects.create_user(username="loner", password="pw-loner-12345")
    client.post("/accounts/login/", {"login": "loner", "password": "pw-loner-12345"})
    assert "_auth_user_id" not in client.session


def test_staff_without_organization_logs_in_to_the_admin(client, admin_user):
    to_login = client.get("/admin/login/?next=/admin/")
    assert to_login.status_code == 302 and to_login["Location"].startswith("/accounts/login/")
    response = client.post(to_login["Location"], {"login": "admin", "password": "password"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_keeps_the_failed_login_limit(client, admin_user, settings):
    """Django's own admin form let anyone guess a staff password without limit."""
    from django.core.cache import cache

    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,3/5m/key"}
    try:
        for _ in range(3):
            client.post("/accounts/login/", {"login": "admin", "password": "wrong"})
        client.post("/admin/login/", {"username": "admin", "password": "password"})
        assert client.get("/admin/").status_code == 302  # still signed out
        response = client.post("/accounts/login/", {"login": "admin", "password": "password"})
        assert "_auth_user_id" not in client.session and response.status_code != 302
    finally:
        cache.clear()  # the limit's counters: no other test inherits them


def test_run_now_needs_the_run_job_permission(client, db):
    from django.contrib.auth.models import Permission

    from core.models import User

    staff = User.objects.create_user(username="viewer", password="pw-viewer-1234", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_jobrun"))
    client.force_login(staff)
    assert client.get("/admin/core/jobrun/").status_code == 200
    assert client.post("/admin/core/jobrun/run/jobruns_prune/").status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="run_job"))
    staff = User.objects.get(pk=staff.pk)
    client.force_login(staff)
    assert client.post("/admin/core/jobrun/run/jobruns_prune/").status_code == 302


def test_a_switched_off_organizations_recruiters_are_signed_out_while_it_is_off(client, recruiter):
    client.force_login(recruiter)
    assert client.get("/recruiting/search/").status_code == 200
    recruiter.organization.is_active = False
    recruiter.organization.save(update_fields=["is_active"])
    response = client.get("/recruiting/search/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # As for a user made inactive and active again (core.auth).
    recruiter.organization.is_active = True
    recruiter.organization.save(update_fields=["is_active"])
    assert client.get("/recruiting/search/").status_code == 200


def test_job_runs_show_counters_as_labelled_values(admin_client):
    from django.utils import timezone

    from core.models import JobRun

    run = JobRun.objects.create(
        job="applications_poll",
        started_at=timezone.now(),
        status=JobRun.Status.SUCCESS,
        counters={"polled": 12, "not_found": 1},
    )
    listing = admin_client.get("/admin/core/jobrun/").content.decode()
    assert 'data-counter="polled">polled: <strong>12</strong>' in listing
    assert "not found: <strong>1</strong>" in listing and "{&quot;" not in listing
    detail = admin_client.get(f"/admin/core/jobrun/{run.pk}/change/").content.decode()
    assert "polled: <strong>12</strong>" in detail and '{"polled"' not in detail
