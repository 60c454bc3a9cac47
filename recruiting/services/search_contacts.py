"""Contacts on a search page: those the sites showed are stored, those the
organization has are shown.

Both run on every page before it is shown, over one read of the
organization's stored rows for the fetched and shown resumes: a fetched
resume stored already is neither encrypted again nor sent to the database.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.utils import timezone

from recruiting.adapters.base import ResumeCard
from recruiting.models import Resume
from recruiting.selectors.contacts import (
    KnownContacts,
    contacts_document,
    contacts_known,
    resumes_by_urn,
)


def search_contacts_store(
    *,
    organization_id: int | None,
    fetched: list[ResumeCard],
    page: list[ResumeCard],
    subsystem_copies: bool = True,
) -> dict[str, KnownContacts]:
    """Store the `fetched` cards that carry contacts; the contacts the
    organization has for the `page` cards, by URN (`contacts_known`).

    A search item with a name but no contact data (hh.ru lists opened resumes
    so) is not stored: it is not the contacts, and stored contacts are
    "known" and never fetched again. A row that has contacts already is never
    touched (it may hold the full resume and contacts from an opening); only
    rows without contacts (e.g. an opening in progress) are filled in.
    `subsystem_copies` as in `contacts_known`.
    """
    if organization_id is None:
        return {}
    found = {c.urn: c for c in fetched if _carries_contacts(c)}
    page_urns = [c.urn for c in page]
    rows = resumes_by_urn(organization_id, [*found, *page_urns])
    empty = [rows[urn] for urn in found if urn in rows and rows[urn].contacts == ""]
    new = [
        Resume(organization_id=organization_id, urn=urn, **_values(card))
        for urn, card in found.items()
        if urn not in rows
    ]
    # One insert for the new rows: this runs on every page, before it is
    # shown. A row another request stored meanwhile is left alone.
    Resume.objects.bulk_create(new, ignore_conflicts=True)
    rows.update((row.urn, row) for row in new)
    now = timezone.now()
    for row in empty:  # rare: a row claimed for opening that has no contacts yet
        values = _values(found[row.urn])
        filled = (
            Resume.objects.for_organization(organization_id)
            .filter(urn=row.urn, contacts="")
            .update(**values, updated_at=now)
        )
        if filled:
            row.contacts, row.updated_at = values["contacts"], now
    return contacts_known(
        organization_id=organization_id,
        urns=page_urns,
        resumes=rows,
        subsystem_copies=subsystem_copies,
    )


def with_known_contacts(
    cards: list[ResumeCard], known: dict[str, KnownContacts]
) -> list[ResumeCard]:
    """`cards` with those whose contacts the organization has (a stored opening,
    or a subsystem's copy) marked open: they rank as open and cost nothing,
    and a name the site hides in search is shown from the contacts."""
    return [_with_known(c, known[c.urn]) if c.urn in known else c for c in cards]


def _with_known(card: ResumeCard, known: KnownContacts) -> ResumeCard:
    if card.name is None and known.name:
        card = replace(card, last_name=known.name, first_name=None, middle_name=None)
    return card if card.contacts_open else replace(card, contacts_open=True)


def _carries_contacts(card: ResumeCard) -> bool:
    """A phone, an e-mail or another way to reach the person (a name is not one);
    `has_contact_data` of the stored form, read off the card."""
    c = card.contacts
    return c is not None and bool(c.phones or c.emails or c.other)


def _values(card: ResumeCard) -> dict[str, Any]:
    return {"contacts": contacts_document(card), "resume": card.raw}
