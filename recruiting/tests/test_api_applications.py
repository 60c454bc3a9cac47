"""The applications API end to end: our views and services through the real
subsystem adapters over HTTP against the amoCRM and Tracker emulators; every
response checked against the OpenAPI schema (`recruiter_api_client`)."""

from __future__ import annotations

import json
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from core import errors
from core.models import User
from core.tests.api_support import SchemaCheckedClient, assert_is_error_body, csrf_headers
from recruiting.adapters.amocrm import RateLimiter
from recruiting.models import Application, KnownContact, Resume, Subsystem, SubsystemConnection
from recruiting.services.subsystems import connection_catalogue_refresh, subsystem_error
from sandbox.faults import set_faults
from sandbox.subsystem_models import AmoLead, TrackerIssue

pytestmark = pytest.mark.django_db(transaction=True)

URN = "urn:hh:abc123"
PATH = f"/api/v1/resumes/{URN}/applications"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


def known(organization, urn: str = URN, name: str = "Иванов Иван") -> Resume:
    """The organization opened this resume's contacts."""
    contacts = {"name": name, "phones": ["+79991234567"], "emails": ["ivan@example.com"]}
    return Resume.objects.create(
        organization=organization, urn=urn, contacts=json.dumps(contacts, ensure_ascii=False)
    )


def client_for(user: User) -> tuple[SchemaCheckedClient, dict]:
    client = SchemaCheckedClient(enforce_csrf_checks=True)
    client.force_login(user)
    return client, csrf_headers(client)


@pytest.fixture
def api(recruiter):
    client, headers = client_for(recruiter)
    client.take = lambda body, path=PATH: client.post(path, body, format="json", **headers)
    return client


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert_is_error_body(body)
    assert body["code"] == code
    return body


# --- POST resumes/<urn>/applications ------------------------------------------------


def test_take_into_tracker_creates_an_issue_and_answers_the_open_application(
    api, recruiter, tracker
):
    known(recruiter.organization)
    response = api.take({"subsystem": "tracker"})
    assert response.status_code == 201
    issue = TrackerIssue.objects.get()
    body = response.json()
    assert body["application_id"] == issue.key and body["status"] == "open"
    assert (body["resume_urn"], body["subsystem"], body["recruiter"]) == (URN, "tracker", "anna")
    assert issue.queue == "HIRE" and "+79991234567" in issue.description
    assert "https://hh.ru/resume/abc123" in issue.description


def test_take_into_amocrm_names_the_lead_after_the_candidate(api, recruiter, amo):
    known(recruiter.organization)
    response = api.take({"subsystem": "amocrm"})
    assert response.status_code == 201
    lead = AmoLead.objects.get()
    assert response.json()["application_id"] == str(lead.pk)
    assert lead.name.startswith("Кандидат: Иванов Иван")


def test_take_into_the_given_tracker_queue(api, recruiter, tracker):
    known(recruiter.organization)
    assert api.take({"subsystem": "tracker", "queue": "DEV"}).status_code == 201
    assert TrackerIssue.objects.get().queue == "DEV"


def test_contacts_known_in_a_subsystem_are_enough_to_take(api, recruiter, tracker):
    KnownContact.objects.create(
        organization=recruiter.organization,
        resume_urn=URN,
        source=Subsystem.AMOCRM,
        contacts={"name": "Петров Пётр", "phones": ["+70000000000"], "emails": []},
    )
    assert api.take({"subsystem": "tracker"}).status_code == 201
    assert "Петров Пётр" in TrackerIssue.objects.get().summary


def test_phones_opened_in_another_form_reach_the_tracker_issue_as_e164(api, recruiter, tracker):
    contacts = {"name": "Иванов Иван", "phones": ["8 (999) 123-45-67", "+7 999 1234567"]}
    Resume.objects.create(
        organization=recruiter.organization, urn=URN, contacts=json.dumps(contacts)
    )
    assert api.take({"subsystem": "tracker"}).status_code == 201
    description = TrackerIssue.objects.get().description
    assert "Телефон: +79991234567" in description and "8 (999)" not in description
    assert description.count("Телефон") == 1


def test_same_recruiter_taking_again_gets_the_same_application(api, recruiter, tracker):
    known(recruiter.organization)
    first = api.take({"subsystem": "tracker"}).json()
    again = api.take({"subsystem": "tracker"})
    assert again.status_code == 201 and again.json() == first
    assert TrackerIssue.objects.count() == 1


def test_colleague_is_told_already_in_work_by_whom_and_status(api, recruiter, colleague, tracker):
    known(recruiter.organization)
    api.take({"subsystem": "tracker"})
    other, headers = client_for(colleague)
    response = other.post(PATH, {"subsystem": "tracker"}, format="json", **headers)
    body = error(response, 409, "ALREADY_EXISTS")
    assert body["message"] == "Уже в работе у anna в Яндекс Трекер, статус: Открыт"
    assert body["details"]["recruiter"] == "anna" and body["details"]["status"] == "open"
    assert TrackerIssue.objects.count() == 1


def test_subsystem_not_configured_is_failed_precondition(api, recruiter, emulators):
    known(recruiter.organization)
    body = error(api.take({"subsystem": "amocrm"}), 400, "FAILED_PRECONDITION")
    assert (
        body["message"] == "amoCRM не настроен для вашей организации; обратитесь к администратору"
    )


def test_contacts_not_open_is_failed_precondition(api, tracker):
    body = error(api.take({"subsystem": "tracker"}), 400, "FAILED_PRECONDITION")
    assert body["details"]["reason"] == "contacts_closed"
    assert not Application.objects.exists()


def test_contacts_opened_by_another_organization_do_not_count(api, tracker, other_organization):
    known(other_organization)
    error(api.take({"subsystem": "tracker"}), 400, "FAILED_PRECONDITION")


@pytest.mark.parametrize("urn", ["urn:xx:1", "hh:abc", "urn:hh:" + "a" * 101, "urn:hh:a b"])
def test_malformed_urn_is_invalid_argument(api, recruiter, tracker, urn):
    response = api.take({"subsystem": "tracker"}, path=f"/api/v1/resumes/{urn}/applications")
    error(response, 400, "INVALID_ARGUMENT")


@pytest.mark.parametrize(
    "body",
    [{}, {"subsystem": "crowd"}, {"subsystem": "amocrm", "pipeline_id": "x"}, {"subsystem": 1}],
)
def test_bad_body_is_invalid_argument(api, recruiter, tracker, body):
    known(recruiter.organization)
    error(api.take(body), 400, "INVALID_ARGUMENT")


def test_queue_that_does_not_exist_is_not_found(api, recruiter, tracker):
    known(recruiter.organization)
    body = error(api.take({"subsystem": "tracker", "queue": "NOPE"}), 404, "NOT_FOUND")
    assert body["details"] == {"queue": "NOPE"}


def test_pipeline_that_does_not_exist_is_not_found(api, recruiter, amo):
    known(recruiter.organization)
    error(api.take({"subsystem": "amocrm", "pipeline_id": 999}), 404, "NOT_FOUND")
    assert not Application.objects.exists()


def test_subsystem_refusing_the_organizations_token_is_failed_precondition(api, recruiter, tracker):
    known(recruiter.organization)
    tracker.access_token = "revoked-token"
    tracker.save()
    body = error(api.take({"subsystem": "tracker"}), 400, "FAILED_PRECONDITION")
    assert body["details"]["reason"] == "subsystem_unauthenticated"
    assert not Application.objects.exists()


def test_subsystem_down_is_unavailable_and_a_retry_creates_one_issue(
    api, recruiter, tracker, settings
):
    known(recruiter.organization)
    connection_catalogue_refresh(connection=tracker)
    settings.HTTP_MAX_RETRIES = 0
    set_faults("tracker", error_rate=1.0, error_status=503)
    error(api.take({"subsystem": "tracker"}), 503, "UNAVAILABLE")
    set_faults("tracker", error_rate=0.0)
    assert api.take({"subsystem": "tracker"}).status_code == 201
    assert TrackerIssue.objects.count() == 1


def test_subsystem_timeout_is_deadline_exceeded(api, recruiter, tracker, settings):
    known(recruiter.organization)
    connection_catalogue_refresh(connection=tracker)
    settings.HTTP_READ_TIMEOUT = 0.3
    settings.HTTP_MAX_RETRIES = 0
    set_faults("tracker", latency_ms=800)
    error(api.take({"subsystem": "tracker"}), 504, "DEADLINE_EXCEEDED")
    time.sleep(1.0)  # the emulator finishes the request we gave up on
    set_faults("tracker", latency_ms=0)


def test_take_over_a_session_needs_the_csrf_token(recruiter_api_client, recruiter, tracker):
    known(recruiter.organization)
    response = recruiter_api_client.post(PATH, {"subsystem": "tracker"}, format="json")
    assert error(response, 403, "PERMISSION_DENIED")["details"] == {"reason": "csrf"}
    assert not TrackerIssue.objects.exists()


def test_take_needs_authentication(api_client):
    error(api_client.post(PATH, {"subsystem": "tracker"}, format="json"), 401, "UNAUTHENTICATED")


def test_staff_without_organization_is_permission_denied(db):
    staff = User.objects.create_user(username="root", is_staff=True)
    client, headers = client_for(staff)
    response = client.post(PATH, {"subsystem": "tracker"}, format="json", **headers)
    error(response, 403, "PERMISSION_DENIED")


# --- GET applications, GET resumes/<urn>/applications -------------------------------


@pytest.fixture
def taken(api, recruiter, colleague, tracker, amo):
    """Two open applications of the organization, one closed."""
    known(recruiter.organization)
    known(recruiter.organization, "urn:sj:42", "Котова Вера")
    api.take({"subsystem": "tracker"})
    other, headers = client_for(colleague)
    other.post(
        "/api/v1/resumes/urn:sj:42/applications", {"subsystem": "amocrm"}, format="json", **headers
    )
    Application.objects.filter(resume_urn="urn:sj:42").update(status="closed")
    api.take({"subsystem": "amocrm"}, path="/api/v1/resumes/urn:sj:42/applications")
    return api


def test_applications_lists_the_organizations_applications_newest_first(taken):
    body = taken.get("/api/v1/applications").json()
    assert body["count"] == 3
    rows = [(r["resume_urn"], r["subsystem"], r["status"]) for r in body["results"]]
    assert rows == [
        ("urn:sj:42", "amocrm", "open"),
        ("urn:sj:42", "amocrm", "closed"),
        (URN, "tracker", "open"),
    ]
    assert body["results"][1]["recruiter"] == "Борис Котов"


def test_applications_filter_by_status_and_page(taken):
    body = taken.get("/api/v1/applications?status=open&limit=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1
    second = taken.get("/api/v1/applications?status=open&limit=1&offset=1").json()
    assert second["results"][0]["resume_urn"] == URN
    closed = taken.get("/api/v1/applications?status=closed").json()
    assert [r["status"] for r in closed["results"]] == ["closed"]


def test_applications_filter_like_the_workspace_page(taken, recruiter):
    mine = taken.get("/api/v1/applications?scope=mine").json()
    assert mine["count"] == 2 and "Борис Котов" not in {r["recruiter"] for r in mine["results"]}
    amo = taken.get("/api/v1/applications?subsystem=amocrm&state=open").json()
    assert [(r["subsystem"], r["status"]) for r in amo["results"]] == [("amocrm", "open")]
    named = taken.get("/api/v1/applications?q=иванов").json()
    assert [r["resume_urn"] for r in named["results"]] == [URN]


@pytest.mark.parametrize("query", ["scope=all", "state=pending", "subsystem=jira"])
def test_workspace_bad_filter_is_invalid_argument(api, query):
    error(api.get(f"/api/v1/applications?{query}"), 400, "INVALID_ARGUMENT")


@pytest.mark.parametrize("query", ["status=done", "limit=0", "limit=201", "offset=-1", "limit=x"])
def test_applications_bad_filter_is_invalid_argument(api, query):
    error(api.get(f"/api/v1/applications?{query}"), 400, "INVALID_ARGUMENT")


def test_resume_applications_list_its_history(taken):
    body = taken.get("/api/v1/resumes/urn:sj:42/applications").json()
    assert [r["status"] for r in body["results"]] == ["open", "closed"]
    assert taken.get(PATH).json()["count"] == 1


def test_resume_applications_of_a_malformed_urn_is_invalid_argument(api):
    error(api.get("/api/v1/resumes/urn:zz:1/applications"), 400, "INVALID_ARGUMENT")


def test_organizations_never_see_each_others_applications(taken, other_organization):
    stranger = User.objects.create_user(username="gleb", organization=other_organization)
    client, _headers = client_for(stranger)
    assert client.get("/api/v1/applications").json() == {"count": 0, "results": []}
    assert client.get(PATH).json() == {"count": 0, "results": []}


def test_other_organizations_connection_and_contacts_are_not_used(taken, other_organization):
    stranger = User.objects.create_user(username="gleb", organization=other_organization)
    client, headers = client_for(stranger)
    response = client.post(PATH, {"subsystem": "tracker"}, format="json", **headers)
    error(response, 400, "FAILED_PRECONDITION")
    SubsystemConnection.objects.create(
        organization=other_organization,
        subsystem=Subsystem.TRACKER,
        account="org-globex",
        access_token="y0_other",
        queues="HIRE",
    )
    known(other_organization)
    response = client.post(PATH, {"subsystem": "tracker"}, format="json", **headers)
    assert response.status_code == 201 and response.json()["recruiter"] == "gleb"
    assert taken.get(PATH).json()["results"][0]["recruiter"] == "anna"


def test_applications_need_authentication(api_client):
    error(api_client.get("/api/v1/applications"), 401, "UNAUTHENTICATED")


def test_take_through_the_api_refuses_another_resume_of_the_same_card(
    api, recruiter, colleague, tracker
):
    sj = "urn:sj:777"
    known(recruiter.organization)
    known(recruiter.organization, urn=sj)
    first = api.take(
        {"subsystem": "tracker", "card_urns": [URN]}, path=f"/api/v1/resumes/{sj}/applications"
    )
    assert first.status_code == 201
    client, headers = client_for(colleague)
    response = client.post(
        PATH, {"subsystem": "tracker", "card_urns": [sj]}, format="json", **headers
    )
    assert "anna" in error(response, 409, "ALREADY_EXISTS")["message"]
    assert TrackerIssue.objects.count() == 1


# --- subsystem failures in plain words, in the reader's language --------------------


@pytest.fixture
def english():
    """Pages and API answers in English, as the language switcher sets it."""
    yield "en"
    translation.activate(settings.LANGUAGE_CODE)  # requests activate it in this thread


def in_language(language: str, msgid: str, **params) -> str:
    with translation.override(language):
        return translation.gettext(msgid) % {k: str(v) for k, v in params.items()}


AMBIGUOUS = (
    "%(system)s did not answer clearly. It may or may not have been created; "
    "trying again is safe, nothing will be duplicated."
)


def test_subsystem_down_is_said_in_russian_by_default_even_for_an_english_browser(
    api, recruiter, amo, settings
):
    known(recruiter.organization)
    settings.HTTP_MAX_RETRIES = 0
    set_faults("amocrm", error_rate=1.0, error_status=503)
    response = api.post(
        PATH,
        {"subsystem": "amocrm"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
        **csrf_headers(api),
    )
    body = error(response, 503, "UNAVAILABLE")
    assert body["message"] == "amoCRM временно недоступен. Попробуйте ещё раз через минуту."
    assert body["details"]["detail"] == "amocrm answered HTTP 503"  # the vendor's, for logs
    assert not Application.objects.exists()


def test_subsystem_down_is_said_in_english_when_english_is_chosen(
    api, recruiter, amo, settings, english
):
    known(recruiter.organization)
    settings.HTTP_MAX_RETRIES = 0
    set_faults("amocrm", error_rate=1.0, error_status=503)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = english
    body = error(api.take({"subsystem": "amocrm"}), 503, "UNAVAILABLE")
    assert body["message"] == "amoCRM is temporarily unavailable. Please try again in a minute."


@pytest.mark.parametrize("language", ["ru", "en"])
def test_unclear_create_is_explained_without_the_vendor_text(
    api, recruiter, tracker, settings, language
):
    known(recruiter.organization)
    connection_catalogue_refresh(connection=tracker)
    settings.HTTP_MAX_RETRIES = 0
    set_faults("tracker", error_rate=1.0, error_status=503)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = error(api.take({"subsystem": "tracker"}), 503, "UNAVAILABLE")
    translation.activate(settings.LANGUAGE_CODE)
    assert body["message"] == in_language(language, AMBIGUOUS, system=Subsystem.TRACKER.label)
    assert "HTTP" not in body["message"] and "tracker answered" not in body["message"]
    assert Application.objects.get().status == "pending"


def test_subsystem_rate_limit_is_resource_exhausted_in_plain_words(
    api, recruiter, amo, settings, english
):
    known(recruiter.organization)
    connection_catalogue_refresh(connection=amo)
    settings.HTTP_MAX_RETRIES = 0
    set_faults("amocrm", error_rate=1.0, error_status=429)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = english
    body = error(api.take({"subsystem": "amocrm"}), 429, "RESOURCE_EXHAUSTED")
    assert body["message"] == "amoCRM is busy with too many requests; try again in a minute"
    assert "7 requests" in body["details"]["detail"]
    assert not Application.objects.exists()  # refused before anything was created


def test_our_own_rate_limit_queue_overflow_reads_like_the_subsystem_is_busy():
    class NoSlots(RateLimiter):
        LOOKAHEAD = 0  # every slot taken: the queue is full

    with pytest.raises(errors.ResourceExhausted) as exc:
        NoSlots(7, key="test").acquire()
    with translation.override("en"):
        plain = subsystem_error("amocrm", exc.value)
    assert isinstance(plain, errors.ResourceExhausted)
    assert plain.message == "amoCRM is busy with too many requests; try again in a minute"
    assert "queue is full" in plain.details["detail"]
