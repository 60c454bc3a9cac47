"""Search cursors: signed, expiring references to a page of a search session.

The cursor carries no results (they stay server-side in `SearchSession`),
only which session and page, and for which recruiter; the signature makes it
tamper-proof and `max_age` makes it expire.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from core import errors
from recruiting import messages

SALT = "recruiting.search.cursor"


@dataclass(frozen=True)
class Cursor:
    session_id: int
    page: int
    recruiter_id: int


def pack(cursor: Cursor) -> str:
    return signing.dumps([cursor.session_id, cursor.page, cursor.recruiter_id], salt=SALT)


def unpack(token: str, *, recruiter_id: int, max_age: int) -> Cursor:
    """The cursor in `token`. Raises InvalidArgument when it is forged, expired
    or belongs to another recruiter."""
    try:
        session_id, page, owner = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise errors.InvalidArgument(messages.SEARCH_EXPIRED, details={"field": "cursor"}) from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise errors.InvalidArgument(
            messages.PAGE_LINK_INVALID, details={"field": "cursor"}
        ) from exc
    if owner != recruiter_id or not isinstance(page, int) or page < 0:
        raise errors.InvalidArgument(messages.PAGE_LINK_INVALID, details={"field": "cursor"})
    return Cursor(session_id=int(session_id), page=page, recruiter_id=owner)
