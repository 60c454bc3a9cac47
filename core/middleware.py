from django.conf import settings
from django.core.exceptions import BadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class NulCharacterMiddleware:
    """A NUL character in the path or the query is a bad request (400).

    No address of the product holds one, and PostgreSQL refuses it in a
    query: every view that looks a part of its address up (a public photo's
    name, an admin page's id) answered 500. The API is left to answer its
    own INVALID_ARGUMENT (its schema forbids NUL, its fields refuse it).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        nul = "\x00" in path or "%00" in request.META.get("QUERY_STRING", "")
        if nul and not path.startswith("/api/"):
            raise BadRequest("NUL character in the address")
        return self.get_response(request)


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Russian unless the person chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language; the
    product speaks Russian by default and remembers an explicit choice only
    (the language cookie set by `set_language`).
    """

    def process_request(self, request) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ServiceErrorMiddleware:
    """Render a ServiceError that escapes a page view as a plain-words page.

    No external failure ever becomes a 500: the page says what went wrong with
    the status of the error's gRPC-style code. JSON clients get the error body;
    htmx requests (django-htmx) get a small fragment to swap into the panel.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.http import JsonResponse
        from django.shortcuts import render

        from core.errors import ServiceError

        if not isinstance(exception, ServiceError):
            return None
        status = exception.code.http_status
        if request.path.startswith("/api/") or "application/json" in request.headers.get(
            "Accept", ""
        ):
            return JsonResponse(exception.as_dict(), status=status)
        # A translated heading by code; the error's own message goes below it.
        context = {"error": exception, "status": status, "title": exception.code.title}
        if getattr(request, "htmx", False):
            # htmx swaps the answer into a panel: a small fragment, not a page.
            return render(request, "core/_error.html", context, status=status)
        return render(request, "error.html", context, status=status)
