"""The catalogue page cached for anonymous visitors: served without queries,
forgotten when what it shows changes, never crossing visitors."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client
from django.urls import reverse

from freelancers import services
from freelancers.tests.test_catalogue import URL, listed

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def without_token(response) -> str:
    body = response.content.decode()
    return body.replace(TOKEN.search(body).group(1), "")  # type: ignore[union-attr]


def test_second_anonymous_request_is_served_from_the_cache_without_queries(
    client, today, django_assert_num_queries
):
    listed(1, today, first_name="Мария", last_name="Иванова")
    first = client.get(URL, {"page": "1"})

    with django_assert_num_queries(0):
        second = client.get(URL, {"page": "1"})

    assert second.status_code == 200
    assert "Мария Иванова" in second.content.decode()
    assert without_token(second) == without_token(first)
    assert second["Cache-Control"] == "private, max-age=60"
    assert {"Cookie", "Accept-Language"} <= {v.strip() for v in second["Vary"].split(",")}


class RoundTrips(LocMemCache):
    """The memory cache, logging each call that is a round trip to Redis."""

    log: list[str] = []

    def get(self, key, default=None, version=None):
        self.log.append("get")
        return super().get(key, default, version)

    def get_many(self, keys, version=None):
        self.log.append("get_many")
        missing = object()
        found = {key: super(RoundTrips, self).get(key, missing, version) for key in keys}
        return {key: value for key, value in found.items() if value is not missing}


def test_a_cached_page_is_read_in_one_round_trip_to_the_cache(client, today, settings):
    # Every visitor pays it: with Redis, a second trip was a tenth of a page's CPU.
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.RoundTrips"}}
    listed(1, today)
    client.get(URL)
    RoundTrips.log.clear()

    assert client.get(URL).status_code == 200
    assert RoundTrips.log == ["get_many"]


def test_each_visitor_gets_their_own_csrf_token_in_the_cached_page(today):
    listed(1, today)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [first.get(URL).content.decode(), second.get(URL).content.decode()]
    tokens = [TOKEN.search(page).group(1) for page in pages]  # type: ignore[union-attr]
    assert tokens[0] != tokens[1]
    assert "catalogueCsrfTokenSlot" not in pages[1]

    # The language switcher of the cached page works for its own visitor only.
    switch = {"language": "en", "next": URL}
    assert (
        second.post("/i18n/setlang/", {**switch, "csrfmiddlewaretoken": tokens[1]}).status_code
        == 302
    )
    assert (
        first.post("/i18n/setlang/", {**switch, "csrfmiddlewaretoken": tokens[1]}).status_code
        == 403
    )


def test_cached_page_changes_after_a_moderator_accepts_a_card(
    client, today, admin_user, django_capture_on_commit_callbacks
):
    freelancer = listed(2, today, about="старое описание")
    assert "старое описание" in client.get(URL).content.decode()
    card = services.freelancer_card_create(
        freelancer=freelancer, about="новое описание", email="f@example.com", submit=True
    )
    assert "новое описание" not in client.get(URL).content.decode()  # still on moderation

    with django_capture_on_commit_callbacks(execute=True):
        services.freelancer_card_accept(card=card, moderator=admin_user)

    body = client.get(URL).content.decode()
    assert "новое описание" in body and "старое описание" not in body


def test_signed_in_user_never_gets_the_anonymous_page_and_vice_versa(client, today, admin_client):
    listed(3, today)
    log_out = reverse("account_logout")

    assert log_out not in client.get(URL).content.decode()  # cached now
    member = admin_client.get(URL)
    assert log_out in member.content.decode()
    assert "max-age" not in member.get("Cache-Control", "")
    assert log_out not in client.get(URL).content.decode()


def test_visitor_with_a_pending_message_is_not_served_the_cached_page(client, today):
    listed(4, today)
    client.get(URL)
    client.cookies["messages"] = "anything"
    assert client.get(URL).get("Cache-Control", "") != "private, max-age=60"


def test_language_switch_gives_the_page_in_that_language(client, today):
    listed(5, today)
    assert "Сертифицированные фрилансеры" in client.get(URL).content.decode()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(URL).content.decode()
    assert "Certified freelancers" in english and "Сертифицированные" not in english

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert "Сертифицированные фрилансеры" in client.get(URL).content.decode()


def test_admin_edit_of_a_region_reaches_the_cached_page(
    client, today, admin_client, django_capture_on_commit_callbacks
):
    freelancer = listed(6, today, region="Казань")
    assert "Казань" in client.get(URL).content.decode()
    change = f"/admin/freelancers/freelancer/{freelancer.pk}/change/"
    form = {
        "uid": freelancer.uid,
        "client_id": freelancer.client_id,
        "first_name": freelancer.first_name,
        "last_name": freelancer.last_name,
        "region": "Пермь",
        **{
            f"{prefix}-{name}": "0"
            for prefix in ("certificates", "cards")
            for name in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(change, form).status_code == 302
    assert "Пермь" in client.get(URL).content.decode()


@pytest.mark.django_db(transaction=True)
def test_freelancer_hidden_by_the_sync_leaves_the_cached_page(client, certification, today):
    from freelancers.models import Certificate
    from freelancers.tests.conftest import emulate

    freelancer = listed(7, today, last_name="Синхронова", kinds=())
    emulated = emulate(7, due=today + timedelta(days=30))
    services.freelancer_certificates_sync(client=certification)
    assert Certificate.objects.filter(freelancer=freelancer).exists()
    assert "Синхронова" in client.get(URL).content.decode()

    emulated.delete()
    services.freelancer_certificates_sync(client=certification)

    assert "Синхронова" not in client.get(URL).content.decode()
