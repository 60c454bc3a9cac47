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
                _text(row.name),
                " ".join(f"{site_url.rstrip('/')}{link.url}" for link in row.resumes),
                row.subsystem_label,
                _text(row.application_id),
                row.status_label,
                _text(row.recruiter),
                _when(row.taken_at),
                _when(row.polled_at),
                row.external_url,
            ]
        )
    return out.getvalue()


# What a spreadsheet reads as the start of a formula in a cell it opens.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str | None) -> str | None:
    """A cell of text from outside (a name from a job site or a CRM): one that
    a spreadsheet would run as a formula is kept as text, behind a quote."""
    if value and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""
