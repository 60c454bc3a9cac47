"""The support chat control panel: shard state, the shard map, the job's page."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.admin import PROPERTY_HELP, IdSearchMixin
from core.admin_input import SafeModelAdmin
from core.jobs import run_outcome
from core.models import JobRun
from core.numbers import parse_int
from core.services import job_enqueue
from supportchat import selectors
from supportchat.models import ClientFeature, ClientShard, SupportChatRun
from supportchat.shards import shards

PROPERTY_HELP[selectors.WATERMARK] = _(
    "Modification time (ISO 8601, e.g. 2024-03-01T10:15:42+00:00) of the YT exclusion table "
    "the support chat job last applied; a run does nothing while the table's modification "
    "time equals it. Pause knob: set a time in the future and the job does nothing until then "
    "(its page then says 'paused until …'). To resume, set a past time or clear it: the next "
    "run syncs the table again, edits made during the pause included."
)


class ShardFilter(admin.SimpleListFilter):
    """Which shard the list shows (one at a time: each shard is its own database)."""

    title = _("shard")
    parameter_name = "shard"

    def lookups(self, request, model_admin):
        return [(str(number), f"{number} ({alias})") for number, alias in shards().items()]

    def choices(self, changelist):
        current = str(shard_in(self.value()))
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        return queryset  # ClientFeatureAdmin.get_queryset already picked the database


def shard_in(value: str | None) -> int:
    """The shard a request names (`shard=N`), else the first one."""
    configured = shards()
    if (number := parse_int(value)) in configured:
        return number
    return min(configured)


@admin.register(ClientFeature)
class ClientFeatureAdmin(IdSearchMixin, SafeModelAdmin):
    """Read-only: only the job changes rows, so every change keeps its provenance."""

    list_display = [
        "client_id",
        "feature",
        "is_enabled",
        "updated_at",
        "run_link",
        "source_version",
    ]
    list_filter = [ShardFilter, "feature", "is_enabled"]
    search_fields = ["=client_id"]
    ordering = ["client_id"]

    def get_queryset(self, request: HttpRequest):
        alias = shards()[self._shard(request)]
        return super().get_queryset(request).using(alias)

    @staticmethod
    def _shard(request: HttpRequest) -> int:
        value = request.GET.get("shard")
        if value is None:
            # The change page keeps the list's filters in _changelist_filters.
            preserved = parse_qs(request.GET.get("_changelist_filters", ""))
            value = next(iter(preserved.get("shard") or []), None)
        return shard_in(value)

    @admin.display(description=_("changed by run"))
    def run_link(self, obj: ClientFeature):
        if obj.changed_by_run is None:
            return "—"
        url = reverse("admin:supportchat_supportchatrun_change", args=[obj.changed_by_run])
        return format_html('<a href="{}">#{}</a>', url, obj.changed_by_run)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ClientShard)
class ClientShardAdmin(IdSearchMixin, SafeModelAdmin):
    list_display = ["client_id", "shard"]
    list_filter = ["shard"]
    search_fields = ["=client_id"]
    ordering = ["client_id"]


# The run's counters (JobRun.counters keys) and their column headers.
COUNTERS = {
    "listed": _("listed"),
    "disabled_before": _("disabled before"),
    "to_disable": _("to disable"),
    "to_enable": _("to enable"),
    "unknown": _("unknown clients"),
    "applied": _("applied"),
}


@admin.register(SupportChatRun)
class SupportChatRunAdmin(SafeModelAdmin):
    """The job's page: status, schedule, pause state, run history with plans."""

    list_display = ["started_at", "outcome", "trigger", "dry_run", "finished_at", *COUNTERS]
    list_filter = ["status", "trigger", "dry_run"]
    date_hierarchy = "started_at"
    search_fields = ["message", "error"]
    fields = readonly_fields = (
        "job",
        "status",
        "trigger",
        "dry_run",
        "started_at",
        "finished_at",
        "message",
        "error",
        "counters",
        "plan",
    )
    change_list_template = "admin/supportchat/supportchatrun/change_list.html"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).filter(job=selectors.JOB)

    @admin.display(description=_("status"), ordering="status")
    def outcome(self, obj: SupportChatRun) -> str:
        """A paused or unchanged run did nothing: "skipped", never a plain success."""
        return str(run_outcome(obj))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("run/", view(require_POST(self.run_now)), name="supportchat_run_now"),
            path("dry-run/", view(require_POST(self.dry_run)), name="supportchat_dry_run"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        context = {"status": selectors.job_status(now=timezone.now()), **(extra_context or {})}
        return super().changelist_view(request, context)

    def run_now(self, request: HttpRequest):
        return self._enqueue(request, dry_run=False)

    def dry_run(self, request: HttpRequest):
        return self._enqueue(request, dry_run=True)

    def _enqueue(self, request: HttpRequest, *, dry_run: bool):
        # A dry run changes nothing: viewing job runs is enough to ask for one.
        if not request.user.has_perm("core.view_jobrun" if dry_run else "core.run_job"):
            raise PermissionDenied
        job_enqueue(name=selectors.JOB, trigger=JobRun.Trigger.ADMIN, dry_run=dry_run)
        message = _("Dry run queued.") if dry_run else _("Run queued.")
        self.message_user(request, message)
        return HttpResponseRedirect(reverse("admin:supportchat_supportchatrun_changelist"))

    @admin.display(description=_("plan"))
    def plan(self, obj: SupportChatRun):
        return format_html("<pre>{}</pre>", json.dumps(obj.details, indent=2, ensure_ascii=False))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def _counter(name: str, title):
    @admin.display(description=title)
    def column(self, obj: SupportChatRun):
        return obj.counters.get(name, "—")

    return column


for _name, _title in COUNTERS.items():
    setattr(SupportChatRunAdmin, _name, _counter(_name, _title))
