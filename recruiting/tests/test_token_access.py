"""One meaning of a refused token for every caller (`tokens.with_access`):
the site refusing a token for any reason but "expired" (or again right after
a refresh) means the connection must be renewed, for search and contacts
alike. The site is faked at the transport level."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from core import errors
from recruiting.adapters.base import SearchQuery
from recruiting.models import Token
from recruiting.services.resumes import resume_get
from recruiting.services.search import search_start

pytestmark = pytest.mark.django_db(transaction=True)  # the fan-out writes from its threads

HH = "https://api.hh.example"


@pytest.fixture
def hh_token(recruiter, settings) -> Token:
    settings.HH_API_URL = HH
    return Token.objects.create(
        recruiter=recruiter,
        job_site="hh",
        access_token="access",
        refresh_token="refresh",
        valid_until=timezone.now() + timedelta(hours=1),
    )


@responses.activate
def test_a_token_refused_without_a_reason_on_a_resume_read_needs_a_reconnect(recruiter, hh_token):
    responses.get(re.compile(rf"{HH}/resumes/.*"), status=401)
    with pytest.raises(errors.ServiceError):
        resume_get(recruiter=recruiter, urn="urn:hh:abc123")
    hh_token.refresh_from_db()
    assert hh_token.status == Token.Status.RECONNECT


@responses.activate
def test_a_token_refused_without_a_reason_in_a_search_needs_a_reconnect(recruiter, hh_token):
    responses.get(re.compile(rf"{HH}/resumes.*"), status=401)
    responses.get(re.compile(rf"{HH}/dictionaries.*"), status=503)
    result = search_start(recruiter=recruiter, query=SearchQuery(text="python"))
    assert result.next_cursor is None
    hh_token.refresh_from_db()
    assert hh_token.status == Token.Status.RECONNECT
