"""The product's URLs plus views that fail on purpose, for error-page tests."""

from django.urls import path

from config.urls import handler404, handler500, urlpatterns  # noqa: F401
from core import errors


def crash(request):
    raise RuntimeError("boom: secret detail")


def unavailable(request):
    raise errors.Unavailable("hh.ru не отвечает")


def denied(request):
    raise errors.PermissionDenied("Ошибка доступа")


urlpatterns = [
    path("test/crash/", crash),
    path("test/unavailable/", unavailable),
    path("test/denied/", denied),
    *urlpatterns,
]
