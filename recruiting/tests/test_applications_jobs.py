"""Background jobs over HTTP against the emulators: polling, contacts, tokens."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests
from django.utils import timezone, translation

from core import errors
from core.models import JobRun
from recruiting.models import Application, KnownContact
from recruiting.selectors.applications import applications_for_urns
from recruiting.services import job_runs
from recruiting.services.applications import application_create
from recruiting.services.contacts import contacts_open
from recruiting.tests.applications_support import candidate
from sandbox.faults import set_faults
from sandbox.models import ResumeEvent
from sandbox.subsystem_models import AmoContact, AmoLead, TrackerIssue

pytestmark = pytest.mark.django_db(transaction=True)


def poll() -> JobRun:
    return job_runs.applications_poll_run(trigger=JobRun.Trigger.COMMAND)


def test_tracker_status_change_reaches_the_card_after_a_poll(recruiter, tracker, emulators):
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    url = f"{emulators}/tracker/v2/issues/{app.application_id}/transitions/start_progress/_execute"
    headers = {"Authorization": "OAuth y0_token", "X-Org-ID": "org-acme"}
    assert requests.post(url, headers=headers, timeout=5).status_code == 200
    run = poll()
    assert run.status == "success" and run.counters["changed"] == 1
    info = applications_for_urns(recruiter.organization, [app.resume_urn])[app.resume_urn]
    assert (info.status, info.status_label) == ("open", "В работе")
    requests.post(url.replace("start_progress", "close"), headers=headers, timeout=5)
    poll()
    app.refresh_from_db()
    assert app.status == "closed" and app.external_status == "closed" and app.closed_at


def test_an_issue_reopened_in_tracker_is_open_here_again(recruiter, colleague, tracker, emulators):
    """Closed, then reopened in Tracker: open here again, so a colleague is
    told it is in work rather than taking the person a second time."""
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    issue = f"{emulators}/tracker/v2/issues/{app.application_id}/transitions"
    headers = {"Authorization": "OAuth y0_token", "X-Org-ID": "org-acme"}
    requests.post(f"{issue}/close/_execute", headers=headers, timeout=5)
    poll()
    app.refresh_from_db()
    assert app.status == "closed"
    assert requests.post(f"{issue}/reopen/_execute", headers=headers, timeout=5).ok
    run = poll()
    app.refresh_from_db()
    assert (app.status, app.closed_at, run.counters["reopened"]) == ("open", None, 1)
    with pytest.raises(errors.AlreadyExists):
        application_create(recruiter=colleague, candidate=candidate(), subsystem="tracker")
    assert TrackerIssue.objects.count() == 1


def test_a_closed_issue_reopened_after_the_person_was_taken_again_stays_closed(
    recruiter, tracker, emulators
):
    first = application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    headers = {"Authorization": "OAuth y0_token", "X-Org-ID": "org-acme"}
    issue = f"{emulators}/tracker/v2/issues/{first.application_id}/transitions"
    requests.post(f"{issue}/close/_execute", headers=headers, timeout=5)
    poll()
    second = application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    requests.post(f"{issue}/reopen/_execute", headers=headers, timeout=5)
    run = poll()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("closed", "open")
    assert run.status == "success" and run.counters.get("reopened", 0) == 0


def test_a_reopened_issue_stays_closed_when_the_person_was_taken_through_another_resume(
    recruiter, tracker, emulators
):
    """The card's SuperJob resume taken since: reopening the old issue would
    give the person two applications in work."""
    sj = "urn:sj:777"
    first = application_create(
        recruiter=recruiter, candidate=candidate(), subsystem="tracker", card_urns=[sj]
    )
    headers = {"Authorization": "OAuth y0_token", "X-Org-ID": "org-acme"}
    issue = f"{emulators}/tracker/v2/issues/{first.application_id}/transitions"
    requests.post(f"{issue}/close/_execute", headers=headers, timeout=5)
    poll()
    application_create(recruiter=recruiter, candidate=candidate(sj), subsystem="tracker")
    requests.post(f"{issue}/reopen/_execute", headers=headers, timeout=5)
    poll()
    first.refresh_from_db()
    assert first.status == "closed"
    assert Application.objects.filter(status="open").count() == 1


def test_tracker_status_moves_by_itself_over_time(recruiter, tracker):
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    TrackerIssue.objects.update(updated_at=timezone.now() - timedelta(hours=2))
    poll()
    app.refresh_from_db()
    assert app.external_status == "inProgress"


def test_amocrm_won_lead_closes_the_application(recruiter, amo):
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    AmoLead.objects.update(status_id=7000012)
    poll()
    app.refresh_from_db()
    assert (app.status, app.external_status_display) == ("open", "Подбор персонала: Интервью")
    AmoLead.objects.update(status_id=142)
    poll()
    app.refresh_from_db()
    assert app.status == "closed" and app.external_status == "7000001:142"


def test_system_stage_missing_from_the_catalogue_is_named_in_the_readers_language(recruiter, amo):
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    # A catalogue read before the account listed its system stages.
    amo.catalogue = {
        "pipelines": [{"id": 7000001, "name": "Подбор", "is_main": True, "stages": []}]
    }
    amo.catalogue_updated_at = timezone.now()
    amo.save()
    AmoLead.objects.update(status_id=142)
    poll()
    app.refresh_from_db()
    assert app.status == "closed" and app.external_status_display == ""  # nothing frozen
    with translation.override("en"):
        info = applications_for_urns(recruiter.organization, [app.resume_urn])[app.resume_urn]
    assert info.status_label == "Closed – won"


def test_deleted_lead_is_marked_closed_and_the_row_kept(recruiter, amo):
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    AmoLead.objects.update(is_deleted=True)
    run = poll()
    app.refresh_from_db()
    assert run.counters["deleted"] == 1
    assert app.is_deleted_externally and app.status == "closed" and app.application_id
    with translation.override("en"):
        assert app.status_label == "deleted in the subsystem"  # polled in Russian
    # the candidate can be taken again: a new lead, a new application
    again = application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    assert again.pk != app.pk and Application.objects.count() == 2


def test_429_is_waited_out_and_every_update_lands(recruiter, amo):
    apps = [
        application_create(
            recruiter=recruiter, candidate=candidate(f"urn:hh:r{i}"), subsystem="amocrm"
        )
        for i in range(3)
    ]
    AmoLead.objects.update(status_id=143)
    set_faults("amocrm", fail_next=2, error_status=429)
    run = poll()
    assert run.status == "success"
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in apps])} == {"closed"}


def test_429_storm_marks_the_run_partial_and_loses_nothing(recruiter, amo, settings):
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    AmoLead.objects.update(status_id=143)
    settings.HTTP_MAX_RETRIES = 1
    set_faults("amocrm", error_rate=1.0, error_status=429)
    run = poll()
    app.refresh_from_db()
    assert run.status == "partial" and "rate limit" in run.message
    assert app.status == "open"  # untouched, and first in line next time
    set_faults("amocrm", error_rate=0.0)
    poll()
    app.refresh_from_db()
    assert app.status == "closed"


def test_emulator_enforces_7_rps_and_the_adapter_stays_under_it(amo, emulators):
    url = f"{emulators}/amocrm/burst/api/v4/leads/pipelines"
    with requests.Session() as session:
        codes = [
            session.get(url, headers={"Authorization": "Bearer t"}, timeout=5).status_code
            for _ in range(12)
        ]
    assert 429 in codes
    from recruiting.services.subsystems import amocrm_client

    client = amocrm_client(amo, max_retries=0)
    for _ in range(15):
        client.pipelines()  # max_retries=0: a single 429 would raise


def test_stale_pending_claim_is_reconciled_by_the_poller(recruiter, tracker):
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    Application.objects.update(status="pending", application_id="", claimed_until=timezone.now())
    run = poll()
    app.refresh_from_db()
    assert run.counters["reconciled"] == 1 and app.status == "open" and app.application_id


def test_contacts_known_in_amocrm_are_stored_per_resume(recruiter, amo):
    application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    job_runs.known_contacts_pull_run(trigger=JobRun.Trigger.COMMAND)
    known = KnownContact.objects.get()
    assert known.resume_urn == "urn:hh:abc123" and known.organization == recruiter.organization
    assert known.contacts["phones"] == ["+79991234567"]
    assert known.contacts["emails"] == ["ivan@example.com"]


def test_contacts_known_in_amocrm_reach_the_other_resumes_of_the_card(recruiter, amo):
    """Taken from hh.ru with its SuperJob resume on the same card: the lead's
    contacts make the SuperJob resume's contacts free for the organization."""
    sj = "urn:sj:777"
    app = application_create(
        recruiter=recruiter, candidate=candidate(), subsystem="amocrm", card_urns=[sj]
    )
    assert app.params["card_urns"] == [sj]
    job_runs.known_contacts_pull_run(trigger=JobRun.Trigger.COMMAND)
    known = KnownContact.objects.get(resume_urn=sj)
    assert known.organization == recruiter.organization and known.source == "amocrm"
    assert known.contacts["phones"] == ["+79991234567"]
    opened = contacts_open(recruiter=recruiter, urn=sj)  # no SuperJob connection needed
    assert (opened.phones, opened.source) == (("+79991234567",), "amocrm")
    assert not ResumeEvent.objects.filter(system="superjob").exists()
    assert KnownContact.objects.filter(resume_urn="urn:hh:abc123").exists()


def test_a_number_typed_two_ways_in_amocrm_is_one_known_contact_phone(recruiter, amo):
    application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    lead = AmoLead.objects.get()
    typed = lead.contacts.get()
    typed.custom_fields_values = [_amo_phone("8 (999) 123-45-67")]
    typed.save()
    again = AmoContact.objects.create(
        account=typed.account, custom_fields_values=[_amo_phone("+7 999 123 45 67 ")]
    )
    lead.contacts.add(again)
    job_runs.known_contacts_pull_run(trigger=JobRun.Trigger.COMMAND)
    assert KnownContact.objects.get().contacts["phones"] == ["+79991234567"]


def _amo_phone(value: str) -> dict:
    return {"field_code": "PHONE", "values": [{"value": value, "enum_code": "WORK"}]}


def test_expiring_oauth_token_is_refreshed_and_the_new_pair_stored(amo):
    amo.auth_mode = "oauth"
    amo.client_id, amo.client_secret = "client", "secret"
    amo.refresh_token = "sbx-refresh-first"
    amo.token_expires_at = timezone.now() + timedelta(minutes=5)
    amo.save()
    job_runs.subsystem_tokens_refresh_run(trigger=JobRun.Trigger.COMMAND)
    amo.refresh_from_db()
    assert amo.refresh_token.startswith("sbx-refresh-") and amo.refresh_token != "sbx-refresh-first"
    assert amo.token_expires_at > timezone.now() + timedelta(hours=23)
    run = JobRun.objects.filter(job="subsystem_tokens_refresh").first()
    assert run.counters["refreshed"] == 1
    job_runs.subsystem_tokens_refresh_run(
        trigger=JobRun.Trigger.COMMAND
    )  # fresh now: not spent again
    assert (
        JobRun.objects.filter(job="subsystem_tokens_refresh").first().counters.get("refreshed")
        is None
    )


def test_expiring_long_lived_token_makes_the_run_partial(tracker):
    tracker.token_expires_at = timezone.now() + timedelta(days=3)
    tracker.save()
    job_runs.subsystem_tokens_refresh_run(trigger=JobRun.Trigger.COMMAND)
    run = JobRun.objects.filter(job="subsystem_tokens_refresh").first()
    assert run.status == "partial" and "expires" in run.message


def test_jobs_have_health_checks(client, recruiter, tracker):
    poll()
    response = client.get("/health/jobs/applications_poll/")
    assert response.status_code == 200 and response.json()["status"] == "OK"


def test_admin_lists_and_poll_now_action_polls_the_selection(admin_client, recruiter, tracker):
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="tracker")
    TrackerIssue.objects.update(status="closed", resolution="fixed")
    for url in ("/admin/recruiting/application/", "/admin/recruiting/subsystemconnection/"):
        assert admin_client.get(url, {"q": "abc"}).status_code == 200
    assert (
        admin_client.get(f"/admin/recruiting/subsystemconnection/{tracker.pk}/change/").status_code
        == 200
    )
    response = admin_client.post(
        "/admin/recruiting/application/",
        {"action": "poll_now", "_selected_action": [app.pk]},
        follow=True,
    )
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.status == "closed"
    assert JobRun.objects.filter(job="applications_poll", trigger="admin").exists()


def test_admin_form_keeps_a_stored_secret_when_left_empty(tracker):
    from recruiting.admin.applications import SubsystemConnectionForm

    data = {f: getattr(tracker, f) or "" for f in SubsystemConnectionForm.Meta.fields}
    data.update(organization=tracker.organization_id, access_token="", token_expires_at="")
    form = SubsystemConnectionForm(data=data, instance=tracker)
    assert form.is_valid(), form.errors
    form.save()
    tracker.refresh_from_db()
    assert tracker.access_token == "y0_token"


def test_amocrm_create_landing_after_the_poller_gave_up_is_not_duplicated_on_retry(
    recruiter, amo, settings
):
    """The create times out but lands late; the poller gives the stale claim up
    before the lead exists; the next take must still find it by its marker."""
    application_create(
        recruiter=recruiter, candidate=candidate("urn:hh:warmup"), subsystem="amocrm"
    )
    settings.HTTP_READ_TIMEOUT = 0.3
    set_faults("amocrm", latency_ms=1500)
    with pytest.raises(errors.DeadlineExceeded):
        application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    set_faults("amocrm", latency_ms=0)
    settings.HTTP_READ_TIMEOUT = 5.0
    long_ago = timezone.now() - timedelta(hours=2)
    Application.objects.filter(status="pending").update(created_at=long_ago, claimed_until=long_ago)
    run = poll()
    assert run.counters.get("released") == 1
    assert not Application.objects.filter(
        status__in=["pending", "open"], resume_urn="urn:hh:abc123"
    ).exists()
    time.sleep(1.6)  # the emulator finishes the create we gave up on
    assert AmoLead.objects.filter(name__contains="Иванов Иван").count() == 2  # warm-up + it
    app = application_create(recruiter=recruiter, candidate=candidate(), subsystem="amocrm")
    assert app.status == "open"
    assert AmoLead.objects.filter(name__contains="Иванов Иван").count() == 2
    assert app.application_id == str(AmoLead.objects.order_by("pk").last().pk)


def test_expiring_token_reads_in_the_readers_language_on_health_and_admin(
    client, admin_client, settings, tracker
):
    earlier = timezone.now() - timedelta(minutes=5)  # fresh: health shows the last run's reason
    JobRun.objects.create(
        job="subsystem_tokens_refresh", started_at=earlier, finished_at=earlier, status="success"
    )
    tracker.token_expires_at = timezone.now() + timedelta(days=3)
    tracker.save()
    job_runs.subsystem_tokens_refresh_run(trigger=JobRun.Trigger.COMMAND)
    run = JobRun.objects.filter(job="subsystem_tokens_refresh").first()
    assert run.details["messages"][0]["code"] == "recruiting.token_expires"
    day = f"{tracker.token_expires_at:%Y-%m-%d}"
    for language, words in (("ru", f"токен истекает {day}"), ("en", f"token expires {day}")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        assert words in client.get("/health/jobs/subsystem_tokens_refresh/").json()["message"]
        page = admin_client.get(f"/admin/core/jobrun/{run.pk}/change/").content.decode()
        assert words in page
