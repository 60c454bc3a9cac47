"""Resumes by URN and their contacts: read, preview the cost, open exactly once.

Opening contacts spends a paid unit on the job site, so:
- contacts the organization already has (a stored `Resume`, or a
  `KnownContact` pulled from a subsystem) are returned without a site call;
- one request per organization and resume calls the site: it claims a lease
  on the `Resume` row under a row lock (short transaction), calls the site
  outside any transaction (the site may be slow; SQLite and the in-process
  emulators must not wait on our lock), then stores contacts and the full
  resume. Concurrent requests wait for the stored result, never past the
  request's deadline (nor for a token refresh: `resumes`). A lease that ran
  out (a crash, a timeout) may be taken over: both sites charge once per
  resume and company, so asking again after an unclear answer costs nothing;
- on hh.ru the resume is read first: contacts a colleague already opened are
  free (the answer carries them), and contacts the candidate hid
  (`hidden_fields`) need the recruiter's confirmation before paying. When
  the paid answer carries nothing (the candidate hid every contact), that
  outcome is stored: the organization paid once, and every later request is
  told so without calling the site again.

Errors follow the product's error model: no access → PermissionDenied, no
paid views left → ResourceExhausted (both with the message naming the site),
resume gone → NotFound, site down → Unavailable; a bad URN → InvalidArgument.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction

from core import errors
from core.leases import RowLease, wait_for
from core.models import User
from recruiting import messages
from recruiting.adapters.base import JobSite, Quota, ResumeCard
from recruiting.messages import (
    CONTACT_FIELDS,
    all_hidden_error,
    contacts_closed_error,
    contacts_error,
    contacts_message,
    hidden_fields_error,
)
from recruiting.models import Resume
from recruiting.selectors.contacts import (
    KnownContacts,
    contacts_document,
    contacts_known,
    has_contact_data,
    hidden_by_candidate,
    hidden_openings,
    known_from_resume,
)
from recruiting.services.application_params import urn_parse, urn_validate
from recruiting.services.resume_links import link_card, link_forget
from recruiting.services.resumes import (
    recruiter_token,
    request_deadline,
    resume_read,
    site_call,
)
from recruiting.services.sites import SEARCH_RETRIES, site_adapter
from recruiting.services.tokens import refresh_lease

logger = logging.getLogger(__name__)

WAIT_POLL = 0.1


def opening_lease() -> timedelta:
    """How long an opening holds the resume's row: longer than everything it
    may call while it holds it (a token refresh, a read of the resume with
    its retry, the paid call with a connect retry). A shorter lease ran out
    while a slow paid call was still on its way, and a colleague's opening
    paid a second time."""
    connect, read = settings.HTTP_CONNECT_TIMEOUT, settings.HTTP_READ_TIMEOUT
    reads = (1 + SEARCH_RETRIES) * (connect + read)
    paid = 2 * connect + settings.JOBSITE_CONTACTS_TIMEOUT
    return refresh_lease() + timedelta(seconds=reads + paid)


def _opening() -> RowLease:
    return RowLease("opening_until", opening_lease())


@dataclass(frozen=True)
class ContactsChoice:
    """What opening one resume's contacts would cost, for the recruiter's choice.

    state: "known" (stored, free), "free" (opened by a colleague on hh.ru),
    "paid" (spends a unit), "hidden" (paid, and the candidate hid some),
    "unavailable" (not possible now: `message` says why).
    """

    urn: str
    site: JobSite
    state: str
    hidden: tuple[str, ...] = ()
    views_left: int | None = None
    contacts_left: int | None = None
    message: str = ""


# --- reads ---------------------------------------------------------------------------


def contacts_choices(
    *,
    recruiter: User,
    urns: list[str],
    cards: Mapping[str, ResumeCard] | None = None,
    deadline: float | None = None,
) -> list[ContactsChoice]:
    """For each resume of a (merged) card: what opening its contacts costs.

    Stored contacts are "known" without any site call. `cards` are the
    resumes as the search showed them (`selectors.search_cards`): what an
    hh.ru search answer says (contacts open, hidden fields) decides the
    choice without reading the resume, which would spend a daily view. An
    hh.ru resume without its search card is read (one view, no charge);
    SuperJob is never read (reading may charge). Site failures become an
    "unavailable" choice, never an exception. `deadline` as for `resume_get`.
    """
    cards = cards or {}
    deadline = request_deadline(deadline)
    urns = [urn_validate(u) for u in dict.fromkeys(urns)]
    org = _organization(recruiter)
    known = contacts_known(organization_id=org, urns=urns)
    hidden = hidden_openings(org, urns)
    quotas: dict[JobSite, Quota | None] = {}
    choices = []
    for urn in urns:
        site, resume_id = urn_parse(urn)
        if urn in known:
            choices.append(ContactsChoice(urn, site, "known"))
            continue
        if urn in hidden:
            message = all_hidden_error(site, hidden[urn]).message
            choices.append(ContactsChoice(urn, site, "unavailable", message=message))
            continue
        try:
            shown = cards.get(urn)
            choices.append(_choice(recruiter, urn, site, resume_id, quotas, shown, deadline))
        except errors.ServiceError as exc:
            choices.append(
                ContactsChoice(urn, site, "unavailable", message=contacts_message(site, exc))
            )
    return choices


def _choice(
    recruiter: User, urn, site, resume_id, quotas, shown: ResumeCard | None, deadline: float
) -> ContactsChoice:
    token = recruiter_token(recruiter, site)
    adapter = site_adapter(site)
    call = partial(site_call, site, token, deadline=deadline)
    if site not in quotas:
        try:
            quotas[site] = call(lambda access: adapter.quota(access_token=access))
        except errors.ServiceError:
            quotas[site] = None  # the quota is a hint; its absence blocks nothing
    quota = quotas[site] or Quota(contacts_left=None)
    choice = partial(
        ContactsChoice, urn, site, views_left=quota.views_left, contacts_left=quota.contacts_left
    )
    if adapter.resume_read_spends_contacts:
        return choice("paid")
    card = shown if _usable(shown) else None
    if card is None:
        card = call(lambda access: resume_read(recruiter, site, access, resume_id))
    if card.contacts_open:
        return choice("free")
    hidden = tuple(sorted(set(card.hidden_fields) & CONTACT_FIELDS))
    return choice("hidden" if hidden else "paid", hidden=hidden)


# --- opening ---------------------------------------------------------------------------


def contacts_open(
    *,
    recruiter: User,
    urn: str,
    confirm_hidden: bool = False,
    shown: ResumeCard | None = None,
    free_only: bool = False,
    deadline: float | None = None,
) -> KnownContacts:
    """Open the contacts of `urn` for the recruiter's organization, at most once.

    `shown` is the resume as the search showed it (`selectors.search_cards`):
    its hidden fields and opening link let an hh.ru opening skip the fresh
    read, so it spends one resume view, not two. Without it, the link of an
    answer the recruiter already paid a view for is used (`resume_links`);
    only a resume never seen before is read first. `free_only` opens only
    contacts the site reports open already (a colleague's opening): nothing
    is paid, FailedPrecondition (reason "contacts_closed") otherwise.

    Returns stored contacts without calling the site when the organization
    has them. Raises InvalidArgument (bad URN), PermissionDenied (no
    organization; no access on the site), FailedPrecondition (site not
    connected; hidden contacts not confirmed: details["reason"] ==
    "hidden_fields", details["hidden"]), ResourceExhausted (no paid views
    left), NotFound (resume gone), Unavailable (site down, or a colleague's
    opening or a token refresh still running at `deadline`, a monotonic
    value, default REQUEST_WAIT from now, `resumes.request_deadline`), and FailedPrecondition with
    details["reason"] == "contacts_hidden" when the opening was paid and
    the candidate had hidden every contact (stored: never paid again).
    """
    site, resume_id = urn_parse(urn)
    org = _organization(recruiter)
    known = contacts_known(organization_id=org, urns=[urn])
    if urn in known:
        return known[urn]
    if hidden := hidden_openings(org, [urn]).get(urn):
        raise all_hidden_error(site, hidden)
    token = recruiter_token(recruiter, site)
    deadline = request_deadline(deadline)
    row = _claim(recruiter, urn, deadline)
    if has_contact_data(row.contact_data):
        return known_from_resume(row)
    if hidden := hidden_by_candidate(row.contact_data):
        raise all_hidden_error(site, hidden)  # a colleague's opening just stored it
    if shown is None and not site_adapter(site).resume_read_spends_contacts:
        shown = link_card(recruiter=recruiter, urn=urn)
    try:
        card = site_call(
            site,
            token,
            lambda access: _open(
                recruiter, site, access, resume_id, confirm_hidden, shown, free_only
            ),
            deadline,
        )
        if card.contacts is None and _hidden_only(site, card):
            # Paid, and the candidate hid everything: keep that outcome, so
            # nobody pays (or is told "no views left") for this resume again.
            hidden = sorted(set(card.hidden_fields) & CONTACT_FIELDS)
            _store(row, card, recruiter, hidden=hidden)
            raise all_hidden_error(site, hidden)
        if not card.contacts_open:
            # The site answered without opening (SuperJob `contacts_bought:
            # false`): nothing to store, and the next try must reach the site.
            raise contacts_error(
                site,
                errors.ResourceExhausted(
                    f"{site.value}: the answer carries no opened contacts",
                    details={"reason": "not_opened"},
                ),
            )
    except errors.ServiceError as exc:
        # Ours only: a lease that ran out may be a colleague's by now.
        _opening().release(Resume.objects.filter(pk=row.pk, opening_until=row.opening_until))
        if not isinstance(exc, errors.FailedPrecondition):
            link_forget(recruiter=recruiter, urn=urn)  # the failed call may have spent it
        raise
    return known_from_resume(_store(row, card, recruiter))


def _open(
    recruiter: User,
    site: JobSite,
    access: str,
    resume_id: str,
    confirm_hidden: bool,
    shown: ResumeCard | None = None,
    free_only: bool = False,
) -> ResumeCard:
    adapter = site_adapter(site)
    card = None
    if free_only and adapter.resume_read_spends_contacts:
        raise contacts_closed_error(site)
    if not adapter.resume_read_spends_contacts:
        # The search card tells what the candidate hid and carries the
        # one-time opening link; without it, one fresh read does (its link is
        # used by the paid call: no second read). Open contacts are read.
        if shown is not None and shown.open_url and not shown.contacts_open:
            card = shown
        else:
            card = resume_read(recruiter, site, access, resume_id)
        if card.contacts_open:
            return card  # a colleague opened it already: free
        if free_only:
            raise contacts_closed_error(site)
        hidden = sorted(set(card.hidden_fields) & CONTACT_FIELDS)
        if hidden and not confirm_hidden:
            raise hidden_fields_error(site, hidden)
    return adapter.open_contacts(access_token=access, resume_id=resume_id, resume=card)


def _organization(recruiter: User) -> int:
    """The recruiter's organization: contacts belong to one, never to a person."""
    if recruiter.organization_id is None:
        raise errors.PermissionDenied(messages.ONLY_RECRUITERS_OPEN_CONTACTS)
    return recruiter.organization_id


def _usable(card: ResumeCard | None) -> bool:
    """A search card can stand in for a read of its resume (see contacts_choices)."""
    return card is not None and not site_adapter(card.site).resume_read_spends_contacts


def _claim(recruiter: User, urn: str, deadline: float) -> Resume:
    """The organization's row for `urn` with contacts, or with our lease on it.

    Waits while another request holds the lease; raises Unavailable when it
    is still held at `deadline`.
    """
    org = _organization(recruiter)

    def attempt() -> Resume | None:
        with transaction.atomic():
            row, _created = Resume.objects.select_for_update().get_or_create(
                organization_id=org, urn=urn
            )
            if has_contact_data(row.contact_data) or hidden_by_candidate(row.contact_data):
                return Resume.objects.select_related("opened_by").get(pk=row.pk)
            row.opened_by = recruiter
            if _opening().claim(row, also=["opened_by", "updated_at"]):
                return row
            return None

    row = wait_for(attempt, deadline=deadline, poll=WAIT_POLL)
    if row is None:
        raise errors.Unavailable(messages.COLLEAGUE_OPENING_CONTACTS)
    return row


def _hidden_only(site: JobSite, card: ResumeCard) -> bool:
    """An opened hh.ru answer without contacts because the candidate hid them.

    hh.ru charges for opening hidden contacts and answers nulls (the
    hh.ru API documentation); SuperJob's empty answer means "not bought" instead.
    """
    adapter = site_adapter(site)
    return not adapter.resume_read_spends_contacts and bool(
        set(card.hidden_fields) & CONTACT_FIELDS
    )


def _store(row: Resume, card: ResumeCard, recruiter: User, *, hidden: Sequence[str] = ()) -> Resume:
    row.contacts = contacts_document(card, hidden=hidden)
    row.resume = card.raw
    row.opening_until = None
    row.opened_by = recruiter
    row.save(update_fields=["contacts", "resume", "opening_until", "opened_by", "updated_at"])
    return row
