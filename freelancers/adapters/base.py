"""The certification service as the product sees it: a Protocol and its types.

The certification service exposes `POST /v1/certificates/findByUids`; the
request and response shapes below are the product's own, defined in
`adapters/certification.py` and documented in docs/jobs/freelancer_certificates.md
("API сервиса сертификации").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol


@dataclass(frozen=True)
class CertificateInfo:
    """One certificate: its id in the service, kind, confirmation and due dates."""

    id: str
    kind: str
    confirmed_on: date
    due_on: date


@dataclass(frozen=True)
class UidCertificates:
    """What the service said about one uid.

    `skipped` counts certificates that could not be parsed (unknown fields, a
    malformed date); a caller must not read their absence as "no certificate".
    """

    uid: int
    certificates: tuple[CertificateInfo, ...] = ()
    skipped: int = 0


@dataclass(frozen=True)
class FindResult:
    """A successful `findByUids` answer.

    `by_uid` holds only the uids the answer names (an empty list there is an
    answer: "no certificates"); `not_reported` lists the uids asked about that
    the answer left out: nothing is known about them.
    """

    by_uid: dict[int, UidCertificates] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    not_reported: tuple[int, ...] = ()


class CertificationService(Protocol):
    """The certification service (`findByUids`)."""

    def find_by_uids(self, uids: Sequence[int]) -> FindResult:
        """Certificates of each uid.

        Raises Unavailable / DeadlineExceeded / InvalidResponse (a ServiceError)
        when the call fails after retries: then nothing is known about any uid.
        """
        ...
