"""The control panel: card versions, their moderation and "Edit as a new version"."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core import errors
from core.admin import IdSearchMixin
from core.admin_input import SafeModelAdmin
from core.numbers import BIGINT_MAX, parse_int
from core.types import AuthedRequest, Text
from freelancers import selectors, services
from freelancers.forms import CardForm
from freelancers.models import FreelancerCard

Status = FreelancerCard.Status


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
        # A malformed or unknown id is left to the admin (a message, not a 500).
        card = self.get_object(request, unquote(object_id)) if object_id else None
        if card is not None:
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
        reviewed = _reviewed(request)
        return self._moderate(
            request,
            pk,
            lambda card: services.freelancer_card_accept(
                card=card, moderator=request.user, reviewed=reviewed
            ),
            _("Version %(version)s accepted."),
        )

    def decline_view(self, request: AuthedRequest, pk: int):
        reason = request.POST.get("decline_reason_input", "")
        reviewed = _reviewed(request)
        return self._moderate(
            request,
            pk,
            lambda card: services.freelancer_card_decline(
                card=card, moderator=request.user, reason=reason, reviewed=reviewed
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


def _reviewed(request: HttpRequest) -> datetime | None:
    """The card's `updated_at` on the review page the decision comes from
    (its hidden `reviewed` field); a value that is no time is one that never
    matches, so the moderator reviews again."""
    value = request.POST.get("reviewed")
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
