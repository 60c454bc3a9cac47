"""Reads about contacts the organization has: opened resumes and subsystem copies.

No site call and no write here: opening contacts is `services.contacts`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, models

from core import jsontext, sqlnames
from core.models import User
from core.phones import phones_normalised
from recruiting.adapters.base import Contacts, ResumeCard
from recruiting.models import KnownContact, Resume


@dataclass(frozen=True)
class KnownContacts:
    """Contacts the organization has for one resume."""

    urn: str
    name: str | None
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    other: tuple[str, ...]
    source: str  # "site" (opened or seen open on the job site) | a subsystem
    opened_by: str
    updated_at: datetime


def contacts_document(card: ResumeCard, *, hidden: Sequence[str] = ()) -> str:
    """The stored form of `card`'s contacts (`Resume.contacts`, read back by
    `known_from_resume`): its name, phones, e-mails and other ways to reach
    the person, and the fields the candidate hid when an opening answered
    nothing else."""
    contacts = card.contacts or Contacts()
    document: dict[str, Any] = {
        "name": card.name,
        "phones": list(contacts.phones),
        "emails": list(contacts.emails),
        "other": list(contacts.other),
    }
    if hidden:
        document["hidden"] = list(hidden)
    return jsontext.dumps(document)


def has_contact_data(data: dict[str, Any]) -> bool:
    """True when stored contact data holds a way to reach the person (a name is not one)."""
    return any(data.get(key) for key in ("phones", "emails", "other"))


def hidden_by_candidate(data: dict[str, Any]) -> list[str]:
    """The contact fields the candidate hid, when an opening answered nothing but
    those (stored by `contacts_open`); empty otherwise."""
    if has_contact_data(data):
        return []
    return [str(f) for f in data.get("hidden") or []]


def contacts_known(
    *,
    organization_id: int | None,
    urns: Iterable[str],
    resumes: Mapping[str, Resume] | None = None,
    subsystem_copies: bool = True,
) -> dict[str, KnownContacts]:
    """Stored contacts per URN: opened resumes first, then subsystem contacts.

    A stored row with a name but no phone, email or other contact is not
    "known": opening reads the site again (free: the organization paid). Nor
    is a subsystem copy without one (a CRM contact with only the name, or
    the phone deleted there): the organization may still pay to open it.
    `resumes`, when given, are the organization's rows already read
    (`resumes_by_urn`, holding every row of `urns`): not read again.
    `subsystem_copies=False`: the caller knows the organization has no
    KnownContact row, so none is read.
    """
    urns = list(dict.fromkeys(urns))
    if organization_id is None or not urns:
        return {}
    out: dict[str, KnownContacts] = {}
    if subsystem_copies:
        known = KnownContact.objects.for_organization(organization_id).filter(resume_urn__in=urns)
        for row in known.order_by("updated_at", "pk"):  # the latest copy with contacts wins
            copy = _from_known(row)
            if copy.phones or copy.emails:
                out[row.resume_urn] = copy
    if resumes is None:
        resumes = resumes_by_urn(organization_id, urns, with_contacts=True)
    for urn in urns:
        resume = resumes.get(urn)
        if resume is not None and has_contact_data(resume.contact_data):
            out[urn] = known_from_resume(resume)
    return out


def resumes_by_urn(
    organization_id: int, urns: Iterable[str], *, with_contacts: bool = False
) -> dict[str, Resume]:
    """The organization's stored rows of `urns` (only those holding contacts
    when `with_contacts`), with who opened them; the full resume document is
    left unread (`Resume.resume`: decrypting it is most of a row's cost).

    Read with SQL written from the models' names (`_resumes_sql`): every
    search page runs this, and the ORM building it (the join, the deferred
    column, the URN list) cost twice the read itself."""
    urns = list(urns)
    if not urns:
        return {}
    sql = _resumes_sql(connection.vendor, with_contacts)
    params: list[Any] = [organization_id, *([""] if with_contacts else [])]
    sql = f"{sql} ({', '.join(['%s'] * len(urns))})"
    opener = Resume._meta.get_field("opened_by")
    assert isinstance(opener, models.ForeignKey)
    found = {}
    read = sqlnames.rows(
        Resume, _RESUME_FIELDS, sql, [*params, *urns], joined=[(User, _OPENER_FIELDS)]
    )
    for row, (user,) in read:
        opener.set_cached_value(row, user)  # as select_related gives it, None too
        found[row.urn] = row
    return found


# What `known_from_resume` shows of who opened a resume, in the model's
# field order (`Model.from_db` takes the values so).
_OPENER_FIELDS = [
    f.attname
    for f in User._meta.concrete_fields
    if f.attname in {"id", "first_name", "last_name", User.USERNAME_FIELD}
]


# What `resumes_by_urn` reads of a resume: all but the full document.
_RESUME_FIELDS = [name for name in sqlnames.attnames(Resume) if name != "resume"]


@functools.cache
def _resumes_sql(vendor: str, with_contacts: bool) -> str:
    """The query of `resumes_by_urn` (names quoted per database vendor) up to
    its URN list, which follows in brackets. Parameters: the organization,
    "" with `with_contacts`, the URNs."""
    selected = [sqlnames.columns(Resume, _RESUME_FIELDS, "r")]
    selected += [sqlnames.columns(User, _OPENER_FIELDS, "u")]
    where = [f"r.{sqlnames.column(Resume, 'organization')} = %s"]
    if with_contacts:
        where.append(f"r.{sqlnames.column(Resume, 'contacts')} <> %s")
    where.append(f"r.{sqlnames.column(Resume, 'urn')} IN")
    joined = f"u.{sqlnames.column(User, 'id')} = r.{sqlnames.column(Resume, 'opened_by')}"
    return (
        f"SELECT {', '.join(selected)} FROM {sqlnames.table(Resume)} r"  # noqa: S608 - names from models
        f" LEFT JOIN {sqlnames.table(User)} u ON {joined} WHERE {' AND '.join(where)}"
    )


def hidden_openings(organization_id: int, urns: list[str]) -> dict[str, list[str]]:
    """Resumes the organization opened and found every contact hidden in."""
    rows = (
        Resume.objects.for_organization(organization_id).filter(urn__in=urns).exclude(contacts="")
    )
    found = {row.urn: hidden_by_candidate(row.contact_data) for row in rows}
    return {urn: hidden for urn, hidden in found.items() if hidden}


def stored_resume(organization_id: int | None, urn: str) -> Resume | None:
    """The organization's stored row for `urn` (contacts and full resume), if any."""
    if organization_id is None:
        return None
    return Resume.objects.for_organization(organization_id).filter(urn=urn).first()


def known_from_resume(resume: Resume) -> KnownContacts:
    data = resume.contact_data
    who = resume.opened_by
    return KnownContacts(
        urn=resume.urn,
        name=data.get("name"),
        phones=_phones(data),
        emails=tuple(data.get("emails") or ()),
        other=tuple(data.get("other") or ()),
        source="site",
        opened_by=(who.get_full_name() or who.get_username()) if who else "",
        updated_at=resume.updated_at,
    )


def _phones(data: dict[str, Any]) -> tuple[str, ...]:
    # Normalised on read, not by a data migration: these rows are encrypted
    # JSON (a migration would decrypt and re-encrypt every one of them, with
    # the keys at hand), rows written since are E.164 already, and amoCRM's
    # copies are rewritten by every known-contacts pull.
    return phones_normalised(str(p) for p in data.get("phones") or ())


def _from_known(row: KnownContact) -> KnownContacts:
    data = row.contacts if isinstance(row.contacts, dict) else {}
    return KnownContacts(
        urn=row.resume_urn,
        name=data.get("name"),
        phones=_phones(data),
        emails=tuple(str(e) for e in data.get("emails") or ()),
        other=(),
        source=row.source,
        opened_by="",
        updated_at=row.updated_at,
    )
