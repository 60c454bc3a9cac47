"""The Redis cache backend against the Redis on this machine (skipped without one)."""

from __future__ import annotations

import time

import pytest
import redis

from config import env as parse
from core.cache import RedisCache

URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def cache():
    backend = RedisCache(URL, {"KEY_PREFIX": f"t{time.time_ns()}"})
    try:
        backend.set("probe", 1)
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    yield backend
    backend.clear()


def test_cache_calls_share_one_client_and_still_work(cache):
    assert cache.add("key", {"a": 1}, 60)
    assert not cache.add("key", {"a": 2}, 60)
    assert cache.get("key") == {"a": 1}
    assert cache.get_many(["key", "absent"]) == {"key": {"a": 1}}
    cache.set("counter", 0)
    assert cache.incr("counter") == 1
    cache.delete("key")
    assert cache.get("key") is None
    client = cache._cache
    assert client.get_client(write=True) is client.get_client(write=False)


def test_redis_urls_use_the_backend_that_keeps_its_clients():
    for config in (parse.caches("redis://r:6379/0", ""), parse.caches("", "redis://r:6379/0")):
        assert config["default"]["BACKEND"] == "core.cache.RedisCache"
    assert parse.caches("locmemcache://", "")["default"]["BACKEND"].endswith("LocMemCache")
