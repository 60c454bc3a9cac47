"""The workspace's CSV export (pure)."""

from __future__ import annotations

import csv
import io

from django.utils import timezone

from recruiting.application_list import ApplicationRow
from recruiting.exports import applications_csv


def row(name: str) -> ApplicationRow:
    return ApplicationRow(
        pk=1,
        name=name,
        resumes=(),
        subsystem="tracker",
        subsystem_label="Трекер",
        application_id="HIRE-1",
        status="open",
        status_label="Открыт",
        is_active=True,
        recruiter="anna",
        taken_at=timezone.now(),
        polled_at=None,
        external_url="",
    )


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_kept_as_text():
    """Names come from job sites and CRMs: "=HYPERLINK(...)" ran when the file was opened."""
    text = applications_csv(
        [row('=HYPERLINK("http://x","y")'), row("-1+2"), row("Иванов Иван")], site_url="http://s"
    )
    names = [r[0] for r in csv.reader(io.StringIO(text.removeprefix("\ufeff")))][1:]
    assert names == ['\'=HYPERLINK("http://x","y")', "'-1+2", "Иванов Иван"]
