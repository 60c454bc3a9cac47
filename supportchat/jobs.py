"""The support chat job's declaration (schedule, health, runbook)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from core.jobs import Job, register
from core.run_messages import run_message

# Health goes CRIT with this, in the reader's language (`core.run_messages`).
TABLE_UNREADABLE = run_message(
    "supportchat.table_unreadable", _("The exclusion table is missing or unreadable: %(error)s")
)
# A run whose listed clients are missing from the shard map ends PARTIAL with this.
UNKNOWN_CLIENTS = run_message(
    "supportchat.unknown_clients",
    _(
        "%(clients)d listed clients are unknown to the shard map (first: %(first)s); "
        "add them to the shard map: the next run syncs them"
    ),
)

register(
    Job(
        name="support_chat_sync",
        title=_("Support chat: sync checked_support_chat from the YT exclusion list"),
        task="supportchat.tasks.support_chat_sync",
        every_minutes=30,
        stale_after=timedelta(hours=2),
        enabled_setting="SUPPORT_CHAT_SYNC_ENABLED",
        runbook="docs/jobs/support_chat_sync.md",
    )
)
