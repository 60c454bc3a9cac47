"""config/env.py: each raw environment value becomes a setting or a one-line refusal."""

from __future__ import annotations

from pathlib import Path

import environ
import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from config import env as parse


def refusal(call, *args, **kwargs) -> str:
    with pytest.raises(ImproperlyConfigured) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_required_value_is_returned_and_an_empty_one_refused_only_when_enabled():
    assert parse.required("X_URL", "http://x") == "http://x"
    assert parse.required("X_URL", "", when=False) == ""
    assert refusal(parse.required, "X_URL", "") == "X_URL must be set"
    assert refusal(parse.required, "X_IDS", []) == "X_IDS must be set"


def test_secret_key_is_required_outside_debug_and_fixed_in_debug():
    assert parse.secret_key("s3cret", debug=False) == "s3cret"
    assert parse.secret_key("", debug=True) == parse.LOCAL_SECRET_KEY
    assert refusal(parse.secret_key, "", debug=False) == (
        "SECRET_KEY must be set when DEBUG is off (see README, Configuration)"
    )


def test_sandbox_outside_debug_needs_the_explicit_override():
    assert parse.sandbox_switch(True, debug=True, allowed_in_production=False) is True
    assert parse.sandbox_switch(True, debug=False, allowed_in_production=True) is True
    assert parse.sandbox_switch(False, debug=False, allowed_in_production=False) is False
    assert refusal(parse.sandbox_switch, True, debug=False, allowed_in_production=False) == (
        "SANDBOX=true is refused when DEBUG is off (see README, Configuration)"
    )


def test_encryption_keys_must_be_fernet_keys_and_set_outside_debug():
    key = Fernet.generate_key().decode()
    assert parse.encryption_keys([key], debug=False) == [key]
    assert parse.encryption_keys([], debug=True) == [parse.LOCAL_ENCRYPTION_KEY]
    assert refusal(parse.encryption_keys, [], debug=False).startswith(
        "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off"
    )
    assert refusal(parse.encryption_keys, [key, "nonsense"], debug=False) == (
        "FIELD_ENCRYPTION_KEYS must be url-safe base64 32-byte Fernet keys"
    )


@pytest.mark.parametrize("raw", ["{", "[1, 2]", '"text"'])
def test_json_settings_must_be_objects(raw):
    assert refusal(parse.json_object, "FAULTS", raw) == "FAULTS must be a JSON object"


def test_json_setting_is_parsed_and_empty_means_none():
    assert parse.json_object("FAULTS", "") == {}
    assert parse.json_object("FAULTS", '{"hh": {"latency_ms": 300}}') == {"hh": {"latency_ms": 300}}


def test_a_value_outside_its_choices_names_them_all():
    choices = ("current", "legacy", "mixed")
    assert parse.one_of("FORM", "legacy", choices) == "legacy"
    assert refusal(parse.one_of, "FORM", "old", choices) == (
        "FORM must be current, legacy or mixed"
    )


@pytest.mark.parametrize("rate", ["60/minute", "5/s", "1000/day", "10/h"])
def test_throttle_rates_in_drf_form_are_accepted(rate):
    assert parse.throttle_rate("RATE", rate) == rate


@pytest.mark.parametrize("rate", ["60", "60 per minute", "x/minute", "60/week"])
def test_malformed_throttle_rate_is_refused(rate):
    assert refusal(parse.throttle_rate, "RATE", rate) == (
        f"RATE must look like 60/minute, got {rate!r}"
    )


@pytest.mark.parametrize(
    ("url", "start"),
    [
        ("nonsense", "DB_URL must be a sqlite:/// or postgres:// URL, got scheme 'nonsense'"),
        ("postgres://u@h:port/db", "DB_URL is not a valid database URL"),
        ("mysql://u@h/db", "DB_URL must be a sqlite:/// or postgres:// URL, got scheme 'mysql'"),
    ],
)
def test_database_url_must_be_sqlite_or_postgres(url, start):
    assert refusal(parse.database_from_url, url, "DB_URL").startswith(start)


def test_sqlite_gets_wal_immediate_transactions_and_a_file_test_database(tmp_path):
    db = parse.tune_database(
        parse.database_from_url(f"sqlite:///{tmp_path / 'db.sqlite3'}", "DB"),
        conn_max_age=60,
        test_name=tmp_path / "test.sqlite3",
    )
    assert db["CONN_MAX_AGE"] == 60 and db["CONN_HEALTH_CHECKS"] is True
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["TEST"]["NAME"] == str(tmp_path / "test.sqlite3")


def test_postgres_keeps_its_options_and_test_name():
    db = parse.tune_database(
        parse.database_from_url("postgres://app@db/product", "DB"),
        conn_max_age=0,
        test_name=Path("/unused"),
    )
    assert (
        db["CONN_MAX_AGE"] == 0 and "TEST" not in db and "init_command" not in db.get("OPTIONS", {})
    )


def test_one_shard_is_the_default_database_without_a_list(tmp_path):
    default = parse.database_from_url(f"sqlite:///{tmp_path / 'db.sqlite3'}", "DB")
    shards = parse.ppc_shards(
        [], default=default, second_shard=False, conn_max_age=60, base_dir=tmp_path
    )
    assert shards == parse.PpcShards(aliases={1: "default"}, databases={})


def test_listed_shards_get_aliases_in_list_order(tmp_path):
    default = parse.database_from_url(f"sqlite:///{tmp_path / 'db.sqlite3'}", "DB")
    shards = parse.ppc_shards(
        ["default", "postgres://app@db/ppc2"],
        default=default,
        second_shard=True,
        conn_max_age=60,
        base_dir=tmp_path,
    )
    assert shards.aliases == {1: "default", 2: "ppc_2"}
    assert shards.databases["ppc_2"]["NAME"] == "ppc2"


def test_sandbox_second_shard_is_a_sibling_of_the_default_database(tmp_path):
    default = parse.tune_database(
        parse.database_from_url(f"sqlite:///{tmp_path / 'db.sqlite3'}", "DB"),
        conn_max_age=60,
        test_name=tmp_path / "test.sqlite3",
    )
    shards = parse.ppc_shards(
        [], default=default, second_shard=True, conn_max_age=60, base_dir=tmp_path
    )
    second = shards.databases["ppc_2"]
    assert shards.aliases == {1: "default", 2: "ppc_2"}
    assert second["NAME"] == str(tmp_path / "db-shard2.sqlite3")
    assert second["TEST"]["NAME"] == str(tmp_path / ".test-db-ppc2.sqlite3")
    assert second["OPTIONS"] is not default["OPTIONS"]


def test_postgres_second_shard_is_a_sibling_database():
    default = parse.database_from_url("postgres://app@db/product", "DB")
    assert parse.derived_shard(default, 2)["NAME"] == "product_shard2"


def test_invalid_shard_url_names_its_position(tmp_path):
    default = parse.database_from_url(f"sqlite:///{tmp_path / 'db.sqlite3'}", "DB")
    message = refusal(
        parse.ppc_shards,
        ["default", "nonsense"],
        default=default,
        second_shard=False,
        conn_max_age=60,
        base_dir=tmp_path,
    )
    assert message == (
        "PPC_SHARD_DATABASE_URLS item 2 must be a sqlite:/// or postgres:// URL,"
        " got scheme 'nonsense'"
    )


def test_cache_url_wins_over_redis_and_memory_is_the_fallback():
    assert parse.caches("locmemcache://", "redis://r:6379/0")["default"]["BACKEND"].endswith(
        "LocMemCache"
    )
    assert parse.caches("", "redis://r:6379/0")["default"]["LOCATION"] == "redis://r:6379/0"
    assert parse.caches("", "")["default"]["BACKEND"].endswith("LocMemCache")


def test_sessions_are_read_through_the_cache_only_when_processes_share_it():
    shared = parse.caches("", "redis://r:6379/0")
    assert parse.session_engine(shared) == "django.contrib.sessions.backends.cached_db"
    for own in (
        parse.caches("", ""),
        parse.caches("locmemcache://", ""),
        parse.caches("dummycache://", ""),
    ):
        assert parse.session_engine(own) == "django.contrib.sessions.backends.db"


def test_queue_uses_redis_when_set_and_the_orm_otherwise():
    assert parse.queue_broker("redis://r:6379/0") == {"redis": "redis://r:6379/0"}
    assert parse.queue_broker("") == {"orm": "default"}


def test_email_url_sets_smtp_with_tls_and_overrides_the_backend():
    mail = parse.email("smtp+tls://mailer:secret@smtp.example.com:587", backend="console")
    assert mail == parse.Email(
        backend="django.core.mail.backends.smtp.EmailBackend",
        host="smtp.example.com",
        port=587,
        user="mailer",
        password="secret",
        use_tls=True,
    )


def test_without_email_url_the_backend_setting_stands_with_djangos_defaults():
    assert parse.email("", backend="console") == parse.Email(backend="console")


def test_external_urls_default_to_emulators_only_with_emulator_defaults():
    reader = environ.Env()
    local = parse.ExternalSystems(
        env=reader, sandbox_url="http://h/sandbox/", emulator_defaults=True
    )
    assert local.url("NO_SUCH_TEST_URL", "hh") == "http://h/sandbox/hh"
    assert local.credential("NO_SUCH_TEST_ID", "emulator-id", enabled=True) == "emulator-id"
    production = parse.ExternalSystems(env=reader, sandbox_url="", emulator_defaults=False)
    assert production.url("NO_SUCH_TEST_URL", "hh", enabled=False) == ""
    assert refusal(production.url, "NO_SUCH_TEST_URL", "hh") == "NO_SUCH_TEST_URL must be set"
    assert refusal(production.credential, "NO_SUCH_TEST_ID", "x", enabled=True) == (
        "NO_SUCH_TEST_ID must be set"
    )


def test_a_file_mail_url_keeps_its_folder():
    # django-environ reads the path after the third slash, as it always did here.
    mail = parse.email("filemail:///var/mail/outbox", backend="console")
    assert mail.backend == "django.core.mail.backends.filebased.EmailBackend"
    assert mail.file_path == "var/mail/outbox"
