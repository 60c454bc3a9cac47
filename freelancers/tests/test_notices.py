"""E-mail notices: moderation decisions and the card leaving the catalogue."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from core.models import JobRun, User
from core.tests.mail import REFUSING_BACKEND
from core.tests.queue import run_queued
from freelancers import services
from freelancers.models import ExpiryNotice, Freelancer, FreelancerCard
from freelancers.tests.test_cabinet import account
from freelancers.tests.test_catalogue import listed

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator() -> User:
    return User.objects.create_user(username="moder", password="pw-moder-12345", is_staff=True)


def leaving(uid: int, today, days: int) -> Freelancer:
    freelancer = listed(uid, today, days=days)
    Freelancer.objects.filter(pk=freelancer.pk).update(
        visibility_reason={
            "code": "current",
            "certificate": f"{uid}-0",
            "kind": "direct",
            "due_on": (today + timedelta(days=days)).isoformat(),
        }
    )
    account(freelancer, username=f"fl{uid}")
    return freelancer


def test_accept_and_decline_are_mailed_in_russian_and_english(
    today, moderator, django_capture_on_commit_callbacks
):
    freelancer = listed(1, today)
    account(freelancer)
    with django_capture_on_commit_callbacks(execute=True):
        card = services.freelancer_card_create(
            freelancer=freelancer, about="v2", email="a@example.com", submit=True
        )
        services.freelancer_card_decline(card=card, moderator=moderator, reason="Уберите телефон")
    with django_capture_on_commit_callbacks(execute=True):
        card = services.freelancer_card_create(
            freelancer=freelancer, about="v3", email="a@example.com", submit=True
        )
        services.freelancer_card_accept(card=card, moderator=moderator)
    assert mail.outbox == []  # the moderator never waits for the mail server
    assert run_queued() == ["freelancers.services.notices.card_decision_notify_queued"] * 2
    declined, accepted = mail.outbox
    assert declined.to == ["fl@example.com"]
    assert "Уберите телефон" in declined.body and "declined" in declined.body
    assert "отклонена" in declined.body and "отклонена" in declined.subject
    assert "accepted" in accepted.subject and "Version 3" in accepted.body


def test_without_an_account_no_decision_mail_is_sent(
    today, moderator, django_capture_on_commit_callbacks
):
    freelancer = listed(2, today)
    with django_capture_on_commit_callbacks(execute=True):
        card = services.freelancer_card_create(
            freelancer=freelancer, about="v2", email="a@example.com", submit=True
        )
        services.freelancer_card_accept(card=card, moderator=moderator)
    run_queued()
    assert mail.outbox == []


def test_threshold_is_the_smallest_window_the_time_left_falls_in(today):
    threshold = services.notice_threshold
    assert threshold(today + timedelta(days=31), today) is None
    assert threshold(today + timedelta(days=30), today) == 30
    assert threshold(today + timedelta(days=8), today) == 30
    assert threshold(today + timedelta(days=7), today) == 7
    assert threshold(today, today) == 7
    assert threshold(today - timedelta(days=1), today) is None
    assert threshold(None, today) is None


def test_notices_go_once_per_threshold_per_certificate(today):
    leaving(10, today, days=25)
    leaving(11, today, days=5)
    leaving(12, today, days=60)
    report = services.freelancer_expiry_notices_send(today=today)
    assert sorted(report.sent) == [(10, 30), (11, 7)]
    assert len(mail.outbox) == 2
    assert "no longer shown in the catalogue" in mail.outbox[0].body
    assert "перестанет показываться" in mail.outbox[0].body

    again = services.freelancer_expiry_notices_send(today=today)
    assert again.sent == [] and len(mail.outbox) == 2

    # Seven days before, the 30-day one gets its 7-day notice.
    later = services.freelancer_expiry_notices_send(today=today + timedelta(days=18))
    assert later.sent == [(10, 7)]
    assert ExpiryNotice.objects.count() == 3
    assert JobRun.objects.filter(job="freelancer_expiry_notices").count() == 3


def test_dry_run_sends_and_records_nothing(today):
    leaving(20, today, days=3)
    report = services.freelancer_expiry_notices_send(today=today, dry_run=True)
    assert report.sent == [(20, 7)]
    assert mail.outbox == [] and not ExpiryNotice.objects.exists()


def test_freelancers_without_an_address_are_counted(today):
    listed(30, today, days=3)
    report = services.freelancer_expiry_notices_send(today=today)
    assert report.sent == [] and report.no_address == 1


def test_command_prints_what_it_sends(today, capsys):
    leaving(40, today, days=3)
    call_command("send_freelancer_expiry_notices", "--dry-run")
    assert "uid 40: 7-day notice would send" in capsys.readouterr().out
    call_command("send_freelancer_expiry_notices")
    call_command("send_freelancer_expiry_notices")
    assert len(mail.outbox) == 1


def test_an_address_the_mail_server_refuses_stops_no_other_notice(today, settings):
    """Freelancers are warned in order: one refused address neither stops the
    ones after it nor loses its own notice (the next run sends it)."""
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    first = leaving(20, today, days=25)
    User.objects.filter(pk=first.user_id).update(email="refused@example.com")
    leaving(21, today, days=25)

    report = services.freelancer_expiry_notices_send(today=today)

    assert report.sent == [(21, 30)] and report.failed == [20]
    assert [m.to for m in mail.outbox] == [["fl21@example.com"]]
    run = JobRun.objects.get(job="freelancer_expiry_notices")
    assert run.status == JobRun.Status.PARTIAL and run.counters["failed"] == 1
    assert "refused 1 addresses" in run.message

    User.objects.filter(pk=first.user_id).update(email="fl20@example.com")
    again = services.freelancer_expiry_notices_send(today=today)
    assert again.sent == [(20, 30)] and again.failed == []


def test_a_decision_stands_whatever_the_mail_server_does(
    today, admin_client, settings, django_capture_on_commit_callbacks
):
    """Two cards accepted at once from the queue, the first freelancer's
    address refused: both are accepted (it was a 500, and the bulk accept
    stopped at the first), the other notice goes, the refused one is kept
    by the queue as a failed task, to be resubmitted."""
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    refused, other = listed(30, today), listed(31, today)
    User.objects.filter(pk=account(refused, username="fl30").pk).update(email="refused@x.org")
    account(other, username="fl31")
    cards = [
        services.freelancer_card_create(
            freelancer=f, about="v2", email="a@example.com", submit=True
        )
        for f in (refused, other)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:freelancers_cardonmoderation_changelist"),
            {"action": "accept_selected", "_selected_action": [c.pk for c in cards]},
        )
    assert response.status_code == 302
    assert {FreelancerCard.objects.get(pk=c.pk).status for c in cards} == {"accepted"}
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        run_queued()  # the worker's task fails, and the queue keeps it
    run_queued()
    assert [m.to for m in mail.outbox] == [["fl31@example.com"]]


def test_a_mail_server_that_fails_stops_the_run_and_the_next_sends_the_rest(today, settings):
    """Every further notice would wait out EMAIL_TIMEOUT in vain."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    leaving(40, today, days=25)
    leaving(41, today, days=25)
    report = services.freelancer_expiry_notices_send(today=today)
    assert (report.sent, report.failed, report.server_down) == ([], [40], True)
    run = JobRun.objects.get(job="freelancer_expiry_notices")
    assert run.status == JobRun.Status.PARTIAL and "the run stopped" in run.message
    assert not ExpiryNotice.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    again = services.freelancer_expiry_notices_send(today=today)
    assert sorted(again.sent) == [(40, 30), (41, 30)]
