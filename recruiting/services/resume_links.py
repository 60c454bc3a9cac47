"""The one-time opening links the site's answers carried, kept so an opening
spends at most one hh.ru resume view.

An hh.ru opening calls `actions.get_with_contact.url`, which only a resume
answer carries (never build it: the hh.ru API documentation); every
`GET /resumes/{id}` spends one of the manager's daily views. So the link of
any answer the recruiter already paid a view for is reused: the card their
search showed (stored with the search session), or the last read of the
resume (the contacts panel, the resume page), kept a few minutes. Only
closed cards are kept: they carry no names or contacts.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache

from core.models import User
from recruiting.adapters.base import ResumeCard, card_from_dict
from recruiting.selectors.searches import session_card

# hh.ru says the link is generated per answer; a read a few minutes old is as
# fresh as the search card the page already uses.
KEEP_READ_LINK = timedelta(minutes=10)


def _key(recruiter: User, urn: str) -> str:
    return f"recruiting:open-link:{recruiter.pk}:{urn}"


def link_remember(*, recruiter: User, card: ResumeCard) -> ResumeCard:
    """Keep a read card's opening link for the recruiter's next opening."""
    if card.open_url and not card.contacts_open:
        cache.set(_key(recruiter, card.urn), card.to_dict(), KEEP_READ_LINK.total_seconds())
    return card


def link_forget(*, recruiter: User, urn: str) -> None:
    """Drop a kept link whose opening failed: it may have been spent."""
    cache.delete(_key(recruiter, urn))


def link_card(*, recruiter: User, urn: str) -> ResumeCard | None:
    """A card of `urn` carrying an opening link the recruiter already paid a
    view for (a recent read, else their newest search showing it), or None."""
    kept = cache.get(_key(recruiter, urn))
    card = card_from_dict(kept) if kept else session_card(recruiter=recruiter, urn=urn)
    return card if card is not None and card.open_url and not card.contacts_open else None
