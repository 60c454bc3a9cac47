"""Background work on applications: status polling and contacts already known."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import timedelta
from itertools import islice
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import errors
from core.jobs import RunRecorder, job_run
from core.models import JobRun
from core.phones import phones_normalised
from recruiting.adapters.amocrm import AmoCrmClient
from recruiting.adapters.subsystem_base import ExternalApplication, SubsystemAdapter
from recruiting.jobs import CONNECTION_FAILED
from recruiting.models import Application, KnownContact, Subsystem, SubsystemConnection
from recruiting.services.application_claims import ACTIVE, application_open
from recruiting.services.application_params import URN_RE
from recruiting.services.subsystems import (
    amocrm_client,
    connection_catalogue_refresh,
    stage_name,
    subsystem_client,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

# A PENDING claim whose marker is still not found this long after it was made
# is released: the create never reached the subsystem.
PENDING_GIVE_UP = timedelta(hours=1)
CATALOGUE_MAX_AGE = timedelta(hours=1)
# A closed deal or issue is still polled this long after it closed: reopened
# in the subsystem (a Tracker transition, a lead moved back to an active
# stage), it is open again here, so the person is not taken twice.
REOPEN_WINDOW = timedelta(days=30)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def applications_poll(
    *,
    run: RunRecorder,
    connection_ids: Sequence[int] | None = None,
    application_ids: Sequence[int] | None = None,
    client_kwargs: dict | None = None,
) -> None:
    """Poll every open application's status, in batches per connection.

    One failing connection marks the run partial and does not stop the others;
    a batch that fails stops its connection for this run (its rows keep the
    oldest `polled_at`, so the next run starts with them: nothing is lost).
    """
    connections = SubsystemConnection.objects.filter(is_active=True).select_related("organization")
    if connection_ids is not None:
        connections = connections.filter(pk__in=connection_ids)
    for connection in connections.order_by("pk"):
        client = subsystem_client(connection, **(client_kwargs or {}))
        try:
            connection_poll(
                connection=connection, client=client, run=run, application_ids=application_ids
            )
        except errors.ServiceError as exc:
            run.incr("errors")
            run.mark_partial(
                CONNECTION_FAILED(
                    connection=str(connection),
                    organization=str(connection.organization),
                    error=exc.message,
                )
            )
            connection.last_error = exc.message[:2000]
            connection.save(update_fields=["last_error", "updated_at"])
        finally:
            client.close()  # type: ignore[attr-defined]


def applications_poll_now(*, application_ids: Sequence[int]) -> JobRun:
    """Poll the given applications at once (admin action), recorded as a run."""
    connection_ids = list(
        Application.objects.filter(pk__in=application_ids)
        .values_list("connection_id", flat=True)
        .distinct()
    )
    with job_run("applications_poll", trigger=JobRun.Trigger.ADMIN) as run:
        applications_poll(run=run, connection_ids=connection_ids, application_ids=application_ids)
    run.run.refresh_from_db()
    return run.run


def connection_poll(
    *,
    connection: SubsystemConnection,
    client: SubsystemAdapter,
    run: RunRecorder,
    application_ids: Sequence[int] | None = None,
) -> None:
    """Poll one connection: reconcile stale claims, then open applications
    (and those closed within REOPEN_WINDOW) in batches."""
    _catalogue_keep_fresh(connection, run)
    _pending_reconcile(connection, client, run, application_ids)
    recently_closed = Q(
        status=Application.Status.CLOSED,
        is_deleted_externally=False,
        closed_at__gte=timezone.now() - REOPEN_WINDOW,
    )
    rows = Application.objects.filter(
        Q(status=Application.Status.OPEN) | recently_closed, connection=connection
    ).exclude(application_id="")
    if application_ids is not None:
        rows = rows.filter(pk__in=application_ids)
    snapshot = list(
        rows.order_by(F("polled_at").asc(nulls_first=True), "pk").values_list(
            "pk", "application_id", "external_status", "external_status_display", "status"
        )
    )
    for number, chunk in enumerate(batched(snapshot, client.batch_size)):
        found = client.statuses(ids=[row[1] for row in chunk])
        _apply(connection, chunk, found, run)
        run.incr("requests")
        if number % 20 == 19:
            run.heartbeat()


def _catalogue_keep_fresh(connection: SubsystemConnection, run: RunRecorder) -> None:
    """amoCRM stage names come from the pipelines catalogue: refresh it hourly."""
    if connection.subsystem != Subsystem.AMOCRM:
        return
    updated = connection.catalogue_updated_at
    if updated and updated > timezone.now() - CATALOGUE_MAX_AGE:
        return
    connection_catalogue_refresh(connection=connection)
    run.incr("requests")


def _apply(
    connection: SubsystemConnection,
    chunk: list[tuple[int, str, str, str, str]],
    found: dict[str, ExternalApplication],
    run: RunRecorder,
) -> None:
    now = timezone.now()
    unchanged = []
    open_rows = Application.objects.filter(status=Application.Status.OPEN)
    for pk, external_id, old_status, old_display, status in chunk:
        external = found.get(external_id)
        if status == Application.Status.CLOSED:
            if _reopened(connection, pk, external, now):
                run.incr("reopened")
            else:
                unchanged.append(pk)
            continue
        if external is None:
            # Deleted (or hidden from us) in the subsystem: keep the row as
            # history, close it so the candidate can be taken again.
            open_rows.filter(pk=pk).update(
                status=Application.Status.CLOSED,
                is_deleted_externally=True,
                external_status="deleted",
                external_status_display=_("deleted in the subsystem"),
                closed_at=now,
                polled_at=now,
                updated_at=now,
            )
            run.incr("deleted")
            continue
        display = external.status_display or stage_name(connection, external.status)
        if external.is_closed:
            open_rows.filter(pk=pk).update(
                status=Application.Status.CLOSED,
                external_status=external.status,
                external_status_display=display,
                closed_at=now,
                polled_at=now,
                updated_at=now,
            )
            run.incr("closed")
        elif (external.status, display) != (old_status, old_display):
            open_rows.filter(pk=pk).update(
                external_status=external.status,
                external_status_display=display,
                polled_at=now,
                updated_at=now,
            )
            run.incr("changed")
        else:
            unchanged.append(pk)
    Application.objects.filter(pk__in=unchanged).update(polled_at=now)
    run.incr("polled", len(chunk))


def _reopened(
    connection: SubsystemConnection, pk: int, external: ExternalApplication | None, now
) -> bool:
    """Open the closed application `pk` again when the subsystem reopened it;
    whether it was. One closed while a newer application of the person is
    active (taken again meanwhile) stays closed: the newer one is the work."""
    if external is None or external.is_closed:
        return False
    row = Application.objects.filter(pk=pk).values("resume_urn", "params").first()
    urns = [row["resume_urn"], *_card_urns(row["params"])] if row else []
    taken_again = Application.objects.filter(
        organization_id=connection.organization_id,
        subsystem=connection.subsystem,
        resume_urn__in=urns,
        status__in=ACTIVE,
    ).exclude(pk=pk)
    if taken_again.exists():  # through another resume of the person's card too
        return False
    display = external.status_display or stage_name(connection, external.status)
    try:
        with transaction.atomic():
            return bool(
                Application.objects.filter(pk=pk, status=Application.Status.CLOSED).update(
                    status=Application.Status.OPEN,
                    external_status=external.status,
                    external_status_display=display,
                    closed_at=None,
                    polled_at=now,
                    updated_at=now,
                )
            )
    except IntegrityError:  # the person's one active application is another
        return False


def _pending_reconcile(
    connection: SubsystemConnection,
    client: SubsystemAdapter,
    run: RunRecorder,
    application_ids: Sequence[int] | None,
) -> None:
    """Settle claims whose create ended without a clear outcome."""
    now = timezone.now()
    stale = Application.objects.filter(
        connection=connection, status=Application.Status.PENDING, claimed_until__lt=now
    ).select_related("connection")
    if application_ids is not None:
        stale = stale.filter(pk__in=application_ids)
    for app in stale:
        external = client.find(marker=app.idempotency_key)
        run.incr("requests")
        if external is not None:
            application_open(app, external)
            run.incr("reconciled")
        elif app.created_at < now - PENDING_GIVE_UP:
            # Kept, not deleted: the next take reuses its marker and looks
            # it up first, so a create that lands late is never duplicated.
            Application.objects.filter(
                pk=app.pk, status=Application.Status.PENDING, claimed_until__lt=now
            ).update(status=Application.Status.ABANDONED, updated_at=now)
            run.incr("released")


# --- contacts already known in amoCRM ----------------------------------------------


def known_contacts_pull(*, run: RunRecorder) -> None:
    """Store the contacts linked to our amoCRM leads as KnownContact rows.

    Reads the leads in batches of 250 (`with=contacts` gives the contact ids),
    then the contacts in batches of 250, and keeps phones and emails for the
    lead's resume and for the other resumes of its card (the same person on
    another job site: `params["card_urns"]`), so nobody pays a job site to
    open them again.
    """
    connections = SubsystemConnection.objects.filter(
        is_active=True, subsystem=Subsystem.AMOCRM
    ).select_related("organization")
    for connection in connections.order_by("pk"):
        client = amocrm_client(connection)
        try:
            _pull_connection(connection, client, run)
        except errors.ServiceError as exc:
            run.incr("errors")
            run.mark_partial(
                CONNECTION_FAILED(
                    connection=str(connection),
                    organization=str(connection.organization),
                    error=exc.message,
                )
            )
        finally:
            client.close()


def _pull_connection(
    connection: SubsystemConnection, client: AmoCrmClient, run: RunRecorder
) -> None:
    rows = list(
        Application.objects.filter(connection=connection, is_deleted_externally=False)
        .exclude(application_id="")
        .order_by("pk")
        .values_list("resume_urn", "application_id", "params")
    )
    for chunk in batched(rows, client.batch_size):
        leads = client.statuses(ids=[lead_id for _urn, lead_id, _params in chunk])
        contact_ids = sorted({cid for lead in leads.values() for cid in lead.contact_ids})
        cards = {}
        for ids in batched(contact_ids, client.batch_size):
            cards.update({card.id: card for card in client.contacts(ids=ids)})
        for urn, lead_id, params in chunk:
            lead = leads.get(lead_id)
            linked = [cards[c] for c in lead.contact_ids if c in cards] if lead else []
            if not linked:
                continue
            for person_urn in [urn, *_card_urns(params)]:
                _known_contact_store(connection, person_urn, linked)
                run.incr("stored")


def _card_urns(params: object) -> list[str]:
    """The other resumes of the lead's card, as stored when it was taken."""
    urns = params.get("card_urns") if isinstance(params, dict) else None
    return [u for u in urns or [] if isinstance(u, str) and URN_RE.match(u)]


def _known_contact_store(connection: SubsystemConnection, urn: str, cards: list) -> None:
    # CRM users type phones any way they like: one number is one entry.
    phones = sorted(phones_normalised(p for card in cards for p in card.phones))
    emails = sorted({e for card in cards for e in card.emails})
    KnownContact.objects.update_or_create(
        organization_id=connection.organization_id,
        resume_urn=urn,
        source=Subsystem.AMOCRM,
        defaults={"contacts": {"name": cards[0].name, "phones": phones, "emails": emails}},
    )
