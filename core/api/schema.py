"""OpenAPI (drf-spectacular): the error body as one component on every operation.

`AutoSchema` adds the `Error` response to each operation for every error
status it can answer: the ones any API view can produce (bad request, no
login, no permission, undeclared method, throttled, internal, auth
unavailable), 404 when the path has parameters, 413 when the operation takes
a body, plus the codes a view lists in `error_codes`.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from core.errors import Code

# What any view behind the default authentication, permission and throttle
# classes can answer, whatever it does.
COMMON_ERROR_CODES = (
    Code.INVALID_ARGUMENT,
    Code.UNAUTHENTICATED,
    Code.PERMISSION_DENIED,
    Code.UNIMPLEMENTED,
    Code.RESOURCE_EXHAUSTED,
    Code.INTERNAL,
    Code.UNAVAILABLE,
)

ERROR_DESCRIPTIONS = {
    Code.INVALID_ARGUMENT: "INVALID_ARGUMENT: bad parameters or body, unsupported method or type",
    Code.UNAUTHENTICATED: "UNAUTHENTICATED: no session and no TVM tickets, or a bad ticket",
    Code.PERMISSION_DENIED: "PERMISSION_DENIED: not a recruiter, CSRF failed, source not allowed",
    Code.NOT_FOUND: "NOT_FOUND",
    Code.ALREADY_EXISTS: "ALREADY_EXISTS",
    Code.FAILED_PRECONDITION: "FAILED_PRECONDITION",
    Code.RESOURCE_EXHAUSTED: "RESOURCE_EXHAUSTED: rate limit reached; see Retry-After",
    Code.UNIMPLEMENTED: "UNIMPLEMENTED: the path does not declare this method; see Allow",
    Code.INTERNAL: "INTERNAL: an unexpected error (logged)",
    Code.UNAVAILABLE: "UNAVAILABLE: an external system (or tvmtool) cannot be reached",
    Code.DEADLINE_EXCEEDED: "DEADLINE_EXCEEDED: an external system did not answer in time",
}


# A body over API_MAX_BODY_BYTES: RESOURCE_EXHAUSTED with HTTP 413, not 429.
BODY_TOO_LARGE_STATUS = "413"
BODY_TOO_LARGE_DESCRIPTION = "RESOURCE_EXHAUSTED: the request body is over the size limit"

# The enum of error codes, named "ErrorCode" in the schema (ENUM_NAME_OVERRIDES).
ERROR_CODES = [code.name for code in Code]


class ErrorSerializer(serializers.Serializer):
    """Every API error: a gRPC status name, human text, machine details."""

    code = serializers.ChoiceField(choices=ERROR_CODES, help_text="gRPC status name")
    message = serializers.CharField(help_text="Human-readable text in the user's language")
    details = serializers.DictField(help_text="Machine-readable details; may be empty")

    class Meta:
        ref_name = "Error"


# DRF's CharField refuses the NUL character (ProhibitNullCharactersValidator):
# request schemas say so, so a client (or a fuzzer) knows such a string is
# invalid. Non-empty: a blank value is the `allow_blank` variant (maxLength 0).
NO_NUL_PATTERN = r"^[^\x00]+$"


class AutoSchema(SpectacularAutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum"} & schema.keys()
        ):
            schema["pattern"] = NO_NUL_PATTERN
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            status = str(code.http_status)
            if status not in responses:
                response = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
                responses[status] = self._get_response_for_code(response, status)
        if self.method in ("POST", "PUT", "PATCH"):
            response = OpenApiResponse(ErrorSerializer, description=BODY_TOO_LARGE_DESCRIPTION)
            status = BODY_TOO_LARGE_STATUS
            responses[status] = self._get_response_for_code(response, status)
        return dict(sorted(responses.items()))

    def _error_codes(self) -> list[Code]:
        codes = list(COMMON_ERROR_CODES)
        if "{" in self.path:
            codes.append(Code.NOT_FOUND)
        codes.extend(getattr(self.view, "error_codes", ()))
        return sorted(set(codes), key=lambda code: code.http_status)


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.authentication.SessionAuthentication"
    name = "sessionCookie"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "Browser session; unsafe methods also need the X-CSRFToken header",
        }


class TvmAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents TVM as two API-key headers that must be sent together."""

    target_class = "core.api.authentication.TvmAuthentication"
    name = ["tvmServiceTicket", "tvmUserTicket"]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "apiKey",
                "in": "header",
                "name": "X-Ya-Service-Ticket",
                "description": "TVM service ticket of the calling service (with the user ticket)",
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "X-Ya-User-Ticket",
                "description": "TVM user ticket of the recruiter (with the service ticket)",
            },
        ]

    def get_security_requirement(self, auto_schema):
        return {"tvmServiceTicket": [], "tvmUserTicket": []}
