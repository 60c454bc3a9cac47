"""The public freelancers catalogue: no login needed."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core import errors
from freelancers import selectors
from freelancers.forms import CatalogueFilterForm


@login_not_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = CatalogueFilterForm(
        request.GET,
        kinds=selectors.catalogue_kinds(),
        regions=selectors.catalogue_regions(today=today),
    )
    rows = selectors.catalogue_freelancers(today=today, **form.filters())
    page = Paginator(rows, settings.FREELANCER_CATALOGUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "freelancers/catalogue.html", {"form": form, "page": page})


@login_not_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        freelancer = selectors.catalogue_freelancer(pk=pk, today=timezone.localdate())
    except errors.NotFound:
        raise Http404 from None
    return render(request, "freelancers/detail.html", {"freelancer": freelancer})
