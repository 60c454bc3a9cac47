"""Demo data of the emulators (picked up by `manage.py seed_demo`).

The apps and the emulators share conventions (a table path, a range of
uids), never code.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from sandbox.emulators import certification
from sandbox.emulators.yt import seed_demo_table

YT_EXCLUSION_TABLE = "//home/support/clients_chat_exclusion"
# The demo freelancers' passport uids (freelancers/demo.py uses the same range).
DEMO_FREELANCER_UIDS = range(7_700_000, 7_700_036)


def seed() -> list[str]:
    path = getattr(settings, "SUPPORT_CHAT_YT_TABLE", YT_EXCLUSION_TABLE)
    table = seed_demo_table(path)
    created = certification.generate(DEMO_FREELANCER_UIDS, today=timezone.localdate())
    return [
        f"YT emulator: {path} with {len(table.row_lines())} rows",
        f"certification emulator: {created} certificates for uids 7700000-7700035",
    ]
