"""Recruiting jobs, registered with core's job registry at start-up."""

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.jobs import Job, register
from core.run_messages import run_message

# Messages the recruiting jobs record, read in the reader's language. Declared
# here (imported at start-up by every process) so any process can read them.
CONNECTION_FAILED = run_message(
    "recruiting.connection_failed", _("%(connection)s (%(organization)s): %(error)s")
)
TOKEN_EXPIRES = run_message(
    "recruiting.token_expires",
    _("%(connection)s (%(organization)s): token expires %(date)s; issue a new one in the admin"),
)
REFRESH_NEEDS_CREDENTIALS = run_message(
    "recruiting.refresh_needs_credentials",
    _("%(connection)s: OAuth refresh needs client id, secret and refresh token"),
)
REFRESH_FAILED = run_message(
    "recruiting.refresh_failed", _("%(connection)s: refresh failed: %(error)s")
)
RATES_UNAVAILABLE = run_message(
    "recruiting.rates_unavailable",
    _("currency rates unavailable, the last known are used: %(error)s"),
)

register(
    Job(
        name="applications_poll",
        title=_("Poll application statuses in amoCRM and Tracker"),
        task="recruiting.tasks.applications_poll",
        every_minutes=settings.APPLICATIONS_POLL_MINUTES,
        stale_after=timedelta(minutes=max(30, 6 * settings.APPLICATIONS_POLL_MINUTES)),
        enabled_setting="APPLICATIONS_POLL_ENABLED",
        runbook="docs/jobs/applications_poll.md",
    )
)
register(
    Job(
        name="applications_contacts_pull",
        title=_("Pull contacts already known in amoCRM"),
        task="recruiting.tasks.applications_contacts_pull",
        every_minutes=60,
        stale_after=timedelta(hours=6),
        enabled_setting="APPLICATIONS_CONTACTS_PULL_ENABLED",
        runbook="docs/jobs/applications_contacts_pull.md",
    )
)
register(
    Job(
        name="subsystem_tokens_refresh",
        title=_("Refresh amoCRM OAuth tokens; warn about expiring tokens"),
        task="recruiting.tasks.subsystem_tokens_refresh",
        every_minutes=30,
        stale_after=timedelta(hours=3),
        enabled_setting="SUBSYSTEM_TOKENS_REFRESH_ENABLED",
        runbook="docs/jobs/subsystem_tokens_refresh.md",
    )
)
register(
    Job(
        name="search_sessions_prune",
        title=_("Delete expired search sessions"),
        task="recruiting.tasks.search_sessions_prune",
        every_minutes=60,
        stale_after=timedelta(hours=6),
        enabled_setting="SEARCH_SESSIONS_PRUNE_ENABLED",
        runbook="docs/jobs/search_sessions_prune.md",
    )
)
register(
    Job(
        name="currency_rates_refresh",
        title=_("Read currency rates for salary ranking"),
        task="recruiting.tasks.currency_rates_refresh",
        every_minutes=30,
        stale_after=timedelta(hours=3),
        enabled_setting="CURRENCY_RATES_REFRESH_ENABLED",
        runbook="docs/jobs/currency_rates_refresh.md",
    )
)
