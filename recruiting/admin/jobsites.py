"""Admin for job-site connections, stored resumes and merge splits."""

from django.contrib import admin

from core.admin_input import SafeModelAdmin
from recruiting.models import MergeSplit, Resume, SearchSession, Token


@admin.register(Token)
class TokenAdmin(SafeModelAdmin):
    list_display = ["recruiter", "job_site", "status", "valid_until", "updated_at"]
    list_filter = ["job_site", "status"]
    list_select_related = ["recruiter"]
    search_fields = ["recruiter__username", "recruiter__email"]
    # Token values never show in the control panel.
    exclude = ["access_token", "refresh_token"]
    readonly_fields = ["recruiter", "job_site", "valid_until", "refreshing_until", "status_detail"]


@admin.register(Resume)
class ResumeAdmin(SafeModelAdmin):
    list_display = ["urn", "organization", "opened_by", "created_at", "updated_at"]
    list_filter = ["organization"]
    list_select_related = ["organization", "opened_by"]
    search_fields = ["urn"]
    exclude = ["contacts", "resume"]  # personal data stays out of the admin
    readonly_fields = [
        "organization",
        "urn",
        "opened_by",
        "opening_until",
        "created_at",
        "updated_at",
    ]


@admin.register(MergeSplit)
class MergeSplitAdmin(SafeModelAdmin):
    list_display = ["recruiter", "urn_a", "urn_b", "created_at"]
    list_select_related = ["recruiter"]
    search_fields = ["urn_a", "urn_b", "recruiter__username"]


@admin.register(SearchSession)
class SearchSessionAdmin(SafeModelAdmin):
    list_display = ["pk", "recruiter", "created_at", "expires_at", "version"]
    list_select_related = ["recruiter"]
    exclude = ["state", "pages", "buffers"]
    readonly_fields = ["recruiter", "query", "created_at", "expires_at", "version"]
