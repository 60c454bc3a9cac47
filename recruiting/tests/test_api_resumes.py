"""GET resumes/<urn> and POST resumes/<urn>/contacts end to end: our views and
services through the real job-site adapters over HTTP against the hh.ru and
SuperJob emulators; every response checked against the OpenAPI schema."""

from __future__ import annotations

from functools import partial

import pytest

from core.models import User
from core.tests.api_support import SchemaCheckedClient, assert_is_error_body, csrf_headers
from core.tests.concurrency import at_once
from recruiting.models import KnownContact, Resume
from recruiting.tests.conftest import connect
from recruiting.tests.contacts_support import charged, hh_urn, sj_urn
from sandbox.emulators.hh import CONTACT_PACKAGE, EMPLOYER_ID
from sandbox.faults import set_faults
from sandbox.models import OAuthToken, ResumeEvent

pytestmark = pytest.mark.django_db(transaction=True)

ACCESS_HH = (
    "Ошибка доступа. Убедитесь, что у вас разрешён доступ к работному сайту hh.ru "
    "на вкладке с доступами"
)


def client_for(user: User) -> SchemaCheckedClient:
    """A schema-checked session client whose `open()` posts with the CSRF token."""
    client = SchemaCheckedClient(enforce_csrf_checks=True)
    client.force_login(user)
    headers = csrf_headers(client)

    def open_(urn: str, body: dict | None = None):
        path = f"/api/v1/resumes/{urn}/contacts"
        return client.post(path, body or {}, format="json", **headers)

    client.open = open_
    return client


@pytest.fixture
def api(recruiter) -> SchemaCheckedClient:
    return client_for(recruiter)


@pytest.fixture
def colleague(organization) -> User:
    return User.objects.create_user(username="boris", organization=organization)


@pytest.fixture
def stranger(other_organization) -> User:
    return User.objects.create_user(username="gleb", organization=other_organization)


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert_is_error_body(body)
    assert body["code"] == code
    return body


def resume(client: SchemaCheckedClient, urn: str):
    return client.get(f"/api/v1/resumes/{urn}")


def spend_all_hh_views() -> None:
    ResumeEvent.objects.bulk_create(
        [
            ResumeEvent(system="hh", kind="contact", resume_id=f"x{i}", account=EMPLOYER_ID)
            for i in range(CONTACT_PACKAGE)
        ]
    )


# --- GET resumes/<urn> ------------------------------------------------------------------


def test_hh_resume_is_read_from_the_site_with_contacts_closed(api, sites):
    urn = hh_urn()
    body = resume(api, urn).json()
    assert (body["urn"], body["site"], body["site_label"]) == (urn, "hh", "hh.ru")
    assert body["stored"] is False
    assert body["resume"]["urn"] == urn and body["resume"]["title"]
    assert body["contacts_open"] is body["contacts_known"] is False
    assert body["contacts"] is None and body["application"] is None
    assert body["hidden_contacts"] == []
    assert charged("hh") == 0


def test_resume_lists_the_contacts_the_candidate_hid(api, sites):
    body = resume(api, hh_urn(hidden=True)).json()
    assert body["hidden_contacts"] == ["phones"]


def test_superjob_resume_is_null_until_paid_and_never_read(api, sites):
    body = resume(api, sj_urn()).json()
    assert body["resume"] is None and body["stored"] is False
    assert charged("superjob") == 0
    assert not ResumeEvent.objects.filter(system="superjob").exists()


def test_stored_resume_and_contacts_are_answered_without_a_site_call(api, sites):
    urn = hh_urn()
    opened = api.open(urn).json()
    set_faults("hh", error_rate=1.0, error_status=503)
    views = ResumeEvent.objects.count()
    body = resume(api, urn).json()
    assert body["stored"] is True and body["contacts_known"] is body["contacts_open"] is True
    assert body["contacts"] == opened
    assert body["resume"]["urn"] == urn and body["resume"]["contacts"]["phones"]
    assert ResumeEvent.objects.count() == views


def test_resume_shows_its_application(api, sites, recruiter, tracker):
    urn = hh_urn()
    api.open(urn)
    headers = csrf_headers(api)
    taken = api.post(
        f"/api/v1/resumes/{urn}/applications", {"subsystem": "tracker"}, format="json", **headers
    )
    assert taken.status_code == 201
    application = resume(api, urn).json()["application"]
    assert (application["subsystem"], application["status"]) == ("tracker", "open")
    assert application["recruiter"] == "anna"


@pytest.mark.parametrize("urn", ["hh:123", "urn:xx:1", "urn:hh:", "urn:hh:a%3Cb%3E"])
def test_malformed_urn_is_invalid_argument(api, sites, urn):
    error(resume(api, urn), 400, "INVALID_ARGUMENT")


def test_unknown_resume_is_not_found_naming_the_site(api, sites):
    body = error(resume(api, "urn:hh:DOESNOTEXIST"), 404, "NOT_FOUND")
    assert "hh.ru" in body["message"] and body["details"]["site"] == "hh"


def test_site_down_is_unavailable(api, sites):
    set_faults("hh", error_rate=1.0, error_status=503)
    body = error(resume(api, hh_urn()), 503, "UNAVAILABLE")
    assert "hh.ru" in body["message"]


def test_no_access_is_permission_denied_with_the_seed_message(api, sites):
    set_faults("hh", error_rate=1.0, error_status=403)
    body = error(resume(api, hh_urn()), 403, "PERMISSION_DENIED")
    assert body["message"] == ACCESS_HH


def test_site_not_connected_is_failed_precondition(api, emulators):
    body = error(resume(api, hh_urn()), 400, "FAILED_PRECONDITION")
    assert body["details"]["reason"] == "not_connected"


def test_revoked_site_connection_is_failed_precondition_never_unauthenticated(api, sites):
    OAuthToken.objects.filter(system="hh").delete()
    body = error(resume(api, hh_urn()), 400, "FAILED_PRECONDITION")
    assert body["details"]["reason"] == "reconnect" and "hh.ru" in body["message"]


def test_resume_needs_authentication(api_client):
    error(api_client.get(f"/api/v1/resumes/{hh_urn()}"), 401, "UNAUTHENTICATED")


# --- POST resumes/<urn>/contacts --------------------------------------------------------


def test_opening_hh_contacts_answers_them_and_spends_one_view(api, sites, recruiter):
    urn = hh_urn()
    body = api.open(urn).json()
    assert body["urn"] == urn and body["name"] and body["phones"] and body["emails"]
    assert (body["source"], body["opened_by"]) == ("site", "anna")
    assert Resume.objects.get(urn=urn).organization_id == recruiter.organization_id
    assert charged("hh", urn) == 1


def test_opening_hh_contacts_after_reading_the_resume_spends_one_more_view(api, sites):
    urn = hh_urn()
    resume(api, urn)  # the client reads the resume first: one view
    views = ResumeEvent.objects.filter(system="hh", kind=ResumeEvent.Kind.VIEW)
    before = views.count()
    assert api.open(urn).json()["phones"]
    # The read's one-time link opens the contacts: no second read of the resume.
    assert views.count() - before == 1 and charged("hh", urn) == 1


def test_opening_superjob_contacts_spends_one_unit(api, sites):
    urn = sj_urn()
    body = api.open(urn).json()
    assert body["name"] and body["phones"]
    assert charged("superjob", urn) == 1


def test_stored_contacts_are_answered_to_a_colleague_without_a_site_call(api, sites, colleague):
    urn = hh_urn()
    first = api.open(urn).json()
    set_faults("hh", error_rate=1.0, error_status=503)
    views = ResumeEvent.objects.count()
    again = client_for(colleague).open(urn)  # the colleague has no hh.ru connection at all
    assert again.status_code == 200 and again.json() == first
    assert ResumeEvent.objects.count() == views


def test_contacts_known_in_a_subsystem_are_answered_without_a_site(api, emulators, recruiter):
    urn = hh_urn()
    KnownContact.objects.create(
        organization=recruiter.organization,
        resume_urn=urn,
        source="amocrm",
        contacts={"name": "Петров Пётр", "phones": ["+79990001122"], "emails": []},
    )
    body = api.open(urn).json()  # not even connected to hh.ru
    assert (body["name"], body["phones"], body["source"]) == (
        "Петров Пётр",
        ["+79990001122"],
        "amocrm",
    )
    assert charged("hh") == 0


def test_hidden_contacts_need_confirmation_before_paying(api, sites):
    urn = hh_urn(hidden=True)
    body = error(api.open(urn), 400, "FAILED_PRECONDITION")
    assert body["details"] == {"reason": "hidden_fields", "hidden": ["phones"]}
    assert charged("hh") == 0
    error(api.open(urn, {"confirm_hidden": False}), 400, "FAILED_PRECONDITION")
    opened = api.open(urn, {"confirm_hidden": True}).json()
    assert opened["name"] and opened["phones"] == [] and opened["emails"]
    assert charged("hh", urn) == 1


def test_no_paid_views_left_is_resource_exhausted_naming_the_site(api, sites):
    spend_all_hh_views()
    body = error(api.open(hh_urn()), 429, "RESOURCE_EXHAUSTED")
    assert "hh.ru" in body["message"] and body["details"]["site"] == "hh"
    assert not Resume.objects.exclude(contacts="").exists()


def test_no_access_to_open_is_permission_denied_with_the_seed_message(api, sites):
    set_faults("hh", error_rate=1.0, error_status=403)
    body = error(api.open(hh_urn()), 403, "PERMISSION_DENIED")
    assert body["message"] == ACCESS_HH
    assert charged("hh") == 0


def test_resume_gone_is_not_found(api, sites):
    body = error(api.open("urn:hh:DOESNOTEXIST"), 404, "NOT_FOUND")
    assert "hh.ru" in body["message"]


def test_site_down_while_opening_is_unavailable_and_nothing_is_stored(api, sites):
    set_faults("superjob", error_rate=1.0, error_status=503)
    urn = sj_urn()
    error(api.open(urn), 503, "UNAVAILABLE")
    assert not Resume.objects.exclude(contacts="").exists()
    set_faults("superjob", error_rate=0.0)
    assert api.open(urn).status_code == 200  # the claim was released: a retry opens
    assert charged("superjob", urn) == 1


def test_opening_without_a_connection_is_failed_precondition(api, emulators):
    body = error(api.open(hh_urn()), 400, "FAILED_PRECONDITION")
    assert body["details"]["reason"] == "not_connected"


@pytest.mark.parametrize("urn", ["hh:123", "urn:xx:1", "urn:hh:a%3Cb%3E"])
def test_opening_a_malformed_urn_is_invalid_argument(api, sites, urn):
    error(api.open(urn), 400, "INVALID_ARGUMENT")


@pytest.mark.parametrize("body", [{"confirm_hidden": "maybe"}, {"confirm_hidden": [1]}])
def test_opening_with_a_bad_body_is_invalid_argument(api, sites, body):
    response = error(api.open(hh_urn(), body), 400, "INVALID_ARGUMENT")
    assert "confirm_hidden" in response["details"]["fields"]
    assert charged("hh") == 0


def test_opening_over_a_session_needs_the_csrf_token(recruiter_api_client, sites):
    urn = hh_urn()
    response = recruiter_api_client.post(f"/api/v1/resumes/{urn}/contacts", {}, format="json")
    assert error(response, 403, "PERMISSION_DENIED")["details"] == {"reason": "csrf"}
    assert charged("hh") == 0


def test_opening_needs_authentication(api_client):
    response = api_client.post(f"/api/v1/resumes/{hh_urn()}/contacts", {}, format="json")
    error(response, 401, "UNAUTHENTICATED")


def test_contacts_rate_limit_per_recruiter_is_resource_exhausted(api, sites, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "contacts": "2/minute"},
    }
    urn = hh_urn()
    assert [api.open(urn).status_code for _ in range(2)] == [200, 200]
    response = api.open(hh_urn(skip=1))
    body = error(response, 429, "RESOURCE_EXHAUSTED")
    assert int(response["Retry-After"]) == body["details"]["retry_after"] > 0
    assert charged("hh") == 1  # the refused request never reached the site
    # Reading resumes has its own budget.
    assert resume(api, urn).status_code == 200


# --- TVM --------------------------------------------------------------------------------


def test_tvm_tickets_read_a_resume_and_open_contacts_without_csrf(sites, tvm):
    client = SchemaCheckedClient(enforce_csrf_checks=True)
    urn = hh_urn()
    assert client.get(f"/api/v1/resumes/{urn}", **tvm).json()["contacts_known"] is False
    opened = client.post(f"/api/v1/resumes/{urn}/contacts", {}, format="json", **tvm)
    assert opened.status_code == 200 and opened.json()["opened_by"] == "anna"
    assert client.get(f"/api/v1/resumes/{urn}", **tvm).json()["contacts"] == opened.json()


def test_tvm_bad_ticket_on_contacts_is_unauthenticated(sites, tvm):
    client = SchemaCheckedClient(enforce_csrf_checks=True)
    bad = {**tvm, "HTTP_X_YA_USER_TICKET": "3:user:garbage"}
    response = client.post(f"/api/v1/resumes/{hh_urn()}/contacts", {}, format="json", **bad)
    error(response, 401, "UNAUTHENTICATED")
    assert charged("hh") == 0


# --- organizations ----------------------------------------------------------------------


def test_organizations_never_see_each_others_stored_resumes_or_contacts(
    api, sites, stranger, client
):
    urn = hh_urn()
    assert api.open(urn).status_code == 200
    theirs = client_for(stranger)
    # Not connected: nothing stored by another organization is answered instead.
    error(theirs.open(urn), 400, "FAILED_PRECONDITION")
    error(resume(theirs, urn), 400, "FAILED_PRECONDITION")
    client.force_login(stranger)
    connect(client, "hh")
    body = resume(theirs, urn).json()
    assert body["stored"] is False and body["contacts"] is None
    assert body["contacts_known"] is False


# --- concurrency ------------------------------------------------------------------------


@pytest.mark.postgres
def test_concurrent_requests_open_contacts_once(api, sites, recruiter):
    urn = hh_urn()
    clients = [client_for(recruiter) for _ in range(6)]
    responses, _failures = at_once([partial(client.open, urn) for client in clients])
    answers = [(response.status_code, response.json()) for response in responses]
    assert [status for status, _body in answers] == [200] * len(clients)
    assert len({(b["name"], tuple(b["phones"])) for _status, b in answers}) == 1
    assert charged("hh", urn) == 1
    assert Resume.objects.filter(urn=urn).count() == 1
