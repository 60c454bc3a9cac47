"""Recruiting JSON API views. Thin: parse, call the same services as the pages, render.

Every failure except a failing job site during a search is an error body
(`core.api.errors`); the search alone answers with partial results and
`site_errors`.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.renderers import OrjsonRenderer
from core.api.views import ApiView
from core.errors import Code
from recruiting import selectors
from recruiting.adapters.base import Order, SearchQuery
from recruiting.api import serializers as s
from recruiting.api.search_answer import search_answer, search_data
from recruiting.application_list import ApplicationFilter, applications_filtered
from recruiting.messages import CONTACT_FIELDS
from recruiting.selectors.applications import (
    application_info,
    applications_for_urns,
    applications_list,
)
from recruiting.services import applications as applications_service
from recruiting.services import contacts as contacts_service
from recruiting.services import resumes as resumes_service
from recruiting.services import search as search_service
from recruiting.services.application_params import URN_RE, urn_validate

URN_PARAMETER = OpenApiParameter(
    "urn",
    {"type": "string", "pattern": URN_RE.pattern},
    OpenApiParameter.PATH,
    description="Resume URN: urn:hh:<id> or urn:sj:<id>",
)


def _valid(serializer_class, data: Any) -> dict:
    """The serializer's validated data; a DRF ValidationError (INVALID_ARGUMENT) otherwise."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class SitesView(ApiView):
    """The recruiter's job sites and their connection state (never the tokens)."""

    @extend_schema(
        operation_id="sites_list",
        summary="Job sites and their connection state",
        responses=s.SitesSerializer,
        tags=["search"],
    )
    def get(self, request: Request) -> Response:
        rows = [
            {
                "site": row.site,
                "state": row.state,
                "valid_until": row.valid_until,
                "detail": row.detail,
                "connect_url": reverse("recruiting:connect", kwargs={"site": row.site.value}),
            }
            for row in selectors.job_sites_overview(recruiter=self.recruiter)
        ]
        return Response(s.SitesSerializer({"sites": rows}).data)


class SearchView(ApiView):
    """Search every connected job site (or page through an earlier search)."""

    throttle_scope = "search"
    error_codes = (Code.FAILED_PRECONDITION,)
    # Its answer holds no float (see core.api.renderers).
    renderer_classes = [OrjsonRenderer]

    @extend_schema(
        operation_id="search",
        summary="Search resumes on every connected job site",
        description=(
            "A new search (query and filters) or another page of one (cursor). "
            "Sites that fail are listed in `site_errors` and the answer holds the others' "
            "results: the only call that answers with partial success. No connected site "
            "answers FAILED_PRECONDITION; a bad query, a forged, expired or foreign cursor "
            "INVALID_ARGUMENT."
        ),
        request=s.SearchRequestSerializer,
        responses=s.SearchResponseSerializer,
        tags=["search"],
    )
    def post(self, request: Request) -> Response:
        data = _valid(s.SearchRequestSerializer, request.data)
        if "cursor" in data:
            result = search_service.search_page(recruiter=self.recruiter, cursor=data["cursor"])
        else:
            query = SearchQuery(
                text=data["query"],
                region=data.get("region") or None,
                salary_from=data.get("salary_from"),
                salary_to=data.get("salary_to"),
                order=Order(data["order"]),
            )
            result = search_service.search_start(
                recruiter=self.recruiter, query=query, page_size=data.get("page_size")
            )
        # SearchResponseSerializer describes this answer; it is written out
        # without the serializer (see recruiting.api.search_answer).
        return Response(search_data(search_answer(result)))


# The job site's failures, as `messages.contacts_error` names them, and a site not connected.
SITE_ERROR_DESCRIPTION = (
    "No access on the job site answers PERMISSION_DENIED with the message naming the site; "
    "the resume gone NOT_FOUND; the site down or slow UNAVAILABLE; the site not connected "
    "or its connection to be renewed FAILED_PRECONDITION (details.reason: not_connected, "
    "reconnect); a malformed URN INVALID_ARGUMENT."
)


class ResumeView(ApiView):
    """One resume by URN: stored copy or the site's, with contacts and application."""

    error_codes = (Code.FAILED_PRECONDITION,)

    @extend_schema(
        operation_id="resume_get",
        summary="The full resume",
        description=(
            "The organization's stored copy when it has one (no site call), else read from "
            "the job site (hh.ru; SuperJob shows the resume only together with paid contacts, "
            "so `resume` is null until they are opened). " + SITE_ERROR_DESCRIPTION
        ),
        parameters=[URN_PARAMETER],
        responses=s.ResumeSerializer,
        tags=["resumes"],
    )
    def get(self, request: Request, urn: str) -> Response:
        shown = resumes_service.resume_get(recruiter=self.recruiter, urn=urn)
        taken = applications_for_urns(self.organization_id, [shown.urn])
        card = shown.card
        hidden = set(card.hidden_fields) & CONTACT_FIELDS if card else set()
        body = {
            "urn": shown.urn,
            "site": shown.site,
            "site_label": shown.site.label,
            "stored": shown.cached,
            "resume": card,
            "hidden_contacts": sorted(hidden),
            "contacts_open": shown.contacts is not None or bool(card and card.contacts_open),
            "contacts_known": shown.contacts is not None,
            "contacts": shown.contacts,
            "application": taken.get(shown.urn),
        }
        return Response(s.ResumeSerializer(body).data)


class ResumeContactsView(ApiView):
    """Open a resume's contacts for the organization, at most once."""

    throttle_scope = "contacts"
    error_codes = (Code.FAILED_PRECONDITION,)

    @extend_schema(
        operation_id="resume_contacts_open",
        summary="Open the contacts of a resume",
        description=(
            "Answers the contacts. Contacts the organization already has (opened by a "
            "colleague, or known in a subsystem) are answered without a site call; otherwise "
            "the site is called once per organization and resume, even for concurrent "
            "requests. Contacts the candidate hid need `confirm_hidden: true`: without it "
            "the answer is FAILED_PRECONDITION with details.reason `hidden_fields` and "
            "details.hidden listing them. No paid views left: RESOURCE_EXHAUSTED. "
            + SITE_ERROR_DESCRIPTION
        ),
        parameters=[URN_PARAMETER],
        request=s.ContactsOpenSerializer,
        responses=s.KnownContactsSerializer,
        tags=["resumes"],
    )
    def post(self, request: Request, urn: str) -> Response:
        data = _valid(s.ContactsOpenSerializer, request.data)
        opened = contacts_service.contacts_open(
            recruiter=self.recruiter, urn=urn, confirm_hidden=data["confirm_hidden"]
        )
        return Response(s.KnownContactsSerializer(opened).data)


class ApplicationListView(ApiView):
    """The organization's applications, newest first."""

    @extend_schema(
        operation_id="applications_list",
        summary="The organization's applications",
        parameters=[s.WorkspaceListQuerySerializer],
        responses=s.ApplicationListSerializer,
        tags=["applications"],
    )
    def get(self, request: Request) -> Response:
        query = _valid(s.WorkspaceListQuerySerializer, self.query)
        filters = ApplicationFilter(
            scope=query["scope"],
            state=query.get("state", ""),
            subsystem=query.get("subsystem", ""),
            text=query.get("q", ""),
        )
        rows = applications_filtered(recruiter=self.recruiter, filters=filters)
        if query.get("status"):
            rows = rows.filter(status=query["status"])
        page = rows[query["offset"] : query["offset"] + query["limit"]]
        results = [application_info(app) for app in page]
        return Response(
            s.ApplicationListSerializer({"count": rows.count(), "results": results}).data
        )


class ResumeApplicationsView(ApiView):
    """Applications of one resume: its history, and taking it into work."""

    error_codes = (
        Code.ALREADY_EXISTS,
        Code.FAILED_PRECONDITION,
        Code.DEADLINE_EXCEEDED,
    )

    @extend_schema(
        operation_id="resume_applications_list",
        summary="The organization's applications for a resume",
        parameters=[URN_PARAMETER, s.ApplicationListQuerySerializer],
        responses=s.ApplicationListSerializer,
        tags=["applications"],
    )
    def get(self, request: Request, urn: str) -> Response:
        urn = urn_validate(urn)
        query = _valid(s.ApplicationListQuerySerializer, self.query)
        total, rows = applications_list(
            self.organization_id,
            urn=urn,
            status=query.get("status"),
            limit=query["limit"],
            offset=query["offset"],
        )
        return Response(s.ApplicationListSerializer({"count": total, "results": rows}).data)

    @extend_schema(
        operation_id="resume_applications_create",
        summary="Take a resume into work in a subsystem",
        description=(
            "Creates an amoCRM lead or a Tracker issue, exactly once. Taken by a colleague "
            "answers ALREADY_EXISTS naming who and the status; the same recruiter again gets "
            "their application back. Contacts not open yet or the subsystem not configured: "
            "FAILED_PRECONDITION. An ambiguous subsystem failure (UNAVAILABLE, "
            "DEADLINE_EXCEEDED) is safe to retry."
        ),
        parameters=[URN_PARAMETER],
        request=s.ApplicationCreateSerializer,
        responses={
            201: OpenApiResponse(s.ApplicationSerializer, description="The open application")
        },
        tags=["applications"],
    )
    def post(self, request: Request, urn: str) -> Response:
        urn = urn_validate(urn)
        data = _valid(s.ApplicationCreateSerializer, request.data)
        app = applications_service.resume_take(
            recruiter=self.recruiter,
            urn=urn,
            subsystem=data["subsystem"],
            pipeline_id=data.get("pipeline_id"),
            status_id=data.get("status_id"),
            queue=data.get("queue") or "",
            card_urns=data.get("card_urns") or (),
        )
        body = s.ApplicationSerializer(application_info(app)).data
        return Response(body, status=status.HTTP_201_CREATED)
