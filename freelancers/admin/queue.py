"""The control panel: the moderation queue (cards waiting for a decision)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import errors
from core.admin import IdSearchMixin
from core.admin_input import SafeModelAdmin
from core.types import AuthedRequest
from freelancers import services
from freelancers.forms import DeclineReasonForm
from freelancers.models import CardOnModeration, FreelancerCard

Status = FreelancerCard.Status


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
