"""Test-only API views that raise each kind of error, mounted with the real URLs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.urls import include, path, re_path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core import errors
from core.api.errors import api_not_found
from core.api.views import ApiView

SECRET_TEXT = "db password is hunter2"


class Raise(ApiView):
    """Raises what the URL names."""

    raising: dict = {
        "service": lambda kind: errors.ERROR_BY_CODE[errors.Code[kind]](),
        "service-message": lambda kind: errors.NotFound(
            "Резюме не найдено", details={"urn": "urn:hh:1"}
        ),
        "http404": lambda kind: Http404("No Resume matches the given query."),
        "django-denied": lambda kind: DjangoPermissionDenied(SECRET_TEXT),
        "internal-service": lambda kind: errors.Internal(SECRET_TEXT),
        "crash": lambda kind: RuntimeError(SECRET_TEXT),
    }

    def get(self, request: Request, what: str, kind: str = "") -> Response:
        raise self.raising[what](kind)


class EchoSerializer(serializers.Serializer):
    query = serializers.CharField(max_length=10)
    page_size = serializers.IntegerField(min_value=1, max_value=100)


class Echo(ApiView):
    """An unsafe method with a validated body, throttled on the "search" budget."""

    throttle_scope = "search"

    def post(self, request: Request) -> Response:
        serializer = EchoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


urlpatterns = [
    path("api/test/raise/<str:what>/<str:kind>", Raise.as_view()),
    path("api/test/raise/<str:what>", Raise.as_view()),
    path("api/test/echo", Echo.as_view()),
    path("api/v1/", include("core.api.urls")),
    re_path(r"^api(?:/.*)?$", api_not_found),
]
