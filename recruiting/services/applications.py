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

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import errors
from core.models import User
from recruiting.adapters.base import JobSite
from recruiting.adapters.subsystem_base import (
    Candidate,
    CreateParams,
    ExternalApplication,
    SubsystemAdapter,
)
from recruiting.models import Application, Subsystem, SubsystemConnection
from recruiting.selectors.contacts import contacts_known, stored_resume
from recruiting.services.application_params import (
    card_urns_validate,
    params_validate,
    urn_parse,
    urn_validate,
)
from recruiting.services.sites import site_adapter
from recruiting.services.subsystems import (
    connection_get,
    stage_name,
    subsystem_client,
    subsystem_error,
)

logger = logging.getLogger(__name__)

ACTIVE = (Application.Status.PENDING, Application.Status.OPEN)
# Failures after which the subsystem may or may not hold the application.
AMBIGUOUS = (errors.Unavailable, errors.DeadlineExceeded, errors.AlreadyExists)


def application_marker(*, organization_id: int, urn: str, subsystem: str, generation: int) -> str:
    """The idempotency key of one take-into-work: stable across retries and clicks."""
    digest = hashlib.sha256(f"{organization_id}|{urn}|{subsystem}|{generation}".encode())
    return f"recruiting-{digest.hexdigest()[:32]}"


@dataclass(frozen=True)
class _Claim:
    application: Application
    mode: str  # "new" | "takeover" | "done"


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
        raise errors.PermissionDenied(_("Only recruiters of an organization take candidates"))
    urn = urn_validate(candidate.urn)
    siblings = card_urns_validate(card_urns, urn=urn)
    connection = connection_get(organization_id=recruiter.organization_id, subsystem=subsystem)
    params = params_validate(connection, pipeline_id, status_id, queue)
    client = subsystem_client(connection, interactive=True)
    claim = _claim(
        connection=connection, recruiter=recruiter, urn=urn, siblings=siblings, params=params
    )
    if claim.mode == "done":
        return claim.application
    return _complete(claim, client=client, candidate=candidate, params=params, recruiter=recruiter)


def _claim(
    *,
    connection: SubsystemConnection,
    recruiter: User,
    urn: str,
    siblings: list[str],
    params: CreateParams,
) -> _Claim:
    """Insert a PENDING row, or decide what the existing active row means."""
    if siblings:
        with transaction.atomic():
            # Claims on different URNs of one card do not collide in the
            # unique constraint: serialize them on the connection row.
            SubsystemConnection.objects.select_for_update().filter(pk=connection.pk).first()
            _siblings_check(connection, siblings=siblings)
            return _claim_urn(
                connection=connection, recruiter=recruiter, urn=urn, params=params, card=siblings
            )
    return _claim_urn(connection=connection, recruiter=recruiter, urn=urn, params=params, card=[])


def _siblings_check(connection: SubsystemConnection, *, siblings: list[str]) -> None:
    """AlreadyExists when another resume of the card is in work in this subsystem."""
    other = (
        Application.objects.filter(
            organization_id=connection.organization_id,
            resume_urn__in=siblings,
            subsystem=connection.subsystem,
            status__in=ACTIVE,
        )
        .select_related("recruiter")
        .first()
    )
    if other is not None:
        raise errors.AlreadyExists(already_in_work_message(other), details=_details(other))


def _claim_urn(
    *,
    connection: SubsystemConnection,
    recruiter: User,
    urn: str,
    params: CreateParams,
    card: list[str],
) -> _Claim:
    now = timezone.now()
    lease = now + timedelta(seconds=settings.APPLICATION_CLAIM_SECONDS)
    active = Application.objects.filter(
        organization_id=connection.organization_id,
        resume_urn=urn,
        subsystem=connection.subsystem,
        status__in=ACTIVE,
    )
    with transaction.atomic():
        existing = active.select_for_update().select_related("recruiter").first()
        if existing is None:
            abandoned = _abandoned_reuse(connection, recruiter=recruiter, urn=urn, lease=lease)
            if abandoned is not None:
                return _Claim(abandoned, "takeover")
            generation = (
                Application.objects.filter(
                    organization_id=connection.organization_id,
                    resume_urn=urn,
                    subsystem=connection.subsystem,
                ).count()
                + 1
            )
            try:
                with transaction.atomic():
                    created = Application.objects.create(
                        organization_id=connection.organization_id,
                        connection=connection,
                        subsystem=connection.subsystem,
                        resume_urn=urn,
                        recruiter=recruiter,
                        idempotency_key=application_marker(
                            organization_id=connection.organization_id,
                            urn=urn,
                            subsystem=connection.subsystem,
                            generation=generation,
                        ),
                        params=_params_dict(params, card_urns=card),
                        claimed_until=lease,
                    )
                return _Claim(created, "new")
            except IntegrityError:
                # Another click or recruiter inserted it first (PostgreSQL waited
                # for their commit); judge their row like any existing one.
                existing = active.select_for_update().select_related("recruiter").first()
                if existing is None:
                    raise errors.Unavailable(_("Please try again")) from None
        return _judge_existing(existing, recruiter=recruiter, now=now, lease=lease)


def _abandoned_reuse(
    connection: SubsystemConnection, *, recruiter: User, urn: str, lease
) -> Application | None:
    """Revive the latest claim the poller gave up on, keeping its marker.

    Its create may have landed after the poller looked, so the caller takes
    it over and looks the marker up before creating anything. None when the
    latest attempt is not an abandoned one (or another take revived it first).
    """
    latest = (
        Application.objects.filter(
            organization_id=connection.organization_id,
            resume_urn=urn,
            subsystem=connection.subsystem,
        )
        .select_for_update()
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None or latest.status != Application.Status.ABANDONED:
        return None
    latest.status = Application.Status.PENDING
    latest.claimed_until = lease
    latest.recruiter = recruiter
    try:
        with transaction.atomic():
            latest.save(update_fields=["status", "claimed_until", "recruiter", "updated_at"])
    except IntegrityError:
        return None  # another take claimed this resume first; judged by the caller
    return latest


def _judge_existing(app: Application, *, recruiter: User, now, lease) -> _Claim:
    if app.status == Application.Status.OPEN:
        if app.recruiter_id == recruiter.pk:
            return _Claim(app, "done")
        raise errors.AlreadyExists(already_in_work_message(app), details=_details(app))
    if app.claimed_until and app.claimed_until > now:
        raise errors.AlreadyExists(
            _("%(who)s is taking this candidate into work right now")
            % {"who": _name(app.recruiter)},
            details=_details(app),
        )
    # An earlier attempt ended without a clear outcome: take the claim over
    # and reconcile by the marker before creating anything.
    app.claimed_until = lease
    app.save(update_fields=["claimed_until", "updated_at"])
    return _Claim(app, "takeover")


def _complete(
    claim: _Claim,
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
        _release_ambiguous(app, exc)
        cls = errors.Unavailable if isinstance(exc, errors.AlreadyExists) else type(exc)
        raise cls(
            _(
                "%(system)s did not answer clearly. It may or may not have been created; "
                "trying again is safe, nothing will be duplicated."
            )
            % {"system": app.get_subsystem_display()},
            details={**_details(app), "detail": exc.message[:500]},
        ) from exc
    except errors.ServiceError as exc:
        if claim.mode == "new":
            app.delete()  # refused before anything was created: release the claim
        else:
            _release_ambiguous(app, exc)
        raise subsystem_error(app.subsystem, exc) from exc
    return _open(app, _stage_read(client, external))


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


def _release_ambiguous(app: Application, exc: errors.ServiceError) -> None:
    app.claimed_until = timezone.now()
    app.last_error = exc.message[:2000]
    app.save(update_fields=["claimed_until", "last_error", "updated_at"])


def _open(app: Application, external: ExternalApplication) -> Application:
    app.application_id = external.id
    app.status = Application.Status.OPEN
    app.external_status = external.status
    app.external_status_display = external.status_display or stage_name(
        app.connection, external.status
    )
    app.claimed_until = None
    app.last_error = ""
    app.polled_at = timezone.now()
    app.save(
        update_fields=[
            "application_id",
            "status",
            "external_status",
            "external_status_display",
            "claimed_until",
            "last_error",
            "polled_at",
            "recruiter",
            "updated_at",
        ]
    )
    return app


def candidate_for(*, recruiter: User, urn: str) -> Candidate:
    """What a subsystem is told about `urn`: name, link and contacts the
    organization has. Raises InvalidArgument (bad URN) and FailedPrecondition
    when the contacts are not open yet (a lead is named after the candidate).
    """
    site, resume_id = urn_parse(urn)
    known = contacts_known(organization_id=recruiter.organization_id, urns=[urn]).get(urn)
    if known is None:
        raise errors.FailedPrecondition(
            _("Open the contacts first: the application carries the candidate's name and contacts"),
            details={"reason": "contacts_closed", "urn": urn},
        )
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
        title=card.title if card else "",
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
) -> Application:
    """Take the resume `urn` into work in `subsystem`: `application_create`
    with the candidate the organization knows (see `candidate_for`);
    `card_urns` are the other resumes of its merged card.

    Raises PermissionDenied (no organization), what `candidate_for` and
    `application_create` raise, except that the subsystem refusing the
    organization's credentials (Unauthenticated from its adapter) is
    FailedPrecondition: an administrator must fix the connection, and the
    recruiter's own login is fine, so a caller is never told it failed.
    """
    if recruiter.organization_id is None:
        raise errors.PermissionDenied(_("Only recruiters of an organization take candidates"))
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
            _("%(subsystem)s refused the organization's credentials; ask an administrator")
            % {"subsystem": Subsystem(subsystem).label},
            details={**exc.details, "reason": "subsystem_unauthenticated"},
        ) from exc


def already_in_work_message(app: Application) -> str:
    return _("Already in work by %(who)s in %(system)s, status %(status)s") % {
        "who": _name(app.recruiter),
        "system": app.get_subsystem_display(),
        "status": app.status_label,
    }


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _details(app: Application) -> dict:
    return {
        "resume_urn": app.resume_urn,
        "subsystem": app.subsystem,
        "application_id": app.application_id,
        "status": app.status,
        "recruiter": app.recruiter.get_username(),
    }


def _params_dict(params: CreateParams, *, card_urns: list[str]) -> dict:
    return {
        k: v
        for k, v in (
            ("pipeline_id", params.pipeline_id),
            ("status_id", params.status_id),
            ("queue", params.queue),
            ("card_urns", card_urns),
        )
        if v
    }
