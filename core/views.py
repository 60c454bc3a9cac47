from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import errors, selectors
from core.auth import is_recruiter
from core.types import AuthedRequest

logger = logging.getLogger(__name__)


def home(request: AuthedRequest) -> HttpResponse:
    # A recruiter lands in the search; a freelancer's account (the reverse
    # one-to-one of freelancers.Freelancer) in their cabinet; staff without
    # an organization in the admin.
    user = request.user
    if user.organization_id is None:
        if hasattr(user, "freelancer"):
            return redirect("freelancers:me")
        if user.is_staff:
            return redirect("admin:index")
    return redirect("recruiting:search")


def recruiter_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for recruiters only (a signed-in user of an organization): the
    recruiting pages, as the API (`core.api.permissions.IsRecruiter`). A
    freelancer's or an operator's account is told so (403), never shown the
    company's job sites, searches and candidates."""

    @functools.wraps(view)
    def only_recruiters(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_recruiter(request.user):
            raise errors.PermissionDenied(
                _("These pages are for recruiters: your account belongs to no organization.")
            )
        return view(request, *args, **kwargs)

    return only_recruiters


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
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", status=400)


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    # The project's own refusals say why, in the reader's language.
    return render(request, "403.html", {"reason": str(exception)}, status=403)


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors, no database: whatever broke may break them too.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
