"""The admin answers bad parameters with 400/404 or a form error, never 500."""

from __future__ import annotations

import pytest

from core.numbers import parse_int
from freelancers.tests.conftest import make_freelancer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("42", 42),
        ("²", None),
        ("١٢", None),
        ("-1", None),
        (" 1", None),
        ("1\n", None),
        ("", None),
        (None, None),
        ("abc", None),
    ],
)
def test_parse_int_takes_ascii_digits_only(text, number):
    assert parse_int(text) == number


def test_parse_int_refuses_numbers_past_the_bound():
    assert parse_int("9" * 30, max_value=2**63 - 1) is None


@pytest.mark.parametrize(
    "url",
    [
        "/admin/freelancers/freelancer/",
        "/admin/freelancers/freelancercard/",
        "/admin/core/jobrun/",
        "/admin/supportchat/clientfeature/",
    ],
)
@pytest.mark.parametrize("term", ["²", "١", "9" * 40])
def test_admin_search_with_a_non_ascii_digit_is_no_error(admin_client, url, term):
    assert admin_client.get(url, {"q": term}).status_code == 200


def test_card_copy_with_a_non_ascii_digit_opens_an_empty_form(admin_client):
    response = admin_client.get("/admin/freelancers/freelancercard/add/", {"copy": "²"})
    assert response.status_code == 200


@pytest.mark.parametrize("shard", ["²", "abc", "-1", "9" * 40])
def test_client_features_with_a_bad_shard_show_the_first_shard(admin_client, shard):
    response = admin_client.get("/admin/supportchat/clientfeature/", {"shard": shard})
    assert response.status_code in (200, 302)


def test_card_form_with_a_non_numeric_freelancer_is_a_form_error(admin_client):
    response = admin_client.post(
        "/admin/freelancers/freelancercard/add/", {"freelancer": "abc", "about": "x"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["freelancer"]


@pytest.mark.parametrize("copy", ["²", "abc"])
def test_card_form_with_a_bad_copy_parameter_is_no_error(admin_client, copy):
    freelancer = make_freelancer(1234)
    response = admin_client.post(
        f"/admin/freelancers/freelancercard/add/?copy={copy}",
        {"freelancer": freelancer.pk, "about": "x", "email": "a@example.com"},
    )
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("selected", ["abc", "²", "9" * 40])
@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("/admin/freelancers/freelancer/", "sync_certificates"),
        ("/admin/freelancers/cardonmoderation/", "accept_selected"),
        ("/admin/freelancers/freelancercard/", "delete_selected"),
    ],
)
def test_admin_action_on_a_bad_id_is_refused_not_an_error(admin_client, url, action, selected):
    make_freelancer(1234)
    response = admin_client.post(url, {"action": action, "_selected_action": [selected]})
    assert response.status_code == 400


def test_every_admin_of_the_project_guards_its_input():
    from django.contrib import admin

    from core.admin_input import SafeInputMixin

    ours = [
        model_admin
        for model_admin in admin.site._registry.values()
        if type(model_admin).__module__.split(".")[0] in PROJECT_APPS
    ]
    assert len(ours) > 10
    assert [type(a).__name__ for a in ours if not isinstance(a, SafeInputMixin)] == []


PROJECT_APPS = {"core", "recruiting", "freelancers", "supportchat", "sandbox"}
