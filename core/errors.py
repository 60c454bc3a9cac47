"""The project's error model, after the gRPC status codes.

Every failure that crosses a module boundary (an adapter, a service) is a
`ServiceError` carrying a `Code`. Pages show `message`; the JSON API answers
`{"code", "message", "details"}` with the standard gRPC-to-HTTP status.
"""

from __future__ import annotations

import enum
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.types import Text


class Code(enum.Enum):
    """gRPC status codes used by the product, with their standard HTTP status."""

    INVALID_ARGUMENT = 400
    UNAUTHENTICATED = 401
    PERMISSION_DENIED = 403
    NOT_FOUND = 404
    ALREADY_EXISTS = 409
    FAILED_PRECONDITION = 412
    RESOURCE_EXHAUSTED = 429
    # The standard table says 501; an HTTP method the endpoint does not
    # declare is answered 405 with an Allow header, as HTTP requires.
    UNIMPLEMENTED = 405
    INTERNAL = 500
    UNAVAILABLE = 503
    DEADLINE_EXCEEDED = 504

    @property
    def http_status(self) -> int:
        # FAILED_PRECONDITION maps to 400 in the standard table; the enum value
        # only keeps members distinct.
        return 400 if self is Code.FAILED_PRECONDITION else self.value

    @property
    def title(self) -> str:
        """A short heading for pages showing an error of this code, translated."""
        return str(TITLES[self])


# Page headings by code; the error's own message is shown below the heading.
TITLES: dict[Code, Any] = {
    Code.INVALID_ARGUMENT: _("The request cannot be carried out"),
    Code.UNAUTHENTICATED: _("Sign-in required"),
    Code.PERMISSION_DENIED: _("Access denied"),
    Code.NOT_FOUND: _("Not found"),
    Code.ALREADY_EXISTS: _("Already exists"),
    Code.FAILED_PRECONDITION: _("This cannot be done now"),
    Code.RESOURCE_EXHAUSTED: _("Too many requests"),
    Code.UNIMPLEMENTED: _("Not supported"),
    Code.INTERNAL: _("Something went wrong"),
    Code.UNAVAILABLE: _("An external system is unavailable"),
    Code.DEADLINE_EXCEEDED: _("An external system did not answer in time"),
}


class ServiceError(Exception):
    """Base of every error the product raises on purpose."""

    code: Code = Code.INTERNAL
    default_message: Text = "Internal error"

    def __init__(self, message: Text | None = None, *, details: dict[str, Any] | None = None):
        self.message = str(message or self.default_message)
        self.details = details or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code.name, "message": self.message, "details": self.details}


class InvalidArgument(ServiceError):
    code = Code.INVALID_ARGUMENT
    default_message: Text = "Invalid argument"


class Unauthenticated(ServiceError):
    code = Code.UNAUTHENTICATED
    default_message: Text = "Authentication required"


class PermissionDenied(ServiceError):
    code = Code.PERMISSION_DENIED
    default_message: Text = "Permission denied"


class NotFound(ServiceError):
    code = Code.NOT_FOUND
    default_message: Text = "Not found"


class AlreadyExists(ServiceError):
    code = Code.ALREADY_EXISTS
    default_message: Text = "Already exists"


class FailedPrecondition(ServiceError):
    code = Code.FAILED_PRECONDITION
    default_message: Text = "Failed precondition"


class ResourceExhausted(ServiceError):
    code = Code.RESOURCE_EXHAUSTED
    default_message: Text = "Resource exhausted"


class Unimplemented(ServiceError):
    code = Code.UNIMPLEMENTED
    default_message: Text = "Not implemented"


class Internal(ServiceError):
    code = Code.INTERNAL
    default_message: Text = "Internal error"


class Unavailable(ServiceError):
    code = Code.UNAVAILABLE
    default_message: Text = "Service unavailable"


class DeadlineExceeded(ServiceError):
    code = Code.DEADLINE_EXCEEDED
    default_message: Text = "Deadline exceeded"


class InvalidResponse(Unavailable):
    """An external system answered with a body we cannot parse or trust."""

    default_message: Text = "Malformed response from an external system"


ERROR_BY_CODE: dict[Code, type[ServiceError]] = {
    cls.code: cls
    for cls in (
        InvalidArgument,
        Unauthenticated,
        PermissionDenied,
        NotFound,
        AlreadyExists,
        FailedPrecondition,
        ResourceExhausted,
        Unimplemented,
        Internal,
        Unavailable,
        DeadlineExceeded,
    )
}


def error_for_code(code: Code, message: str | None = None, **details: Any) -> ServiceError:
    """Build the ServiceError subclass that carries `code`."""
    return ERROR_BY_CODE[code](message, details=details)
