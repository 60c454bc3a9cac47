"""Resumes by URN and their contacts: read, preview the cost, open exactly once.

Opening contacts spends a paid unit on the job site, so:
- contacts the organization already has (a stored `Resume`, or a
  `KnownContact` pulled from a subsystem) are returned without a site call;
- one request per organization and resume calls the site: it claims a lease
  on the `Resume` row under a row lock (short transaction), calls the site
  outside any transaction (the site may be slow; SQLite and the in-process
  emulators must not wait on our lock), then stores contacts and the full
  resume. Concurrent requests wait for the stored result. A lease that ran
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

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import errors
from core.models import User
from recruiting import messages, selectors
from recruiting.adapters.base import JobSite, Quota, ResumeCard, ResumeDetails
from recruiting.messages import contacts_error, contacts_message, not_connected_error
from recruiting.models import Resume, Token
from recruiting.selectors.contacts import (
    KnownContacts,
    contacts_known,
    has_contact_data,
    hidden_by_candidate,
    hidden_openings,
    known_from_resume,
    stored_resume,
)
from recruiting.services.application_params import urn_parse, urn_validate
from recruiting.services.sites import site_adapter
from recruiting.services.tokens import with_access

logger = logging.getLogger(__name__)

# hh.ru `hidden_fields` ids that hide contacts (opening still charges a unit).
CONTACT_FIELDS = frozenset({"names_and_photo", "phones", "email", "other_contacts"})
OPEN_LEASE = timedelta(seconds=30)  # longer than one site call with its retries
WAIT_FOR_OTHER = 20.0  # seconds a concurrent request waits for the stored result
WAIT_POLL = 0.1


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


# --- reads ---------------------------------------------------------------------------


def resume_get(*, recruiter: User, urn: str) -> ResumeView:
    """The full resume `urn` for its page: from storage when the organization
    has it, else from the site (hh.ru; SuperJob only shows it once paid).

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
    token = _token(recruiter, site)
    card = _call(
        site, token, lambda access: adapter.resume(access_token=access, resume_id=resume_id)
    )
    return ResumeView(urn, site, card, known, False)


def contacts_choices(
    *, recruiter: User, urns: list[str], cards: Mapping[str, ResumeCard] | None = None
) -> list[ContactsChoice]:
    """For each resume of a (merged) card: what opening its contacts costs.

    Stored contacts are "known" without any site call. `cards` are the
    resumes as the search showed them (`selectors.search_cards`): what an
    hh.ru search answer says (contacts open, hidden fields) decides the
    choice without reading the resume, which would spend a daily view. An
    hh.ru resume without its search card is read (one view, no charge);
    SuperJob is never read (reading may charge). Site failures become an
    "unavailable" choice, never an exception.
    """
    cards = cards or {}
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
            choices.append(_choice(recruiter, urn, site, resume_id, quotas, cards.get(urn)))
        except errors.ServiceError as exc:
            choices.append(
                ContactsChoice(urn, site, "unavailable", message=contacts_message(site, exc))
            )
    return choices


def _choice(
    recruiter: User, urn, site, resume_id, quotas, shown: ResumeCard | None
) -> ContactsChoice:
    token = _token(recruiter, site)
    adapter = site_adapter(site)
    if site not in quotas:
        try:
            quotas[site] = _call(site, token, lambda access: adapter.quota(access_token=access))
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
        card = _call(
            site, token, lambda access: adapter.resume(access_token=access, resume_id=resume_id)
        )
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
) -> KnownContacts:
    """Open the contacts of `urn` for the recruiter's organization, at most once.

    `shown` is the resume as the search showed it (`selectors.search_cards`):
    its hidden fields and opening link let an hh.ru opening skip the fresh
    read, so it spends one resume view, not two. `free_only` opens only
    contacts the site reports open already (a colleague's opening): nothing
    is paid, FailedPrecondition (reason "contacts_closed") otherwise.

    Returns stored contacts without calling the site when the organization
    has them. Raises InvalidArgument (bad URN), PermissionDenied (no
    organization; no access on the site), FailedPrecondition (site not
    connected; hidden contacts not confirmed: details["reason"] ==
    "hidden_fields", details["hidden"]), ResourceExhausted (no paid views
    left), NotFound (resume gone), Unavailable (site down, or a colleague's
    opening still running after the wait), and FailedPrecondition with
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
    token = _token(recruiter, site)
    row = _claim(recruiter, urn)
    if has_contact_data(row.contact_data):
        return known_from_resume(row)
    if hidden := hidden_by_candidate(row.contact_data):
        raise all_hidden_error(site, hidden)  # a colleague's opening just stored it
    try:
        card = _call(
            site,
            token,
            lambda access: _open(site, access, resume_id, confirm_hidden, shown, free_only),
        )
        if not card.contacts_open and _hidden_only(site, card):
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
    except errors.ServiceError:
        Resume.objects.filter(pk=row.pk).update(opening_until=None)
        raise
    return known_from_resume(_store(row, card, recruiter))


def _open(
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
            card = adapter.resume(access_token=access, resume_id=resume_id)
        if card.contacts_open:
            return card  # a colleague opened it already: free
        if free_only:
            raise contacts_closed_error(site)
        hidden = sorted(set(card.hidden_fields) & CONTACT_FIELDS)
        if hidden and not confirm_hidden:
            raise errors.FailedPrecondition(
                messages.some_contacts_hidden(site, ", ".join(hidden_labels(hidden))),
                details={"reason": "hidden_fields", "hidden": hidden},
            )
    return adapter.open_contacts(access_token=access, resume_id=resume_id, resume=card)


def contacts_closed_error(site: JobSite, urn: str = "") -> errors.FailedPrecondition:
    """Taking into work needs the contacts: the application carries them."""
    return errors.FailedPrecondition(
        messages.OPEN_CONTACTS_FIRST,
        details={"reason": "contacts_closed", "site": site.value, **({"urn": urn} if urn else {})},
    )


def _organization(recruiter: User) -> int:
    """The recruiter's organization: contacts belong to one, never to a person."""
    if recruiter.organization_id is None:
        raise errors.PermissionDenied(messages.ONLY_RECRUITERS_OPEN_CONTACTS)
    return recruiter.organization_id


def _usable(card: ResumeCard | None) -> bool:
    """A search card can stand in for a read of its resume (see contacts_choices)."""
    return card is not None and not site_adapter(card.site).resume_read_spends_contacts


def _claim(recruiter: User, urn: str) -> Resume:
    """The organization's row for `urn` with contacts, or with our lease on it.

    Waits while another request holds the lease; raises Unavailable when it
    is still held after WAIT_FOR_OTHER seconds.
    """
    give_up = time.monotonic() + WAIT_FOR_OTHER
    org = _organization(recruiter)
    while True:
        with transaction.atomic():
            row, _created = Resume.objects.select_for_update().get_or_create(
                organization_id=org, urn=urn
            )
            now = timezone.now()
            if has_contact_data(row.contact_data) or hidden_by_candidate(row.contact_data):
                return Resume.objects.select_related("opened_by").get(pk=row.pk)
            if row.opening_until is None or row.opening_until <= now:
                row.opening_until = now + OPEN_LEASE
                row.opened_by = recruiter
                row.save(update_fields=["opening_until", "opened_by", "updated_at"])
                return row
        if time.monotonic() > give_up:
            raise errors.Unavailable(messages.COLLEAGUE_OPENING_CONTACTS)
        time.sleep(WAIT_POLL)


def _hidden_only(site: JobSite, card: ResumeCard) -> bool:
    """An opened hh.ru answer without contacts because the candidate hid them.

    hh.ru charges for opening hidden contacts and answers nulls (the
    hh.ru API documentation); SuperJob's empty answer means "not bought" instead.
    """
    adapter = site_adapter(site)
    return not adapter.resume_read_spends_contacts and bool(
        set(card.hidden_fields) & CONTACT_FIELDS
    )


def all_hidden_error(site: JobSite, hidden: Sequence[str]) -> errors.FailedPrecondition:
    return errors.FailedPrecondition(
        messages.all_contacts_hidden(site, ", ".join(hidden_labels(hidden))),
        details={"site": site.value, "reason": "contacts_hidden", "hidden": list(hidden)},
    )


def _store(row: Resume, card: ResumeCard, recruiter: User, *, hidden: Sequence[str] = ()) -> Resume:
    contacts: dict[str, Any] = asdict(card.contacts) if card.contacts else {}
    if hidden:
        contacts["hidden"] = list(hidden)
    row.contacts = json.dumps({"name": card.name, **contacts}, ensure_ascii=False)
    row.resume = card.raw
    row.opening_until = None
    row.opened_by = recruiter
    row.save(update_fields=["contacts", "resume", "opening_until", "opened_by", "updated_at"])
    return row


# --- helpers ----------------------------------------------------------------------------


def hidden_labels(ids: Iterable[str]) -> list[str]:
    labels = {
        "names_and_photo": _("name and photo"),
        "phones": _("phones"),
        "email": _("email"),
        "other_contacts": _("other contacts"),
    }
    return [str(labels.get(i, i)) for i in ids]


def _token(recruiter: User, site: JobSite) -> Token:
    token = selectors.tokens_for(recruiter=recruiter).get(site)
    if token is None:
        raise not_connected_error(site)
    return token


def _call(site: JobSite, token: Token, call: Callable[[str], Any]) -> Any:
    """`call(access_token)` (`tokens.with_access`), its errors in plain words."""
    try:
        return with_access(token=token, call=call)
    except errors.FailedPrecondition:
        raise
    except errors.ServiceError as exc:
        raise contacts_error(site, exc) from exc
