"""The public freelancers catalogue: no login needed."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_safe

from core import errors
from freelancers import page_cache, photos, selectors
from freelancers.forms import CatalogueFilterForm
from freelancers.models import Freelancer


@login_not_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    if page_cache.is_anonymous_visit(request):
        return page_cache.anonymous_page(request, lambda slot: _catalogue(request, slot))
    return _catalogue(request)


def _catalogue(request: HttpRequest, csrf_slot: str | None = None) -> HttpResponse:
    today = timezone.localdate()
    form = CatalogueFilterForm(
        request.GET,
        kinds=selectors.catalogue_kinds(),
        regions=page_cache.cached_per_version(
            "regions", today=today, build=lambda: selectors.catalogue_regions(today=today)
        ),
    )
    filters = form.filters()
    ids = selectors.catalogue_freelancers(today=today, **filters)
    paginator = Paginator(ids, settings.FREELANCER_CATALOGUE_PAGE_SIZE)
    # Every page of one filter set has the same count: counted once per version.
    paginator.count = page_cache.cached_per_version(
        f"count:{sorted(filters.items())}", today=today, build=ids.count
    )
    page = paginator.get_page(request.GET.get("page"))
    ids_of_page = cast("QuerySet[Freelancer, int]", page.object_list)
    freelancers = selectors.catalogue_page(ids=ids_of_page, today=today)
    context = {"form": form, "page": page, "freelancers": freelancers}
    if csrf_slot:  # a page for the cache: each visitor's token goes in later
        context["csrf_token"] = csrf_slot
    return render(request, "freelancers/catalogue.html", context)


@login_not_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        freelancer = selectors.catalogue_freelancer(pk=pk, today=timezone.localdate())
    except errors.NotFound:
        raise Http404 from None
    return render(request, "freelancers/detail.html", {"freelancer": freelancer})


@login_not_required  # public photos need no login; the selector decides
@require_safe
def photo(request: HttpRequest, name: str) -> HttpResponseBase:
    """A card photo for whoever may see it; 404 for everyone else (not 403:
    a pending photo's existence is nobody else's business)."""
    stored = photos.PHOTO_DIR + name
    access = selectors.photo_access(name=stored, user=request.user, today=timezone.localdate())
    if access is None:
        raise Http404
    return photos.photo_response(request, stored, public=access == selectors.PUBLIC)
