"""A search query: checked input, and its stored form in a search session."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core import errors
from core.types import Text
from recruiting.adapters.base import Order, SearchQuery
from recruiting.domain import REGIONS

MAX_TEXT = 200
MAX_SALARY = 100_000_000
MAX_PAGE_SIZE = 50


def search_query_validate(query: SearchQuery) -> SearchQuery:
    """The query with its text trimmed. Raises InvalidArgument on bad input."""
    text = " ".join(query.text.split())
    if not text:
        raise bad_argument("text", _("Enter what to search for."))
    if len(text) > MAX_TEXT:
        raise bad_argument(
            "text", _("The query is too long (at most %(n)d characters).") % {"n": MAX_TEXT}
        )
    if re.search(r"[<>]", text):
        raise bad_argument("text", _("The query may not contain HTML."))
    if query.region is not None and query.region not in REGIONS:
        raise bad_argument("region", _("Unknown region."))
    if not isinstance(query.order, Order):
        raise bad_argument("order", _("Unknown order."))
    for name in ("salary_from", "salary_to"):
        value = getattr(query, name)
        if value is not None and not 0 <= value <= MAX_SALARY:
            raise bad_argument(
                name, _("Salary must be between 0 and %(max)d.") % {"max": MAX_SALARY}
            )
    if query.salary_from is not None and query.salary_to is not None:
        if query.salary_from > query.salary_to:
            raise bad_argument("salary_to", _("“Salary to” must not be less than “salary from”."))
    return SearchQuery(text, query.region, query.salary_from, query.salary_to, query.order)


def search_page_size_validate(page_size: int | None) -> int:
    """`page_size`, or the default when None. Raises InvalidArgument outside 1..MAX_PAGE_SIZE."""
    if page_size is None:
        return settings.JOBSITE_SEARCH_PAGE_SIZE
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise bad_argument("page_size", _("Unknown page size."))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise bad_argument(
            "page_size",
            _("Page size must be between 1 and %(max)d.") % {"max": MAX_PAGE_SIZE},
        )
    return page_size


def bad_argument(field: str, message: Text) -> errors.InvalidArgument:
    return errors.InvalidArgument(message, details={"field": field})


def query_dict(query: SearchQuery, page_size: int) -> dict[str, Any]:
    """The query as a search session stores it."""
    return {**asdict(query), "order": query.order.value, "page_size": page_size}


def query_from(data: dict[str, Any]) -> SearchQuery:
    values = {k: v for k, v in data.items() if k != "page_size"}
    return SearchQuery(**{**values, "order": Order(values["order"])})
