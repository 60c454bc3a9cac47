"""SuperJob adapter at the transport level, with payloads shaped like API 2.0's."""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from core import errors
from core.tests.clock import ManualClock
from recruiting.adapters.base import JobSite, Money, Order, SearchQuery
from recruiting.adapters.superjob import DEFAULT_TOKEN_LIFETIME, SuperJobAdapter

API = "https://api.superjob.ru/2.0"
OAUTH = "https://www.superjob.ru"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "superjob"
QUERY = SearchQuery(text="менеджер", order=Order.UPDATED)


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


def make(**kwargs) -> tuple[SuperJobAdapter, list[float]]:
    slept: list[float] = []
    kwargs.setdefault("max_retries", 2)
    adapter = SuperJobAdapter(
        base_url=API,
        oauth_url=OAUTH,
        client_id="4242",
        client_secret="v3.r.app-secret",
        sleep=slept.append,
        **kwargs,
    )
    return adapter, slept


# --- search ------------------------------------------------------------------------


@responses.activate
def test_search_parses_cards_epoch_times_and_lowercase_currencies():
    responses.get(f"{API}/resumes/", json=fixture("search.json"))
    adapter, _ = make()
    page = adapter.search(access_token="tok", query=QUERY, page=0)
    assert (page.found, page.has_more) == (2, False)
    first, second = page.cards
    assert first.site is JobSite.SUPERJOB and first.urn == "urn:sj:42424242"
    assert first.title == "Менеджер по продажам"
    assert first.updated_at == datetime.fromtimestamp(1563226690, UTC)
    assert first.birth_date == date(1990, 5, 12) and first.age == 34
    assert (first.gender, first.city) == ("male", "Москва")
    assert first.salary == Money(80000, "RUB")
    assert first.graduated == 2012  # base_education_history[0].yearend
    assert (first.last_employer, first.last_position, first.education) == (
        "ООО Ромашка",
        "Менеджер",
        "МГУ",
    )
    assert not first.contacts_open and first.name is None and first.contacts is None
    # Bought contacts bring the name, phones and e-mail; a hidden birthday stays hidden.
    assert second.contacts_open and second.name == "Сидорова Ольга Петровна"
    assert second.contacts.phones == ("+78124567890",)
    assert second.contacts.emails == ("olga@example.com",)
    assert second.birth_date is None and second.age is None and second.gender == "female"
    assert second.salary == Money(1500, "USD")


@responses.activate
def test_search_sends_app_key_bearer_keyword_paging_and_sort():
    responses.get(f"{API}/resumes/", json=fixture("search.json"))
    adapter, _ = make()
    adapter.search(access_token="tok", query=QUERY, page=2)
    request = responses.calls[0].request
    assert request.headers["X-Api-App-Id"] == "v3.r.app-secret"
    assert request.headers["Authorization"] == "Bearer tok"
    assert urlsplit(request.url).path.endswith("/resumes/")  # trailing slash
    params = parse_qs(urlsplit(request.url).query)
    assert params["keyword"] == ["менеджер"] and params["page"] == ["2"]
    assert params["count"] == ["50"]
    assert (params["order_field"], params["order_direction"]) == (["date"], ["desc"])


@responses.activate
def test_a_salary_filter_leaves_out_salary_by_agreement():
    responses.get(f"{API}/resumes/", json=fixture("search.json"))
    adapter, _ = make()
    adapter.search(access_token="tok", query=dataclasses.replace(QUERY, salary_from=100000), page=0)
    params = parse_qs(urlsplit(responses.calls[0].request.url).query)
    assert params["payment_from"] == ["100000"] and params["no_agreement"] == ["1"]
    adapter.search(access_token="tok", query=QUERY, page=0)
    assert "no_agreement" not in parse_qs(urlsplit(responses.calls[1].request.url).query)


@responses.activate
def test_search_pages_by_more_not_by_total():
    body = fixture("search.json") | {"total": 10_000, "more": False}
    responses.get(f"{API}/resumes/", json=body)
    adapter, _ = make()
    assert not adapter.search(access_token="tok", query=QUERY, page=0).has_more


@responses.activate
def test_search_depth_limit_ends_the_stream_quietly():
    body = fixture("search.json") | {"more": True}
    responses.get(f"{API}/resumes/", json=body)
    adapter, _ = make()
    assert not adapter.search(access_token="tok", query=QUERY, page=9).has_more  # 500th result
    assert adapter.search(access_token="tok", query=QUERY, page=8).has_more
    assert adapter.search(access_token="tok", query=QUERY, page=10).cards == ()
    assert len(responses.calls) == 2


@responses.activate
def test_salary_by_agreement_has_no_salary():
    body = fixture("search.json")
    body["objects"][0]["agreement"] = True
    responses.get(f"{API}/resumes/", json=body)
    adapter, _ = make()
    assert adapter.search(access_token="tok", query=QUERY, page=0).cards[0].salary is None


@responses.activate
def test_search_is_retried_after_503_and_then_succeeds():
    responses.get(f"{API}/resumes/", status=503)
    responses.get(f"{API}/resumes/", json=fixture("search.json"))
    adapter, slept = make()
    assert len(adapter.search(access_token="tok", query=QUERY, page=0).cards) == 2
    assert len(responses.calls) == 2 and len(slept) == 1


@responses.activate
def test_search_timeout_is_deadline_exceeded():
    responses.get(f"{API}/resumes/", body=requests.exceptions.ReadTimeout("slow"))
    adapter, _ = make(max_retries=0)
    with pytest.raises(errors.DeadlineExceeded):
        adapter.search(access_token="tok", query=QUERY, page=0)


@pytest.mark.parametrize(
    ("status", "reason"),
    [(401, "revoked"), (410, "expired")],
)
@responses.activate
def test_invalid_or_expired_token_is_unauthenticated(status, reason):
    responses.get(f"{API}/resumes/", status=status, json=fixture("error_token.json"))
    adapter, _ = make()
    with pytest.raises(errors.Unauthenticated) as caught:
        adapter.search(access_token="tok", query=QUERY, page=0)
    assert caught.value.details["reason"] == reason
    assert len(responses.calls) == 1


@responses.activate
def test_blocked_employer_is_permission_denied_with_the_reason():
    responses.get(f"{API}/resumes/", status=403, json=fixture("error_blocked.json"))
    adapter, _ = make()
    with pytest.raises(errors.PermissionDenied) as caught:
        adapter.search(access_token="tok", query=QUERY, page=0)
    assert caught.value.details["reasons"] == ["client_blocked"]


@responses.activate
def test_too_many_requests_is_resource_exhausted():
    responses.get(f"{API}/resumes/", status=429, json={"error": {"code": 429, "message": "x"}})
    adapter, slept = make(max_retries=1)
    with pytest.raises(errors.ResourceExhausted):
        adapter.search(access_token="tok", query=QUERY, page=0)
    assert len(responses.calls) == 2 and len(slept) == 1


@pytest.mark.parametrize(
    "body",
    [
        '{"objects": [{"id": ',
        '{"total": 1, "more": false}',
        '{"objects": [{"id": "not-a-number", "date_last_modified": 1}], "total": 1, "more": false}',
        '{"objects": [{"id": 1}], "total": 1, "more": false}',
        '"objects"',
    ],
)
@responses.activate
def test_malformed_search_answer_is_invalid_response(body):
    responses.get(f"{API}/resumes/", body=body, content_type="application/json")
    adapter, _ = make()
    with pytest.raises(errors.InvalidResponse):
        adapter.search(access_token="tok", query=QUERY, page=0)


# --- resume and contacts -----------------------------------------------------------


@responses.activate
def test_resume_with_bought_contacts_carries_them():
    responses.get(f"{API}/resumes/42424242/", json=fixture("resume_bought.json"))
    adapter, _ = make()
    card = adapter.resume(access_token="tok", resume_id="42424242")
    assert card.contacts_open and card.name == "Кузнецов Пётр"
    assert card.contacts.phones == ("+7 (123) 456-78-90",)


@responses.activate
def test_resume_phones_are_e164_one_per_number_and_an_invalid_one_kept(caplog):
    body = fixture("resume_bought.json")
    body["phones"] = [
        {"phone": "8 (812) 456-78-90"},
        {"phone": "+7 812 4567890"},
        {"phone": "+7 (123) 456-78-90"},
        {"phone": ""},
    ]
    responses.get(f"{API}/resumes/42424242/", json=body)
    adapter, _ = make()
    with caplog.at_level(logging.WARNING, logger="recruiting.adapters.parsing"):
        card = adapter.resume(access_token="tok", resume_id="42424242")
    assert card.contacts.phones == ("+78124567890", "+7 (123) 456-78-90")
    assert "superjob: 1 phone(s) kept as written" in caplog.text


@responses.activate
def test_hidden_resume_is_not_found_with_either_message_shape():
    responses.get(f"{API}/resumes/1/", status=404, json=fixture("error_not_found.json"))
    adapter, _ = make()
    with pytest.raises(errors.NotFound):
        adapter.resume(access_token="tok", resume_id="1")


@responses.activate
def test_opening_contacts_is_one_unretried_call():
    responses.get(f"{API}/resumes/42424242/", status=503)
    adapter, _ = make()
    with pytest.raises(errors.Unavailable):
        adapter.open_contacts(access_token="tok", resume_id="42424242")
    assert len(responses.calls) == 1


@responses.activate
def test_opening_contacts_returns_the_bought_resume():
    responses.get(f"{API}/resumes/42424242/", json=fixture("resume_bought.json"))
    adapter, _ = make()
    card = adapter.open_contacts(access_token="tok", resume_id="42424242")
    assert card.contacts_open and card.contacts.emails == ("petr@example.com",)


@responses.activate
def test_no_paid_access_to_contacts_is_permission_denied():
    body = {"error": {"code": 403, "message": "Нет доступа к базе резюме"}}
    responses.get(f"{API}/resumes/42424242/", status=403, json=body)
    adapter, _ = make()
    with pytest.raises(errors.PermissionDenied):
        adapter.open_contacts(access_token="tok", resume_id="42424242")


# --- OAuth ---------------------------------------------------------------------------


def test_authorize_url_carries_client_id_redirect_and_state():
    adapter, _ = make()
    url = adapter.authorize_url(state="st-2", redirect_uri="https://app.example/cb/sj/")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{OAUTH}/authorize/"
    assert parse_qs(parts.query) == {
        "client_id": ["4242"],
        "redirect_uri": ["https://app.example/cb/sj/"],
        "state": ["st-2"],
    }


@responses.activate
def test_code_exchange_uses_the_absolute_ttl_for_expiry():
    responses.post(f"{API}/oauth2/access_token/", json=fixture("token.json"))
    adapter, _ = make()
    pair = adapter.exchange_code(code="c0de", redirect_uri="https://app.example/cb/sj/")
    assert pair.access_token == "v3.r.137440105.aaaa"
    assert pair.refresh_token == "v3.r.137440105.bbbb"
    assert pair.expires_at == datetime.fromtimestamp(1717000000, UTC)
    form = parse_qs(responses.calls[0].request.body)
    assert form["code"] == ["c0de"] and form["client_secret"] == ["v3.r.app-secret"]
    assert responses.calls[0].request.headers["X-Api-App-Id"] == "v3.r.app-secret"


@responses.activate
def test_refresh_sends_the_refresh_token_and_returns_the_new_pair():
    responses.get(f"{API}/oauth2/refresh_token/", json=fixture("token.json"))
    adapter, _ = make()
    pair = adapter.refresh(refresh_token="old")
    assert pair.refresh_token == "v3.r.137440105.bbbb"
    params = parse_qs(urlsplit(responses.calls[0].request.url).query)
    assert params["refresh_token"] == ["old"] and params["client_id"] == ["4242"]


@responses.activate
def test_rejected_refresh_is_unauthenticated_and_never_retried():
    body = {"error": {"code": 400, "message": "invalid refresh token"}}
    responses.get(f"{API}/oauth2/refresh_token/", status=400, json=body)
    adapter, _ = make()
    with pytest.raises(errors.Unauthenticated):
        adapter.refresh(refresh_token="old")
    assert len(responses.calls) == 1


@responses.activate
def test_refresh_503_is_not_retried():
    responses.get(f"{API}/oauth2/refresh_token/", status=503)
    adapter, _ = make()
    with pytest.raises(errors.Unavailable):
        adapter.refresh(refresh_token="old")
    assert len(responses.calls) == 1


@responses.activate
def test_token_answer_without_tokens_is_invalid_response():
    responses.post(f"{API}/oauth2/access_token/", json={"ttl": 1717000000})
    adapter, _ = make()
    with pytest.raises(errors.InvalidResponse):
        adapter.exchange_code(code="c", redirect_uri="https://app.example/cb/sj/")


# --- dictionaries and quota ---------------------------------------------------------


def test_currency_rates_are_roubles_only_without_a_call():
    adapter, _ = make()
    with responses.RequestsMock() as mock:
        assert adapter.currency_rates() == {"RUB": 1.0}
        assert len(mock.calls) == 0


@responses.activate
def test_quota_checks_the_token_with_the_current_user():
    responses.get(f"{API}/user/current/", json=fixture("user_current.json"))
    adapter, _ = make()
    assert adapter.quota(access_token="tok").contacts_left is None
    assert responses.calls[0].request.headers["Authorization"] == "Bearer tok"


def test_full_resume_details_are_read_from_the_document():
    from recruiting.adapters.base import WorkPlace

    adapter, _ = make()
    details = adapter.details_from_raw(fixture("resume_bought.json"))
    assert details.experience == (
        WorkPlace("Менеджер", "ООО Ромашка", "2018-03", None, "Продажи B2B"),
    )
    assert details.education == ("МГУ 2012",)


@responses.activate
def test_relative_expiry_and_the_default_lifetime_are_dated_by_the_injected_clock():
    answer = {k: v for k, v in fixture("token.json").items() if k != "ttl"}
    responses.post(f"{API}/oauth2/access_token/", json=answer)
    responses.post(f"{API}/oauth2/access_token/", json=answer | {"expires_in": 0})
    issued = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    adapter, _ = make(clock=ManualClock(wall=issued))
    first = adapter.exchange_code(code="c0de", redirect_uri="https://app.example/cb/sj/")
    second = adapter.exchange_code(code="c0de", redirect_uri="https://app.example/cb/sj/")
    assert first.expires_at == issued + timedelta(seconds=604800)
    assert second.expires_at == issued + DEFAULT_TOKEN_LIFETIME
