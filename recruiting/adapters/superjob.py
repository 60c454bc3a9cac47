"""SuperJob API 2.0 adapter (api.superjob.ru/2.0), after the SuperJob API documentation.

Every call carries `X-Api-App-Id` (the application's secret key); user calls
add `Authorization: Bearer`. Every path ends with a slash.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings

from core import errors
from core.http import ApiClient, bearer, error_body
from core.leases import SYSTEM_CLOCK, Clock
from recruiting.adapters import parsing
from recruiting.adapters.base import (
    CallTimeouts,
    Contacts,
    JobSite,
    Money,
    Order,
    Quota,
    ResumeCard,
    ResumeDetails,
    SearchPage,
    SearchQuery,
    TokenPair,
    WorkPlace,
)
from recruiting.adapters.parsing import dict_items, text, whole_number
from recruiting.domain import REGIONS

MAX_PER_PAGE = 100  # `count` maximum

# --- (unverified) -------------------------------------------------------------
# Facts the reference marks unverified, kept here to be corrected in one place.
# Search depth: about 500 results per query (5 pages x 100), third-party code.
DEPTH_LIMIT = 500
# Resume sort parameters are documented for vacancy search only.
ORDER_PARAMS: dict[Order, dict[str, str]] = {
    Order.RELEVANCE: {},
    Order.UPDATED: {"order_field": "date", "order_direction": "desc"},
    Order.SALARY: {"order_field": "payment", "order_direction": "desc"},
}
# gender.id: 2 male, 3 female (client-code mapping).
GENDERS: dict[object, str] = {2: "male", 3: "female"}
# Refresh: only GET with a query string is seen in client code.
REFRESH_METHOD = "GET"
# Access-token lifetime when the answer has neither `ttl` nor `expires_in`.
DEFAULT_TOKEN_LIFETIME = timedelta(days=7)
# Refreshing before expiry is not known to be refused (unlike hh.ru).
REFRESH_EARLY = timedelta(minutes=5)
# No public call that opens contacts was found; the reference's first
# candidate is reading the resume with the user token (spends a contact when
# the tariff allows). Treat it as billable and never retry it.
OPEN_CONTACTS_PATH = "/resumes/{id}/"
# For the same reason reading one resume may open (and pay for) its contacts:
# the resume page never reads a SuperJob resume that is not stored yet.
RESUME_READ_SPENDS_CONTACTS = True
# 403 means "no paid access / limits exhausted"; the reasons are not
# documented. A reason naming a limit is taken as "nothing left to spend".
LIMIT_REASON_HINTS = ("limit", "exhausted")
# No PKCE in the reference.
SUPPORTS_PKCE = False
# No price per contact in the API; cheaper than hh.ru per the product rules.
CONTACT_COST = 1
# No currency dictionary is documented: salaries in other currencies are
# converted with the hh.ru dictionary by the search service.
CURRENCY_RATES = {"RUB": 1.0}
# -------------------------------------------------------------------------------


class SuperJobAdapter(ApiClient):
    system = "superjob"
    site = JobSite.SUPERJOB
    supports_pkce = SUPPORTS_PKCE
    contact_cost = CONTACT_COST
    refresh_early = REFRESH_EARLY
    resume_read_spends_contacts = RESUME_READ_SPENDS_CONTACTS
    page_size = 50

    def __init__(
        self,
        *,
        base_url: str | None = None,
        oauth_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        timeouts: CallTimeouts | None = None,
        clock: Clock = SYSTEM_CLOCK,
        **kwargs: Any,
    ) -> None:
        self.client_secret = client_secret or settings.SUPERJOB_CLIENT_SECRET
        super().__init__(
            base_url=base_url or settings.SUPERJOB_API_URL,
            headers={"X-Api-App-Id": self.client_secret},
            **kwargs,
        )
        self.oauth_url = (oauth_url or settings.SUPERJOB_OAUTH_URL).rstrip("/")
        self.client_id = client_id or settings.SUPERJOB_CLIENT_ID
        self.timeouts = timeouts or CallTimeouts(self.timeout, self.timeout, self.timeout)
        # Dates a token's expiry from its answer's `expires_in`; tests pass a fixed clock.
        self.clock = clock

    # --- OAuth: api.superjob.ru "Авторизация" (OAuth 2.0) ------------------------

    def authorize_url(
        self, *, state: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str:
        params = {"client_id": self.client_id, "redirect_uri": redirect_uri, "state": state}
        return f"{self.oauth_url}/authorize/?{urlencode(params)}"

    # POST /2.0/oauth2/access_token/ (form-encoded; GET also accepted).
    def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenPair:
        form = {
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        return self._token(
            self._json(
                "POST",
                "/oauth2/access_token/",
                data=form,
                idempotent=False,
                timeout=self.timeouts.token,
            )
        )

    # GET /2.0/oauth2/refresh_token/; the old refresh token is treated as consumed.
    def refresh(self, *, refresh_token: str) -> TokenPair:
        params = {
            "refresh_token": refresh_token,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        return self._token(
            self._json(
                REFRESH_METHOD,
                "/oauth2/refresh_token/",
                params=params,
                idempotent=False,
                timeout=self.timeouts.token,
            )
        )

    def _token(self, data: Any) -> TokenPair:
        try:
            if data.get("ttl"):  # absolute Unix time of expiry
                expires_at = datetime.fromtimestamp(int(data["ttl"]), UTC)
            elif data.get("expires_in"):
                expires_at = self.clock.now() + timedelta(seconds=int(data["expires_in"]))
            else:
                expires_at = self.clock.now() + DEFAULT_TOKEN_LIFETIME
            return TokenPair(str(data["access_token"]), str(data["refresh_token"]), expires_at)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise errors.InvalidResponse("superjob: token answer lacks fields") from exc

    # --- resumes: GET /2.0/resumes/ ------------------------------------------------

    def search(
        self, *, access_token: str, query: SearchQuery, page: int, deadline: float | None = None
    ) -> SearchPage:
        count = min(self.page_size, MAX_PER_PAGE)
        if (page + 1) * count > DEPTH_LIMIT:
            return SearchPage(cards=(), found=0, has_more=False)
        params: dict[str, Any] = {"keyword": query.text, "page": page, "count": count}
        params.update(ORDER_PARAMS[query.order])
        if query.region:
            params["t[]"] = REGIONS[query.region].superjob_town
        if query.salary_from is not None:
            params["payment_from"] = query.salary_from
        if query.salary_to is not None:
            params["payment_to"] = query.salary_to
        if query.salary_from is not None or query.salary_to is not None:
            params["no_agreement"] = 1  # not "salary by agreement": a salary was asked for
        data = self._json(
            "GET",
            "/resumes/",
            params=params,
            headers=bearer(access_token),
            deadline=deadline,
            timeout=self.timeouts.search,
        )
        try:
            cards = tuple(
                self._card(item, rank=page * count + i) for i, item in enumerate(data["objects"])
            )
            found, more = int(data["total"]), bool(data["more"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise errors.InvalidResponse("superjob: search answer is malformed") from exc
        # Page with `more`, never by `total`; stop quietly at the depth limit.
        return SearchPage(
            cards=cards, found=found, has_more=more and (page + 2) * count <= DEPTH_LIMIT
        )

    # GET /2.0/resumes/{id}/
    def resume(self, *, access_token: str, resume_id: str) -> ResumeCard:
        return self._resume(f"/resumes/{resume_id}/", access_token)

    # `resume` (a card read before) is accepted for the common interface and
    # unused: SuperJob opens contacts with one call of its own.
    def open_contacts(
        self, *, access_token: str, resume_id: str, resume: ResumeCard | None = None
    ) -> ResumeCard:
        path = OPEN_CONTACTS_PATH.format(id=resume_id)
        return self._resume(path, access_token, idempotent=False, timeout=self.timeouts.contacts)

    def _resume(self, path: str, access_token: str, **kwargs: Any) -> ResumeCard:
        return self.card_from_raw(self._json("GET", path, headers=bearer(access_token), **kwargs))

    # Resume object (reference): `work_history[]` (profession, name, work,
    # yearbeg/monthbeg, yearend/monthend), `base_education_history[]`,
    # `education_history[]`, `languages[]`.
    def details_from_raw(self, data: dict[str, Any]) -> ResumeDetails:
        jobs = tuple(
            WorkPlace(
                position=text(job.get("profession")),
                employer=text(job.get("name")),
                start=_year_month(job.get("yearbeg"), job.get("monthbeg")),
                end=_year_month(job.get("yearend"), job.get("monthend")),
                description=text(job.get("work")),
            )
            for job in dict_items(data.get("work_history"))
        )
        schools = dict_items(data.get("base_education_history")) + dict_items(
            data.get("education_history")
        )
        return ResumeDetails(
            experience=jobs,
            education=tuple(
                " ".join(
                    str(x) for x in ((s.get("institute") or {}).get("title"), s.get("yearend")) if x
                )
                for s in schools
            ),
            languages=tuple(
                str((lang.get("language") or {}).get("title") or lang.get("title") or "")
                for lang in dict_items(data.get("languages"))
                if (lang.get("language") or {}).get("title") or lang.get("title")
            ),
        )

    def card_from_raw(self, data: dict[str, Any]) -> ResumeCard:
        """A stored resume document parsed again (InvalidResponse if it is not one)."""
        try:
            return self._card(data, rank=0)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise errors.InvalidResponse("superjob: resume answer is malformed") from exc

    def revoke(self, *, access_token: str) -> None:
        """SuperJob documents no token revocation: the token just expires."""

    def quota(self, *, access_token: str) -> Quota:
        # (unverified) No documented quota call; the user check proves the token.
        self._json("GET", "/user/current/", headers=bearer(access_token))
        return Quota(contacts_left=None)

    def currency_rates(self) -> dict[str, float]:
        return dict(CURRENCY_RATES)

    # --- parsing -------------------------------------------------------------------

    def _card(self, item: dict[str, Any], *, rank: int) -> ResumeCard:
        history = item.get("work_history") or []
        latest = history[0] if history else {}
        education = item.get("base_education_history") or []
        # Contacts show when this employer bought them or the candidate left
        # them open to all (`simple_contacts_open`); the two differ.
        bought = bool(item.get("contacts_bought")) or bool(item.get("simple_contacts_open"))
        payment = item.get("payment")
        return ResumeCard(
            site=JobSite.SUPERJOB,
            resume_id=str(int(item["id"])),
            title=text(item.get("profession")),
            updated_at=datetime.fromtimestamp(int(item["date_last_modified"]), UTC),
            url=text(item.get("link")),
            first_name=item.get("firstname") if bought else None,
            last_name=item.get("lastname") if bought else None,
            middle_name=item.get("middlename") if bought else None,
            age=int(item["age"]) if item.get("age") else None,
            birth_date=_birth_date(item),
            gender=GENDERS.get((item.get("gender") or {}).get("id")),
            city=(item.get("town") or {}).get("title"),
            salary=Money(int(payment), str(item.get("currency") or "rub").upper())
            if payment and not item.get("agreement")
            else None,
            last_position=latest.get("profession"),
            last_employer=latest.get("name"),
            education=((education[0].get("institute") or {}).get("title")) if education else None,
            graduated=whole_number(education[0].get("yearend")) if education else None,
            contacts_open=bought,
            contacts=_contacts(item) if bought else None,
            rank=rank,
            raw=item,
        )

    # Error envelope: {"error": {"code", "message", "errors": [{"reason"}]}}.
    def _error_for(self, response: requests.Response) -> errors.ServiceError:
        status = response.status_code
        error = error_body(response).get("error")
        reasons: list[str] = []
        if isinstance(error, dict):
            reasons = [
                str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict)
            ]
        details = {"system": "superjob", "status": status, "reasons": reasons}
        if status in (401, 410):
            reason = "expired" if status == 410 else "revoked"
            return errors.Unauthenticated(
                "superjob: token invalid or expired", details={**details, "reason": reason}
            )
        if status == 403 and any(h in r for r in reasons for h in LIMIT_REASON_HINTS):
            return errors.ResourceExhausted("superjob: no contact views left", details=details)
        if status == 403:
            return errors.PermissionDenied("superjob: access denied", details=details)
        if status == 400 and "/oauth2/" in response.url:
            return errors.Unauthenticated("superjob: grant rejected", details=details)
        if status == 404:
            return errors.NotFound("superjob: resume not found", details=details)
        return super()._error_for(response)


def _birth_date(item: dict[str, Any]) -> date | None:
    # A hidden birthday arrives as zeros (date() rejects them: None too).
    if item.get("hide_birthday"):
        return None
    try:
        return date(int(item["birthyear"]), int(item["birthmonth"]), int(item["birthday"]))
    except (KeyError, TypeError, ValueError):
        return None


def _contacts(item: dict[str, Any]) -> Contacts:
    phones = parsing.phones(
        (
            str(p.get("phone"))
            for p in item.get("phones") or []
            if isinstance(p, dict) and p.get("phone")
        ),
        system="superjob",
    )
    email = item.get("email")
    return Contacts(phones=phones, emails=(str(email),) if email else ())


def _year_month(year: Any, month: Any) -> str | None:
    if not isinstance(year, int):
        return None
    return f"{year}-{month:02d}" if isinstance(month, int) and 1 <= month <= 12 else str(year)
