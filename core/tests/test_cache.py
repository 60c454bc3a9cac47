"""The Redis cache backend: one client per pool, and working against the Redis
on this machine (that part is skipped where no Redis runs)."""

from __future__ import annotations

import time

import pytest
import redis

from config import env as parse
from core.cache import RedisCache

URL = "redis://127.0.0.1:6379/15"


def test_every_call_gets_the_same_client_of_its_pool():
    # Building clients opens no connection: no Redis needed.
    client = RedisCache(URL, {})._cache
    assert client.get_client(write=True) is client.get_client(write=False)
    other = RedisCache(URL, {})._cache
    assert other.get_client() is not client.get_client()


def test_redis_urls_use_the_backend_that_keeps_its_clients():
    for config in (parse.caches("redis://r:6379/0", ""), parse.caches("", "redis://r:6379/0")):
        assert config["default"]["BACKEND"] == "core.cache.RedisCache"
    assert parse.caches("locmemcache://", "")["default"]["BACKEND"].endswith("LocMemCache")


@pytest.fixture
def cache():
    backend = RedisCache(URL, {"KEY_PREFIX": f"t{time.time_ns()}"})
    try:
        backend.set("probe", 1)
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    yield backend
    backend.delete_many(["probe", "key", "counter"])


def test_cache_calls_work_through_the_shared_client(cache):
    assert cache.add("key", {"a": 1}, 60)
    assert not cache.add("key", {"a": 2}, 60)
    assert cache.get("key") == {"a": 1}
    assert cache.get_many(["key", "absent"]) == {"key": {"a": 1}}
    cache.set("counter", 0)
    assert cache.incr("counter") == 1
    cache.delete("key")
    assert cache.get("key") is None
