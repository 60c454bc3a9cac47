"""One adapter instance per job site, built from settings.

Instances are cached (one `requests.Session` per site keeps connections
alive across searches) and rebuilt when the settings they read change.
Timeouts are chosen per call kind (`CallTimeouts`), not per instance: a
search call is bounded by the page, a token call or a contact opening waits
long for a slow site, other reads use the HTTP defaults.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from recruiting.adapters.base import CallTimeouts, JobSite, JobSiteAdapter
from recruiting.adapters.hh import HhAdapter
from recruiting.adapters.superjob import SuperJobAdapter

# One retry at most per site call: a search has a deadline, and a token call
# or a contact opening is repeated only when it never reached the site.
SEARCH_RETRIES = 1


def site_adapter(site: JobSite) -> JobSiteAdapter:
    """The adapter of `site`, configured from settings."""
    if site is JobSite.HH:
        urls = (settings.HH_API_URL, settings.HH_OAUTH_URL)
        client = (settings.HH_CLIENT_ID, settings.HH_CLIENT_SECRET)
    else:
        urls = (settings.SUPERJOB_API_URL, settings.SUPERJOB_OAUTH_URL)
        client = (settings.SUPERJOB_CLIENT_ID, settings.SUPERJOB_CLIENT_SECRET)
    default = (settings.HTTP_CONNECT_TIMEOUT, settings.HTTP_READ_TIMEOUT)
    return _build(site, *urls, *client, default, call_timeouts())


def call_timeouts() -> CallTimeouts:
    """The (connect, read) timeouts of each kind of job-site call, from settings."""
    connect = settings.HTTP_CONNECT_TIMEOUT
    return CallTimeouts(
        search=(connect, settings.JOBSITE_SEARCH_TIMEOUT),
        token=(connect, settings.JOBSITE_TOKEN_TIMEOUT),
        contacts=(connect, settings.JOBSITE_CONTACTS_TIMEOUT),
    )


@lru_cache(maxsize=8)
def _build(
    site: JobSite,
    base_url: str,
    oauth_url: str,
    client_id: str,
    client_secret: str,
    default_timeout: tuple[float, float],
    timeouts: CallTimeouts,
) -> JobSiteAdapter:
    cls = HhAdapter if site is JobSite.HH else SuperJobAdapter
    return cls(
        base_url=base_url,
        oauth_url=oauth_url,
        client_id=client_id,
        client_secret=client_secret,
        timeout=default_timeout,
        timeouts=timeouts,
        max_retries=SEARCH_RETRIES,
    )
