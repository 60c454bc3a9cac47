"""hh.ru employer API adapter (api.hh.ru), after the hh.ru API documentation.

Every call carries `User-Agent` (hh answers 400 bad_user_agent without it):
the shared session sets it. User calls carry `Authorization: Bearer`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings

from core import errors
from core.http import ApiClient, bearer, error_body
from core.leases import SYSTEM_CLOCK, Clock
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
from recruiting.adapters.hh_contacts import parse_contacts
from recruiting.adapters.parsing import dict_items, text, whole_number
from recruiting.domain import REGIONS

# hh.ru facts the reference marks as documented.
DEPTH_LIMIT = 2000  # page*per_page window; page 200 at per_page=10 → 400
MAX_PER_PAGE = 100
ORDER_BY = {
    Order.RELEVANCE: "relevance",
    Order.UPDATED: "publication_time",
    Order.SALARY: "salary_desc",
}
TOKEN_EXPIRED = {"token_expired", "token-expired"}
TOKEN_REVOKED = {"token_revoked", "token-revoked", "bad_authorization", "bad-auth-type"}
# docs/errors.md: 403 resumes/no_available_service (no contact units left) and
# resumes/quota_exceeded (manager's quota) mean "nothing left to spend".
SPENT = {("resumes", "no_available_service"), ("resumes", "quota_exceeded")}

# --- (unverified) -------------------------------------------------------------
# hh.ru documents no PKCE for its authorization-code flow: off until confirmed.
SUPPORTS_PKCE = False
# The API returns no per-contact price; one contact unit from the package is
# the unit cost. Relative to SuperJob (see superjob.CONTACT_COST) hh costs more
# per the product rules ("SuperJob within each page ranks above HH").
CONTACT_COST = 2
# -------------------------------------------------------------------------------


_HH_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:?\d\d", re.ASCII)


def parse_time(value: str) -> datetime:
    """hh timestamps: `2023-08-04T16:20:48+0300` (offset without a colon).

    Raises ValueError for anything else. `fromisoformat` parses this form
    since Python 3.11 at a tenth of `strptime`'s cost (every card has one);
    the pattern keeps the format as strict as `strptime` was.
    """
    if not isinstance(value, str) or not _HH_TIME.fullmatch(value):
        raise ValueError(f"not an hh timestamp: {value!r}")
    return datetime.fromisoformat(value)


class HhAdapter(ApiClient):
    system = "hh"
    site = JobSite.HH
    supports_pkce = SUPPORTS_PKCE
    contact_cost = CONTACT_COST
    resume_read_spends_contacts = False  # GET /resumes/{id} never opens contacts
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
        super().__init__(base_url=base_url or settings.HH_API_URL, **kwargs)
        self.oauth_url = (oauth_url or settings.HH_OAUTH_URL).rstrip("/")
        self.client_id = client_id or settings.HH_CLIENT_ID
        self.client_secret = client_secret or settings.HH_CLIENT_SECRET
        self.timeouts = timeouts or CallTimeouts(self.timeout, self.timeout, self.timeout)
        # Dates a token's expiry from its answer's `expires_in`; tests pass a fixed clock.
        self.clock = clock

    # --- OAuth: docs/authorization_for_user.md ---------------------------------

    def authorize_url(
        self, *, state: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str:
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "state": state,
            "redirect_uri": redirect_uri,
            "role": "employer",
            "force_role": "true",
        }
        return f"{self.oauth_url}/oauth/authorize?{urlencode(params)}"

    # docs/authorization_for_user.md, step "exchange the code": POST /token.
    def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenPair:
        return self._token(
            {
                "grant_type": "authorization_code",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "code": code,
                "redirect_uri": redirect_uri,
            }
        )

    # docs/authorization_for_user.md, "refresh": allowed only after expiry,
    # the refresh token is single-use; the caller serialises refreshes.
    def refresh(self, *, refresh_token: str) -> TokenPair:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    # docs/authorization_for_user.md, "invalidate": DELETE /token → 204.
    def revoke(self, *, access_token: str) -> None:
        self._request("DELETE", "/token", headers=bearer(access_token), idempotent=True)

    def _token(self, form: dict[str, str]) -> TokenPair:
        data = self._json(
            "POST", "/token", data=form, idempotent=False, timeout=self.timeouts.token
        )
        try:
            return TokenPair(
                access_token=str(data["access_token"]),
                refresh_token=str(data["refresh_token"]),
                expires_at=self.clock.now() + timedelta(seconds=int(data["expires_in"])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise errors.InvalidResponse("hh: token answer lacks fields") from exc

    # --- resumes: docs/resumes_search.md, docs/employer_resumes.md --------------

    def search(
        self, *, access_token: str, query: SearchQuery, page: int, deadline: float | None = None
    ) -> SearchPage:
        per_page = min(self.page_size, MAX_PER_PAGE)
        if (page + 1) * per_page > DEPTH_LIMIT:
            return SearchPage(cards=(), found=0, has_more=False)
        params: dict[str, Any] = {
            "text": query.text,
            "order_by": ORDER_BY[query.order],
            "page": page,
            "per_page": per_page,
        }
        if query.region:
            params["area"] = REGIONS[query.region].hh_area
        if query.salary_from is not None or query.salary_to is not None:
            # Without the label hh.ru's salary filter keeps resumes with no salary.
            params["label"] = "only_with_salary"
            params["currency"] = "RUR"
            if query.salary_from is not None:
                params["salary_from"] = query.salary_from
            if query.salary_to is not None:
                params["salary_to"] = query.salary_to
        data = self._json(
            "GET",
            "/resumes",
            params=params,
            headers=bearer(access_token),
            deadline=deadline,
            timeout=self.timeouts.search,
        )
        try:
            items = data["items"]
            found = int(data["found"])
            pages = int(data["pages"])
            cards = tuple(
                self._card(item, rank=page * per_page + i) for i, item in enumerate(items)
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise errors.InvalidResponse("hh: search answer is malformed") from exc
        within_depth = (page + 2) * per_page <= DEPTH_LIMIT
        return SearchPage(cards=cards, found=found, has_more=page + 1 < pages and within_depth)

    # GET /resumes/{id}: contacts only if already opened.
    def resume(self, *, access_token: str, resume_id: str) -> ResumeCard:
        return self._parsed_resume(f"/resumes/{resume_id}", access_token)

    # docs/payable/resume.md: the one-time `actions.get_with_contact.url` of a
    # fresh resume answer opens contacts and SPENDS a contact unit; never retried.
    # Every read counts against the manager's daily view limit, so a caller
    # that has just read the resume passes it as `resume` and its link is used
    # (one read, one paid call); without it the resume is read first.
    def open_contacts(
        self, *, access_token: str, resume_id: str, resume: ResumeCard | None = None
    ) -> ResumeCard:
        card = (
            resume
            if resume is not None
            else self.resume(access_token=access_token, resume_id=resume_id)
        )
        if card.contacts_open:
            # Opened for the company already (the link is offered only while
            # contacts are closed); what is still null, the candidate hid.
            return card
        url = card.open_url
        if not url:
            raise errors.PermissionDenied(
                "hh: no contact-opening service available", details={"system": "hh"}
            )
        return self._parsed_resume(
            url, access_token, idempotent=False, timeout=self.timeouts.contacts
        )

    def _parsed_resume(self, path: str, access_token: str, **kwargs: Any) -> ResumeCard:
        data = self._json("GET", path, headers=bearer(access_token), **kwargs)
        return self._safe_card(data)

    def card_from_raw(self, data: dict[str, Any]) -> ResumeCard:
        """A stored full-resume document parsed again (InvalidResponse if it is not one)."""
        return self._safe_card(data)

    # docs/resumes.md: the full resume's `experience[]` (position, company,
    # start, end, description), `skill_set`, `education.primary[]`, `language[]`.
    def details_from_raw(self, data: dict[str, Any]) -> ResumeDetails:
        jobs = tuple(
            WorkPlace(
                position=text(job.get("position")),
                employer=text(job.get("company")),
                start=_month(job.get("start")),
                end=_month(job.get("end")),
                description=text(job.get("description")),
            )
            for job in dict_items(data.get("experience"))
        )
        education = data.get("education")
        if not isinstance(education, dict):
            education = {}
        return ResumeDetails(
            experience=jobs,
            skills=tuple(str(s) for s in data.get("skill_set") or [] if isinstance(s, str)),
            education=tuple(
                " ".join(str(x) for x in (e.get("name"), e.get("year")) if x)
                for e in dict_items(education.get("primary"))
            ),
            languages=tuple(
                " — ".join(
                    str(x) for x in (lang.get("name"), (lang.get("level") or {}).get("name")) if x
                )
                for lang in dict_items(data.get("language"))
            ),
        )

    def _safe_card(self, data: Any) -> ResumeCard:
        try:
            return self._card(data, rank=0)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise errors.InvalidResponse("hh: resume answer is malformed") from exc

    # GET /me, then docs/employer_manager_resume_limit.md.
    def quota(self, *, access_token: str) -> Quota:
        me = self._json("GET", "/me", headers=bearer(access_token))
        try:
            employer, manager = me["employer"]["id"], me["manager"]["id"]
        except (KeyError, TypeError) as exc:
            raise errors.InvalidResponse("hh: /me lacks employer or manager") from exc
        limits = self._json(
            "GET",
            f"/employers/{employer}/managers/{manager}/limits/resume",
            headers=bearer(access_token),
        )
        try:
            return Quota(contacts_left=None, views_left=int(limits["left"]["resume_view"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise errors.InvalidResponse("hh: limits answer is malformed") from exc

    # docs/dictionaries.md: `rate` is units per 1 RUR, so RUB = amount / rate.
    def currency_rates(self) -> dict[str, float]:
        data = self._json("GET", "/dictionaries")
        try:
            return {
                _currency(c["code"]): 1.0 / float(c["rate"])
                for c in data["currency"]
                if float(c["rate"]) > 0
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise errors.InvalidResponse("hh: currency dictionary is malformed") from exc

    # --- parsing -------------------------------------------------------------------

    def _card(self, item: dict[str, Any], *, rank: int) -> ResumeCard:
        experience = item.get("experience") or []
        latest = experience[0] if experience else {}
        primary = ((item.get("education") or {}).get("primary")) or []
        salary = item.get("salary")
        contacts = parse_contacts(item.get("contact"), item.get("site"))
        opened = _opened(item, contacts)
        birth = item.get("birth_date")
        return ResumeCard(
            site=JobSite.HH,
            resume_id=str(item["id"]),
            title=text(item.get("title")),
            updated_at=parse_time(item["updated_at"]),
            url=text(item.get("alternate_url")),
            first_name=item.get("first_name"),
            last_name=item.get("last_name"),
            middle_name=item.get("middle_name"),
            age=int(item["age"]) if item.get("age") is not None else None,
            birth_date=date.fromisoformat(birth) if birth else None,
            gender=(item.get("gender") or {}).get("id"),
            city=(item.get("area") or {}).get("name"),
            salary=Money(int(salary["amount"]), _currency(salary["currency"]))
            if salary and salary.get("amount") is not None
            else None,
            last_position=latest.get("position"),
            last_employer=latest.get("company"),
            education=primary[0].get("name") if primary else None,
            graduated=whole_number(primary[0].get("year")) if primary else None,
            contacts_open=opened,
            contacts=contacts,
            hidden_fields=tuple(
                str(h["id"]) for h in item.get("hidden_fields") or [] if isinstance(h, dict)
            ),
            open_url=((item.get("actions") or {}).get("get_with_contact") or {}).get("url"),
            rank=rank,
            raw=item,
        )

    # docs/errors.md: {"errors": [{"type", "value"}]} or, from /token,
    # {"error", "error_description"}; the OpenAPI spec adds `oauth_error`.
    def _error_for(self, response: requests.Response) -> errors.ServiceError:
        status = response.status_code
        body = error_body(response)
        kinds = {
            (str(e.get("type")), str(e.get("value")))
            for e in body.get("errors") or []
            if isinstance(e, dict)
        }
        values = {v for _, v in kinds} | {str(body.get("oauth_error"))}
        details = {"system": "hh", "status": status, "errors": sorted(f"{t}/{v}" for t, v in kinds)}
        if isinstance(body.get("error"), str) and response.url.split("?")[0].endswith("/token"):
            return _token_error(str(body["error"]), str(body.get("error_description", "")), status)
        if status == 403 and values & TOKEN_EXPIRED:
            return errors.Unauthenticated(
                "hh: token expired", details={**details, "reason": "expired"}
            )
        if status == 403 and values & TOKEN_REVOKED:
            return errors.Unauthenticated(
                "hh: token revoked", details={**details, "reason": "revoked"}
            )
        if status == 403 and kinds & SPENT:
            return errors.ResourceExhausted("hh: no contact views left", details=details)
        if status == 403:
            return errors.PermissionDenied("hh: access denied", details=details)
        if status == 400:
            return errors.InvalidArgument("hh: bad request", details=details)
        if status == 404:
            return errors.NotFound("hh: resume not found", details=details)
        if status == 429:
            return errors.ResourceExhausted("hh: limit reached", details=details)
        return super()._error_for(response)


def _token_error(error: str, description: str, status: int) -> errors.ServiceError:
    details = {"system": "hh", "status": status, "oauth_error": error, "description": description}
    if description == "token not expired":
        return errors.FailedPrecondition("hh: token not expired yet", details=details)
    if error == "invalid_client":
        return errors.PermissionDenied("hh: the application is not recognised", details=details)
    if error in ("invalid_grant", "invalid_request"):
        return errors.Unauthenticated(f"hh: grant rejected ({description})", details=details)
    return errors.InvalidArgument(f"hh: token request rejected ({error})", details=details)


def _currency(code: str) -> str:
    """Normalise a currency code to ISO: hh says RUR for the rouble."""
    code = str(code).upper()
    return "RUB" if code == "RUR" else code


def _opened(item: dict[str, Any], contacts: Contacts | None) -> bool:
    """Contacts are open when hh says so: `can_view_full_info` (docs/employer_resumes.md).

    Names or contact items never decide it: `can_view_full_info: true` with
    every contact null is a candidate who hid everything, opened and paid for
    (the services tell that outcome by `hidden_fields` and no contacts).
    Documents without the flag (older stored copies) fall back to whether
    names or contacts show.
    """
    flag = item.get("can_view_full_info")
    if isinstance(flag, bool):
        return flag
    return bool(item.get("first_name") or item.get("last_name") or contacts)


def _month(value: Any) -> str | None:
    """ "2018-03-01" → "2018-03" (hh.ru dates of work)."""
    return value[:7] if isinstance(value, str) and value else None
