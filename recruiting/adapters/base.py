"""The job-site interface: what every job-site adapter speaks.

Adapters parse vendor JSON strictly into these frozen dataclasses at the edge;
nothing vendor-shaped (dicts, `requests` objects) crosses this boundary except
`raw`, the vendor's own resume document kept verbatim for storage.
"""

from __future__ import annotations

import enum
import inspect
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime
from typing import Any, Protocol

from core import jsontext


class JobSite(enum.StrEnum):
    """Supported job sites; the value is the URN namespace (`urn:hh:<id>`)."""

    HH = "hh"
    SUPERJOB = "sj"

    @property
    def label(self) -> str:
        return {"hh": "hh.ru", "sj": "SuperJob"}[self.value]


class Order(enum.StrEnum):
    RELEVANCE = "relevance"
    UPDATED = "updated"
    SALARY = "salary"


def make_urn(site: JobSite, resume_id: str) -> str:
    return f"urn:{site.value}:{resume_id}"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: datetime


class _Factory:
    """The default of a field with a default factory, as the signature shows it."""

    def __repr__(self) -> str:
        return "<factory>"


def _init_at_once(cls: type) -> type:
    """The frozen dataclass `cls`, given an `__init__` that puts the fields
    straight into the instance's `__dict__`: the generated one sets them one
    by one through `object.__setattr__`, a third of parsing a search
    answer's card (a search builds a hundred). The same signature, defaults,
    default factories and `__post_init__` call (where the class has one);
    the instance stays frozen (its `__setattr__` still refuses). Positional
    fields only, and the class keeps a `__dict__`: what it cannot build the
    same way is refused when the class is made."""
    generated = cls.__dict__["__init__"]  # the dataclass made it
    assert "__slots__" not in cls.__dict__, f"{cls.__name__}: no __dict__ to fill"
    scope: dict[str, Any] = {"_FACTORY": _Factory()}
    params, body = [], ["    _fields_ = self.__dict__"]
    for f in fields(cls):
        if not f.init:
            # Set by __post_init__ (a default would need __init__ to set it).
            assert f.default is MISSING and f.default_factory is MISSING, f.name
            continue
        if f.default is not MISSING:
            scope[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not MISSING:
            scope[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_FACTORY")
            body.append(f"    if {f.name} is _FACTORY: {f.name} = _factory_{f.name}()")
        else:
            params.append(f.name)
        body.append(f"    _fields_[{f.name!r}] = {f.name}")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    exec(f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body), scope)  # noqa: S102 - source from the class's own fields
    init = scope["__init__"]
    # The generated one's parameters (keyword-only fields or InitVars differ).
    kinds = [(p.name, p.kind) for p in inspect.signature(init).parameters.values()]
    assert kinds == [(p.name, p.kind) for p in inspect.signature(generated).parameters.values()]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = generated.__annotations__
    cls.__init__ = init  # type: ignore[misc]
    return cls


@dataclass(frozen=True)
class Money:
    amount: int
    currency: str  # ISO code, upper case ("RUB", "USD"); adapters normalise


@dataclass(frozen=True)
class Contacts:
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    other: tuple[str, ...] = ()


@_init_at_once
@dataclass(frozen=True)
class ResumeCard:
    """One resume as a search result (SERP) card shows it.

    Fields a site hides until contacts are opened are None (hh hides names
    and birth date in search). `rank` is the card's position in its site's
    own result stream (0-based), used for relevance interleaving.
    """

    site: JobSite
    resume_id: str
    title: str | None  # None when the site sends none (never "")
    updated_at: datetime
    url: str | None = None  # the resume on the site; None when the answer has none
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    age: int | None = None
    birth_date: date | None = None
    gender: str | None = None  # "male" | "female"
    city: str | None = None
    salary: Money | None = None
    last_position: str | None = None
    last_employer: str | None = None
    education: str | None = None
    graduated: int | None = None  # the year of that education, when the site shows it
    contacts_open: bool = False
    contacts: Contacts | None = None
    # Contact fields the candidate hid (hh.ru `hidden_fields` ids such as
    # "phones", "email"): opening them still costs a contact unit.
    hidden_fields: tuple[str, ...] = ()
    # The site's one-time link that opens (and charges) the contacts, as the
    # answer that carried the card offered it (hh.ru `actions.get_with_contact`).
    open_url: str | None = None
    rank: int = 0
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    urn: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # `urn` is read on every comparison while merging: set once here
        # (functools.cached_property takes a lock on every read in 3.11).
        object.__setattr__(self, "urn", make_urn(self.site, self.resume_id))

    @property
    def name(self) -> str | None:
        parts = [p for p in (self.last_name, self.first_name, self.middle_name) if p]
        return " ".join(parts) or None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict without `raw`; `card_from_dict` reverses it.

        `raw` stays out: search state is kept small, and what needs the
        vendor document (stored resumes) takes it when the card arrives.
        """
        # A card read back by `card_from_dict` is the dict it came from: cards
        # are immutable, and search state re-saves its buffered cards on
        # every page. Callers must not change the dict.
        stored = self.__dict__.get("_stored")
        if stored is not None:
            return stored
        # Spelled out, None left out, in the fields' order: search state holds
        # hundreds of cards and is saved on every page, so both the time and
        # the size count (building every key and dropping the Nones after
        # cost twice as much).
        data: dict[str, Any] = {"site": self.site.value, "resume_id": self.resume_id}
        if self.title is not None:
            data["title"] = self.title
        data["updated_at"] = jsontext.isoformat(self.updated_at)
        if self.url is not None:
            data["url"] = self.url
        if self.first_name is not None:
            data["first_name"] = self.first_name
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.middle_name is not None:
            data["middle_name"] = self.middle_name
        if self.age is not None:
            data["age"] = self.age
        if self.birth_date:
            data["birth_date"] = jsontext.isoformat(self.birth_date)
        if self.gender is not None:
            data["gender"] = self.gender
        if self.city is not None:
            data["city"] = self.city
        if self.salary:
            data["salary"] = [self.salary.amount, self.salary.currency]
        if self.last_position is not None:
            data["last_position"] = self.last_position
        if self.last_employer is not None:
            data["last_employer"] = self.last_employer
        if self.education is not None:
            data["education"] = self.education
        if self.graduated is not None:
            data["graduated"] = self.graduated
        data["contacts_open"] = self.contacts_open
        if self.contacts:
            data["contacts"] = _contacts_dict(self.contacts)
        if self.hidden_fields:
            data["hidden_fields"] = list(self.hidden_fields)
        if self.open_url is not None:
            data["open_url"] = self.open_url
        data["rank"] = self.rank
        return data


def _contacts_dict(contacts: Contacts) -> dict[str, list[str]]:
    return {
        "phones": list(contacts.phones),
        "emails": list(contacts.emails),
        "other": list(contacts.other),
    }


def card_from_dict(data: dict[str, Any]) -> ResumeCard:
    """The card `ResumeCard.to_dict` describes (without `raw`).

    Built without `ResumeCard.__init__`: a next search page reads back every
    buffered card of its search (about a hundred), and the stored form
    needs no checking of its arguments; the card keeps `data` as its
    stored form, so saving it again encodes nothing. The values are those
    `__init__` would set: the field defaults, the given fields decoded, and
    the URN `__post_init__` derives.
    """
    if not _CARD_FIELDS.issuperset(data):
        raise TypeError(f"not a card's field: {sorted(set(data) - _CARD_FIELDS)}")
    site = _SITES[data["site"]]
    values = {**_CARD_DEFAULTS, **data}
    values["site"] = site
    values["updated_at"] = datetime.fromisoformat(data["updated_at"])
    if data.get("birth_date"):
        values["birth_date"] = date.fromisoformat(data["birth_date"])
    salary = data.get("salary")
    if salary:
        # A [amount, currency] pair; older saved state has a dict.
        values["salary"] = Money(**salary) if isinstance(salary, dict) else Money(*salary)
    hidden = data.get("hidden_fields")
    values["hidden_fields"] = tuple(hidden) if hidden else ()
    if data.get("contacts"):
        values["contacts"] = Contacts(**{k: tuple(v) for k, v in data["contacts"].items()})
    for name, make in _CARD_FACTORIES.items():
        if name not in data:
            values[name] = make()
    values["raw"] = {}  # never kept in the stored form
    values["urn"] = make_urn(site, data["resume_id"])
    if "raw" not in data:
        # `data` then describes this card as `to_dict` would (older saved
        # state may spell a salary as a dict, which this function reads too).
        values["_stored"] = data
    card = object.__new__(ResumeCard)
    card.__dict__.update(values)
    return card


_SITES = {site.value: site for site in JobSite}
_CARD_FIELDS = frozenset(f.name for f in fields(ResumeCard) if f.init)
# Every field `ResumeCard.__init__` takes, with its default. Required fields
# have None: a stored card gives each of them, but for a None `title`, which
# `to_dict` leaves out. Fields with a default factory get a new value per card.
_CARD_DEFAULTS: dict[str, Any] = {
    f.name: None if f.default is MISSING else f.default for f in fields(ResumeCard) if f.init
}
_CARD_FACTORIES = {
    f.name: f.default_factory
    for f in fields(ResumeCard)
    if f.init and f.default_factory is not MISSING and f.name != "raw"
}


@dataclass(frozen=True)
class SearchQuery:
    text: str
    region: str | None = None  # a key of recruiting.domain.REGIONS
    salary_from: int | None = None  # RUB
    salary_to: int | None = None  # RUB
    order: Order = Order.RELEVANCE


@dataclass(frozen=True)
class SearchPage:
    """One page of a site's own result stream.

    `has_more` is False once the site has no more results OR its depth limit
    forbids asking further: the stream then ends quietly.
    """

    cards: tuple[ResumeCard, ...]
    found: int
    has_more: bool


@dataclass(frozen=True)
class Quota:
    """What the employer may still spend on a site (None: the site does not say)."""

    contacts_left: int | None
    views_left: int | None = None


@dataclass(frozen=True)
class WorkPlace:
    position: str | None
    employer: str | None
    start: str | None  # as the site gives it: "2018-03" or "2018"
    end: str | None  # None: to date
    description: str | None = None


@dataclass(frozen=True)
class ResumeDetails:
    """What a full resume shows beyond its search card."""

    experience: tuple[WorkPlace, ...] = ()
    skills: tuple[str, ...] = ()
    education: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


Timeout = tuple[float, float]  # (connect, read) seconds


@dataclass(frozen=True)
class CallTimeouts:
    """(connect, read) timeouts of a job site's calls, chosen per call kind.

    A search call is bounded by the page's deadline, so it gets a short read
    timeout; a token call (code exchange, refresh) and a contact opening
    spend something at the site when they are answered, so they wait long
    for a slow site rather than lose the answer. Connecting stays short
    everywhere: a refused connection spends nothing.
    """

    search: Timeout
    token: Timeout
    contacts: Timeout


class JobSiteAdapter(Protocol):
    site: JobSite
    supports_pkce: bool
    page_size: int  # results asked per search call
    contact_cost: int  # relative cost of opening one resume's contacts
    # True where the only way to read a full resume may spend a paid contact
    # (SuperJob): such a resume is never read "just to look".
    resume_read_spends_contacts: bool

    def authorize_url(
        self, *, state: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str: ...

    def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenPair: ...

    # No deadline on purpose: the site spends the single-use refresh token when
    # it answers, so the call runs to its own timeout and the caller stores the
    # pair even when it comes after the caller stopped waiting.
    def refresh(self, *, refresh_token: str) -> TokenPair: ...

    # Invalidates the token at the site, where the site offers that.
    def revoke(self, *, access_token: str) -> None: ...

    def search(
        self, *, access_token: str, query: SearchQuery, page: int, deadline: float | None = None
    ) -> SearchPage: ...

    def resume(self, *, access_token: str, resume_id: str) -> ResumeCard: ...

    # Spends a paid contact. `resume`: the resume as just read from the site,
    # when the caller has it (hh.ru uses its one-time link instead of reading
    # again; each read counts against a daily view limit).
    def open_contacts(
        self, *, access_token: str, resume_id: str, resume: ResumeCard | None = None
    ) -> ResumeCard: ...

    def quota(self, *, access_token: str) -> Quota: ...

    def card_from_raw(self, data: dict[str, Any]) -> ResumeCard: ...

    # The full resume's experience, skills and education from its vendor
    # document; what is missing or malformed is left out, never raised.
    def details_from_raw(self, data: dict[str, Any]) -> ResumeDetails: ...

    def currency_rates(self) -> dict[str, float]: ...
