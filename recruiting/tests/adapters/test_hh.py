"""hh.ru adapter at the transport level, with payloads shaped like api.hh.ru's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from core import errors
from core.tests.clock import ManualClock
from recruiting.adapters.base import JobSite, Money, Order, SearchQuery
from recruiting.adapters.hh import HhAdapter, parse_time

API = "https://api.hh.ru"
OAUTH = "https://hh.ru"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "hh"
RESUME_ID = "ABCDEF01234567890"
QUERY = SearchQuery(text="python", order=Order.UPDATED)


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


def make(**kwargs) -> tuple[HhAdapter, list[float]]:
    slept: list[float] = []
    kwargs.setdefault("max_retries", 2)
    adapter = HhAdapter(
        base_url=API,
        oauth_url=OAUTH,
        client_id="client-1",
        client_secret="secret-1",
        sleep=slept.append,
        **kwargs,
    )
    return adapter, slept


def query_of(call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


# --- search ------------------------------------------------------------------------


@responses.activate
def test_search_parses_cards_with_hidden_names_and_converts_rur_to_rub():
    responses.get(f"{API}/resumes", json=fixture("search.json"))
    adapter, _ = make()
    page = adapter.search(access_token="tok", query=QUERY, page=0)
    assert (page.found, page.has_more) == (2, False)
    first, second = page.cards
    assert first.site is JobSite.HH and first.resume_id == RESUME_ID
    assert first.urn == f"urn:hh:{RESUME_ID}"
    assert first.name is None and not first.contacts_open
    assert (first.age, first.gender, first.city) == (31, "male", "Москва")
    assert first.salary == Money(250000, "RUB")
    assert first.updated_at == datetime(2023, 8, 4, 13, 20, 48, tzinfo=UTC)
    assert (first.last_employer, first.last_position) == ("ООО Ромашка", "Ведущий разработчик")
    assert (first.education, first.graduated) == ("МГУ им. М.В. Ломоносова", 2014)
    assert first.url == f"https://hh.ru/resume/{RESUME_ID}"
    assert first.rank == 0 and second.rank == 1
    # A card whose names show has open contacts; null area and age stay None.
    assert second.name == "Петрова Мария" and second.contacts_open
    assert (second.city, second.age, second.salary) == (None, None, Money(3000, "USD"))


@responses.activate
def test_search_sends_user_agent_bearer_order_and_paging():
    responses.get(f"{API}/resumes", json=fixture("search.json"))
    adapter, _ = make()
    query = SearchQuery(text="python", region="msk", salary_from=100, order=Order.SALARY)
    adapter.search(access_token="tok", query=query, page=3)
    request = responses.calls[0].request
    assert request.headers["Authorization"] == "Bearer tok"
    assert request.headers["User-Agent"]
    params = query_of(responses.calls[0])
    assert params["order_by"] == ["salary_desc"]
    assert params["page"] == ["3"] and params["per_page"] == ["50"]
    assert params["currency"] == ["RUR"] and params["salary_from"] == ["100"]
    assert params["label"] == ["only_with_salary"]  # else resumes without salary come too
    assert "area" in params


@responses.activate
def test_search_past_the_2000_result_window_ends_the_stream_without_a_call():
    adapter, _ = make()
    page = adapter.search(access_token="tok", query=QUERY, page=40)  # 41 x 50 > 2000
    assert page.cards == () and not page.has_more
    assert len(responses.calls) == 0


@responses.activate
def test_search_stops_asking_before_the_window_even_when_pages_remain():
    body = fixture("search.json") | {"found": 5000, "pages": 100, "page": 38}
    responses.get(f"{API}/resumes", json=body)
    adapter, _ = make()
    assert not adapter.search(access_token="tok", query=QUERY, page=39).has_more
    assert adapter.search(access_token="tok", query=QUERY, page=38).has_more


@responses.activate
def test_search_is_retried_after_503_and_then_succeeds():
    responses.get(f"{API}/resumes", status=503, body="<html>Service Unavailable</html>")
    responses.get(f"{API}/resumes", json=fixture("search.json"))
    adapter, slept = make()
    page = adapter.search(access_token="tok", query=QUERY, page=0)
    assert len(page.cards) == 2
    assert len(responses.calls) == 2 and len(slept) == 1


@responses.activate
def test_search_503_with_a_non_json_body_after_retries_is_unavailable():
    responses.get(f"{API}/resumes", status=503, body="<html>oops</html>")
    adapter, _ = make(max_retries=1)
    with pytest.raises(errors.Unavailable) as caught:
        adapter.search(access_token="tok", query=QUERY, page=0)
    assert not isinstance(caught.value, errors.InvalidResponse)
    assert len(responses.calls) == 2


@responses.activate
def test_search_read_timeout_is_deadline_exceeded():
    responses.get(f"{API}/resumes", body=requests.exceptions.ReadTimeout("slow"))
    adapter, _ = make(max_retries=1)
    with pytest.raises(errors.DeadlineExceeded):
        adapter.search(access_token="tok", query=QUERY, page=0)
    assert len(responses.calls) == 2  # a GET is retried once, then given up


@responses.activate
def test_search_refused_connection_is_unavailable():
    responses.get(f"{API}/resumes", body=requests.exceptions.ConnectionError("refused"))
    adapter, _ = make(max_retries=0)
    with pytest.raises(errors.Unavailable):
        adapter.search(access_token="tok", query=QUERY, page=0)


@responses.activate
def test_expired_token_is_unauthenticated_with_reason_expired():
    responses.get(f"{API}/resumes", status=403, json=fixture("error_token_expired.json"))
    adapter, _ = make()
    with pytest.raises(errors.Unauthenticated) as caught:
        adapter.search(access_token="tok", query=QUERY, page=0)
    assert caught.value.details["reason"] == "expired"
    assert caught.value.details["errors"] == ["oauth/token_expired"]
    assert len(responses.calls) == 1  # a 403 is never retried


@responses.activate
def test_revoked_token_in_either_spelling_is_unauthenticated_with_reason_revoked():
    responses.get(f"{API}/resumes", status=403, json=fixture("error_token_revoked.json"))
    responses.get(f"{API}/resumes", status=403, json={"oauth_error": "token-revoked"})
    adapter, _ = make()
    for _ in range(2):
        with pytest.raises(errors.Unauthenticated) as caught:
            adapter.search(access_token="tok", query=QUERY, page=0)
        assert caught.value.details["reason"] == "revoked"


@responses.activate
def test_paid_access_missing_is_permission_denied_not_a_token_problem():
    body = {"errors": [{"type": "api_access_payment", "value": "action_must_be_payed"}]}
    responses.get(f"{API}/resumes", status=403, json=body)
    adapter, _ = make()
    with pytest.raises(errors.PermissionDenied) as caught:
        adapter.search(access_token="tok", query=QUERY, page=0)
    assert caught.value.details["errors"] == ["api_access_payment/action_must_be_payed"]


@responses.activate
def test_401_without_a_body_is_unauthenticated():
    responses.get(f"{API}/resumes", status=401, body="")
    adapter, _ = make()
    with pytest.raises(errors.Unauthenticated):
        adapter.search(access_token="tok", query=QUERY, page=0)


@responses.activate
def test_daily_search_limit_429_is_resource_exhausted_after_honouring_retry_after():
    body = {"errors": [{"type": "resumes", "value": "daily_resume_search_limit_exceeded"}]}
    responses.get(f"{API}/resumes", status=429, json=body, headers={"Retry-After": "2"})
    adapter, slept = make(max_retries=1)
    with pytest.raises(errors.ResourceExhausted) as caught:
        adapter.search(access_token="tok", query=QUERY, page=0)
    assert slept == [2.0]
    assert caught.value.details["errors"] == ["resumes/daily_resume_search_limit_exceeded"]


@responses.activate
def test_bad_argument_400_is_invalid_argument():
    responses.get(f"{API}/resumes", status=400, json=fixture("error_bad_argument.json"))
    adapter, _ = make()
    with pytest.raises(errors.InvalidArgument):
        adapter.search(access_token="tok", query=QUERY, page=0)


@pytest.mark.parametrize(
    "body",
    [
        '{"items": [{"id": ',  # truncated
        '{"found": 1, "pages": 1}',  # no items
        '{"found": 1, "pages": 1, "items": [{"id": "x"}]}',  # item without updated_at
        '{"found": 1, "pages": 1, "items": [{"id": "x", "updated_at": "yesterday"}]}',
        # a date alone, or a time without its offset, is not an hh timestamp
        '{"found": 1, "pages": 1, "items": [{"id": "x", "updated_at": "2023-08-04"}]}',
        '{"found": 1, "pages": 1, "items": [{"id": "x", "updated_at": "2023-08-04T16:20:48"}]}',
        '{"found": 1, "pages": 1, "items": [{"id": "x", "updated_at": 1691155248}]}',
        "[]",
    ],
)
@responses.activate
def test_malformed_search_answer_is_invalid_response(body):
    responses.get(f"{API}/resumes", body=body, content_type="application/json")
    adapter, _ = make()
    with pytest.raises(errors.InvalidResponse):
        adapter.search(access_token="tok", query=QUERY, page=0)


def test_hh_timestamps_with_or_without_a_colon_in_the_offset_are_read():
    assert parse_time("2023-08-04T16:20:48+0300") == datetime(2023, 8, 4, 13, 20, 48, tzinfo=UTC)
    assert parse_time("2023-08-04T16:20:48-03:30") == datetime(2023, 8, 4, 19, 50, 48, tzinfo=UTC)


# --- resume and contacts --------------------------------------------------------------


@responses.activate
def test_full_resume_without_open_contacts_has_no_names():
    responses.get(f"{API}/resumes/{RESUME_ID}", json=fixture("resume.json"))
    adapter, _ = make()
    card = adapter.resume(access_token="tok", resume_id=RESUME_ID)
    assert not card.contacts_open and card.contacts is None and card.name is None
    assert card.raw["actions"]["get_with_contact"]["url"].endswith("with_contact=77da0c2e")


@responses.activate
def test_missing_resume_is_not_found():
    responses.get(f"{API}/resumes/{RESUME_ID}", status=404, json=fixture("error_not_found.json"))
    adapter, _ = make()
    with pytest.raises(errors.NotFound):
        adapter.resume(access_token="tok", resume_id=RESUME_ID)


@responses.activate
def test_opening_contacts_follows_the_fresh_get_with_contact_url_once():
    responses.get(
        f"{API}/resumes/{RESUME_ID}",
        json=fixture("resume.json"),
        match=[responses.matchers.query_param_matcher({})],
    )
    opened = responses.get(
        f"{API}/resumes/{RESUME_ID}",
        json=fixture("resume_with_contact.json"),
        match=[responses.matchers.query_param_matcher({"with_contact": "77da0c2e"})],
    )
    adapter, _ = make()
    card = adapter.open_contacts(access_token="tok", resume_id=RESUME_ID)
    assert opened.call_count == 1
    assert card.contacts_open and card.name == "Иванов Иван"
    assert card.birth_date == date(1993, 6, 28)
    assert card.contacts.phones == ("+74955527367",)
    assert card.contacts.emails == ("me@example.com",)
    assert card.contacts.other == ("Telegram: @ivanov",)


@responses.activate
def test_opening_already_open_contacts_spends_nothing():
    responses.get(f"{API}/resumes/{RESUME_ID}", json=fixture("resume_with_contact.json"))
    adapter, _ = make()
    card = adapter.open_contacts(access_token="tok", resume_id=RESUME_ID)
    assert card.contacts_open and len(responses.calls) == 1


@responses.activate
def test_opening_contacts_without_a_paid_service_is_permission_denied():
    body = fixture("resume.json") | {"actions": {}}
    responses.get(f"{API}/resumes/{RESUME_ID}", json=body)
    adapter, _ = make()
    with pytest.raises(errors.PermissionDenied):
        adapter.open_contacts(access_token="tok", resume_id=RESUME_ID)
    assert len(responses.calls) == 1


@responses.activate
def test_contacts_opened_earlier_but_all_hidden_are_answered_without_paying():
    # No opening link because the company opened them already
    # (`can_view_full_info`); the nulls are what the candidate hid.
    hidden = [{"id": "names_and_photo", "name": "..."}, {"id": "phones", "name": "..."}]
    body = fixture("resume.json") | {
        "actions": {},
        "can_view_full_info": True,
        "hidden_fields": hidden,
    }
    responses.get(f"{API}/resumes/{RESUME_ID}", json=body)
    adapter, _ = make()
    card = adapter.open_contacts(access_token="tok", resume_id=RESUME_ID)
    # Open by hh's own flag; nothing to show, and the hidden fields say why.
    assert card.contacts_open and card.contacts is None
    assert card.hidden_fields == ("names_and_photo", "phones")
    assert len(responses.calls) == 1


@responses.activate
def test_opening_contacts_is_never_retried_because_it_spends_money():
    responses.get(
        f"{API}/resumes/{RESUME_ID}",
        json=fixture("resume.json"),
        match=[responses.matchers.query_param_matcher({})],
    )
    spend = responses.get(
        f"{API}/resumes/{RESUME_ID}",
        status=503,
        match=[responses.matchers.query_param_matcher({"with_contact": "77da0c2e"})],
    )
    adapter, _ = make()
    with pytest.raises(errors.Unavailable):
        adapter.open_contacts(access_token="tok", resume_id=RESUME_ID)
    assert spend.call_count == 1


@responses.activate
def test_no_contact_units_left_is_resource_exhausted():
    responses.get(
        f"{API}/resumes/{RESUME_ID}",
        json=fixture("resume.json"),
        match=[responses.matchers.query_param_matcher({})],
    )
    responses.get(
        f"{API}/resumes/{RESUME_ID}",
        status=403,
        json=fixture("error_no_service.json"),
        match=[responses.matchers.query_param_matcher({"with_contact": "77da0c2e"})],
    )
    adapter, _ = make()
    # "not enough services to view the resume": the paid views are spent.
    with pytest.raises(errors.ResourceExhausted) as caught:
        adapter.open_contacts(access_token="tok", resume_id=RESUME_ID)
    assert caught.value.details["errors"] == ["resumes/no_available_service"]


@responses.activate
def test_view_limit_429_is_resource_exhausted():
    responses.get(f"{API}/resumes/{RESUME_ID}", status=429, json=fixture("error_view_limit.json"))
    adapter, _ = make(max_retries=0)
    with pytest.raises(errors.ResourceExhausted):
        adapter.resume(access_token="tok", resume_id=RESUME_ID)


@responses.activate
def test_malformed_resume_is_invalid_response():
    responses.get(f"{API}/resumes/{RESUME_ID}", json={"id": RESUME_ID, "updated_at": None})
    adapter, _ = make()
    with pytest.raises(errors.InvalidResponse):
        adapter.resume(access_token="tok", resume_id=RESUME_ID)


# --- OAuth ------------------------------------------------------------------------------


def test_authorize_url_asks_for_an_employer_with_state_and_exact_redirect():
    adapter, _ = make()
    url = adapter.authorize_url(state="st-1", redirect_uri="https://app.example/cb/hh/")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{OAUTH}/oauth/authorize"
    params = parse_qs(parts.query)
    assert params["response_type"] == ["code"] and params["client_id"] == ["client-1"]
    assert params["state"] == ["st-1"]
    assert params["redirect_uri"] == ["https://app.example/cb/hh/"]
    assert params["role"] == ["employer"]


@responses.activate
def test_code_exchange_posts_the_form_and_returns_a_fourteen_day_pair():
    responses.post(f"{API}/token", json=fixture("token.json"))
    adapter, _ = make()
    before = datetime.now(UTC)
    pair = adapter.exchange_code(code="c0de", redirect_uri="https://app.example/cb/hh/")
    assert (pair.access_token, pair.refresh_token) == ("USERTOKEN1", "USERREFRESH1")
    assert before + timedelta(days=14) <= pair.expires_at <= datetime.now(UTC) + timedelta(days=14)
    form = parse_qs(responses.calls[0].request.body)
    assert form == {
        "grant_type": ["authorization_code"],
        "client_id": ["client-1"],
        "client_secret": ["secret-1"],
        "code": ["c0de"],
        "redirect_uri": ["https://app.example/cb/hh/"],
    }


@responses.activate
def test_refresh_sends_the_refresh_grant_and_returns_the_new_pair():
    responses.post(f"{API}/token", json=fixture("token.json"))
    adapter, _ = make()
    pair = adapter.refresh(refresh_token="OLDREFRESH")
    assert pair.refresh_token == "USERREFRESH1"
    form = parse_qs(responses.calls[0].request.body)
    assert form == {"grant_type": ["refresh_token"], "refresh_token": ["OLDREFRESH"]}


@responses.activate
def test_early_refresh_is_failed_precondition():
    responses.post(f"{API}/token", status=400, json=fixture("token_not_expired.json"))
    adapter, _ = make()
    with pytest.raises(errors.FailedPrecondition):
        adapter.refresh(refresh_token="r")


@responses.activate
def test_reused_refresh_token_is_unauthenticated():
    responses.post(f"{API}/token", status=400, json=fixture("token_already_refreshed.json"))
    adapter, _ = make()
    with pytest.raises(errors.Unauthenticated) as caught:
        adapter.refresh(refresh_token="r")
    assert caught.value.details["description"] == "token has already been refreshed"


@responses.activate
def test_unknown_client_is_permission_denied():
    responses.post(f"{API}/token", status=400, json={"error": "invalid_client"})
    adapter, _ = make()
    with pytest.raises(errors.PermissionDenied):
        adapter.exchange_code(code="c", redirect_uri="https://app.example/cb/hh/")


@responses.activate
def test_token_exchange_is_never_retried_after_503():
    responses.post(f"{API}/token", status=503)
    adapter, _ = make()
    with pytest.raises(errors.Unavailable):
        adapter.exchange_code(code="c", redirect_uri="https://app.example/cb/hh/")
    assert len(responses.calls) == 1


@responses.activate
def test_token_answer_without_refresh_token_is_invalid_response():
    responses.post(f"{API}/token", json={"access_token": "a", "expires_in": 10})
    adapter, _ = make()
    with pytest.raises(errors.InvalidResponse):
        adapter.exchange_code(code="c", redirect_uri="https://app.example/cb/hh/")


# --- dictionaries and limits ----------------------------------------------------------


@responses.activate
def test_currency_rates_are_roubles_per_unit_with_rur_renamed_rub():
    responses.get(f"{API}/dictionaries", json=fixture("dictionaries.json"))
    adapter, _ = make()
    rates = adapter.currency_rates()
    assert rates == {"RUB": 1.0, "USD": 80.0, "EUR": 100.0}


@responses.activate
def test_malformed_currency_dictionary_is_invalid_response():
    responses.get(f"{API}/dictionaries", json={"currency": [{"code": "USD"}]})
    adapter, _ = make()
    with pytest.raises(errors.InvalidResponse):
        adapter.currency_rates()


@responses.activate
def test_quota_reads_the_managers_resume_view_limit():
    responses.get(f"{API}/me", json=fixture("me.json"))
    responses.get(f"{API}/employers/777/managers/9001/limits/resume", json=fixture("limits.json"))
    adapter, _ = make()
    quota = adapter.quota(access_token="tok")
    assert quota.views_left == 380 and quota.contacts_left is None


def test_full_resume_details_are_read_from_the_document():
    from recruiting.adapters.base import ResumeDetails, WorkPlace

    adapter, _ = make()
    details = adapter.details_from_raw(fixture("resume.json"))
    assert details == ResumeDetails(
        experience=(
            WorkPlace("Ведущий разработчик", "ООО Ромашка", "2019-03", None, "Бэкенд на Django"),
        ),
        skills=("Python", "Django", "PostgreSQL"),
        education=("МГУ им. М.В. Ломоносова 2014",),
        languages=("Английский — B2 — Средне-продвинутый",),
    )


def test_odd_or_missing_resume_details_are_left_out_not_raised():
    adapter, _ = make()
    odd = {"experience": "n/a", "skill_set": [1, "Go"], "education": [], "language": None}
    details = adapter.details_from_raw(odd)
    assert details.experience == () and details.skills == ("Go",) and details.education == ()


@responses.activate
def test_token_expiry_is_dated_by_the_injected_clock():
    responses.post(f"{API}/token", json=fixture("token.json"))
    issued = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    adapter, _ = make(clock=ManualClock(wall=issued))
    pair = adapter.exchange_code(code="c0de", redirect_uri="https://app.example/cb/hh/")
    assert pair.expires_at == issued + timedelta(days=14)
