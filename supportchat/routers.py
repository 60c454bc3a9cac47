"""Database router entry point named in settings.DATABASE_ROUTERS."""

from supportchat.shards import ShardRouter

__all__ = ["ShardRouter"]
