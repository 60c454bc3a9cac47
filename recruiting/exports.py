"""CSV export of the workspace list (pure: rows in, text out)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from recruiting.application_list import ApplicationRow

# A byte-order mark, so a spreadsheet opening the file reads it as UTF-8 (Cyrillic names).
BOM = "\ufeff"


def applications_csv(rows: Iterable[ApplicationRow], *, site_url: str) -> str:
    """The rows as CSV text starting with a BOM; times in the current time zone."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Candidate"),
            _("Resumes"),
            _("Subsystem"),
            _("Id in the subsystem"),
            _("Status"),
            _("Taken by"),
            _("Taken at"),
            _("Last polled"),
            _("Link"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.name,
                " ".join(f"{site_url.rstrip('/')}{link.url}" for link in row.resumes),
                row.subsystem_label,
                row.application_id,
                row.status_label,
                row.recruiter,
                _when(row.taken_at),
                _when(row.polled_at),
                row.external_url,
            ]
        )
    return out.getvalue()


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""
