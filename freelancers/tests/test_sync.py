"""The certificate sync end to end: the real adapter over HTTP against the emulator."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from core import errors
from core.jobs import run_message_text
from core.models import JobRun
from freelancers import services
from freelancers.models import Certificate, Freelancer
from freelancers.tests.conftest import emulate, make_freelancer
from sandbox.faults import set_faults
from sandbox.models import EmulatedCertificate

pytestmark = pytest.mark.django_db(transaction=True)


def sync(client, **kwargs):
    return services.freelancer_certificates_sync(client=client, **kwargs)


def last_run() -> JobRun:
    return JobRun.objects.filter(job="freelancer_certificates").latest("started_at")


def test_new_certificate_shows_freelancer(certification, today):
    freelancer = make_freelancer(101)
    sync(certification)
    assert Freelancer.objects.get(pk=freelancer.pk).is_searchable is False

    emulate(101, due=today + timedelta(days=200), cert_id="c-101")
    report = sync(certification)

    freelancer.refresh_from_db()
    assert freelancer.is_searchable is True
    assert freelancer.visible_until == today + timedelta(days=200)
    assert freelancer.visibility_reason["code"] == "current"
    assert freelancer.visibility_reason["certificate"] == "c-101"
    assert freelancer.certificates_synced_at is not None
    assert list(freelancer.certificates.values_list("external_id", flat=True)) == ["c-101"]
    assert report.counters["certificates_added"] == 1
    assert report.counters["freelancers_shown"] == 1
    run = last_run()
    assert run.status == JobRun.Status.SUCCESS
    assert run.details["shown"] == [101]
    assert run.details["added"][0]["id"] == "c-101"


def test_expired_certificate_hides_freelancer(certification, today):
    make_freelancer(102)
    emulate(102, due=today + timedelta(days=3), cert_id="c-102")
    sync(certification, today=today)
    assert Freelancer.objects.get(uid=102).is_searchable is True

    report = sync(certification, today=today + timedelta(days=4))

    freelancer = Freelancer.objects.get(uid=102)
    assert freelancer.is_searchable is False
    assert freelancer.visibility_reason == {
        "code": "expired",
        "certificate": "c-102",
        "kind": "direct",
        "due_on": (today + timedelta(days=3)).isoformat(),
    }
    assert report.counters["freelancers_hidden"] == 1
    assert report.counters["certificates_expired"] == 1
    assert last_run().details["hidden"] == [102]


def test_renewed_certificate_shows_freelancer_again(certification, today):
    make_freelancer(103)
    emulate(103, due=today - timedelta(days=10), cert_id="old")
    sync(certification)
    assert Freelancer.objects.get(uid=103).is_searchable is False

    emulate(103, due=today + timedelta(days=365), cert_id="new")
    sync(certification)

    freelancer = Freelancer.objects.get(uid=103)
    assert freelancer.is_searchable is True
    assert freelancer.visibility_reason["certificate"] == "new"
    assert set(freelancer.certificates.values_list("external_id", flat=True)) == {"old", "new"}


def test_certificate_of_a_kind_not_accepted_does_not_show(certification, today):
    make_freelancer(104)
    emulate(104, kind="metrika", due=today + timedelta(days=100))
    sync(certification)
    freelancer = Freelancer.objects.get(uid=104)
    assert freelancer.is_searchable is False
    assert freelancer.visibility_reason == {"code": "none"}
    assert freelancer.certificates.get().kind == "metrika"


def test_service_down_changes_nothing(certification, today):
    make_freelancer(105)
    emulate(105, due=today + timedelta(days=30), cert_id="c-105")
    sync(certification)
    before = Freelancer.objects.values().get(uid=105)
    EmulatedCertificate.objects.all().delete()  # the source now says "no certificates"...
    set_faults("certification", error_rate=1.0, error_status=503)  # ...but cannot be reached

    report = sync(certification)

    assert Freelancer.objects.values().get(uid=105) == before
    assert Certificate.objects.filter(freelancer__uid=105).count() == 1
    assert report.partial is True
    run = last_run()
    assert run.status == JobRun.Status.PARTIAL
    assert run.counters["batches_failed"] == 1
    assert run.counters["freelancers_not_synced"] == 1


def test_failed_batch_leaves_its_freelancers_and_applies_the_rest(certification, today):
    for uid in (201, 202, 203, 204):
        make_freelancer(uid)
        emulate(uid, due=today + timedelta(days=90))
    # Batches of 2, one at a time: every attempt of the first batch fails.
    set_faults("certification", fail_next=3, error_status=500)

    report = sync(certification)

    searchable = set(Freelancer.objects.filter(is_searchable=True).values_list("uid", flat=True))
    assert searchable == {203, 204}
    never_synced = Freelancer.objects.filter(certificates_synced_at__isnull=True)
    assert set(never_synced.values_list("uid", flat=True)) == {201, 202}
    assert report.partial is True
    assert last_run().details["failed_batches"][0]["uids"] == 2


def test_failed_batches_read_in_russian_and_english(certification, today):
    for uid in (201, 202, 203, 204):
        make_freelancer(uid)
        emulate(uid, due=today + timedelta(days=90))
    set_faults("certification", fail_next=3, error_status=500)
    sync(certification)
    run = last_run()
    assert run.details["messages"][0]["code"] == "freelancers.batches_failed"
    with translation.override("ru"):
        assert run_message_text(run) == (
            "не удалось пакетов: 1 из 2; их фрилансеры (2) оставлены без изменений"
        )
    with translation.override("en"):
        assert (
            run_message_text(run)
            == "1 of 2 batches failed; their 2 freelancers were left unchanged"
        )


def test_empty_answer_after_success_hides_but_malformed_answer_does_not(certification, today):
    make_freelancer(301)
    emulate(301, due=today + timedelta(days=30))
    sync(certification)
    set_faults("certification", malformed_rate=1.0)

    sync(certification)
    assert Freelancer.objects.get(uid=301).is_searchable is True

    set_faults("certification", malformed_rate=0.0)
    EmulatedCertificate.objects.filter(uid=301).delete()
    sync(certification)
    assert Freelancer.objects.get(uid=301).is_searchable is False
    assert Certificate.objects.filter(freelancer__uid=301).count() == 0


def test_uid_left_out_of_a_successful_answer_is_left_unchanged(certification, settings, today):
    for uid in (311, 312):
        make_freelancer(uid)
        emulate(uid, due=today + timedelta(days=30), cert_id=f"c-{uid}")
    sync(certification)
    before = Freelancer.objects.values().get(uid=311)
    settings.SANDBOX_CERTIFICATION_OMIT_UIDS = [311]  # the service forgets uid 311

    report = sync(certification)

    assert Freelancer.objects.values().get(uid=311) == before
    assert Certificate.objects.filter(freelancer__uid=311).count() == 1
    assert report.counters["freelancers_not_reported"] == 1
    assert report.counters["freelancers_hidden"] == 0
    assert report.partial is True
    run = last_run()
    assert run.status == JobRun.Status.PARTIAL
    assert run.details["not_reported"] == [311]
    assert Freelancer.objects.get(uid=312).certificates_synced_at > before["certificates_synced_at"]


def test_uid_the_service_never_reports_keeps_health_at_warn_until_runs_stop(
    certification, settings, client, today
):
    for uid in (321, 322):
        make_freelancer(uid)
        emulate(uid, due=today + timedelta(days=30))
    settings.SANDBOX_CERTIFICATION_OMIT_UIDS = [321]  # never reported, run after run
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = "/health/jobs/freelancer_certificates/"

    sync(certification)

    run = last_run()
    assert run.status == JobRun.Status.PARTIAL
    health = client.get(url).json()
    assert health["status"] == "WARN"
    assert health["message"].startswith("last run partial: the service left 1 freelancers out")
    assert health["last_success"] == run.started_at.isoformat()
    # The partial runs keep the job fresh; once they stop, staleness applies.
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        health = client.get(url).json()
    assert health["status"] == "CRIT"
    assert health["message"] == "no successful run for 3 d (limit 2 d)"


def test_run_where_every_batch_failed_does_not_keep_the_job_fresh(
    certification, settings, client, today
):
    make_freelancer(331)
    emulate(331, due=today + timedelta(days=30))
    set_faults("certification", error_rate=1.0, error_status=503)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    sync(certification)

    assert last_run().status == JobRun.Status.PARTIAL
    health = client.get("/health/jobs/freelancer_certificates/").json()
    assert (health["status"], health["message"]) == ("CRIT", "no successful run yet")


@translation.override("en")
def test_run_hiding_too_many_is_refused_without_force(certification, settings, today):
    settings.FREELANCER_CERTIFICATES_GUARD_ALLOWANCE = 2
    settings.FREELANCER_CERTIFICATES_BATCH_SIZE = 100
    for uid in range(400, 410):
        make_freelancer(uid)
        emulate(uid, due=today + timedelta(days=90))
    sync(certification)
    assert Freelancer.objects.filter(is_searchable=True).count() == 10
    EmulatedCertificate.objects.filter(uid__in=[400, 401, 402]).delete()  # 30 % > 20 %

    with pytest.raises(services.SyncRefused, match="hide 3 of 10"):
        sync(certification)
    assert Freelancer.objects.filter(is_searchable=True).count() == 10
    assert last_run().status == JobRun.Status.FAILED

    sync(certification, force=True)
    assert Freelancer.objects.filter(is_searchable=True).count() == 7


def test_refusal_reaches_the_admin_translated(
    certification, admin_client, settings, today, russian_catalogue
):
    settings.FREELANCER_CERTIFICATES_GUARD_ALLOWANCE = 0
    freelancer = make_freelancer(501, is_searchable=True, visible_until=today)
    russian_catalogue(
        {
            "Refused: %(reason)s; check the certification service, then rerun with --force": (
                "Отказ: %(reason)s"
            ),
            "the run would hide %(hidden)d of %(visible)d visible freelancers whose stored "
            "certificates are still current (%(share)s; limit %(max_share)s or "
            "%(allowance)d, whichever is more)": "скрыл бы %(hidden)d из %(visible)d",
        }
    )
    response = admin_client.post(
        "/admin/freelancers/freelancer/",
        {"action": "sync_certificates", "_selected_action": [freelancer.pk]},
        follow=True,
    )
    assert "Отказ: скрыл бы 1 из 1" in response.content.decode()
    assert Freelancer.objects.get(uid=501).is_searchable is True


def test_run_within_the_share_applies(certification, settings, today):
    settings.FREELANCER_CERTIFICATES_GUARD_ALLOWANCE = 2
    settings.FREELANCER_CERTIFICATES_BATCH_SIZE = 100
    for uid in range(500, 510):
        make_freelancer(uid)
        emulate(uid, due=today + timedelta(days=90))
    sync(certification)
    EmulatedCertificate.objects.filter(uid__in=[500, 501]).delete()  # exactly 20 %

    sync(certification)
    assert Freelancer.objects.filter(is_searchable=True).count() == 8


@translation.override("en")
def test_small_catalogue_is_protected_from_a_broken_answer(certification, settings, today):
    settings.FREELANCER_CERTIFICATES_BATCH_SIZE = 100
    uids = range(420, 429)
    for uid in uids:
        make_freelancer(uid)
        emulate(uid, due=today + timedelta(days=90))
    sync(certification)
    EmulatedCertificate.objects.filter(uid__in=uids).delete()  # all 9 lose their certificates

    with pytest.raises(services.SyncRefused, match="hide 9 of 9"):
        sync(certification)
    assert Freelancer.objects.filter(is_searchable=True).count() == 9


@translation.override("en")
def test_guard_counts_only_freelancers_whose_stored_due_date_is_current(
    certification, settings, today
):
    settings.FREELANCER_CERTIFICATES_BATCH_SIZE = 100
    settings.FREELANCER_CERTIFICATES_GUARD_ALLOWANCE = 1
    for uid in range(430, 435):
        make_freelancer(uid)
        emulate(uid, due=today + timedelta(days=90))
    sync(certification)
    # Five rows still flagged searchable though their certificate expired (the
    # job has not run since): the catalogue does not show them.
    yesterday = today - timedelta(days=1)
    for uid in range(435, 440):
        make_freelancer(uid, is_searchable=True, visible_until=yesterday)
        emulate(uid, due=yesterday)
    EmulatedCertificate.objects.filter(uid__in=[430, 431]).delete()  # 2 of 5 really visible

    with pytest.raises(services.SyncRefused, match="hide 2 of 5"):
        sync(certification)


def test_natural_expiries_do_not_trip_the_guard(certification, settings, today):
    settings.FREELANCER_CERTIFICATES_BATCH_SIZE = 100
    settings.FREELANCER_CERTIFICATES_GUARD_ALLOWANCE = 0
    for uid in range(440, 450):
        make_freelancer(uid)
        emulate(uid, due=today + timedelta(days=3 if uid < 445 else 90))
    sync(certification, today=today)

    later = today + timedelta(days=4)  # half of them expire as stored
    emulate(445, due=later + timedelta(days=365), cert_id="renewal-445")
    report = sync(certification, today=later)

    assert report.counters["freelancers_hidden"] == 5
    assert Freelancer.objects.filter(is_searchable=True).count() == 5
    assert Freelancer.objects.get(uid=445).certificates.filter(external_id="renewal-445").exists()


def test_dry_run_reports_and_changes_nothing(certification, today):
    make_freelancer(601)
    emulate(601, due=today + timedelta(days=30))
    report = sync(certification, dry_run=True)
    assert report.counters["freelancers_shown"] == 1
    freelancer = Freelancer.objects.get(uid=601)
    assert freelancer.is_searchable is False
    assert freelancer.certificates.count() == 0
    assert last_run().dry_run is True


def test_sync_of_chosen_uids_leaves_the_others(certification, today):
    make_freelancer(701)
    make_freelancer(702)
    emulate(701, due=today + timedelta(days=30))
    emulate(702, due=today + timedelta(days=30))
    sync(certification, uids=[701])
    assert list(Freelancer.objects.filter(is_searchable=True).values_list("uid", flat=True)) == [
        701
    ]


def test_unknown_uid_is_refused(certification):
    with pytest.raises(errors.NotFound):
        sync(certification, uids=[999_999])


def test_second_run_changes_nothing(certification, today):
    make_freelancer(801)
    emulate(801, due=today + timedelta(days=30))
    sync(certification)
    report = sync(certification)
    assert report.counters["certificates_added"] == 0
    assert report.counters["freelancers_shown"] == 0
    assert report.counters["freelancers_hidden"] == 0


def test_run_over_chosen_uids_is_scoped_and_does_not_make_the_job_healthy(
    certification, client, today
):
    make_freelancer(901)
    emulate(901, due=today + timedelta(days=30))

    sync(certification, uids=[901])

    run = last_run()
    assert run.status == JobRun.Status.SUCCESS and run.scoped is True
    health = client.get("/health/jobs/freelancer_certificates/").json()
    assert health["status"] == "CRIT"

    sync(certification)
    assert last_run().scoped is False
    assert client.get("/health/jobs/freelancer_certificates/").json()["status"] == "OK"
