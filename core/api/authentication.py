"""Who calls the API: a browser session, or another service with TVM tickets.

TVM (tvmtool's documentation), when `TVM_ENABLED`: the caller sends a service
ticket in `X-Ya-Service-Ticket` (which service calls) and a user ticket in
`X-Ya-User-Ticket` (for which person). Both are checked by tvmtool; the
service ticket's `src` must be in `TVM_ALLOWED_SOURCES`, and the user
ticket's `default_uid` must be the `passport_uid` of an active recruiter.

- no ticket headers → not a TVM request: the session is tried next;
- one ticket without the other (or an empty one), or a bad ticket
  → UNAUTHENTICATED, whatever the session says;
- a source outside the allow-list, default_uid 0, no such recruiter
  → PERMISSION_DENIED;
- tvmtool down or failing → UNAVAILABLE.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import authentication
from rest_framework.request import Request

from core import errors, tvm
from core.api.exceptions import ServiceErrorException
from core.models import User

logger = logging.getLogger("core.api")


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication: CSRF is enforced on unsafe methods.

    The browser sends Django's CSRF token in `X-CSRFToken` (htmx pages
    already do through `hx-headers`); a missing or wrong token answers
    PERMISSION_DENIED with `details.reason = "csrf"`.
    """

    def authenticate_header(self, request: Request) -> str:
        # Lets a missing login answer 401 rather than DRF's 403 fallback.
        return 'Session realm="api"'


class TvmIdentity:
    """`request.auth` of a TVM-authenticated request."""

    def __init__(self, service: tvm.ServiceTicket, user: tvm.UserTicket):
        self.service = service
        self.user = user

    def __repr__(self) -> str:
        return f"TvmIdentity(src={self.service.src}, uid={self.user.default_uid})"


class TvmAuthentication(authentication.BaseAuthentication):
    """TVM service + user tickets checked by tvmtool (see module doc)."""

    def authenticate(self, request: Request) -> tuple[User, TvmIdentity] | None:
        if not settings.TVM_ENABLED:
            return None
        headers = request.headers
        if tvm.SERVICE_TICKET_HEADER not in headers and tvm.USER_TICKET_HEADER not in headers:
            return None  # not a TVM request; a present but empty header is a bad one
        service_ticket = headers.get(tvm.SERVICE_TICKET_HEADER, "")
        user_ticket = headers.get(tvm.USER_TICKET_HEADER, "")
        try:
            return self._authenticate(service_ticket, user_ticket)
        except (errors.Unavailable, errors.DeadlineExceeded) as exc:
            logger.error("TVM: tickets cannot be checked: %s", exc.message)
            unavailable = errors.Unavailable(
                _("Authentication is temporarily unavailable. Try again later."),
                details={"reason": "tvmtool_unavailable"},
            )
            raise ServiceErrorException(unavailable) from exc
        except errors.ServiceError as exc:
            raise ServiceErrorException(exc) from exc

    def authenticate_header(self, request: Request) -> str | None:
        return "TVM" if settings.TVM_ENABLED else None

    def _authenticate(self, service_ticket: str, user_ticket: str) -> tuple[User, TvmIdentity]:
        if not service_ticket or not user_ticket:
            raise errors.Unauthenticated(
                _("Both a TVM service ticket and a TVM user ticket are required."),
                details={"reason": "ticket_missing"},
            )
        service = tvm.check_service_ticket(service_ticket)
        if service.src not in settings.TVM_ALLOWED_SOURCES:
            logger.warning("TVM: service %s is not in TVM_ALLOWED_SOURCES", service.src)
            raise errors.PermissionDenied(
                _("This service is not allowed to call the API."),
                details={"reason": "source_not_allowed", "src": service.src},
            )
        user = tvm.check_user_ticket(user_ticket)
        recruiter = _recruiter_for(user.default_uid)
        return recruiter, TvmIdentity(service, user)


def _recruiter_for(uid: int) -> User:
    """The active recruiter with Passport uid `uid`, of an organization not
    switched off (as `core.auth` refuses their sessions). Raises PermissionDenied."""
    recruiter = (
        User.objects.select_related("organization")
        .filter(passport_uid=uid, is_active=True, organization__is_active=True)
        .first()
        if uid
        else None
    )
    if recruiter is None:
        logger.warning("TVM: no active recruiter with uid %s", uid)
        raise errors.PermissionDenied(
            _("No recruiter account is linked to this Yandex account."),
            details={"reason": "unknown_user"},
        )
    return recruiter
