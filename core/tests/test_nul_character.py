"""A NUL character in an address is a bad request, on every page.

PostgreSQL refuses NUL in a query, so any view that looks a part of its
address up answered 500 there (CI runs this on PostgreSQL too).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/freelancers/photos/a%00b.jpg",  # public: no sign-in
        "/freelancers/?q=a%00b",
        "/admin/django_q/success/a%00b/change/",
        "/admin/freelancers/freelancercard/?q=a%00",
    ],
)
def test_a_nul_character_in_the_address_is_400(client, admin_user, url):
    client.force_login(admin_user)
    assert client.get(url).status_code == 400


def test_a_percent_sign_that_is_no_nul_passes(client):
    assert client.get("/freelancers/?q=100%25").status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/resumes/urn:hh:a%00b", "/api/v1/applications?q=a%00b"])
def test_the_api_answers_its_own_invalid_argument(recruiter_api_client, url):
    response = recruiter_api_client.get(url)
    assert response.status_code == 400 and response.json()["code"] == "INVALID_ARGUMENT"
