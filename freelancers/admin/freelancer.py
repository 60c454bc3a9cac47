"""The control panel: freelancers, their certificates and card history."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import errors
from core.admin import IdSearchMixin
from core.admin_input import SafeModelAdmin
from core.models import JobRun
from freelancers import page_cache, selectors, services
from freelancers.models import Certificate, Freelancer, FreelancerCard


class ExpiresSoonFilter(admin.SimpleListFilter):
    title = _("last current certificate")
    parameter_name = "expires"

    def lookups(self, request, model_admin):
        return [("30", _("expires within 30 days")), ("expired", _("none current"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "30":
            return queryset.filter(
                visible_until__gte=today, visible_until__lte=today + timedelta(days=30)
            )
        if self.value() == "expired":
            return queryset.exclude(visible_until__gte=today)
        return queryset


class InCatalogueFilter(admin.SimpleListFilter):
    """The catalogue's own rule (searchable, certificate current today, an
    accepted card), not the bare `is_searchable` flag."""

    title = _("in the catalogue")
    parameter_name = "in_catalogue"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        visible = selectors.visible_freelancers(today=timezone.localdate()).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=visible)
        if self.value() == "no":
            return queryset.exclude(pk__in=visible)
        return queryset


class CertificateInline(admin.TabularInline):
    model = Certificate
    fields = readonly_fields = ("external_id", "kind", "confirmed_on", "due_on", "first_seen_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CardHistoryInline(admin.TabularInline):
    """Every version of the card, newest first (the history)."""

    model = FreelancerCard
    fk_name = "freelancer"
    verbose_name_plural = _("card versions")
    fields = readonly_fields = (
        "open",
        "version",
        "status",
        "decline_reason",
        "moderated_by",
        "moderated_at",
        "created_at",
    )
    ordering = ["-version"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("version"))
    def open(self, obj: FreelancerCard) -> str:
        url = reverse("admin:freelancers_freelancercard_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("open"))


@admin.register(Freelancer)
class FreelancerAdmin(IdSearchMixin, SafeModelAdmin):
    list_display = [
        "uid",
        "full_name",
        "region",
        "in_catalogue",
        "user",
        "visible_until",
        "visibility_text",
        "certificates_synced_at",
    ]
    list_filter = [InCatalogueFilter, ExpiresSoonFilter, "region"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    search_fields = ["=uid", "=client_id", "first_name", "last_name"]
    readonly_fields = [
        "is_searchable",
        "visible_until",
        "visibility_text",
        "certificates_synced_at",
        "accepted_card",
        "created_at",
        "updated_at",
    ]
    fields = ["uid", "client_id", "first_name", "last_name", "region", "user", *readonly_fields]
    inlines = [CertificateInline, CardHistoryInline]
    actions = ["sync_certificates", "invite"]

    @admin.display(description=_("in the catalogue"), boolean=True)
    def in_catalogue(self, obj: Freelancer) -> bool:
        today = timezone.localdate()
        until = obj.visible_until
        return bool(obj.is_searchable and obj.accepted_card_id and until and until >= today)

    @admin.display(description=_("visibility reason"))
    def visibility_text(self, obj: Freelancer) -> str:
        return obj.visibility_text

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # A name or region the public catalogue shows may have changed.
        transaction.on_commit(page_cache.catalogue_changed)

    @admin.action(
        description=_("Sync certificates of the selected freelancers now"), permissions=["run_job"]
    )
    def sync_certificates(self, request: HttpRequest, queryset) -> None:
        uids = list(queryset.values_list("uid", flat=True))
        try:
            report = services.freelancer_certificates_sync(uids=uids, trigger=JobRun.Trigger.ADMIN)
        except errors.ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        c = report.counters
        text = _(
            "Synced %(n)d freelancers: %(shown)d shown, %(hidden)d hidden, "
            "%(added)d certificates added, %(failed)d batches failed."
        ) % {
            "n": c.get("freelancers", 0),
            "shown": c.get("freelancers_shown", 0),
            "hidden": c.get("freelancers_hidden", 0),
            "added": c.get("certificates_added", 0),
            "failed": c.get("batches_failed", 0),
        }
        self.message_user(request, text, messages.WARNING if report.partial else messages.SUCCESS)

    @admin.action(description=_("Invite by e-mail"), permissions=["change"])
    def invite(self, request: HttpRequest, queryset) -> None:
        """An account for each selected freelancer and a link to set its
        password; a freelancer the service refuses is named, nothing sent."""
        invited = 0
        for freelancer in queryset.order_by("pk"):
            try:
                services.freelancer_invite(freelancer=freelancer)
            except errors.ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                invited += 1
        if invited:
            self.message_user(
                request,
                _("Freelancers invited by e-mail: %(n)d.") % {"n": invited},
                messages.SUCCESS,
            )
