"""Pure rules of the sync: visibility, the per-freelancer plan and the guard."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from freelancers.adapters.base import CertificateInfo, UidCertificates
from freelancers.certificates import Guard, StoredFreelancer, plan_freelancer, visibility

TODAY = date(2026, 6, 1)
KINDS = {"direct", "direct_pro"}


def cert(cid: str, due: date, kind: str = "direct") -> CertificateInfo:
    return CertificateInfo(cid, kind, date(2025, 1, 1), due)


def stored(*certs, searchable=False, synced=None) -> StoredFreelancer:
    return StoredFreelancer(1, 42, searchable, None, {}, synced, tuple(certs))


def test_certificate_due_today_is_still_current():
    v = visibility([cert("a", TODAY)], accepted_kinds=KINDS, today=TODAY)
    assert v.is_searchable and v.visible_until == TODAY


def test_reason_names_the_longest_lasting_current_certificate():
    v = visibility(
        [cert("a", date(2026, 7, 1)), cert("b", date(2027, 1, 1), "direct_pro")],
        accepted_kinds=KINDS,
        today=TODAY,
    )
    assert v.reason == {
        "code": "current",
        "certificate": "b",
        "kind": "direct_pro",
        "due_on": "2027-01-01",
    }


def test_reason_names_the_last_expired_certificate_when_hidden():
    v = visibility(
        [cert("a", date(2026, 1, 1)), cert("b", date(2026, 5, 1))],
        accepted_kinds=KINDS,
        today=TODAY,
    )
    assert not v.is_searchable
    assert v.reason["code"] == "expired" and v.reason["certificate"] == "b"


def test_skipped_certificates_never_remove_stored_ones():
    plan = plan_freelancer(
        stored(cert("a", date(2027, 1, 1)), searchable=True),
        UidCertificates(uid=42, certificates=(), skipped=1),
        accepted_kinds=KINDS,
        today=TODAY,
    )
    assert plan.removed == ()
    assert plan.after.is_searchable and not plan.hidden


def test_plan_counts_expiry_since_the_last_sync():
    plan = plan_freelancer(
        stored(
            cert("a", date(2026, 5, 30)), searchable=True, synced=datetime(2026, 5, 29, tzinfo=UTC)
        ),
        UidCertificates(uid=42, certificates=(cert("a", date(2026, 5, 30)),)),
        accepted_kinds=KINDS,
        today=TODAY,
    )
    assert [c.id for c in plan.expired] == ["a"]
    assert plan.hidden and not plan.added and not plan.removed


def test_plan_reads_the_last_sync_day_on_the_local_calendar():
    """Synced at 01:00 Moscow time on June 1 (still May 31 in UTC): a certificate
    due May 31 had already expired then and was counted by that sync."""
    plan = plan_freelancer(
        stored(
            cert("a", date(2026, 5, 31)),
            synced=datetime(2026, 5, 31, 22, tzinfo=UTC),
        ),
        UidCertificates(uid=42, certificates=(cert("a", date(2026, 5, 31)),)),
        accepted_kinds=KINDS,
        today=TODAY,
    )
    assert plan.expired == ()


def test_plan_detects_a_changed_due_date_as_update():
    plan = plan_freelancer(
        stored(cert("a", date(2026, 7, 1))),
        UidCertificates(uid=42, certificates=(cert("a", date(2027, 7, 1)),)),
        accepted_kinds=KINDS,
        today=TODAY,
    )
    assert [c.due_on for c in plan.updated] == [date(2027, 7, 1)]


@pytest.mark.parametrize(
    ("hidden", "visible", "refused"),
    [
        (2, 10, False),
        (3, 10, True),
        (9, 9, True),  # a small catalogue is protected too
        (2, 3, False),  # within the absolute allowance
        (3, 3, True),
        (0, 100, False),
        (21, 100, True),
        (20, 100, False),
    ],
)
def test_guard_refuses_beyond_both_the_share_and_the_allowance(hidden, visible, refused):
    assert Guard(hidden, visible, max_share=0.2, allowance=2).refused is refused


@given(st.integers(0, 500), st.integers(0, 500), st.floats(0, 1), st.integers(0, 50))
def test_guard_refuses_iff_share_and_allowance_exceeded(hidden, visible, share, allowance):
    hidden = min(hidden, visible)
    guard = Guard(hidden, visible, max_share=share, allowance=allowance)
    assert guard.refused == (hidden > allowance and hidden > share * visible)


def stored_visible(*certs, until: date | None) -> StoredFreelancer:
    return StoredFreelancer(1, 42, True, until, {}, None, tuple(certs))


def test_natural_expiry_is_an_explained_hide():
    yesterday = date(2026, 5, 31)
    plan = plan_freelancer(
        stored_visible(cert("a", yesterday), until=yesterday),
        UidCertificates(uid=42, certificates=(cert("a", yesterday),)),
        accepted_kinds=KINDS,
        today=TODAY,
    )
    assert plan.hidden and not plan.hidden_unexplained


@pytest.mark.parametrize(
    "answer",
    [
        (),  # the certificate was dropped from the answer
        (cert("a", date(2026, 5, 1)),),  # its due date was cut short
    ],
)
def test_hide_the_stored_due_date_does_not_explain_is_guarded(answer):
    plan = plan_freelancer(
        stored_visible(cert("a", date(2026, 9, 1)), until=date(2026, 9, 1)),
        UidCertificates(uid=42, certificates=answer),
        accepted_kinds=KINDS,
        today=TODAY,
    )
    assert plan.hidden and plan.hidden_unexplained
