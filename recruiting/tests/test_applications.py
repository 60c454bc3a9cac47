"""Take into work, end to end through the adapters and the emulators over HTTP."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import responses
from django.utils import timezone, translation

from core import errors
from core.models import JobRun, User
from recruiting import tasks
from recruiting.models import Application, Subsystem, SubsystemConnection
from recruiting.selectors.applications import applications_for_urns
from recruiting.services.applications import application_create
from recruiting.services.subsystems import connection_catalogue_refresh
from recruiting.tests.applications_support import candidate
from recruiting.tests.conftest import AMO_LINK_FIELD
from sandbox.faults import set_faults
from sandbox.subsystem_models import AmoLead, TrackerIssue

TRACKER_FIXTURES = Path(__file__).parent / "fixtures" / "tracker"

pytestmark = pytest.mark.django_db(transaction=True)


def test_take_into_tracker_creates_one_issue_and_an_open_application(recruiter, tracker):
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    issue = TrackerIssue.objects.get()
    assert (app.status, app.application_id, app.external_status) == ("open", issue.key, "open")
    assert issue.queue == "HIRE" and issue.unique == app.idempotency_key
    assert (
        "https://hh.ru/resume/abc123" in issue.description and "+79991234567" in issue.description
    )


def test_take_into_amocrm_creates_a_lead_with_a_linked_contact(recruiter, amo):
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    lead = AmoLead.objects.get()
    assert app.application_id == str(lead.pk) and app.status == "open"
    assert lead.name.startswith("Кандидат: Иванов Иван")
    assert (lead.pipeline_id, lead.status_id) == (7000001, 7000011)
    assert app.external_status_display == "Подбор персонала: Новый кандидат"
    [contact] = lead.contacts.all()
    assert (contact.first_name, contact.last_name) == ("Иван", "Иванов")
    assert app.idempotency_key in [t["name"] for t in lead.tags]
    assert lead.custom_fields_values == [
        {"field_id": AMO_LINK_FIELD, "values": [{"value": "https://hh.ru/resume/abc123"}]}
    ]


def test_second_recruiter_is_told_who_has_it_and_its_status(recruiter, colleague, tracker):
    application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    with pytest.raises(errors.AlreadyExists) as exc:
        application_create(recruiter=colleague, candidate=candidate(), subsystem="tracker")
    assert "anna" in exc.value.message and "Открыт" in exc.value.message
    assert TrackerIssue.objects.count() == 1 and Application.objects.count() == 1


def test_same_recruiter_clicking_again_gets_the_same_application(recruiter, amo):
    first = application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    again = application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    assert again.pk == first.pk and AmoLead.objects.count() == 1


def test_subsystem_not_configured_is_a_failed_precondition(recruiter, emulators):
    with pytest.raises(errors.FailedPrecondition) as exc:
        application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    assert any(w in exc.value.message for w in ("not configured", "не настроен"))
    assert not Application.objects.exists()


def test_unknown_subsystem_is_invalid_argument(recruiter, emulators):
    with pytest.raises(errors.InvalidArgument):
        application_create(recruiter=recruiter, candidate=candidate(), subsystem="crowd")


def test_malformed_urn_is_invalid_argument(recruiter, tracker):
    with pytest.raises(errors.InvalidArgument):
        application_create(recruiter=recruiter, candidate=candidate("hh:123"), subsystem="tracker")


def test_pipeline_that_does_not_exist_is_not_found_and_leaves_no_claim(recruiter, amo):
    with pytest.raises(errors.NotFound) as exc:
        application_create(
            recruiter=recruiter, candidate=candidate(), subsystem="amocrm", pipeline_id=123
        )
    assert any(w in exc.value.message for w in ("Pipeline 123", "Воронки 123"))
    assert not Application.objects.exists() and not AmoLead.objects.exists()


def test_queue_that_does_not_exist_is_not_found(recruiter, tracker):
    tracker.queues = "HIRE,NOPE"
    tracker.save()
    with pytest.raises(errors.NotFound) as exc:
        application_create(
            recruiter=recruiter, candidate=candidate(), subsystem="tracker", queue="NOPE"
        )
    assert "NOPE" in exc.value.message and not Application.objects.exists()


def test_revoked_token_is_unauthenticated_and_releases_the_claim(recruiter, tracker):
    tracker.access_token = "revoked-token"
    tracker.save()
    with pytest.raises(errors.Unauthenticated):
        application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    assert not Application.objects.exists()


def test_tracker_timeout_then_retry_creates_exactly_one_issue(recruiter, tracker, settings):
    connection_catalogue_refresh(connection=tracker)
    settings.HTTP_READ_TIMEOUT = 0.3
    settings.HTTP_MAX_RETRIES = 0
    set_faults("tracker", latency_ms=800)
    with pytest.raises(errors.DeadlineExceeded):
        application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    assert Application.objects.get().status == "pending"
    time.sleep(1.0)  # the emulator finishes the request we gave up on
    set_faults("tracker", latency_ms=0)
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    assert app.status == "open" and TrackerIssue.objects.count() == 1
    assert app.application_id == TrackerIssue.objects.get().key


def test_amocrm_timeout_then_retry_reconciles_by_marker_instead_of_creating_again(
    recruiter, amo, settings
):
    application_create(
        recruiter=recruiter, candidate=candidate("urn:hh:warmup"), subsystem="amocrm"
    )
    settings.HTTP_READ_TIMEOUT = 0.3
    set_faults("amocrm", latency_ms=800)
    with pytest.raises(errors.DeadlineExceeded) as exc:
        application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    assert any(w in exc.value.message for w in ("safe", "безопасно"))
    time.sleep(1.0)
    set_faults("amocrm", latency_ms=0)
    settings.HTTP_READ_TIMEOUT = 5.0
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    assert app.status == "open"
    assert AmoLead.objects.filter(name__contains="Иванов Иван").count() == 2  # warm-up + this one
    assert app.application_id == str(AmoLead.objects.order_by("pk").last().pk)


def test_amocrm_lead_never_created_is_created_on_retry(recruiter, amo, settings):
    settings.HTTP_MAX_RETRIES = 0
    set_faults("amocrm", fail_next=1, error_status=503)
    application_create(
        recruiter=recruiter, candidate=candidate(), subsystem="amocrm"
    ) if False else None
    # the pipelines read fails first: nothing is claimed
    with pytest.raises(errors.Unavailable):
        application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    assert not Application.objects.exists()
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    assert app.status == "open" and AmoLead.objects.count() == 1


def test_a_fresh_claim_keeps_others_out_until_it_settles(recruiter, colleague, tracker):
    application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    Application.objects.update(status="pending", claimed_until="2999-01-01T00:00:00Z")
    with pytest.raises(errors.AlreadyExists) as exc:
        application_create(recruiter=colleague, candidate=candidate(), subsystem="tracker")
    assert any(w in exc.value.message for w in ("right now", "прямо сейчас"))


def test_organizations_never_see_each_other_applications(recruiter, tracker, other_organization):
    application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    SubsystemConnection.objects.create(
        organization=other_organization,
        subsystem=Subsystem.TRACKER,
        account="org-globex",
        access_token="y0_other",
        queues="HIRE",
    )
    stranger = User.objects.create_user(username="gleb", organization=other_organization)
    assert applications_for_urns(other_organization, ["urn:hh:abc123"]) == {}
    theirs = application_create(recruiter=stranger, candidate=candidate(), subsystem="tracker")
    assert theirs.organization == other_organization and theirs.status == "open"
    ours = applications_for_urns(recruiter.organization, ["urn:hh:abc123"])["urn:hh:abc123"]
    assert ours.recruiter == "anna"
    assert sorted(TrackerIssue.objects.values_list("org_id", flat=True)) == [
        "org-acme",
        "org-globex",
    ]


def test_cards_show_status_and_who_took_it(recruiter, colleague, tracker, amo):
    application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    application_create(recruiter=colleague, candidate=candidate("urn:sj:42"), subsystem="amocrm")
    infos = applications_for_urns(
        recruiter.organization, ["urn:hh:abc123", "urn:sj:42", "urn:hh:none"]
    )
    assert set(infos) == {"urn:hh:abc123", "urn:sj:42"}
    assert (infos["urn:hh:abc123"].status_label, infos["urn:hh:abc123"].recruiter) == (
        "Открыт",
        "anna",
    )
    assert infos["urn:sj:42"].recruiter == "Борис Котов" and infos["urn:sj:42"].is_active


@pytest.mark.parametrize("queue", ["../issues", "hire", "HIRE/../x", "H", "HIRE?x=1", "ДЕВ"])
def test_malformed_queue_key_is_refused_before_calling_tracker(recruiter, tracker, queue):
    with pytest.raises(errors.InvalidArgument):
        application_create(
            recruiter=recruiter, candidate=candidate(), subsystem="tracker", queue=queue
        )
    assert not Application.objects.exists() and not TrackerIssue.objects.exists()


def test_queue_not_configured_for_the_organization_is_refused(recruiter, tracker):
    with pytest.raises(errors.NotFound) as exc:
        application_create(
            recruiter=recruiter, candidate=candidate(), subsystem="tracker", queue="OPS"
        )
    assert "OPS" in exc.value.message and not TrackerIssue.objects.exists()


def test_no_configured_queues_asks_for_an_administrator(recruiter, tracker):
    tracker.queues = ""
    tracker.save()
    with pytest.raises(errors.FailedPrecondition) as exc:
        application_create(
            recruiter=recruiter, candidate=candidate(), subsystem="tracker", queue="HIRE"
        )
    assert "administrator" in exc.value.message or "администратор" in exc.value.message
    assert not Application.objects.exists() and not TrackerIssue.objects.exists()


def test_connection_with_a_malformed_queue_key_does_not_validate(organization):
    from django.core.exceptions import ValidationError

    connection = SubsystemConnection(
        organization=organization, subsystem=Subsystem.TRACKER, account="x", queues="HIRE,../y"
    )
    with pytest.raises(ValidationError):
        connection.clean()


TRACKER = "https://api.tracker.yandex.net"


@responses.activate
def test_tracker_409_without_a_readable_issue_keeps_the_claim_for_the_poller(recruiter):
    """Tracker says the issue exists, but _findByUnique cannot show it yet: the
    claim (the only trace of that issue on our side) stays PENDING, and the
    poller settles it once _findByUnique answers the issue with our marker."""
    SubsystemConnection.objects.create(
        organization=recruiter.organization,
        subsystem=Subsystem.TRACKER,
        account="org-acme",
        base_url=TRACKER,
        access_token="y0_token",
        queues="HIRE",
    )
    issue = json.loads((TRACKER_FIXTURES / "issue.json").read_text())
    responses.get(f"{TRACKER}/v2/queues/HIRE", json={"key": "HIRE", "name": "Найм"})
    responses.post(f"{TRACKER}/v2/issues/", status=409)  # no body, as the client's tests
    responses.post(f"{TRACKER}/v2/issues/_findByUnique", status=404)  # not visible yet
    with pytest.raises(errors.Unavailable) as exc:
        application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    assert "409" not in exc.value.message
    app = Application.objects.get()
    assert app.status == "pending" and app.claimed_until <= timezone.now()
    caught_up = issue | {"unique": app.idempotency_key}
    responses.post(f"{TRACKER}/v2/issues/_findByUnique", json=caught_up)
    tasks.applications_poll(trigger=JobRun.Trigger.COMMAND)
    app.refresh_from_db()
    assert (app.status, app.application_id) == ("open", "HIRE-17")
    read_backs = [c.request for c in responses.calls if "_findByUnique" in c.request.url]
    assert {r.params["unique"] for r in read_backs} == {app.idempotency_key}
    searched = [json.loads(c.request.body) for c in responses.calls if "_search" in c.request.url]
    assert all("filter" not in body for body in searched)  # keys polling only


@responses.activate
def test_tracker_poller_never_links_a_strangers_issue_found_by_unique(recruiter):
    """A read-back answering an issue whose `unique` is not our marker is not
    adopted: the claim stays PENDING instead of pointing at a stranger's issue."""
    SubsystemConnection.objects.create(
        organization=recruiter.organization,
        subsystem=Subsystem.TRACKER,
        account="org-acme",
        base_url=TRACKER,
        access_token="y0_token",
        queues="HIRE",
    )
    issue = json.loads((TRACKER_FIXTURES / "issue.json").read_text())
    responses.get(f"{TRACKER}/v2/queues/HIRE", json={"key": "HIRE", "name": "Найм"})
    responses.post(f"{TRACKER}/v2/issues/", status=409)
    responses.post(f"{TRACKER}/v2/issues/_findByUnique", json=issue | {"unique": "another"})
    with pytest.raises(errors.Unavailable):
        application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    tasks.applications_poll(trigger=JobRun.Trigger.COMMAND)
    app = Application.objects.get()
    assert (app.status, app.application_id) == ("pending", "")


def test_a_conflict_answer_to_a_create_is_an_unclear_outcome_not_a_refusal(
    recruiter, amo, settings
):
    connection_catalogue_refresh(connection=amo)
    settings.HTTP_MAX_RETRIES = 0
    set_faults("amocrm", fail_next=1, error_status=409)
    with pytest.raises(errors.Unavailable):
        application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    assert Application.objects.get().status == "pending"  # kept for the marker lookup
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    assert app.status == "open" and AmoLead.objects.count() == 1


# --- the resume link on amoCRM leads --------------------------------------------------


def amo_form_data(organization, **changes) -> dict:
    data = {
        "organization": organization.pk,
        "subsystem": "amocrm",
        "is_active": "on",
        "account": "acme",
        "auth_mode": "long_lived",
        "access_token": "long-lived-token",
        "org_header": "X-Org-ID",
        "closed_statuses": "closed",
    }
    return {**data, **changes}


def test_amocrm_connection_without_a_resume_link_field_is_refused_in_the_admin(
    admin_client, organization
):
    page = admin_client.post(
        "/admin/recruiting/subsystemconnection/add/", amo_form_data(organization)
    )
    assert page.status_code == 200 and not SubsystemConnection.objects.exists()
    errors_shown = page.context["adminform"].form.errors
    assert list(errors_shown) == ["link_field_id"]
    assert "lead" in errors_shown["link_field_id"][0] or "сдел" in errors_shown["link_field_id"][0]
    page = admin_client.post(
        "/admin/recruiting/subsystemconnection/add/",
        amo_form_data(organization, link_field_id=AMO_LINK_FIELD),
    )
    assert page.status_code == 302
    assert SubsystemConnection.objects.get().link_field_id == AMO_LINK_FIELD


def test_tracker_connection_needs_no_resume_link_field(organization):
    SubsystemConnection(
        organization=organization, subsystem=Subsystem.TRACKER, account="x", queues="HIRE"
    ).clean()


def test_amocrm_refusing_the_link_field_is_said_plainly_and_leaves_no_claim(recruiter, amo):
    amo.link_field_id = 999  # no such field of leads in the account
    amo.save()
    with translation.override("en"), pytest.raises(errors.InvalidArgument) as exc:
        application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    assert exc.value.message == (
        "amoCRM refused the request as invalid; ask an administrator to check the "
        "connection settings"
    )
    assert "custom_fields_values.0.field_id" in exc.value.details["detail"]
    assert not Application.objects.exists() and not AmoLead.objects.exists()


def test_a_row_gone_from_the_middle_leaves_the_next_take_a_fresh_marker(recruiter, tracker):
    """The next generation was the row count plus one: with an older row gone,
    it was the newest row's, and every take said "please try again"."""
    first = application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    Application.objects.filter(pk=first.pk).update(status="closed")
    second = application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    Application.objects.filter(pk=second.pk).update(status="closed")
    Application.objects.filter(pk=first.pk).delete()

    third = application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    assert third.status == "open" and third.idempotency_key != second.idempotency_key
    assert TrackerIssue.objects.count() == 3


def test_the_admin_never_deletes_an_application(admin_client, recruiter, tracker):
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    url = f"/admin/recruiting/application/{app.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Application.objects.filter(pk=app.pk).exists()
