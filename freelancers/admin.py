"""The control panel: freelancers, their certificates, card moderation."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core import errors
from core.admin import IdSearchMixin
from core.admin_input import SafeModelAdmin
from core.models import JobRun
from core.numbers import BIGINT_MAX, parse_int
from core.types import AuthedRequest, Text
from freelancers import selectors, services
from freelancers.forms import CardForm, DeclineReasonForm
from freelancers.models import CardOnModeration, Certificate, Freelancer, FreelancerCard

Status = FreelancerCard.Status


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
    actions = ["sync_certificates"]

    @admin.display(description=_("in the catalogue"), boolean=True)
    def in_catalogue(self, obj: Freelancer) -> bool:
        today = timezone.localdate()
        until = obj.visible_until
        return bool(obj.is_searchable and obj.accepted_card_id and until and until >= today)

    @admin.display(description=_("visibility reason"))
    def visibility_text(self, obj: Freelancer) -> str:
        return obj.visibility_text

    @admin.action(description=_("Sync certificates of the selected freelancers now"))
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


@admin.register(FreelancerCard)
class FreelancerCardAdmin(IdSearchMixin, SafeModelAdmin):
    """All versions. Only drafts are editable; anything else is read-only, and
    a change is made as a new version ("Edit as a new version")."""

    form = CardForm
    list_display = ["freelancer", "version", "status", "created_at", "moderated_by", "moderated_at"]
    list_filter = ["status"]
    list_select_related = ["freelancer", "moderated_by"]
    search_fields = ["=freelancer__uid", "freelancer__last_name", "about"]
    autocomplete_fields = ["freelancer"]
    change_form_template = "admin/freelancers/freelancercard/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["version", "status"]
        return [
            "freelancer",
            "version",
            "status",
            "decline_reason",
            "moderated_by",
            "moderated_at",
            "restored_from",
        ]

    def get_fields(self, request, obj=None):
        fields = ["freelancer", "about", "photo", "phone", "email", "site", "messenger"]
        if obj is None or obj.status == Status.DRAFT:
            return [*fields, "submit"]
        return [*fields, "version", "status", "decline_reason", "moderated_by", "moderated_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.status == Status.DRAFT)

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and obj is not None and obj.status == Status.DRAFT

    def get_changeform_initial_data(self, request):
        """ "Edit as a new version": `?copy=<pk>` starts from that version."""
        initial = super().get_changeform_initial_data(request)
        pk = parse_int(request.GET.get("copy"), max_value=BIGINT_MAX)
        source = FreelancerCard.objects.filter(pk=pk).first() if pk is not None else None
        if source is not None:
            initial["freelancer"] = source.freelancer_id
            for name in ("about", "phone", "email", "site", "messenger"):
                initial[name] = getattr(source, name)
        return initial

    def _copy_source(self, request, freelancer) -> FreelancerCard | None:
        """The version `?copy=<pk>` names, when it belongs to `freelancer`."""
        pk = parse_int(request.GET.get("copy"), max_value=BIGINT_MAX)
        if pk is None or freelancer is None:
            return None
        return FreelancerCard.objects.filter(pk=pk, freelancer=freelancer).first()

    def save_model(self, request, obj, form, change) -> None:
        data = {name: form.cleaned_data.get(name) or "" for name in FreelancerCard.CONTENT_FIELDS}
        if not change and not data["photo"]:
            # "Edit as a new version" carries the source's photo over unless a
            # new file was uploaded.
            source = self._copy_source(request, form.cleaned_data.get("freelancer"))
            if source is not None and source.photo:
                data["photo"] = source.photo.name
        try:
            if change:
                card = services.freelancer_card_update(card=obj, **data)
                if form.cleaned_data.get("submit"):
                    services.freelancer_card_submit(card=card)
            else:
                card = services.freelancer_card_create(
                    freelancer=form.cleaned_data["freelancer"],
                    submit=bool(form.cleaned_data.get("submit")),
                    **data,
                )
                # The admin's "added" message names `obj`: make it the saved version.
                obj.pk, obj.version, obj.status = card.pk, card.version, card.status
        except errors.ServiceError as exc:
            # Validation already ran in the form; this is a race (the card
            # was moderated meanwhile). Nothing was saved.
            raise DjangoPermissionDenied(exc.message) from exc

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        if object_id:
            card = get_object_or_404(FreelancerCard, pk=object_id)
            previous = selectors.card_previous_accepted(card)
            extra.update(
                card=card,
                previous=previous,
                diff=selectors.card_diff(previous, card),
                versions=selectors.card_versions(card.freelancer_id),
                can_moderate=self._can_moderate(request),
            )
        return super().changeform_view(request, object_id, form_url, extra)

    def get_urls(self):
        view = self.admin_site.admin_view
        extra = [
            path(
                "<int:pk>/accept/",
                view(require_POST(self.accept_view)),
                name="freelancers_card_accept",
            ),
            path(
                "<int:pk>/decline/",
                view(require_POST(self.decline_view)),
                name="freelancers_card_decline",
            ),
            path(
                "<int:pk>/restore/",
                view(require_POST(self.restore_view)),
                name="freelancers_card_restore",
            ),
        ]
        return extra + super().get_urls()

    # --- moderation --------------------------------------------------------------

    def _can_moderate(self, request: HttpRequest) -> bool:
        return request.user.has_perm("freelancers.change_freelancercard")

    def _moderate(self, request: HttpRequest, pk: int, action, done: Text):
        if not self._can_moderate(request):
            raise DjangoPermissionDenied
        card = get_object_or_404(FreelancerCard, pk=pk)
        try:
            result = action(card)
        except errors.ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:freelancers_freelancercard_change", args=[pk])
            )
        self.message_user(request, done % {"version": result.version}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:freelancers_cardonmoderation_changelist"))

    def accept_view(self, request: AuthedRequest, pk: int):
        return self._moderate(
            request,
            pk,
            lambda card: services.freelancer_card_accept(card=card, moderator=request.user),
            _("Version %(version)s accepted."),
        )

    def decline_view(self, request: AuthedRequest, pk: int):
        reason = request.POST.get("decline_reason_input", "")
        return self._moderate(
            request,
            pk,
            lambda card: services.freelancer_card_decline(
                card=card, moderator=request.user, reason=reason
            ),
            _("Version %(version)s declined."),
        )

    def restore_view(self, request: AuthedRequest, pk: int):
        return self._moderate(
            request,
            pk,
            lambda card: services.freelancer_card_restore(card=card, moderator=request.user),
            _("Restored as version %(version)s."),
        )


@admin.register(CardOnModeration)
class ModerationQueueAdmin(IdSearchMixin, SafeModelAdmin):
    """The queue: cards waiting for a decision, oldest first."""

    list_display = ["freelancer", "version", "created_at", "review"]
    list_select_related = ["freelancer"]
    search_fields = ["=freelancer__uid", "freelancer__last_name"]
    ordering = ["created_at"]
    actions = ["accept_selected", "decline_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Status.ON_MODERATION)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("freelancers.view_freelancercard")

    @admin.display(description=_("review"))
    def review(self, obj: FreelancerCard) -> str:
        url = reverse("admin:freelancers_freelancercard_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("compare and decide"))

    @admin.action(description=_("Accept the selected cards"))
    def accept_selected(self, request: AuthedRequest, queryset) -> None:
        if not request.user.has_perm("freelancers.change_freelancercard"):
            raise DjangoPermissionDenied
        accepted = 0
        for card in queryset:
            try:
                services.freelancer_card_accept(card=card, moderator=request.user)
                accepted += 1
            except errors.FailedPrecondition as exc:
                self.message_user(request, exc.message, messages.WARNING)
        self.message_user(request, _("%(n)d cards accepted.") % {"n": accepted})

    @admin.action(description=_("Decline the selected cards (asks for a reason)"))
    def decline_selected(self, request: AuthedRequest, queryset):
        """First an intermediate page asking for the reason; its form posts the
        action again with `apply` and the reason, which declines every selected
        card still on moderation."""
        if not request.user.has_perm("freelancers.change_freelancercard"):
            raise DjangoPermissionDenied
        form = DeclineReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            declined = 0
            for card in queryset:
                try:
                    services.freelancer_card_decline(
                        card=card,
                        moderator=request.user,
                        reason=form.cleaned_data["decline_reason"],
                    )
                    declined += 1
                except errors.ServiceError as exc:
                    self.message_user(request, exc.message, messages.WARNING)
            self.message_user(request, _("%(n)d cards declined.") % {"n": declined})
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decline the selected cards"),
            "opts": self.model._meta,
            "cards": queryset.select_related("freelancer"),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/freelancers/decline_selected.html", context)
