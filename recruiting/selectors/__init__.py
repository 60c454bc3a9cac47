"""Reads that feed the recruiting pages and the API, by subject.

Selectors read the database and never call a site, write, or import from
`recruiting.services` (services import selectors, never the other way).
"""

from recruiting.selectors.applications import (
    ApplicationInfo,
    SubsystemOption,
    application_info,
    application_statuses,
    applications_for_urns,
    applications_list,
    card_application,
    subsystem_choices,
    subsystem_options,
)
from recruiting.selectors.contacts import KnownContacts, contacts_known, has_contact_data
from recruiting.selectors.searches import (
    SearchReads,
    merge_splits,
    search_cards,
    search_reads,
    search_session,
    session_card,
)
from recruiting.selectors.sites import SiteConnection, job_sites_overview, tokens_for

__all__ = [
    "ApplicationInfo",
    "KnownContacts",
    "SearchReads",
    "SiteConnection",
    "SubsystemOption",
    "application_info",
    "application_statuses",
    "applications_for_urns",
    "applications_list",
    "card_application",
    "contacts_known",
    "has_contact_data",
    "job_sites_overview",
    "merge_splits",
    "search_reads",
    "search_cards",
    "search_session",
    "session_card",
    "subsystem_choices",
    "subsystem_options",
    "tokens_for",
]
