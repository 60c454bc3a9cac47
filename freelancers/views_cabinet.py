"""The freelancer's own cabinet: their card, why they are (not) in the catalogue."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import errors
from freelancers import selectors, services
from freelancers.forms import OwnCardForm
from freelancers.models import Freelancer


def _own(request: HttpRequest) -> Freelancer:
    try:
        return selectors.freelancer_for_user(request.user)
    except errors.NotFound:
        raise Http404 from None


@require_http_methods(["GET"])
def me(request: HttpRequest) -> HttpResponse:
    cabinet = selectors.cabinet(_own(request), today=timezone.localdate())
    return render(request, "freelancers/me.html", {"cabinet": cabinet})


@require_http_methods(["GET", "POST"])
def card(request: HttpRequest) -> HttpResponse:
    freelancer = _own(request)
    latest = selectors.card_latest(freelancer)
    initial = (
        {name: getattr(latest, name) for name in ("about", "phone", "email", "site", "messenger")}
        if latest
        else {}
    )
    form = OwnCardForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.freelancer_card_propose(freelancer=freelancer, **form.content())
        except errors.InvalidArgument as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Version %(version)s is sent to moderation.") % {"version": version.version},
            )
            return redirect("freelancers:me")
    return render(request, "freelancers/me_card.html", {"form": form, "latest": latest})


@require_POST
def withdraw(request: HttpRequest) -> HttpResponse:
    try:
        version = services.freelancer_card_withdraw(freelancer=_own(request))
    except errors.FailedPrecondition as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Version %(version)s is withdrawn from moderation.") % {"version": version.version},
        )
    return redirect("freelancers:me")
