"""Scheduled jobs of the freelancers app."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from core.jobs import Job, register
from core.run_messages import run_message

# What a partial run says, read in the reader's language (`core.run_messages`);
# declared here (imported at start-up), so every process knows the codes.
BATCHES_FAILED = run_message(
    "freelancers.batches_failed",
    _(
        "%(failed)d of %(batches)d batches failed; their %(freelancers)d freelancers "
        "were left unchanged"
    ),
)
NOT_REPORTED = run_message(
    "freelancers.not_reported",
    _("the service left %(freelancers)d freelancers out of its answers; they were left unchanged"),
)
NOTICES_NOT_SENT = run_message(
    "freelancers.notices_not_sent",
    _("the mail server refused %(failed)d addresses; the next run sends those notices again"),
)
MAIL_SERVER_DOWN = run_message(
    "freelancers.mail_server_down",
    _(
        "the mail server failed after %(sent)d notices; the run stopped, and the next run "
        "sends the rest"
    ),
)

register(
    Job(
        name="freelancer_certificates",
        title=_("Freelancer certificates sync (FreelancerCertificatesUpdateJob)"),
        task="freelancers.tasks.freelancer_certificates_sync",
        every_minutes=60,
        # Repair within days is fine (docs/jobs/freelancer_certificates.md):
        # CRIT after 2 days without success.
        stale_after=timedelta(days=2),
        enabled_setting="FREELANCER_CERTIFICATES_SYNC_ENABLED",
        runbook="docs/jobs/freelancer_certificates.md",
    )
)

register(
    Job(
        name="freelancer_expiry_notices",
        title=_("E-mail notices before a card leaves the catalogue"),
        task="freelancers.tasks.freelancer_expiry_notices_send",
        every_minutes=24 * 60,
        stale_after=timedelta(days=2),
        enabled_setting="FREELANCER_EXPIRY_NOTICES_ENABLED",
        lock_ttl=timedelta(minutes=30),
        runbook="docs/jobs/freelancer_expiry_notices.md",
    )
)
