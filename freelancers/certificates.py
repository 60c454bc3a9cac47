"""Pure rules of the certificate sync: visibility, per-freelancer plan, safety.

No I/O here: the service feeds stored state and the service's answer in and
applies what comes out, so these rules are tested fast and exhaustively.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from freelancers.adapters.base import CertificateInfo, UidCertificates


@dataclass(frozen=True)
class Visibility:
    """Whether a freelancer is searchable, until when, and why (JSON-ready)."""

    is_searchable: bool
    visible_until: date | None
    reason: dict


def visibility(
    certificates: Iterable[CertificateInfo], *, accepted_kinds: Collection[str], today: date
) -> Visibility:
    """Searchable iff a certificate of an accepted kind is current (due today or later).

    The reason names the certificate that keeps the freelancer visible (the
    one lasting longest) or, when hidden, the accepted one that expired last.
    """
    accepted = [c for c in certificates if c.kind in accepted_kinds]
    current = [c for c in accepted if c.due_on >= today]
    if current:
        best = max(current, key=lambda c: (c.due_on, c.id))
        return Visibility(True, best.due_on, _reason("current", best))
    if accepted:
        last = max(accepted, key=lambda c: (c.due_on, c.id))
        return Visibility(False, None, _reason("expired", last))
    return Visibility(False, None, {"code": "none"})


def _reason(code: str, certificate: CertificateInfo) -> dict:
    return {
        "code": code,
        "certificate": certificate.id,
        "kind": certificate.kind,
        "due_on": certificate.due_on.isoformat(),
    }


@dataclass(frozen=True)
class StoredFreelancer:
    """What the database holds for one freelancer before the sync."""

    id: int
    uid: int
    is_searchable: bool
    visible_until: date | None
    reason: dict
    synced_at: datetime | None
    certificates: tuple[CertificateInfo, ...] = ()


@dataclass(frozen=True)
class FreelancerPlan:
    """What the sync will do to one freelancer."""

    stored: StoredFreelancer
    certificates: tuple[CertificateInfo, ...]
    after: Visibility
    added: tuple[CertificateInfo, ...] = ()
    updated: tuple[CertificateInfo, ...] = ()
    removed: tuple[CertificateInfo, ...] = ()
    expired: tuple[CertificateInfo, ...] = ()
    skipped: int = 0
    today: date = date.min

    @property
    def shown(self) -> bool:
        return self.after.is_searchable and not self.stored.is_searchable

    @property
    def hidden(self) -> bool:
        return self.stored.is_searchable and not self.after.is_searchable

    @property
    def hidden_unexplained(self) -> bool:
        """Hidden though its stored due date says it is still visible today.

        A natural expiry (the stored `visible_until` has passed) explains a
        hide; a certificate dropped from the answer, or a due date cut short,
        does not, and only such hides count against the safety guard.
        """
        until = self.stored.visible_until
        return self.hidden and until is not None and until >= self.today

    @property
    def visibility_changed(self) -> bool:
        before = self.stored
        return (before.is_searchable, before.visible_until, before.reason) != (
            self.after.is_searchable,
            self.after.visible_until,
            self.after.reason,
        )


def plan_freelancer(
    stored: StoredFreelancer,
    answer: UidCertificates,
    *,
    accepted_kinds: Collection[str],
    today: date,
) -> FreelancerPlan:
    """The new certificate set and visibility of one freelancer.

    A successful answer is the truth for that uid, including an empty one. When
    some of its certificates could not be parsed (`answer.skipped`), stored
    certificates missing from the answer are kept: a parse problem never
    removes a certificate or hides anybody by itself.
    """
    old = {c.id: c for c in stored.certificates}
    new = {c.id: c for c in answer.certificates}
    if answer.skipped:
        new = {**old, **new}
    added = tuple(c for i, c in new.items() if i not in old)
    updated = tuple(c for i, c in new.items() if i in old and old[i] != c)
    removed = tuple(c for i, c in old.items() if i not in new)
    # The day of the last sync on the same calendar as `today` (TIME_ZONE), not UTC's.
    since = timezone.localdate(stored.synced_at) if stored.synced_at else None
    expired = tuple(c for c in new.values() if since is not None and since <= c.due_on < today)
    certificates = tuple(sorted(new.values(), key=lambda c: (c.due_on, c.id), reverse=True))
    return FreelancerPlan(
        stored=stored,
        certificates=certificates,
        after=visibility(certificates, accepted_kinds=accepted_kinds, today=today),
        added=added,
        updated=updated,
        removed=removed,
        expired=expired,
        skipped=answer.skipped,
        today=today,
    )


@dataclass(frozen=True)
class Guard:
    """The safety verdict on the hides no stored due date explains.

    `hidden` counts freelancers the run would hide although their stored
    certificate is still current (see `FreelancerPlan.hidden_unexplained`);
    `visible` counts those really visible today (searchable, `visible_until`
    today or later). The run is refused when `hidden` exceeds both
    `allowance` (an absolute number, so a small catalogue is protected too)
    and `max_share` of `visible`. `expired` (natural expiries) is informative.
    """

    hidden: int
    visible: int
    max_share: float
    allowance: int
    expired: int = 0
    refused: bool = field(init=False)

    def __post_init__(self) -> None:
        too_many = self.hidden > self.allowance and self.hidden > self.max_share * self.visible
        object.__setattr__(self, "refused", too_many)

    @property
    def message(self) -> str:
        share = self.hidden / self.visible if self.visible else 0.0
        text = _(
            "the run would hide %(hidden)d of %(visible)d visible freelancers whose stored "
            "certificates are still current (%(share)s; limit %(max_share)s or "
            "%(allowance)d, whichever is more)"
        )
        return text % {
            "hidden": self.hidden,
            "visible": self.visible,
            "share": f"{share:.0%}",
            "max_share": f"{self.max_share:.0%}",
            "allowance": self.allowance,
        }
