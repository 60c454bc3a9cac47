"""Fixtures of the support chat tests: two shards, the YT emulator, shard state."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from sandbox.emulators.yt import set_table
from supportchat.models import CHECKED_SUPPORT_CHAT, ClientFeature, ClientShard

# Test settings give two shards on SQLite and PostgreSQL alike: the default
# database and `ppc_2`, derived from it (settings: PPC_SANDBOX_SECOND_SHARD).
SHARD_DATABASES = sorted(set(django_settings.PPC_SHARDS.values()) | {"default"})
two_shards = pytest.mark.django_db(transaction=True, databases=SHARD_DATABASES)


@pytest.fixture
def shard_aliases() -> dict[int, str]:
    if len(django_settings.PPC_SHARDS) < 2:
        pytest.skip("needs two ppc shards (PPC_SANDBOX_SECOND_SHARD or PPC_SHARD_DATABASE_URLS)")
    return dict(django_settings.PPC_SHARDS)


@pytest.fixture
def yt(settings, sandbox_url, shard_aliases):
    """Point the job at the YT emulator, with no backoff sleeps."""
    settings.SUPPORT_CHAT_EXCLUSION_SOURCE = ""
    settings.YT_PROXY_URL = f"{sandbox_url}/yt"
    settings.YT_BACKOFF_SECONDS = 0.0
    settings.SUPPORT_CHAT_SAFETY_FLOOR = 100
    return Table(settings.SUPPORT_CHAT_YT_TABLE)


class Table:
    def __init__(self, path: str) -> None:
        self.path = path

    def put(self, ids: Iterable[int], *, modified: datetime | None = None, present: bool = True):
        rows = [{"client_id": client_id, "name": f"Клиент {client_id}"} for client_id in ids]
        return set_table(
            self.path, rows, modification_time=modified or timezone.now(), is_present=present
        )


def place(**shards: Iterable[int]) -> None:
    """Put clients on shards: place(s1=[1, 2], s2=[3])."""
    ClientShard.objects.bulk_create(
        ClientShard(client_id=client_id, shard=int(name[1:]))
        for name, ids in shards.items()
        for client_id in ids
    )


def switch_off(alias: str, ids: Iterable[int]) -> None:
    ClientFeature.objects.using(alias).bulk_create(
        ClientFeature(
            client_id=client_id,
            feature=CHECKED_SUPPORT_CHAT,
            is_enabled=False,
            updated_at=timezone.now(),
        )
        for client_id in ids
    )


def disabled(alias: str) -> set[int]:
    return set(
        ClientFeature.objects.using(alias)
        .filter(feature=CHECKED_SUPPORT_CHAT, is_enabled=False)
        .values_list("client_id", flat=True)
    )
