"""Take a candidate into work in a subsystem, exactly once.

The protocol (see Application's docstring):
1. claim: insert a PENDING row (a partial unique constraint allows one active
   row per organization, resume and subsystem) with a deterministic marker
   and a short lease, in its own transaction;
2. call the subsystem outside any transaction: Tracker gets the marker as
   `unique` (a repeat answers 409 with the same issue), amoCRM gets it as a tag;
3. store the id (OPEN). A definite refusal deletes the claim; an ambiguous
   failure (timeout, 5xx, "it exists" without the thing itself) keeps it
   PENDING with its lease ended, and the next attempt, or the poller, first
   looks the marker up before creating again.

Subsystem failures reach the recruiter in plain words of their language
(`subsystem_error`); the vendor's own text stays in logs and details.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from core import errors
from core.models import User
from recruiting import messages
from recruiting.adapters.base import JobSite, ResumeCard
from recruiting.adapters.subsystem_base import (
    Candidate,
    CreateParams,
    ExternalApplication,
    SubsystemAdapter,
)
from recruiting.messages import contacts_closed_error
from recruiting.models import Application, Subsystem
from recruiting.selectors.contacts import contacts_known, stored_resume
from recruiting.services.application_claims import (
    Claim,
    application_claim,
    application_details,
    application_open,
    release_ambiguous,
)
from recruiting.services.application_params import (
    card_urns_validate,
    params_validate,
    urn_parse,
    urn_validate,
)
from recruiting.services.contacts import contacts_open
from recruiting.services.sites import site_adapter
from recruiting.services.subsystems import (
    connection_get,
    subsystem_client,
    subsystem_error,
)

logger = logging.getLogger(__name__)

# Failures after which the subsystem may or may not hold the application.
AMBIGUOUS = (errors.Unavailable, errors.DeadlineExceeded, errors.AlreadyExists)


def application_create(
    *,
    recruiter: User,
    candidate: Candidate,
    subsystem: str,
    pipeline_id: int | None = None,
    status_id: int | None = None,
    queue: str = "",
    card_urns: Sequence[str] = (),
) -> Application:
    """Take `candidate` into work in the organization's `subsystem`.

    `card_urns` are the other resumes of the same (merged) card: one person,
    so an active application on any of them refuses this one too. They are
    kept in the application's params (the contacts job shares what the
    subsystem knows about the person with them).

    Returns the OPEN application (also when this recruiter already took it).
    Raises PermissionDenied (no organization), InvalidArgument (bad URN),
    FailedPrecondition (subsystem not configured), NotFound (pipeline, stage
    or queue does not exist), AlreadyExists ("already in work by X, status
    Y", or being taken right now), Unavailable/DeadlineExceeded (the
    subsystem failed; after an ambiguous failure a retry is safe) and the
    subsystem's refusals.
    """
    if recruiter.organization_id is None:
        raise errors.PermissionDenied(messages.ONLY_RECRUITERS_TAKE)
    urn = urn_validate(candidate.urn)
    siblings = card_urns_validate(card_urns, urn=urn)
    connection = connection_get(organization_id=recruiter.organization_id, subsystem=subsystem)
    params = params_validate(connection, pipeline_id, status_id, queue)
    client = subsystem_client(connection, interactive=True)
    claim = application_claim(
        connection=connection, recruiter=recruiter, urn=urn, siblings=siblings, params=params
    )
    if claim.mode == "done":
        return claim.application
    return _complete(claim, client=client, candidate=candidate, params=params, recruiter=recruiter)


def _complete(
    claim: Claim,
    *,
    client: SubsystemAdapter,
    candidate: Candidate,
    params: CreateParams,
    recruiter: User,
) -> Application:
    app = claim.application
    try:
        external = client.find(marker=app.idempotency_key) if claim.mode == "takeover" else None
        if external is None:
            external = client.create(candidate=candidate, params=params, marker=app.idempotency_key)
            app.recruiter = recruiter
    except AMBIGUOUS as exc:
        # Kept PENDING: a retry or the poller finds it by the marker. A
        # "exists" answer without the thing itself is the same case: it
        # exists, and deleting the claim would lose the only trace of it.
        logger.warning("%s: unclear outcome of %s: %s", app.subsystem, app.pk, exc.message)
        release_ambiguous(app, exc)
        cls = errors.Unavailable if isinstance(exc, errors.AlreadyExists) else type(exc)
        raise cls(
            messages.unclear_outcome(app.get_subsystem_display()),
            details={**application_details(app), "detail": exc.message[:500]},
        ) from exc
    except errors.ServiceError as exc:
        if claim.mode == "new":
            app.delete()  # refused before anything was created: release the claim
        else:
            release_ambiguous(app, exc)
        raise subsystem_error(app.subsystem, exc) from exc
    return application_open(app, _stage_read(client, external))


def _stage_read(client: SubsystemAdapter, external: ExternalApplication) -> ExternalApplication:
    """The stage a new amoCRM lead landed in, when the create did not say.

    The complex create answers ids only; a lead created without a stage goes
    to the pipeline's first one, which only a read tells (reference:
    leads-api). One GET, safe to make; when it fails the poller fills the
    stage in and the card shows a placeholder meanwhile.
    """
    if not external.status.endswith(":"):
        return external
    try:
        found = client.statuses(ids=[external.id]).get(external.id)
    except errors.ServiceError as exc:
        logger.info("stage of %s not read back: %s", external.id, exc.message)
        return external
    if found is None:
        return external
    return replace(external, status=found.status, status_display=found.status_display)


def candidate_for(*, recruiter: User, urn: str) -> Candidate:
    """What a subsystem is told about `urn`: name, link and contacts the
    organization has. Raises InvalidArgument (bad URN) and FailedPrecondition
    when the contacts are not open yet (a lead is named after the candidate).
    """
    site, resume_id = urn_parse(urn)
    known = contacts_known(organization_id=recruiter.organization_id, urns=[urn]).get(urn)
    if known is None:
        raise contacts_closed_error(site, urn)
    stored = stored_resume(recruiter.organization_id, urn)
    card = None
    if stored is not None and stored.resume:
        try:
            card = site_adapter(site).card_from_raw(stored.resume)
        except errors.InvalidResponse:
            card = None
    default_url = {JobSite.HH: f"https://hh.ru/resume/{resume_id}"}.get(site, urn)
    return Candidate(
        urn=urn,
        full_name=known.name or (card.name if card else None) or urn,
        resume_url=(card.url if card and card.url else default_url),
        title=(card.title or "") if card else "",
        phones=known.phones,
        emails=known.emails,
    )


def resume_take(
    *,
    recruiter: User,
    urn: str,
    subsystem: str,
    pipeline_id: int | None = None,
    status_id: int | None = None,
    queue: str = "",
    card_urns: Sequence[str] = (),
    shown: ResumeCard | None = None,
) -> Application:
    """Take the resume `urn` into work in `subsystem`: `application_create`
    with the candidate the organization knows (see `candidate_for`);
    `card_urns` are the other resumes of its merged card. `shown` is the
    resume as the search showed it: when the site reports its contacts open
    (a colleague opened them), they are fetched first, free, so such a card
    is taken at once.

    Raises PermissionDenied (no organization), what `candidate_for` and
    `application_create` raise, except that the subsystem refusing the
    organization's credentials (Unauthenticated from its adapter) is
    FailedPrecondition: an administrator must fix the connection, and the
    recruiter's own login is fine, so a caller is never told it failed.
    """
    if recruiter.organization_id is None:
        raise errors.PermissionDenied(messages.ONLY_RECRUITERS_TAKE)
    if shown is not None and shown.contacts_open:
        contacts_open(recruiter=recruiter, urn=urn, shown=shown, free_only=True)
    candidate = candidate_for(recruiter=recruiter, urn=urn)
    try:
        return application_create(
            recruiter=recruiter,
            candidate=candidate,
            subsystem=subsystem,
            pipeline_id=pipeline_id,
            status_id=status_id,
            queue=queue,
            card_urns=card_urns,
        )
    except errors.Unauthenticated as exc:
        raise errors.FailedPrecondition(
            messages.subsystem_credentials_refused(Subsystem(subsystem).label),
            details={**exc.details, "reason": "subsystem_unauthenticated"},
        ) from exc
