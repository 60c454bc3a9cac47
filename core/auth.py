from __future__ import annotations

import functools
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, models

from core import sqlnames


def may_log_in(user) -> bool:
    """Staff and freelancers (the reverse one-to-one of freelancers.Freelancer)
    always; anyone else only as a member of an active organization."""
    if user.is_staff or hasattr(user, "freelancer"):
        return True
    organization = user.organization
    return organization is not None and organization.is_active


def is_recruiter(user) -> bool:
    """A signed-in, active user of an organization: whom the recruiting pages
    (`core.views.recruiter_required`) and the API (`IsRecruiter`) serve."""
    return bool(user and user.is_authenticated and user.is_active and user.organization_id)


class OrganizationBackend(AuthenticationBackend):
    """allauth's backend (username or email) that refuses recruiters without
    an active organization, for every login path (the admin's included)."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and may_log_in(user)

    def get_user(self, user_id):
        """The signed-in user of a request, read with what `may_log_in` checks
        (organization, freelancer) in one query rather than three. While
        the organization is switched off, its recruiters' sessions are not
        honoured (every request of theirs is anonymous); switched on again,
        they are, as Django does for a user made inactive and active again."""
        user = _signed_in(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def _signed_in(user_id: Any) -> Any:
    """The user `user_id` with their organization and freelancer read as
    `select_related` reads them (None where there is none), or None.

    SQL written once from the models' names (`_signed_in_sql`): every
    request reads the user, and the ORM built this query anew each time."""
    model = get_user_model()
    try:
        user_id = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    sql, joined = _signed_in_sql(connection.vendor)
    found = sqlnames.rows(model, sqlnames.attnames(model), sql, [user_id], joined=joined)
    if not found:
        return None
    user, (organization, freelancer) = found[0]
    to_organization, to_freelancer = _related()
    to_organization.set_cached_value(user, organization)
    to_freelancer.set_cached_value(user, freelancer)
    if freelancer is not None:
        to_freelancer.remote_field.set_cached_value(freelancer, user)
    return user


@functools.cache
def _related() -> tuple[Any, Any]:
    """The user's organization (a foreign key) and freelancer (the reverse
    side of `freelancers.Freelancer.user`)."""
    meta = get_user_model()._meta
    return meta.get_field("organization"), meta.get_field("freelancer")


@functools.cache
def _signed_in_sql(vendor: str) -> tuple[str, list[tuple[type[models.Model], tuple[str, ...]]]]:
    """The query of `_signed_in` (one parameter: the user's id) and its joined
    models' columns, in the order selected."""
    model = get_user_model()
    organization, freelancer = (rel.related_model for rel in _related())
    joined = [(related, sqlnames.attnames(related)) for related in (organization, freelancer)]
    selected = [sqlnames.columns(model, sqlnames.attnames(model), "u")]
    selected += [
        sqlnames.columns(related, names, alias)
        for alias, (related, names) in zip("of", joined, strict=True)
    ]
    on_organization = (
        f"o.{sqlnames.column(organization, 'id')} = u.{sqlnames.column(model, 'organization')}"
    )
    on_freelancer = f"f.{sqlnames.column(freelancer, 'user')} = u.{sqlnames.column(model, 'id')}"
    sql = (
        f"SELECT {', '.join(selected)} FROM {sqlnames.table(model)} u"  # noqa: S608 - names from models
        f" LEFT JOIN {sqlnames.table(organization)} o ON {on_organization}"
        f" LEFT JOIN {sqlnames.table(freelancer)} f ON {on_freelancer}"
        f" WHERE u.{sqlnames.column(model, 'id')} = %s"
    )
    return sql, joined


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators; nobody signs up on their own."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def pre_login(self, request, user, **kwargs):
        # allauth lets a user whose password matched continue to its own
        # checks even when the backend refused it; refuse here as well.
        if not may_log_in(user):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)
