"""The frame every emulator runs in: fault injection and request plumbing.

Wrap an emulator view in `@emulator("hh")`: it needs no login, takes no CSRF
token (it stands in for an external system), and answers with the latency,
errors and broken bodies the system's fault knobs ask for. A view named as an
endpoint, `@emulator("hh", endpoint="token")`, also answers to the knobs of
"hh-token", so one endpoint can be made slow or failing alone.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, fields

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from sandbox.models import FaultConfig

MALFORMED_BODY = b'{"items": [{"id": '


@dataclass(frozen=True)
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 503
    malformed_rate: float = 0.0
    fail_next: int = 0


def faults_for(system: str) -> Faults:
    """The knobs in force for `system`: its admin row, else settings, else none."""
    row = FaultConfig.objects.filter(system=system).first()
    if row is not None:
        return Faults(**{f.name: getattr(row, f.name) for f in fields(Faults)})
    configured = settings.SANDBOX_FAULTS.get(system, {})
    return Faults(**{k: v for k, v in configured.items() if k in Faults.__dataclass_fields__})


def set_faults(system: str, **knobs) -> FaultConfig:
    """Set knobs for `system` (used by tests, benchmarks and the demo)."""
    row, _ = FaultConfig.objects.update_or_create(system=system, defaults=knobs)
    return row


def _take_forced_failure(system: str) -> bool:
    with transaction.atomic():
        return bool(
            FaultConfig.objects.filter(system=system, fail_next__gt=0).update(
                fail_next=F("fail_next") - 1
            )
        )


def _fault_response(system: str, faults: Faults) -> HttpResponse | None:
    if faults.latency_ms:
        time.sleep(faults.latency_ms / 1000)
    if (faults.fail_next and _take_forced_failure(system)) or random.random() < faults.error_rate:
        response = JsonResponse(
            {"error": "injected_fault", "description": f"sandbox fault for {system}"},
            status=faults.error_status,
        )
        if faults.error_status in (429, 503):
            response["Retry-After"] = "1"
        return response
    if random.random() < faults.malformed_rate:
        return HttpResponse(MALFORMED_BODY, content_type="application/json")
    return None


def emulator(
    system: str, endpoint: str | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate an emulator view of `system` with the fault frame.

    With `endpoint`, the knobs of "<system>-<endpoint>" apply first, then the system's.
    """
    names = (f"{system}-{endpoint}", system) if endpoint else (system,)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            for name in names:
                injected = _fault_response(name, faults_for(name))
                if injected is not None:
                    return injected
            return view(request, *args, **kwargs)

        return login_not_required(csrf_exempt(wrapped))

    return decorate
