"""The API's base view and the one endpoint core owns: `GET /api/v1/me`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.authentication import SessionAuthentication, TvmAuthentication
from core.api.exceptions import BodyTooLarge
from core.api.permissions import IsRecruiter
from core.api.throttling import RecruiterRateThrottle
from core.errors import Code
from core.models import User
from core.numbers import parse_int


class ApiView(APIView):
    """Base of every API view.

    The classes are spelled out (not left to settings) so an endpoint cannot
    silently lose authentication or throttling. Subclasses set:
    - `throttle_scope`: the rate budget ("search", "contacts"; default "api");
    - `error_codes`: extra `core.errors.Code`s the view answers besides the
      common ones, so the schema documents them (e.g. ALREADY_EXISTS).
    Raise `core.errors.ServiceError` subclasses; the handler renders them.
    """

    authentication_classes = [TvmAuthentication, SessionAuthentication]
    permission_classes = [IsRecruiter]
    throttle_classes = [RecruiterRateThrottle]
    error_codes: tuple[Code, ...] = ()

    @property
    def recruiter(self) -> User:
        """The signed-in recruiter: IsRecruiter lets no one else in."""
        user = self.request.user
        assert isinstance(user, User)
        return user

    @property
    def query(self) -> dict[str, str]:
        """The query string as plain values, for a query serializer.

        DRF reads a QueryDict as an HTML form, where an empty `?status=` means
        "not sent" and would pass an enum check; here it is a value to
        validate, as the schema's enum says. A repeated name: the last value.
        """
        return self.request.query_params.dict()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Refused before anything reads it, whatever its type (JSON bodies
        # sent without a length are bounded by core.api.parsers).
        length = parse_int(request.META.get("CONTENT_LENGTH"))
        if length is not None and length > settings.API_MAX_BODY_BYTES:
            raise BodyTooLarge()
        super().initial(request, *args, **kwargs)

    @property
    def organization_id(self) -> int:
        """The recruiter's organization (IsRecruiter: never None here)."""
        org = self.recruiter.organization_id
        assert org is not None
        return org

    # DRF's own method returns None when no authenticator challenges; its stub says str.
    def get_authenticate_header(self, request: Request) -> str | None:  # type: ignore[override]
        # DRF asks the first authenticator only; TVM has no challenge when off.
        for authenticator in self.get_authenticators():
            if header := authenticator.authenticate_header(request):
                return header
        return None


class OrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name", help_text="Full name; may be empty")
    email = serializers.EmailField(allow_blank=True)
    organization = OrganizationSerializer()


class MeView(ApiView):
    """The recruiter the request is authenticated as, with their organization."""

    @extend_schema(
        operation_id="me_get",
        summary="The authenticated recruiter",
        responses=MeSerializer,
        tags=["account"],
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
