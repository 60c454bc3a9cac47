"""The search API end to end: our views and services through the real adapters
over HTTP against the job-site emulators; every response checked against the
OpenAPI schema (`recruiter_api_client`)."""

from __future__ import annotations

import pytest
from django.core import signing
from django.core.cache import cache

from core.models import User
from core.tests.api_support import SchemaCheckedClient, assert_is_error_body, csrf_headers
from recruiting.cursor import SALT
from recruiting.models import Application, Token
from recruiting.tests.conftest import connect
from sandbox.faults import set_faults

pytestmark = pytest.mark.django_db(transaction=True)

QUERY = {"query": "разработчик"}
ACCESS_MESSAGE = (
    "Ошибка доступа. Убедитесь, что у вас разрешён доступ к работному сайту hh.ru "
    "на вкладке с доступами"
)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def api(recruiter_api_client):
    """The recruiter's schema-checked API client with the session's CSRF token."""
    headers = csrf_headers(recruiter_api_client)

    def post(path: str, body: dict):
        return recruiter_api_client.post(path, body, format="json", **headers)

    recruiter_api_client.post_json = post
    return recruiter_api_client


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert_is_error_body(body)
    assert body["code"] == code
    return body


# --- GET sites -------------------------------------------------------------------


def test_sites_lists_every_site_not_connected_at_first(api, emulators):
    response = api.get("/api/v1/sites")
    assert response.status_code == 200
    sites = response.json()["sites"]
    assert [(row["site"], row["state"]) for row in sites] == [
        ("hh", "not_connected"),
        ("sj", "not_connected"),
    ]
    assert sites[0]["connect_url"] == "/recruiting/sites/hh/connect/"


def test_sites_shows_connection_state_and_never_a_token(api, both_sites):
    Token.objects.filter(job_site="sj").update(status=Token.Status.RECONNECT, status_detail="x")
    response = api.get("/api/v1/sites")
    assert [(r["site"], r["state"]) for r in response.json()["sites"]] == [
        ("hh", "connected"),
        ("sj", "reconnect"),
    ]
    for token in Token.objects.all():
        assert token.access_token not in response.content.decode()
        assert token.refresh_token not in response.content.decode()


def test_sites_detail_is_plain_words_not_the_sites_own_answer(api, both_sites):
    Token.objects.filter(job_site="sj").update(
        status=Token.Status.RECONNECT, status_detail="superjob: grant rejected (invalid_grant)"
    )
    [sj] = [r for r in api.get("/api/v1/sites").json()["sites"] if r["site"] == "sj"]
    assert sj["detail"] == (
        "Доступ к SuperJob истёк. Переподключите сайт на странице «Работные сайты»."
    )


def test_sites_of_another_recruiter_are_not_shown(api, emulators, organization):
    colleague = User.objects.create_user(username="boris", organization=organization)
    other = SchemaCheckedClient()
    other.force_login(colleague)
    connect(other, "hh")
    states = [r["state"] for r in api.get("/api/v1/sites").json()["sites"]]
    assert states == ["not_connected", "not_connected"]


def test_sites_needs_authentication(api_client):
    error(api_client.get("/api/v1/sites"), 401, "UNAUTHENTICATED")


# --- POST search: success ------------------------------------------------------------


def test_search_returns_merged_cards_with_resumes_from_both_sites(api, both_sites):
    response = api.post_json("/api/v1/search", QUERY)
    assert response.status_code == 200
    body = response.json()
    assert body["site_errors"] == []
    assert {s["site"]: s["state"] for s in body["sites"]} == {"hh": "ok", "sj": "ok"}
    assert {r["site"] for c in body["cards"] for r in c["resumes"]} == {"hh", "sj"}
    assert any(len(c["resumes"]) == 2 for c in body["cards"])
    assert body["page"] == 0 and body["next_cursor"] and body["prev_cursor"] is None
    assert all(c["application"] is None for c in body["cards"])


def test_search_shows_contacts_open_flag(api, both_sites):
    cards = api.post_json("/api/v1/search", QUERY).json()["cards"]
    opened = [c for c in cards if c["contacts_open"]]
    closed = [c for c in cards if not c["contacts_open"]]
    assert opened and closed
    assert all(c["name"] for c in opened)
    # SuperJob sends open contacts in the search answer; hh.ru only the name.
    assert any(r["contacts"] and r["contacts"]["phones"] for c in opened for r in c["resumes"])


def test_search_pages_forward_and_back_by_cursor(api, both_sites):
    first = api.post_json("/api/v1/search", QUERY).json()
    second = api.post_json("/api/v1/search", {"cursor": first["next_cursor"]}).json()
    assert second["page"] == 1
    first_urns = {r["urn"] for c in first["cards"] for r in c["resumes"]}
    assert not first_urns & {r["urn"] for c in second["cards"] for r in c["resumes"]}
    back = api.post_json("/api/v1/search", {"cursor": second["prev_cursor"]}).json()
    assert [c["key"] for c in back["cards"]] == [c["key"] for c in first["cards"]]


def test_search_page_size_holds_for_every_page(api, both_sites):
    first = api.post_json("/api/v1/search", {**QUERY, "page_size": 5}).json()
    assert sum(len(c["resumes"]) for c in first["cards"]) <= 7  # twins may join their card
    second = api.post_json("/api/v1/search", {"cursor": first["next_cursor"]}).json()
    assert 1 <= sum(len(c["resumes"]) for c in second["cards"]) <= 7


def test_merged_card_shows_a_sibling_resumes_open_application_over_a_closed_one(
    api, both_sites, recruiter, amo
):
    first = api.post_json("/api/v1/search", QUERY).json()
    card = next(c for c in first["cards"] if len(c["resumes"]) == 2)
    closed_urn, open_urn = (r["urn"] for r in card["resumes"])
    for n, (urn, status) in enumerate(((closed_urn, "closed"), (open_urn, "open"))):
        Application.objects.create(
            organization=recruiter.organization,
            connection=amo,
            subsystem="amocrm",
            resume_urn=urn,
            idempotency_key=f"key-{n}",
            application_id=str(100 + n),
            status=status,
            recruiter=recruiter,
        )
    again = api.post_json("/api/v1/search", {"cursor": first["cursor"]}).json()
    shown = next(c for c in again["cards"] if c["key"] == card["key"])
    assert shown["application"]["status"] == "open"
    assert shown["application"]["application_id"] == "101"


def test_search_by_salary_orders_cards(api, both_sites):
    body = api.post_json(
        "/api/v1/search", {**QUERY, "order": "salary", "salary_from": 50000, "region": "msk"}
    ).json()
    assert body["cards"] and body["site_errors"] == []


def test_search_card_shows_application_status_and_who_took_it(api, both_sites, recruiter):
    from recruiting.models import Application, SubsystemConnection

    first = api.post_json("/api/v1/search", QUERY).json()
    urn = first["cards"][0]["resumes"][0]["urn"]
    connection = SubsystemConnection.objects.create(
        organization=recruiter.organization, subsystem="tracker", account="o", access_token="t"
    )
    Application.objects.create(
        organization=recruiter.organization,
        connection=connection,
        subsystem="tracker",
        resume_urn=urn,
        recruiter=recruiter,
        idempotency_key="k1",
        application_id="HIRE-1",
        status="open",
        external_status_display="Открыт",
    )
    again = api.post_json("/api/v1/search", {"cursor": first["cursor"]}).json()
    application = again["cards"][0]["application"]
    assert application["status"] == "open" and application["application_id"] == "HIRE-1"
    assert application["recruiter"] == "anna" and application["status_label"] == "Открыт"


# --- POST search: partial success ---------------------------------------------------


def test_failed_site_is_reported_and_the_other_sites_results_are_returned(api, both_sites):
    set_faults("superjob", error_rate=1.0, error_status=503)
    body = api.post_json("/api/v1/search", QUERY).json()
    assert body["site_errors"] == [
        {"site": "sj", "code": "UNAVAILABLE", "message": body["site_errors"][0]["message"]}
    ]
    assert "SuperJob" in body["site_errors"][0]["message"]
    assert body["cards"] and {r["site"] for c in body["cards"] for r in c["resumes"]} == {"hh"}


def test_site_permission_error_uses_the_seed_access_message(api, both_sites):
    set_faults("hh", error_rate=1.0, error_status=403)
    body = api.post_json("/api/v1/search", QUERY).json()
    assert body["site_errors"] == [
        {"site": "hh", "code": "PERMISSION_DENIED", "message": ACCESS_MESSAGE}
    ]


def test_revoked_site_token_is_unauthenticated_in_site_errors(api, both_sites):
    from sandbox.models import OAuthToken

    OAuthToken.objects.filter(system="hh").delete()
    body = api.post_json("/api/v1/search", QUERY).json()
    assert [(e["site"], e["code"]) for e in body["site_errors"]] == [("hh", "UNAUTHENTICATED")]


def test_every_site_failing_is_still_an_answer_with_site_errors(api, both_sites):
    set_faults("hh", malformed_rate=1.0)
    set_faults("superjob", error_rate=1.0, error_status=429)
    response = api.post_json("/api/v1/search", QUERY)
    assert response.status_code == 200
    codes = {e["site"]: e["code"] for e in response.json()["site_errors"]}
    assert codes == {"hh": "UNAVAILABLE", "sj": "RESOURCE_EXHAUSTED"}
    assert response.json()["cards"] == []


# --- POST search: errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"query": ""},
        {"query": "   "},
        {"query": "x" * 1000},
        {"query": "x" * 201},
        {"query": "<b>dev</b>"},
        {**QUERY, "order": "popularity"},
        {**QUERY, "salary_from": 200000, "salary_to": 100000},
        {**QUERY, "salary_from": -1},
        {**QUERY, "region": "atlantis"},
        {**QUERY, "page_size": 0},
        {**QUERY, "page_size": 51},
        {"region": "msk"},
        {"query": ["разработчик"]},
    ],
    ids=[
        "empty",
        "blank",
        "1000-chars",
        "too-long",
        "html",
        "unknown-order",
        "salary-from-above-to",
        "negative-salary",
        "unknown-region",
        "page-size-0",
        "page-size-51",
        "no-query",
        "query-not-a-string",
    ],
)
def test_bad_search_input_is_invalid_argument(api, both_sites, body):
    error(api.post_json("/api/v1/search", body), 400, "INVALID_ARGUMENT")


def test_malformed_json_is_invalid_argument(api, both_sites):
    response = api.post(
        "/api/v1/search", "{not json", content_type="application/json", **csrf_headers(api)
    )
    assert error(response, 400, "INVALID_ARGUMENT")["details"] == {"reason": "malformed_body"}


def test_forged_cursor_is_invalid_argument(api, both_sites):
    cursor = api.post_json("/api/v1/search", QUERY).json()["next_cursor"]
    forged = cursor[:-2] + ("yy" if cursor.endswith("xx") else "xx")
    body = error(api.post_json("/api/v1/search", {"cursor": forged}), 400, "INVALID_ARGUMENT")
    assert body["details"] == {"field": "cursor"}


def test_expired_cursor_is_invalid_argument(api, both_sites, settings):
    cursor = api.post_json("/api/v1/search", QUERY).json()["next_cursor"]
    settings.JOBSITE_SEARCH_CURSOR_TTL = -1
    body = error(api.post_json("/api/v1/search", {"cursor": cursor}), 400, "INVALID_ARGUMENT")
    assert "устарел" in body["message"] or "заново" in body["message"]


def test_cursor_for_a_page_never_offered_is_invalid_argument(api, both_sites, recruiter):
    first = api.post_json("/api/v1/search", QUERY).json()
    session_id, _page, owner = signing.loads(first["cursor"], salt=SALT)
    far = signing.dumps([session_id, 40, owner], salt=SALT)
    error(api.post_json("/api/v1/search", {"cursor": far}), 400, "INVALID_ARGUMENT")


def test_another_recruiters_cursor_is_invalid_argument(api, both_sites, organization):
    cursor = api.post_json("/api/v1/search", QUERY).json()["next_cursor"]
    colleague = User.objects.create_user(username="boris", organization=organization)
    other = SchemaCheckedClient(enforce_csrf_checks=True)
    other.force_login(colleague)
    connect(other, "hh")
    response = other.post(
        "/api/v1/search", {"cursor": cursor}, format="json", **csrf_headers(other)
    )
    body = error(response, 400, "INVALID_ARGUMENT")
    assert body["details"] == {"field": "cursor"}
    assert "cards" not in body


def test_search_without_a_connected_site_is_failed_precondition(api, emulators):
    body = error(api.post_json("/api/v1/search", QUERY), 400, "FAILED_PRECONDITION")
    assert body["details"] == {"reason": "no_sites"}


def test_search_over_a_session_needs_the_csrf_token(recruiter_api_client, both_sites):
    response = recruiter_api_client.post("/api/v1/search", QUERY, format="json")
    assert error(response, 403, "PERMISSION_DENIED")["details"] == {"reason": "csrf"}


def test_search_needs_authentication(api_client):
    error(api_client.post("/api/v1/search", QUERY, format="json"), 401, "UNAUTHENTICATED")


def test_search_rate_limit_per_recruiter_is_resource_exhausted(api, both_sites, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "search": "2/minute"},
    }
    for _ in range(2):
        assert api.post_json("/api/v1/search", {"query": ""}).status_code == 400
    response = api.post_json("/api/v1/search", QUERY)
    body = error(response, 429, "RESOURCE_EXHAUSTED")
    assert int(response["Retry-After"]) == body["details"]["retry_after"] > 0
    # Another endpoint has its own budget.
    assert api.get("/api/v1/sites").status_code == 200


# --- TVM -------------------------------------------------------------------------------


def test_tvm_tickets_authenticate_search_without_csrf(both_sites, tvm):
    client = SchemaCheckedClient(enforce_csrf_checks=True)
    assert [r["state"] for r in client.get("/api/v1/sites", **tvm).json()["sites"]] == [
        "connected",
        "connected",
    ]
    response = client.post("/api/v1/search", QUERY, format="json", **tvm)
    assert response.status_code == 200 and response.json()["cards"]
    page = client.post(
        "/api/v1/search", {"cursor": response.json()["next_cursor"]}, format="json", **tvm
    )
    assert page.status_code == 200 and page.json()["page"] == 1


def test_tvm_bad_ticket_on_search_is_unauthenticated(both_sites, tvm):
    client = SchemaCheckedClient(enforce_csrf_checks=True)
    bad = {**tvm, "HTTP_X_YA_USER_TICKET": "3:user:garbage"}
    error(client.post("/api/v1/search", QUERY, format="json", **bad), 401, "UNAUTHENTICATED")


def test_tvm_tickets_authenticate_the_applications_list(emulators, tvm):
    client = SchemaCheckedClient(enforce_csrf_checks=True)
    response = client.get("/api/v1/applications", **tvm)
    assert response.json() == {"count": 0, "results": []}


def test_a_foreign_salary_comes_with_its_rouble_equivalent(api, both_sites):
    from recruiting.services.rates import currency_rates_refresh

    currency_rates_refresh()  # the sites' dictionaries, as the ranking uses them
    body = api.post_json("/api/v1/search", QUERY).json()
    pages = [body]
    for _ in range(5):
        if any(c["salary_rub"] for p in pages for c in p["cards"]) or not pages[-1]["next_cursor"]:
            break
        pages.append(api.post_json("/api/v1/search", {"cursor": pages[-1]["next_cursor"]}).json())
    cards = [c for p in pages for c in p["cards"]]
    for card in cards:
        salaries = [r["salary"] for r in card["resumes"] if r["salary"]]
        if card["salary_rub"] is not None:
            assert salaries and salaries[0]["currency"] != "RUB"
    assert any(c["salary_rub"] for c in cards)
