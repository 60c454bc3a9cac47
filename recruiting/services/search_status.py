"""Each site's part in a search page, as the page shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from recruiting.adapters.base import JobSite
from recruiting.messages import search_state_message, search_status
from recruiting.paging import Stream
from recruiting.services.sites import site_adapter


@dataclass(frozen=True)
class SiteStatus:
    site: JobSite
    state: str  # "ok" | "failed" | "timeout" | "reconnect" | "limit" | "denied"
    found: int | None = None
    message: str = ""
    depth_limited: bool = False
    elapsed_ms: int | None = None  # the site's answer time for this page; None: from the buffer


def status_dict(stream: Stream, elapsed: float | None = None) -> dict[str, Any]:
    """`stream`'s status as a stored page keeps it; `elapsed` is the seconds
    its site took to answer for this page (None: no call was made)."""
    elapsed_ms = None if elapsed is None else round(elapsed * 1000)
    if stream.error is not None:
        state, message = search_status(stream.site, stream.error)
        return {
            "site": stream.site.value,
            "state": state,
            "found": stream.found,
            "message": message,
            "depth_limited": False,
            "elapsed_ms": elapsed_ms,
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
        "elapsed_ms": elapsed_ms,
    }


def status_from(data: dict[str, Any]) -> SiteStatus:
    """A stored status, its message in the reader's language (the stored
    one is in the language of the page's first reader)."""
    site = JobSite(data["site"])
    return SiteStatus(
        **{**data, "site": site, "message": search_state_message(site, data["state"])}
    )
