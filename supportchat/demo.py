"""Demo data for the support chat job: 3,000 clients over the configured shards.

Clients 100001-103000 live on shards 1, 2, ... in turn (two shards in a local
run: the default database and `ppc_2`, see PPC_SANDBOX_SECOND_SHARD). The
support chat is off for the clients divisible by 7 below 102900 (most of what
the sandbox's YT table lists) and for a few that are divisible by 211, so the
first sync makes a small, safe change. Idempotent.
"""

from __future__ import annotations

from django.utils import timezone

from supportchat.models import CHECKED_SUPPORT_CHAT, ClientFeature, ClientShard
from supportchat.shards import shards

FIRST, LAST = 100_001, 103_000


def _is_off(client_id: int) -> bool:
    return (client_id % 7 == 0 and client_id < 102_900) or client_id % 211 == 0


def seed() -> list[str]:
    configured = shards()
    numbers = sorted(configured)
    placement = {c: numbers[c % len(numbers)] for c in range(FIRST, LAST + 1)}
    ClientShard.objects.bulk_create(
        [ClientShard(client_id=c, shard=s) for c, s in placement.items()],
        ignore_conflicts=True,
    )
    now = timezone.now()
    for number, alias in configured.items():
        ClientFeature.objects.using(alias).bulk_create(
            [
                ClientFeature(
                    client_id=c, feature=CHECKED_SUPPORT_CHAT, is_enabled=False, updated_at=now
                )
                for c, s in placement.items()
                if s == number and _is_off(c)
            ],
            ignore_conflicts=True,
        )
    return [
        f"support chat: {len(placement)} clients on {len(configured)} shard(s); "
        "try `manage.py sync_support_chat --dry-run`"
    ]
