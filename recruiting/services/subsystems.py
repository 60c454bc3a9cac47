"""Subsystem connections: clients, catalogues (pipelines, queues), credentials."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core import errors
from core.jobs import RunRecorder
from recruiting import messages
from recruiting.adapters.amocrm import AmoCrmClient
from recruiting.adapters.subsystem_base import Pipeline, SubsystemAdapter
from recruiting.adapters.tracker import TrackerClient
from recruiting.jobs import REFRESH_FAILED, REFRESH_NEEDS_CREDENTIALS, TOKEN_EXPIRES
from recruiting.models import Subsystem, SubsystemConnection

logger = logging.getLogger(__name__)

# Refresh an amoCRM OAuth access token (24 h) this long before it expires.
REFRESH_AHEAD = timedelta(hours=2)
# Warn about a long-lived token (no refresh exists) this long before it expires.
EXPIRY_WARNING = timedelta(days=14)


def subsystem_client(
    connection: SubsystemConnection, *, interactive: bool = False, **kwargs: Any
) -> SubsystemAdapter:
    """The adapter for `connection` (kwargs go to the HTTP client: sleep, timeout).

    `interactive`: a web request waits; amoCRM's rate limit then makes it
    wait at most AMOCRM_RATE_WAIT seconds for a slot (UNAVAILABLE after).
    """
    if connection.subsystem == Subsystem.AMOCRM:
        if interactive:
            kwargs.setdefault("rate_wait", settings.AMOCRM_RATE_WAIT)
        return amocrm_client(connection, **kwargs)
    return TrackerClient(
        base_url=connection.base_url or settings.TRACKER_API_URL,
        token=connection.access_token,
        org_id=connection.account,
        org_header=connection.org_header,
        closed_statuses=connection.closed_status_keys,
        **kwargs,
    )


def amocrm_client(connection: SubsystemConnection, **kwargs: Any) -> AmoCrmClient:
    return AmoCrmClient(
        base_url=connection.base_url
        or settings.AMOCRM_URL_TEMPLATE.format(subdomain=connection.account),
        token=connection.access_token,
        rate_limit=settings.AMOCRM_RATE_LIMIT,
        link_field_id=connection.link_field_id,
        **kwargs,
    )


def subsystem_error(subsystem: str, exc: errors.ServiceError) -> errors.ServiceError:
    """A subsystem adapter's failure as the recruiter reads it: same code, plain words.

    The sentence is chosen by the error code and names the subsystem, in the
    active language; the adapter's own text (the vendor's answer, in
    English) is logged and kept in `details["detail"]`, never shown as it is.
    """
    logger.warning("%s failed: %s %s", subsystem, exc.message, exc.details)
    label = Subsystem(subsystem).label
    details = {**exc.details, "subsystem": subsystem, "detail": exc.message[:500]}
    return type(exc)(messages.subsystem_message(label, exc), details=details)


def connection_get(*, organization_id: int, subsystem: str) -> SubsystemConnection:
    """The organization's active connection to `subsystem`.

    Raises InvalidArgument for an unknown subsystem and FailedPrecondition when
    the organization has not configured it.
    """
    if subsystem not in Subsystem.values:
        raise errors.InvalidArgument(
            _("Unknown subsystem %(subsystem)s") % {"subsystem": subsystem},
            details={"subsystem": subsystem},
        )
    connection = SubsystemConnection.objects.filter(
        organization_id=organization_id, subsystem=subsystem, is_active=True
    ).first()
    if connection is None or not connection.access_token:
        raise errors.FailedPrecondition(
            _("%(subsystem)s is not configured for your organization; ask an administrator")
            % {"subsystem": Subsystem(subsystem).label},
            details={"subsystem": subsystem},
        )
    return connection


def connection_catalogue_refresh(*, connection: SubsystemConnection) -> dict:
    """Read pipelines and stages (amoCRM) or the configured queues (Tracker).

    Stores them on the connection (the take-into-work form offers them) and
    returns them. Raises the adapter's ServiceError; the error is also kept in
    `last_error` for the admin.
    """
    client = subsystem_client(connection, interactive=True)
    try:
        if isinstance(client, AmoCrmClient):
            catalogue = {"pipelines": [_pipeline_dict(p) for p in client.pipelines()]}
        else:
            assert isinstance(client, TrackerClient)
            queues = []
            # Only the configured queues (validated keys) ever reach the API path.
            for key in connection.queue_keys:
                try:
                    queues.append(client.queue(key))
                except (errors.NotFound, errors.InvalidArgument):
                    continue  # reported as missing below and by the caller
            catalogue = {"queues": [{"key": q.key, "name": q.name} for q in queues]}
    except errors.ServiceError as exc:
        connection.last_error = exc.message
        connection.save(update_fields=["last_error", "updated_at"])
        raise
    missing = set(connection.queue_keys) - {q["key"] for q in catalogue.get("queues", [])}
    connection.catalogue = catalogue
    connection.catalogue_updated_at = timezone.now()
    connection.last_error = (
        _("Queues not found in Tracker: %(keys)s") % {"keys": ", ".join(sorted(missing))}
        if missing
        else ""
    )
    connection.save(update_fields=["catalogue", "catalogue_updated_at", "last_error", "updated_at"])
    return catalogue


def _pipeline_dict(pipeline: Pipeline) -> dict:
    return {
        "id": pipeline.id,
        "name": pipeline.name,
        "is_main": pipeline.is_main,
        "stages": [{"id": s.id, "name": s.name, "is_closed": s.is_closed} for s in pipeline.stages],
    }


def stage_name(connection: SubsystemConnection, status: str) -> str:
    """Human name of an amoCRM `<pipeline>:<status>` from the stored catalogue."""
    pipeline_id, _sep, status_id = status.partition(":")
    for pipeline in connection.catalogue.get("pipelines", []):
        if str(pipeline["id"]) != pipeline_id:
            continue
        for stage in pipeline["stages"]:
            if str(stage["id"]) == status_id:
                return f"{pipeline['name']}: {stage['name']}"
    # A system stage (142/143) missing from the catalogue: no stored name;
    # Application.status_label names it in the reader's language.
    return ""


# --- credentials ----------------------------------------------------------------


def subsystem_tokens_refresh(*, run: RunRecorder, dry_run: bool = False) -> None:
    """Refresh amoCRM OAuth tokens about to expire; warn about expiring others.

    amoCRM refresh tokens are single-use (unverified): the job's lease means
    two workers never spend one refresh token, and the new pair is stored
    right after the call. A failed refresh marks the run
    partial and keeps the old pair (it may still work until it expires).
    """
    now = timezone.now()
    for connection in SubsystemConnection.objects.filter(is_active=True).order_by("pk"):
        run.incr("connections")
        if connection.subsystem == Subsystem.AMOCRM and connection.auth_mode == "oauth":
            if connection.token_expires_at and connection.token_expires_at > now + REFRESH_AHEAD:
                continue
            if not dry_run:
                _refresh_one(connection.pk, run)
        elif connection.token_expires_at and connection.token_expires_at < now + EXPIRY_WARNING:
            run.incr("expiring")
            run.mark_partial(
                TOKEN_EXPIRES(
                    connection=str(connection),
                    organization=str(connection.organization),
                    date=f"{connection.token_expires_at:%Y-%m-%d}",
                )
            )


def _refresh_one(connection_pk: int, run: RunRecorder) -> None:
    # Only this job refreshes, and the job's lease keeps two runs from
    # overlapping, so no row lock is held across the HTTP call.
    connection = SubsystemConnection.objects.get(pk=connection_pk)
    if not (connection.refresh_token and connection.client_id and connection.client_secret):
        run.mark_partial(REFRESH_NEEDS_CREDENTIALS(connection=str(connection)))
        return
    try:
        grant = amocrm_client(connection).refresh(
            client_id=connection.client_id,
            client_secret=connection.client_secret,
            refresh_token=connection.refresh_token,
            redirect_uri=connection.redirect_uri,
        )
    except errors.ServiceError as exc:
        run.incr("failed")
        run.mark_partial(REFRESH_FAILED(connection=str(connection), error=exc.message))
        connection.last_error = f"token refresh failed: {exc.message}"
        connection.save(update_fields=["last_error", "updated_at"])
        return
    # The old refresh token is dead now: store the new pair before anything else.
    SubsystemConnection.objects.filter(pk=connection.pk).update(
        access_token=grant.access_token,
        refresh_token=grant.refresh_token,
        token_expires_at=timezone.now() + timedelta(seconds=grant.expires_in),
        last_error="",
        updated_at=timezone.now(),
    )
    run.incr("refreshed")
