"""The bridge that lets a ServiceError travel through DRF's authentication.

Kept apart from `core.api.errors` so authentication classes (imported while
DRF itself loads its settings) do not import `rest_framework.views`.
"""

from __future__ import annotations

from rest_framework import exceptions

from core import errors


class BodyTooLarge(exceptions.APIException):
    """The request body is over API_MAX_BODY_BYTES (rendered RESOURCE_EXHAUSTED, 413)."""

    status_code = 413


class JsonTooDeep(exceptions.ParseError):
    """The JSON body nests arrays or objects deeper than the parser allows."""


class ServiceErrorException(exceptions.APIException):
    """Carries a ServiceError through DRF where only APIException may pass.

    DRF's authentication machinery handles APIException alone (it marks the
    request anonymous and re-raises); authentication classes wrap the
    project's errors in this and the exception handler unwraps them.
    """

    def __init__(self, error: errors.ServiceError):
        self.error = error
        self.status_code = error.code.http_status
        super().__init__(detail=error.message, code=error.code.name)
