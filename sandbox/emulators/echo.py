"""A trivial emulator that answers what it is asked: it exercises the frame."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from sandbox.faults import emulator


@emulator("echo")
def status(request: HttpRequest, code: int) -> JsonResponse:
    return JsonResponse(
        {"method": request.method, "path": request.path, "query": request.GET.dict()},
        status=code,
    )


urlpatterns = [path("status/<int:code>", status, name="echo-status")]
