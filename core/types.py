"""Types shared by every app: lazy text and the signed-in request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.functional import Promise

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from core.models import User

# A plain string or a lazy translation (`gettext_lazy`), rendered on use.
Text = str | Promise


class AuthedRequest(HttpRequest):
    """A request past `login_required` (or DRF's IsAuthenticated): `user` is ours.

    Only an annotation: views take it in their signature so the type checker
    knows `request.user` is a `core.models.User`, never `AnonymousUser`.
    """

    user: User
    htmx: HtmxDetails
