"""Helpers for the contacts and take-into-work page tests."""

from __future__ import annotations

from sandbox.emulators.hh import hides_all, hides_phones
from sandbox.emulators.people import hh_resume_id, people, sj_resume_id
from sandbox.models import ResumeEvent


def hh_urn(*, hidden: bool = False, skip: int = 0, hides_everything: bool = False) -> str:
    """A hh.ru resume whose contacts nobody opened yet: with every contact shown,
    with the phones hidden (`hidden`), or with every contact hidden."""
    found = [
        p
        for p in people("hh")
        if not p.hh_open
        and hides_phones(p.index) == hidden
        and hides_all(p.index) == hides_everything
    ]
    return f"urn:hh:{hh_resume_id(found[skip].index)}"


def sj_urn() -> str:
    p = next(p for p in people("superjob") if not p.sj_open)
    return f"urn:sj:{sj_resume_id(p.index)}"


def charged(system: str, urn: str | None = None) -> int:
    rows = ResumeEvent.objects.filter(system=system, kind=ResumeEvent.Kind.CONTACT)
    if urn is not None:
        rows = rows.filter(resume_id=urn.rsplit(":", 1)[1])
    return rows.count()
