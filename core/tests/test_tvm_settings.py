"""TVM settings: off in production unless set, and refused when enabled but incomplete."""

from __future__ import annotations

from core.tests.test_config import manage, production_env


def test_tvm_is_off_in_the_documented_production_environment():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.TVM_ENABLED)",
        env=production_env(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_tvm_enabled_without_its_settings_is_a_one_line_error():
    env = {**production_env(), "TVM_ENABLED": "true", "TVM_TOOL_URL": "http://localhost:1"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Configuration error: TVM_TOOL_AUTH_TOKEN must be set"
    ]


def test_tvm_enabled_with_its_settings_passes_check_deploy():
    env = {
        **production_env(),
        "TVM_ENABLED": "true",
        "TVM_TOOL_URL": "http://localhost:1",
        "TVM_TOOL_AUTH_TOKEN": "local-token",
        "TVM_ALLOWED_SOURCES": "2001234,2001235",
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr + result.stdout


def test_bad_throttle_rate_is_a_one_line_error():
    result = manage("check", env={"DEBUG": "true", "API_THROTTLE_SEARCH": "lots"})
    assert result.returncode != 0
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("Configuration error: API_THROTTLE_SEARCH must look like")
    )
