"""Card photos: stored under MEDIA_ROOT, served only through `views.photo`.

A photo of a pending or declined version, or of a freelancer the catalogue
hides, is not public: MEDIA_ROOT is never served as a directory (not by the
front web server, not by Django), and every photo URL the application writes
(`FieldFile.url`, in the templates and the admin alike) points to the view,
which answers only the audiences `selectors.photo_access` allows.
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.cache import patch_cache_control
from django.utils.http import RFC3986_SUBDELIMS, http_date
from django.views.static import was_modified_since

PHOTO_DIR = "freelancers/photos/"

# A public photo may stay in shared caches this long after its card leaves
# the catalogue; file names are fresh for every upload, so content never changes.
PUBLIC_MAX_AGE = 3600


class CardPhotoStorage(FileSystemStorage):
    """MEDIA_ROOT on disk (as the default storage), with URLs of the guarded view."""

    def url(self, name: str | None) -> str:
        if not name:
            raise ValueError("This file is not accessible via a URL.")
        # What reverse() would return, without a resolver walk per photo (a
        # catalogue page builds twenty): the view's path is fixed, the name is
        # quoted the way reverse() quotes it.
        base = _photo_url_base(get_script_prefix(), get_urlconf())
        return base + quote(name.removeprefix(PHOTO_DIR), safe=RFC3986_SUBDELIMS + "/~:@")


@functools.lru_cache(maxsize=16)
def _photo_url_base(script_prefix: str, urlconf: str | None) -> str:
    """The photo view's URL up to the name, for this script prefix and URLconf."""
    return reverse("freelancers:photo", kwargs={"name": "_"}).removesuffix("_")


def card_photo_storage() -> CardPhotoStorage:
    # A callable, so migrations name it instead of freezing a location.
    return _storage


_storage = CardPhotoStorage()


def photo_response(request: HttpRequest, name: str, *, public: bool) -> HttpResponseBase:
    """The stored file `name` as an image response with cache headers.

    Raises Http404 when the file is missing. Callers check access first.
    """
    try:
        modified = _storage.get_modified_time(name).timestamp()
    except (FileNotFoundError, NotADirectoryError):
        raise Http404 from None
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), modified):
        response: HttpResponseBase = HttpResponseNotModified()
    else:
        response = FileResponse(_storage.open(name, "rb"))  # type from the name
        response["Last-Modified"] = http_date(modified)
    if public:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        # The owner's or a moderator's copy: never in a shared cache.
        patch_cache_control(response, private=True, max_age=PUBLIC_MAX_AGE)
    return response
