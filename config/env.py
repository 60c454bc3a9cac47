"""Parsing and validation behind `config/settings.py`.

Settings declare each value from the environment; the functions here turn a
raw value into a setting or refuse it with a one-line `ImproperlyConfigured`
(manage.py and the WSGI entry point print it as "Configuration error: ...").
They read no environment themselves: settings pass the values, or the one
`environ.Env` for the external systems' URLs and credentials.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

SQLITE = "django.db.backends.sqlite3"
_SUPPORTED_DB_ENGINES = {SQLITE, "django.db.backends.postgresql"}
# Local runs only: stable, obviously insecure keys.
LOCAL_SECRET_KEY = "django-insecure-local-development-key-not-for-production"
LOCAL_ENCRYPTION_KEY = "bG9jYWwtZGV2ZWxvcG1lbnQta2V5LW5vdC1zZWNyZXQ="
_THROTTLE_RATE = re.compile(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)")


def required(name: str, value: T, *, when: bool = True) -> T:
    """`value` of env var `name`; refuses an empty one when `when` holds."""
    if when and not value:
        raise ImproperlyConfigured(f"{name} must be set")
    return value


def secret_key(value: str, *, debug: bool) -> str:
    """SECRET_KEY: required outside DEBUG, a fixed local key in DEBUG."""
    if value:
        return value
    if not debug:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (see README, Configuration)"
        )
    return LOCAL_SECRET_KEY


def sandbox_switch(sandbox: bool, *, debug: bool, allowed_in_production: bool) -> bool:
    """SANDBOX, refused outside DEBUG unless explicitly allowed.

    Outside DEBUG the sandbox mints TVM tickets for anyone; the override is
    reported as an error by `check --deploy`.
    """
    if sandbox and not debug and not allowed_in_production:
        raise ImproperlyConfigured(
            "SANDBOX=true is refused when DEBUG is off (see README, Configuration)"
        )
    return sandbox


def encryption_keys(keys: list[str], *, debug: bool) -> list[str]:
    """FIELD_ENCRYPTION_KEYS: required outside DEBUG, each a valid Fernet key."""
    if not keys:
        if not debug:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off "
                "(generate one with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`)"
            )
        keys = [LOCAL_ENCRYPTION_KEY]
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS must be url-safe base64 32-byte Fernet keys"
            ) from None
    return keys


def json_object(name: str, value: str) -> dict[str, Any]:
    """A JSON object from env var `name` (empty: an empty object)."""
    try:
        parsed = json.loads(value) if value else {}
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object")
    return parsed


def one_of(name: str, value: str, choices: tuple[str, ...]) -> str:
    """`value` of env var `name` when it is one of `choices`."""
    if value not in choices:
        listed = f"{', '.join(choices[:-1])} or {choices[-1]}" if len(choices) > 1 else choices[0]
        raise ImproperlyConfigured(f"{name} must be {listed}")
    return value


def throttle_rate(name: str, rate: str) -> str:
    """A DRF rate ("<count>/<second|minute|hour|day>") from env var `name`."""
    if not _THROTTLE_RATE.fullmatch(rate):
        raise ImproperlyConfigured(f"{name} must look like 60/minute, got {rate!r}")
    return rate


# --- Databases ------------------------------------------------------------------


def database_from_url(url: str, name: str) -> dict[str, Any]:
    """Parse database URL `url` (named `name` in errors): SQLite or PostgreSQL only."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # django-environ warns; our error explains
        try:
            db = dict(environ.Env.db_url_config(url))
        except (ImproperlyConfigured, ValueError, KeyError) as exc:
            raise ImproperlyConfigured(f"{name} is not a valid database URL ({exc})") from None
    if db.get("ENGINE") not in _SUPPORTED_DB_ENGINES:
        raise ImproperlyConfigured(
            f"{name} must be a sqlite:/// or postgres:// URL, got scheme {url.split(':', 1)[0]!r}"
        )
    return db


def tune_database(db: dict[str, Any], *, conn_max_age: int, test_name: Path) -> dict[str, Any]:
    """Persistent connections everywhere; WAL and IMMEDIATE transactions on SQLite.

    CONN_MAX_AGE is worth 4-5x throughput even over loopback; SQLite needs WAL
    and IMMEDIATE transactions so the web process and the worker can write
    without "database is locked" errors. `test_name` is SQLite's test database
    file: file-backed, so threads (live server, fan-out workers) each get
    their own connection.
    """
    db.setdefault("CONN_MAX_AGE", conn_max_age)
    db.setdefault("CONN_HEALTH_CHECKS", True)
    if db["ENGINE"] == SQLITE:
        options = db.setdefault("OPTIONS", {})
        options.setdefault("timeout", 20)
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault(
            "init_command",
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        )
        db.setdefault("TEST", {}).setdefault("NAME", str(test_name))
    return db


@dataclass(frozen=True)
class PpcShards:
    """Shard number → database alias, and the databases the aliases add."""

    aliases: dict[int, str]
    databases: dict[str, dict[str, Any]]


def ppc_shards(
    urls: list[str],
    *,
    default: dict[str, Any],
    second_shard: bool,
    conn_max_age: int,
    base_dir: Path,
) -> PpcShards:
    """The ppc shards from PPC_SHARD_DATABASE_URLS (`default` names the default database).

    Shard N (1-based, in list order) is the alias `default` or `ppc_N`. With no
    list and `second_shard`, shard 2 is derived from the default database
    (SQLite: a sibling file; PostgreSQL: `<name>_shard2`) so the demo and the
    tests exercise two shards.
    """
    aliases: dict[int, str] = {}
    databases: dict[str, dict[str, Any]] = {}
    for number, url in enumerate(urls or ["default"], start=1):
        if url == "default":
            aliases[number] = "default"
            continue
        db = database_from_url(url, f"PPC_SHARD_DATABASE_URLS item {number}")
        aliases[number] = f"ppc_{number}"
        databases[f"ppc_{number}"] = _tune_shard(db, number, conn_max_age, base_dir)
    if not urls and second_shard:
        aliases[2] = "ppc_2"
        databases["ppc_2"] = _tune_shard(derived_shard(default, 2), 2, conn_max_age, base_dir)
    return PpcShards(aliases=aliases, databases=databases)


def derived_shard(default: dict[str, Any], number: int) -> dict[str, Any]:
    """Database `number` beside `default`: a sibling SQLite file or `<name>_shard<N>`."""
    db = {k: v for k, v in default.items() if k != "TEST"}
    name = str(default["NAME"])
    if default["ENGINE"] == SQLITE:
        db["NAME"] = name.removesuffix(".sqlite3") + f"-shard{number}.sqlite3"
    else:
        db["NAME"] = f"{name}_shard{number}"
    db["OPTIONS"] = dict(default.get("OPTIONS", {}))
    return db


def _tune_shard(db: dict[str, Any], number: int, conn_max_age: int, base_dir: Path) -> dict:
    test_name = base_dir / f".test-db-ppc{number}.sqlite3"
    return tune_database(db, conn_max_age=conn_max_age, test_name=test_name)


# --- Cache, queue, email ---------------------------------------------------------


DJANGO_REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
REDIS_CACHE = "core.cache.RedisCache"  # Django's, keeping its clients (core.cache)


def caches(cache_url: str, redis_url: str) -> dict[str, dict[str, Any]]:
    """CACHES from CACHE_URL, else Redis at REDIS_URL, else the process's memory."""
    if cache_url:
        config = dict(environ.Env.cache_url_config(cache_url))
        if config["BACKEND"] == DJANGO_REDIS_CACHE:
            config["BACKEND"] = REDIS_CACHE
        return {"default": config}
    if redis_url:
        return {"default": {"BACKEND": REDIS_CACHE, "LOCATION": redis_url}}
    # Room for every page of the public catalogue's usual filters (Django's
    # default of 300 entries would evict them in turn).
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }


def session_engine(caches: dict[str, dict[str, Any]]) -> str:
    """Sessions in the database, read through the cache when every process
    shares it (Redis, Memcached): a request then reads no session row. A
    per-process cache could keep a session another process ended (a logout)."""
    backend = caches["default"]["BACKEND"].rsplit(".", 1)[-1]
    if backend in {"LocMemCache", "DummyCache", "FileBasedCache"}:
        return "django.contrib.sessions.backends.db"
    return "django.contrib.sessions.backends.cached_db"


def queue_broker(redis_url: str) -> dict[str, str]:
    """django-q2's broker keys: Redis when REDIS_URL is set, else the ORM."""
    return {"redis": redis_url} if redis_url else {"orm": "default"}


@dataclass(frozen=True)
class Email:
    """Outgoing mail settings; the defaults are Django's."""

    backend: str
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    file_path: str | None = None  # the file backend's folder (filemail:///path)


def email(url: str, *, backend: str) -> Email:
    """Mail settings from EMAIL_URL (`smtp+tls://user:pass@host:587`), else `backend`."""
    if not url:
        return Email(backend=backend)
    config = environ.Env.email_url_config(url)
    return Email(
        backend=config["EMAIL_BACKEND"],
        host=config.get("EMAIL_HOST") or "localhost",
        port=config.get("EMAIL_PORT") or 25,
        user=config.get("EMAIL_HOST_USER") or "",
        password=config.get("EMAIL_HOST_PASSWORD") or "",
        use_tls=bool(config.get("EMAIL_USE_TLS")),
        use_ssl=bool(config.get("EMAIL_USE_SSL")),
        file_path=config.get("EMAIL_FILE_PATH") or None,
    )


# --- External systems --------------------------------------------------------------


@dataclass(frozen=True)
class ExternalSystems:
    """Base URLs and credentials of external systems, with emulator defaults.

    With `emulator_defaults` (the sandbox in DEBUG) a URL defaults to its
    emulator under `sandbox_url` and a credential to the emulator's; otherwise
    an enabled integration's values must be set: the product refuses to start.
    """

    env: environ.Env
    sandbox_url: str
    emulator_defaults: bool

    def url(self, name: str, emulator: str, *, enabled: bool = True) -> str:
        default = f"{self.sandbox_url.rstrip('/')}/{emulator}" if self.emulator_defaults else ""
        return required(name, self.env.str(name, default=default), when=enabled).rstrip("/")

    def credential(self, name: str, emulator_value: str, *, enabled: bool) -> str:
        default = emulator_value if self.emulator_defaults else ""
        return required(name, self.env.str(name, default=default), when=enabled)
