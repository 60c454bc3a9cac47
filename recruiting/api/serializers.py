"""Serializers of the recruiting API: request bodies in, plain dataclasses out.

Input serializers check types and bounds only; the services check meaning
(e.g. a salary range, a cursor) and raise InvalidArgument themselves, so the
pages and the API refuse the same things with the same words.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from recruiting.adapters.base import JobSite, Order
from recruiting.domain import REGIONS
from recruiting.messages import CONTACT_FIELDS
from recruiting.models import Application, Subsystem
from recruiting.services.search_query import MAX_PAGE_SIZE, MAX_SALARY

SITE_CHOICES = [site.value for site in JobSite]
CONNECTION_STATES = ["not_connected", "connected", "expired", "reconnect"]
SITE_STATES = ["ok", "failed", "timeout", "reconnect", "limit", "denied"]
# The gRPC status of a failed site, by the search's site state.
SITE_ERROR_CODES = {
    "reconnect": "UNAUTHENTICATED",
    "denied": "PERMISSION_DENIED",
    "limit": "RESOURCE_EXHAUSTED",
    "timeout": "DEADLINE_EXCEEDED",
    "failed": "UNAVAILABLE",
}
# Long enough for any query the service accepts, short enough to refuse a flood early.
MAX_QUERY_INPUT = 1000
MAX_CURSOR = 1000


class Nullable(serializers.Field):
    """A nested object or null (read only).

    drf-spectacular documents `allow_null` nested serializers as
    `allOf: [$ref], nullable: true`, which OpenAPI 3.0 validators read as "the
    referenced object, never null"; `NullableScheme` documents it as one of
    the object or null instead, so the schema check accepts both.
    """

    def __init__(self, serializer: serializers.Serializer, **kwargs):
        self.inner = serializer
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return self.inner.to_representation(value)


class NullableScheme(OpenApiSerializerFieldExtension):
    target_class = Nullable

    def map_serializer_field(self, auto_schema, direction):
        component = auto_schema.resolve_serializer(self.target.inner, direction)
        schema = {"oneOf": [component.ref, {"type": "object", "nullable": True, "enum": [None]}]}
        if self.target.help_text:
            schema["description"] = str(self.target.help_text)
        return schema


# --- GET sites ------------------------------------------------------------------


class SiteConnectionSerializer(serializers.Serializer):
    site = serializers.ChoiceField(choices=SITE_CHOICES, help_text="URN namespace of the site")
    label = serializers.CharField(source="site.label")  # type: ignore[assignment]  # API field
    state = serializers.ChoiceField(
        choices=CONNECTION_STATES,
        help_text="expired: renewed automatically on use; reconnect: connect it again",
    )
    valid_until = serializers.DateTimeField(allow_null=True)
    detail = serializers.CharField(allow_blank=True)
    connect_url = serializers.CharField(help_text="Page that starts the OAuth connection")


class SitesSerializer(serializers.Serializer):
    sites = SiteConnectionSerializer(many=True)


# --- POST search ----------------------------------------------------------------


class SearchRequestSerializer(serializers.Serializer):
    """A new search (`query` and filters), or another page of one (`cursor` alone)."""

    query = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_QUERY_INPUT,
        help_text="What to search for (at most 200 characters after trimming)",
    )
    region = serializers.ChoiceField(choices=list(REGIONS), required=False, allow_null=True)
    salary_from = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_SALARY, help_text="RUB"
    )
    salary_to = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_SALARY, help_text="RUB"
    )
    order = serializers.ChoiceField(
        choices=[o.value for o in Order], required=False, default=Order.RELEVANCE.value
    )
    page_size = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text="Resumes per page (a merged card counts each); kept for the whole search",
    )
    cursor = serializers.CharField(
        required=False,
        max_length=MAX_CURSOR,
        help_text="next_cursor or prev_cursor of an earlier answer; other fields are then ignored",
    )

    def validate(self, data: dict) -> dict:
        if "cursor" not in data and "query" not in data:
            raise serializers.ValidationError({"query": [_("Enter what to search for.")]})
        return data


class MoneySerializer(serializers.Serializer):
    amount = serializers.IntegerField()
    currency = serializers.CharField(help_text="ISO 4217 code")


class ContactsSerializer(serializers.Serializer):
    phones = serializers.ListField(child=serializers.CharField())
    emails = serializers.ListField(child=serializers.CharField())
    other = serializers.ListField(child=serializers.CharField())


class ResumeCardSerializer(serializers.Serializer):
    """One site's resume inside a card; hidden fields are null."""

    urn = serializers.CharField()
    site = serializers.ChoiceField(choices=SITE_CHOICES)
    resume_id = serializers.CharField()
    title = serializers.CharField(allow_null=True)
    url = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    age = serializers.IntegerField(allow_null=True)
    birth_date = serializers.DateField(allow_null=True)
    gender = serializers.CharField(allow_null=True)
    city = serializers.CharField(allow_null=True)
    salary = Nullable(MoneySerializer(), help_text="Expected salary; null when not stated")
    last_position = serializers.CharField(allow_null=True)
    last_employer = serializers.CharField(allow_null=True)
    education = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField()
    contacts_open = serializers.BooleanField()
    contacts = Nullable(ContactsSerializer(), help_text="Null when not in the search answer")


class ApplicationSerializer(serializers.Serializer):
    """A candidate taken into work: where, its status, and who took it."""

    resume_urn = serializers.CharField()
    subsystem = serializers.ChoiceField(choices=Subsystem.values)
    subsystem_label = serializers.CharField()
    application_id = serializers.CharField(allow_blank=True, help_text="Empty while pending")
    status = serializers.ChoiceField(choices=Application.Status.values)
    status_label = serializers.CharField(help_text="The subsystem's own status name")
    recruiter = serializers.CharField(help_text="Who took the candidate into work")
    is_deleted_externally = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class CardSerializer(serializers.Serializer):
    """One person: resumes from every site that has them, merged."""

    key = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    contacts_open = serializers.BooleanField(help_text="Contacts are open on some site")
    updated_at = serializers.DateTimeField()
    salary_rub = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "A salary in a foreign currency, in roubles at the rates the salary order uses; "
            "null for roubles or an unknown rate"
        ),
    )
    resumes = ResumeCardSerializer(many=True)
    application = Nullable(
        ApplicationSerializer(), help_text="The organization's application for any of these resumes"
    )


class SiteStatusSerializer(serializers.Serializer):
    site = serializers.ChoiceField(choices=SITE_CHOICES)
    state = serializers.ChoiceField(choices=SITE_STATES)
    found = serializers.IntegerField(allow_null=True)
    message = serializers.CharField(allow_blank=True)
    depth_limited = serializers.BooleanField(
        help_text="The site allows no deeper paging; refine the query to see more"
    )


class SiteErrorSerializer(serializers.Serializer):
    site = serializers.ChoiceField(choices=SITE_CHOICES)
    code = serializers.ChoiceField(choices=sorted(set(SITE_ERROR_CODES.values())))
    message = serializers.CharField()


class SearchResponseSerializer(serializers.Serializer):
    cards = CardSerializer(many=True)
    page = serializers.IntegerField(help_text="0-based")
    cursor = serializers.CharField(help_text="This page again")
    next_cursor = serializers.CharField(allow_null=True)
    prev_cursor = serializers.CharField(allow_null=True)
    sites = SiteStatusSerializer(many=True)
    site_errors = SiteErrorSerializer(
        many=True, help_text="Sites that failed: the answer holds the other sites' results"
    )


# --- applications ---------------------------------------------------------------


class ApplicationListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Application.Status.values, required=False, help_text="Omitted: any"
    )
    limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=200)
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=1_000_000)


class WorkspaceListQuerySerializer(ApplicationListQuerySerializer):
    """The organization's list, filtered as the "My candidates" page filters it."""

    scope = serializers.ChoiceField(
        choices=["organization", "mine"], required=False, default="organization"
    )
    state = serializers.ChoiceField(
        choices=["open", "closed"],
        required=False,
        help_text="open: pending or open; omitted: both",
    )
    subsystem = serializers.ChoiceField(
        choices=Subsystem.values, required=False, help_text="Omitted: any"
    )
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Part of the candidate's name"
    )


class ApplicationListSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="All matching applications")
    results = ApplicationSerializer(many=True)


class ApplicationCreateSerializer(serializers.Serializer):
    subsystem = serializers.ChoiceField(choices=Subsystem.values)
    pipeline_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="amoCRM; default: the org's"
    )
    status_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="amoCRM stage"
    )
    queue = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Tracker queue key"
    )
    card_urns = serializers.ListField(
        child=serializers.CharField(max_length=120),
        required=False,
        max_length=2,
        help_text=(
            "The other resumes of the same merged card (at most one per job site): "
            "an active application on any of them answers ALREADY_EXISTS"
        ),
    )


# --- resumes and contacts -------------------------------------------------------

CONTACT_SOURCES = ["site", *Subsystem.values]


class KnownContactsSerializer(serializers.Serializer):
    """Contacts the organization has for a resume (opened, or known in a subsystem)."""

    urn = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    phones = serializers.ListField(child=serializers.CharField())
    emails = serializers.ListField(child=serializers.CharField())
    other = serializers.ListField(child=serializers.CharField())
    source = serializers.ChoiceField(  # type: ignore[assignment]  # the API field, not Field.source
        choices=CONTACT_SOURCES,
        help_text="site: opened on the job site; otherwise the subsystem that knows them",
    )
    opened_by = serializers.CharField(
        allow_blank=True, help_text="Who opened them on the site; empty for a subsystem"
    )
    updated_at = serializers.DateTimeField()


class ResumeSerializer(serializers.Serializer):
    """One resume by URN: the resume itself, its contacts and its application."""

    urn = serializers.CharField()
    site = serializers.ChoiceField(choices=SITE_CHOICES)
    site_label = serializers.CharField()
    stored = serializers.BooleanField(
        help_text="Shown from the organization's stored copy, without a site call"
    )
    resume = Nullable(
        ResumeCardSerializer(),
        help_text="Null when the site shows the resume only together with paid contacts (SuperJob)",
    )
    hidden_contacts = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(CONTACT_FIELDS)),
        help_text="Contact fields the candidate hid (hh.ru); opening still spends a paid view",
    )
    contacts_open = serializers.BooleanField(
        help_text="Contacts are known to the organization or already open on the site (free)"
    )
    contacts_known = serializers.BooleanField(
        help_text="The organization has the contacts: `contacts` holds them"
    )
    contacts = Nullable(KnownContactsSerializer(), help_text="Null until the contacts are known")
    application = Nullable(
        ApplicationSerializer(), help_text="The organization's application for this resume"
    )


class ContactsOpenSerializer(serializers.Serializer):
    confirm_hidden = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Open even though the candidate hid some contacts (spends a paid view)",
    )
