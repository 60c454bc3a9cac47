"""A resume for its page, and calling a job site on the recruiter's token
within the caller's deadline (the contacts service uses the same calls).

A web request never waits past its deadline: for another process's token
refresh (`tokens.with_access`) nor for a colleague's opening (`contacts`).
A caller without a deadline of its own gets REQUEST_WAIT from now.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core import errors
from core.leases import SYSTEM_CLOCK
from core.models import User
from recruiting import selectors
from recruiting.adapters.base import JobSite, ResumeCard, ResumeDetails
from recruiting.messages import contacts_error, not_connected_error
from recruiting.models import Token
from recruiting.selectors.contacts import KnownContacts, contacts_known, stored_resume
from recruiting.services.application_params import urn_parse
from recruiting.services.resume_links import link_remember
from recruiting.services.sites import site_adapter
from recruiting.services.tokens import with_access

logger = logging.getLogger(__name__)

# How long a request may wait in all, for a colleague's opening or a token
# refresh, when its caller gives no deadline (a web request's budget).
REQUEST_WAIT = 20.0


@dataclass(frozen=True)
class ResumeView:
    urn: str
    site: JobSite
    card: ResumeCard | None  # None: the site cannot show it without paying
    contacts: KnownContacts | None
    cached: bool  # shown from storage, no site call

    @property
    def details(self) -> ResumeDetails | None:
        """Experience, skills and education of the full resume, when shown."""
        if self.card is None or not self.card.raw:
            return None
        return site_adapter(self.site).details_from_raw(self.card.raw)


def resume_get(*, recruiter: User, urn: str, deadline: float | None = None) -> ResumeView:
    """The full resume `urn` for its page: from storage when the organization
    has it, else from the site (hh.ru; SuperJob only shows it once paid).
    `deadline` (monotonic) bounds waiting for a token refresh (default:
    REQUEST_WAIT from now).

    Raises InvalidArgument (bad URN), FailedPrecondition (site not
    connected), and the site's errors in plain words (`contacts_error`).
    """
    site, resume_id = urn_parse(urn)
    org = recruiter.organization_id
    known = contacts_known(organization_id=org, urns=[urn]).get(urn)
    stored = stored_resume(org, urn)
    adapter = site_adapter(site)
    if stored is not None and stored.resume:
        try:
            return ResumeView(urn, site, adapter.card_from_raw(stored.resume), known, True)
        except errors.InvalidResponse:
            logger.warning("stored resume %s does not parse; reading it again", urn)
    if adapter.resume_read_spends_contacts:
        return ResumeView(urn, site, None, known, False)
    token = recruiter_token(recruiter, site)
    card = site_call(
        site,
        token,
        lambda access: resume_read(recruiter, site, access, resume_id),
        request_deadline(deadline),
    )
    return ResumeView(urn, site, card, known, False)


def resume_read(recruiter: User, site: JobSite, access: str, resume_id: str) -> ResumeCard:
    """One read of the resume (an hh.ru view), its opening link kept for the
    recruiter's next opening (`resume_links`)."""
    card = site_adapter(site).resume(access_token=access, resume_id=resume_id)
    return link_remember(recruiter=recruiter, card=card)


def recruiter_token(recruiter: User, site: JobSite) -> Token:
    """The recruiter's connection to `site`; FailedPrecondition without one."""
    token = selectors.tokens_for(recruiter=recruiter).get(site)
    if token is None:
        raise not_connected_error(site)
    return token


def request_deadline(deadline: float | None) -> float:
    """`deadline` (a monotonic value), or REQUEST_WAIT from now without one."""
    return SYSTEM_CLOCK.monotonic() + REQUEST_WAIT if deadline is None else deadline


def site_call(site: JobSite, token: Token, call: Callable[[str], Any], deadline: float) -> Any:
    """`call(access_token)` (`tokens.with_access`, waiting for another
    process's token refresh up to `deadline`), its errors in plain words."""
    try:
        return with_access(token=token, call=call, deadline=deadline)
    except errors.FailedPrecondition:
        raise
    except errors.ServiceError as exc:
        raise contacts_error(site, exc) from exc
