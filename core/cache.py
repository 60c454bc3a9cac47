"""Django's Redis cache backend, keeping one `redis.Redis` client per pool.

Django's backend builds a new client object for every cache call (about
50 µs: redis-py copies its table of response callbacks each time), and a
search request makes several calls (the throttle, the session, the rates).
A client is safe to share: it takes a connection from its pool per command.
Configured by `config.env.caches` for Redis URLs.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _PooledClients(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    # `_get_connection_pool` and `_client` are Django's own (its `get_client`
    # calls them the same way); django-stubs does not declare them.
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._client(connection_pool=pool)  # type: ignore[attr-defined]
            self._clients[id(pool)] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _PooledClients
