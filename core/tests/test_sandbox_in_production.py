"""The sandbox outside DEBUG: refused at start-up, its override reported by check --deploy."""

from __future__ import annotations

from core.tests.test_config import manage, production_env


def test_sandbox_in_production_is_refused_in_one_line():
    result = manage("check", env={**production_env(), "SANDBOX": "true"})
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Configuration error: SANDBOX=true is refused when DEBUG is off (see README, Configuration)"
    ]


def test_sandbox_override_keeps_tvm_off_in_the_documented_production_environment():
    env = {**production_env(), "SANDBOX": "true", "SANDBOX_ALLOW_IN_PRODUCTION": "true"}
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.TVM_ENABLED)", env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_sandbox_override_has_no_emulator_tvm_defaults():
    env = {
        **production_env(),
        "SANDBOX": "true",
        "SANDBOX_ALLOW_IN_PRODUCTION": "true",
        "TVM_ENABLED": "true",
    }
    result = manage("check", env=env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["Configuration error: TVM_TOOL_URL must be set"]


def test_external_urls_have_no_emulator_default_under_the_override():
    env = {
        **production_env(),
        "SANDBOX": "true",
        "SANDBOX_ALLOW_IN_PRODUCTION": "true",
    }
    del env["HH_API_URL"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["Configuration error: HH_API_URL must be set"]


def test_sandbox_override_is_a_deploy_check_error():
    env = {
        **production_env(),
        "SANDBOX": "true",
        "SANDBOX_ALLOW_IN_PRODUCTION": "true",
        "TVM_ENABLED": "true",
        "TVM_TOOL_URL": "http://localhost:1",
        "TVM_TOOL_AUTH_TOKEN": "local-token",
        "TVM_ALLOWED_SOURCES": "2001234",
    }
    result = manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "core.E100" in result.stderr + result.stdout


MINT = """
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
client = Client(HTTP_HOST="recruiting.example.com")
for query in ("kind=serv&src=2001234", "kind=user&uid=1120000000012345"):
    answer = client.get("/sandbox/tvmtool/issue?" + query, secure=True)
    print(answer.status_code, "ticket" in answer.json())
"""


def test_sandbox_override_mints_no_ticket_for_anonymous_callers(tmp_path):
    env = {
        **production_env(),
        "SANDBOX": "true",
        "SANDBOX_ALLOW_IN_PRODUCTION": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'mint.sqlite3'}",
        "PPC_SHARD_DATABASE_URLS": "default",
    }
    result = manage("shell", "-c", MINT, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-2:] == ["403 False", "403 False"]
