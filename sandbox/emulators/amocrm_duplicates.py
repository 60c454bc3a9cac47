"""amoCRM duplicate control for the emulator's complex create (complex-leads).

Off unless `SANDBOX_FAULTS["amocrm"]["duplicate_control"]` is true, as the
vendor runs it only when enabled for the integration.
"""

from __future__ import annotations

from django.conf import settings

from sandbox.subsystem_models import AmoContact, AmoLead

WON, LOST = 142, 143


def _values(fields) -> set[tuple[str, str]]:
    return {
        (str(f.get("field_code")), str(v.get("value")).strip().lower())
        for f in fields or []
        if f.get("field_code") in ("PHONE", "EMAIL")
        for v in f.get("values") or []
        if v.get("value")
    }


def duplicate(
    account: str, pipeline_id: int, contacts: list, fresh: set[int]
) -> tuple[AmoLead, AmoContact] | None:
    """Duplicate control: an open lead of this pipeline whose contact shares a
    phone or an e-mail with the new one absorbs it (the answer's `merged: true`).
    Leads of the same request (`fresh`) are never duplicates of each other."""
    if not settings.SANDBOX_FAULTS.get("amocrm", {}).get("duplicate_control"):
        return None
    wanted = _values((contacts[0] if contacts else {}).get("custom_fields_values"))
    if not wanted:
        return None
    for contact in AmoContact.objects.filter(account=account).order_by("pk"):
        if not wanted & _values(contact.custom_fields_values):
            continue
        lead = (
            contact.leads.filter(pipeline_id=pipeline_id, is_deleted=False)
            .exclude(status_id__in=(WON, LOST))
            .exclude(pk__in=fresh)
            .order_by("pk")
            .first()
        )
        if lead is not None:
            return lead, contact
    return None
