"""Building result pages from per-site streams. Pure apart from the injected fetch.

Each site is a stream of resumes read page by page; the surplus of every
fetch stays in the stream's buffer (kept in the search session), so the next
page is served from buffers and a site is asked again only when its buffer
runs out; the streams whose buffers ran out are refilled together, through
the injected `gather` (the search service runs them in parallel). Pages take
resumes in stream order (`ranking.stream_key`, or sites in turn for
relevance); a URN already served is never served again, and a stream that
fails is paused for the rest of the page (its resumes come later, never
skipped). A site's depth limit ends its stream quietly (`has_more` False).

A next page reads back every buffered resume but serves a few: a buffered
resume (`Buffered`) is kept as stored and built into a card only when a page
takes it, or when its strong fields, kept beside it, make it a possible twin
of a page's card (`Pager.pull`). Each buffer is stored apart from the rest of
the state and only rewritten when a fetch adds to it: until then it keeps
the resumes served from it, and reading it back leaves out those seen.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from core import errors
from recruiting.adapters.base import (
    JobSite,
    Order,
    ResumeCard,
    SearchPage,
    card_from_dict,
    make_urn,
)
from recruiting.merge import TwinsFinder, strong_fields
from recruiting.ranking import SITE_ORDER, stream_key

Fetch = Callable[[JobSite, int], SearchPage]
# Runs the calls it is given; each one's page or ServiceError, by site.
Gather = Callable[
    [dict[JobSite, Callable[[], SearchPage]]], Mapping[JobSite, SearchPage | errors.ServiceError]
]


def gather_in_turn(
    calls: dict[JobSite, Callable[[], SearchPage]],
) -> dict[JobSite, SearchPage | errors.ServiceError]:
    """Run `calls` one after another: the default `Gather`."""
    out: dict[JobSite, SearchPage | errors.ServiceError] = {}
    for site, call in calls.items():
        try:
            out[site] = call()
        except errors.ServiceError as exc:
            out[site] = exc
    return out


class Buffered:
    """A resume in a stream's buffer: its card (built from the stored form on
    first use), URN and `merge.strong_fields`."""

    __slots__ = ("_card", "_stored", "strong", "urn")

    def __init__(
        self,
        urn: str,
        strong: tuple[str, ...] | list[str],
        *,
        card: ResumeCard | None = None,
        stored: dict[str, Any] | None = None,
    ) -> None:
        self.urn, self.strong, self._card, self._stored = urn, strong, card, stored

    @classmethod
    def of(cls, card: ResumeCard) -> Buffered:
        return cls(card.urn, strong_fields(card), card=card)

    @property
    def card(self) -> ResumeCard:
        if self._card is None:
            assert self._stored is not None
            self._card = card_from_dict(self._stored)
        return self._card

    def to_dict(self) -> dict[str, Any]:
        if self._stored is None:
            self._stored = self.card.to_dict()
        return self._stored


@dataclass
class Stream:
    site: JobSite
    buffer: list[Buffered] = field(default_factory=list)
    next_page: int = 0
    exhausted: bool = False
    found: int | None = None
    error: errors.ServiceError | None = None
    paused: bool = False
    # The buffer as stored (see `stored_buffer`); None once a fetch changed it.
    stored: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def absorb(self, page: SearchPage, seen: Collection[str] = ()) -> None:
        """Take a fetched page into the buffer, but for the `seen` resumes (a
        site repeating one): left out as a stored buffer read back leaves
        them out, so a page is the same whether or not the state was stored
        in between."""
        self.buffer.extend(Buffered.of(card) for card in page.cards if card.urn not in seen)
        self.stored = None
        self.next_page += 1
        self.found = page.found if self.found is None else self.found
        self.exhausted = not page.has_more or not page.cards
        self.error = None

    def fail(self, exc: errors.ServiceError) -> None:
        self.error = exc
        self.paused = True

    @property
    def live(self) -> bool:
        return bool(self.buffer) or not self.exhausted

    def to_dict(self) -> dict[str, Any]:
        """The stream without its buffer (`stored_buffer`)."""
        return {
            "site": self.site.value,
            # Read by a release from before buffers were stored apart (see
            # JOBSITE_SEARCH_BUFFERS_IN_STATE, which puts the buffer here).
            "buffer": [],
            "next_page": self.next_page,
            "exhausted": self.exhausted,
            "found": self.found,
            "error": self.error.as_dict() if self.error else None,
        }

    def stored_buffer(self) -> dict[str, Any]:
        """The buffer to store: until a fetch adds to it, the very dict it was
        read from (so it is stored again as it was), served resumes included:
        a stream read back leaves out what the pager has seen."""
        if self.stored is not None:
            return self.stored
        return {
            "cards": [b.to_dict() for b in self.buffer],
            "strong": [b.strong for b in self.buffer],
        }

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], stored: dict[str, Any] | None, seen: set[str]
    ) -> Stream:
        """The stream `to_dict` gave, its buffer from `stored_buffer`'s dict
        less the `seen` resumes. A release from before buffers were stored
        apart keeps the buffer in `data` (without the strong fields): used
        when there is no `stored`, or when it is not empty (such a release
        wrote the state last)."""
        error = None
        if data.get("error"):
            error = errors.error_for_code(
                errors.Code[data["error"]["code"]], data["error"]["message"]
            )
            error.details = data["error"].get("details") or {}
        site = JobSite(data["site"])
        if stored is None or data.get("buffer"):
            buffer = _buffered(site, data.get("buffer") or [], data.get("strong"))
            stored = None
        else:
            buffer = _buffered(site, stored["cards"], stored["strong"])
        buffer = [entry for entry in buffer if entry.urn not in seen]
        return cls(
            site=site,
            buffer=buffer,
            next_page=data["next_page"],
            exhausted=data["exhausted"],
            found=data["found"],
            error=error,
            stored=stored,
        )


@dataclass
class Pager:
    streams: list[Stream]
    order: Order
    rates: Mapping[str, float]
    seen: set[str] = field(default_factory=set)
    turn: int = 0  # whose turn it is under relevance order

    @property
    def has_more(self) -> bool:
        return any(s.live for s in self.streams)

    def next_page(
        self, size: int, fetch: Fetch, *, gather: Gather = gather_in_turn
    ) -> list[ResumeCard]:
        """Up to `size` resumes never served before; fetch refills empty buffers,
        all those empty at once in one `gather`.

        A stream that failed earlier in this request stays paused; pauses are
        not stored, so the next page asks that site again.
        """
        page: list[ResumeCard] = []
        while len(page) < size:
            self._refill(fetch, gather)
            ready = [s for s in self.streams if s.buffer and not s.paused]
            if not ready:
                break
            taken = self._pick(ready).buffer.pop(0)
            if taken.urn not in self.seen:
                self.seen.add(taken.urn)
                page.append(taken.card)
        return page

    def pull(self, twins: TwinsFinder) -> list[ResumeCard]:
        """Move buffered (already fetched) resumes that `twins` finds into this
        page; a resume sharing no block key with the page is never built."""
        taken = []
        for stream in self.streams:
            keep = []
            for entry in stream.buffer:
                if (
                    entry.urn not in self.seen
                    and twins.may_match(entry.strong)
                    and twins(entry.card, entry.strong)
                ):
                    self.seen.add(entry.urn)
                    taken.append(entry.card)
                else:
                    keep.append(entry)
            stream.buffer = keep
        return taken

    def _refill(self, fetch: Fetch, gather: Gather) -> None:
        empty = [s for s in self.streams if not (s.buffer or s.exhausted or s.paused)]
        if not empty:
            return
        results = gather({s.site: partial(fetch, s.site, s.next_page) for s in empty})
        for stream in empty:
            result = results[stream.site]
            if isinstance(result, errors.ServiceError):
                stream.fail(result)
            else:
                self.absorb(stream, result)

    def absorb(self, stream: Stream, page: SearchPage) -> None:
        """Take a site's page into `stream`'s buffer, in the stream order: a
        site sorts by its own figures (salary in its own conversion), so its
        page is put in ours, and the streams are merged by their heads."""
        stream.absorb(page, self.seen)
        if self.order is not Order.RELEVANCE:
            stream.buffer.sort(key=lambda entry: stream_key(entry.card, self.order, self.rates))

    def _pick(self, ready: list[Stream]) -> Stream:
        if self.order is not Order.RELEVANCE:
            return min(ready, key=lambda s: stream_key(s.buffer[0].card, self.order, self.rates))
        sites = [s.site for s in ready]
        for step in range(len(SITE_ORDER)):
            site = SITE_ORDER[(self.turn + step) % len(SITE_ORDER)]
            if site in sites:
                self.turn = (SITE_ORDER.index(site) + 1) % len(SITE_ORDER)
                return ready[sites.index(site)]
        raise AssertionError("unreachable: ready is not empty")

    def to_dict(self) -> dict[str, Any]:
        """The pager as stored; its streams' buffers are under "buffers", one
        per stream, apart from the rest: a page that fetched nothing gives
        each as the very dict it was read from (`Stream.stored_buffer`)."""
        return {
            "streams": [s.to_dict() for s in self.streams],
            "buffers": [s.stored_buffer() for s in self.streams],
            "order": self.order.value,
            "rates": dict(self.rates),
            "seen": sorted(self.seen),
            "turn": self.turn,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pager:
        seen = set(data["seen"])
        # None: state of an older release, each buffer inside its stream.
        buffers = data.get("buffers") or [None] * len(data["streams"])
        return cls(
            streams=[
                Stream.from_dict(s, stored, seen)
                for s, stored in zip(data["streams"], buffers, strict=True)
            ],
            order=Order(data["order"]),
            rates=data["rates"],
            seen=seen,
            turn=data["turn"],
        )


def _buffered(
    site: JobSite, stored: list[dict[str, Any]], strong: list[list[str]] | None
) -> list[Buffered]:
    """A stored buffer, its cards left unbuilt; state stored without the
    strong fields (by an older release) gets them from the cards."""
    if strong is None:
        return [Buffered.of(card_from_dict(data)) for data in stored]
    prefix = make_urn(site, "")
    return [
        Buffered(prefix + data["resume_id"], keys, stored=data)
        for data, keys in zip(stored, strong, strict=True)
    ]
