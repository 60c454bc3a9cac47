from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from freelancers.adapters.certification import CertificationClient
from freelancers.models import Freelancer
from sandbox.models import EmulatedCertificate


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts without the catalogue pages an earlier test cached."""
    cache.clear()


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def certification_url(settings, sandbox_url) -> str:
    """Point the adapter at the emulator on the live server; small batches."""
    url = f"{sandbox_url}/certification"
    settings.FREELANCER_CERTIFICATES_API_URL = url
    settings.FREELANCER_CERTIFICATES_BATCH_SIZE = 2
    settings.FREELANCER_CERTIFICATES_CONCURRENCY = 1
    settings.FREELANCER_CERTIFICATES_ACCEPTED_KINDS = ["direct", "direct_pro"]
    return url


@pytest.fixture
def certification(certification_url) -> Iterator[CertificationClient]:
    """The real adapter against the emulator; no sleeping between retries."""
    client = CertificationClient(base_url=certification_url, max_retries=2, sleep=lambda _: None)
    yield client
    # A kept-alive connection would hold a live-server thread (and its
    # database connection) open past the test.
    client.session.close()


_counter = iter(range(1, 10**6))


def make_freelancer(uid: int, **fields) -> Freelancer:
    defaults = {
        "client_id": uid + 5_000_000,
        "first_name": "Иван",
        "last_name": f"Петров{uid}",
        "region": "Москва",
    }
    return Freelancer.objects.create(uid=uid, **{**defaults, **fields})


def emulate(uid: int, *, kind: str = "direct", due: date, cert_id: str | None = None):
    return EmulatedCertificate.objects.create(
        uid=uid,
        certificate_id=cert_id or f"{kind}-{uid}-{next(_counter)}",
        kind=kind,
        confirmed_date=due - timedelta(days=365),
        due_date=due,
    )
