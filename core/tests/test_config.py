"""Start-up configuration: clear one-line errors and a clean deploy check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env() -> dict[str, str]:
    """docs/production.env with its secrets filled in and a local database."""
    env = {}
    for line in (ROOT / "docs" / "production.env").read_text().splitlines():
        if line and not line.startswith("#"):
            name, value = line.split("=", 1)
            env[name] = value
    env["SECRET_KEY"] = Fernet.generate_key().decode() * 2
    env["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    env["DATABASE_URL"] = f"sqlite:///{ROOT / '.check-deploy.sqlite3'}"
    env["EMAIL_URL"] = "smtp+tls://mailer:secret@smtp.example.com:587"
    return env


def test_documented_production_environment_passes_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_missing_secret_key_in_production_is_a_one_line_error():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Configuration error: SECRET_KEY must be set when DEBUG is off (see README, Configuration)"
    ]


@pytest.mark.parametrize("url", ["nonsense", "mysqlx://user@host/db"])
def test_bad_database_url_is_a_one_line_error(url):
    result = manage("check", env={"DEBUG": "true", "DATABASE_URL": url})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Configuration error: DATABASE_URL")


def test_malformed_encryption_keys_are_a_one_line_error():
    env = production_env()
    env["FIELD_ENCRYPTION_KEYS"] = "nonsense"
    result = manage("check", env=env)
    assert result.stderr.strip().splitlines() == [
        "Configuration error: FIELD_ENCRYPTION_KEYS must be url-safe base64 32-byte Fernet keys"
    ]


def test_a_non_number_is_a_one_line_error():
    result = manage("check", env={"DEBUG": "true", "Q_WORKERS": "abc"})
    lines = result.stderr.strip().splitlines()
    assert (
        result.returncode != 0 and len(lines) == 1 and lines[0].startswith("Configuration error:")
    )


def test_wsgi_stops_with_gunicorns_boot_error_code_on_misconfiguration():
    env = production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert result.stderr.strip().startswith("Configuration error: SECRET_KEY")


def test_wsgi_loads_the_views_and_keeps_them_out_of_the_collectors_full_passes():
    code = (
        "import gc, sys; import config.wsgi; "
        "print(gc.get_freeze_count() > 0, 'recruiting.api.views' in sys.modules, "
        "gc.get_threshold()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **production_env()},
        capture_output=True,
        text=True,
        timeout=60,
    )
    # ... and runs the collector's young pass every 20,000 allocations, not 700
    assert result.stdout.split() == ["True", "True", "20000"], result.stderr


def test_seed_demo_refuses_without_debug():
    env = production_env()
    env["SANDBOX"] = "true"
    env["SANDBOX_ALLOW_IN_PRODUCTION"] = "true"
    result = manage("seed_demo", env=env)
    assert result.returncode != 0 and "DEBUG and SANDBOX" in result.stderr


def test_unreachable_database_is_a_one_line_error():
    result = manage(
        "migrate", env={"DEBUG": "true", "DATABASE_URL": "postgres://app@127.0.0.1:1/nowhere"}
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0 and len(lines) == 1, result.stderr
    assert lines[0].startswith("Database error:") and "127.0.0.1" in lines[0]


def test_redis_replies_are_read_by_the_c_parser():
    # requirements.txt pins hiredis: redis-py reads replies with it when installed.
    from redis.utils import HIREDIS_AVAILABLE

    assert HIREDIS_AVAILABLE


def test_a_web_worker_takes_no_more_connections_than_it_has_threads(monkeypatch):
    """A worker with every thread busy leaves new connections to the others
    (config/gunicorn.py); with no room for idle ones, none is kept alive."""
    import importlib

    import config.gunicorn

    monkeypatch.setenv("GUNICORN_THREADS", "7")
    settings = importlib.reload(config.gunicorn)
    try:
        assert (settings.threads, settings.worker_connections, settings.keepalive) == (7, 7, 0)
    finally:
        monkeypatch.delenv("GUNICORN_THREADS")
        importlib.reload(config.gunicorn)
