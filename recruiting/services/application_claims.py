"""The claim of one take-into-work (step 1 and 3 of `applications`' protocol).

A claim is a PENDING `Application` row: a partial unique constraint allows
one active row per organization, resume and subsystem, and the row carries a
deterministic marker (the subsystem's idempotency key) and a short lease
(`claimed_until`). An existing active row is judged: OPEN by this recruiter
is done, OPEN by another or a live lease is AlreadyExists, an ended lease is
taken over (the caller looks the marker up before creating anything). The
poller's abandoned claims are revived with their marker.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import errors
from core.leases import RowLease
from core.models import User
from recruiting import messages
from recruiting.adapters.subsystem_base import CreateParams, ExternalApplication
from recruiting.models import Application, SubsystemConnection
from recruiting.services.subsystems import stage_name

ACTIVE = (Application.Status.PENDING, Application.Status.OPEN)


def application_marker(*, organization_id: int, urn: str, subsystem: str, generation: int) -> str:
    """The idempotency key of one take-into-work: stable across retries and clicks."""
    digest = hashlib.sha256(f"{organization_id}|{urn}|{subsystem}|{generation}".encode())
    return f"recruiting-{digest.hexdigest()[:32]}"


@dataclass(frozen=True)
class Claim:
    application: Application
    mode: str  # "new" | "takeover" | "done"


def application_claim(
    *,
    connection: SubsystemConnection,
    recruiter: User,
    urn: str,
    siblings: list[str],
    params: CreateParams,
) -> Claim:
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
        raise errors.AlreadyExists(
            already_in_work_message(other), details=application_details(other)
        )


def _claim_urn(
    *,
    connection: SubsystemConnection,
    recruiter: User,
    urn: str,
    params: CreateParams,
    card: list[str],
) -> Claim:
    claim = _lease()
    lease = claim.until()
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
                return Claim(abandoned, "takeover")
            generation = _next_generation(connection, urn)
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
                return Claim(created, "new")
            except IntegrityError:
                # Another click or recruiter inserted it first (PostgreSQL waited
                # for their commit); judge their row like any existing one.
                existing = active.select_for_update().select_related("recruiter").first()
                if existing is None:
                    raise errors.Unavailable(messages.PLEASE_TRY_AGAIN) from None
        return _judge_existing(existing, recruiter=recruiter, lease=claim)


def _next_generation(connection: SubsystemConnection, urn: str) -> int:
    """The generation of the next application of `urn` in the subsystem: one
    past the rows it has, skipping a marker a row holds (a row removed from
    the middle left the count behind the newest generation)."""
    keys = set(
        Application.objects.filter(
            organization_id=connection.organization_id,
            resume_urn=urn,
            subsystem=connection.subsystem,
        ).values_list("idempotency_key", flat=True)
    )
    generation = len(keys) + 1

    def marker(n: int) -> str:
        return application_marker(
            organization_id=connection.organization_id,
            urn=urn,
            subsystem=connection.subsystem,
            generation=n,
        )

    while marker(generation) in keys:
        generation += 1
    return generation


def _abandoned_reuse(
    connection: SubsystemConnection, *, recruiter: User, urn: str, lease: datetime
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


def _judge_existing(app: Application, *, recruiter: User, lease: RowLease) -> Claim:
    if app.status == Application.Status.OPEN:
        if app.recruiter_id == recruiter.pk:
            return Claim(app, "done")
        raise errors.AlreadyExists(already_in_work_message(app), details=application_details(app))
    # A live claim is another take in progress: fail fast, never wait. One
    # that ended without a clear outcome is taken over, and the caller
    # reconciles by the marker before creating anything.
    if not lease.claim(app, also=["updated_at"]):
        raise errors.AlreadyExists(
            messages.being_taken_by(_name(app.recruiter)),
            details=application_details(app),
        )
    return Claim(app, "takeover")


def _lease() -> RowLease:
    return RowLease("claimed_until", timedelta(seconds=settings.APPLICATION_CLAIM_SECONDS))


def release_ambiguous(app: Application, exc: errors.ServiceError) -> None:
    """End the claim at once (the poller looks at ended claims) and keep why."""
    app.last_error = exc.message[:2000]
    _lease().end(app, also=["last_error", "updated_at"])


def application_open(app: Application, external: ExternalApplication) -> Application:
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


def already_in_work_message(app: Application) -> str:
    return messages.already_in_work(
        _name(app.recruiter), app.get_subsystem_display(), app.status_label
    )


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def application_details(app: Application) -> dict:
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
