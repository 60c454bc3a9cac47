"""Job-site tokens: store, read a valid access token, refresh, disconnect.

Refresh follows each site's rules. hh.ru accepts a refresh only after the
access token expired and each refresh token works once, so exactly one
process may refresh a token at a time: it claims a short lease on the row
under `select_for_update`, calls the site outside the transaction (the site
may be slow; SQLite and the in-process emulators must not wait on our lock),
then stores the new pair in one UPDATE. Others wait for the lease and use
the new pair. A refresh the site rejects marks the token "reconnect needed".

A caller's deadline bounds only the wait for another process's lease, never
the refresh call itself: the site spends the single-use refresh token when it
answers, so a call cut off at the deadline would lose the new pair. The call
has its own timeouts (`JOBSITE_TOKEN_TIMEOUT`, never the search's), and the
lease outlives them, so no other process sends the same refresh token while
it runs. A caller that must not wait runs the refresh in a pool thread and
stops waiting for it (the search fan-out does); the thread still stores the
pair, and the next caller reads it from the row.

A refresh token is sent once: when the site may have received it but no
answer came (read timeout, connection broken after sending), the pair is
lost at the site's end, so the token is marked "reconnect needed" instead
of sending the refresh token again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import NoReturn, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import errors
from core.leases import SYSTEM_CLOCK, RowLease, wait_for
from core.models import User
from recruiting import messages
from recruiting.adapters.base import JobSite, TokenPair
from recruiting.messages import reconnect_error
from recruiting.models import Token
from recruiting.services.sites import site_adapter

logger = logging.getLogger(__name__)

T = TypeVar("T")

LEASE_POLL = 0.05
# Beyond the refresh call's own timeouts: backoff before a connect retry,
# storing the pair, clock skew between processes.
LEASE_MARGIN = timedelta(seconds=10)


def refresh_lease() -> timedelta:
    """How long a refresh may hold the row: longer than the refresh call can
    last (a connect retry, then connect + read), so the lease never lapses
    while the single-use refresh token is in flight."""
    connect = settings.HTTP_CONNECT_TIMEOUT
    return timedelta(seconds=2 * connect + settings.JOBSITE_TOKEN_TIMEOUT) + LEASE_MARGIN


def token_store(*, recruiter: User, site: JobSite, pair: TokenPair) -> Token:
    """Save a fresh pair for the recruiter's site (a new connection or a reconnect)."""
    token, _created = Token.objects.update_or_create(
        recruiter=recruiter,
        job_site=site.value,
        defaults={
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "valid_until": pair.expires_at,
            "status": Token.Status.ACTIVE,
            "status_detail": "",
            "refreshing_until": None,
        },
    )
    return token


def token_delete(*, recruiter: User, site: JobSite) -> bool:
    """Disconnect a site; True when there was a connection.

    The connection is gone here whatever the site answers; the token is then
    revoked at the site too, where it can be (a failure there is only
    logged: the token can no longer be used from here, and it expires).
    """
    token = Token.objects.filter(recruiter=recruiter, job_site=site.value).first()
    if token is None:
        return False
    access_token = token.access_token
    token.delete()
    try:
        site_adapter(site).revoke(access_token=access_token)
    except errors.ServiceError as exc:
        logger.warning("%s: revoking a disconnected token failed: %s", site.value, exc.message)
    return True


def token_mark_reconnect(*, token: Token, reason: str) -> None:
    Token.objects.filter(pk=token.pk).update(
        status=Token.Status.RECONNECT, status_detail=reason[:200], refreshing_until=None
    )
    token.status = Token.Status.RECONNECT


def token_access(*, token: Token, deadline: float | None = None) -> str:
    """A usable access token for `token`'s site, refreshed first when due.

    `deadline` (time.monotonic) bounds the wait for a concurrent refresh,
    see `token_refresh`. Raises Unauthenticated (reconnect needed),
    DeadlineExceeded, or the site's transport errors.
    """
    site = JobSite(token.job_site)
    if token.status == Token.Status.RECONNECT:
        raise reconnect_error(site)
    if _due(token, site):
        token = token_refresh(token=token, deadline=deadline)
    return token.access_token


def with_access(*, token: Token, call: Callable[[str], T], deadline: float | None = None) -> T:
    """`call(access_token)` with a usable access token of `token`.

    The one "expired -> refresh -> retry" step: a token due for refresh is
    refreshed first; one the site refuses as expired in flight (the site
    refused the call, so nothing was charged) is refreshed once and the call
    repeated. Any other refusal of the token (revoked, unknown, or refused
    again right after a refresh) means the connection must be renewed: the
    token is marked "reconnect needed", here and nowhere else, so search,
    contacts and every later call agree. `token` follows the refreshed row,
    so later calls with it need no refresh. `deadline` as for
    `token_refresh`. Raises what `call` raises, and Unauthenticated (reason
    "reconnect") when the connection must be renewed.
    """
    if token.status == Token.Status.RECONNECT:
        raise reconnect_error(JobSite(token.job_site))
    if _due(token, JobSite(token.job_site)):
        _follow(token, token_refresh(token=token, deadline=deadline))
    try:
        return call(token.access_token)
    except errors.Unauthenticated as exc:
        if exc.details.get("reason") != "expired":
            token_mark_reconnect(token=token, reason=exc.message)
            raise
    _follow(token, token_refresh(token=token, deadline=deadline))
    try:
        return call(token.access_token)
    except errors.Unauthenticated as exc:
        token_mark_reconnect(token=token, reason=exc.message)
        raise


def _follow(token: Token, row: Token) -> None:
    if row is token:
        return
    for field in ("access_token", "refresh_token", "valid_until", "status", "status_detail"):
        setattr(token, field, getattr(row, field))


def _due(token: Token, site: JobSite) -> bool:
    early = getattr(site_adapter(site), "refresh_early", timedelta(0))
    return token.valid_until - early <= timezone.now()


def token_refresh(*, token: Token, deadline: float | None = None) -> Token:
    """Refresh `token` unless another process already did; returns the current row.

    `token.access_token` is the pair the caller saw: if the row holds another
    one, someone refreshed meanwhile and that pair is returned as is.
    Raises Unauthenticated (rejected, or the answer lost after the refresh
    token was sent: reconnect needed), Unavailable (the site
    or a concurrent refresh did not finish in time), DeadlineExceeded (the
    wait for a concurrent refresh would pass `deadline`, a time.monotonic
    value; nothing is lost). The site call itself runs to its own token
    timeout (`JOBSITE_TOKEN_TIMEOUT`) whatever `deadline` says: hh.ru spends the refresh token when it
    answers, so the answer must be stored even when it comes late.
    """
    site = JobSite(token.job_site)
    claimed = _claim(token, site, deadline)
    if claimed.access_token != token.access_token:
        return claimed
    adapter = site_adapter(site)
    try:
        pair = adapter.refresh(refresh_token=claimed.refresh_token)
    except errors.FailedPrecondition:
        # hh: "token not expired": our clock runs ahead; the pair still works.
        _release(claimed)
        return claimed
    except (errors.Unauthenticated, errors.PermissionDenied, errors.InvalidArgument) as exc:
        logger.warning("%s refresh rejected for token %s: %s", site.value, claimed.pk, exc.message)
        _reconnect_needed(claimed, site, exc)
    except errors.ServiceError as exc:
        if exc.details.get("outcome_unknown"):
            # The site may have spent the refresh token and its answer is
            # lost: sending it again cannot work and must not be tried.
            logger.warning("%s refresh answer lost for token %s: %s", site.value, claimed.pk, exc)
            _reconnect_needed(claimed, site, exc)
        _release(claimed)
        raise
    return _save_pair(claimed, pair)


def _reconnect_needed(claimed: Token, site: JobSite, exc: errors.ServiceError) -> NoReturn:
    """The refreshed connection needs a reconnect, unless the recruiter
    reconnected while the refresh ran (the row no longer holds our lease):
    the new connection is theirs to keep, and this call is tried again."""
    marked = _ours(claimed).update(
        status=Token.Status.RECONNECT, status_detail=exc.message[:200], refreshing_until=None
    )
    if marked:
        claimed.status = Token.Status.RECONNECT
        raise reconnect_error(site) from exc
    raise errors.Unavailable(messages.access_being_renewed(site)) from exc


def _claim(token: Token, site: JobSite, deadline: float | None = None) -> Token:
    """Wait for and take the refresh lease, or return a row someone refreshed.

    Waits at most the lease's length (a live holder finishes within it);
    raises DeadlineExceeded when the lease is still held at `deadline`,
    Unavailable when it is held for longer than a lease.
    """
    lease = _lease()
    give_up = SYSTEM_CLOCK.monotonic() + lease.ttl.total_seconds()

    def attempt() -> Token | None:
        with transaction.atomic():
            row = Token.objects.select_for_update().get(pk=token.pk)
            if row.status == Token.Status.RECONNECT:
                raise reconnect_error(site)
            if row.access_token != token.access_token or lease.claim(row):
                return row
            return None

    bound = give_up if deadline is None else min(deadline, give_up)
    row = wait_for(attempt, deadline=bound, poll=LEASE_POLL)
    if row is not None:
        return row
    if deadline is not None and deadline < give_up:
        raise errors.DeadlineExceeded(
            f"{site.value}: token refresh still running at the deadline",
            details={"site": site.value},
        )
    raise errors.Unavailable(messages.access_being_renewed(site))


def _lease() -> RowLease:
    return RowLease("refreshing_until", refresh_lease())


def _ours(claimed: Token):
    """`claimed`'s row while it still holds the lease this refresh took: a
    reconnect (`token_store`) replaces the pair and clears the lease."""
    return Token.objects.filter(pk=claimed.pk, refreshing_until=claimed.refreshing_until)


def _release(row: Token) -> None:
    _lease().release(_ours(row))


def _save_pair(row: Token, pair: TokenPair) -> Token:
    """Store the refreshed pair, unless the recruiter reconnected meanwhile:
    then their new pair stays, and is what the caller gets."""
    values = {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "valid_until": pair.expires_at,
        "refreshing_until": None,
        "status": Token.Status.ACTIVE,
        "status_detail": "",
    }
    if not _ours(row).update(**values, updated_at=timezone.now()):
        return Token.objects.get(pk=row.pk)
    for name, value in values.items():
        setattr(row, name, value)
    return row
