"""Helpers shared by the application flow tests."""

from __future__ import annotations

from recruiting.adapters.subsystem_base import Candidate


def candidate(urn: str = "urn:hh:abc123", name: str = "Иванов Иван") -> Candidate:
    return Candidate(
        urn=urn,
        full_name=name,
        resume_url=f"https://hh.ru/resume/{urn.rsplit(':', 1)[1]}",
        title="Python-разработчик",
        phones=("+79991234567",),
        emails=("ivan@example.com",),
    )
