"""Connecting a job site by OAuth (authorization-code flow).

`oauth_start` makes a random single-use `state` (256 bits) and keeps it in
the recruiter's session together with the site it was issued for (one
callback per site defends against mix-up) and, where the site supports PKCE,
the code verifier. `oauth_complete` pops the state first, so a replayed or
foreign state fails, then exchanges the code and stores the tokens. Nothing
is stored on any failure.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Mapping, MutableMapping
from typing import Any

from django.conf import settings
from django.urls import reverse

from core import errors
from core.models import User
from recruiting import messages
from recruiting.adapters.base import JobSite
from recruiting.models import Token
from recruiting.services.sites import site_adapter
from recruiting.services.tokens import token_store

SESSION_KEY = "jobsite_oauth_states"
MAX_PENDING = 10
STATE_TTL = 600  # seconds


def redirect_uri(site: JobSite) -> str:
    """The exact callback URL registered with the site, built from SITE_URL."""
    path = reverse("recruiting:oauth-callback", kwargs={"site": site.value})
    return settings.SITE_URL.rstrip("/") + path


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) per RFC 7636: 86-character verifier, 43-character challenge."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def oauth_start(*, session: MutableMapping[str, Any], recruiter: User, site: JobSite) -> str:
    """Remember a new state in `session`; returns the site's authorization URL."""
    adapter = site_adapter(site)
    state = secrets.token_urlsafe(32)
    verifier, challenge = pkce_pair() if adapter.supports_pkce else (None, None)
    pending = dict(session.get(SESSION_KEY) or {})
    if len(pending) >= MAX_PENDING:  # evict the oldest
        for old in sorted(pending, key=lambda k: pending[k]["at"])[
            : len(pending) - MAX_PENDING + 1
        ]:
            del pending[old]
    pending[state] = {
        "site": site.value,
        "user": recruiter.pk,
        "verifier": verifier,
        "at": time.time(),
    }
    session[SESSION_KEY] = pending
    return adapter.authorize_url(
        state=state, redirect_uri=redirect_uri(site), code_challenge=challenge
    )


def oauth_complete(
    *, session: MutableMapping[str, Any], recruiter, site: JobSite, params: Mapping[str, str]
) -> Token:
    """Finish the flow from the callback's query `params`; returns the stored token.

    Raises InvalidArgument (missing, unknown, replayed, expired or foreign
    state; no code), PermissionDenied (the recruiter denied access),
    Unauthenticated/Unavailable/InvalidResponse (the exchange failed).
    """
    entry = _pop_state(session, params.get("state", ""))
    if entry is None or entry["site"] != site.value or entry["user"] != recruiter.pk:
        raise errors.InvalidArgument(
            messages.SIGN_IN_LINK_INVALID,
            details={"field": "state"},
        )
    if time.time() - entry["at"] > STATE_TTL:
        raise errors.InvalidArgument(messages.SIGN_IN_TOO_LONG, details={"field": "state"})
    if params.get("error"):
        raise errors.PermissionDenied(
            messages.access_not_granted(site),
            details={"error": params["error"][:100]},
        )
    if not params.get("code"):
        raise errors.InvalidArgument(messages.NO_AUTHORIZATION_CODE)
    adapter = site_adapter(site)
    try:
        pair = adapter.exchange_code(
            code=params["code"], redirect_uri=redirect_uri(site), code_verifier=entry["verifier"]
        )
    except errors.ServiceError as exc:
        raise type(exc)(
            messages.access_not_confirmed(site),
            details=exc.details,
        ) from exc
    return token_store(recruiter=recruiter, site=site, pair=pair)


def _pop_state(session: MutableMapping[str, Any], state: str) -> dict[str, Any] | None:
    pending = dict(session.get(SESSION_KEY) or {})
    entry = pending.pop(state, None) if state else None
    session[SESSION_KEY] = pending
    return entry
