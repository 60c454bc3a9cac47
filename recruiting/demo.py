"""Demo data for recruiting (picked up by `manage.py seed_demo`; idempotent).

The demo organization gets subsystem connections pointing at the emulators
(empty base URL: the settings' sandbox defaults), so "take into work" works
end to end. The emulators accept any account, organization id and token
that does not start with "revoked" or "expired": nothing is needed on their
side beyond these plain strings.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from core.demo import DEMO_ORGANIZATION
from core.models import Organization
from recruiting.models import Subsystem, SubsystemConnection

DEMO_AMOCRM_ACCOUNT = "demo"
DEMO_AMOCRM_TOKEN = "demo-long-lived-token"
DEMO_AMOCRM_LINK_FIELD = 1278898021  # the sandbox accounts' "resume" field of leads
DEMO_TRACKER_ORG = "demo-org"
DEMO_TRACKER_TOKEN = "y0_demo_token"
DEMO_TRACKER_QUEUES = "HIRE,DEV"


def seed() -> list[str]:
    if not settings.SANDBOX:
        return ["recruiting: SANDBOX is off, no demo subsystem connections"]
    organization, _created = Organization.objects.get_or_create(name=DEMO_ORGANIZATION)
    connections: dict[str, dict[str, Any]] = {
        Subsystem.AMOCRM: {
            "account": DEMO_AMOCRM_ACCOUNT,
            "access_token": DEMO_AMOCRM_TOKEN,
            "link_field_id": DEMO_AMOCRM_LINK_FIELD,
        },
        Subsystem.TRACKER: {
            "account": DEMO_TRACKER_ORG,
            "access_token": DEMO_TRACKER_TOKEN,
            "queues": DEMO_TRACKER_QUEUES,
        },
    }
    lines = []
    for subsystem, fields in connections.items():
        connection, created = SubsystemConnection.objects.get_or_create(
            organization=organization,
            subsystem=subsystem,
            defaults={**fields, "base_url": "", "is_active": True},
        )
        state = "created" if created else "kept"
        lines.append(f"recruiting: {connection} for {organization} ({state})")
    return lines
