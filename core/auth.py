from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model


def may_log_in(user) -> bool:
    """Staff and freelancers (the reverse one-to-one of freelancers.Freelancer)
    always; anyone else only as a member of an active organization."""
    if user.is_staff or hasattr(user, "freelancer"):
        return True
    organization = user.organization
    return organization is not None and organization.is_active


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
        user = (
            get_user_model()
            ._default_manager.select_related("organization", "freelancer")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


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
