"""Who may use the API: active recruiters (users with an organization)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from core.auth import is_recruiter


class IsRecruiter(BasePermission):
    """An authenticated, active user who belongs to an organization.

    Anonymous requests answer UNAUTHENTICATED (DRF raises NotAuthenticated
    when no authenticator succeeded); staff without an organization answer
    PERMISSION_DENIED.
    """

    message = _("The API is for recruiters: your account has no organization.")

    def has_permission(self, request: Request, view) -> bool:
        user = request.user
        return is_recruiter(user)
