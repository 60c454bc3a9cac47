"""One adapter instance per job site, built from settings.

Instances are cached (one `requests.Session` per site keeps connections
alive across searches) and rebuilt when the settings they read change.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from recruiting.adapters.base import JobSite, JobSiteAdapter
from recruiting.adapters.hh import HhAdapter
from recruiting.adapters.superjob import SuperJobAdapter

# One retry at most per site call on the search path: the deadline rules.
SEARCH_RETRIES = 1


def site_adapter(site: JobSite) -> JobSiteAdapter:
    """The adapter of `site`, configured from settings."""
    if site is JobSite.HH:
        return _build(
            site,
            settings.HH_API_URL,
            settings.HH_OAUTH_URL,
            settings.HH_CLIENT_ID,
            settings.HH_CLIENT_SECRET,
            settings.HTTP_CONNECT_TIMEOUT,
            settings.JOBSITE_SEARCH_TIMEOUT,
        )
    return _build(
        site,
        settings.SUPERJOB_API_URL,
        settings.SUPERJOB_OAUTH_URL,
        settings.SUPERJOB_CLIENT_ID,
        settings.SUPERJOB_CLIENT_SECRET,
        settings.HTTP_CONNECT_TIMEOUT,
        settings.JOBSITE_SEARCH_TIMEOUT,
    )


@lru_cache(maxsize=8)
def _build(
    site: JobSite,
    base_url: str,
    oauth_url: str,
    client_id: str,
    client_secret: str,
    connect_timeout: float,
    read_timeout: float,
) -> JobSiteAdapter:
    cls = HhAdapter if site is JobSite.HH else SuperJobAdapter
    return cls(
        base_url=base_url,
        oauth_url=oauth_url,
        client_id=client_id,
        client_secret=client_secret,
        timeout=(connect_timeout, read_timeout),
        max_retries=SEARCH_RETRIES,
    )
