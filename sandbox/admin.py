from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin_input import SafeModelAdmin
from sandbox.models import EmulatedCertificate, FaultConfig, OAuthToken, ResumeEvent, YtTable


@admin.register(FaultConfig)
class FaultConfigAdmin(SafeModelAdmin):
    list_display = [
        "system",
        "latency_ms",
        "error_rate",
        "error_status",
        "malformed_rate",
        "fail_next",
        "updated_at",
    ]
    list_editable = ["latency_ms", "error_rate", "error_status", "malformed_rate", "fail_next"]


@admin.register(YtTable)
class YtTableAdmin(SafeModelAdmin):
    list_display = ["path", "is_present", "modification_time", "revision", "row_count"]
    list_editable = ["is_present"]
    search_fields = ["path"]
    readonly_fields = ["revision", "created_at"]

    @admin.display(description=_("rows"))
    def row_count(self, obj: YtTable) -> int:
        return len(obj.row_lines())

    def save_model(self, request, obj, form, change):
        # Any edit is a new revision; changed rows bump the modification time
        # unless the operator set it by hand.
        if change:
            obj.revision += 1
            if "rows" in form.changed_data and "modification_time" not in form.changed_data:
                obj.modification_time = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(OAuthToken)
class OAuthTokenAdmin(SafeModelAdmin):
    list_display = ["system", "expires_at", "refreshed", "revoked", "created_at"]
    list_filter = ["system", "refreshed", "revoked"]
    list_editable = ["revoked"]
    exclude = ["access_token", "refresh_token"]


@admin.register(ResumeEvent)
class ResumeEventAdmin(SafeModelAdmin):
    list_display = ["system", "kind", "resume_id", "created_at"]
    list_filter = ["system", "kind"]


@admin.register(EmulatedCertificate)
class EmulatedCertificateAdmin(SafeModelAdmin):
    list_display = ["uid", "certificate_id", "kind", "confirmed_date", "due_date"]
    list_filter = ["kind"]
    search_fields = ["=uid", "certificate_id"]
