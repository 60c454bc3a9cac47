"""Each site's part in a search page, as the page shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from recruiting.adapters.base import JobSite
from recruiting.paging import Stream
from recruiting.services.sites import site_adapter
from recruiting.site_errors import search_status


@dataclass(frozen=True)
class SiteStatus:
    site: JobSite
    state: str  # "ok" | "failed" | "timeout" | "reconnect" | "limit" | "denied"
    found: int | None = None
    message: str = ""
    depth_limited: bool = False


def status_dict(stream: Stream) -> dict[str, Any]:
    """`stream`'s status as a stored page keeps it."""
    if stream.error is not None:
        state, message = search_status(stream.site, stream.error)
        return {
            "site": stream.site.value,
            "state": state,
            "found": stream.found,
            "message": message,
            "depth_limited": False,
        }
    served_all = stream.exhausted and not stream.buffer
    page_size = site_adapter(stream.site).page_size
    depth = served_all and (stream.found or 0) > stream.next_page * page_size
    return {
        "site": stream.site.value,
        "state": "ok",
        "found": stream.found,
        "message": "",
        "depth_limited": depth,
    }


def status_from(data: dict[str, Any]) -> SiteStatus:
    return SiteStatus(**{**data, "site": JobSite(data["site"])})
