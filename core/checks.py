"""Deployment system checks of our own settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def sandbox_in_production(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The sandbox outside DEBUG mints TVM tickets for anyone."""
    if settings.SANDBOX and not settings.EMULATOR_DEFAULTS:
        return [
            checks.Error(
                "SANDBOX is on with DEBUG off (SANDBOX_ALLOW_IN_PRODUCTION=true): "
                "its emulators mint TVM tickets without login.",
                hint="Unset SANDBOX and SANDBOX_ALLOW_IN_PRODUCTION in production.",
                id="core.E100",
            )
        ]
    return []
