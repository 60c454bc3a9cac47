"""ppc shards as Django database aliases, and the router that keeps them apart.

Settings build `PPC_SHARDS` (shard number → alias) from
`PPC_SHARD_DATABASE_URLS`; every shard holds `ClientFeature`, only the default
database holds everything else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from core import errors

SHARD_MODELS = frozenset({("supportchat", "clientfeature")})


def shards() -> dict[int, str]:
    """Shard number → database alias, in shard order."""
    return dict(sorted(settings.PPC_SHARDS.items()))


def alias_for(shard: int) -> str:
    """The database alias of shard `shard`. Raises NotFound for an unknown shard."""
    try:
        return settings.PPC_SHARDS[shard]
    except KeyError:
        raise errors.NotFound(f"Unknown ppc shard {shard}", details={"shard": shard}) from None


class ShardRouter:
    """Sends `ClientFeature` to the shards and every other model to `default`."""

    def db_for_read(self, model, **hints):
        if (model._meta.app_label, model._meta.model_name) in SHARD_MODELS:
            instance = hints.get("instance")
            if instance is not None and instance._state.db:
                return instance._state.db
            return shards()[min(shards())]
        return None

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        aliases = set(settings.PPC_SHARDS.values())
        is_shard_model = (app_label, model_name) in SHARD_MODELS
        if db == DEFAULT_DB_ALIAS:
            return False if is_shard_model and db not in aliases else None
        if db in aliases:
            return is_shard_model
        return None
