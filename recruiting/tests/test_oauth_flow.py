"""Connecting job sites: the full OAuth round trip over HTTP against the emulators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from recruiting.models import Token
from recruiting.tests.conftest import connect, consent
from sandbox.faults import set_faults
from sandbox.models import OAuthToken

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("site", ["hh", "sj"])
def test_connect_round_trip_stores_tokens_and_thanks(emulators, recruiter_client, recruiter, site):
    response = connect(recruiter_client, site)
    assert response.status_code == 200
    assert "Спасибо, доступ получен" in response.content.decode()
    assert response["Referrer-Policy"] == "no-referrer"
    token = Token.objects.get(recruiter=recruiter, job_site=site)
    system = "hh" if site == "hh" else "superjob"
    issued = OAuthToken.objects.get(system=system)
    assert token.access_token == issued.access_token
    assert token.refresh_token == issued.refresh_token
    assert token.valid_until > timezone.now() + timedelta(days=6)


def test_tokens_are_encrypted_at_rest(emulators, recruiter_client, recruiter):
    connect(recruiter_client, "hh")
    token = Token.objects.get(recruiter=recruiter)
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM recruiting_token")
        raw_access, raw_refresh = cursor.fetchone()
    assert token.access_token[:8] not in raw_access and token.access_token[-8:] not in raw_access
    assert token.refresh_token[:8] not in raw_refresh
    assert raw_access.startswith("fernet:")


def test_authorize_url_has_exact_callback_and_state(emulators, recruiter_client, live_server):
    start = recruiter_client.get("/recruiting/sites/hh/connect/")
    location = start["Location"]
    assert (
        "redirect_uri="
        + f"{live_server.url}/recruiting/sites/hh/callback/".replace(":", "%3A").replace("/", "%2F")
        in location
    )
    assert "state=" in location and "response_type=code" in location


def test_denied_consent_stores_nothing(emulators, recruiter_client, recruiter):
    response = connect(recruiter_client, "hh", decision="deny")
    assert response.status_code == 403
    assert (
        "не предоставлен" in response.content.decode() or "not granted" in response.content.decode()
    )
    assert not Token.objects.exists()


def test_replayed_state_is_rejected_and_stores_nothing_new(emulators, recruiter_client, recruiter):
    start = recruiter_client.get("/recruiting/sites/hh/connect/")
    callback = consent(start["Location"])
    assert recruiter_client.get(callback).status_code == 200
    Token.objects.all().delete()
    replay = recruiter_client.get(callback)
    assert replay.status_code == 400
    assert not Token.objects.exists()


def test_state_of_one_site_is_rejected_at_the_other_sites_callback(emulators, recruiter_client):
    start = recruiter_client.get("/recruiting/sites/hh/connect/")
    callback = consent(start["Location"])
    mixed = callback.replace("/sites/hh/", "/sites/sj/")
    assert recruiter_client.get(mixed).status_code == 400
    assert not Token.objects.exists()
    assert OAuthToken.objects.count() == 0  # no exchange was attempted


def test_state_from_another_session_is_rejected(
    emulators, recruiter_client, client, django_user_model, organization
):
    start = recruiter_client.get("/recruiting/sites/hh/connect/")
    callback = consent(start["Location"])
    other = django_user_model.objects.create_user(
        "boris", password="pw-boris-12345", organization=organization
    )
    from django.test import Client

    stranger = Client()
    stranger.force_login(other)
    assert stranger.get(callback).status_code == 400
    assert not Token.objects.exists()


def test_missing_state_is_rejected(emulators, recruiter_client):
    response = recruiter_client.get("/recruiting/sites/hh/callback/?code=abc")
    assert response.status_code == 400
    assert not Token.objects.exists()


def test_failed_exchange_shows_error_and_stores_nothing(emulators, recruiter_client):
    start = recruiter_client.get("/recruiting/sites/sj/connect/")
    callback = consent(start["Location"])
    set_faults("superjob", fail_next=1, error_status=503)
    response = recruiter_client.get(callback)
    assert response.status_code == 503
    assert "SuperJob" in response.content.decode()
    assert not Token.objects.exists()


def test_unknown_site_is_404(recruiter_client):
    assert recruiter_client.get("/recruiting/sites/linkedin/connect/").status_code == 404


def test_sites_page_shows_each_state(emulators, recruiter_client, recruiter):
    connect(recruiter_client, "hh")
    page = recruiter_client.get("/recruiting/sites/").content.decode()
    assert "hh.ru" in page and "SuperJob" in page
    assert "Подключено до" in page or "Connected until" in page
    recruiter_client.post("/recruiting/sites/hh/disconnect/")
    assert not Token.objects.exists()


def test_disconnecting_revokes_the_token_at_hh(emulators, recruiter_client):
    connect(recruiter_client, "hh")
    recruiter_client.post("/recruiting/sites/hh/disconnect/")
    assert not Token.objects.exists()
    assert OAuthToken.objects.get(system="hh").revoked


def test_disconnecting_while_hh_is_down_still_disconnects(emulators, recruiter_client):
    connect(recruiter_client, "hh")
    set_faults("hh", fail_next=5, error_status=503)  # past every retry
    response = recruiter_client.post("/recruiting/sites/hh/disconnect/")
    assert response.status_code in (200, 302)
    assert not Token.objects.exists()
    assert not OAuthToken.objects.get(system="hh").revoked
