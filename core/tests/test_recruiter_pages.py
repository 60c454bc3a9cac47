"""The recruiting pages are a recruiter's; the 400 and 403 pages speak the reader's language."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission

from core.models import User
from freelancers.tests.test_cabinet import account
from freelancers.tests.test_catalogue import listed

pytestmark = pytest.mark.django_db

RECRUITING = [
    "/recruiting/search/",
    "/recruiting/applications/",
    "/recruiting/applications/export.csv",
    "/recruiting/sites/",
    "/recruiting/sites/hh/connect/",
]


@pytest.fixture
def freelancer_client(client, db):
    from django.utils import timezone

    client.force_login(account(listed(777, timezone.localdate())))
    return client


@pytest.mark.parametrize("url", RECRUITING)
def test_a_freelancers_account_is_refused_the_recruiting_pages(freelancer_client, url):
    response = freelancer_client.get(url)
    assert response.status_code == 403
    assert "для рекрутеров" in response.content.decode()


def test_a_freelancer_sees_no_recruiting_links_and_lands_in_the_cabinet(freelancer_client):
    page = freelancer_client.get("/freelancers/").content.decode()
    assert "/recruiting/search/" not in page and "/freelancers/me/" in page
    assert freelancer_client.get("/")["Location"] == "/freelancers/me/"


def test_staff_without_an_organization_lands_in_the_admin(admin_client):
    assert admin_client.get("/")["Location"] == "/admin/"
    assert admin_client.get("/recruiting/search/").status_code == 403


def test_a_recruiter_keeps_the_pages(client, recruiter):
    client.force_login(recruiter)
    assert client.get("/recruiting/search/").status_code == 200
    assert "/recruiting/search/" in client.get("/freelancers/").content.decode()


def test_the_403_page_says_why_in_the_readers_language(client):
    staff = User.objects.create_user(username="viewer", password="pw-viewer-1234", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_jobrun"))
    client.force_login(staff)
    response = client.post("/admin/core/jobrun/run/jobruns_prune/")
    assert response.status_code == 403 and "Доступ запрещён" in response.content.decode()
    client.cookies["django_language"] = "en"
    assert "Access denied" in client.post("/admin/core/jobrun/run/jobruns_prune/").text


def test_the_400_page_is_the_products_own(client):
    response = client.get("/freelancers/?q=a%00b")
    assert response.status_code == 400 and "Неверный запрос" in response.content.decode()


@pytest.mark.parametrize(
    ("model", "action", "view"),
    [
        ("freelancers.Freelancer", "sync_certificates", "view_freelancer"),
        ("recruiting.Application", "poll_now", "view_application"),
        ("recruiting.SubsystemConnection", "poll_now", "view_subsystemconnection"),
        ("recruiting.SubsystemConnection", "check_connection", "view_subsystemconnection"),
    ],
)
def test_an_action_that_runs_a_jobs_work_needs_more_than_viewing(rf, model, action, view):
    """As "Run now" does: staff who may only look are offered (and run) none."""
    staff = User.objects.create_user(username="viewer", password="pw-viewer-1234", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename=view))
    model_admin = admin.site._registry[apps.get_model(model)]
    request = rf.get("/admin/")
    request.user = User.objects.get(pk=staff.pk)
    assert action not in model_admin.get_actions(request)

    staff.user_permissions.add(Permission.objects.get(codename="run_job"))
    staff.user_permissions.add(Permission.objects.get(codename=view.replace("view_", "change_")))
    request.user = User.objects.get(pk=staff.pk)
    assert action in model_admin.get_actions(request)
