"""Admin for subsystem connections and applications."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core import errors
from core.admin_input import SafeModelAdmin
from core.jobs import JobLocked
from recruiting.models import Application, KnownContact, SubsystemConnection
from recruiting.services import polling, subsystems

SECRET_FIELDS = ("access_token", "refresh_token", "client_secret")


class SubsystemConnectionForm(forms.ModelForm):
    """Secrets are write-only: an empty field keeps the stored value."""

    base_url = forms.URLField(required=False, assume_scheme="https")
    redirect_uri = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = SubsystemConnection
        fields = [
            "organization",
            "subsystem",
            "is_active",
            "account",
            "base_url",
            "org_header",
            "auth_mode",
            "access_token",
            "token_expires_at",
            "refresh_token",
            "client_id",
            "client_secret",
            "redirect_uri",
            "pipeline_id",
            "status_id",
            "link_field_id",
            "queues",
            "closed_statuses",
        ]
        widgets = {name: forms.PasswordInput(render_value=False) for name in SECRET_FIELDS}
        help_texts = {
            "link_field_id": _(
                "amoCRM only, required: a text or URL custom field of leads that receives "
                "the resume link."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            if self.instance.pk and getattr(self.instance, name):
                self.fields[name].help_text = _("Stored (encrypted). Leave empty to keep it.")

    def clean(self):
        data = super().clean()
        for name in SECRET_FIELDS:
            if not data.get(name) and self.instance.pk:
                data[name] = getattr(self.instance, name)
        return data


@admin.register(SubsystemConnection)
class SubsystemConnectionAdmin(SafeModelAdmin):
    form = SubsystemConnectionForm
    list_display = [
        "organization",
        "subsystem",
        "account",
        "is_active",
        "auth_mode",
        "token_expires_at",
        "catalogue_updated_at",
        "last_error",
    ]
    list_filter = ["subsystem", "is_active", "auth_mode"]
    list_select_related = ["organization"]
    search_fields = ["account", "organization__name"]
    readonly_fields = [
        "catalogue",
        "catalogue_updated_at",
        "last_error",
        "created_at",
        "updated_at",
    ]
    actions = ["check_connection", "poll_now"]

    @admin.action(
        description=_("Check connection and read pipelines / queues"), permissions=["change"]
    )
    def check_connection(self, request, queryset):
        for connection in queryset:
            try:
                subsystems.connection_catalogue_refresh(connection=connection)
            except errors.ServiceError as exc:
                self.message_user(request, f"{connection}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(c)s: connection works.") % {"c": connection})

    @admin.action(description=_("Poll open applications now"), permissions=["run_job"])
    def poll_now(self, request, queryset):
        ids = list(Application.objects.filter(connection__in=queryset).values_list("pk", flat=True))
        _poll(self, request, ids)


def _poll(model_admin, request, ids: list[int]) -> None:
    try:
        run = polling.applications_poll_now(application_ids=ids)
    except JobLocked:
        model_admin.message_user(
            request, _("A poll is already running; try again in a minute."), messages.WARNING
        )
        return
    level = messages.SUCCESS if run.status == "success" else messages.WARNING
    model_admin.message_user(
        request,
        _("Poll finished: %(s)s %(c)s %(m)s")
        % {"s": run.status, "c": run.counters, "m": run.message},
        level,
    )


@admin.register(Application)
class ApplicationAdmin(SafeModelAdmin):
    list_display = [
        "resume_urn",
        "organization",
        "subsystem",
        "application_id",
        "status",
        "external_status_display",
        "is_deleted_externally",
        "recruiter",
        "polled_at",
        "created_at",
    ]
    list_filter = ["subsystem", "status", "is_deleted_externally", "organization"]
    list_select_related = ["organization", "recruiter", "connection"]
    search_fields = ["resume_urn", "application_id", "recruiter__username", "idempotency_key"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Application._meta.fields]
    actions = ["poll_now"]

    def has_add_permission(self, request) -> bool:
        return False  # created by "take into work" only

    def has_delete_permission(self, request, obj=None) -> bool:
        # The only trace of a deal or an issue in the subsystem; its marker
        # keeps the next take from adopting it again.
        return False

    @admin.action(description=_("Poll status now"), permissions=["run_job"])
    def poll_now(self, request, queryset):
        _poll(self, request, list(queryset.values_list("pk", flat=True)))


@admin.register(KnownContact)
class KnownContactAdmin(SafeModelAdmin):
    list_display = ["resume_urn", "organization", "source", "updated_at"]
    list_filter = ["source", "organization"]
    search_fields = ["resume_urn"]
    readonly_fields = ["organization", "resume_urn", "source", "contacts", "updated_at"]
