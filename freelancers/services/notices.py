"""E-mail notices to freelancers: moderation decisions and the card leaving the catalogue.

Every notice is written in Russian and then in English (the product has no
language preference per freelancer). The address is the e-mail of the
freelancer's account; without an account or an address nothing is sent.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from core.jobs import job_run
from core.models import JobRun
from freelancers.jobs import MAIL_SERVER_DOWN, NOTICES_NOT_SENT
from freelancers.models import ExpiryNotice, Freelancer, FreelancerCard, certificate_kind_label

logger = logging.getLogger(__name__)

__all__ = [
    "NoticeReport",
    "card_decision_notice_queue",
    "card_decision_notify",
    "card_decision_notify_queued",
    "freelancer_expiry_notices_send",
    "notice_threshold",
]

JOB_NAME = "freelancer_expiry_notices"
LANGUAGES = ("ru", "en")


def card_decision_notice_queue(*, card: FreelancerCard) -> None:
    """Queue the notice of a committed decision for the worker: the moderator
    never waits for the mail server (a server that does not answer held each
    card of a bulk decision for EMAIL_TIMEOUT), and a notice it refuses is
    kept by the queue among its failed tasks (the admin's "Failed tasks",
    where it can be resubmitted), never lost."""
    async_task(
        "freelancers.services.notices.card_decision_notify_queued",
        card.pk,
        task_name=f"card {card.pk} decision notice",
    )


def card_decision_notify_queued(card_id: int) -> None:
    """The worker's sending of a decision notice (`card_decision_notice_queue`);
    a mail failure fails the task, which the queue keeps."""
    card = FreelancerCard.objects.select_related("freelancer__user").get(pk=card_id)
    card_decision_notify(card=card)


def card_decision_notify(*, card: FreelancerCard) -> bool:
    """Tell the freelancer a version was accepted or declined (with the reason).

    Returns False when the freelancer has no address. SMTP errors propagate.
    """
    address = _address(card.freelancer)
    if not address:
        return False

    def text() -> tuple[str, str]:
        values = {"version": card.version, "reason": card.decline_reason}
        if card.status == FreelancerCard.Status.ACCEPTED:
            return (
                _("Your card is accepted"),
                _("Version %(version)s of your card is accepted and shown in the catalogue.")
                % values,
            )
        return (
            _("Your card is declined"),
            _("Version %(version)s of your card is declined. The moderator's reason: %(reason)s")
            % values,
        )

    _send(address, text)
    return True


@dataclass
class NoticeReport:
    sent: list[tuple[int, int]] = field(default_factory=list)  # (freelancer uid, days)
    no_address: int = 0
    failed: list[int] = field(default_factory=list)  # uids whose notice could not be sent
    server_down: bool = False  # the run stopped: the mail server failed


def freelancer_expiry_notices_send(
    *,
    dry_run: bool = False,
    trigger: str = JobRun.Trigger.SCHEDULE,
    today: date | None = None,
) -> NoticeReport:
    """Warn every catalogue freelancer whose card leaves the catalogue within
    one of FREELANCER_EXPIRY_NOTICE_DAYS: once per threshold per certificate.

    Idempotent: a re-run the same day (or a second worker) sends nothing twice.
    A notice whose address the mail server refuses is not recorded, so the
    next run sends it; the others go out, and the run ends PARTIAL. A server
    that fails itself stops the run (PARTIAL): the next run sends the rest.
    Raises JobLocked when another run is in progress.
    """
    today = today or timezone.localdate()
    report = NoticeReport()
    with job_run(JOB_NAME, trigger=trigger, dry_run=dry_run) as run:
        for freelancer in _leaving(today):
            days = notice_threshold(freelancer.visible_until, today)
            if days is None:
                continue
            if not _address(freelancer):
                report.no_address += 1
                continue
            if dry_run:
                report.sent.append((freelancer.uid, days))
                continue
            try:
                sent = _notify_expiry(freelancer, days=days)
            except smtplib.SMTPRecipientsRefused:  # this address: the others still go
                logger.warning(
                    "freelancer %s: expiry notice refused", freelancer.uid, exc_info=True
                )
                report.failed.append(freelancer.uid)
                continue
            except (smtplib.SMTPException, OSError):
                # The server itself: every further notice would wait out
                # EMAIL_TIMEOUT in vain. The next run sends them.
                logger.warning("expiry notices: the mail server fails", exc_info=True)
                report.failed.append(freelancer.uid)
                report.server_down = True
                break
            if sent:
                report.sent.append((freelancer.uid, days))
        run.set("sent", len(report.sent))
        run.set("no_address", report.no_address)
        if report.server_down:
            run.mark_partial(MAIL_SERVER_DOWN(sent=len(report.sent)), progressed=bool(report.sent))
        elif report.failed:
            run.mark_partial(NOTICES_NOT_SENT(failed=len(report.failed)), progressed=True)
        if report.failed:
            run.set("failed", len(report.failed))
    return report


def notice_threshold(visible_until: date | None, today: date) -> int | None:
    """The smallest threshold (in days) the remaining time falls within, if any."""
    if visible_until is None or visible_until < today:
        return None
    left = (visible_until - today).days
    fitting = [days for days in sorted(settings.FREELANCER_EXPIRY_NOTICE_DAYS) if left <= days]
    return fitting[0] if fitting else None


def _leaving(today: date):
    horizon = max(settings.FREELANCER_EXPIRY_NOTICE_DAYS)
    return (
        Freelancer.objects.filter(
            is_searchable=True,
            accepted_card__isnull=False,
            visible_until__gte=today,
            visible_until__lte=today + timedelta(days=horizon),
        )
        .select_related("user")
        .order_by("pk")
    )


def _notify_expiry(freelancer: Freelancer, *, days: int) -> bool:
    due_on = freelancer.visible_until
    assert due_on is not None  # `_leaving` selects by visible_until
    reason = freelancer.visibility_reason or {}
    certificate = str(reason.get("certificate", ""))
    try:
        with transaction.atomic():
            ExpiryNotice.objects.create(
                freelancer=freelancer,
                certificate=certificate,
                due_on=due_on,
                days=days,
            )
            values = {
                "kind": certificate_kind_label(reason.get("kind", "")),
                "id": certificate,
                "date": due_on.isoformat(),
            }
            _send(
                _address(freelancer),
                lambda: (
                    _("Your card leaves the catalogue on %(date)s") % values,
                    _(
                        "Certificate %(kind)s #%(id)s is valid until %(date)s. After that date "
                        "your card is no longer shown in the catalogue: renew the certificate "
                        "in time."
                    )
                    % values,
                ),
            )
    except IntegrityError:
        return False  # already sent by an earlier run
    logger.info("freelancer %s: %s-day expiry notice sent", freelancer.uid, days)
    return True


def _address(freelancer: Freelancer) -> str:
    user = freelancer.user
    return user.email if user is not None and user.is_active else ""


def _send(address: str, text: Callable[[], tuple[str, str]]) -> None:
    parts = []
    for language in LANGUAGES:
        with translation.override(language):
            parts.append(text())
    subject = " / ".join(subject for subject, _body in parts)
    body = "\n\n---\n\n".join(body for _subject, body in parts)
    send_mail(subject, body, None, [address])
