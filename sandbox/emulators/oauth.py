"""OAuth pieces both job-site emulators share: consent page, codes, token pairs."""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from sandbox.models import OAuthCode, OAuthToken

CODE_LIFETIME = timedelta(minutes=10)


def consent(request: HttpRequest, *, system: str, site: str) -> HttpResponse:
    """GET shows Allow / Deny; POST redirects to redirect_uri with a code or an error."""
    params = request.POST if request.method == "POST" else request.GET
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri.startswith(("http://", "https://")) or not params.get("client_id"):
        return HttpResponseBadRequest("bad redirect_uri or client_id")
    if request.method != "POST":
        shown = [(k, v) for k, v in params.items() if k != "decision"]
        return render(
            request,
            "sandbox/consent.html",
            {"site": site, "client_id": params["client_id"], "params": shown},
        )
    answer = {"state": params["state"]} if params.get("state") else {}
    if params.get("decision") == "allow":
        code = OAuthCode.objects.create(
            system=system,
            code=secrets.token_hex(16),
            redirect_uri=redirect_uri,
            account=params.get("account", ""),
        )
        answer = {"code": code.code, **answer}
    else:
        answer = {"error": "access_denied", **answer}
    joiner = "&" if "?" in redirect_uri else "?"
    return HttpResponseRedirect(f"{redirect_uri}{joiner}{urlencode(answer)}")


def code_account(system: str, code: str) -> str:
    """The account (employer) that signed in on the consent page for this code."""
    row = OAuthCode.objects.filter(system=system, code=code).first()
    return row.account if row else ""


def take_code(system: str, code: str, redirect_uri: str | None) -> str | None:
    """Consume a code; returns an error description or None when it is good."""
    with transaction.atomic():
        row = OAuthCode.objects.select_for_update().filter(system=system, code=code).first()
        if row is None:
            return "code not found"
        if row.used:
            return "code has already been used"
        if timezone.now() - row.created_at > CODE_LIFETIME:
            return "code expired"
        if redirect_uri is not None and redirect_uri != row.redirect_uri:
            return "bad redirect url"
        row.used = True
        row.save(update_fields=["used"])
    return None


def issue(system: str, lifetime: timedelta, *, account: str = "") -> OAuthToken:
    return OAuthToken.objects.create(
        system=system,
        account=account,
        access_token=secrets.token_hex(20),
        refresh_token=secrets.token_hex(20),
        expires_at=timezone.now() + lifetime,
    )


def rotate(
    system: str, refresh_token: str, lifetime: timedelta, *, only_after_expiry: bool
) -> tuple[OAuthToken | None, str]:
    """Spend a refresh token once; returns (new pair, "") or (None, error description)."""
    with transaction.atomic():
        row = (
            OAuthToken.objects.select_for_update()
            .filter(system=system, refresh_token=refresh_token)
            .first()
        )
        if row is None:
            return None, "token not found"
        if row.revoked:
            return None, "token was revoked"
        if row.refreshed:
            return None, "token has already been refreshed"
        if only_after_expiry and row.expires_at > timezone.now():
            return None, "token not expired"
        row.refreshed = True
        row.save(update_fields=["refreshed"])
        return issue(system, lifetime, account=row.account), ""


def bearer(request: HttpRequest, system: str) -> tuple[OAuthToken | None, str]:
    """The token of the request: (row, "") or (None, "missing" | "bad" | "expired" | "revoked")."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None, "missing"
    row = OAuthToken.objects.filter(system=system, access_token=header[7:].strip()).first()
    if row is None:
        return None, "bad"
    if row.revoked or row.refreshed:
        return None, "revoked"
    if row.expires_at <= timezone.now():
        return None, "expired"
    return row, ""
