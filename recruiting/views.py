"""Job sites and search pages. Thin: parse, call one service, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core import errors
from core.types import AuthedRequest
from recruiting import application_list, selectors
from recruiting.adapters.base import JobSite, ResumeCard
from recruiting.exports import applications_csv
from recruiting.forms import ApplicationFilterForm, SearchForm, take_params
from recruiting.ranking import SITE_ORDER
from recruiting.selectors.applications import card_application
from recruiting.services import applications as applications_service
from recruiting.services import contacts, oauth, resumes, tokens
from recruiting.services import search as search_service
from recruiting.services.application_params import card_urns_check

# A (merged) card holds at most one resume per job site.
MAX_CARD_URNS = len(JobSite)


def _site(value: str) -> JobSite:
    try:
        return JobSite(value)
    except ValueError:
        raise Http404("unknown job site") from None


@require_GET
def sites(request: AuthedRequest) -> HttpResponse:
    template = "recruiting/_sites_table.html" if request.htmx else "recruiting/sites.html"
    return render(
        request, template, {"sites": selectors.job_sites_overview(recruiter=request.user)}
    )


@require_GET
@never_cache
def connect(request: AuthedRequest, site: str) -> HttpResponse:
    url = oauth.oauth_start(session=request.session, recruiter=request.user, site=_site(site))
    return HttpResponseRedirect(url)


@require_GET
@never_cache
def oauth_callback(request: AuthedRequest, site: str) -> HttpResponse:
    job_site = _site(site)
    context: dict[str, object]
    try:
        oauth.oauth_complete(
            session=request.session, recruiter=request.user, site=job_site, params=request.GET
        )
    except errors.ServiceError as exc:
        context, status = {"site": job_site, "error": exc.message}, exc.code.http_status
    else:
        context, status = {"site": job_site, "error": None}, 200
    response = render(request, "recruiting/oauth_done.html", context, status=status)
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
def disconnect(request: AuthedRequest, site: str) -> HttpResponse:
    tokens.token_delete(recruiter=request.user, site=_site(site))
    return redirect("recruiting:sites") if not request.htmx else sites(request)


@require_GET
def search(request: AuthedRequest) -> HttpResponse:
    paging = "cursor" in request.GET
    form = SearchForm(None if paging else (request.GET or None))
    result, error, status = None, None, 200
    try:
        if paging:
            result = search_service.search_page(
                recruiter=request.user, cursor=request.GET["cursor"]
            )
            form = SearchForm(initial=_initial(result.query))
        elif form.is_bound and form.is_valid():
            result = search_service.search_start(
                recruiter=request.user, query=form.cleaned_data["query"]
            )
        elif form.is_bound:
            status = 400
    except errors.ServiceError as exc:
        error, status = exc, exc.code.http_status
    context = {
        "form": form,
        "result": result,
        "error": error,
        "connected": _connected(request),
    }
    # htmx swaps #results: answer with that fragment, errors included.
    template = "recruiting/_results.html" if request.htmx else "recruiting/search.html"
    return render(request, template, context, status=status)


@require_POST
def split(request: AuthedRequest) -> HttpResponse:
    try:
        urns = card_urns_check(request.POST.getlist("urn"))
        search_service.merge_split_create(recruiter=request.user, urns=urns)
    except errors.InvalidArgument as exc:
        context = {"form": SearchForm(), "error": exc, "connected": _connected(request)}
        return render(request, "recruiting/search.html", context, status=400)
    return redirect(_search_url(request.POST.get("cursor", "")))


def _connected(request: AuthedRequest) -> list[JobSite]:
    """The recruiter's connected sites, in the product's site order."""
    tokens = selectors.tokens_for(recruiter=request.user)
    return [site for site in SITE_ORDER if site in tokens]


def _search_url(cursor: str) -> str:
    """The search page, on the results page `cursor` points at when given."""
    url = reverse("recruiting:search")
    return f"{url}?{urlencode({'cursor': cursor})}" if cursor else url


def _initial(query) -> dict:
    return {
        "text": query.text,
        "region": query.region or "",
        "salary_from": query.salary_from,
        "salary_to": query.salary_to,
        "order": query.order.value,
    }


# --- resumes, contacts, take into work ------------------------------------------------


@require_GET
def resume(request: AuthedRequest, urn: str) -> HttpResponse:
    """The full resume by URN; bad URN 400, gone 404, site errors in plain words."""
    shown = resumes.resume_get(recruiter=request.user, urn=urn)
    context = {"resume": shown, **_work_context(request, [urn])}
    return render(request, "recruiting/resume.html", context)


@require_GET
def contacts_choose(request: AuthedRequest) -> HttpResponse:
    """Which site to open a (merged) card's contacts from, with cost and quota."""
    urns = card_urns_check(request.GET.getlist("urn"))
    shown = selectors.search_cards(
        recruiter=request.user, cursor=request.GET.get("cursor", ""), urns=urns
    )
    choices = contacts.contacts_choices(recruiter=request.user, urns=urns, cards=shown)
    known = contacts.contacts_known(organization_id=request.user.organization_id, urns=urns)
    context = {
        "choices": choices,
        "known": known,
        "known_name": _known_name(known),
        "card": request.GET.get("card", ""),
        "urns": urns,
    }
    return _panel(request, "recruiting/_contacts_choose.html", context, title=_("Contacts"))


def _known_name(known: dict[str, selectors.KnownContacts]) -> str:
    """The name the card's header shows: the first resume's contacts that carry
    one (a resume whose candidate hid their name may come first)."""
    return next((c.name for c in known.values() if c.name), "")


@require_POST
def contacts_open(request: AuthedRequest) -> HttpResponse:
    urn, card = request.POST.get("urn", ""), request.POST.get("card", "")
    others = [u for u in request.POST.get("card_urns", "").split(",")[:MAX_CARD_URNS] if u]
    context: dict[str, object] = {"card": card, "urns": list(dict.fromkeys([urn, *others]))}
    try:
        shown = selectors.search_cards(
            recruiter=request.user, cursor=request.POST.get("cursor", ""), urns=[urn]
        )
        opened = contacts.contacts_open(
            recruiter=request.user,
            urn=urn,
            confirm_hidden=request.POST.get("confirm") == "1",
            shown=shown.get(urn),
        )
    except errors.FailedPrecondition as exc:
        if exc.details.get("reason") != "hidden_fields":
            raise
        context |= {"urn": urn, "error": exc, "card_urns": ",".join(others)}
        return _panel(
            request, "recruiting/_contacts_confirm.html", context, title=_("Contacts"), status=409
        )
    context |= {"known": {urn: opened}, "known_name": opened.name, "take_urn": urn}
    return _panel(request, "recruiting/_contacts.html", context, title=_("Contacts"))


@require_GET
def take_form(request: AuthedRequest) -> HttpResponse:
    """The take-into-work form for a card: configured subsystems and their targets."""
    urns = card_urns_check(request.GET.getlist("urn"))
    shown = selectors.search_cards(
        recruiter=request.user, cursor=request.GET.get("cursor", ""), urns=urns
    )
    context = {**_work_context(request, urns, shown), "card": request.GET.get("card", "")}
    return _panel(request, "recruiting/_take.html", context, title=_("Take into work"))


@require_POST
def take(request: AuthedRequest) -> HttpResponse:
    urn, card = request.POST.get("urn", ""), request.POST.get("card", "")
    card_urns = request.POST.getlist("card_urn")[:MAX_CARD_URNS]
    shown = selectors.search_cards(
        recruiter=request.user, cursor=request.POST.get("cursor", ""), urns=[urn]
    )
    try:
        applications_service.resume_take(
            recruiter=request.user,
            urn=urn,
            card_urns=card_urns,
            shown=shown.get(urn),
            **take_params(request.POST),
        )
    except errors.AlreadyExists as exc:
        context = {**_work_context(request, [urn, *card_urns]), "error": exc, "card": card}
        return _panel(
            request, "recruiting/_application.html", context, title=_("Take into work"), status=409
        )
    context = {**_work_context(request, [urn, *card_urns]), "card": card, "taken": True}
    return _panel(request, "recruiting/_application.html", context, title=_("Take into work"))


def _panel(
    request: AuthedRequest, fragment: str, context: dict, *, title: str, status: int = 200
) -> HttpResponse:
    """htmx swaps `fragment` into a card's panel. Without JavaScript the same
    fragment comes inside a whole page, with a link back to the search results
    (the page `cursor` names) or to the resume it was opened from."""
    params = request.POST if request.method == "POST" else request.GET
    cursor = params.get("cursor", "")
    if request.htmx:
        return render(request, fragment, {**context, "cursor": cursor}, status=status)
    back = _back_url(card=context.get("card", ""), urns=context.get("urns", []), cursor=cursor)
    page = {**context, "fragment": fragment, "title": title, "back": back, "cursor": cursor}
    return render(request, "recruiting/panel.html", page, status=status)


def _back_url(*, card: str, urns: list[str], cursor: str) -> str:
    """The resume page a panel was opened from (its first, validated URN), else the search."""
    if card == "resume" and urns:
        return reverse("recruiting:resume", args=[urns[0]])
    return _search_url(cursor)


def _work_context(
    request: AuthedRequest, urns: list[str], shown: dict[str, ResumeCard] | None = None
) -> dict:
    """What the take-into-work parts show. The resume to take is one whose
    contacts the organization has, else one the site reports open (`shown`:
    the search's cards), whose contacts the take then fetches free."""
    org = request.user.organization_id
    urns = list(dict.fromkeys(urns))
    applications = selectors.application_statuses(organization=org, urns=urns)
    known = contacts.contacts_known(organization_id=org, urns=urns)
    open_on_site = [u for u in urns if u in (shown or {}) and (shown or {})[u].contacts_open]
    return {
        "urns": urns,
        "application": card_application(applications, urns),
        "known": known,
        "take_urn": next((u for u in urns if u in known), None) or next(iter(open_on_site), None),
        "subsystems": selectors.subsystem_options(organization=org),
    }


# --- the recruiter's workspace ----------------------------------------------------------


@require_GET
def applications(request: AuthedRequest) -> HttpResponse:
    """ "My candidates": the organization's applications, filtered, paginated."""
    form = ApplicationFilterForm(request.GET or None)
    page = application_list.applications_page(
        recruiter=request.user, filters=form.filters(), page=request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "recruiting/applications.html", context)


@require_GET
def applications_export(request: AuthedRequest) -> HttpResponse:
    """The same list as CSV (UTF-8 with a BOM), every page at once."""
    filters = ApplicationFilterForm(request.GET or None).filters()
    apps = list(application_list.applications_filtered(recruiter=request.user, filters=filters))
    rows = application_list.application_rows(request.user.organization_id, apps)
    body = applications_csv(rows, site_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="candidates.csv"'
    return response
