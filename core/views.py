from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import errors, selectors
from core.types import AuthedRequest

logger = logging.getLogger(__name__)


def home(request: AuthedRequest) -> HttpResponse:
    # A freelancer's account (the reverse one-to-one of freelancers.Freelancer)
    # lands in their cabinet; everyone else in the search.
    if request.user.organization_id is None and hasattr(request.user, "freelancer"):
        return redirect("freelancers:me")
    return redirect("recruiting:search")


@login_not_required
@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """The process is up and its database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.error("health: database unreachable: %s", exc)
        return JsonResponse({"status": "CRIT", "message": _("database unreachable")}, status=503)
    return JsonResponse({"status": "OK", "message": _("database reachable")})


@login_not_required
@never_cache
@require_safe
def health_job(request: HttpRequest, job: str) -> JsonResponse:
    """A monitoring check for one job: 200 for OK/WARN, 503 for CRIT."""
    try:
        verdict = selectors.job_health(job)
    except errors.NotFound as exc:
        return JsonResponse(exc.as_dict(), status=404)
    return JsonResponse(verdict.as_dict(), status=503 if verdict.status == "CRIT" else 200)


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors, no database: whatever broke may break them too.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
