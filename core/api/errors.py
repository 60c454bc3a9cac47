"""The API's error model: every failure is `{"code", "message", "details"}`.

`code` is a gRPC status name, the HTTP status is the standard gRPC-to-HTTP
one (`core.errors.Code.http_status`), `message` is human text in the active
language (Russian by default). `exception_handler` is DRF's EXCEPTION_HANDLER;
`api_not_found` answers unknown URLs under /api/ the same way.

Mapping:
- `core.errors.ServiceError` (raised by services and adapters) by its `code`;
- DRF ValidationError, ParseError (a body nested too deep too), NotAcceptable,
  UnsupportedMediaType → INVALID_ARGUMENT (field errors in `details`);
- MethodNotAllowed → UNIMPLEMENTED, HTTP 405 (DRF adds the Allow header);
- a body over API_MAX_BODY_BYTES (`BodyTooLarge`, Django's
  RequestDataTooBig) → RESOURCE_EXHAUSTED with HTTP 413;
- NotAuthenticated, AuthenticationFailed → UNAUTHENTICATED;
- DRF or Django PermissionDenied (a missing CSRF token too) → PERMISSION_DENIED;
- Http404, NotFound → NOT_FOUND; Throttled → RESOURCE_EXHAUSTED + Retry-After;
- anything else → INTERNAL with a generic message; the exception is logged
  with its traceback and never shown.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response

from core import errors
from core.api.exceptions import BodyTooLarge, JsonTooDeep, ServiceErrorException
from core.api.parsers import MAX_JSON_DEPTH
from core.errors import Code

logger = logging.getLogger("core.api")

# The message shown when the error carries none of its own.
DEFAULT_MESSAGES: dict[Code, Any] = {
    Code.INVALID_ARGUMENT: _("The request is invalid."),
    Code.UNAUTHENTICATED: _("Authentication is required."),
    Code.PERMISSION_DENIED: _("You do not have access to this resource."),
    Code.NOT_FOUND: _("Not found."),
    Code.ALREADY_EXISTS: _("It already exists."),
    Code.FAILED_PRECONDITION: _("The operation cannot be performed in the current state."),
    Code.RESOURCE_EXHAUSTED: _("Too many requests. Try again later."),
    Code.UNIMPLEMENTED: _("This method is not supported here."),
    Code.INTERNAL: _("Internal error. We are already looking into it."),
    Code.UNAVAILABLE: _("The service is temporarily unavailable. Try again later."),
    Code.DEADLINE_EXCEEDED: _("The operation took too long. Try again later."),
}

_INVALID_REQUEST = (
    exceptions.ValidationError,
    exceptions.ParseError,
    exceptions.NotAcceptable,
    exceptions.UnsupportedMediaType,
)


def error_body(code: Code, message: str | None = None, details: dict | None = None) -> dict:
    """The JSON body of an API error."""
    return {
        "code": code.name,
        "message": str(message or DEFAULT_MESSAGES[code]),
        "details": details or {},
    }


def error_response(
    code: Code,
    message: str | None = None,
    details: dict | None = None,
    *,
    status: int | None = None,
    **headers: str,
) -> Response:
    """The error as a DRF response; `status` overrides the code's HTTP status (413)."""
    body = error_body(code, message, details)
    return Response(body, status=status or code.http_status, headers=headers)


def exception_handler(exc: Exception, context: dict) -> Response:
    """DRF EXCEPTION_HANDLER: map any exception to the error model (see module doc)."""
    from rest_framework.views import set_rollback  # not at import: DRF loads this module

    set_rollback()
    if isinstance(exc, ServiceErrorException):
        exc = exc.error
    if isinstance(exc, errors.ServiceError):
        return _service_error_response(exc)
    if isinstance(exc, exceptions.Throttled):
        wait = math.ceil(getattr(exc, "wait", None) or 1)
        response = error_response(Code.RESOURCE_EXHAUSTED, details={"retry_after": wait})
        response["Retry-After"] = str(wait)
        return response
    if isinstance(exc, BodyTooLarge | RequestDataTooBig):
        return _body_too_large()
    if isinstance(exc, exceptions.MethodNotAllowed):
        return error_response(Code.UNIMPLEMENTED, details={"reason": "method_not_allowed"})
    if isinstance(exc, _INVALID_REQUEST):
        return error_response(Code.INVALID_ARGUMENT, details=_invalid_details(exc))
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response = error_response(Code.UNAUTHENTICATED)
        # DRF's handle_exception sets `auth_header` on the exception.
        if header := getattr(exc, "auth_header", None):
            response["WWW-Authenticate"] = header
        return response
    if isinstance(exc, exceptions.PermissionDenied | DjangoPermissionDenied):
        return error_response(Code.PERMISSION_DENIED, details=_permission_details(exc))
    if isinstance(exc, exceptions.NotFound | Http404):
        return error_response(Code.NOT_FOUND)
    if isinstance(exc, exceptions.APIException):
        return _other_api_exception(exc)
    return _internal(exc, context)


def _service_error_response(exc: errors.ServiceError) -> Response:
    if exc.code is Code.INTERNAL:
        logger.error("API: internal error %s: %s", type(exc).__name__, exc.message, exc_info=exc)
        return error_response(Code.INTERNAL)
    if exc.message == type(exc).default_message:
        # Raised without a message of its own: show the translated default.
        return error_response(exc.code, details=exc.details)
    return error_response(exc.code, exc.message, exc.details)


def _invalid_details(exc: exceptions.APIException) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        return {"fields": detail} if isinstance(detail, dict) else {"errors": detail}
    if isinstance(exc, JsonTooDeep):
        return {"reason": "too_deep", "max_depth": MAX_JSON_DEPTH}
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return {"reason": "unsupported_media_type"}
    if isinstance(exc, exceptions.NotAcceptable):
        return {"reason": "not_acceptable"}
    return {"reason": "malformed_body"}


def _body_too_large() -> Response:
    limit = settings.API_MAX_BODY_BYTES
    message = gettext("The request body is too large: at most %(limit)s bytes.") % {"limit": limit}
    details = {"reason": "body_too_large", "max_bytes": limit}
    return error_response(Code.RESOURCE_EXHAUSTED, message, details, status=413)


def _permission_details(exc: Exception) -> dict:
    # DRF's SessionAuthentication reports a missing or wrong CSRF token as
    # PermissionDenied("CSRF Failed: ..."): tell the front end which it is.
    text = str(getattr(exc, "detail", "") or "")
    return {"reason": "csrf"} if text.startswith("CSRF Failed") else {}


def _other_api_exception(exc: exceptions.APIException) -> Response:
    status = exc.status_code
    by_status = {code.http_status: code for code in Code if code is not Code.FAILED_PRECONDITION}
    code = by_status.get(status) or (Code.INVALID_ARGUMENT if status < 500 else Code.INTERNAL)
    if code is Code.INTERNAL:
        logger.error("API: %s answered HTTP %s", type(exc).__name__, status, exc_info=exc)
    return error_response(code)


def _internal(exc: Exception, context: dict) -> Response:
    view = context.get("view")
    logger.error(
        "API: unhandled %s in %s",
        type(exc).__name__,
        type(view).__name__ if view is not None else "?",
        exc_info=exc,
    )
    return error_response(Code.INTERNAL)


@login_not_required  # LoginRequiredMiddleware: the API answers 404 itself
@csrf_exempt
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown URLs under /api/ answer the JSON NOT_FOUND error, for any method."""
    body = error_body(Code.NOT_FOUND, gettext("There is no such API method."))
    return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})
