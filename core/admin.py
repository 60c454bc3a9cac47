from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path, lookup_spawns_duplicates
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import IntegerField, Q
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_q.models import Schedule

from core import errors, selectors, services
from core.admin_input import SafeInputMixin, SafeModelAdmin
from core.jobs import all_jobs, get_job, run_error_text, run_message_text, run_outcome
from core.models import JobRun, Organization, Property, User
from core.numbers import BIGINT_MAX, parse_int
from core.types import Text

# The mixin reads ModelAdmin attributes; the checker sees it as one.
if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object


class IdSearchMixin(_AdminBase):
    """Search integer id columns by value, so an index serves the search.

    Django turns a `=client_id` search field into `client_id__iexact`: on
    PostgreSQL `UPPER("client_id"::text) = UPPER('102')`, which no index
    serves, so every search scans the whole table. Here an all-digits term
    filters the `=` fields on integer columns exactly (`client_id = 102`);
    any other term searches the remaining (text) fields as usual, or finds
    nothing when there are none.
    """

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        ids, texts = self._split_search_fields(request)
        if not term or not ids:
            return super().get_search_results(request, queryset, search_term)
        if (number := parse_int(term)) is not None:
            if number > BIGINT_MAX:
                return queryset.none(), False
            query = Q()
            for name in ids:
                query |= Q(**{name: number})
            duplicates = any(lookup_spawns_duplicates(self.opts, name) for name in ids)
            return queryset.filter(query), duplicates
        if not texts:
            return queryset.none(), False
        text_only = copy.copy(self)
        text_only.search_fields = texts
        return super(IdSearchMixin, text_only).get_search_results(request, queryset, search_term)

    def _split_search_fields(self, request) -> tuple[list[str], list[str]]:
        ids, texts = [], []
        for field in self.get_search_fields(request):
            name = field[1:] if field.startswith("=") else ""
            if name and isinstance(get_fields_from_path(self.model, name)[-1], IntegerField):
                ids.append(name)
            else:
                texts.append(field)
        return ids, texts


@admin.register(Organization)
class OrganizationAdmin(SafeModelAdmin):
    list_display = ["name", "is_active", "member_count", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    @admin.display(description=_("members"))
    def member_count(self, obj: Organization) -> int:
        return obj.members.count()


@admin.register(User)
class UserAdmin(SafeInputMixin, BaseUserAdmin):
    list_display = ["username", "email", "organization", "is_staff", "is_active", "last_login"]
    list_filter = ["organization", "is_staff", "is_superuser", "is_active"]
    list_select_related = ["organization"]
    search_fields = ["username", "email", "first_name", "last_name", "=passport_uid"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Organization"), {"fields": ["organization", "passport_uid"]}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Organization"), {"fields": ["email", "organization"]}),
    )


# Help texts for properties the code reads, keyed by name; apps add theirs.
PROPERTY_HELP: dict[str, Text] = {}


@admin.register(Property)
class PropertyAdmin(SafeModelAdmin):
    list_display = ["name", "value", "updated_at"]
    search_fields = ["name", "value"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None and PROPERTY_HELP:
            form.base_fields["name"].help_text = format_html_join(
                mark_safe("<br>"), "<code>{}</code>: {}", sorted(PROPERTY_HELP.items())
            )
        elif obj is not None and obj.name in PROPERTY_HELP:
            form.base_fields["value"].help_text = PROPERTY_HELP[obj.name]
        return form


def counters_html(counters: object) -> str:
    """A run's counters as labelled values, one per line; "—" when none."""
    if not isinstance(counters, dict) or not counters:
        return "—"
    return format_html_join(
        mark_safe("<br>"),
        '<span class="counter" data-counter="{}">{}: <strong>{}</strong></span>',
        ((key, str(key).replace("_", " "), value) for key, value in sorted(counters.items())),
    )


@admin.register(JobRun)
class JobRunAdmin(SafeModelAdmin):
    list_display = [
        "job",
        "outcome",
        "trigger",
        "dry_run",
        "scoped",
        "started_at",
        "finished_at",
        "counters_shown",
    ]
    list_filter = ["job", "status", "trigger", "dry_run", "scoped"]
    date_hierarchy = "started_at"
    search_fields = ["message", "error"]
    readonly_fields = [
        *(f.name for f in JobRun._meta.fields if f.name not in ("counters", "message", "error")),
        "counters_shown",
        "message_shown",
        "error_shown",
    ]

    @admin.display(description=_("status"), ordering="status")
    def outcome(self, obj: JobRun) -> str:
        """A paused or unchanged run did nothing: "skipped", never a plain success."""
        return str(run_outcome(obj))

    @admin.display(description=_("counters"))
    def counters_shown(self, obj: JobRun) -> str:
        """Each counter as "name: value" (the JSON itself is for the API and the logs)."""
        return counters_html(obj.counters)

    @admin.display(description=_("message"))
    def message_shown(self, obj: JobRun) -> str:
        """The run's messages in the reader's language (stored as codes)."""
        return run_message_text(obj) or "—"

    @admin.display(description=_("error"))
    def error_shown(self, obj: JobRun) -> str:
        return run_error_text(obj) or "—"

    change_list_template = "admin/core/jobrun/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        extra = [
            path(
                "run/<slug:job>/",
                self.admin_site.admin_view(require_POST(self.run_now)),
                name="core_jobrun_run",
            )
        ]
        return extra + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context=None):
        next_runs = dict(
            Schedule.objects.filter(name__in=[j.name for j in all_jobs()]).values_list(
                "name", "next_run"
            )
        )
        health = {h.job: h for h in selectors.jobs_overview()}
        jobs = [
            {"job": job, "health": health[job.name], "next_run": next_runs.get(job.name)}
            for job in all_jobs()
        ]
        return super().changelist_view(request, {**(extra_context or {}), "jobs": jobs})

    def run_now(self, request: HttpRequest, job: str):
        if not request.user.has_perm("core.run_job"):
            raise DjangoPermissionDenied
        try:
            get_job(job)
        except errors.NotFound:
            self.message_user(request, _("Unknown job."), messages.ERROR)
        else:
            services.job_enqueue(name=job, trigger=JobRun.Trigger.ADMIN)
            self.message_user(request, _("Run of %(job)s queued.") % {"job": job})
        return HttpResponseRedirect(reverse("admin:core_jobrun_changelist"))


admin.site.site_header = _("Recruiting platform: control panel")
admin.site.site_title = _("Control panel")
admin.site.index_title = _("Control panel")
